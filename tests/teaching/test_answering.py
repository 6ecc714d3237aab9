"""The decision an answer makes, before anything is written: evidence, policy, reply, log."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from tutor.lessons.catalog import load_catalog
from tutor.lessons.kinds import KINDS, Seat
from tutor.teaching import answering, items, mastery, payloads
from tutor.teaching.adaptive import start
from tutor.teaching.grading import grade
from tutor.vocabulary import Grade, Role

SEAT = Seat(b"key", "learner")
LESSON = load_catalog([Path(__file__).parents[1] / "data"]).lessons["mini"]
PARAMS = mastery.skill_params(LESSON)["score"]


NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def record(p_known: float, attempts: int, misses: int, firsts_right: int = 0):
    return SimpleNamespace(
        p_known=p_known,
        attempts=attempts,
        misses=misses,
        firsts_right=firsts_right,
        memory=None,
        due_at=None,
    )


@pytest.mark.parametrize(
    ("before", "grade_", "first_sight", "expected"),
    [
        (None, Grade.EXACTLY, True, (mastery.update(PARAMS.prior, "exactly", PARAMS), 1, 0, 1)),
        (None, Grade.NOT_QUITE, True, (mastery.update(PARAMS.prior, "not_quite", PARAMS), 1, 1, 0)),
        (record(0.5, 2, 1), Grade.CLOSE, True, (mastery.update(0.5, "close", PARAMS), 3, 2, 0)),
        # A re-seen item: evidence tempered, not counted among the attempts.
        (
            record(0.5, 2, 1, 1),
            Grade.EXACTLY,
            False,
            (mastery.update(0.5, "exactly", PARAMS, weight=mastery.RESEEN), 2, 1, 1),
        ),
    ],
)
def test_the_first_sight_of_an_item_is_full_evidence_and_a_second_little(
    before, grade_, first_sight, expected
):
    evidence = answering.count_evidence(PARAMS, before, grade_, first_sight=first_sight, at=NOW)
    got = (evidence.p_known, evidence.attempts, evidence.misses, evidence.firsts_right)
    assert got == pytest.approx(expected)
    assert (evidence.due_at is not None) == first_sight


def test_a_reseen_item_moves_p_known_far_less_than_a_first_sight():
    first = answering.count_evidence(PARAMS, record(0.3, 1, 1), "exactly", first_sight=True)
    again = answering.count_evidence(PARAMS, record(0.3, 1, 1), "exactly", first_sight=False)
    assert first.p_known - 0.3 > 3 * (again.p_known - 0.3) > 0


def test_a_typed_number_right_weighs_more_than_a_right_option():
    option = answering.count_evidence(PARAMS, None, "exactly", first_sight=True)
    number = answering.count_evidence(PARAMS, None, "exactly", first_sight=True, hard_to_guess=True)
    assert number.p_known > option.p_known


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
        LESSON, current, graded, skills={}, rng=np.random.default_rng(1), now=NOW
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
        LESSON, current, graded, skills={}, rng=np.random.default_rng(1), now=NOW
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
        answering.decide(LESSON, current, graded, skills={}, rng=np.random.default_rng(7), now=NOW)
        for _ in range(2)
    ]
    assert runs[0].response == runs[1].response
    assert runs[0].state == runs[1].state


def test_an_item_once_answered_is_seen_and_no_longer_a_first_sight():
    current, graded = current_and_grade(Grade.NOT_QUITE)
    outcome = answering.decide(
        LESSON, current, graded, skills={}, rng=np.random.default_rng(1), now=NOW
    )
    key = items.item_key(LESSON, current.question.id, current.question.seed)
    assert key in outcome.state.seen
    again = replace(current, state=replace(current.state, seen=outcome.state.seen))
    assert answering.first_sight(LESSON, current) and not answering.first_sight(LESSON, again)
