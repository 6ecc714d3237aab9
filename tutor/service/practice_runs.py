"""Starting a short run outside the lesson's path: practice on chosen or weak skills, or a
review of the skills due.

Each run is planned by the pure functions of ``teaching.sessions`` inside the write that
starts it (:func:`tutor.service.writes.start_session`), so the plan is made from the
position it is saved over.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from tutor.errors import BadInput, Conflict
from tutor.lessons.kinds import Seat
from tutor.lessons.loaded import LoadedLesson
from tutor.service import writes
from tutor.service.reports import estimates
from tutor.store.database import Database
from tutor.teaching import mastery, memory, payloads, sessions
from tutor.teaching.state import State
from tutor.vocabulary import Role


def practice(
    db: Database,
    lesson: LoadedLesson,
    learner_id: str,
    seat: Seat,
    *,
    skill: str | None = None,
    step: int | None = None,
) -> dict[str, Any]:
    """A practice run on ``skill``, else on step ``step``'s skills, else on the weakest
    skills the learner has not mastered; both checked against the lesson first (BadInput)."""
    ids = [s.id for s in lesson.lesson.skills]
    if skill is not None and skill not in ids:
        raise BadInput(f"skill: {skill!r} is not a skill of this lesson; skills: {', '.join(ids)}")
    if step is not None and not 1 <= step <= len(lesson.lesson.steps):
        raise BadInput(f"step: the lesson has steps 1 to {len(lesson.lesson.steps)}, not {step}")

    def plan(state: State, records: Any) -> sessions.Plan:
        p, firsts = estimates(lesson, state, records)
        if skill is not None:
            chosen = [skill]
        elif step is not None:
            chosen = sessions.step_skills(lesson, step - 1)
        else:
            mastered = [s for s in ids if mastery.is_mastered(p[s], firsts.get(s, 0))]
            chosen = sessions.weakest(lesson, state, p, mastered)
        own = sessions.step_questions(lesson, step - 1) if step is not None else []
        return sessions.practice_plan(lesson, state, chosen, prefer=own)

    return _start(db, lesson, learner_id, seat, Role.PRACTICE, plan)


def review(
    db: Database, lesson: LoadedLesson, learner_id: str, seat: Seat, now: datetime
) -> dict[str, Any]:
    """Start a review of the lesson's skills that are due at ``now``; a conflict if none is."""

    def plan(state: State, records: Any) -> sessions.Plan:
        due = [s for s, row in records.items() if memory.is_due(row.due_at, now)]
        chosen = sessions.review_plan(lesson, state, due)
        if not chosen.questions:
            upcoming = [memory.aware(r.due_at, now) for r in records.values() if r.due_at]
            when = f"; the next is due {min(upcoming):%Y-%m-%d %H:%M} UTC" if upcoming else ""
            raise Conflict(f"nothing in lesson {lesson.id!r} is due for review yet{when}")
        return chosen

    return _start(db, lesson, learner_id, seat, Role.RECALL, plan)


def _start(
    db: Database,
    lesson: LoadedLesson,
    learner_id: str,
    seat: Seat,
    role: Role,
    plan: Callable[[State, Any], sessions.Plan],
) -> dict[str, Any]:
    """Start the run ``plan`` makes and say what it holds: its skills, items and `next`."""
    started = writes.start_session(db, lesson, learner_id, seat, role=role, plan=plan)
    names = {s.id: s.name for s in lesson.lesson.skills}
    return {
        "kind": str(role),
        "skills": [{"id": s, "name": names[s]} for s in started["skills"]],
        "items": started["items"],
        "next": payloads.next_json(started["next"]),
    }
