"""Grading one answer: options by id, numbers against the engine and its known mistakes."""

from __future__ import annotations

from pathlib import Path

from tutor.lessons.catalog import load_catalog
from tutor.lessons.kinds import KINDS, Seat
from tutor.lessons.variants import render_question
from tutor.teaching.grading import grade

SEAT = Seat(b"key", "learner")
LESSON = load_catalog([Path(__file__).parents[1] / "data"]).lessons["mini"]


def rendered(question_id: str, seed: int = 0):
    entry = LESSON.entries[question_id]
    return render_question(LESSON.lesson, entry.question, skill=entry.skill, seed=seed, topic=None)


def test_a_number_from_a_known_mistake_carries_the_misconception_behind_it():
    question = rendered("mse-number")
    total = next(m for m in question.mistakes if m.mistake == "sum_instead_of_mean")
    graded = grade(question, SEAT, value=total.value)
    assert (graded.grade, graded.mistake, graded.misconception) == (
        "close",
        "sum_instead_of_mean",
        "sum-not-mean",
    )
    untagged = next(m for m in question.mistakes if m.mistake == "rmse")
    assert grade(question, SEAT, value=untagged.value).misconception is None


def test_an_option_carries_its_misconception_and_the_right_one_none():
    question = rendered("what-loss-does")
    ids = {o.grade: i for i, o in KINDS["choice"].served(question, SEAT)}
    assert grade(question, SEAT, option_id=ids["not_quite"]).misconception == "loss-fixes"
    assert grade(question, SEAT, option_id=ids["exactly"]).misconception is None
