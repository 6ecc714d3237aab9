"""Grading one answer: options by id, numbers against the engine and its known mistakes."""

from __future__ import annotations

from pathlib import Path

from tutor.lessons.catalog import load_catalog
from tutor.lessons.variants import render_question
from tutor.teaching.grading import grade

LESSON = load_catalog([Path(__file__).parents[1] / "data"]).lessons["mini"]


def rendered(question_id: str, seed: int = 0):
    entry = LESSON.entries[question_id]
    return render_question(LESSON.lesson, entry.question, skill=entry.skill, seed=seed, topic=None)


def test_a_number_from_a_known_mistake_carries_the_misconception_behind_it():
    question = rendered("mse-number")
    total = next(m for m in question.mistakes if m.mistake == "sum_instead_of_mean")
    graded = grade(question, value=total.value)
    assert (graded.grade, graded.mistake, graded.misconception) == (
        "close",
        "sum_instead_of_mean",
        "sum-not-mean",
    )
    untagged = next(m for m in question.mistakes if m.mistake == "rmse")
    assert grade(question, value=untagged.value).misconception is None


def test_an_option_carries_its_misconception_and_the_right_one_none():
    question = rendered("what-loss-does")
    by_grade = {o.grade: o for o in question.options}
    assert grade(question, option_id=by_grade["not_quite"].id).misconception == "loss-fixes"
    assert grade(question, option_id=by_grade["exactly"].id).misconception is None
