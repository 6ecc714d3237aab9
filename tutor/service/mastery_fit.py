"""`tutor fit-mastery`: fit each skill's knowledge-tracing parameters to the attempt log.

For every skill with answers from enough learners (``fitting.MIN_LEARNERS``), fit prior,
learn, guess and slip (``teaching.fitting``) and keep them in the fitted-skills table,
where the tutor reads them at start. A skill with too little data keeps the defaults, and
a lesson's own `mastery:` settings for a skill still win over what is fitted.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from tutor.errors import NotFound
from tutor.lessons.catalog import Catalog
from tutor.store import attempts, fitted
from tutor.store.database import Database
from tutor.teaching import fitting, mastery
from tutor.vocabulary import Grade


def fit_mastery(
    db: Database,
    catalog: Catalog,
    *,
    now: datetime,
    lesson_id: str | None = None,
    min_learners: int = fitting.MIN_LEARNERS,
    write: bool = True,
) -> list[dict[str, Any]]:
    """One row per skill: what was fitted (or why the defaults stay), beside the defaults."""
    if lesson_id is not None and catalog.get(lesson_id) is None:
        raise NotFound(f"no lesson {lesson_id!r}; lessons: {', '.join(catalog.lessons)}")
    lessons = [catalog.lessons[lesson_id]] if lesson_id else list(catalog)
    with db.reading() as connection:
        log = attempts.first_sights(connection, lesson_id=lesson_id)
    sequences: dict[tuple[str, str], dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for row in log:
        sequences[(row.lesson_id, row.skill_id)][row.learner_id].append(row.grade == Grade.EXACTLY)
    report = []
    for lesson in lessons:
        for skill in lesson.lesson.skills:
            start = mastery.Params.of(skill.mastery)
            found = list(sequences[(lesson.id, skill.id)].values())
            result = fitting.fit(found, start) if len(found) >= min_learners else None
            report.append(
                {
                    "lesson_id": lesson.id,
                    "skill_id": skill.id,
                    "learners": len(found),
                    "answers": sum(len(s) for s in found),
                    "defaults": start,
                    "fitted": result.params if result else None,
                    "log_likelihood": (result.default_log_likelihood, result.log_likelihood)
                    if result
                    else None,
                    "lesson_sets": skill.mastery is not None,
                }
            )
    if write:
        with db.writing() as connection:
            for row in report:
                if row["fitted"] is not None:
                    fitted.write(
                        connection,
                        lesson_id=row["lesson_id"],
                        skill_id=row["skill_id"],
                        params=vars(row["fitted"]),
                        learners=row["learners"],
                        answers=row["answers"],
                        at=now,
                    )
    return report
