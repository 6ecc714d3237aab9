"""Numbers as a learner would write them, and the `num` and `nums` filters lesson text uses.

Pure Python: charts, pages and lesson placeholders all format numbers here, and importing
this loads nothing else of the package.
"""

from __future__ import annotations

import math


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


MINUS = "\u2212"
"""The minus sign of lesson texts, where authors write "p − y": a number they fill in is
written with it too ("= −0.65", not "= -0.65")."""


def num(value: float, decimals: int | None = None, minus: str = "-") -> str:
    """The `num` filter: `{{ x | num(2) }}` rounds to at most two decimals; a negative
    number starts with ``minus``."""
    if decimals is None or not math.isfinite(value):
        text = format_number(value)
    else:
        text = f"{value:.{decimals}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
    return minus + text[1:] if text.startswith("-") else text


def text_num(value: float) -> str:
    """A number as the lesson texts write it, for what is drawn and described beside them (a
    picture's labels, a chart's ticks): with the minus sign."""
    return num(value, minus=MINUS)


def paren(value: float, decimals: int | None = None, minus: str = "-") -> str:
    """The `paren` filter: a number as an operand, as `num` writes it but bracketed when
    negative, so that no two signs meet: "2 × (−0.5)", "0.9 − (−0.1)", "2 × 0.5"."""
    text = num(value, decimals, minus)
    return f"({text})" if text.startswith(minus) else text


def nums(values: list[float], decimals: int | None = None, minus: str = "-") -> str:
    """The `nums` filter: a list as "0.9, 0.1 and 0.8"."""
    parts = [num(v, decimals, minus) for v in values]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun agreeing: 1 learner, 12 learners, 0 answers."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"
