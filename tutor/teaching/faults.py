"""Fault tracing and stepping back: which earlier skill trips a learner, and the detour.

After repeated misses the tutor names the earlier skill that most likely causes them (a
misconception tied to an earlier skill, else the weakest prerequisite) and offers a step
back to the questions that teach it, returning the learner to where they were. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from tutor.lessons.loaded import LoadedLesson
from tutor.teaching import mastery
from tutor.teaching.state import Item, Offer, State, back_to, new_variant, place_of, replace
from tutor.vocabulary import Role

WEAK = 0.6  # a prerequisite below this P(known), once practised, is a likely culprit


def trace_fault(
    lesson: LoadedLesson,
    skill: str,
    p_known: Mapping[str, float],
    misconception_skill: str | None = None,
) -> str | None:
    """The earlier skill that most likely trips the learner on ``skill``, if any.

    A misconception tied to an earlier skill names it directly; otherwise the
    weakest prerequisite (direct ones first, then theirs) that is below ``WEAK``.
    """
    levels = _prerequisites(lesson, skill)
    if (
        misconception_skill
        and misconception_skill != skill
        and (
            any(misconception_skill in level for level in levels)
            or _first_step(lesson, misconception_skill) < _first_step(lesson, skill)
        )
    ):
        return misconception_skill
    for level in levels:  # the nearest weak ones: a direct prerequisite before its own
        weak = [s for s in level if p_known.get(s, mastery.PRIOR) < WEAK]
        if weak:
            return min(weak, key=lambda s: p_known.get(s, mastery.PRIOR))
    return None


def _prerequisites(lesson: LoadedLesson, skill: str) -> list[list[str]]:
    """The skill's prerequisites by distance: its direct ones, then theirs, and so on."""
    by_id = {s.id: s for s in lesson.lesson.skills}
    seen: set[str] = set()
    levels: list[list[str]] = []
    frontier = [r for r in (by_id[skill].requires if skill in by_id else []) if r in by_id]
    while frontier:
        level = [s for s in dict.fromkeys(frontier) if s not in seen]
        if not level:
            break
        seen.update(level)
        levels.append(level)
        frontier = [r for s in level for r in by_id[s].requires if r in by_id]
    return levels


def _first_step(lesson: LoadedLesson, skill: str) -> int:
    steps = [e.step_index for e in lesson.entries.values() if e.skill == skill]
    return min(steps, default=len(lesson.lesson.steps))


def step_of_skill(lesson: LoadedLesson, skill: str) -> str | None:
    for step in lesson.lesson.steps:
        if any(q.skill == skill for q in step.questions):
            return step.id
    return None


def revisit_questions(lesson: LoadedLesson, state: State, offer: Offer) -> list[str]:
    """The questions a step back asks: those of the fault skill in the fault step that the
    learner has come to. In the step they are in, that is the ones before their question,
    never one further on they have not reached."""
    step_index = lesson.step_index(offer.fault_step or "")
    if step_index is None:
        return []
    here = lesson.entries.get(state.main or "")
    until = (
        here.main_index
        if here is not None and here.step_index == step_index
        else len(lesson.step(step_index).questions)
    )
    questions = lesson.step(step_index).questions[:until]
    return [q.id for q in questions if q.skill == offer.fault_skill]


def start_revisit(
    lesson: LoadedLesson, state: State, offer: Offer, rng: np.random.Generator
) -> State:
    questions = revisit_questions(lesson, state, offer)
    if not questions:
        raise ValueError("that step is no longer in the lesson; choose another way on")
    saved = place_of(state)
    first, rest = questions[0], tuple(questions[1:])
    return replace(
        state,
        item=Item(first, new_variant(rng), Role.REVISIT),
        revisit=rest,
        return_to=saved,
        offer=None,
        ladder=None,
    )


def after_revisit(
    lesson: LoadedLesson, state: State, p_known: Mapping[str, float], rng: np.random.Generator
) -> State:
    if state.revisit:
        following, rest = state.revisit[0], state.revisit[1:]
        return replace(state, item=Item(following, new_variant(rng), Role.REVISIT), revisit=rest)
    # Back where the learner was: the same item, numbers and all (inside its problem too).
    return back_to(state, state.return_to or {}, return_to=None, revisit=())
