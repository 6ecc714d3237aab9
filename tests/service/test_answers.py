"""Recording an answer, called as the front doors call it, on a real database."""

from __future__ import annotations

import pytest
from helpers import new_learner_id, option_with_grade
from sqlalchemy import func, select

from tutor.errors import BadAnswer
from tutor.service import answers
from tutor.store.tables import Attempt


def attempts(tutor) -> int:
    with tutor.db.reading() as connection:
        return connection.scalar(select(func.count()).select_from(Attempt))


def test_an_answer_sent_again_with_its_key_is_recorded_once(client):
    tutor = client.app.state.tutor
    who = new_learner_id(client)
    nxt = tutor.next_json(who, "mini")
    body = {
        "question_id": nxt["question"]["id"],
        "variant": nxt["variant"],
        "option_id": option_with_grade(client, "mini", nxt, "exactly"),
        "idempotency_key": "once",
    }
    seat = tutor.seat(who)
    at = tutor.clock()
    first = answers.answer(tutor.db, tutor.lesson("mini"), who, seat, now=at, **body)
    again = answers.answer(tutor.db, tutor.lesson("mini"), who, seat, now=at, **body)
    assert first == again and attempts(tutor) == 1
    with pytest.raises(BadAnswer, match="already used for a different answer"):
        other = {**body, "option_id": "not_sure"}
        answers.answer(tutor.db, tutor.lesson("mini"), who, seat, now=at, **other)
