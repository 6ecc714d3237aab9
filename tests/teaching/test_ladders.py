"""Multi-step problems, pure: fading levels, the ladder after a miss, hints as evidence."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tutor.lessons.catalog import load_catalog
from tutor.teaching import adaptive, fading, ladders
from tutor.teaching.state import Item, State
from tutor.vocabulary import Grade

LESSON = load_catalog([Path(__file__).parents[1] / "data" / "ladder"]).lessons["ladder"]
WEAK = {"score": 0.3, "mse": 0.2, "squaring": 0.2}
N = 3  # mse-steps has three sub-steps


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def at_problem(fade: dict | None = None) -> State:
    """The learner on the multi-step problem, as the policy presents it."""
    state = State(step="compute", main="mse-steps", item=Item("mse-steps", 7, "main"))
    state = replace(state, fade=fade or {}, untaught={"score": ("exactly",)})
    return adaptive.present(LESSON, state, WEAK)


@pytest.mark.parametrize(
    ("record", "p", "mastered", "level"),
    [
        (None, 0.2, False, 0),  # new to it: a worked example
        (None, 0.6, False, N + 1),  # expected to know it: the whole problem
        (2, 0.2, False, 2),
        (7, 0.2, False, N + 1),  # kept within range
        (1, 0.2, True, N + 1),  # mastered: the whole problem
    ],
)
def test_the_level_a_problem_is_presented_at(record, p, mastered, level):
    assert fading.current(N, record, p_known=p, mastered=mastered) == level


@pytest.mark.parametrize(
    ("level", "clean", "after"),
    [(1, True, 2), (2, True, 3), (3, True, 4), (4, True, 4), (3, False, 2), (1, False, 1)],
)
def test_fading_moves_up_on_clean_work_and_back_on_a_slip(level, clean, after):
    assert fading.after_faded(level, N, clean=clean) == after


def test_a_new_learner_gets_a_worked_example_then_the_last_part():
    state = at_problem()
    assert state.ladder.mode == "example" and state.ladder.at == N
    decision = adaptive.after_example(LESSON, state, p_known=WEAK, rng=rng(1))
    following = decision.state
    assert decision.reason == "after_example"
    assert following.item.question == "mse-steps" and following.item.variant != 7
    assert following.ladder.mode == "faded" and following.ladder.at == N - 1
    assert following.fade["mse"] == 1


def test_a_partly_worked_problem_done_cleanly_counts_as_right_and_fades_further():
    state = at_problem({"mse": 1})
    assert (state.ladder.mode, state.ladder.first_open) == ("faded", N - 1)
    decision = adaptive.after_answer(LESSON, state, Grade.EXACTLY, p_known=WEAK, rng=rng(2))
    assert decision.state.ladder is None or decision.state.item.question != "mse-steps"
    assert decision.state.fade["mse"] == 2
    assert decision.state.item is None  # the lesson's last question, answered right


def test_a_miss_on_the_whole_problem_opens_every_part_then_a_check():
    state = at_problem({"mse": N + 1})
    assert state.ladder is None  # the whole problem
    decision = adaptive.after_answer(LESSON, state, Grade.NOT_QUITE, p_known=WEAK, rng=rng(3))
    assert decision.reason == "ladder" and decision.angle is not None
    state = decision.state
    assert (state.ladder.mode, state.ladder.at) == ("ladder", 0) and state.fade["mse"] == N
    for k, grade in enumerate([Grade.NOT_QUITE, Grade.EXACTLY]):
        decision = adaptive.after_answer(LESSON, state, grade, p_known=WEAK, rng=rng(4 + k))
        state = decision.state
        assert state.ladder.at == k + 1 and state.item.variant == 7  # same numbers throughout
    decision = adaptive.after_answer(LESSON, state, Grade.EXACTLY, p_known=WEAK, rng=rng(9))
    check = decision.state
    assert check.item.role == "check" and check.item.variant != 7
    assert check.ladder.mode == "faded"  # the check comes at the level the miss set


def test_with_fading_off_a_problem_comes_whole_and_a_miss_still_opens_its_parts():
    unfaded = replace(LESSON, fading=False)
    state = State(step="compute", main="mse-steps", item=Item("mse-steps", 7, "main"))
    state = adaptive.present(unfaded, replace(state, untaught={"score": ("exactly",)}), WEAK)
    assert state.ladder is None  # no worked example, though the skill is new
    decision = adaptive.after_answer(unfaded, state, Grade.NOT_QUITE, p_known=WEAK, rng=rng(3))
    assert decision.reason == "ladder" and decision.state.ladder.mode == "ladder"


def test_hints_are_rungs_that_weaken_the_evidence_of_a_right_answer():
    state = at_problem({"mse": 2})
    for rung in (1, 2):
        state, taken = ladders.take_hint(state, 2)
        assert taken == rung
    with pytest.raises(ValueError, match="every hint"):
        ladders.take_hint(state, 2)
    assert [ladders.evidence_grade(Grade.EXACTLY, h) for h in range(4)] == [
        Grade.EXACTLY,
        Grade.CLOSE,
        Grade.NOT_QUITE,
        Grade.NOT_SURE,
    ]
    assert ladders.evidence_grade(Grade.NOT_QUITE, 1) == Grade.NOT_QUITE


def test_no_hint_outside_a_problem():
    with pytest.raises(ValueError, match="hints are for a sub-step"):
        ladders.take_hint(State(step="warm-up", main="one", item=Item("one", 1, "main")), 3)


def test_a_problem_state_survives_a_json_round_trip():
    state = at_problem({"mse": 2})
    assert State.from_json(state.to_json()) == state


def test_after_a_worked_example_a_check_that_is_not_a_problem_is_not_called_one_like_it():
    """compute-z's next item after its worked example is its check all-features-zero, a
    choice: "Now one like it, with the last step left to you" would promise what is not
    there."""
    from pathlib import Path

    from tutor.lessons.catalog import load_catalog

    shipped = load_catalog([Path(__file__).resolve().parents[2] / "lessons"]).lessons
    lesson = shipped["how-a-network-learns"]
    step = lesson.lesson.steps[lesson.entries["compute-z"].step_index].id
    state = State(step=step, main="compute-z", item=Item("compute-z", 3, "main"))
    state = adaptive.present(lesson, state, WEAK)
    assert state.ladder.mode == "example"
    decision = adaptive.after_example(lesson, state, p_known=WEAK, rng=rng(1))
    assert decision.state.item.question == "all-features-zero"
    assert decision.reason == "after_example_check"


def test_a_worked_example_stays_beside_the_next_item_only_on_its_own_skill():
    state = at_problem()
    decision = adaptive.after_example(LESSON, state, p_known=WEAK, rng=rng(1))
    following = decision.state.item
    assert decision.state.studied == ("mse-steps", 7, following.question, following.variant)
    # In a practice run that goes on to another skill's question, it is not kept.
    running = replace(
        state,
        item=replace(state.item, role="practice"),
        session=("one",),
        return_to={"step": "compute", "item": None},
    )
    decision = adaptive.after_example(LESSON, running, p_known=WEAK, rng=rng(1))
    assert decision.state.item.question == "one" and decision.state.studied is None
