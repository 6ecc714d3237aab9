"""Grading one answer to one rendered question: pure, no state.

"I'm not sure" is graded the same for every kind of question; anything else is graded by
the question's kind (:mod:`tutor.lessons.kinds`).
"""

from __future__ import annotations

from typing import Any

from tutor.lessons.kinds import KINDS, Graded, Seat
from tutor.lessons.variants import RenderedQuestion
from tutor.vocabulary import NOT_SURE, NOT_SURE_TEXT, Grade


def grade(
    question: RenderedQuestion, seat: Seat, *, option_id: str | None = None, value: Any = None
) -> Graded:
    """Grade a choice (``option_id``, one of ``seat``'s ids), a number (``value``) or
    "not sure" to ``question``.

    An answer that does not fit the question raises :class:`~tutor.errors.BadAnswer`.
    """
    if option_id == NOT_SURE:
        return Graded(Grade.NOT_SURE, question.not_sure, NOT_SURE, NOT_SURE_TEXT)
    return KINDS[question.kind].grade(question, seat, option_id=option_id, value=value)
