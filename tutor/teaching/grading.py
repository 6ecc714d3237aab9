"""Grading one answer to one rendered question: pure, no state."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tutor.errors import BadAnswer
from tutor.lessons.variants import RenderedQuestion
from tutor.vocabulary import NOT_SURE, NOT_SURE_TEXT, Grade, Kind

CHOOSE = "Choose one of the answers, or I'm not sure."
TYPE_A_NUMBER = "Type a number, such as 0.36."

UNRECOGNISED = (
    "That is not the number the engine gets, and it does not match a mistake we know. "
    "Have a look at the other way of seeing it below; the worked numbers follow."
)


@dataclass(frozen=True)
class Graded:
    grade: str
    feedback: str
    answer: str  # what the learner gave, as stored: an option id or the number typed
    said: str  # what the learner gave, as shown back to them
    option_index: int | None = None
    misconception: str | None = None
    mistake: str | None = None


def parse_number(raw: str | float | int) -> float:
    """A typed number: accepts 0.36, ,36 (comma decimals), 1e-3, spaces and a trailing %."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        value = float(raw)
    else:
        cleaned = str(raw).strip().replace(" ", "").replace("\u2212", "-")
        if cleaned.count(",") == 1 and "." not in cleaned:
            cleaned = cleaned.replace(",", ".")
        percent = cleaned.endswith("%")
        try:
            value = float(cleaned.rstrip("%"))
        except ValueError:
            raise BadAnswer(
                f"value: {str(raw)[:40]!r} is not a number",
                wording="That does not read as a number. " + TYPE_A_NUMBER,
            ) from None
        if percent:
            value /= 100
    if not math.isfinite(value):
        raise BadAnswer(
            "value: give a finite number",
            wording="That number is too large to work with. " + TYPE_A_NUMBER,
        )
    return value


def grade(
    question: RenderedQuestion, *, option_id: str | None = None, value: str | float | None = None
) -> Graded:
    """Grade a choice (``option_id``) or a numeric answer (``value``) to ``question``."""
    if option_id == NOT_SURE:
        return Graded(Grade.NOT_SURE, question.not_sure, NOT_SURE, NOT_SURE_TEXT)
    if question.kind == Kind.CHOICE:
        if value is not None:
            raise BadAnswer(
                "value: this question is answered by choosing an option_id", wording=CHOOSE
            )
        if option_id is None:
            raise BadAnswer("option_id: choose one of the options, or not_sure", wording=CHOOSE)
        option = question.option(option_id)
        if option is None:
            raise BadAnswer(
                f"option_id: {option_id[:40]!r} is not an option of this question", wording=CHOOSE
            )
        return Graded(
            option.grade,
            option.feedback,
            option.id,
            option.text,
            option_index=option.index,
            misconception=option.misconception,
        )
    if value is None or (isinstance(value, str) and not value.strip()):
        if option_id is not None:
            raise BadAnswer(
                "option_id: a numeric question takes a value, or not_sure", wording=TYPE_A_NUMBER
            )
        raise BadAnswer("value: type a number, or choose not_sure", wording=TYPE_A_NUMBER)
    number = parse_number(value)
    said = f"{number:g}"
    assert question.answer is not None and question.tolerance is not None
    if abs(number - question.answer) <= question.tolerance:
        return Graded(Grade.EXACTLY, question.solution or "", said, said)
    # The closest known mistake within tolerance names what went wrong.
    matches = [m for m in question.mistakes if abs(number - m.value) <= question.tolerance]
    if matches:
        best = min(matches, key=lambda m: abs(number - m.value))
        return Graded(
            best.grade,
            best.feedback,
            said,
            said,
            misconception=best.misconception,
            mistake=best.mistake,
        )
    return Graded(Grade.NOT_QUITE, UNRECOGNISED, said, said)
