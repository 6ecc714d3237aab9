"""Lesson placeholders: `{{ ... }}` rendered in a sandbox, with the engine's computations.

Placeholders are rendered by a sandboxed Jinja environment with strict undefined, so a
misspelled placeholder is an error, never an empty gap. The result is Markdown source for
:mod:`tutor.render.markdown`. Numbers print as a learner would write them, and the engine's
computations are there to call (`{{ bce_term(1, p) | num(3) }}`).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from functools import lru_cache, partial, wraps
from typing import Any

from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment

from tutor.engine import computations
from tutor.render.numbers import MINUS, num, nums, paren


def _finalize(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return num(value, minus=MINUS)
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) for v in value):
        return "[" + ", ".join(num(v, minus=MINUS) for v in value) + "]"
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


# ---------------------------------------------------------------------------------------
# Bounds: a placeholder is a few numbers and words. One that asks for more (`9**(9**8)`, a
# string a billion characters long, loops inside loops) is stopped with a clear error before
# it can hold the process: a reload runs in the server, and a big-number power holds
# Python's lock, and every learner with it, until it is done.
# ---------------------------------------------------------------------------------------

MAX_TEXT = 20_000
"""The longest text (or list) a placeholder may build, and the widest padding it may ask."""
MAX_INT_BITS = 256
"""The largest whole number a placeholder may compute, in bits (about 77 digits)."""
SECONDS = 1.0
"""How much CPU time one text's placeholders may take to render. CPU time of the rendering
thread, not time on the clock: on a busy server a thread may wait seconds for its turn, and
a text that is cheap must not fail because others were busy."""

_deadline: ContextVar[tuple[float, float] | None] = ContextVar("placeholder_deadline", default=None)
"""When the text began on the clock, and the thread's CPU time by which it must be done."""
_DIGITS = re.compile(r"\d+")
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*((?:\*|\d*)(?:\.(?:\*|\d*))?)")
_BRACE = re.compile(r"\{[^{}]*:([^{}]*)\}")


class PlaceholderTooCostly(SecurityError):
    """A placeholder that would compute too much; raised, never half-done."""


def _start_clock() -> tuple[float, float]:
    return time.perf_counter(), time.thread_time() + SECONDS


def _check_time() -> None:
    deadline = _deadline.get()
    # A thread's CPU time never runs ahead of the clock: until SECONDS have passed on the
    # clock (nearly always), no need to ask the kernel for it, a system call each time.
    if (
        deadline is not None
        and time.perf_counter() - deadline[0] > SECONDS
        and time.thread_time() > deadline[1]
    ):
        raise PlaceholderTooCostly(f"the placeholders took more than {SECONDS:g} s to render")


def _sized(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else 0


def _check_size(length: int) -> None:
    if length > MAX_TEXT:
        raise PlaceholderTooCostly(
            f"a placeholder would make a text or list {length:,} long (at most {MAX_TEXT:,})"
        )


def _check_bits(bits: float) -> None:
    if bits > MAX_INT_BITS:
        raise PlaceholderTooCostly(
            f"a placeholder would compute a number of about {int(bits):,} bits "
            f"(at most {MAX_INT_BITS}); write it as a decimal instead"
        )


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _binop(operator: str, left: Any, right: Any) -> None:
    """Refuse an operation whose result would be too large, before computing it."""
    if operator == "**" and _whole(left) and _whole(right) and abs(left) > 1 and right > 0:
        _check_bits(abs(left).bit_length() * right)
    elif operator == "*":
        if _whole(left) and _whole(right):
            _check_bits(abs(left).bit_length() + abs(right).bit_length())
        elif _whole(right) and _sized(left) or _whole(left) and _sized(right):
            count, sized = (right, left) if _whole(right) else (left, right)
            _check_size(_sized(sized) * max(count, 0))
    elif operator == "+":
        _check_size(_sized(left) + _sized(right))
    elif operator == "%" and isinstance(left, str):
        _check_widths(left)


def _check_widths(pattern: str) -> None:
    """A format string's widths and precisions (`%09999d`, `{:>99999}`) are padding."""
    for spec in [*_PERCENT.findall(pattern), *_BRACE.findall(pattern)]:
        if "*" in spec:
            raise PlaceholderTooCostly("a placeholder's format may not take its width from `*`")
        for digits in _DIGITS.findall(spec):
            _check_size(int(digits) if len(digits) <= 6 else 10**6)


def _bounded_range(*args: int) -> Iterator[int]:
    """``range``, within the sandbox's length limit and the time allowed."""
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise PlaceholderTooCostly(f"a range of {len(numbers):,} numbers (at most {MAX_RANGE:,})")
    for i, n in enumerate(numbers):
        if i % 1024 == 0:
            _check_time()
        yield n


# Filters and string methods that pad or repeat: their numbers are widths and counts.
_PADDING = {"center", "ljust", "rjust", "zfill", "expandtabs", "indent", "wordwrap", "truncate"}
_COUNTS = {"batch", "slice"}


def _check_arguments(name: str, target: Any, args: tuple, kwargs: dict) -> None:
    _check_time()
    numbers = [a for a in (*args, *kwargs.values()) if _whole(a)]
    if name in _PADDING or name in _COUNTS:
        for n in numbers:
            _check_size(n)
    elif name in ("format", "format_map") and isinstance(target, str):
        _check_widths(target)
    elif name == "replace" and isinstance(target, str) and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        _check_size(len(target) + (target.count(old) if old else len(target) + 1) * len(new))


def _bounded_filter(name: str, function: Callable) -> Callable:
    @wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        values = args[1:] if getattr(function, "jinja_pass_arg", None) else args
        target = values[0] if values else None
        _check_arguments(name, target, tuple(values[1:]), kwargs)
        return function(*args, **kwargs)

    return bounded


class _LessonSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, bounded, with `a.b` on a mapping meaning its key `b` first.

    Jinja tries attributes before keys, so a topic word or param key named like a
    dict method (`items`, `values`, `keys`...) would print a method instead of
    the author's word.
    """

    intercepted_binops = frozenset({"**", "*", "+", "%"})

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_time()
        _binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        name = getattr(__obj, "__name__", "")
        _check_arguments(name, getattr(__obj, "__self__", None), args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def _capitalize(value: Any) -> str:
    """The first letter upper-case, the rest as written: Jinja's own lowers the rest, and a
    learner's own words ("DNA strands") would read "Dna strands"."""
    text = str(value)
    return text[:1].upper() + text[1:]


def _environment() -> ImmutableSandboxedEnvironment:
    env = _LessonSandbox(
        undefined=StrictUndefined,
        autoescape=False,
        finalize=_finalize,
        keep_trailing_newline=True,
    )
    for name in _PADDING | _COUNTS | {"format", "replace"}:
        if name in env.filters:
            env.filters[name] = _bounded_filter(name, env.filters[name])
    env.filters["num"] = partial(num, minus=MINUS)
    env.filters["nums"] = partial(nums, minus=MINUS)
    env.filters["paren"] = partial(paren, minus=MINUS)
    env.filters["capitalize"] = _capitalize
    for name in ("lipsum", "namespace"):  # text of any length; values that grow in loops
        env.globals.pop(name, None)
    env.globals["range"] = _bounded_range
    env.globals.update(ENGINE_FUNCTIONS)
    return env


_ENV = _environment()


@lru_cache(maxsize=4096)
def _template(source: str):
    template = _ENV.from_string(source)
    # Jinja keeps a template's globals as a ChainMap over the environment's and copies it
    # key by key into every render's context; a plain dict is copied at C speed. The
    # engine functions make it some forty keys, a third of an answer's CPU before this.
    template.globals = dict(template.globals)
    return template


@lru_cache(maxsize=1024)
def _expression(source: str):
    expression = _ENV.compile_expression(source, undefined_to_none=False)
    template = expression._template  # its globals flattened too, as in _template
    template.globals = dict(template.globals)
    return expression


def render(source: str, context: dict[str, Any]) -> str:
    """Fill the placeholders of one text field; raises Jinja errors on a bad one."""
    if "{" not in source:
        return source
    token = _deadline.set(_start_clock())
    try:
        parts, length = [], 0
        for chunk in _template(source).generate(context):
            length += len(chunk)
            _check_size(length)
            _check_time()
            parts.append(chunk)
        return "".join(parts)
    finally:
        _deadline.reset(token)


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """Evaluate a placeholder expression (a numeric answer's argument) to a value."""
    token = _deadline.set(_start_clock())
    try:
        value = _expression(expression)(**context)
    finally:
        _deadline.reset(token)
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
