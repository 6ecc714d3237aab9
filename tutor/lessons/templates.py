"""Lesson placeholders: `{{ ... }}` rendered in a sandbox, with the engine's computations.

Placeholders are rendered by a sandboxed Jinja environment with strict undefined, so a
misspelled placeholder is an error, never an empty gap. The result is Markdown source for
:mod:`tutor.render.markdown`. Numbers print as a learner would write them, and the engine's
computations are there to call (`{{ bce_term(1, p) | num(3) }}`).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from tutor.engine import computations
from tutor.render.numbers import format_number, num, nums


def _finalize(value: Any) -> Any:
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) for v in value):
        return "[" + ", ".join(format_number(v) for v in value) + "]"
    return value


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
    env.filters["num"] = num
    env.filters["nums"] = nums
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


class LazyTexts:
    """Texts of one variant, filled in when first read.

    Showing a question needs its prompt and option texts; a grade needs one option's
    feedback. Rendering the rest only when asked for keeps the answer path short.
    """

    def __init__(self, context: dict[str, Any]):
        self._context = context

    def render_text(self, source: str | None) -> str | None:
        return None if source is None else render(source, self._context)
