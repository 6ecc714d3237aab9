"""Where a learner stands: the end-of-lesson summary and the skills due for review.

"Finished" and "mastered" are different words here. Reaching the end of a lesson says the
learner went through it; a skill is solid only when the evidence says so (see
``teaching.mastery``). Nobody is told "Well done" for the first alone: a learner with
skills left is told kindly what is left and offered a short practice run.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from tutor.lessons.catalog import Catalog
from tutor.lessons.loaded import LoadedLesson
from tutor.teaching import memory
from tutor.vocabulary import Standing

LABS = (
    ("/lab/loss", "Try your own numbers in the loss lab."),
    ("/lab/descent", "Watch learning rates at work in the gradient descent lab."),
)


def summary(
    catalog: Catalog,
    lesson: LoadedLesson,
    skills: list[dict[str, Any]],
    *,
    finished: bool,
    step_n: int | None,
) -> dict[str, Any]:
    """The end-of-lesson summary: each skill's standing, the first-try score, what next.

    ``skills`` is the skill report (``Tutor.skill_report``): id, name, p_known, attempts,
    firsts_right, standing, due, due_at.
    """
    following = next(iter(_next_first(catalog, lesson)), None)
    solid = [s for s in skills if s["standing"] == Standing.SOLID]
    shaky = [s for s in skills if s["standing"] == Standing.SHAKY]
    not_yet = [s for s in skills if s["standing"] == Standing.NOT_YET]
    due = [s for s in skills if s["due"]]
    mastered = len(solid) == len(skills)
    seen = sum(s["attempts"] for s in skills)
    right = sum(s["firsts_right"] for s in skills)
    steps: list[dict[str, Any]] = []
    weak = shaky + not_yet
    if weak:
        names = ", ".join(s["name"] for s in weak[:3]) + (" and more" if len(weak) > 3 else "")
        steps.append(
            {
                "kind": "practice",
                "text": f"Practise what is not solid yet: {names}.",
                "skills": [s["id"] for s in weak],
                "href": None,
            }
        )
    if due:
        steps.append(
            {
                "kind": "review",
                "text": f"Review {len(due)} skill{'s' if len(due) != 1 else ''} due now.",
                "skills": [s["id"] for s in due],
                "href": None,
            }
        )
    steps += [{"kind": "lab", "text": text, "skills": [], "href": href} for href, text in LABS]
    steps += [
        {
            "kind": "lesson",
            "text": f"{'Next: the' if other is following else 'Take the'} lesson "
            f"\u201c{other.lesson.title}\u201d.",
            "skills": [],
            "href": f"/lessons/{other.id}",
        }
        for other in _next_first(catalog, lesson)
    ]
    return {
        "lesson_id": lesson.id,
        "title": lesson.lesson.title,
        "finished": finished,
        "mastered": mastered,
        "first_try": {"right": right, "of": seen},
        "skills": [
            {k: s[k] for k in ("id", "name", "standing", "p_known", "due", "due_at")}
            for s in skills
        ],
        "message": _message(finished, mastered, len(solid), len(skills), step_n),
        "next_steps": steps,
    }


def _next_first(catalog: Catalog, lesson: LoadedLesson) -> list[LoadedLesson]:
    """The other lessons, the one after ``lesson`` in the catalogue first (then the rest
    in order, wrapping round): where a learner who finished it goes next."""
    ids = [other.id for other in catalog]
    at = ids.index(lesson.id) if lesson.id in ids else -1
    order = [*list(catalog)[at + 1 :], *list(catalog)[: max(at, 0)]]
    return [other for other in order if other.id != lesson.id]


def _message(finished: bool, mastered: bool, solid: int, of: int, step_n: int | None) -> str:
    if finished and mastered:
        return "You have finished this lesson, and every skill in it is solid. Well done."
    if finished:
        return (
            f"You have reached the end of the lesson. {solid} of its {of} skills "
            f"{'is' if solid == 1 else 'are'} solid so far; the rest need a little more "
            "practice, which is normal at this point. A short practice run on them is the "
            "quickest way to make them stick."
        )
    if step_n is None:
        return "You have not started this lesson yet."
    return f"You are on step {step_n} of the lesson; {solid} of its {of} skills are solid so far."


def due_list(catalog: Catalog, rows: Iterable[Row], now: datetime) -> dict[str, list]:
    """The learner's skills with a review date: those due now, and those coming up."""
    due: list[dict[str, Any]] = []
    upcoming: list[dict[str, Any]] = []
    for row in rows:
        lesson = catalog.get(row.lesson_id)
        skill = (
            next((s for s in lesson.lesson.skills if s.id == row.skill_id), None)
            if lesson
            else None
        )
        if lesson is None or skill is None:
            continue  # a lesson or skill no longer served
        entry = {
            "lesson_id": lesson.id,
            "lesson_title": lesson.lesson.title,
            "skill_id": skill.id,
            "skill_name": skill.name,
            "due_at": memory.aware(row.due_at, now).isoformat(),
        }
        (due if memory.is_due(row.due_at, now) else upcoming).append(entry)
    return {"due": due, "upcoming": upcoming}


def by_lesson(review: dict[str, list], now: datetime) -> dict[str, dict[str, Any]]:
    """Per lesson, for the home page: the skills due now and when the next one comes due."""
    out: dict[str, dict[str, Any]] = {}
    for entry in review["due"]:
        out.setdefault(entry["lesson_id"], {"due": [], "next": None})["due"].append(
            entry["skill_name"]
        )
    for entry in review["upcoming"]:
        found = out.setdefault(entry["lesson_id"], {"due": [], "next": None})
        at = datetime.fromisoformat(entry["due_at"])
        if found["next"] is None or at < found["next"]:
            found["next"] = at
    for found in out.values():
        found["next"] = _when(found["next"], now) if found["next"] else None
    return out


def _when(at: datetime, now: datetime) -> str:
    """A coming review date in words: later today, tomorrow, in 3 days, on 2026-12-20."""
    days = (memory.aware(at, now).date() - memory.aware(now, now).date()).days
    if days <= 0:
        return "later today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days" if days < 14 else f"on {at:%Y-%m-%d}"
