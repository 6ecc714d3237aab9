"""The answer path's reads and writes: prebuilt Core statements on one connection.

An answer is the hot path, and the ORM's unit of work cost it more than everything
else together (identity map, change tracking, a flush per query). These statements
are built once, run on the transaction's connection and return plain rows. They
keep the ORM's rules: a position's ``version`` is checked and bumped by every write,
so two answers racing for one position cannot both win. An answer is one ``read``
and one ``record``, each a single round trip on PostgreSQL (``pipelined``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, update

from tutor import pipelined
from tutor.models import Attempt, Learner, Position, SkillState, utcnow

_attempts = Attempt.__table__
_positions = Position.__table__
_skills = SkillState.__table__
_learners = Learner.__table__

# The position, and whether the item being answered was answered before (only a first
# try is evidence of what the learner knows): one round trip, not two. On PostgreSQL a
# read that waited for the row lock sees the position as it is now but ``answered`` as it
# was before the wait. That is stale only if an answer to this very item was committed
# meanwhile, and every answer moves the position to another item (a new question or new
# numbers): the waiting answer is then refused as not current before ``answered`` is read.
_ANSWERED = (
    select(_attempts.c.id)
    .where(
        _attempts.c.learner_id == _positions.c.learner_id,
        _attempts.c.lesson_id == _positions.c.lesson_id,
        _attempts.c.question_id == bindparam("question_id"),
        _attempts.c.variant == bindparam("variant"),
    )
    .exists()
)
_POSITION = (
    select(
        _positions.c.state,
        _positions.c.topic,
        _positions.c.version,
        _ANSWERED.label("answered"),
    )
    .where(
        _positions.c.learner_id == bindparam("learner_id"),
        _positions.c.lesson_id == bindparam("lesson_id"),
    )
    .with_for_update(of=_positions)
)
_LEARNER = select(_learners.c.id).where(_learners.c.id == bindparam("learner_id"))
_SKILLS = select(
    _skills.c.skill_id, _skills.c.p_known, _skills.c.attempts, _skills.c.misses, _skills.c.review
).where(
    _skills.c.learner_id == bindparam("learner_id"),
    _skills.c.lesson_id == bindparam("lesson_id"),
)
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
_ATTEMPT_FIELDS = [c.name for c in _attempts.columns if c.name != "id"]
_INSERT_ATTEMPT = (
    insert(_attempts)
    .values({name: bindparam(name) for name in _ATTEMPT_FIELDS})
    .returning(_attempts.c.id)
)
# An UPDATE's own bound names may not be column names: hence who, lesson, now, new_*.
_MOVE_POSITION = (
    update(_positions)
    .where(
        _positions.c.learner_id == bindparam("who"),
        _positions.c.lesson_id == bindparam("lesson"),
        _positions.c.version == bindparam("old_version"),
    )
    .values(
        state=bindparam("new_state"), version=bindparam("new_version"), updated_at=bindparam("now")
    )
)
_SKILL_KEY = (
    (_skills.c.learner_id == bindparam("who"))
    & (_skills.c.lesson_id == bindparam("lesson"))
    & (_skills.c.skill_id == bindparam("skill"))
)
_COUNT_SKILL = (
    update(_skills)
    .where(_SKILL_KEY)
    .values(
        p_known=bindparam("new_p_known"),
        attempts=bindparam("new_attempts"),
        misses=bindparam("new_misses"),
        review=bindparam("new_review"),
        updated_at=bindparam("now"),
    )
)
_MARK_SKILL = update(_skills).where(_SKILL_KEY).values(review=bindparam("new_review"))
_ADD_LEARNER = insert(_learners)
_ADD_POSITION = insert(_positions).values({c.name: bindparam(c.name) for c in _positions.columns})
_ADD_SKILL = insert(_skills).values({c.name: bindparam(c.name) for c in _skills.columns})


def read(
    *, connection: Connection, learner_id: str, lesson_id: str, question_id: str, variant: int
) -> tuple[Any, dict[str, Any]]:
    """The learner's position in a lesson (None before their first answer), locked for
    this transaction: state, topic, version, and whether they answered this variant of
    this question before (``answered``); and per skill: p_known, attempts, misses and
    review. Rows have attribute access."""
    learner = {"learner_id": learner_id, "lesson_id": lesson_id}
    found, skills = pipelined.run(
        connection,
        [
            (_POSITION, {**learner, "question_id": question_id, "variant": variant}),
            (_SKILLS, learner),
        ],
    )
    return (found.rows[0] if found.rows else None), {row.skill_id: row for row in skills.rows}


def ensure_learner(*, connection: Connection, learner_id: str) -> None:
    """Make the row for a browser learner, whose id lives in a signed cookie until it answers."""
    if connection.execute(_LEARNER, {"learner_id": learner_id}).first() is None:
        connection.execute(_ADD_LEARNER, {"id": learner_id, "created_at": utcnow()})


def attempt_by_key(*, connection: Connection, learner_id: str, key: str) -> Row | None:
    """The answer recorded under an idempotency key: id, question_id, variant, answer, response."""
    return connection.execute(_BY_KEY, {"learner_id": learner_id, "key": key}).first()


def record(
    *,
    connection: Connection,
    learner_id: str,
    lesson_id: str,
    attempt: Mapping[str, Any],
    before: Mapping[str, Any],
    skill: str,
    counted: Mapping[str, Any],
    review: Collection[str],
    state: dict,
    topic: str,
    version: int | None,
) -> tuple[int, bool]:
    """Write an answer: the attempt; the answered skill's new counts and any review mark
    that changed; the position's new state, if it is still at ``version`` (or a new
    position, for ``None``). Returns the attempt's id, and False if another write won."""
    now = utcnow()
    key = {"who": learner_id, "lesson": lesson_id}
    steps: list[pipelined.Step] = [(_INSERT_ATTEMPT, {**attempt, "created_at": now})]
    if skill in before:
        counts = {
            "new_p_known": counted["p_known"],
            "new_attempts": counted["attempts"],
            "new_misses": counted["misses"],
        }
        steps.append(
            (
                _COUNT_SKILL,
                {**key, **counts, "skill": skill, "new_review": skill in review, "now": now},
            )
        )
    else:
        steps.append(
            (
                _ADD_SKILL,
                {
                    **counted,
                    "learner_id": learner_id,
                    "lesson_id": lesson_id,
                    "skill_id": skill,
                    "review": skill in review,
                    "updated_at": now,
                },
            )
        )
    steps.extend(
        (_MARK_SKILL, {**key, "skill": other, "new_review": other in review})
        for other, row in before.items()
        if other != skill and row.review != (other in review)
    )
    if version is None:
        learner = {"learner_id": learner_id, "lesson_id": lesson_id}
        # The ORM's version counter starts at 1.
        steps.append(
            (
                _ADD_POSITION,
                {**learner, "topic": topic, "state": state, "version": 1, "updated_at": now},
            )
        )
    else:
        moved = {"old_version": version, "new_version": version + 1, "new_state": state, "now": now}
        steps.append((_MOVE_POSITION, {**key, **moved}))
    outcomes = pipelined.run(connection, steps)
    return outcomes[0].rows[0].id, outcomes[-1].rowcount == 1
