"""How it goes for a learner: each skill's estimate and label, and progress across lessons.

The estimate shown is the one the tutor acts on (:func:`estimates`), so a skill the tutor
skips as mastered is shown as solid, and a practice run picks the weakest by the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from tutor.lessons.catalog import Catalog
from tutor.lessons.kinds import Seat
from tutor.lessons.loaded import LoadedLesson
from tutor.service import places
from tutor.store import progress as stored
from tutor.store.database import Database
from tutor.teaching import adaptive, mastery, memory, payloads, resume
from tutor.teaching.state import State
from tutor.vocabulary import StepStatus


def estimates(
    lesson: LoadedLesson, state: State, records: Any
) -> tuple[dict[str, float], dict[str, int]]:
    """Each skill's P(known) for this learner, and its items right at first sight."""
    p = adaptive.estimate(lesson, state, mastery.p_known_by_skill(lesson, records))
    return p, {s: r.firsts_right for s, r in records.items()}


def standings(
    lesson: LoadedLesson, learners: Mapping[str, tuple[Any, Any]], *, mastered: bool
) -> dict[str, dict[str, set[str]] | None]:
    """What analytics takes from each learner's stored state and skill records (as
    ``progress.everyone`` gives them), beyond the attempt log: the steps finished, the
    skills marked for review and, with ``mastered``, those the tutor holds mastered now (by
    the estimate their own skill report shows)."""
    completed, marked, solid = {}, {}, {}
    for learner_id, (stored_state, records) in learners.items():
        if stored_state is not None:
            completed[learner_id] = set(stored_state.get("completed", ()))
        marked[learner_id] = {s for s, row in records.items() if row.review}
        if mastered:
            state = resume.state(lesson, learner_id, stored_state)
            p, firsts = estimates(lesson, state, records)
            solid[learner_id] = {s for s in records if mastery.is_mastered(p[s], firsts.get(s, 0))}
    return {"completed": completed, "marked": marked, "solid": solid if mastered else None}


def skill_report(
    db: Database, lesson: LoadedLesson, learner_id: str | None, now: datetime
) -> list[dict[str, Any]]:
    """The skill report (``Tutor.skill_report``): per skill, the estimate the tutor acts on
    with its label and standing, the learner's attempts, and whether it is due at ``now``."""
    position, records = None, {}
    if learner_id:
        with db.reading() as connection:
            position, records = stored.read(connection, learner_id=learner_id, lesson_id=lesson.id)
    state = resume.state(lesson, learner_id or "", position.state if position else None)
    p, _ = estimates(lesson, state, records)
    report = []
    for skill in lesson.lesson.skills:
        row = records.get(skill.id)
        made = row.attempts if row else 0
        firsts = row.firsts_right if row else 0
        report.append(
            {
                "id": skill.id,
                "name": skill.name,
                "p_known": round(p[skill.id], 4),
                "attempts": made,
                "firsts_right": firsts,
                "label": mastery.label(
                    p[skill.id],
                    attempts=made,
                    review=bool(row and row.review),
                    firsts_right=firsts,
                ),
                "standing": mastery.standing(p[skill.id], attempts=made, firsts_right=firsts),
                "due": memory.is_due(row.due_at if row else None, now),
                "due_at": memory.aware(row.due_at, now).isoformat() if row and row.due_at else None,
            }
        )
    return report


def progress(
    db: Database, catalog: Catalog, learner_id: str | None, seat: Seat
) -> list[dict[str, Any]]:
    """Every lesson with the learner's step statuses and position."""
    positions: dict[str, Row] = {}
    if learner_id:
        with db.reading() as connection:
            positions = stored.positions(connection, learner_id=learner_id)
    out = []
    for lesson in catalog:
        position = positions.get(lesson.id)
        state = resume.state(lesson, learner_id or "", position.state if position else None)
        topic = resume.position_topic(lesson, position)
        current = payloads.describe(lesson, state, topic, seat)
        statuses = places.step_status(current)
        out.append(
            {
                "lesson": lesson,
                "current": current,
                "steps": statuses,
                "done_steps": statuses.count(StepStatus.DONE),
                "started": bool(state.asked),
            }
        )
    return out


def progress_json(
    db: Database, catalog: Catalog, learner_id: str, seat: Seat, now: datetime
) -> list[dict[str, Any]]:
    """The progress payload of the API: per lesson, where the learner is and how it goes."""
    out = []
    for row in progress(db, catalog, learner_id, seat):
        current = row["current"]
        out.append(
            {
                "lesson_id": row["lesson"].id,
                "title": row["lesson"].lesson.title,
                "started": row["started"],
                "done": current.done,
                "topic": current.topic,
                "steps": row["steps"],
                "position": None if current.step is None else vars(current.step),
                "question_id": current.question.id if current.question else None,
                "skills": skill_report(db, row["lesson"], learner_id, now),
            }
        )
    return out
