"""Counts agree with their number: 1 learner, 12 learners, never "learner(s)"."""

from __future__ import annotations

import pytest

from tutor.render.numbers import counted


@pytest.mark.parametrize(
    ("n", "noun", "plural", "text"),
    [
        (0, "answer", None, "0 answers"),
        (1, "learner", None, "1 learner"),
        (12, "learner", None, "12 learners"),
        (1, "lesson", None, "1 lesson"),
        (2, "analysis", "analyses", "2 analyses"),
    ],
)
def test_a_count_and_its_noun(n: int, noun: str, plural: str | None, text: str):
    assert counted(n, noun, plural) == text
