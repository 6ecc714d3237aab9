"""Where each learner is in each lesson (positions) and what the tutor believes they know
(skill states): one definition of each query, and one optimistic lock.

Everything here is a Core statement built once and run on the caller's connection: an
answer is the hot path, and the ORM's unit of work cost it more than everything else
together. A position's ``version`` is checked and bumped by every write (``save``), so two
writes racing for one position cannot both win: the loser's UPDATE matches no row and it
reports that, for the service to answer with a conflict. An answer is one ``read`` and one
``record_answer``, each a single round trip on PostgreSQL (:mod:`tutor.store.pipeline`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, update

from tutor.store import pipeline
from tutor.store.attempts import INSERT_ATTEMPT
from tutor.store.tables import Position, SkillState, utcnow

_positions = Position.__table__
_skills = SkillState.__table__

_POSITION = select(
    _positions.c.lesson_id,
    _positions.c.state,
    _positions.c.topic,
    _positions.c.own_topic,
    _positions.c.version,
).where(_positions.c.learner_id == bindparam("learner_id"))
_ONE_POSITION = _POSITION.where(_positions.c.lesson_id == bindparam("lesson_id"))
_LOCKED_POSITION = _ONE_POSITION.with_for_update(of=_positions)
_SKILLS = select(
    _skills.c.skill_id,
    _skills.c.p_known,
    _skills.c.attempts,
    _skills.c.misses,
    _skills.c.firsts_right,
    _skills.c.review,
    _skills.c.memory,
    _skills.c.due_at,
).where(
    _skills.c.learner_id == bindparam("learner_id"),
    _skills.c.lesson_id == bindparam("lesson_id"),
)
# An UPDATE's own bound names may not be column names: hence who, lesson, now, new_*.
_SAVE_POSITION = (
    update(_positions)
    .where(
        _positions.c.learner_id == bindparam("who"),
        _positions.c.lesson_id == bindparam("lesson"),
        _positions.c.version == bindparam("old_version"),
    )
    .values(
        state=bindparam("new_state"),
        topic=bindparam("new_topic"),
        version=bindparam("new_version"),
        updated_at=bindparam("now"),
    )
)
# Writing a learner's own topic too: only a change of topic does.
_SAVE_POSITION_AND_OWN = _SAVE_POSITION.values(own_topic=bindparam("new_own_topic"))
_ADD_POSITION = insert(_positions).values({c.name: bindparam(c.name) for c in _positions.columns})
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
        firsts_right=bindparam("new_firsts_right"),
        review=bindparam("new_review"),
        memory=bindparam("new_memory"),
        due_at=bindparam("new_due_at"),
        updated_at=bindparam("now"),
    )
)
_MARK_SKILL = update(_skills).where(_SKILL_KEY).values(review=bindparam("new_review"))
_ADD_SKILL = insert(_skills).values({c.name: bindparam(c.name) for c in _skills.columns})


def read(
    connection: Connection, *, learner_id: str, lesson_id: str, lock: bool = False
) -> tuple[Row | None, dict[str, Row]]:
    """The learner's position in a lesson (None before their first answer) and their skill
    states by skill id.

    A position row has ``state``, ``topic``, ``own_topic`` and ``version``; a skill row ``p_known``,
    ``attempts``, ``misses``, ``firsts_right``, ``review``, ``memory`` and ``due_at``. With
    ``lock``, the position is locked until the transaction ends (PostgreSQL; SQLite's
    writers take turns anyway).
    """
    learner = {"learner_id": learner_id, "lesson_id": lesson_id}
    position, skills = pipeline.run(
        connection,
        [(_LOCKED_POSITION if lock else _ONE_POSITION, learner), (_SKILLS, learner)],
    )
    found = position.rows[0] if position.rows else None
    return found, {row.skill_id: row for row in skills.rows}


def everyone(connection: Connection, *, lesson_id: str) -> dict[str, tuple[dict | None, dict]]:
    """Every learner of a lesson: their stored state (None before a first answer) and skill
    states by skill id, as ``read`` gives them; for figures across learners."""
    found: dict[str, tuple[dict | None, dict]] = {}
    for row in connection.execute(
        select(_positions.c.learner_id, _positions.c.state).where(
            _positions.c.lesson_id == lesson_id
        )
    ):
        found[row.learner_id] = (row.state, {})
    for row in connection.execute(
        select(_skills.c.learner_id, *_SKILLS.selected_columns).where(
            _skills.c.lesson_id == lesson_id
        )
    ):
        found.setdefault(row.learner_id, (None, {}))[1][row.skill_id] = row
    return found


def position(
    connection: Connection, *, learner_id: str, lesson_id: str, lock: bool = False
) -> Row | None:
    """The learner's position in a lesson, as ``read`` gives it, without the skill states:
    what a page or ``next`` needs (reading and shaping the skills cost a page more than
    the position did)."""
    learner = {"learner_id": learner_id, "lesson_id": lesson_id}
    (found,) = pipeline.run(connection, [(_LOCKED_POSITION if lock else _ONE_POSITION, learner)])
    return found.rows[0] if found.rows else None


def positions(connection: Connection, *, learner_id: str) -> dict[str, Row]:
    """Every position of a learner, by lesson id."""
    rows = connection.execute(_POSITION, {"learner_id": learner_id})
    return {row.lesson_id: row for row in rows}


def skills(connection: Connection, *, learner_id: str, lesson_id: str) -> dict[str, Row]:
    """The learner's skill states in a lesson, by skill id."""
    rows = connection.execute(_SKILLS, {"learner_id": learner_id, "lesson_id": lesson_id})
    return {row.skill_id: row for row in rows}


_MEMORIES = select(
    _skills.c.lesson_id,
    _skills.c.skill_id,
    _skills.c.due_at,
    _skills.c.p_known,
    _skills.c.attempts,
    _skills.c.firsts_right,
).where(_skills.c.learner_id == bindparam("learner_id"), _skills.c.due_at.is_not(None))


def memories(connection: Connection, *, learner_id: str) -> list[Row]:
    """Every skill of the learner that has a review date (lesson_id, skill_id, due_at,
    p_known, attempts, firsts_right), soonest due first."""
    rows = connection.execute(_MEMORIES, {"learner_id": learner_id}).all()
    return sorted(rows, key=lambda row: (_aware(row.due_at), row.lesson_id, row.skill_id))


def _aware(moment: Any) -> Any:
    """SQLite gives back naive times for what was written as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _position_step(
    learner_id: str,
    lesson_id: str,
    state: dict,
    topic: str | None,
    version: int | None,
    own_topic: Mapping[str, str] | None = None,
) -> pipeline.Step:
    """Add or move a position; ``own_topic``, when given, replaces the learner's own topic
    (otherwise it stays as it is)."""
    now = utcnow()
    if version is None:  # the first write of this position
        return (
            _ADD_POSITION,
            {
                "learner_id": learner_id,
                "lesson_id": lesson_id,
                "topic": topic,
                "own_topic": None if own_topic is None else dict(own_topic),
                "state": state,
                "version": 1,
                "updated_at": now,
            },
        )
    values = {
        "who": learner_id,
        "lesson": lesson_id,
        "old_version": version,
        "new_version": version + 1,
        "new_state": state,
        "new_topic": topic,
        "now": now,
    }
    if own_topic is None:
        return (_SAVE_POSITION, values)
    return (_SAVE_POSITION_AND_OWN, {**values, "new_own_topic": dict(own_topic)})


def save(
    connection: Connection,
    *,
    learner_id: str,
    lesson_id: str,
    state: dict,
    topic: str | None,
    version: int | None,
    own_topic: Mapping[str, str] | None = None,
) -> bool:
    """Write the position if it is still at ``version`` (or add it, for ``None``); False
    when another write moved it first. ``own_topic``, when given, is the learner's own
    topic to keep from now on."""
    (outcome,) = pipeline.run(
        connection, [_position_step(learner_id, lesson_id, state, topic, version, own_topic)]
    )
    return outcome.rowcount == 1


def record_answer(
    connection: Connection,
    *,
    learner_id: str,
    lesson_id: str,
    attempt: Mapping[str, Any],
    before: Mapping[str, Row],
    skill: str,
    counted: Mapping[str, Any],
    review: Collection[str],
    state: dict,
    topic: str,
    version: int | None,
) -> tuple[int, bool]:
    """Write an answer: the attempt; the answered skill's new record (``counted``: p_known,
    attempts, misses, firsts_right, memory and due_at) and any review mark that changed;
    the position's new state, if it is still at ``version`` (or a new position, for
    ``None``). Returns the attempt's id, and False if another write won."""
    now = utcnow()
    key = {"who": learner_id, "lesson": lesson_id}
    steps: list[pipeline.Step] = [(INSERT_ATTEMPT, {**attempt, "created_at": now})]
    if skill in before:
        counts = {f"new_{name}": value for name, value in counted.items()}
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
    steps.append(_position_step(learner_id, lesson_id, state, topic, version))
    outcomes = pipeline.run(connection, steps)
    return outcomes[0].rows[0].id, outcomes[-1].rowcount == 1
