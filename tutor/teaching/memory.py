"""Review across visits: each learner's memory of each skill, in FSRS.

FSRS (the Free Spaced Repetition Scheduler, through the ``fsrs`` package) models a memory
by its stability (how many days until recall falls to 90%) and difficulty, updated by each
review, and schedules the next review for when recall is due to fall to 90%. We use it
rather than half-life regression because its default parameters were fitted on a very
large body of real reviews and it needs no training data of ours; half-life regression
would have to be fitted to this tutor's own learners first.

Each answer counted as evidence of a skill (a first sight) is a review of that skill's
memory: Exactly is "good", Close "hard", Not quite and Not sure "again". A skill is due
when its review date has come. Pure: the time of each review comes in as an argument.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fsrs import Card, Rating, Scheduler

from tutor.vocabulary import Grade

# Skills, not flashcards: no same-day learning steps, and no random spread of due dates
# (the same answers always give the same schedule).
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
RATINGS = {
    Grade.EXACTLY: Rating.Good,
    Grade.CLOSE: Rating.Hard,
    Grade.NOT_QUITE: Rating.Again,
    Grade.NOT_SURE: Rating.Again,
}


def review(memory: dict[str, Any] | None, grade: str, at: datetime) -> tuple[dict, datetime]:
    """The memory after an answer graded ``grade`` at ``at``, and when it is next due."""
    card = Card.from_dict(memory) if memory else Card(card_id=1)
    card, _ = SCHEDULER.review_card(card, RATINGS[Grade(grade)], at)
    return card.to_dict(), card.due


def is_due(due_at: datetime | None, now: datetime) -> bool:
    """Whether a skill reviewed before is due again."""
    return due_at is not None and aware(due_at, now) <= now


def aware(moment: datetime, now: datetime) -> datetime:
    """``moment`` in ``now``'s time zone when it has none (SQLite gives back naive UTC)."""
    return moment.replace(tzinfo=now.tzinfo) if moment.tzinfo is None else moment
