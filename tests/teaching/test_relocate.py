"""A learner whose item an edit removed moves to the nearest valid one; pure."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from tutor.lessons.catalog import load_catalog, load_text
from tutor.teaching.adaptive import start
from tutor.teaching.relocate import is_valid, relocate
from tutor.teaching.state import Item, Offer
from tutor.vocabulary import Phase, Role

DATA = Path(__file__).parents[1] / "data"
LESSON = load_catalog([DATA]).lessons["mini"]
SOURCE = (DATA / "mini.yaml").read_text()


def edited(old: str, new: str):
    assert old in SOURCE
    loaded, problems = load_text(SOURCE.replace(old, new), "mini.yaml")
    assert loaded is not None, problems
    return loaded


def test_a_valid_state_is_left_as_it_is():
    state = start(LESSON, np.random.default_rng(0))
    assert is_valid(LESSON, state)
    assert relocate(LESSON, state, np.random.default_rng(1)) is state


def test_a_removed_question_moves_the_learner_to_the_steps_next_one():
    state = start(LESSON, np.random.default_rng(0))  # on what-loss-does
    lesson = edited("id: what-loss-does\n", "id: what-a-loss-does\n")
    assert not is_valid(lesson, state)
    moved = relocate(lesson, state, np.random.default_rng(1))
    assert is_valid(lesson, moved)
    assert moved.step == "loss" and moved.phase == Phase.QUESTIONS
    assert moved.item.role == Role.MAIN and moved.item.question in lesson.entries


def test_a_learner_on_a_removed_step_goes_on_to_the_next_one():
    state = replace(
        start(LESSON, np.random.default_rng(0)),
        step="gone",
        main="gone-question",
        item=Item("gone-question", 3, Role.MAIN),
    )
    moved = relocate(LESSON, state, np.random.default_rng(1))
    assert is_valid(LESSON, moved)
    assert moved.item is not None and moved.item.question in LESSON.entries


def test_an_offer_to_step_back_to_a_removed_step_is_withdrawn_but_the_item_stays():
    state = replace(
        start(LESSON, np.random.default_rng(0)), offer=Offer("score", "gone", "compute")
    )
    moved = relocate(LESSON, state, np.random.default_rng(1))
    assert moved.item == state.item
    assert moved.offer is not None and moved.offer.fault_step is None
