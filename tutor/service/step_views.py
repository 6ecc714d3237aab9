"""What a step's page shows, and the lesson's recap: the conversation read back.

A step page is built from one read (the learner's position, the answer just sent and the
step's exchanges, as of one moment); the recap reads each step's answers of this pass
through the lesson, so the loop the lesson taught is retold with the learner's own numbers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row

from tutor.lessons.kinds import Seat
from tutor.lessons.loaded import LoadedLesson
from tutor.service import places
from tutor.store import attempts
from tutor.store.database import Database
from tutor.teaching import angles, conversation, payloads
from tutor.teaching.payloads import Current
from tutor.vocabulary import Role

EXCHANGES_SHOWN = 16
"""The most answers a step page shows, the latest: a page stays light (under 100 KB)
however many practice runs a step has seen."""
RECAP_ROWS = 2000
"""The most answers per step a lesson's recap counts (a first pass has a few dozen)."""


def step_view(
    db: Database,
    lesson: LoadedLesson,
    n: int,
    learner_id: str | None,
    seat: Seat,
    after: int | None,
    shown: str | None,
) -> dict[str, Any]:
    """Everything step ``n``'s page needs: its texts and worked example, the current item,
    the conversation so far, the reply to ``after`` (the answer just sent) where the
    conversation does not show it, and explanation ``shown`` if the learner asked for it."""
    # One read for the whole page: its position, the answer just sent and the step's
    # exchanges are seen as of one moment, at the cost of one transaction, not three.
    places.check_step(lesson, n)
    with db.reading() as connection:
        current = places.current(db, lesson, learner_id, seat, connection=connection)
        lesson = current.lesson
        step = lesson.step(n - 1)
        attempt = None
        if after is not None and learner_id is not None:
            attempt = attempts.of_learner(connection, learner_id=learner_id, attempt_id=after)
        # One more than shown, to know whether older answers are left out.
        said = exchanges(
            db,
            lesson,
            learner_id,
            step.id,
            since=current.state.since,
            limit=EXCHANGES_SHOWN + 1,
            connection=connection,
        )
    ref = places.step_at(lesson, n, current.topic)
    feedback = None
    if attempt is not None and attempt.lesson_id == lesson.id:
        feedback = attempt.response
    way = None
    state = current.state
    on_this_step = current.step is not None and current.step.n == n
    source = angles.on_screen(lesson, state) if current.question and on_this_step else None
    # Only an explanation the learner asked for, of the question on screen.
    if source is not None and shown in state.angles.get(source.owner, ()):
        way = payloads.way_on_screen(lesson, state, shown, current.topic)
    earlier = len(said) > EXCHANGES_SHOWN
    said = said[-EXCHANGES_SHOWN:]
    if feedback is not None and any(x.id == after for x in said):
        feedback = None  # the conversation shows it, in its place
    return {
        "lesson": lesson.lesson,
        "step": step,
        "ref": ref,
        "texts": payloads.step_texts(lesson, n - 1, current.topic),
        "example": payloads.example(lesson, n, current.topic),
        "current": current,
        # The item as the question form shows it: only on the step it is on (other steps'
        # pages say where the learner is, from ``current``).
        "next": payloads.next_json(current) if on_this_step else None,
        "feedback": feedback,
        "another_way": way,
        "exchanges": said,
        "earlier": earlier,  # older answers on this step are left out
        # The reply to move to (the answer just sent), else the latest one.
        "latest": after if any(x.id == after for x in said) else _last_id(said),
        "lead_in": _lead_in(current, said) if on_this_step else None,
    }


def recap(db: Database, learner_id: str | None, current: Current) -> list[conversation.StepRecap]:
    """The loop the lesson taught, step by step, with the learner's own numbers."""
    lesson = current.lesson
    titles, rows = [], []
    for index, step in enumerate(lesson.lesson.steps):
        texts = payloads.step_texts(lesson, index, current.topic)
        titles.append((texts.title, texts.takeaway))
        rows.append(_step_rows(db, learner_id, lesson, step.id, current.state.since, RECAP_ROWS))
    return conversation.recap(lesson, titles, rows)


def exchanges(
    db: Database,
    lesson: LoadedLesson,
    learner_id: str | None,
    step_id: str,
    *,
    since: int = 0,
    limit: int = EXCHANGES_SHOWN,
    connection: Connection | None = None,
) -> list[conversation.Exchange]:
    """The conversation on a step as the page tells it: at most ``limit`` of the latest
    answers since ``since`` (the start of this pass), oldest first; read in ``connection``
    when the caller has one open."""
    rows = _step_rows(db, learner_id, lesson, step_id, since, limit, connection=connection)
    return conversation.exchanges(lesson, rows)


def _step_rows(
    db: Database,
    learner_id: str | None,
    lesson: LoadedLesson,
    step_id: str,
    since: int,
    limit: int = EXCHANGES_SHOWN,
    *,
    connection: Connection | None = None,
) -> list[Row]:
    """The learner's answers on a step since ``since`` (the start of this pass), at most
    ``limit`` of the latest; none for a visitor who has not answered yet."""
    if learner_id is None:
        return []
    with places.reading(db, connection) as read:
        return attempts.of_step(
            read,
            learner_id=learner_id,
            lesson_id=lesson.id,
            step_id=step_id,
            after=since,
            limit=limit,
        )


def _lead_in(current: Current, said: list[conversation.Exchange]) -> str | None:
    """The reading before the current question, unless it was shown with an earlier asking."""
    question = current.question
    if question is None or current.role != Role.MAIN or current.ladder is not None:
        return None
    if any(x.question_id == question.id for x in said):
        return None
    return conversation.lead_in_for(current.lesson, question.id, question.seed, current.topic)


def _last_id(said: list[conversation.Exchange]) -> int | None:
    return said[-1].id if said else None
