"""Lesson text: `{{ ... }}` placeholders in a sandbox, then Markdown with raw HTML off.

Placeholders are rendered first by a sandboxed Jinja environment with strict
undefined, so a misspelled placeholder is an error, never an empty gap. The result
is Markdown source; turning it into HTML escapes any HTML it contains, so neither
lesson text nor topic words can inject markup or script.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown_it import MarkdownIt
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
    return f"{value:.2g}"


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


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
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


_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MD.enable("table")


def to_html(markdown: str) -> Markup:
    """Markdown to HTML, block level (paragraphs, lists, tables)."""
    return Markup(_MD.render(markdown))


def to_inline_html(markdown: str) -> Markup:
    """Markdown to HTML without the surrounding paragraph, for options and titles."""
    return Markup(_MD.renderInline(markdown))
