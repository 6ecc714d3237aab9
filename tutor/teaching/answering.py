"""What an answer changes, decided before anything is written: a pure function.

Given the lesson, the learner's state, the item on screen, its grade and the learner's
skill records, :func:`decide` works out the evidence the answer is (only a first try at an
item counts), the policy's next step, what to tell the learner, and the attempt to log. The
service then writes the :class:`Outcome` in one transaction, or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from tutor.lessons.kinds import KINDS
from tutor.lessons.loaded import LoadedLesson
from tutor.teaching import adaptive, items, ladders, mastery, memory, payloads
from tutor.teaching.grading import Graded
from tutor.teaching.payloads import Current
from tutor.teaching.state import State, replace
from tutor.vocabulary import Grade, Role


class SkillRecord(Protocol):
    """What is kept of a learner's skill (a row of the skill states)."""

    p_known: float
    attempts: int
    misses: int
    firsts_right: int
    memory: dict | None
    due_at: datetime | None


@dataclass(frozen=True)
class Evidence:
    """A skill's record after an answer: P(known), the answers it counted (first sights),
    the misses among them, and the items answered right at first sight."""

    p_known: float
    attempts: int
    misses: int
    firsts_right: int
    memory: dict | None = None  # the skill's memory state (teaching.memory)
    due_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "p_known": self.p_known,
            "attempts": self.attempts,
            "misses": self.misses,
            "firsts_right": self.firsts_right,
            "memory": self.memory,
            "due_at": self.due_at,
        }


def count_evidence(
    params: mastery.Params,
    record: SkillRecord | None,
    grade: str,
    *,
    first_sight: bool,
    hard_to_guess: bool = False,
    at: datetime | None = None,
    recall: bool = False,
) -> Evidence:
    """The skill's record after an answer graded ``grade``.

    The first sight of an item is full evidence; an item seen before counts for little
    (``mastery.RESEEN``) and is not counted among the attempts. An answer that is hard to
    guess (a typed number) weighs more when right (``mastery.for_numbers``). A first sight
    at ``at`` is also a review of the skill's memory (``teaching.memory``), and so is any
    answer in a review of due skills (``recall``): what it tests is remembering.
    """
    p_known, attempts, misses, firsts = (
        (record.p_known, record.attempts, record.misses, record.firsts_right)
        if record
        else (params.prior, 0, 0, 0)
    )
    memory_state, due_at = (record.memory, record.due_at) if record else (None, None)
    used = mastery.for_numbers(params) if hard_to_guess else params
    weight = 1.0 if first_sight else mastery.RESEEN
    p_known = mastery.update(p_known, grade, used, weight=weight)
    if first_sight:
        attempts += 1
        misses += grade != Grade.EXACTLY
        firsts += grade == Grade.EXACTLY
    if at is not None and (first_sight or recall):
        memory_state, due_at = memory.review(memory_state, grade, at)
    return Evidence(p_known, attempts, misses, firsts, memory_state, due_at)


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


def first_sight(lesson: LoadedLesson, current: Current) -> bool:
    """Whether the learner sees this item's answer for the first time (see ``items``)."""
    return key_of(lesson, current) not in current.state.seen


def key_of(lesson: LoadedLesson, current: Current) -> str:
    """The current item's identity: a question's, or inside a problem its sub-step's."""
    question = current.question
    assert question is not None
    ladder = current.state.ladder
    if ladder is not None:
        return items.substep_key(lesson, ladder.question, ladder.at, ladder.variant)
    return items.item_key(lesson, question.id, question.seed)


def decide(
    lesson: LoadedLesson,
    current: Current,
    graded: Graded,
    *,
    skills: Mapping[str, SkillRecord],
    rng: np.random.Generator,
    now: datetime,
) -> Outcome:
    """The outcome of answering ``current``'s item with ``graded`` at ``now``."""
    question = current.question
    assert question is not None, "the lesson is done: there is nothing to answer"
    skill = question.skill
    params = mastery.skill_params(lesson).get(skill) or mastery.Params()
    fresh = first_sight(lesson, current)
    ladder = current.state.ladder
    hints = ladder.hints if ladder is not None else 0
    evidence = count_evidence(
        params,
        skills.get(skill),
        ladders.evidence_grade(graded.grade, hints),
        first_sight=fresh,
        hard_to_guess=KINDS[question.kind].hard_to_guess,
        at=now,
        recall=current.role == Role.RECALL,
    )
    firsts = {s: r.firsts_right for s, r in skills.items()}
    p_known = {**mastery.p_known_by_skill(lesson, skills), skill: evidence.p_known}
    decision = adaptive.after_answer(
        lesson,
        current.state,
        graded.grade,
        p_known=p_known,
        firsts_right={**firsts, skill: evidence.firsts_right},
        misconception_skill=lesson.misconception_skills.get(graded.misconception or ""),
        rng=rng,
    )
    state = decision.state
    if ladder is not None:
        # A sub-step answered: it is seen now, as any item is once its answer is shown.
        state = replace(state, seen=(*state.seen, key_of(lesson, current)))
        decision = replace(decision, state=state)
    following = payloads.describe(lesson, state, current.topic, current.seat)
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
        "first_try": fresh,
        "hints": hints,
        "angle": decision.angle,
        "response": response,
        # As the learner's skill report would say now (teaching.mastery.label).
        "solid": mastery.is_mastered(
            adaptive.Known(lesson, state, p_known)[skill], evidence.firsts_right
        ),
    }
    return Outcome(skill, evidence, decision, response, attempt)
