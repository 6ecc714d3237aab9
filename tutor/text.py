r"""Lesson text: `{{ ... }}` placeholders in a sandbox, then Markdown with raw HTML off.

Placeholders are rendered first by a sandboxed Jinja environment with strict
undefined, so a misspelled placeholder is an error, never an empty gap. The result
is Markdown source; turning it into HTML escapes any HTML it contains, so neither
lesson text nor topic words can inject markup or script.

Formulas in LaTeX, `$...$` inline and `$$...$$` on their own, become MathML on the
server. An opening `$` must be followed by a non-space and a closing `$` preceded by one
and not followed by a digit, so "$5 and $10" stays text; `\$` is always a plain dollar
sign. The MathML is rebuilt from an allowlist of elements and attributes, and a formula
that cannot be converted is shown as its source, never as an error page.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from html import escape
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markupsafe import Markup

from tutor import computations


def format_number(value: float) -> str:
    """A number as a learner would write it: 175, 0.3567, 34.54, 1e-15."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return "infinity" if value > 0 else ("-infinity" if value < 0 else "not a number")
    if value == int(value) and abs(value) < 1e12:
        return str(int(value))
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    if magnitude >= 1e-3:
        return f"{value:.4g}"
    # 1e-07, as Python writes it, reads oddly to people: drop the exponent's padding.
    mantissa, _, exponent = f"{value:.2g}".partition("e")
    return f"{mantissa}e{int(exponent)}" if exponent else mantissa


def clip_text(value: float) -> str:
    """A clipped probability as a learner should read it: 1e-15, or 1 − 1e-15 at the top.

    Rounded for display, 1 − 1e-15 would read "1", hiding that it was clipped at all.
    """
    if value > 0.5 and value < 1:
        return f"1 \u2212 {format_number(1 - value)}"
    return format_number(value)


def _finalize(value: Any) -> Any:
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) for v in value):
        return "[" + ", ".join(format_number(v) for v in value) + "]"
    return value


def _num(value: float, decimals: int | None = None) -> str:
    """The `num` filter: `{{ x | num(2) }}` rounds to at most two decimals."""
    if decimals is None or not math.isfinite(value):
        return format_number(value)
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _nums(values: list[float], decimals: int | None = None) -> str:
    """The `nums` filter: a list as "0.9, 0.1 and 0.8"."""
    parts = [_num(v, decimals) for v in values]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _positional(name: str):
    comp = computations.COMPUTATIONS[name]

    def call(*args: Any, **kwargs: Any) -> float:
        kwargs.update(zip(comp.params, args, strict=False))
        return computations.compute(name, **kwargs)

    call.__name__ = name
    return call


ENGINE_FUNCTIONS: dict[str, Any] = {
    **{name: _positional(name) for name in computations.COMPUTATIONS},
    "ln": math.log,
    "exp": math.exp,
    "sqrt": math.sqrt,
    "abs": abs,
    "min": min,
    "max": max,
}


class _LessonSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, with `a.b` on a mapping meaning its key `b` first.

    Jinja tries attributes before keys, so a topic word or param key named like a
    dict method (`items`, `values`, `keys`...) would print a method instead of
    the author's word.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def _environment() -> ImmutableSandboxedEnvironment:
    env = _LessonSandbox(
        undefined=StrictUndefined,
        autoescape=False,
        finalize=_finalize,
        keep_trailing_newline=True,
    )
    env.filters["num"] = _num
    env.filters["nums"] = _nums
    env.globals.update(ENGINE_FUNCTIONS)
    return env


_ENV = _environment()


@lru_cache(maxsize=4096)
def _template(source: str):
    return _ENV.from_string(source)


@lru_cache(maxsize=1024)
def _expression(source: str):
    return _ENV.compile_expression(source, undefined_to_none=False)


def render(source: str, context: dict[str, Any]) -> str:
    """Fill the placeholders of one text field; raises Jinja errors on a bad one."""
    if "{" not in source:
        return source
    return _template(source).render(context)


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """Evaluate a placeholder expression (a numeric answer's argument) to a value."""
    value = _expression(expression)(**context)
    if isinstance(value, StrictUndefined):
        str(value)  # raises the UndefinedError that names the missing variable
    return value


# --- formulas ----------------------------------------------------------------------

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
    try:
        converted = latex_to_mathml(latex, display="block" if display else "inline")
        tree = ET.fromstring(converted)
    except Exception as exc:  # the converter raises many kinds of errors, all the same here
        name = type(exc).__name__
        reason = _MATH_REASONS.get(name) or str(exc) or _CAMEL.sub(" ", name).lower()
        raise MathError(reason) from None
    return _clean(tree)


def _math_html(latex: str, display: bool) -> str:
    try:
        mathml = _mathml(latex, display)
    except MathError:
        fence = "$$" if display else "$"
        return f'<code class="math-error">{escape(fence + latex + fence)}</code>'
    if not display:
        return mathml
    # A wide formula scrolls sideways on a small screen; the wrapper takes keyboard focus
    # so it can be scrolled without a mouse.
    return f'<span class="math-wrap" tabindex="0" role="group" aria-label="Formula">{mathml}</span>'


def _math_rule(state: StateInline, silent: bool) -> bool:
    """`$...$` and `$$...$$` as math tokens (see the module docstring for the rules)."""
    src, start, stop = state.src, state.pos, state.posMax
    if src[start] != "$":
        return False
    if src.startswith("$$", start):
        end = src.find("$$", start + 2, stop)
        latex, after, kind = src[start + 2 : end], end + 2, "math_block"
        if end == -1 or not latex.strip():
            return False
    else:
        opener = start + 1
        end = opener
        while True:
            end = src.find("$", end, stop)
            if end == -1 or src[end - 1] != "\\":
                break
            end += 1
        if opener >= stop or src[opener].isspace() or end in (-1, opener):
            return False
        if src[end - 1].isspace() or src[end + 1 : end + 2].isdigit():
            return False
        latex, after, kind = src[opener:end], end + 1, "math_inline"
    if not silent:
        token = state.push(kind, "math", 0)
        token.content = latex
    state.pos = after
    return True


def _render_math(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    return _math_html(token.content, token.type == "math_block")


def math_problems(source: str) -> list[str]:
    """Every formula in one (placeholder-rendered) text that cannot be shown, with why."""
    problems = []
    for block in _MD.parse(source):
        for token in block.children or []:
            if token.type in ("math_inline", "math_block"):
                fence = "$$" if token.type == "math_block" else "$"
                try:
                    _mathml(token.content, token.type == "math_block")
                except MathError as exc:
                    problems.append(f"formula {fence}{token.content}{fence}: {exc}")
    return problems


_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MD.enable("table")
_MD.inline.ruler.before("escape", "math", _math_rule)
_MD.add_render_rule("math_inline", _render_math)
_MD.add_render_rule("math_block", _render_math)


def to_html(markdown: str) -> Markup:
    """Markdown to HTML, block level (paragraphs, lists, tables)."""
    return Markup(_MD.render(markdown))


def to_inline_html(markdown: str) -> Markup:
    """Markdown to HTML without the surrounding paragraph, for options and titles."""
    return Markup(_MD.renderInline(markdown))
