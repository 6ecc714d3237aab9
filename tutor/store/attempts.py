"""The attempt log: every answer as it was given, the source of truth for what is derived.

Reads for the learner's pages (an answer's reply, the last answer, whether an item was
answered) and for the instructor's analytics (the log of one version of a lesson, its
versions, the counts). Attempts are written with the rest of an answer, by
:func:`tutor.store.progress.record_answer`, and never changed but for ``angle``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, Row, bindparam, func, insert, select, update

from tutor.store import pipeline
from tutor.store.tables import Attempt

_attempts = Attempt.__table__

_FIELDS = [c.name for c in _attempts.columns if c.name != "id"]
INSERT_ATTEMPT = (
    insert(_attempts).values({name: bindparam(name) for name in _FIELDS}).returning(_attempts.c.id)
)
"""One answer's row (every column but ``id``); returns the new id."""

_BY_KEY = select(
    _attempts.c.id,
    _attempts.c.question_id,
    _attempts.c.variant,
    _attempts.c.answer,
    _attempts.c.response,
).where(
    _attempts.c.learner_id == bindparam("learner_id"),
    _attempts.c.idempotency_key == bindparam("key"),
)
_OF_LEARNER = select(_attempts).where(
    _attempts.c.learner_id == bindparam("learner_id"),
    _attempts.c.lesson_id == bindparam("lesson_id"),
)
_BY_ID = select(_attempts).where(_attempts.c.id == bindparam("attempt_id"))
_LAST = _OF_LEARNER.order_by(_attempts.c.id.desc()).limit(1)
_ANSWERED = (
    select(_attempts.c.id)
    .where(
        _attempts.c.learner_id == bindparam("learner_id"),
        _attempts.c.lesson_id == bindparam("lesson_id"),
        _attempts.c.question_id == bindparam("question_id"),
        _attempts.c.variant == bindparam("variant"),
    )
    .limit(1)
)
_SET_ANGLE = update(_attempts).where(_attempts.c.id == bindparam("attempt_id"))


_FIRST_SIGHTS = (
    select(_attempts.c.lesson_id, _attempts.c.skill_id, _attempts.c.learner_id, _attempts.c.grade)
    .where(_attempts.c.first_try.is_(True))
    .order_by(_attempts.c.id)
)


def first_sights(connection: Connection, *, lesson_id: str | None = None) -> list[Row]:
    """Every answer given at an item's first sight (lesson_id, skill_id, learner_id, grade),
    in the order given: the evidence mastery is fitted to."""
    query = _FIRST_SIGHTS
    if lesson_id is not None:
        query = query.where(_attempts.c.lesson_id == lesson_id)
    return list(connection.execute(query))


def by_key(connection: Connection, *, learner_id: str, key: str) -> Row | None:
    """The answer recorded under an idempotency key: id, question_id, variant, answer, response."""
    return connection.execute(_BY_KEY, {"learner_id": learner_id, "key": key}).first()


def of_learner(connection: Connection, *, learner_id: str, attempt_id: int) -> Row | None:
    """One of the learner's answers (None for anyone else's)."""
    row = connection.execute(_BY_ID, {"attempt_id": attempt_id}).first()
    return row if row is not None and row.learner_id == learner_id else None


def last(connection: Connection, *, learner_id: str, lesson_id: str) -> Row | None:
    """The learner's most recent answer in a lesson."""
    return connection.execute(_LAST, {"learner_id": learner_id, "lesson_id": lesson_id}).first()


_OF_STEP = (
    select(
        _attempts.c.id,
        _attempts.c.question_id,
        _attempts.c.variant,
        _attempts.c.role,
        _attempts.c.topic,
        _attempts.c.grade,
        _attempts.c.first_try,
        _attempts.c.response,
    )
    .where(
        _attempts.c.learner_id == bindparam("learner_id"),
        _attempts.c.lesson_id == bindparam("lesson_id"),
        _attempts.c.step_id == bindparam("step_id"),
        _attempts.c.id > bindparam("after"),
    )
    .order_by(_attempts.c.id.desc())
    .limit(bindparam("limit"))
)


def of_step(
    connection: Connection,
    *,
    learner_id: str,
    lesson_id: str,
    step_id: str,
    after: int = 0,
    limit: int = 50,
) -> list[Row]:
    """The learner's answers on one step after attempt ``after``: the latest ``limit`` of
    them, oldest first (the step's conversation, as the page shows it)."""
    params = {
        "learner_id": learner_id,
        "lesson_id": lesson_id,
        "step_id": step_id,
        "after": after,
        "limit": limit,
    }
    (outcome,) = pipeline.run(connection, [(_OF_STEP, params)])
    return list(reversed(outcome.rows))


def answered_before(
    connection: Connection, *, learner_id: str, lesson_id: str, question_id: str, variant: int
) -> bool:
    params = {
        "learner_id": learner_id,
        "lesson_id": lesson_id,
        "question_id": question_id,
        "variant": variant,
    }
    return connection.execute(_ANSWERED, params).first() is not None


def set_angle(connection: Connection, *, attempt_id: int, angle: str) -> None:
    """The explanation shown after an answer, when the learner asked for another one."""
    connection.execute(_SET_ANGLE.values(angle=angle), {"attempt_id": attempt_id})


# --- for the instructor ------------------------------------------------------------------

_LOG_COLUMNS = (
    _attempts.c.id,
    _attempts.c.learner_id,
    _attempts.c.lesson_hash,
    _attempts.c.step_id,
    _attempts.c.question_id,
    _attempts.c.skill_id,
    _attempts.c.role,
    _attempts.c.grade,
    _attempts.c.option_index,
    _attempts.c.mistake,
    _attempts.c.first_try,
    _attempts.c.angle,
    _attempts.c.created_at,
    _attempts.c.solid,
    # Whether the answer finished its step: kept in the reply, so a restart cannot erase it.
    _attempts.c.response["step_finished"].as_boolean().label("step_finished"),
)


def log(connection: Connection, *, lesson_id: str, version: str) -> list[dict]:
    """One version of a lesson's attempts in the order they were made, for analytics."""
    rows = connection.execute(
        select(*_LOG_COLUMNS)
        .where(_attempts.c.lesson_id == lesson_id, _attempts.c.lesson_hash == version)
        .order_by(_attempts.c.id)
    )
    return [dict(row._mapping) for row in rows]


def versions(connection: Connection, *, lesson_id: str) -> list[dict]:
    """Each version of a lesson that has attempts, newest first."""
    at = _attempts.c.created_at
    rows = connection.execute(
        select(
            _attempts.c.lesson_hash,
            func.count(),
            # Typed, so that SQLite's text comes back as a time, as PostgreSQL's does.
            func.min(at, type_=at.type),
            func.max(at, type_=at.type),
        )
        .where(_attempts.c.lesson_id == lesson_id)
        .group_by(_attempts.c.lesson_hash)
        .order_by(func.max(at).desc())
    )
    return [
        {"version": v, "attempts": n, "first": _iso(first), "last": _iso(latest)}
        for v, n, first, latest in rows
    ]


def _iso(moment: datetime) -> str:
    """An ISO 8601 time in UTC (SQLite gives back naive times for what was written as UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def counts(connection: Connection) -> dict[str, int]:
    """Answers recorded so far, per lesson."""
    rows = connection.execute(
        select(_attempts.c.lesson_id, func.count()).group_by(_attempts.c.lesson_id)
    )
    return {lesson: n for lesson, n in rows}
