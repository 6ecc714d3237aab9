"""Writing down what learners do: answers, choices, restarts and topics, each all or nothing.

Each write reads the learner's position (locked), lets the pure teaching functions decide,
and writes the result in the same transaction: for an answer, the attempt, the skill's
record and the position together or not at all. A position is only saved if no other write
moved it first (its version), so two requests racing for one position cannot both win; the
loser gets a :class:`~tutor.errors.Conflict` and changes nothing. A retried answer with
the same idempotency key returns the first one's reply.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from anyio import to_thread
from sqlalchemy import Connection, Row
from sqlalchemy.exc import IntegrityError

from tutor.errors import BadAnswer, BadInput, Conflict
from tutor.lessons.kinds import Seat
from tutor.lessons.kinds.numeric import parse_number
from tutor.lessons.loaded import LoadedLesson
from tutor.lessons.topics import CUSTOM
from tutor.store import attempts, learners, progress
from tutor.store.database import Database
from tutor.teaching import adaptive, answering, ladders, mastery, payloads, resume, sessions
from tutor.teaching.grading import grade
from tutor.teaching.sessions import Plan
from tutor.teaching.state import State, replace
from tutor.vocabulary import Role

MOVED_ON = "another answer moved this lesson on first; fetch /next"
RESTART_MOVED = "the lesson moved on while it was restarting; try again"
TOPIC_MOVED = "the lesson moved on while the topic was changing; try again"


def answer(
    db: Database,
    lesson: LoadedLesson,
    learner_id: str,
    seat: Seat,
    *,
    now: datetime,
    question_id: str,
    variant: int,
    option_id: str | None = None,
    value: str | float | None = None,
    idempotency_key: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """Grade and record an answer to the current item; returns (attempt id, reply)."""
    given = _Answer(question_id, variant, option_id, value, idempotency_key)
    record = partial(_record, lesson=lesson, learner_id=learner_id, seat=seat, given=given, now=now)
    try:
        return db.write(record)
    except IntegrityError:
        return _raced(db, learner_id, given)


async def answer_async(
    db: Database, lesson: LoadedLesson, learner_id: str, seat: Seat, *, now: datetime, **sent: Any
) -> tuple[int, dict[str, Any]]:
    """``answer`` (``sent`` is its answer's fields), awaited: no worker thread waits while
    the answer is written."""
    given = _Answer(**sent)
    record = partial(_record, lesson=lesson, learner_id=learner_id, seat=seat, given=given, now=now)
    try:
        return await db.write_async(record)
    except IntegrityError:
        return await to_thread.run_sync(_raced, db, learner_id, given)


def _raced(db: Database, learner_id: str, given: _Answer) -> tuple[int, dict[str, Any]]:
    """Another request with the same idempotency key, or the same first answer, won the
    race; or the key was used before: what it recorded, or a conflict."""
    if given.key:
        with db.reading() as connection:
            existing = attempts.by_key(connection, learner_id=learner_id, key=given.key)
        if existing is not None:
            given.check_same(existing)
            return existing.id, existing.response
    raise Conflict(
        "another answer to this item was recorded at the same time; "
        "fetch the next item and answer that"
    ) from None


class _Answer:
    """What the learner sent, as it came."""

    def __init__(self, question_id, variant, option_id=None, value=None, idempotency_key=None):
        self.question_id = question_id
        self.variant = variant
        self.option_id = option_id
        self.value = value
        self.key = idempotency_key

    def check_same(self, existing: Row) -> None:
        """A key names one answer: the same key with a different answer is a client's
        mistake, not a retry, and saying so beats silently returning the first result."""
        given = (
            self.option_id
            if self.option_id is not None
            else (f"{parse_number(self.value):g}" if self.value is not None else None)
        )
        if (existing.question_id, existing.variant, existing.answer) != (
            self.question_id,
            self.variant,
            given,
        ):
            raise BadAnswer(
                "idempotency_key: already used for a different answer; "
                "send a new key with a new answer"
            )


def _record(
    connection: Connection,
    lesson: LoadedLesson,
    learner_id: str,
    seat: Seat,
    given: _Answer,
    now: datetime,
) -> tuple[int, dict[str, Any]]:
    position, skills = progress.read(
        connection, learner_id=learner_id, lesson_id=lesson.id, lock=True
    )
    if position is None:  # a first answer; a browser learner may have no row yet
        learners.ensure(connection, learner_id=learner_id)
    state = resume.state(lesson, learner_id, position.state if position else None)
    topic = resume.position_topic(lesson, position)
    current = payloads.describe(lesson, state, topic, seat)
    item = current.question
    if item is None or (given.question_id, given.variant) != (item.id, item.seed):
        if given.key and position is not None:
            # Not the current item: perhaps a retry of an answer that moved the lesson on.
            # Looked up under the position's lock, so a retry that waited behind its twin
            # finds the twin's answer. (A retry of the current item is caught by the
            # unique key when it is written.)
            existing = attempts.by_key(connection, learner_id=learner_id, key=given.key)
            if existing is not None:
                given.check_same(existing)
                return existing.id, existing.response
        if item is None:
            raise Conflict(f"lesson {lesson.id!r} is finished: there is nothing left to answer")
        raise Conflict(
            f"question {given.question_id!r} variant {given.variant} is not the current item "
            f"(that is {item.id!r} variant {item.seed}); fetch /next and answer that"
        )
    graded = grade(item, seat, option_id=given.option_id, value=given.value)
    # The position's version counts its writes: a fresh seed for every decision.
    counter = (position.version if position else 0) + 1
    outcome = answering.decide(
        lesson,
        current,
        graded,
        skills=skills,
        rng=resume.rng(learner_id, lesson.id, counter),
        now=now,
    )
    attempt = {
        **outcome.attempt,
        "learner_id": learner_id,
        "lesson_id": lesson.id,
        "lesson_hash": lesson.content_hash,
        "idempotency_key": given.key,
    }
    attempt_id, moved = progress.record_answer(
        connection,
        learner_id=learner_id,
        lesson_id=lesson.id,
        attempt=attempt,
        before=skills,
        skill=outcome.skill,
        counted=outcome.evidence.as_dict(),
        review=outcome.state.review,
        state=outcome.state.to_json(),
        topic=position.topic if position else topic,
        version=position.version if position else None,
    )
    if not moved:
        raise Conflict(MOVED_ON)
    return attempt_id, outcome.response


def choose(
    db: Database, lesson: LoadedLesson, learner_id: str, seat: Seat, choice: str
) -> dict[str, Any]:
    """Act on an offer after repeated misses: another angle, a step back, or go on."""

    def write(connection: Connection) -> dict[str, Any]:
        position, skills = progress.read(
            connection, learner_id=learner_id, lesson_id=lesson.id, lock=True
        )
        if position is None:
            raise Conflict("there is no offer to answer right now")
        state = resume.state(lesson, learner_id, position.state)
        try:
            decision = adaptive.choose(
                lesson,
                state,
                choice,
                p_known=mastery.p_known_by_skill(lesson, skills),
                firsts_right={s: r.firsts_right for s, r in skills.items()},
                rng=resume.rng(learner_id, lesson.id, position.version + 1),
            )
        except ValueError as exc:
            raise Conflict(str(exc)) from None
        topic = resume.position_topic(lesson, position)
        following = payloads.describe(lesson, decision.state, topic, seat)
        way = None
        if decision.angle:
            # Explains the question on screen, in its numbers (seen from now on, when the
            # explanation is its own and may work its answer out).
            way = payloads.way_on_screen(lesson, decision.state, decision.angle, topic)
        _save(connection, lesson, learner_id, position, decision.state.to_json())
        if decision.angle:
            # The check that comes next follows this explanation: analytics credits it to
            # this angle, as the policy does.
            last = attempts.last(connection, learner_id=learner_id, lesson_id=lesson.id)
            if last is not None:
                attempts.set_angle(connection, attempt_id=last.id, angle=decision.angle)
        return {
            "another_way": way,
            "message": payloads.REASONS.get(decision.reason or ""),
            "next": payloads.next_json(following),
        }

    return db.write(write)


def hint(db: Database, lesson: LoadedLesson, learner_id: str, seat: Seat) -> dict[str, Any]:
    """The next hint for the sub-step being asked: a nudge, the formula, its worked value."""

    def write(connection: Connection) -> dict[str, Any]:
        position = progress.position(
            connection, learner_id=learner_id, lesson_id=lesson.id, lock=True
        )
        state = resume.state(lesson, learner_id, position.state if position else None)
        topic = resume.position_topic(lesson, position)
        current = payloads.describe(lesson, state, topic, seat)
        if state.ladder is None or current.explain is not None or current.question is None:
            raise Conflict("there is no sub-step to give a hint for: hints come inside a problem")
        rungs = payloads.hint_rungs(current.question)
        try:
            state, rung = ladders.take_hint(state, len(rungs))
        except ValueError as exc:
            raise Conflict(str(exc)) from None
        _save(connection, lesson, learner_id, position, state.to_json())
        following = payloads.describe(lesson, state, topic, seat)
        return {
            "rung": rung,
            "of": len(rungs),
            "hint": rungs[rung - 1],
            "next": payloads.next_json(following),
        }

    return db.write(write)


def study(
    db: Database,
    lesson: LoadedLesson,
    learner_id: str,
    seat: Seat,
    *,
    question_id: str,
    variant: int,
) -> dict[str, Any]:
    """Go on from a worked example (``<question id>.worked``) once it is studied."""

    def write(connection: Connection) -> dict[str, Any]:
        position, skills = progress.read(
            connection, learner_id=learner_id, lesson_id=lesson.id, lock=True
        )
        state = resume.state(lesson, learner_id, position.state if position else None)
        ladder = state.ladder
        if ladder is None or ladder.mode != ladders.EXAMPLE:
            raise Conflict("there is no worked example to go on from; fetch /next")
        if (question_id, variant) != (f"{ladder.question}.worked", ladder.variant):
            raise Conflict(
                f"{question_id!r} variant {variant} is not the worked example on screen "
                f"({ladder.question}.worked variant {ladder.variant}); fetch /next"
            )
        counter = (position.version if position else 0) + 1
        decision = adaptive.after_example(
            lesson,
            state,
            p_known=mastery.p_known_by_skill(lesson, skills),
            firsts_right={s: r.firsts_right for s, r in skills.items()},
            rng=resume.rng(learner_id, lesson.id, counter),
        )
        _save(connection, lesson, learner_id, position, decision.state.to_json())
        topic = resume.position_topic(lesson, position)
        following = payloads.describe(lesson, decision.state, topic, seat)
        return {
            "message": payloads.REASONS.get(decision.reason or ""),
            "next": payloads.next_json(following),
        }

    return db.write(write)


SESSION_MOVED = "the lesson moved on while the session was starting; try again"


def start_session(
    db: Database,
    lesson: LoadedLesson,
    learner_id: str,
    seat: Seat,
    *,
    role: Role,
    plan: Callable[[State, Mapping[str, Row]], Plan],
) -> dict[str, Any]:
    """Start a practice run or a review: ``plan`` picks its items from the learner's state
    and skill records. The learner's place is kept, to return to at the end."""

    def write(connection: Connection) -> dict[str, Any]:
        position, skills = progress.read(
            connection, learner_id=learner_id, lesson_id=lesson.id, lock=True
        )
        if position is None:
            learners.ensure(connection, learner_id=learner_id)
        state = resume.state(lesson, learner_id, position.state if position else None)
        chosen = plan(state, skills)
        counter = (position.version if position else 0) + 1
        rng = resume.rng(learner_id, lesson.id, counter)
        started = sessions.start(lesson, state, chosen, role, rng)
        firsts = {s: r.firsts_right for s, r in skills.items()}
        started = adaptive.present(
            lesson, started, mastery.p_known_by_skill(lesson, skills), firsts
        )
        _save(connection, lesson, learner_id, position, started.to_json(), moved=SESSION_MOVED)
        topic = resume.position_topic(lesson, position)
        following = payloads.describe(lesson, started, topic, seat)
        return {"skills": list(chosen.skills), "items": len(chosen.questions), "next": following}

    return db.write(write)


def restart(db: Database, lesson: LoadedLesson, learner_id: str) -> None:
    """Start a lesson over from its first question. What the tutor knows of the learner's
    skills, and every answer already given, stay: a second pass builds on the first."""

    def write(connection: Connection) -> None:
        position = progress.position(
            connection, learner_id=learner_id, lesson_id=lesson.id, lock=True
        )
        if position is None:
            return  # not started: it already begins at the beginning
        fresh = adaptive.start(lesson, resume.rng(learner_id, lesson.id, position.version + 1))
        # What the learner has been shown stays shown: a second pass is no first sight.
        seen = resume.state(lesson, learner_id, position.state).seen
        last = attempts.last(connection, learner_id=learner_id, lesson_id=lesson.id)
        state = replace(fresh, seen=seen, since=last.id if last else 0).to_json()
        _save(connection, lesson, learner_id, position, state, moved=RESTART_MOVED)

    db.write(write)


def set_topic(
    db: Database,
    lesson: LoadedLesson,
    learner_id: str,
    topic: str,
    *,
    own: Mapping[str, str] | None = None,
) -> None:
    """Make a lesson about another topic for this learner; remembered. ``own`` is the
    learner's own topic, newly written (``topic`` is then ``custom``)."""

    def write(connection: Connection) -> None:
        position = progress.position(
            connection, learner_id=learner_id, lesson_id=lesson.id, lock=True
        )
        if topic == CUSTOM and own is None and (position is None or not position.own_topic):
            raise BadInput(
                f"no topic of your own for lesson {lesson.id!r} yet; send "
                '{"custom": {...}} with a text for each of its topic words',
                wording="You have not written a topic of your own yet: write one first.",
            )
        if position is None:
            learners.ensure(connection, learner_id=learner_id)
            state = resume.state(lesson, learner_id, None).to_json()
        else:
            state = position.state
        _save(
            connection, lesson, learner_id, position, state, topic=topic, own=own, moved=TOPIC_MOVED
        )

    db.write(write)


def _save(
    connection: Connection,
    lesson: LoadedLesson,
    learner_id: str,
    position: Row | None,
    state: dict,
    *,
    topic: str | None = None,
    own: Mapping[str, str] | None = None,
    moved: str = MOVED_ON,
) -> None:
    if position is None:  # a first write: a browser learner may have no row yet
        learners.ensure(connection, learner_id=learner_id)
    saved = progress.save(
        connection,
        learner_id=learner_id,
        lesson_id=lesson.id,
        state=state,
        topic=topic if topic is not None else (position.topic if position else None),
        version=position.version if position else None,
        own_topic=own,
    )
    if not saved:
        raise Conflict(moved)
