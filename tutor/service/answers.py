"""Writing down an answer: the attempt, the skill's record and the position, all or nothing.

The write reads the learner's position (locked), grades the answer to the current item, lets
the pure teaching functions decide what follows, and writes the result in the same
transaction. A position is only saved if no other write moved it first (its version), so
two answers racing for one position cannot both win; the loser gets a
:class:`~tutor.errors.Conflict` and changes nothing. A retried answer with the same
idempotency key returns the first one's reply.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from anyio import to_thread
from sqlalchemy import Connection, Row
from sqlalchemy.exc import IntegrityError

from tutor.errors import BadAnswer, Conflict
from tutor.lessons.kinds import Seat
from tutor.lessons.kinds.numeric import parse_number
from tutor.lessons.loaded import LoadedLesson
from tutor.service.writes import MOVED_ON
from tutor.store import attempts, learners, progress
from tutor.store.database import Database
from tutor.teaching import answering, payloads, resume
from tutor.teaching.grading import grade


def answer(
    db: Database,
    lesson: LoadedLesson,
    learner_id: str,
    seat: Seat,
    *,
    now: datetime,
    question_id: str,
    variant: int,
    option_id: str | None = None,
    value: str | float | None = None,
    idempotency_key: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """Grade and record an answer to the current item; returns (attempt id, reply)."""
    given = _Answer(question_id, variant, option_id, value, idempotency_key)
    record = partial(_record, lesson=lesson, learner_id=learner_id, seat=seat, given=given, now=now)
    try:
        return db.write(record)
    except IntegrityError:
        return _raced(db, learner_id, given)


async def answer_async(
    db: Database, lesson: LoadedLesson, learner_id: str, seat: Seat, *, now: datetime, **sent: Any
) -> tuple[int, dict[str, Any]]:
    """``answer`` (``sent`` is its answer's fields), awaited: no worker thread waits while
    the answer is written."""
    given = _Answer(**sent)
    record = partial(_record, lesson=lesson, learner_id=learner_id, seat=seat, given=given, now=now)
    try:
        return await db.write_async(record)
    except IntegrityError:
        return await to_thread.run_sync(_raced, db, learner_id, given)


def _raced(db: Database, learner_id: str, given: _Answer) -> tuple[int, dict[str, Any]]:
    """Another request with the same idempotency key, or the same first answer, won the
    race; or the key was used before: what it recorded, or a conflict."""
    if given.key:
        with db.reading() as connection:
            existing = attempts.by_key(connection, learner_id=learner_id, key=given.key)
        if existing is not None:
            given.check_same(existing)
            return existing.id, existing.response
    raise Conflict(
        "another answer to this item was recorded at the same time; "
        "fetch the next item and answer that"
    ) from None


def as_stored(option_id: str | None, value: str | float | None) -> str | None:
    """An answer as its attempt keeps it: the option's id, or the number typed, read
    (raises BadAnswer for text that is not a number)."""
    if option_id is not None:
        return option_id
    return f"{parse_number(value):g}" if value is not None else None


class _Answer:
    """What the learner sent, as it came."""

    def __init__(self, question_id, variant, option_id=None, value=None, idempotency_key=None):
        self.question_id = question_id
        self.variant = variant
        self.option_id = option_id
        self.value = value
        self.key = idempotency_key

    def check_same(self, existing: Row) -> None:
        """A key names one answer: the same key with a different answer is a client's
        mistake, not a retry, and saying so beats silently returning the first result."""
        given = as_stored(self.option_id, self.value)
        if (existing.question_id, existing.variant, existing.answer) != (
            self.question_id,
            self.variant,
            given,
        ):
            raise BadAnswer(
                "idempotency_key: already used for a different answer; "
                "send a new key with a new answer"
            )


def _record(
    connection: Connection,
    lesson: LoadedLesson,
    learner_id: str,
    seat: Seat,
    given: _Answer,
    now: datetime,
) -> tuple[int, dict[str, Any]]:
    position, skills = progress.read(
        connection, learner_id=learner_id, lesson_id=lesson.id, lock=True
    )
    if position is None:  # a first answer; a browser learner may have no row yet
        learners.ensure(connection, learner_id=learner_id)
    state = resume.state(lesson, learner_id, position.state if position else None)
    topic = resume.position_topic(lesson, position)
    current = payloads.describe(lesson, state, topic, seat)
    item = current.question
    if (
        item is not None
        and current.explain is not None
        and given.variant == item.seed
        and given.question_id in (item.id, payloads.shown_id(current))
    ):
        # A worked example is studied, not answered: by its own id or its problem's.
        raise Conflict(
            f"{payloads.shown_id(current)!r} variant {item.seed} is a worked example, with "
            f"nothing to answer: POST /api/lessons/{lesson.id}/continue once it is studied"
        )
    if item is None or (given.question_id, given.variant) != (item.id, item.seed):
        if given.key and position is not None:
            # Not the current item: perhaps a retry of an answer that moved the lesson on.
            # Looked up under the position's lock, so a retry that waited behind its twin
            # finds the twin's answer. (A retry of the current item is caught by the
            # unique key when it is written.)
            existing = attempts.by_key(connection, learner_id=learner_id, key=given.key)
            if existing is not None:
                given.check_same(existing)
                return existing.id, existing.response
        if item is None:
            raise Conflict(f"lesson {lesson.id!r} is finished: there is nothing left to answer")
        raise Conflict(
            f"question {given.question_id!r} variant {given.variant} is not the current item "
            f"(that is {payloads.shown_id(current)!r} variant {item.seed}); fetch /next and "
            + ("go on from it" if current.explain is not None else "answer that")
        )
    graded = grade(item, seat, option_id=given.option_id, value=given.value)
    # The position's version counts its writes: a fresh seed for every decision.
    counter = (position.version if position else 0) + 1
    outcome = answering.decide(
        lesson,
        current,
        graded,
        skills=skills,
        rng=resume.rng(learner_id, lesson.id, counter),
        now=now,
    )
    attempt = {
        **outcome.attempt,
        "learner_id": learner_id,
        "lesson_id": lesson.id,
        "lesson_hash": lesson.content_hash,
        "idempotency_key": given.key,
    }
    attempt_id, moved = progress.record_answer(
        connection,
        learner_id=learner_id,
        lesson_id=lesson.id,
        attempt=attempt,
        before=skills,
        skill=outcome.skill,
        counted=outcome.evidence.as_dict(),
        review=outcome.state.review,
        state=outcome.state.to_json(),
        topic=position.topic if position else topic,
        version=position.version if position else None,
    )
    if not moved:
        raise Conflict(MOVED_ON)
    return attempt_id, outcome.response
