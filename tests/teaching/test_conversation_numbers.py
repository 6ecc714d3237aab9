"""How the conversation numbers what was asked: as the learner saw it when asked."""

from __future__ import annotations

from collections import namedtuple
from pathlib import Path

from tutor.lessons.catalog import load_catalog
from tutor.teaching import conversation

LESSON = load_catalog([Path(__file__).parents[1] / "data"]).lessons["mini"]
Row = namedtuple("Row", "id question_id variant role topic response")


def test_a_borrowed_check_keeps_the_number_of_the_question_it_checked():
    """`what-loss-does-again` is written under question 1; asked after a miss on question 2
    it read "Question 2 of 2", and the conversation reads it back the same way."""
    topic = LESSON.lesson.default_topic
    rows = [
        Row(1, "what-loss-does", 0, "main", topic, {}),
        Row(2, "order", 0, "main", topic, {}),
        Row(3, "what-loss-does-again", 0, "check", topic, {}),
    ]
    headings = [x.heading for x in conversation.exchanges(LESSON, rows)]
    assert headings == [
        "Question 1 of 2",
        "Question 2 of 2",
        "Question 2 of 2 \u00b7 checking the same idea",
    ]
    # With its question out of sight (older answers are left out), its own number.
    alone = conversation.exchanges(LESSON, rows[2:])
    assert alone[0].heading == "Question 1 of 2 \u00b7 checking the same idea"


SHIPPED = load_catalog([Path(__file__).parents[2] / "lessons"]).lessons["how-a-network-learns"]


def test_a_check_after_a_worked_example_keeps_the_number_it_was_asked_with():
    """`compute-z` (question 2) is shown as a worked example, which leaves no answer; its own
    check, asked as "Question 2 of 4", was read back as question 1's."""
    topic = SHIPPED.lesson.default_topic
    rows = [
        Row(1, "what-a-forward-pass-gives", 0, "main", topic, {}),
        Row(2, "all-features-zero", 0, "check", topic, {}),
    ]
    headings = [x.heading for x in conversation.exchanges(SHIPPED, rows)]
    assert headings == ["Question 1 of 4", "Question 2 of 4 \u00b7 checking the same idea"]


def test_a_check_after_a_missed_review_has_the_number_of_the_question_reviewed():
    """A review missed is checked in its own loop, and the page numbers that check as the
    question reviewed; the conversation read it back as the last main question's."""
    topic = LESSON.lesson.default_topic
    rows = [
        Row(1, "what-loss-does", 0, "main", topic, {}),
        Row(2, "order", 0, "main", topic, {}),
        Row(3, "what-loss-does", 1, "review", topic, {}),
        Row(4, "what-loss-does-again", 0, "check", topic, {}),
    ]
    headings = [x.heading for x in conversation.exchanges(LESSON, rows)]
    assert headings[2:] == [
        "Question 1 of 2 \u00b7 review",
        "Question 1 of 2 \u00b7 checking the same idea",
    ]


LOSSES = load_catalog([Path(__file__).parents[2] / "lessons"]).lessons["loss-functions"]


def test_a_review_taken_in_parts_keeps_its_question_and_numbers_the_check_after_it():
    """A review of a problem asked part by part read back as a bare "Part 3 of 3", and the
    check after it took the number of the step's last main question (3, not 1)."""
    topic = LOSSES.lesson.default_topic
    rows = [
        Row(1, "compute-mse", 0, "main", topic, {}),
        Row(2, "why-square", 0, "main", topic, {}),
        Row(3, "spread-or-one-big", 0, "main", topic, {}),
        Row(4, "compute-mse.mean", 1, "review", topic, {}),
        Row(5, "mse-exact-item-added", 0, "check", topic, {}),
    ]
    headings = [x.heading for x in conversation.exchanges(LOSSES, rows)]
    assert headings[3:] == [
        "Part 3 of 3 \u00b7 review",
        "Question 1 of 3 \u00b7 checking the same idea",
    ]
