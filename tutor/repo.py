"""Queries. Every function takes the session it works in; none commits.

The queries on the answer path are built once, with bound parameters, rather than
on every call: building a statement costs more than SQLite takes to run it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from tutor.models import Attempt, InstanceSecret, Learner, Position, SkillState


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_learner_id() -> str:
    return uuid.uuid4().hex


def create_learner(*, session: Session, with_token: bool) -> tuple[str, str | None]:
    """A new learner; with ``with_token``, also the API token (returned once, stored hashed)."""
    token = secrets.token_urlsafe(32) if with_token else None
    learner = Learner(id=new_learner_id(), token_hash=hash_token(token) if token else None)
    session.add(learner)
    session.flush()
    return learner.id, token


_LEARNER_FOR_TOKEN = select(Learner.id).where(Learner.token_hash == bindparam("token_hash"))
_POSITION = select(Position).where(
    Position.learner_id == bindparam("learner_id"), Position.lesson_id == bindparam("lesson_id")
)
_POSITION_FOR_UPDATE = _POSITION.with_for_update()
_SKILL_STATES = select(SkillState).where(
    SkillState.learner_id == bindparam("learner_id"),
    SkillState.lesson_id == bindparam("lesson_id"),
)
_ANSWERED = (
    select(Attempt.id)
    .where(
        Attempt.learner_id == bindparam("learner_id"),
        Attempt.lesson_id == bindparam("lesson_id"),
        Attempt.question_id == bindparam("question_id"),
        Attempt.variant == bindparam("variant"),
    )
    .limit(1)
)


def learner_for_token(*, session: Session, token: str) -> str | None:
    return session.scalar(_LEARNER_FOR_TOKEN, {"token_hash": hash_token(token)})


def get_position(
    *, session: Session, learner_id: str, lesson_id: str, for_update: bool = False
) -> Position | None:
    query = _POSITION_FOR_UPDATE if for_update else _POSITION
    return session.scalar(query, {"learner_id": learner_id, "lesson_id": lesson_id})


def positions(*, session: Session, learner_id: str) -> dict[str, Position]:
    rows = session.scalars(select(Position).where(Position.learner_id == learner_id))
    return {p.lesson_id: p for p in rows}


def add_position(
    *, session: Session, learner_id: str, lesson_id: str, state: dict, topic: str | None
) -> Position:
    position = Position(learner_id=learner_id, lesson_id=lesson_id, state=state, topic=topic)
    session.add(position)
    return position


def skill_states(*, session: Session, learner_id: str, lesson_id: str) -> dict[str, SkillState]:
    rows = session.scalars(_SKILL_STATES, {"learner_id": learner_id, "lesson_id": lesson_id})
    return {s.skill_id: s for s in rows}


def attempt_for_learner(*, session: Session, learner_id: str, attempt_id: int) -> Attempt | None:
    attempt = session.get(Attempt, attempt_id)
    return attempt if attempt is not None and attempt.learner_id == learner_id else None


def answered_before(
    *, session: Session, learner_id: str, lesson_id: str, question_id: str, variant: int
) -> bool:
    params = {
        "learner_id": learner_id,
        "lesson_id": lesson_id,
        "question_id": question_id,
        "variant": variant,
    }
    return session.scalar(_ANSWERED, params) is not None


def instance_secret(*, session: Session, name: str) -> str:
    """A secret made once per installation and shared by every worker."""
    row = session.get(InstanceSecret, name)
    if row is None:
        session.add(InstanceSecret(name=name, value=secrets.token_urlsafe(48)))
        session.flush()
        row = session.get(InstanceSecret, name)
    assert row is not None
    return row.value


_LOG_COLUMNS = (
    Attempt.id,
    Attempt.learner_id,
    Attempt.lesson_hash,
    Attempt.step_id,
    Attempt.question_id,
    Attempt.skill_id,
    Attempt.role,
    Attempt.grade,
    Attempt.option_index,
    Attempt.mistake,
    Attempt.first_try,
    Attempt.angle,
    Attempt.created_at,
    # Whether the answer finished its step: kept in the reply, so a restart cannot erase it.
    Attempt.response["step_finished"].as_boolean().label("step_finished"),
)


def attempt_log(*, session: Session, lesson_id: str, version: str) -> list[dict]:
    """One version of a lesson's attempts in the order they were made, for analytics."""
    rows = session.execute(
        select(*_LOG_COLUMNS)
        .where(Attempt.lesson_id == lesson_id, Attempt.lesson_hash == version)
        .order_by(Attempt.id)
    )
    return [dict(row._mapping) for row in rows]


def learner_marks(*, session: Session, lesson_id: str) -> tuple[dict, dict]:
    """Per learner, the steps their state says they finished and the skills marked for
    review: what the attempt log alone cannot tell."""
    completed = {
        p.learner_id: set(p.state.get("completed", ()))
        for p in session.scalars(select(Position).where(Position.lesson_id == lesson_id))
    }
    marked: dict[str, set[str]] = {}
    for state in session.scalars(
        select(SkillState).where(SkillState.lesson_id == lesson_id, SkillState.review)
    ):
        marked.setdefault(state.learner_id, set()).add(state.skill_id)
    return completed, marked


def lesson_versions(*, session: Session, lesson_id: str) -> list[dict]:
    """Each version of a lesson that has attempts, newest first."""
    rows = session.execute(
        select(
            Attempt.lesson_hash,
            func.count(),
            func.min(Attempt.created_at),
            func.max(Attempt.created_at),
        )
        .where(Attempt.lesson_id == lesson_id)
        .group_by(Attempt.lesson_hash)
        .order_by(func.max(Attempt.created_at).desc())
    )
    return [
        {"version": v, "attempts": n, "first": str(first), "last": str(last)}
        for v, n, first, last in rows
    ]


def attempt_counts(*, session: Session) -> dict[str, int]:
    rows = session.execute(select(Attempt.lesson_id, func.count()).group_by(Attempt.lesson_id))
    return {lesson: n for lesson, n in rows}


def last_attempt(*, session: Session, learner_id: str, lesson_id: str) -> Attempt | None:
    """The learner's most recent answer in a lesson."""
    return session.scalar(
        select(Attempt)
        .where(Attempt.learner_id == learner_id, Attempt.lesson_id == lesson_id)
        .order_by(Attempt.id.desc())
        .limit(1)
    )
