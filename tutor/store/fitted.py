"""Knowledge-tracing parameters fitted from the attempt log, per lesson and skill."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from tutor.store.tables import FittedSkill

_fitted = FittedSkill.__table__
NAMES = ("prior", "learn", "guess", "slip")


def read(connection: Connection) -> dict[str, dict[str, dict[str, Any]]]:
    """Every fitted skill: lesson id -> skill id -> prior, learn, guess, slip, learners,
    answers, fitted_at."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for row in connection.execute(select(_fitted)):
        values = row._asdict()
        found.setdefault(values.pop("lesson_id"), {})[values.pop("skill_id")] = values
    return found


def write(
    connection: Connection,
    *,
    lesson_id: str,
    skill_id: str,
    params: dict[str, float],
    learners: int,
    answers: int,
    at: datetime,
) -> None:
    """Keep one skill's fitted parameters (replacing an earlier fit)."""
    key = (_fitted.c.lesson_id == lesson_id) & (_fitted.c.skill_id == skill_id)
    connection.execute(delete(_fitted).where(key))
    connection.execute(
        insert(_fitted).values(
            lesson_id=lesson_id,
            skill_id=skill_id,
            **{name: float(params[name]) for name in NAMES},
            learners=learners,
            answers=answers,
            fitted_at=at,
        )
    )
