"""The decision an answer makes, before anything is written: evidence, policy, reply, log."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from tutor.lessons.catalog import load_catalog
from tutor.lessons.kinds import KINDS, Seat
from tutor.teaching import answering, mastery, payloads
from tutor.teaching.adaptive import start
from tutor.teaching.grading import grade
from tutor.vocabulary import Grade, Role

SEAT = Seat(b"key", "learner")
LESSON = load_catalog([Path(__file__).parents[1] / "data"]).lessons["mini"]
PARAMS = mastery.skill_params(LESSON)["score"]


def record(p_known: float, attempts: int, misses: int):
    return SimpleNamespace(p_known=p_known, attempts=attempts, misses=misses)


@pytest.mark.parametrize(
    ("before", "grade_", "first_try", "expected"),
    [
        (None, Grade.EXACTLY, True, (mastery.update(PARAMS.prior, "exactly", PARAMS), 1, 0)),
        (None, Grade.NOT_QUITE, True, (mastery.update(PARAMS.prior, "not_quite", PARAMS), 1, 1)),
        (record(0.5, 2, 1), Grade.CLOSE, True, (mastery.update(0.5, "close", PARAMS), 3, 2)),
        (record(0.5, 2, 1), Grade.EXACTLY, False, (0.5, 2, 1)),  # a re-seen item: no evidence
        (None, Grade.NOT_SURE, False, (PARAMS.prior, 0, 0)),
    ],
)
def test_only_a_first_try_counts_as_evidence(before, grade_, first_try, expected):
    evidence = answering.count_evidence(PARAMS, before, grade_, first_try=first_try)
    assert (evidence.p_known, evidence.attempts, evidence.misses) == pytest.approx(expected)


def current_and_grade(answer_grade: str):
    state = start(LESSON, np.random.default_rng(0))
    current = payloads.describe(LESSON, state, "cats", SEAT)
    question = current.question
    if answer_grade == Grade.NOT_SURE:
        return current, grade(question, SEAT, option_id="not_sure")
    chosen = next(i for i, o in KINDS["choice"].served(question, SEAT) if o.grade == answer_grade)
    return current, grade(question, SEAT, option_id=chosen)


def test_a_right_first_answer_moves_on_and_logs_what_was_asked():
    current, graded = current_and_grade(Grade.EXACTLY)
    outcome = answering.decide(
        LESSON, current, graded, first_try=True, skills={}, rng=np.random.default_rng(1)
    )
    assert outcome.skill == "score"
    assert outcome.evidence.p_known == pytest.approx(
        mastery.update(PARAMS.prior, "exactly", PARAMS)
    )
    assert outcome.state.item.question == "order" and outcome.state.item.role == Role.MAIN
    assert outcome.response["grade"] == "exactly" and outcome.response["label"] == "Exactly"
    assert outcome.response["next"]["question"]["id"] == "order"
    attempt = outcome.attempt
    assert (attempt["question_id"], attempt["variant"], attempt["role"]) == (
        "what-loss-does",
        current.question.seed,
        Role.MAIN,
    )
    assert attempt["first_try"] is True and attempt["grade"] == "exactly"
    assert attempt["response"] is outcome.response


def test_a_miss_is_explained_and_checked_with_another_item():
    current, graded = current_and_grade(Grade.NOT_QUITE)
    outcome = answering.decide(
        LESSON, current, graded, first_try=True, skills={}, rng=np.random.default_rng(1)
    )
    assert outcome.evidence.misses == 1
    assert outcome.state.item.role == Role.CHECK
    assert outcome.state.item.question == "what-loss-does-again"
    assert outcome.response["another_way"]["text"]
    assert outcome.attempt["angle"] == outcome.response["another_way"]["angle"]
    assert outcome.response["next"]["question"]["id"] == "what-loss-does-again"


def test_the_decision_is_the_same_for_the_same_history():
    current, graded = current_and_grade(Grade.NOT_QUITE)
    runs = [
        answering.decide(
            LESSON, current, graded, first_try=True, skills={}, rng=np.random.default_rng(7)
        )
        for _ in range(2)
    ]
    assert runs[0].response == runs[1].response
    assert runs[0].state == runs[1].state
