"""Writing down what learners do besides answering: choices, hints, worked examples,
sessions, restarts and topics, each all or nothing.

Each write reads the learner's position (locked), lets the pure teaching functions decide,
and writes the result in the same transaction. A position is only saved if no other write
moved it first (its version), so two requests racing for one position cannot both win; the
loser gets a :class:`~tutor.errors.Conflict` and changes nothing. Answers, which also keep
the attempt and the skill's record, are :mod:`~tutor.service.answers`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, Row

from tutor.errors import BadInput, Conflict
from tutor.lessons.kinds import Seat
from tutor.lessons.loaded import LoadedLesson
from tutor.lessons.topics import CUSTOM
from tutor.store import attempts, learners, progress
from tutor.store.database import Database
from tutor.teaching import adaptive, ladders, mastery, payloads, resume, sessions
from tutor.teaching.sessions import Plan
from tutor.teaching.state import State, replace
from tutor.vocabulary import Role

MOVED_ON = "another answer moved this lesson on first; fetch /next"
RESTART_MOVED = "the lesson moved on while it was restarting; try again"
TOPIC_MOVED = "the lesson moved on while the topic was changing; try again"


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


class HintAsked(NamedTuple):
    """What a hint request named, each part optional: the sub-step and the rung."""

    question_id: str | None = None
    variant: int | None = None
    rung: int | None = None


ANY_HINT = HintAsked()
"""A hint request that names nothing: the next rung of whatever sub-step is asked."""


def hint(
    db: Database, lesson: LoadedLesson, learner_id: str, seat: Seat, asked: HintAsked = ANY_HINT
) -> dict[str, Any]:
    """The next hint for the sub-step being asked: a nudge, the formula, its worked value.

    A request that names a rung already shown (a retry, a form sent twice) is shown that
    rung again and takes nothing more, since every hint taken counts against the answer."""

    def write(connection: Connection) -> dict[str, Any]:
        position = progress.position(
            connection, learner_id=learner_id, lesson_id=lesson.id, lock=True
        )
        state = resume.state(lesson, learner_id, position.state if position else None)
        topic = resume.position_topic(lesson, position)
        current = payloads.describe(lesson, state, topic, seat)
        if state.ladder is not None and current.explain is not None:
            raise Conflict(
                "a worked example has no hints: every part of it is worked. POST "
                f"/api/lessons/{lesson.id}/continue once it is studied"
            )
        if state.ladder is None or current.question is None:
            raise Conflict("there is no sub-step to give a hint for: hints come inside a problem")
        _check_sub_step(current, asked)
        rungs = payloads.hint_rungs(current.question)
        shown = state.ladder.hints
        if asked.rung is not None and asked.rung <= shown:
            return _hint_reply(asked.rung, rungs, current)  # shown again: nothing is written
        try:
            taken, rung = ladders.take_hint(state, len(rungs))
        except ValueError as exc:
            raise Conflict(str(exc)) from None
        if asked.rung is not None and asked.rung != rung:
            raise Conflict(
                f"hint {asked.rung} is not the next one: {shown} of {len(rungs)} shown, "
                f"so the next is {rung}"
            )
        _save(connection, lesson, learner_id, position, taken.to_json())
        return _hint_reply(rung, rungs, payloads.describe(lesson, taken, topic, seat))

    return db.write(write)


def _check_sub_step(current: payloads.Current, asked: HintAsked) -> None:
    """A hint named for a sub-step (or a variant) that is no longer asked is refused."""
    assert current.question is not None
    now = (payloads.shown_id(current), current.question.seed)
    if asked.question_id not in (None, now[0]) or asked.variant not in (None, now[1]):
        named = ", ".join(
            f"{name} {value!r}"
            for name, value in (("question_id", asked.question_id), ("variant", asked.variant))
            if value is not None
        )
        raise Conflict(
            f"the hint was asked for {named}, but the sub-step being asked is {now[0]!r} "
            f"variant {now[1]}; fetch /next"
        )


def _hint_reply(rung: int, rungs: Sequence[str], following: payloads.Current) -> dict[str, Any]:
    return {
        "rung": rung,
        "of": len(rungs),
        "hint": rungs[rung - 1],
        "next": payloads.next_json(following),
    }


def study(
    db: Database,
    lesson: LoadedLesson,
    learner_id: str,
    seat: Seat,
    *,
    question_id: str,
    variant: int,
) -> dict[str, Any]:
    """Go on from a worked example (``<question id>.worked``) once it is studied.

    A retry of the request that went on (a client's timeout, a form sent twice), with
    nothing written since, is told what that request was told, and changes nothing."""

    def write(connection: Connection) -> dict[str, Any]:
        position, skills = progress.read(
            connection, learner_id=learner_id, lesson_id=lesson.id, lock=True
        )
        state = resume.state(lesson, learner_id, position.state if position else None)
        again = _went_on_again(lesson, seat, state, position, question_id, variant)
        if again is not None:
            return again
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
        # The version this write gives the position: how a retry of it is known.
        went_on = (ladder.question, ladder.variant, decision.reason, counter)
        _save(
            connection,
            lesson,
            learner_id,
            position,
            replace(decision.state, went_on=went_on).to_json(),
        )
        topic = resume.position_topic(lesson, position)
        following = payloads.describe(lesson, decision.state, topic, seat)
        return {
            "message": payloads.REASONS.get(decision.reason or ""),
            "next": payloads.next_json(following),
        }

    return db.write(write)


def _went_on_again(
    lesson: LoadedLesson,
    seat: Seat,
    state: State,
    position: Row | None,
    question_id: str,
    variant: int,
) -> dict[str, Any] | None:
    """What the request that went on from this worked example was told, if this is that
    request again with nothing written since (the position still at the version it made)."""
    went = state.went_on
    if went is None or position is None:
        return None
    if (question_id, variant, position.version) != (f"{went[0]}.worked", went[1], went[3]):
        return None
    current = payloads.describe(lesson, state, resume.position_topic(lesson, position), seat)
    return {"message": payloads.REASONS.get(went[2] or ""), "next": payloads.next_json(current)}


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
        # What the learner has been shown stays shown: a second pass is no first sight. And
        # how they did before being taught still sets their own prior (``State.first_tries``).
        before = resume.state(lesson, learner_id, position.state)
        last = attempts.last(connection, learner_id=learner_id, lesson_id=lesson.id)
        state = replace(
            fresh,
            seen=before.seen,
            since=last.id if last else 0,
            earlier_untaught=before.first_tries,
        ).to_json()
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
