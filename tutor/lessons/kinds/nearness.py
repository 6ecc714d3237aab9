"""How near a typed number is to the answer, measured in decimal terms.

A learner types decimals; floating point cannot hold most of them exactly, so 1.11 against
1.1 with a tolerance of 0.01 would miss by a hair. Here the typed text is read as a
``Decimal`` exactly as written, the answer is cut to twelve significant digits (what is
left of float noise), and the tolerance is read as its author wrote it. Pure.

Outside the tolerance, two near misses are told apart from a wild guess: a number within
5% of the answer (the method is right, an arithmetic slip crept in), and a rounding slip
(the answer rounded or cut off too early, at the typed number's own decimals).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

NEAR = Decimal("0.05")  # a near miss: within this fraction of the answer
SIGNIFICANT = 12  # digits of an engine value kept; beyond them is float noise
MIN_ROUNDED_DIGITS = 2  # a rounding slip keeps at least this many significant digits


class Nearness(StrEnum):
    """Where a typed number lands against the answer."""

    WITHIN = "within"  # inside the tolerance: right
    ROUNDED = "rounded"  # the answer rounded or cut off too early
    NEAR = "near"  # within 5%: one arithmetic slip
    SIGN = "sign"  # the answer with the opposite sign
    SCALE = "scale"  # the answer's digits with the decimal point moved
    FAR = "far"


def typed_text(raw: object) -> tuple[str, bool]:
    """A typed number's text made plain (spaces and a typographic minus gone, a lone comma
    read as the decimal point), without its trailing %; and whether it had one."""
    text = str(raw).strip().replace(" ", "").replace("\u2212", "-")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    return text.rstrip("%"), text.endswith("%")


def typed_decimal(raw: str | float | int) -> Decimal | None:
    """A typed number as the learner wrote it (0.36, ,36, 1e-3, 36%), or None.

    A float (from JSON) is read through its shortest repr, which is what was sent.
    """
    if isinstance(raw, bool):
        return None
    text, percent = repr(raw), False
    if not isinstance(raw, (int, float)):
        text, percent = typed_text(raw)
    if "_" in text:  # (Decimal reads 1_0 as 10)
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return value / 100 if percent else value


def engine_decimal(value: float) -> Decimal:
    """An engine value with its float noise cut off (1.1000000000000001 is 1.1)."""
    return Decimal(f"{value:.{SIGNIFICANT}g}")


def tolerance_decimal(tolerance: float) -> Decimal:
    """A tolerance as its author wrote it: 0.01 is one hundredth exactly."""
    return Decimal(repr(tolerance))


def nearness(typed: Decimal, answer: Decimal, tolerance: Decimal) -> Nearness:
    """Where ``typed`` lands against ``answer``, all compared exactly."""
    gap = abs(typed - answer)
    if gap <= tolerance:
        return Nearness.WITHIN
    if _rounded_too_early(typed, answer):
        return Nearness.ROUNDED
    if answer and gap <= NEAR * abs(answer):
        return Nearness.NEAR
    if answer and abs(typed + answer) <= tolerance:
        return Nearness.SIGN
    if answer and typed and _moved_point(typed, answer, tolerance):
        return Nearness.SCALE
    return Nearness.FAR


def _rounded_too_early(typed: Decimal, answer: Decimal) -> bool:
    """``typed`` is ``answer`` rounded or cut off at the typed number's own decimals.

    A number of one significant digit is not counted: 1 for 0.6 is a guess, not a slip.
    """
    if not typed:
        return False
    written = typed.as_tuple()
    if len(written.digits) < MIN_ROUNDED_DIGITS or not isinstance(written.exponent, int):
        return False
    step = Decimal(1).scaleb(min(written.exponent, 0))
    try:
        rounded = answer.quantize(step, rounding=ROUND_HALF_UP)
        cut = answer.quantize(step, rounding=ROUND_DOWN)
    except InvalidOperation:  # more decimals than a Decimal holds: not a rounding slip
        return False
    return typed in (rounded, cut) and typed != answer


def _moved_point(typed: Decimal, answer: Decimal, tolerance: Decimal) -> bool:
    """``typed`` is the answer times a power of ten (10, 100, 1000 or their inverses)."""
    for power in (1, 2, 3, -1, -2, -3):
        scaled = answer.scaleb(power)
        if abs(typed - scaled) <= tolerance.scaleb(power):
            return True
    return False
