"""The one-transaction writes besides answers, called as the front doors call them, on a real
database."""

from __future__ import annotations

import pytest
from helpers import new_learner_id

from tutor.errors import Conflict
from tutor.service import writes
from tutor.store import progress


def test_a_write_that_lost_the_race_for_the_position_changes_nothing(client):
    tutor = client.app.state.tutor
    who = new_learner_id(client)
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
    who = new_learner_id(client)
    with pytest.raises(Conflict, match="no offer"):
        writes.choose(tutor.db, tutor.lesson("mini"), who, tutor.seat(who), "go_on")
