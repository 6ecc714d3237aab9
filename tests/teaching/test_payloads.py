"""What the tutor shows, pure: the current item, its options, and the reply to an answer."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from tutor.lessons.catalog import load_catalog
from tutor.lessons.kinds import KINDS, Seat
from tutor.teaching import adaptive, payloads
from tutor.teaching.adaptive import start
from tutor.teaching.grading import grade
from tutor.teaching.state import Item
from tutor.vocabulary import NOT_SURE, NOT_SURE_TEXT, Role

SEAT = Seat(b"key", "learner")
LESSON = load_catalog([Path(__file__).parents[1] / "data"]).lessons["mini"]


def at(question_id: str, role: str = Role.MAIN, main: str | None = None, step: str = "loss"):
    state = start(LESSON, np.random.default_rng(0))
    return replace(state, step=step, main=main or question_id, item=Item(question_id, 5, role))


def test_a_check_is_numbered_as_the_question_whose_loop_it_is_in():
    current = payloads.describe(
        LESSON, at("what-loss-does-again", Role.CHECK, "what-loss-does"), "cats", SEAT
    )
    assert (current.n, current.of, current.role) == (1, 2, Role.CHECK)
    assert current.step.n == 1 and current.question.id == "what-loss-does-again"


def test_not_sure_comes_last_and_a_numeric_question_offers_only_that():
    choice = payloads.describe(LESSON, at("order"), "cats", SEAT).question
    options = payloads.options_json(choice, SEAT)
    assert options[-1] == {"id": NOT_SURE, "text": NOT_SURE_TEXT} and len(options) == 4
    numeric = payloads.describe(LESSON, at("mse-number", step="compute"), "cats", SEAT).question
    assert payloads.options_json(numeric, SEAT) == [{"id": NOT_SURE, "text": NOT_SURE_TEXT}]


def served(question, grade: str) -> str:
    return next(i for i, o in KINDS["choice"].served(question, SEAT) if o.grade == grade)


def reply(question_id: str, answer: dict, step: str = "loss"):
    state = at(question_id, step=step)
    current = payloads.describe(LESSON, state, "cats", SEAT)
    graded = grade(current.question, SEAT, **answer)
    decision = adaptive.after_answer(
        LESSON,
        state,
        graded.grade,
        p_known={"score": 0.3, "compute": 0.3},
        rng=np.random.default_rng(2),
    )
    following = payloads.describe(LESSON, decision.state, "cats", SEAT)
    return current.question, payloads.answer_response(current, graded, decision, following)


def test_a_right_number_reveals_the_answer_and_a_right_option_reveals_nothing_more():
    question, response = reply("mse-number", {"value": 0}, step="compute")
    right, response = reply("mse-number", {"value": question.answer}, step="compute")
    assert response["grade"] == "exactly" and response["answer"] == right.answer_text
    order = payloads.describe(LESSON, at("order"), "cats", SEAT).question
    _, chose = reply("order", {"option_id": served(order, "exactly")})
    assert chose["answer"] is None and chose["solution"] is None


def test_a_wrong_number_gets_its_mistakes_feedback_and_keeps_the_answer_for_the_check():
    question, _ = reply("mse-number", {"value": 0}, step="compute")
    total = next(m for m in question.mistakes if m.mistake == "sum_instead_of_mean")
    _, response = reply("mse-number", {"value": total.value}, step="compute")
    assert response["grade"] == "close" and response["mistake"] == "sum_instead_of_mean"
    assert response["feedback"] == total.feedback
    # A check with new numbers comes next: this variant's answer is not given away yet.
    assert response["next"]["question"]["role"] == "check"
    assert response["solution"] is None and response["answer"] is None


def test_a_bridge_leads_into_the_next_main_question_only():
    question = payloads.describe(LESSON, at("what-loss-does"), "cats", SEAT).question
    _, moving_on = reply("what-loss-does", {"option_id": served(question, "exactly")})
    assert moving_on["bridge"] == "Now the order."
    _, checking = reply("what-loss-does", {"option_id": served(question, "not_quite")})
    assert checking["bridge"] is None and checking["next"]["question"]["role"] == "check"


def test_a_check_written_in_an_earlier_step_is_shown_in_the_step_of_its_loop():
    lesson = load_catalog([Path(__file__).parents[1] / "data" / "cross_step"]).lessons["mini"]
    check, main = "what-loss-does-again", "order"
    assert lesson.entries[check].step_index < lesson.entries[main].step_index
    state = adaptive.State(step="compute", main=main, item=Item(check, 3, "check"))
    current = payloads.describe(lesson, state, lesson.lesson.default_topic, Seat(b"k", "someone"))
    here = lesson.entries[main]
    assert current.step.n == here.step_index + 1
    assert (current.n, current.of) == (
        here.main_index + 1,
        len(lesson.step(here.step_index).questions),
    )
