"""What an answer changes, decided before anything is written: a pure function.

Given the lesson, the learner's state, the item on screen, its grade and the learner's
skill records, :func:`decide` works out the evidence the answer is (only a first try at an
item counts), the policy's next step, what to tell the learner, and the attempt to log. The
service then writes the :class:`Outcome` in one transaction, or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from tutor.lessons.loaded import LoadedLesson
from tutor.teaching import adaptive, mastery, payloads
from tutor.teaching.grading import Graded
from tutor.teaching.payloads import Current
from tutor.teaching.state import State
from tutor.vocabulary import Grade, Role


class SkillRecord(Protocol):
    """What is kept of a learner's skill (a row of the skill states)."""

    p_known: float
    attempts: int
    misses: int


@dataclass(frozen=True)
class Evidence:
    """A skill's record after an answer: P(known) and the counts of first tries."""

    p_known: float
    attempts: int
    misses: int

    def as_dict(self) -> dict[str, Any]:
        return {"p_known": self.p_known, "attempts": self.attempts, "misses": self.misses}


def count_evidence(
    params: mastery.Params, record: SkillRecord | None, grade: str, *, first_try: bool
) -> Evidence:
    """The skill's record after an answer graded ``grade``; only a first try counts."""
    p_known, attempts, misses = (
        (record.p_known, record.attempts, record.misses) if record else (params.prior, 0, 0)
    )
    if first_try:
        p_known = mastery.update(p_known, grade, params)
        attempts += 1
        misses += grade != Grade.EXACTLY
    return Evidence(p_known, attempts, misses)


@dataclass(frozen=True)
class Outcome:
    """Everything an answer changes: the skill's evidence, the learner's next state, the
    reply to send, and the attempt to log (without who and which lesson)."""

    skill: str
    evidence: Evidence
    decision: adaptive.Decision
    response: dict[str, Any]
    attempt: dict[str, Any]

    @property
    def state(self) -> State:
        return self.decision.state


def decide(
    lesson: LoadedLesson,
    current: Current,
    graded: Graded,
    *,
    first_try: bool,
    skills: Mapping[str, SkillRecord],
    rng: np.random.Generator,
) -> Outcome:
    """The outcome of answering ``current``'s item with ``graded``."""
    question = current.question
    assert question is not None, "the lesson is done: there is nothing to answer"
    skill = question.skill
    params = mastery.skill_params(lesson).get(skill) or mastery.Params()
    evidence = count_evidence(params, skills.get(skill), graded.grade, first_try=first_try)
    decision = adaptive.after_answer(
        lesson,
        current.state,
        graded.grade,
        p_known={**mastery.p_known_by_skill(lesson, skills), skill: evidence.p_known},
        misconception_skill=lesson.misconception_skills.get(graded.misconception or ""),
        rng=rng,
    )
    following = payloads.describe(lesson, decision.state, current.topic, current.seat)
    response = payloads.answer_response(current, graded, decision, following)
    attempt = {
        "step_id": current.step.id if current.step else "",
        "question_id": question.id,
        "skill_id": skill,
        "variant": question.seed,
        "role": current.role or Role.MAIN,
        "topic": current.topic,
        "answer": graded.answer[:64],
        "option_index": graded.option_index,
        "grade": graded.grade,
        "mistake": graded.mistake,
        "first_try": first_try,
        "angle": decision.angle,
        "response": response,
    }
    return Outcome(skill, evidence, decision, response, attempt)
