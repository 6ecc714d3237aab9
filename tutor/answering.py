"""Writing down what learners do: answers, choices and topics, each all or nothing.

An answer's attempt, the skill state and the position are written together or not
at all (through ``answer_sql``, the hot path's Core statements); a retried answer
(the same idempotency key) returns the first result; two answers racing for one
position cannot both win. The decisions are the pure ``adaptive`` and ``mastery``
modules'; what is shown is built by ``payloads``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tutor import adaptive, answer_sql, mastery, payloads, repo
from tutor.errors import Conflict
from tutor.grading import AnswerError, Graded, grade, parse_number
from tutor.lessons import LoadedLesson

if TYPE_CHECKING:
    from tutor.tutoring import Tutor


def set_topic(tutor: Tutor, learner_id: str, lesson_id: str, topic: str) -> None:
    lesson = tutor.lesson(lesson_id)
    tutor.topic(lesson, topic)
    try:
        with tutor.db.writing() as session:
            position = repo.get_position(
                session=session, learner_id=learner_id, lesson_id=lesson_id, for_update=True
            )
            if position is None:
                answer_sql.ensure_learner(connection=session.connection(), learner_id=learner_id)
                state = tutor._state(lesson, learner_id, None)
                repo.add_position(
                    session=session,
                    learner_id=learner_id,
                    lesson_id=lesson_id,
                    state=state.to_json(),
                    topic=topic,
                )
            else:
                position.topic = topic
    except (StaleDataError, IntegrityError):
        raise Conflict("the lesson moved on while the topic was changing; try again") from None


def answer(
    tutor: Tutor,
    learner_id: str,
    lesson_id: str,
    *,
    question_id: str,
    variant: int,
    option_id: str | None = None,
    value: str | float | None = None,
    idempotency_key: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """Grade and record an answer to the current item; returns (attempt id, response)."""
    lesson = tutor.lesson(lesson_id)

    def record(connection: Connection) -> tuple[int, dict[str, Any]]:
        return _record_answer(
            tutor,
            connection,
            lesson,
            learner_id,
            question_id,
            variant,
            option_id,
            value,
            idempotency_key,
        )

    try:
        return tutor.db.write(record)
    except IntegrityError:
        # Another request with the same idempotency key, or the same first answer,
        # won the race; or the key was used before: report what it recorded, or a conflict.
        if idempotency_key:
            with tutor.db.engine.connect() as connection:
                existing = answer_sql.attempt_by_key(
                    connection=connection, learner_id=learner_id, key=idempotency_key
                )
            if existing is not None:
                _same_answer(existing, question_id, variant, option_id, value)
                return existing.id, existing.response
        raise Conflict(
            "another answer to this item was recorded at the same time; "
            "fetch the next item and answer that"
        ) from None


def _record_answer(
    tutor: Tutor,
    connection: Connection,
    lesson: LoadedLesson,
    learner_id: str,
    question_id: str,
    variant: int,
    option_id: str | None,
    value: str | float | None,
    idempotency_key: str | None,
) -> tuple[int, dict[str, Any]]:
    learner = {"connection": connection, "learner_id": learner_id, "lesson_id": lesson.id}
    position, skills = answer_sql.read(**learner, question_id=question_id, variant=variant)
    if position is None:  # a first answer; a browser learner may have no row yet
        answer_sql.ensure_learner(connection=connection, learner_id=learner_id)
    state = tutor._state(lesson, learner_id, position.state if position else None)
    topic = tutor._stored_topic(lesson, position)
    current = payloads.describe(lesson, state, topic)
    if current.question is None or (question_id, variant) != (
        current.question.id,
        current.question.seed,
    ):
        if idempotency_key and position is not None:
            # Not the current item: perhaps a retry of an answer that moved the lesson on.
            # Looked up under the position's lock, so a retry that waited behind its twin
            # finds the twin's answer. (A retry of the current item is caught by the
            # unique key when it is written.)
            existing = answer_sql.attempt_by_key(
                connection=connection, learner_id=learner_id, key=idempotency_key
            )
            if existing is not None:
                _same_answer(existing, question_id, variant, option_id, value)
                return existing.id, existing.response
        if current.question is None:
            raise Conflict(f"lesson {lesson.id!r} is finished: there is nothing left to answer")
        raise Conflict(
            f"question {question_id!r} variant {variant} is not the current item "
            f"(that is {current.question.id!r} variant {current.question.seed}); "
            "fetch /next and answer that"
        )
    graded = grade(current.question, option_id=option_id, value=value)
    # With no position there are no answers yet: the two are written together.
    first_try = position is None or not position.answered
    skill = current.question.skill
    counted = _count_evidence(lesson, skills.get(skill), skill, graded, first_try)
    # The position's version counts its writes: a fresh seed for every decision.
    counter = (position.version if position else 0) + 1
    decision = adaptive.after_answer(
        lesson,
        state,
        graded.grade,
        p_known={**tutor.p_known(lesson, skills), skill: counted["p_known"]},
        misconception_skill=lesson.misconception_skills.get(graded.misconception or ""),
        rng=tutor._rng(learner_id, lesson.id, counter),
    )
    following = payloads.describe(lesson, decision.state, topic)
    response = payloads.answer_response(current, graded, decision, following)
    attempt = {
        "learner_id": learner_id,
        "lesson_id": lesson.id,
        "lesson_hash": lesson.content_hash,
        "step_id": current.step.id if current.step else "",
        "question_id": question_id,
        "skill_id": skill,
        "variant": variant,
        "role": current.role or "main",
        "topic": topic,
        "answer": graded.answer[:64],
        "option_index": graded.option_index,
        "grade": graded.grade,
        "mistake": graded.mistake,
        "first_try": first_try,
        "angle": decision.angle,
        "idempotency_key": idempotency_key,
        "response": response,
    }
    attempt_id, moved = answer_sql.record(
        **learner,
        attempt=attempt,
        before=skills,
        skill=skill,
        counted=counted,
        review=decision.state.review,
        state=decision.state.to_json(),
        topic=topic,
        version=position.version if position else None,
    )
    if not moved:
        raise Conflict("another answer moved this lesson on first; fetch /next")
    return attempt_id, response


def _same_answer(
    existing: Row,
    question_id: str,
    variant: int,
    option_id: str | None,
    value: str | float | None,
) -> None:
    """A key names one answer: the same key with a different answer is a client's mistake,
    not a retry, and saying so beats silently returning the first answer's result."""
    given = (
        option_id
        if option_id is not None
        else (f"{parse_number(value):g}" if value is not None else None)
    )
    if (existing.question_id, existing.variant, existing.answer) != (question_id, variant, given):
        raise AnswerError(
            "idempotency_key: already used for a different answer; send a new key with a new answer"
        )


def _count_evidence(
    lesson: LoadedLesson, row: Row | None, skill: str, graded: Graded, first_try: bool
) -> dict[str, Any]:
    """The skill's new P(known) and counts; only a first attempt at an item is evidence."""
    params = lesson.skill_params.get(skill) or mastery.Params()
    p_known, attempts, misses = (
        (row.p_known, row.attempts, row.misses) if row else (params.prior, 0, 0)
    )
    if first_try:
        p_known = mastery.update(p_known, graded.grade, params)
        attempts += 1
        misses += graded.grade != "exactly"
    return {"p_known": p_known, "attempts": attempts, "misses": misses}


def restart(tutor: Tutor, learner_id: str, lesson_id: str) -> None:
    """Start a lesson over from its first question. What the tutor knows of the learner's
    skills, and every answer already given, stay: a second pass builds on the first."""
    lesson = tutor.lesson(lesson_id)
    try:
        with tutor.db.writing() as session:
            position = repo.get_position(
                session=session, learner_id=learner_id, lesson_id=lesson.id, for_update=True
            )
            if position is None:
                return  # not started: it already begins at the beginning
            fresh = adaptive.start(lesson, tutor._rng(learner_id, lesson.id, position.version + 1))
            position.state = fresh.to_json()
    except StaleDataError:
        raise Conflict("the lesson moved on while it was restarting; try again") from None


def choose(tutor: Tutor, learner_id: str, lesson_id: str, choice: str) -> dict[str, Any]:
    """Act on an offer after repeated misses: another angle, a step back, or go on."""
    lesson = tutor.lesson(lesson_id)
    try:
        with tutor.db.writing() as session:
            position = repo.get_position(
                session=session, learner_id=learner_id, lesson_id=lesson.id, for_update=True
            )
            if position is None:
                raise Conflict("there is no offer to answer right now")
            state = tutor._state(lesson, learner_id, position.state)
            states = repo.skill_states(session=session, learner_id=learner_id, lesson_id=lesson.id)
            try:
                decision = adaptive.choose(
                    lesson,
                    state,
                    choice,
                    p_known=tutor.p_known(lesson, states),
                    rng=tutor._rng(learner_id, lesson.id, position.version + 1),
                )
            except ValueError as exc:
                raise Conflict(str(exc)) from None
            topic = tutor._stored_topic(lesson, position)
            following = payloads.describe(lesson, decision.state, topic)
            way = None
            if decision.angle and state.item:
                # Explains what the learner last answered, in its numbers: never the
                # question still waiting, whose answer it would give away.
                about = state.last or state.main or state.item.question
                way = payloads.another_way(lesson, decision.state, about, decision.angle, topic)
            position.state = decision.state.to_json()
            if decision.angle:
                # The check that comes next follows this explanation: analytics credits
                # it to this angle, as the policy does.
                last = repo.last_attempt(
                    session=session, learner_id=learner_id, lesson_id=lesson.id
                )
                if last is not None:
                    last.angle = decision.angle
    except StaleDataError:
        raise Conflict("another answer moved this lesson on first; fetch /next") from None
    return {
        "another_way": way,
        "message": payloads.REASONS.get(decision.reason or ""),
        "next": payloads.next_json(following),
    }
