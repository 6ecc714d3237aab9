"""A learner's state: copies with changes, and the estimates kept for a state."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tutor.lessons.catalog import load_catalog
from tutor.teaching import adaptive, mastery
from tutor.teaching.state import Item, State, recent, replace

LESSON = load_catalog([Path(__file__).parents[1] / "data"]).lessons["mini"]


def test_a_copy_with_changes_equals_what_dataclasses_would_make():
    state = State("loss", "order", Item("order", 7, "main"), asked=("a",), untaught={"s": ("x",)})
    copy = replace(state, checks=2, asked=("a", "b"))
    assert copy == dataclasses.replace(state, checks=2, asked=("a", "b"))
    assert state.checks == 0 and state.asked == ("a",)  # the original is untouched
    assert hash(copy.item) == hash(state.item)
    with pytest.raises(dataclasses.FrozenInstanceError):
        copy.checks = 3  # type: ignore[misc]


def test_a_record_of_what_was_done_keeps_each_value_once_at_its_latest_place():
    assert recent((), "a") == ("a",)
    assert recent(("a", "b"), "b") == ("a", "b")
    assert recent(("a", "b", "c"), "a") == ("b", "c", "a")
    kept = ("a", "b")
    assert recent(kept, "b") is kept  # asked again straight away: nothing to copy


def test_a_copy_refuses_a_field_the_record_does_not_have():
    with pytest.raises(TypeError, match="no field 'chekcs'"):
        replace(State("loss", None, None), chekcs=1)


def test_kept_estimates_are_the_ones_worked_out_for_that_state():
    p_known = {"score": mastery.update(mastery.PRIOR, "exactly"), "compute": 0.5}
    for untaught in ({}, {"compute": ("exactly",)}, {"compute": ("not_quite", "close")}):
        state = State("loss", None, None, untaught=untaught)
        first = adaptive.estimate(LESSON, state, p_known)
        first["score"] = -1.0  # a caller's copy: changing it changes nothing kept
        again = adaptive.estimate(LESSON, state, p_known)
        params = mastery.skill_params(LESSON)["score"]
        others = [grades for skill, grades in untaught.items() if skill != "score"]
        expected = mastery.individual(
            p_known["score"],
            learner_prior=mastery.learner_prior(others, params),
            attempted=True,
            params=params,
        )
        assert again["score"] == pytest.approx(expected)


def test_the_example_studied_survives_storing_and_is_left_out_when_there_is_none():
    state = State("s", None, Item("q", 3, "check"), studied=("p", 1, "q", 3))
    stored = state.to_json()
    assert stored["studied"] == ["p", 1, "q", 3]
    assert State.from_json(stored) == state
    assert "studied" not in replace(state, studied=None).to_json()
