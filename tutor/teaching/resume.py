"""Where a learner stands in a lesson, from what was stored: pure and reproducible.

A stored state is taken as it is when it still fits the lesson; an edited lesson may have
lost the learner's item, and then the state moves to the nearest valid one (``relocate``).
Every decision draws from a generator seeded by who, which lesson and how far along, so
the same history always gives the same variants.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from tutor.lessons.loaded import LoadedLesson
from tutor.lessons.topics import CUSTOM, stored_topic
from tutor.teaching import adaptive
from tutor.teaching.relocate import is_valid, relocate
from tutor.teaching.state import State


def stable_hash(*parts: str) -> int:
    return int.from_bytes(hashlib.blake2s("\x00".join(parts).encode(), digest_size=8).digest())


def rng(learner_id: str, lesson_id: str, counter: int) -> np.random.Generator:
    """The generator of one decision: seeded by who, what and how far along."""
    return np.random.default_rng([stable_hash(learner_id, lesson_id), counter])


def state(lesson: LoadedLesson, learner_id: str, stored: Mapping | None) -> State:
    """The learner's state in ``lesson``: the stored one, or the lesson's start."""
    if stored is None:
        return _start(lesson, learner_id)
    found = State.from_json(stored)
    if is_valid(lesson, found):
        return found  # nearly always: no generator to seed
    # The seed is fixed by the stored state, so every read agrees until it is saved.
    return relocate(lesson, found, rng(learner_id, lesson.id, found.answered + 7))


@lru_cache(maxsize=4096)
def _start(lesson: LoadedLesson, learner_id: str) -> State:
    # The same on every read until the first answer, for every lesson the home page lists
    # that the learner has not begun: seeding its generator cost more than the rest of a
    # page's read. (States are never changed in place.)
    return adaptive.start(lesson, rng(learner_id, lesson.id, 0))


def topic(lesson: LoadedLesson, stored: str | None, own: Mapping[str, str] | None = None) -> str:
    """The topic a learner chose, while the lesson still has it; else the lesson's default.
    ``own`` is the learner's own topic, used when they chose it (``custom``)."""
    if stored == CUSTOM:
        mine = stored_topic(lesson.lesson, own)
        if mine is not None:
            return mine
    return stored if stored in lesson.lesson.topics else lesson.lesson.default_topic


def position_topic(lesson: LoadedLesson, position: Any) -> str:
    """The topic of a stored position (a row with ``topic`` and ``own_topic``), or the
    lesson's default before the learner has one."""
    if position is None:
        return lesson.lesson.default_topic
    return topic(lesson, position.topic, position.own_topic)
