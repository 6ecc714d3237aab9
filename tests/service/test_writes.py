"""The one-transaction writes, called as the front doors call them, on a real database."""

from __future__ import annotations

import pytest
from helpers import new_learner, option_with_grade
from sqlalchemy import func, select

from tutor.errors import BadAnswer, Conflict
from tutor.service import writes
from tutor.store import progress
from tutor.store.tables import Attempt


def learner(client) -> str:
    headers = new_learner(client)
    return client.app.state.tutor.learner_for_token(headers["Authorization"].split()[1])


def attempts(tutor) -> int:
    with tutor.db.reading() as connection:
        return connection.scalar(select(func.count()).select_from(Attempt))


def test_an_answer_sent_again_with_its_key_is_recorded_once(client):
    tutor = client.app.state.tutor
    who = learner(client)
    nxt = tutor.next_json(who, "mini")
    body = {
        "question_id": nxt["question"]["id"],
        "variant": nxt["variant"],
        "option_id": option_with_grade(client, "mini", nxt, "exactly"),
        "idempotency_key": "once",
    }
    seat = tutor.seat(who)
    at = tutor.clock()
    first = writes.answer(tutor.db, tutor.lesson("mini"), who, seat, now=at, **body)
    again = writes.answer(tutor.db, tutor.lesson("mini"), who, seat, now=at, **body)
    assert first == again and attempts(tutor) == 1
    with pytest.raises(BadAnswer, match="already used for a different answer"):
        other = {**body, "option_id": "not_sure"}
        writes.answer(tutor.db, tutor.lesson("mini"), who, seat, now=at, **other)


def test_a_write_that_lost_the_race_for_the_position_changes_nothing(client):
    tutor = client.app.state.tutor
    who = learner(client)
    writes.set_topic(tutor.db, tutor.lesson("mini"), who, "spam")
    with tutor.db.reading() as connection:
        position, _ = progress.read(connection, learner_id=who, lesson_id="mini")
    with tutor.db.writing() as connection:  # another request moves it on first
        assert progress.save(
            connection,
            learner_id=who,
            lesson_id="mini",
            state=position.state,
            topic="cats",
            version=position.version,
        )
    with tutor.db.writing() as connection:  # this one still holds the old version
        assert not progress.save(
            connection,
            learner_id=who,
            lesson_id="mini",
            state=position.state,
            topic="spam",
            version=position.version,
        )
    with tutor.db.reading() as connection:
        now, _ = progress.read(connection, learner_id=who, lesson_id="mini")
    assert (now.topic, now.version) == ("cats", position.version + 1)


def test_a_choice_without_an_offer_is_a_conflict(client):
    tutor = client.app.state.tutor
    who = learner(client)
    with pytest.raises(Conflict, match="no offer"):
        writes.choose(tutor.db, tutor.lesson("mini"), who, tutor.seat(who), "go_on")
