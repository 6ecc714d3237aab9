"""Typed numbers against the answer, in decimal terms: right, a near miss, or a miss."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tutor.lessons.catalog import load_catalog
from tutor.lessons.kinds import Seat
from tutor.lessons.kinds.nearness import (
    Nearness,
    engine_decimal,
    nearness,
    tolerance_decimal,
    typed_decimal,
)
from tutor.lessons.kinds.numeric import MISS, NEAR_MISS
from tutor.lessons.variants import render_question
from tutor.teaching.grading import grade

SUMS = load_catalog([Path(__file__).parents[1] / "data" / "numeric"]).lessons["sums"]
SEAT = Seat(b"key", "learner")


@pytest.mark.parametrize(
    ("typed", "answer", "tolerance", "where"),
    [
        # Inside the tolerance, to the last decimal: floating point would miss these.
        ("1.11", 1.1, 0.01, Nearness.WITHIN),
        ("1.09", 1.1, 0.01, Nearness.WITHIN),
        ("0.3", 0.1 + 0.2, 0.001, Nearness.WITHIN),
        ("-0.31", -0.3, 0.01, Nearness.WITHIN),
        ("110%", 1.1, 0.01, Nearness.WITHIN),
        ("1,1", 1.1, 0.01, Nearness.WITHIN),
        # Just outside: the tolerance is a line, not a blur.
        ("1.111", 1.1, 0.01, Nearness.NEAR),
        # Rounded or cut off too early, at the typed number's own decimals.
        ("0.36", 0.3649, 0.0001, Nearness.ROUNDED),
        ("0.37", 0.3651, 0.0001, Nearness.ROUNDED),
        ("0.014", 0.0149, 0.0001, Nearness.ROUNDED),
        # Within 5%: the method is right, one piece of arithmetic slipped.
        ("1.14", 1.1, 0.01, Nearness.NEAR),
        ("-0.5", -0.52, 0.001, Nearness.NEAR),
        # Misses, told apart so the feedback can say what to try.
        ("-1.1", 1.1, 0.01, Nearness.SIGN),
        ("36", 0.36, 0.01, Nearness.SCALE),
        ("0.036", 0.36, 0.001, Nearness.SCALE),
        ("1.2", 1.1, 0.01, Nearness.FAR),
        ("1", 0.6, 0.01, Nearness.FAR),  # one digit is a guess, not a rounding slip
        ("0", 0.004, 0.0001, Nearness.FAR),
        ("5", 0, 0.01, Nearness.FAR),
        ("1e-40", 0.3, 0.01, Nearness.FAR),
    ],
)
def test_where_a_typed_number_lands(typed: str, answer: float, tolerance: float, where: str):
    parsed = typed_decimal(typed)
    assert parsed is not None
    assert nearness(parsed, engine_decimal(answer), tolerance_decimal(tolerance)) == where


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1.11", "1.11"), (1.11, "1.11"), (" 36 % ", "0.36"), ("\u22122", "-2"), (",5", "0.5")],
)
def test_typed_text_is_read_exactly_as_written(raw, value: str):
    assert typed_decimal(raw) == Decimal(value)


@pytest.mark.parametrize("raw", ["abc", "nan", "inf", "1e5e", True])
def test_what_is_not_a_number_reads_as_none(raw):
    assert typed_decimal(raw) is None


def test_engine_values_lose_their_float_noise():
    assert engine_decimal(0.1 + 0.2) == Decimal("0.3")
    assert engine_decimal(1 / 3) == Decimal("0.333333333333")


def sum_question():
    entry = SUMS.entries["sum-number"]
    return render_question(SUMS.lesson, entry.question, skill=entry.skill, seed=0, topic=None)


@pytest.mark.parametrize(
    ("typed", "grade_word", "feedback"),
    [
        ("1.11", "exactly", "It is 1.1."),
        ("1.09", "exactly", "It is 1.1."),
        ("1.13", "close", NEAR_MISS[Nearness.NEAR]),
        ("1", "not_quite", "Add the bias."),  # a known mistake comes first
        ("-1.1", "not_quite", MISS[Nearness.SIGN]),
        ("11", "not_quite", MISS[Nearness.SCALE]),
        ("2.5", "not_quite", MISS[Nearness.FAR]),
    ],
)
def test_grading_a_typed_number(typed: str, grade_word: str, feedback: str):
    graded = grade(sum_question(), SEAT, value=typed)
    assert (graded.grade, graded.feedback) == (grade_word, feedback)


@pytest.mark.parametrize("typed", ["0.84", "0.85"])
def test_a_rounding_slip_is_close_and_says_how_many_decimals(typed: str):
    entry = SUMS.entries["sum-again"]
    question = render_question(SUMS.lesson, entry.question, skill=entry.skill, seed=0, topic=None)
    graded = grade(question, SEAT, value=typed)
    assert graded.grade == "close"
    assert graded.feedback == NEAR_MISS[Nearness.ROUNDED].format(decimals="3 decimals")
    assert grade(question, SEAT, value="0.845").grade == "exactly"


def test_no_feedback_speaks_of_the_machinery_and_each_says_what_to_try():
    for text in [*NEAR_MISS.values(), *MISS.values()]:
        assert "engine" not in text and "we know" not in text
        assert any(word in text for word in ("redo", "round", "Check", "Follow", "work it"))


SHIPPED = load_catalog([Path(__file__).parents[2] / "lessons"]).lessons


def shipped_question(lesson_id: str, question_id: str):
    lesson = SHIPPED[lesson_id]
    entry = lesson.entries[question_id]
    return render_question(lesson.lesson, entry.question, skill=entry.skill, seed=0, topic=None)


@pytest.mark.parametrize(
    ("lesson_id", "question_id", "typed", "why"),
    [
        ("how-a-network-learns", "squash-z", "9.642", "a probability is never below 0 or above 1"),
        ("how-a-network-learns", "squash-z", "-0.4", "a probability is never below 0 or above 1"),
        ("loss-functions", "compute-mse", "-3", "a loss is never negative"),
    ],
)
def test_a_number_the_answer_can_never_be_is_said_to_be_impossible_first(
    lesson_id: str, question_id: str, typed: str, why: str
):
    graded = grade(shipped_question(lesson_id, question_id), SEAT, value=typed)
    assert graded.grade == "not_quite"
    said = f"{float(typed):g}".replace("-", "\u2212")  # shown back with the texts' minus
    assert graded.feedback.startswith(f"{said} cannot be right: {why}. "), graded.feedback
    assert graded.said == said and graded.answer == f"{float(typed):g}"  # kept as typed


def test_a_wrong_number_that_could_be_the_answer_gets_the_plain_advice():
    question = shipped_question("how-a-network-learns", "squash-z")
    typed = "0.999" if question.answer < 0.5 else "0.001"
    graded = grade(question, SEAT, value=typed)
    assert "cannot be right" not in graded.feedback
