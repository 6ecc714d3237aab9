"""Where learners stumble: figures computed from the attempt log, one lesson version at a time.

Pure functions over attempt records (dicts with the columns of the attempts table),
so they can be checked on a hand-made log whose right answers are known.

- Questions: attempts, first-try Exactly rate (each learner's first answer to the
  question), how often each option is picked (distractor analysis), and
  discrimination: the point-biserial correlation between getting the question
  right first time and the learner's score on the rest of the lesson.
- Skills: how many learners the tutor held to have mastered the skill and their median
  first tries until then (as each answer recorded it: the estimate the learner was
  shown), and the share of learners the tutor sent to review.
- Steps: a funnel of how many learners reached each step, finished it, and where
  they stopped (reached it, went no further, and have not finished it).
- Explanation angles: how often the check that followed each angle was Exactly.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from tutor.lessons.loaded import LoadedLesson
from tutor.teaching import mastery
from tutor.vocabulary import NOT_SURE, Grade, Role

Attempt = Mapping[str, Any]  # learner_id, question_id, step_id, skill_id, role, grade,
# option_index, first_try, angle, lesson_hash, solid, created_at (or id) for ordering


@dataclass(frozen=True)
class QuestionFigures:
    question_id: str
    step_id: str
    skill_id: str
    attempts: int
    learners: int
    first_try_exactly: float | None
    picks: dict[str, int]  # option index (as text) or "not_sure" -> times picked
    discrimination: float | None


@dataclass(frozen=True)
class SkillFigures:
    skill_id: str
    learners: int
    mastered: int
    median_tries_to_mastery: float | None
    review_share: float | None


@dataclass(frozen=True)
class StepFigures:
    step_id: str
    reached: int
    finished: int
    stopped_here: int


@dataclass(frozen=True)
class AngleFigures:
    angle: str
    shown: int
    next_right: int
    rate: float | None


@dataclass(frozen=True)
class Report:
    lesson_id: str
    version: str
    learners: int
    attempts: int
    questions: list[QuestionFigures]
    skills: list[SkillFigures]
    steps: list[StepFigures]
    angles: list[AngleFigures]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def point_biserial(flags: list[int], scores: list[float]) -> float | None:
    """Correlation of a 0/1 outcome with a score; None when either does not vary."""
    n = len(flags)
    if n < 2 or len(set(flags)) < 2:
        return None
    sd = statistics.pstdev(scores)
    if sd == 0:
        return None
    right = [s for f, s in zip(flags, scores, strict=True) if f]
    wrong = [s for f, s in zip(flags, scores, strict=True) if not f]
    p = len(right) / n
    return (statistics.fmean(right) - statistics.fmean(wrong)) / sd * math.sqrt(p * (1 - p))


def _ordered(attempts: Iterable[Attempt]) -> list[Attempt]:
    return sorted(attempts, key=lambda a: (a.get("created_at") or 0, a.get("id") or 0))


def report(
    lesson: LoadedLesson,
    attempts: Iterable[Attempt],
    version: str | None = None,
    *,
    completed: Mapping[str, set[str]] | None = None,
    marked: Mapping[str, set[str]] | None = None,
    solid: Mapping[str, set[str]] | None = None,
) -> Report:
    """Every figure for one version of a lesson (the loaded one when ``version`` is None).

    ``completed`` gives each learner's finished steps, ``marked`` the skills the tutor has
    marked for review and ``solid`` those it holds mastered now (all from their stored
    state), where known.
    """
    version = version or lesson.content_hash
    log = _ordered(a for a in attempts if a["lesson_hash"] == version)
    by_learner: dict[str, list[Attempt]] = defaultdict(list)
    for a in log:
        by_learner[a["learner_id"]].append(a)
    return Report(
        lesson_id=lesson.id,
        version=version,
        learners=len(by_learner),
        attempts=len(log),
        questions=_questions(lesson, log, by_learner),
        skills=_skills(lesson, by_learner, marked or {}, solid or {}),
        steps=_steps(lesson, by_learner, completed or {}),
        angles=_angles(by_learner),
    )


def _first_answers(history: list[Attempt]) -> dict[str, Attempt]:
    """Each question's first answer by one learner."""
    first: dict[str, Attempt] = {}
    for a in history:
        first.setdefault(a["question_id"], a)
    return first


def _questions(
    lesson: LoadedLesson, log: list[Attempt], by_learner: Mapping[str, list[Attempt]]
) -> list[QuestionFigures]:
    firsts = {learner: _first_answers(history) for learner, history in by_learner.items()}
    totals = {
        learner: sum(a["grade"] == Grade.EXACTLY for a in f.values())
        for learner, f in firsts.items()
    }
    out = []
    for question_id, step_id, skill_id in _rows(lesson):
        rows = [a for a in log if a["question_id"] == question_id]
        flags, rest = [], []
        for learner, first in firsts.items():
            if question_id in first:
                right = int(first[question_id]["grade"] == Grade.EXACTLY)
                others = len(first) - 1
                flags.append(right)
                # The score on the rest of the lesson, so the item does not correlate
                # with itself.
                rest.append((totals[learner] - right) / others if others else 0.0)
        picks = Counter(_pick(a) for a in rows)
        out.append(
            QuestionFigures(
                question_id=question_id,
                step_id=step_id,
                skill_id=skill_id,
                attempts=len(rows),
                learners=len(flags),
                first_try_exactly=sum(flags) / len(flags) if flags else None,
                picks=dict(sorted(picks.items())),
                discrimination=point_biserial(flags, rest),
            )
        )
    return out


def _rows(lesson: LoadedLesson) -> list[tuple[str, str, str]]:
    """(id, step, skill) of every question, each problem followed by its parts: a problem
    worked part by part is answered under its parts' ids (``<question>.<part>``)."""
    out = []
    for question_id, entry in lesson.entries.items():
        step_id = lesson.step(entry.step_index).id
        out.append((question_id, step_id, entry.skill))
        out += [
            (f"{question_id}.{sub.id}", step_id, sub.skill or entry.skill)
            for sub in entry.question.steps
        ]
    return out


def _pick(attempt: Attempt) -> str:
    """What an answer chose: an option (by its place in the file), "not_sure", or for a
    number, "right", the typical mistake it matched, or "unrecognised"."""
    if attempt["grade"] == Grade.NOT_SURE:
        return NOT_SURE
    if attempt["option_index"] is not None:
        return str(attempt["option_index"])
    if attempt["grade"] == Grade.EXACTLY:
        return "right"
    return attempt.get("mistake") or "unrecognised"


def _skills(
    lesson: LoadedLesson,
    by_learner: Mapping[str, list[Attempt]],
    marked: Mapping[str, set[str]],
    solid: Mapping[str, set[str]],
) -> list[SkillFigures]:
    out = []
    for skill in lesson.lesson.skills:
        params = mastery.skill_params(lesson)[skill.id]
        tries: list[int] = []
        learners = reviewed = 0
        for learner, history in by_learner.items():
            mine = [a for a in history if a["skill_id"] == skill.id]
            if not mine:
                continue
            learners += 1
            # Sent to review: asked a review question on it, or marked and not yet asked.
            reviewed += any(a["role"] == Role.REVIEW for a in mine) or skill.id in marked.get(
                learner, ()
            )
            reached = _tries_to_mastery(mine, params)
            if reached is None and skill.id in solid.get(learner, ()):
                # Held mastered since: the learner's own prior rose with the skills after
                # it, with no further try at this one.
                reached = sum(bool(a["first_try"]) for a in mine)
            if reached is not None:
                tries.append(reached)
        out.append(
            SkillFigures(
                skill_id=skill.id,
                learners=learners,
                mastered=len(tries),
                median_tries_to_mastery=statistics.median(tries) if tries else None,
                review_share=reviewed / learners if learners else None,
            )
        )
    return out


def _tries_to_mastery(mine: list[Attempt], params: mastery.Params) -> int | None:
    """A learner's first tries at a skill until the tutor held it mastered; None if it never
    did. Answers recorded with the tutor's own verdict (``solid``: the estimate the learner
    was shown, with their own prior) are taken at its word; for older ones, without it, the
    skill's first tries are replayed from its prior alone, which can only come out later."""
    judged = any(a.get("solid") is not None for a in mine)
    p, count = params.prior, 0
    for a in mine:
        count += bool(a["first_try"])
        if judged:
            if a.get("solid"):
                return count
        elif a["first_try"]:
            p = mastery.update(p, a["grade"], params)
            if mastery.is_mastered(p):
                return count
    return None


def _steps(
    lesson: LoadedLesson, by_learner: Mapping[str, list[Attempt]], completed: Mapping[str, set[str]]
) -> list[StepFigures]:
    order = {step.id: i for i, step in enumerate(lesson.lesson.steps)}
    reached: Counter[str] = Counter()
    finished: Counter[str] = Counter()
    stopped: Counter[str] = Counter()
    for learner, history in by_learner.items():
        steps = {a["step_id"] for a in history if a["step_id"] in order}
        if not steps:
            continue
        done = completed.get(learner, set()) | {
            a["step_id"] for a in history if a.get("step_finished")
        }
        furthest = max(steps, key=order.__getitem__)
        for step in lesson.lesson.steps[: order[furthest] + 1]:
            reached[step.id] += 1
            # Steps before the furthest one were passed, whatever the stored state says.
            finished[step.id] += step.id in done or step.id != furthest
        if furthest not in done:
            stopped[furthest] += 1
    return [
        StepFigures(s.id, reached[s.id], finished[s.id], stopped[s.id]) for s in lesson.lesson.steps
    ]


def _angles(by_learner: Mapping[str, list[Attempt]]) -> list[AngleFigures]:
    shown: Counter[str] = Counter()
    worked: Counter[str] = Counter()
    for history in by_learner.values():
        for before, after in zip(history, history[1:], strict=False):
            # An angle is judged by the check that followed it, nothing else.
            if before["angle"] and after["role"] == Role.CHECK:
                shown[before["angle"]] += 1
                worked[before["angle"]] += after["grade"] == Grade.EXACTLY
    return [
        AngleFigures(
            angle,
            shown[angle],
            worked[angle],
            worked[angle] / shown[angle] if shown[angle] else None,
        )
        for angle in ("analogy", "numbers", "picture", "formal")
    ]


CSV_TABLES = ("questions", "options", "skills", "steps", "angles")


def csv_rows(
    report_: Report, table: str, labels: Mapping[str, Mapping[str, tuple[str, str]]] | None = None
) -> list[list[Any]]:
    """A table of the report as rows for a CSV file, header first. ``labels`` gives each
    question's options by place as (grade, text), for the options table."""
    if table == "questions":
        return [
            [
                "question_id",
                "step_id",
                "skill_id",
                "attempts",
                "learners",
                "first_try_exactly",
                "discrimination",
            ]
        ] + [
            [
                q.question_id,
                q.step_id,
                q.skill_id,
                q.attempts,
                q.learners,
                _num(q.first_try_exactly),
                _num(q.discrimination),
            ]
            for q in report_.questions
        ]
    if table == "options":
        labels = labels or {}
        return [["question_id", "option", "grade", "text", "picks"]] + [
            [q.question_id, option, *labels.get(q.question_id, {}).get(option, ("", "")), n]
            for q in report_.questions
            for option, n in every_pick(q.picks, labels.get(q.question_id, {}))
        ]
    if table == "skills":
        return [["skill_id", "learners", "mastered", "median_tries_to_mastery", "review_share"]] + [
            [
                s.skill_id,
                s.learners,
                s.mastered,
                _num(s.median_tries_to_mastery),
                _num(s.review_share),
            ]
            for s in report_.skills
        ]
    if table == "steps":
        return [["step_id", "reached", "finished", "stopped_here"]] + [
            [s.step_id, s.reached, s.finished, s.stopped_here] for s in report_.steps
        ]
    if table == "angles":
        return [["angle", "shown", "next_right", "rate"]] + [
            [a.angle, a.shown, a.next_right, _num(a.rate)] for a in report_.angles
        ]
    raise ValueError(f"table: {table!r} is not one of {', '.join(CSV_TABLES)}")


def every_pick(picks: Mapping[str, int], labels: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Every answer a question can get, with how often it was picked, 0 included (an
    option nobody picks is worth seeing), in the order of ``labels``; then any picked
    answer they do not name (an option of an earlier version of the lesson)."""
    return [(option, picks.get(option, 0)) for option in labels] + [
        (option, n) for option, n in picks.items() if option not in labels
    ]


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"
