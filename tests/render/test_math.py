"""Formulas in lesson text: LaTeX to MathML on the server, safely, without eating currency."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tutor.lessons import templates
from tutor.render import markdown as text

STATIC = Path(__file__).resolve().parents[2] / "static"


def maths(html: str) -> list:
    return BeautifulSoup(html, "html.parser").find_all("math")


@pytest.mark.parametrize(
    ("source", "inline", "block"),
    [
        ("the loss is $-\\ln p$ here", 1, 0),
        ("$$\\frac{1}{n}\\sum_i e_i^2$$", 0, 1),
        ("two: $a$ and $b^2$", 2, 0),
        ("it cost $5 and then $10", 0, 0),  # currency: the closing $ is followed by a digit
        ("from $5 to $ 10", 0, 0),  # the opening $ is followed by a space
        ("between $5, and x is $y$", 1, 0),  # the first $ has no valid closer; $y$ is math
        ("\\$x\\$ stays text", 0, 0),
        ("`$x$` is code", 0, 0),
        ("$5-$10", 0, 0),
        ("**bold $x$**", 1, 0),
    ],
)
def test_dollars_open_a_formula_only_where_they_should(source, inline, block):
    found = maths(text.to_html(source))
    assert sum(m.get("display") == "inline" for m in found) == inline
    assert sum(m.get("display") == "block" for m in found) == block


def test_currency_is_left_exactly_as_written():
    assert text.to_html("it cost $5 and then $10") == "<p>it cost $5 and then $10</p>\n"
    assert text.to_inline_html("a $3 fee") == "a $3 fee"


def test_a_formula_becomes_mathml_in_inline_text_too():
    html = text.to_inline_html("p = $\\sigma(z)$")
    (formula,) = maths(html)
    assert formula.find("mi").get_text() == "σ"


def test_placeholders_are_filled_before_the_formula_is_read():
    source = templates.render("$p = {{ p }}$", {"p": 0.25})
    (formula,) = maths(text.to_html(source))
    assert formula.find("mn").get_text() == "0.25"


def test_a_negative_number_filled_in_reads_as_a_minus_in_text_and_in_a_formula():
    source = templates.render("p − y = {{ d }}, and $g = {{ d | num(2) }}$", {"d": -0.65})
    assert source.startswith("p − y = −0.65, and")
    (formula,) = maths(text.to_html(source))
    # A minus sign the formula reads as one, not an unknown symbol.
    assert [mo.get_text() for mo in formula.find_all("mo")] == ["=", "−"]
    assert not any(mi.get_text() == "−" for mi in formula.find_all("mi"))
    # A sign, set tight against its number: an infix minus read "g = − 0.65".
    assert formula.find_all("mo")[1].get("form") == "prefix"


@pytest.mark.parametrize(
    ("latex", "forms"),
    [
        ("a - b", [None]),  # a subtraction stays one
        ("(a) - b", [None, None, None]),
        ("-\\ln p", ["prefix"]),
        ("2 \\times (-0.7) - 1", [None, None, "prefix", None, None]),
        ("e^{-z}", ["prefix"]),
    ],
)
def test_a_minus_that_starts_a_term_is_a_sign(latex, forms):
    (formula,) = maths(text.to_html(f"${latex}$"))
    found = [mo.get("form") for mo in formula.find_all("mo") if mo.get_text() != "\u2061"]
    assert found == forms


@pytest.mark.parametrize(
    ("value", "decimals", "written"),
    [(-0.5, None, "(−0.5)"), (0.2, None, "0.2"), (0, None, "0"), (-0.04167, 3, "(−0.042)")],
)
def test_an_operand_is_bracketed_only_when_negative(value, decimals, written):
    source = templates.render("2 × {{ w | paren(d) }}", {"w": value, "d": decimals})
    assert source == f"2 × {written}"


def test_a_bracketed_operand_reads_as_a_minus_inside_a_formula():
    (formula,) = maths(text.to_html(templates.render("$2 \\times {{ w | paren }}$", {"w": -3})))
    assert [mo.get_text() for mo in formula.find_all("mo")] == ["×", "(", "−", ")"]


def test_the_full_stop_after_a_formula_stays_on_its_line():
    soup = BeautifulSoup(text.to_html("edges $x_2 = 1.2$. Both, $a$, and $b$ end"), "html.parser")
    glued = soup.select(".math-glue")
    assert [g.get_text() for g in glued] == ["x2=1.2.", "a,"]
    assert all(g.find(class_="math-inline") for g in glued)
    # Only a formula and its own punctuation: not the words up to a later formula's.
    soup = BeautifulSoup(text.to_html("so $a$ and then a long way on to $b$."), "html.parser")
    assert [g.get_text() for g in soup.select(".math-glue")] == ["b."]
    assert "nowrap" in (STATIC / "tutor.css").read_text().split(".math-glue")[1].split("}")[0]


@pytest.mark.parametrize(
    "latex",
    [
        "\\text{<script>alert(1)</script>}",
        "\\text{<img src=x onerror=alert(1)>}",
        "\\href{javascript:alert(1)}{x}",
        "\\style{color:red}{x}",
    ],
)
def test_a_formula_cannot_inject_markup_or_script(latex):
    html = text.to_html(f"see ${latex}$")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None and soup.find("img") is None
    for tag in soup.find_all(True):
        assert not any(a.startswith("on") or a in ("href", "style", "src") for a in tag.attrs)


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("$\\sqrt$", "a brace or an argument is missing"),
        ("$\\frac{1}{$", "a { is never closed"),
        # The converter reads on past an unpaired brace, into a formula nobody wrote.
        ("$w_{j1$", "a { is never closed: a } is missing"),
        ("$w_{j1}}$", "a } closes no {"),
        ("$\\frac{1}{v_1$", "a { is never closed"),
        ("$\\frac{1}$", "a fraction has no denominator"),  # drawn as 1 over nothing
        ("$\\left( x$", "a \\left has no matching \\right"),
        ("$x^$", "a ^ or _ has nothing after it"),
        ("$\\foo$", "\\foo is not a LaTeX command the converter knows"),
        ("$\\text{<b>x</b>}$", "it would produce <b>"),
    ],
)
def test_invalid_latex_is_shown_as_its_source_and_named(source, problem):
    html = text.to_html(source)
    assert maths(html) == []
    code = BeautifulSoup(html, "html.parser").find("code", class_="math-error")
    assert code.get_text() == source
    (message,) = text.math_problems(source)
    assert message.startswith(f"formula {source}: ") and problem in message


def test_good_text_has_no_math_problems():
    assert text.math_problems("costs $5; $x^2$ and $$\\sqrt{y}$$") == []
