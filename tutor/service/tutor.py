"""The tutoring service: what the HTML pages and the JSON API both call.

:class:`Tutor` holds the lessons and the database of one app, and is the one object the
front doors use. Its methods find the lesson and the learner's seat and hand the work to
the modules beside it: :mod:`~tutor.service.places` (where a learner is),
:mod:`~tutor.service.step_views` (a step's page and the recap),
:mod:`~tutor.service.reports` (skills and progress), :mod:`~tutor.service.topic_changes`,
:mod:`~tutor.service.practice_runs`, and the one-transaction writes of
:mod:`~tutor.service.answers` and :mod:`~tutor.service.writes`. The decisions are the pure
teaching functions'; what is shown is built by :mod:`tutor.teaching.payloads`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from tutor.errors import NotFound
from tutor.lessons.catalog import Catalog
from tutor.lessons.examples import WorkedExample
from tutor.lessons.kinds import Seat
from tutor.lessons.loaded import LoadedLesson
from tutor.lessons.topics import OwnTopic, Switch
from tutor.service import (
    answer_keys,
    answers,
    places,
    practice_runs,
    reports,
    standing,
    step_views,
    topic_changes,
    writes,
)
from tutor.service.step_views import EXCHANGES_SHOWN
from tutor.store import attempts, learners, progress
from tutor.store.database import Database
from tutor.store.tables import utcnow
from tutor.teaching import analytics, conversation, payloads
from tutor.teaching.payloads import Current, StepRef


class Tutor:
    """Lessons, learners' progress and answers: one instance per app."""

    def __init__(
        self,
        catalog: Catalog,
        database: Database,
        option_key: bytes,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.catalog = catalog
        self.db = database
        self.option_key = option_key
        self.clock = clock  # the time of answers and reviews; tests move it

    def seat(self, learner_id: str | None) -> Seat:
        """How ``learner_id`` is served options (their order and ids); anyone's for None."""
        return Seat(self.option_key, learner_id or "")

    # --- lessons -----------------------------------------------------------------

    def lesson(self, lesson_id: str) -> LoadedLesson:
        found = self.catalog.get(lesson_id)
        if found is None:
            raise NotFound(f"no lesson {lesson_id!r}; see /api/lessons for the lessons there are")
        return found

    def step_at(self, lesson: LoadedLesson, n: int, topic: str | None = None) -> StepRef:
        return places.step_at(lesson, n, topic)

    def topic(self, lesson: LoadedLesson, topic: str | None) -> str:
        """A topic to render in: a ready topic's id (checked), or a learner's own topic."""
        return places.topic(lesson, topic)

    def example(self, lesson: LoadedLesson, step_n: int, topic: str) -> WorkedExample | None:
        return payloads.example(lesson, step_n, topic)

    def step_json(self, lesson_id: str, n: int, topic: str | None) -> dict[str, Any]:
        """A step as API clients see it: texts, worked example, questions without grades."""
        lesson = self.lesson(lesson_id)
        chosen = self.topic(lesson, topic)
        self.step_at(lesson, n, chosen)
        return payloads.step_payload(lesson, n, chosen, self.seat(None))

    # --- learners ----------------------------------------------------------------

    def create_api_learner(self) -> tuple[str, str]:
        """A new learner and its bearer token (shown only this once)."""
        with self.db.writing() as connection:
            learner_id, token = learners.create(connection, with_token=True)
        assert token is not None
        return learner_id, token

    def has_learner(self, learner_id: str) -> bool:
        """Whether a learner is stored: a browser learner is, from its first write on."""
        with self.db.reading() as connection:
            return learners.exists(connection, learner_id=learner_id)

    def learner_for_token(self, token: str) -> str | None:
        """The learner a bearer token belongs to."""
        with self.db.reading() as connection:
            return learners.for_token(connection, token=token)

    # --- where a learner is ------------------------------------------------------

    def current(
        self,
        learner_id: str | None,
        lesson_id: str,
        *,
        topic: str | None = None,
        connection: Connection | None = None,
    ) -> Current:
        """The learner's current item (the first one for a learner not yet started)."""
        lesson = self.lesson(lesson_id)
        seat = self.seat(learner_id)
        return places.current(
            self.db, lesson, learner_id, seat, topic_id=topic, connection=connection
        )

    def next_json(self, learner_id: str, lesson_id: str) -> dict[str, Any]:
        """The `next` payload: the learner's current item, without any grade or feedback."""
        return payloads.next_json(self.current(learner_id, lesson_id))

    def skill_report(self, learner_id: str | None, lesson_id: str) -> list[dict[str, Any]]:
        """Each skill with the learner's P(known), its label (getting there, solid...), where
        it stands (solid, shaky, not yet) and whether it is due for review.

        P(known) is the estimate the tutor acts on (re-based on the learner's own record,
        see ``mastery``): a skill the tutor skips as mastered is shown as solid.
        """
        return reports.skill_report(self.db, self.lesson(lesson_id), learner_id, self.clock())

    def summary(self, learner_id: str | None, lesson_id: str) -> dict[str, Any]:
        """Where the learner stands in a lesson: each skill solid, shaky or not yet, the
        first-try score, and what to do next (``service.standing``)."""
        current = self.current(learner_id, lesson_id)
        return standing.summary(
            self.catalog,
            current.lesson,
            self.skill_report(learner_id, lesson_id),
            finished=current.done and bool(current.state.asked),
            step_n=current.step.n if current.step and current.state.asked else None,
        )

    def recap(self, learner_id: str | None, lesson_id: str) -> list[conversation.StepRecap]:
        """The loop the lesson taught, step by step, with the learner's own numbers."""
        return step_views.recap(self.db, learner_id, self.current(learner_id, lesson_id))

    def due(self, learner_id: str) -> dict[str, list]:
        """The learner's skills due for review now, across lessons, and those coming up."""
        with self.db.reading() as connection:
            rows = progress.memories(connection, learner_id=learner_id)
        return standing.due_list(self.catalog, rows, self.clock())

    def step_status(self, current: Current) -> list[str]:
        """not_started, in_progress or done for each step."""
        return places.step_status(current)

    def progress(self, learner_id: str | None) -> list[dict[str, Any]]:
        """Every lesson with the learner's step statuses and position."""
        return reports.progress(self.db, self.catalog, learner_id, self.seat(learner_id))

    def progress_json(self, learner_id: str) -> list[dict[str, Any]]:
        """The progress payload of the API: per lesson, where the learner is and how it goes."""
        seat = self.seat(learner_id)
        return reports.progress_json(self.db, self.catalog, learner_id, seat, self.clock())

    def step_view(
        self,
        learner_id: str | None,
        lesson_id: str,
        n: int,
        *,
        after: int | None = None,
        shown: str | None = None,
    ) -> dict[str, Any]:
        """What a step's page shows: texts, example, the last answer's reply, the current
        item, and the explanation the learner asked for (``shown``, an angle)."""
        lesson, seat = self.lesson(lesson_id), self.seat(learner_id)
        return step_views.step_view(self.db, lesson, n, learner_id, seat, after=after, shown=shown)

    def exchanges(
        self,
        learner_id: str | None,
        lesson: LoadedLesson,
        step_id: str,
        since: int = 0,
        limit: int = EXCHANGES_SHOWN,
        *,
        connection: Connection | None = None,
    ) -> list[conversation.Exchange]:
        """The learner's latest exchanges on a step in this pass through the lesson, oldest
        first."""
        return step_views.exchanges(
            self.db, lesson, learner_id, step_id, since=since, limit=limit, connection=connection
        )

    def last_attempt(self, learner_id: str, lesson_id: str) -> Row | None:
        """The learner's most recent answer in the lesson (for a form sent twice)."""
        with self.db.reading() as connection:
            return attempts.last(connection, learner_id=learner_id, lesson_id=lesson_id)

    def answered(self, learner_id: str, lesson_id: str, question_id: str, variant: int) -> bool:
        """Whether the learner has answered this variant of this question."""
        with self.db.reading() as connection:
            return attempts.answered_before(
                connection,
                learner_id=learner_id,
                lesson_id=lesson_id,
                question_id=question_id,
                variant=variant,
            )

    # --- for instructors ----------------------------------------------------------

    def answer_key(
        self, lesson_id: str, question_id: str, *, variant: int = 0, topic: str | None = None
    ) -> dict[str, Any]:
        """One variant of a question with its grades, feedback, mistakes and explanations."""
        lesson = self.lesson(lesson_id)
        known = self.catalog.misconceptions
        ideas = {m.id: m.idea for m in known.by_id.values()} if known else {}
        return answer_keys.answer_key(
            lesson, question_id, variant=variant, topic=self.topic(lesson, topic), ideas=ideas
        )

    def attempt_counts(self) -> dict[str, int]:
        """Answers recorded so far, per lesson."""
        with self.db.reading() as connection:
            return attempts.counts(connection)

    def analytics(
        self, lesson_id: str, version: str | None = None
    ) -> tuple[analytics.Report, list[dict[str, Any]]]:
        """The figures for one version of a lesson (the live one by default), and the
        versions that have answers."""
        lesson = self.lesson(lesson_id)
        version = version or lesson.content_hash
        with self.db.reading() as connection:
            versions = attempts.versions(connection, lesson_id=lesson.id)
            known = [v["version"] for v in versions]
            if version != lesson.content_hash and version not in known:
                raise NotFound(
                    f"lesson {lesson.id!r} has no answers to a version {version!r}; "
                    f"versions with answers: {', '.join(known) or 'none'} "
                    f"(the live one is {lesson.content_hash})"
                )
            rows = attempts.log(connection, lesson_id=lesson.id, version=version)
            learners = progress.everyone(connection, lesson_id=lesson.id)
        # What learners are told now holds for the live version: an older one's figures
        # rest on its answers alone.
        live = version == lesson.content_hash
        report = analytics.report(
            lesson, rows, version, **reports.standings(lesson, learners, mastered=live)
        )
        return report, versions

    # --- topics -------------------------------------------------------------------

    def set_topic(self, learner_id: str, lesson_id: str, topic: str) -> None:
        """Make a lesson about another topic for this learner; remembered. ``custom`` is
        the learner's own topic, as they last wrote it."""
        topic_changes.set_topic(self.db, self.lesson(lesson_id), learner_id, topic)

    def set_own_topic(self, learner_id: str, lesson_id: str, given: Mapping[str, Any]) -> None:
        """Make a lesson about the learner's own topic, from their words: each checked
        against the lesson's topic words (BadFields names every one that does not fit)."""
        topic_changes.set_own_topic(self.db, self.lesson(lesson_id), learner_id, given)

    def topic_switch(
        self,
        learner_id: str,
        lesson_id: str,
        *,
        topic: str = "",
        own: Mapping[str, Any] | None = None,
    ) -> Switch:
        """What a change of topic would make a lesson about, beside what it is about now;
        checked, nothing written, so the page can ask the learner first. ``own`` is an own
        topic newly written (BadFields names every word that does not fit); ``topic`` a
        ready topic's id, or ``custom`` for the own topic as last written."""
        lesson = self.lesson(lesson_id)
        return topic_changes.topic_switch(self.db, lesson, learner_id, topic=topic, own=own)

    def own_topic(self, learner_id: str | None, lesson_id: str) -> OwnTopic | None:
        """The learner's own topic for a lesson as they last wrote it, in use or not."""
        return topic_changes.own_topic(self.db, self.lesson(lesson_id), learner_id)

    # --- writes -------------------------------------------------------------------

    def restart(self, learner_id: str, lesson_id: str) -> None:
        """Go through a lesson again from its first question."""
        writes.restart(self.db, self.lesson(lesson_id), learner_id)

    def answer(self, learner_id: str, lesson_id: str, **answer: Any) -> tuple[int, dict[str, Any]]:
        """Grade and record an answer to the current item; returns (attempt id, response)."""
        lesson = self.lesson(lesson_id)
        seat = self.seat(learner_id)
        return answers.answer(self.db, lesson, learner_id, seat, now=self.clock(), **answer)

    async def answer_async(
        self, learner_id: str, lesson_id: str, **answer: Any
    ) -> tuple[int, dict[str, Any]]:
        """``answer``, awaited in the event loop: the API's answers take no worker thread."""
        lesson = self.lesson(lesson_id)
        seat = self.seat(learner_id)
        return await answers.answer_async(
            self.db, lesson, learner_id, seat, now=self.clock(), **answer
        )

    def hint(
        self,
        learner_id: str,
        lesson_id: str,
        *,
        question_id: str | None = None,
        variant: int | None = None,
        rung: int | None = None,
    ) -> dict[str, Any]:
        """The next rung of the hint ladder for the sub-step being asked (or ``rung``, when
        it is already shown or the next; for this sub-step, when it is named)."""
        return writes.hint(
            self.db,
            self.lesson(lesson_id),
            learner_id,
            self.seat(learner_id),
            asked=writes.HintAsked(question_id, variant, rung),
        )

    def study(self, learner_id: str, lesson_id: str, *, question_id: str, variant: int) -> dict:
        """Go on from the worked example on screen."""
        return writes.study(
            self.db,
            self.lesson(lesson_id),
            learner_id,
            self.seat(learner_id),
            question_id=question_id,
            variant=variant,
        )

    def practice(
        self,
        learner_id: str,
        lesson_id: str,
        *,
        skill: str | None = None,
        step: int | None = None,
    ) -> dict[str, Any]:
        """Start a short practice run: on ``skill``, on the skills of step ``step``, or on
        the learner's weakest skills. Returns the skills, the number of items and `next`."""
        lesson, seat = self.lesson(lesson_id), self.seat(learner_id)
        return practice_runs.practice(self.db, lesson, learner_id, seat, skill=skill, step=step)

    def review(self, learner_id: str, lesson_id: str) -> dict[str, Any]:
        """Start a review of the lesson's skills that are due; a conflict if none is."""
        lesson, seat = self.lesson(lesson_id), self.seat(learner_id)
        return practice_runs.review(self.db, lesson, learner_id, seat, self.clock())

    def choose(self, learner_id: str, lesson_id: str, choice: str) -> dict[str, Any]:
        """Act on an offer after repeated misses: another angle, a step back, or go on."""
        lesson = self.lesson(lesson_id)
        return writes.choose(self.db, lesson, learner_id, self.seat(learner_id), choice)
