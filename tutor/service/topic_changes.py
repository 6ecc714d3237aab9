"""Changing what a lesson is about: a ready topic, or the learner's own in their words.

A change is checked before anything is written: :func:`topic_switch` says what the lesson
would become beside what it is now (so the page can ask first), and the writes go through
:func:`tutor.service.writes.set_topic`, all or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tutor.errors import BadFields, BadInput
from tutor.lessons.loaded import LoadedLesson
from tutor.lessons.topics import CUSTOM, OwnTopic, Switch, offers_own, stored_topic
from tutor.lessons.topics import own_topic as checked_own
from tutor.service import places, writes
from tutor.store import progress
from tutor.store.database import Database
from tutor.teaching import resume


def set_topic(db: Database, lesson: LoadedLesson, learner_id: str, topic: str) -> None:
    """Make a lesson about another topic for this learner; remembered. ``custom`` is
    the learner's own topic, as they last wrote it."""
    if topic == CUSTOM and offers_own(lesson.lesson):
        writes.set_topic(db, lesson, learner_id, CUSTOM)
        return
    writes.set_topic(db, lesson, learner_id, places.topic(lesson, topic))


def set_own_topic(
    db: Database, lesson: LoadedLesson, learner_id: str, given: Mapping[str, Any]
) -> None:
    """Make a lesson about the learner's own topic, from their words: each checked
    against the lesson's topic words (BadFields names every one that does not fit)."""
    mine = _own(lesson, given)
    writes.set_topic(db, lesson, learner_id, CUSTOM, own=mine.as_stored())


def topic_switch(
    db: Database,
    lesson: LoadedLesson,
    learner_id: str,
    *,
    topic: str = "",
    own: Mapping[str, Any] | None = None,
) -> Switch:
    """The switch a change would make, from the learner's topic now to ``own`` (words
    newly written) or ``topic`` (a ready topic, or ``custom`` for the own topic as last
    written). Only checked, never written: the page asks the learner before it changes."""
    with db.reading() as connection:
        position = progress.position(connection, learner_id=learner_id, lesson_id=lesson.id)
    now = resume.position_topic(lesson, position)
    if own:
        return Switch(now=now, to=_own(lesson, own))
    if topic == CUSTOM and offers_own(lesson.lesson):
        mine = stored_topic(lesson.lesson, position.own_topic if position else None)
        if mine is None:
            raise BadInput(
                f"no topic of your own for lesson {lesson.id!r} yet",
                wording="You have not written a topic of your own yet: write one first.",
            )
        return Switch(now=now, to=mine)
    return Switch(now=now, to=places.topic(lesson, topic))


def own_topic(db: Database, lesson: LoadedLesson, learner_id: str | None) -> OwnTopic | None:
    """The learner's own topic for a lesson as they last wrote it, in use or not."""
    if learner_id is None:
        return None
    with db.reading() as connection:
        position = progress.position(connection, learner_id=learner_id, lesson_id=lesson.id)
    return stored_topic(lesson.lesson, position.own_topic if position else None)


def _own(lesson: LoadedLesson, given: Mapping[str, Any]) -> OwnTopic:
    """The learner's own topic from their words, checked: BadInput where the lesson offers
    only its ready topics, BadFields naming every word that does not fit."""
    if not offers_own(lesson.lesson):
        raise BadInput(f"lesson {lesson.id!r} offers only its ready topics")
    mine, problems = checked_own(lesson.lesson, given)
    if mine is None:
        raise BadFields(problems, where=("custom",))
    return mine
