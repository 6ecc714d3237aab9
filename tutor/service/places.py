"""Where a learner is in a lesson: the checked topic and step, and the current item.

Every read of a learner's place goes through :func:`current`, so the HTML pages, the JSON
API and the step page's single read all describe the same item the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from tutor.errors import NotFound
from tutor.lessons.kinds import Seat
from tutor.lessons.loaded import LoadedLesson
from tutor.lessons.topics import OwnTopic
from tutor.store import progress
from tutor.store.database import Database
from tutor.teaching import payloads, resume
from tutor.teaching.payloads import Current, StepRef
from tutor.vocabulary import StepStatus


@contextmanager
def reading(db: Database, connection: Connection | None) -> Iterator[Connection]:
    """``connection``, when the caller reads in one already; else a read of its own."""
    if connection is not None:
        yield connection
        return
    with db.reading() as opened:
        yield opened


def topic(lesson: LoadedLesson, topic: str | None) -> str:
    """A topic to render in: a ready topic's id (checked), or a learner's own topic."""
    if topic is None:
        return lesson.lesson.default_topic
    if isinstance(topic, OwnTopic):
        return topic
    if topic not in lesson.lesson.topics:
        raise NotFound(
            f"no topic {topic!r} in lesson {lesson.id!r}; topics: "
            + ", ".join(lesson.lesson.topics)
        )
    return topic


def check_step(lesson: LoadedLesson, n: int) -> None:
    """NotFound unless the lesson has a step ``n`` (counted from 1, as URLs count)."""
    if not 1 <= n <= len(lesson.lesson.steps):
        raise NotFound(f"lesson {lesson.id!r} has steps 1 to {len(lesson.lesson.steps)}, not {n}")


def step_at(lesson: LoadedLesson, n: int, topic_id: str | None) -> StepRef:
    """Step ``n`` of the lesson (checked), named in the topic (checked too)."""
    check_step(lesson, n)
    return payloads.step_ref(lesson, n - 1, topic(lesson, topic_id))


def current(
    db: Database,
    lesson: LoadedLesson,
    learner_id: str | None,
    seat: Seat,
    *,
    topic_id: str | None = None,
    connection: Connection | None = None,
) -> Current:
    """The learner's current item (the first one for a learner not yet started)."""
    position = None
    if learner_id is not None:
        with reading(db, connection) as read:
            position = progress.position(read, learner_id=learner_id, lesson_id=lesson.id)
    state = resume.state(lesson, learner_id or "", position.state if position else None)
    chosen = topic(lesson, topic_id) if topic_id else resume.position_topic(lesson, position)
    return payloads.describe(lesson, state, chosen, seat)


def step_status(current: Current) -> list[str]:
    """not_started, in_progress or done for each step."""
    completed = set(current.state.completed)
    here = current.step.id if current.step else None
    started = bool(current.state.asked)
    return [
        StepStatus.DONE
        if s.id in completed or current.done
        else StepStatus.IN_PROGRESS
        if s.id == here and started
        else StepStatus.NOT_STARTED
        for s in current.lesson.lesson.steps
    ]
