"""What a learner has already answered: reads of the attempt log for the learner's pages.

When a form is sent twice (a double click, or Back and Submit again), the second copy
finds the lesson moved on. These reads let the page show what was recorded instead.
"""

from __future__ import annotations

from sqlalchemy import select

from tutor import repo
from tutor.models import Attempt
from tutor.tutoring import Tutor


def last_attempt(tutor: Tutor, *, learner_id: str, lesson_id: str) -> Attempt | None:
    """The learner's most recent answer in the lesson, or None."""
    query = (
        select(Attempt)
        .where(Attempt.learner_id == learner_id, Attempt.lesson_id == lesson_id)
        .order_by(Attempt.id.desc())
        .limit(1)
    )
    with tutor.db.reading() as session:
        return session.scalar(query)


def answered(
    tutor: Tutor, *, learner_id: str, lesson_id: str, question_id: str, variant: int
) -> bool:
    """Whether the learner has ever answered this variant of this question."""
    with tutor.db.reading() as session:
        return repo.answered_before(
            session=session,
            learner_id=learner_id,
            lesson_id=lesson_id,
            question_id=question_id,
            variant=variant,
        )
