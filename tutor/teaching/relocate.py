"""Keeping learners on their feet when a lesson is edited under them.

Positions are stored by ids. When an instructor removes or renames the question
(or step) a learner is on, the learner moves to the nearest valid item: the same
step's loop question if it still exists, else the step's first question not yet
asked, else the first step not yet completed. Pure, like the policy.
"""

from __future__ import annotations

import numpy as np

from tutor.lessons.loaded import LoadedLesson
from tutor.teaching.state import Item, State, new_variant, replace
from tutor.vocabulary import Phase, Role


def is_valid(lesson: LoadedLesson, state: State) -> bool:
    """Whether every id the state points at still exists where it should."""
    if state.item is None:
        return True
    entry = lesson.entries.get(state.item.question)
    if entry is None or lesson.step_index(state.step) is None:
        return False
    if state.main is not None and state.main not in lesson.entries:
        return False
    if state.return_to and not _saved_ok(lesson, state.return_to):
        return False
    offer = state.offer
    if offer and offer.fault_step and lesson.step_index(offer.fault_step) is None:
        return False
    ladder = state.ladder
    if ladder is not None and (
        ladder.question != state.item.question
        or ladder.at > len(lesson.entries[ladder.question].question.steps)
        or (ladder.mode != "example" and ladder.at >= len(entry.question.steps))
    ):
        return False
    return all(q in lesson.entries for q in (*state.revisit, *state.session))


def _saved_ok(lesson: LoadedLesson, saved: dict) -> bool:
    """A place to return to: its step and item still there (no item: the lesson was done)."""
    item = saved.get("item")
    inner = saved.get("return_to")
    return (
        lesson.step_index(saved.get("step", "")) is not None
        and (item is None or item.get("question") in lesson.entries)
        and all(q in lesson.entries for q in saved.get("revisit") or ())
        and (not inner or _saved_ok(lesson, inner))
    )


def relocate(lesson: LoadedLesson, state: State, rng: np.random.Generator) -> State:
    """``state`` unchanged when valid, else moved to the nearest valid item."""
    if is_valid(lesson, state):
        return state
    offer = state.offer
    if offer and offer.fault_step and lesson.step_index(offer.fault_step) is None:
        # The step it offered to go back to is gone; the other ways on still stand.
        state = replace(state, offer=replace(offer, fault_step=None, fault_skill=None))
        if is_valid(lesson, state):
            return state
    # A step back that can no longer be followed is dropped; the learner stays on course.
    state = replace(
        state,
        return_to=None,
        revisit=(),
        session=(),
        session_missed=(),
        ladder=None,
        offer=None,
        pending_angle=None,
        checks=0,
        loop_misses=0,
    )
    index = lesson.step_index(state.step)
    if index is not None:
        ids = [q.id for q in lesson.step(index).questions]
        chosen = (
            state.main
            if state.main in ids
            else next((q for q in ids if q not in state.asked), None)
        )
        if chosen is not None:
            return replace(
                state,
                main=chosen,
                phase=Phase.QUESTIONS,
                item=Item(chosen, new_variant(rng), Role.MAIN),
            )
        # Everything left in this step was asked: the step is done.
        state = replace(state, completed=(*state.completed, state.step))
    for step in lesson.lesson.steps:
        if step.id not in state.completed:
            first = step.questions[0].id
            return replace(
                state,
                step=step.id,
                main=first,
                phase=Phase.QUESTIONS,
                item=Item(first, new_variant(rng), Role.MAIN),
            )
    last = lesson.lesson.steps[-1]
    return replace(state, step=last.id, main=None, item=None, phase=Phase.DONE)
