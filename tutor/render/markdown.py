r"""Lesson text to HTML: Markdown with raw HTML off, and formulas as MathML.

Turning Markdown into HTML escapes any HTML it contains, so neither lesson text nor topic
words can inject markup or script. Formulas in LaTeX, `$...$` inline and `$$...$$` on their
own, are found by mdit-py-plugins' dollarmath rule and become MathML on the server. An
opening `$` must be followed by a non-space and a closing `$` preceded by one and not
followed by a digit, so "$5 and $10" stays text; `\$` is always a plain dollar sign. The
MathML is rebuilt from an allowlist of elements and attributes, and a formula that cannot be
converted is shown as its source, never as an error page.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from html import escape

from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.dollarmath import dollarmath_plugin

from tutor.render.numbers import MINUS

_MATH_ELEMENTS = frozenset(
    (
        *("math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup"),
        *("msubsup", "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable"),
        *("mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose", "mmultiscripts"),
        *("mprescripts", "none", "semantics"),
    )
)
_MATH_ATTRIBUTES = frozenset(
    (
        *("display", "mathvariant", "stretchy", "fence", "separator", "accent", "accentunder"),
        *("lspace", "rspace", "form", "largeop", "movablelimits", "symmetric", "minsize"),
        *("maxsize", "linethickness", "columnalign", "rowalign", "columnspacing", "rowspacing"),
        *("columnlines", "rowlines", "frame", "framespacing", "displaystyle", "scriptlevel"),
        *("width", "height", "depth", "voffset", "notation"),
    )
)
# What the converter's errors mean to an author; other errors are named after their class.
_MATH_REASONS = {
    "NoAvailableTokensError": "it ends too soon: a brace or an argument is missing",
    "ExtraLeftOrMissingRightError": "a \\left has no matching \\right",
    "MissingEndError": "a \\begin has no matching \\end",
    "DenominatorNotFoundError": "a fraction has no denominator",
    "NumeratorNotFoundError": "a fraction has no numerator",
    "DoubleSuperscriptsError": "two superscripts in a row: use braces, as in {x^a}^b",
    "DoubleSubscriptsError": "two subscripts in a row: use braces, as in {x_a}_b",
    "MissingSuperScriptOrSubscriptError": "a ^ or _ has nothing after it",
}
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


class MathError(ValueError):
    """A formula that cannot be shown as MathML."""


_FUNCTIONS = {"ln", "log", "exp", "sin", "cos", "tan", "max", "min", "arg"}
_FIXED_ARITY = {"msub", "msup", "msubsup", "munder", "mover", "munderover", "mfrac", "mroot"}
# How many parts each takes: the converter lets `\frac{1}` through with one, which a
# browser draws as a bare 1 over nothing.
_PARTS = {"mfrac": 2, "mroot": 2, "msub": 2, "msup": 2, "munder": 2, "mover": 2}
_MISSING_PART = {"mfrac": "a fraction has no denominator", "mroot": "a root has no index"}


def _names_function(element: ET.Element) -> bool:
    """``ln`` or ``log_10``: a function's name, with or without a script."""
    tag = element.tag.rpartition("}")[2]
    if tag in ("msub", "msup", "msubsup", "munder") and len(element):
        element = element[0]
        tag = element.tag.rpartition("}")[2]
    return tag == "mi" and (element.text or "") in _FUNCTIONS


def _clean(element: ET.Element) -> str:
    """The element as MathML text, keeping only allowed elements and attributes."""
    tag = element.tag.rpartition("}")[2]
    if tag not in _MATH_ELEMENTS:
        raise MathError(f"it would produce <{tag}>, which a formula may not contain")
    if tag in ("mi", "mo") and (element.text or "").startswith("\\") and len(element.text) > 1:
        raise MathError(f"{element.text} is not a LaTeX command the converter knows")
    if tag in _PARTS and len(element) < _PARTS[tag]:
        raise MathError(_MISSING_PART.get(tag, "a ^ or _ has nothing after it"))
    attributes = "".join(
        f' {name}="{escape(value)}"'
        for name, value in element.attrib.items()
        if name in _MATH_ATTRIBUTES
    )
    # ln p, not "lnp": an invisible "function application" after a function's name sets it
    # apart, where the parent takes any number of children.
    # (Chromium gives the invisible operator no width, so a thin space goes with it.)
    apply = '<mo>&#x2061;</mo><mspace width="0.1667em"></mspace>' if tag not in _FIXED_ARITY else ""
    inner = escape(element.text or "", quote=False) + "".join(
        _clean(child)
        + (apply if apply and _names_function(child) else "")
        + escape(child.tail or "", quote=False)
        for child in element
    )
    return f"<{tag}{attributes}>{inner}</{tag}>"


@lru_cache(maxsize=2048)
def _mathml(latex: str, display: bool) -> str:
    """MathML for ``latex``; raises MathError with a reason when it cannot be converted."""
    unbalanced = _unbalanced(latex)
    if unbalanced:  # the converter reads on past it, into a formula nobody wrote
        raise MathError(unbalanced)
    try:
        # A number filled in carries the text's minus sign (−), which LaTeX writes as "-".
        latex = latex.replace(MINUS, "-")
        converted = latex_to_mathml(latex, display="block" if display else "inline")
        tree = ET.fromstring(converted)
    except Exception as exc:  # the converter raises many kinds of errors, all the same here
        name = type(exc).__name__
        reason = _MATH_REASONS.get(name) or str(exc) or _CAMEL.sub(" ", name).lower()
        raise MathError(reason) from None
    _mark_unary_minus(tree)
    return _clean(tree)


def _unbalanced(latex: str) -> str | None:
    """Why the formula's braces do not pair up, or None. (``\\{`` and ``\\}`` are braces
    to show, not to group.)"""
    depth = 0
    escaped = False
    for char in latex:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return "a } closes no {: remove it, or open its group"
    if depth == 1:
        return "a { is never closed: a } is missing"
    return f"{depth} {{ are never closed: {depth} }} are missing" if depth else None


_CLOSERS = frozenset(")]}|\u27e9\u2016!")


def _mark_unary_minus(element: ET.Element) -> None:
    """A minus that starts a term ("z = −2.2", "2 × (−0.7)") as a sign, not a subtraction.

    MathML takes an operator between two others for an infix one and spaces it out, so
    "= −2.2" read as "= − 2.2"; ``form="prefix"`` sets it tight against its number.
    """
    before = None
    for child in element:
        # After nothing, or after an operator other than a closing bracket.
        opens_a_term = before is None or _operator(before) not in (None, *_CLOSERS)
        if opens_a_term and _operator(child) in ("\u2212", "-"):
            child.set("form", "prefix")
        _mark_unary_minus(child)
        before = child


def _operator(element: ET.Element) -> str | None:
    """The text of an ``<mo>``; None for any other element."""
    return (element.text or "").strip() if element.tag.rpartition("}")[2] == "mo" else None


def _math_html(latex: str, display: bool) -> str:
    try:
        mathml = _mathml(latex, display)
    except MathError:
        fence = "$$" if display else "$"
        return f'<code class="math-error">{escape(fence + latex + fence)}</code>'
    if not display:
        # Inline too: a formula cannot break across lines, so on a phone a long one scrolls
        # in its own box rather than widen the page (static/tutor.css, .math-inline).
        return f'<span class="math-inline">{mathml}</span>'
    # A wide formula scrolls sideways on a small screen; the wrapper takes keyboard focus
    # so it can be scrolled without a mouse.
    return f'<span class="math-wrap" tabindex="0" role="group" aria-label="Formula">{mathml}</span>'


_INLINE, _DISPLAY = ("math_inline",), ("math_inline_double", "math_block")


def _render_math(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    html = _math_html(token.content.strip(), token.type in _DISPLAY)
    # A formula on lines of its own stands in a paragraph, as the text around it does.
    return f"<p>{html}</p>\n" if token.type == "math_block" else html


def math_problems(source: str) -> list[str]:
    """Every formula in one (placeholder-rendered) text that cannot be shown, with why."""
    if "$" not in source:
        return []  # every formula is fenced by dollars: nothing to parse
    problems = []
    tokens = _MD.parse(source)
    for token in _formulas(tokens):
        display = token.type in _DISPLAY
        fence = "$$" if display else "$"
        content = token.content.strip()
        try:
            _mathml(content, display)
        except MathError as exc:
            problems.append(f"formula {fence}{content}{fence}: {exc}")
    for token in _plain_text(tokens):
        # A dollar sign right after a letter or digit opens no formula ("3$e$" shows as
        # typed); a dollar before a digit is money, and left alone.
        for unopened in _UNOPENED.finditer(token.content):
            problems.append(
                f"unopened formula {unopened[0]}: a $ right after a letter, a digit or a "
                "placeholder opens no formula, and shows as typed; start the formula before "
                "the number (${{ k }}e$, not {{ k }}$e$) or leave a space before the $"
            )
    return problems


_UNOPENED = re.compile(r"\$[A-Za-z\\][^$]*\$")


def _formulas(tokens):
    for token in tokens:
        if token.type in _INLINE + _DISPLAY:
            yield token
        yield from _formulas(token.children or [])


def _plain_text(tokens):
    for token in tokens:
        if token.type == "text":
            yield token
        yield from _plain_text(token.children or [])


_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MD.enable("table")
_MD.use(
    dollarmath_plugin,
    allow_labels=False,
    allow_space=False,
    allow_digits=False,
    allow_blank_lines=False,
    double_inline=True,
)
for _kind in _INLINE + _DISPLAY:
    _MD.add_render_rule(_kind, _render_math)


# A formula is one box to line breaking: the full stop after "x = 1.2" could start the next
# line. Kept with the punctuation right after it (static/tutor.css, .math-glue).
_FORMULA_THEN_PUNCTUATION = re.compile(
    r'(<span class="math-inline"><math(?:(?!</math>).)*</math></span>)([.,;:!?)]+)', re.S
)


def _glued(html: str) -> str:
    if 'class="math-inline"' not in html:
        return html
    return _FORMULA_THEN_PUNCTUATION.sub(r'<span class="math-glue">\1\2</span>', html)


def ascii_html(html: str) -> Markup:
    """HTML with every character beyond ASCII written as a character reference: the same
    page to a browser. A page all of whose parts are ASCII is joined and encoded as bytes
    are copied; one character such as a minus sign anywhere widens the whole page to two
    or four bytes a character, and encoding it then cost a twentieth of a step page."""
    return Markup(html if html.isascii() else html.encode("ascii", "xmlcharrefreplace").decode())


# A page shows the same lesson texts to every learner: parsed once, not on every request.
# Keyed by the text itself, so a changed lesson or a learner's own words are new keys.
@lru_cache(maxsize=4096)
def to_html(markdown: str) -> Markup:
    """Markdown to HTML, block level (paragraphs, lists, tables); ASCII (``ascii_html``)."""
    return ascii_html(_glued(_MD.render(markdown)))


@lru_cache(maxsize=8192)
def to_inline_html(markdown: str) -> Markup:
    """Markdown to HTML without the surrounding paragraph, for options and titles."""
    return ascii_html(_glued(_MD.renderInline(markdown)))


@lru_cache(maxsize=4096)
def prompt_parts(markdown: str) -> tuple[Markup, Markup]:
    """A question's prompt as what leads up to it (block HTML: paragraphs, lists; empty for
    a prompt of one paragraph) and the question itself (its last paragraph, inline): a
    form's legend holds only a line of text, so a list in a prompt is set out above it."""
    blocks = [b for b in _BLANK_LINE.split(markdown.strip()) if b.strip()]
    if len(blocks) < 2 or not _plain_paragraph(blocks[-1]):
        return Markup(""), to_inline_html(markdown)
    return to_html("\n\n".join(blocks[:-1])), to_inline_html(blocks[-1])


_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_BLOCK_START = re.compile(r"\s*([-*+]\s|\d+[.)]\s|#|>|\||```|\$\$)")


def _plain_paragraph(block: str) -> bool:
    """Whether a block is a paragraph of text, not a list, heading, quote, table or formula."""
    return not any(_BLOCK_START.match(line) for line in block.splitlines())
