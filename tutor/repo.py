"""Queries. Every function takes the session it works in; none commits."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tutor.models import Attempt, InstanceSecret, Learner, Position, SkillState, utcnow


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


def ensure_learner(*, session: Session, learner_id: str) -> None:
    """Make the row for a browser learner, whose id lives in a signed cookie until it answers."""
    if session.get(Learner, learner_id) is None:
        session.add(Learner(id=learner_id))
        session.flush()


def learner_for_token(*, session: Session, token: str) -> str | None:
    return session.scalar(select(Learner.id).where(Learner.token_hash == hash_token(token)))


def get_position(
    *, session: Session, learner_id: str, lesson_id: str, for_update: bool = False
) -> Position | None:
    query = select(Position).where(
        Position.learner_id == learner_id, Position.lesson_id == lesson_id
    )
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def positions(*, session: Session, learner_id: str) -> dict[str, Position]:
    rows = session.scalars(select(Position).where(Position.learner_id == learner_id))
    return {p.lesson_id: p for p in rows}


def save_position(
    *,
    session: Session,
    learner_id: str,
    lesson_id: str,
    state: dict,
    topic: str | None,
    expected_version: int | None,
) -> bool:
    """Write a position; False when another request moved it first (``expected_version``)."""
    if expected_version is None:
        session.add(
            Position(
                learner_id=learner_id, lesson_id=lesson_id, state=state, topic=topic, version=1
            )
        )
        session.flush()
        return True
    result = session.execute(
        update(Position)
        .where(
            Position.learner_id == learner_id,
            Position.lesson_id == lesson_id,
            Position.version == expected_version,
        )
        .values(state=state, topic=topic, version=expected_version + 1, updated_at=utcnow())
    )
    return result.rowcount == 1


def skill_states(*, session: Session, learner_id: str, lesson_id: str) -> dict[str, SkillState]:
    rows = session.scalars(
        select(SkillState).where(
            SkillState.learner_id == learner_id, SkillState.lesson_id == lesson_id
        )
    )
    return {s.skill_id: s for s in rows}


def attempt_by_key(*, session: Session, learner_id: str, key: str) -> Attempt | None:
    return session.scalar(
        select(Attempt).where(Attempt.learner_id == learner_id, Attempt.idempotency_key == key)
    )


def attempt_for_learner(*, session: Session, learner_id: str, attempt_id: int) -> Attempt | None:
    attempt = session.get(Attempt, attempt_id)
    return attempt if attempt is not None and attempt.learner_id == learner_id else None


def answered_before(
    *, session: Session, learner_id: str, lesson_id: str, question_id: str, variant: int
) -> bool:
    return (
        session.scalar(
            select(func.count())
            .select_from(Attempt)
            .where(
                Attempt.learner_id == learner_id,
                Attempt.lesson_id == lesson_id,
                Attempt.question_id == question_id,
                Attempt.variant == variant,
            )
        )
        > 0
    )


def count_attempts(*, session: Session, learner_id: str, lesson_id: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Attempt)
            .where(Attempt.learner_id == learner_id, Attempt.lesson_id == lesson_id)
        )
        or 0
    )


def instance_secret(*, session: Session, name: str) -> str:
    """A secret made once per installation and shared by every worker."""
    row = session.get(InstanceSecret, name)
    if row is None:
        session.add(InstanceSecret(name=name, value=secrets.token_urlsafe(48)))
        session.flush()
        row = session.get(InstanceSecret, name)
    assert row is not None
    return row.value
