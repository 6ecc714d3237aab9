"""Database tables. Alembic migrations (alembic/) are the only thing that creates them.

Declared as SQLAlchemy ORM classes for their metadata (Alembic compares them with the
migrations), but read and written only through Core statements (``progress``, ``attempts``,
``learners``): one style for every table.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Learner(Base):
    """Someone learning: a browser (cookie) or an API client (bearer token)."""

    __tablename__ = "learners"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # SHA-256 of the API token; the token itself is never stored.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Attempt(Base):
    """One answer, as given: the source of truth for everything derived. Never changed,
    but for ``angle`` when the learner asks for another explanation of it."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("learner_id", "idempotency_key", name="uq_attempts_idempotency"),
        # A learner's answers to an item: asked on every answer (was it answered before?).
        Index("ix_attempts_learner_item", "learner_id", "lesson_id", "question_id", "variant"),
        Index("ix_attempts_lesson_question", "lesson_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    lesson_id: Mapped[str] = mapped_column(String(80))
    lesson_hash: Mapped[str] = mapped_column(String(16))
    step_id: Mapped[str] = mapped_column(String(80))
    # A question's id, or inside a multi-step problem ``<question id>.<sub-step id>``.
    question_id: Mapped[str] = mapped_column(String(161))
    skill_id: Mapped[str] = mapped_column(String(80))
    variant: Mapped[int] = mapped_column(BigInteger)
    role: Mapped[str] = mapped_column(String(12))  # main, check or review
    topic: Mapped[str] = mapped_column(String(80))
    answer: Mapped[str] = mapped_column(String(64))  # the option id, or the number typed
    option_index: Mapped[int | None] = mapped_column(Integer)  # the option's place in the YAML
    grade: Mapped[str] = mapped_column(String(12))
    mistake: Mapped[str | None] = mapped_column(String(80))
    first_try: Mapped[bool] = mapped_column(Boolean)
    hints: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # rungs taken
    # The explanation shown after it: the last one, when the learner asked for another.
    angle: Mapped[str | None] = mapped_column(String(12))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Whether, after this answer, the tutor held its skill mastered (the estimate learners
    # are shown); NULL for answers recorded before it was kept.
    solid: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class SkillState(Base):
    """What the tutor believes a learner knows of one skill (derived from attempts), and
    when it is due for review."""

    __tablename__ = "skill_states"
    __table_args__ = (Index("ix_skill_states_learner_due", "learner_id", "due_at"),)

    learner_id: Mapped[str] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    lesson_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    skill_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    p_known: Mapped[float] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    misses: Mapped[int] = mapped_column(Integer, default=0)
    # Distinct items of the skill answered Exactly the first time they were seen.
    firsts_right: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    review: Mapped[bool] = mapped_column(Boolean, default=False)
    # The skill's memory state (an FSRS card) and when it is next due for review.
    memory: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Position(Base):
    """Where a learner is in a lesson: the tutor's state, kept by ids so edits cannot break it."""

    __tablename__ = "positions"

    learner_id: Mapped[str] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    lesson_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    topic: Mapped[str | None] = mapped_column(String(80))
    # The learner's own topic for this lesson, word name to their text (``topic`` is then
    # ``custom``); kept when they switch to a ready topic, so they can switch back.
    own_topic: Mapped[dict[str, str] | None] = mapped_column(JSON)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Bumped on every write and checked by it: two answers racing for one position cannot
    # both win (the loser's UPDATE matches no row; see tutor.store.progress).
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class FittedSkill(Base):
    """Knowledge-tracing parameters fitted from the attempt log (``tutor fit-mastery``)."""

    __tablename__ = "fitted_skills"

    lesson_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    skill_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    prior: Mapped[float] = mapped_column(Float)
    learn: Mapped[float] = mapped_column(Float)
    guess: Mapped[float] = mapped_column(Float)
    slip: Mapped[float] = mapped_column(Float)
    learners: Mapped[int] = mapped_column(Integer)  # how many learners' answers it rests on
    answers: Mapped[int] = mapped_column(Integer)
    fitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class InstanceSecret(Base):
    """Secrets this installation made for itself (the cookie key), shared by all workers."""

    __tablename__ = "instance_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
