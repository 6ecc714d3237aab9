"""The tutoring service: what the HTML pages and the JSON API both call.

:class:`Tutor` holds the lessons and the database of one app. Its reads say where a learner
is and how it goes; its writes (answers, choices, restarts, topics) are the one-transaction
writes of :mod:`tutor.service.writes`. The decisions are the pure teaching functions'; what
is shown is built by :mod:`tutor.teaching.payloads`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from tutor.errors import BadFields, BadInput, Conflict, NotFound
from tutor.lessons.catalog import Catalog
from tutor.lessons.examples import WorkedExample
from tutor.lessons.kinds import Seat
from tutor.lessons.loaded import LoadedLesson
from tutor.lessons.topics import (
    CUSTOM,
    OwnTopic,
    Switch,
    offers_own,
    own_topic,
    stored_topic,
)
from tutor.lessons.variants import render_step
from tutor.service import answer_keys, standing, writes
from tutor.store import attempts, learners, progress
from tutor.store.database import Database
from tutor.store.tables import utcnow
from tutor.teaching import (
    adaptive,
    analytics,
    angles,
    conversation,
    mastery,
    memory,
    payloads,
    resume,
    sessions,
)
from tutor.teaching.payloads import Current, StepRef
from tutor.teaching.state import State
from tutor.vocabulary import Role, StepStatus

EXCHANGES_SHOWN = 16
"""The most answers a step page shows, the latest: a page stays light (under 100 KB)
however many practice runs a step has seen."""
RECAP_ROWS = 2000
"""The most answers per step a lesson's recap counts (a first pass has a few dozen)."""


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

    @contextmanager
    def _read(self, connection: Connection | None) -> Iterator[Connection]:
        """``connection``, when the caller reads in one already; else a read of its own."""
        if connection is not None:
            yield connection
            return
        with self.db.reading() as opened:
            yield opened

    def step_at(self, lesson: LoadedLesson, n: int, topic: str | None = None) -> StepRef:
        _check_step(lesson, n)
        return payloads.step_ref(lesson, n - 1, self.topic(lesson, topic))

    def topic(self, lesson: LoadedLesson, topic: str | None) -> str:
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
        position = None
        if learner_id is not None:
            with self._read(connection) as reading:
                position, _ = progress.read(reading, learner_id=learner_id, lesson_id=lesson_id)
        state = resume.state(lesson, learner_id or "", position.state if position else None)
        chosen = self.topic(lesson, topic) if topic else resume.position_topic(lesson, position)
        return payloads.describe(lesson, state, chosen, self.seat(learner_id))

    def next_json(self, learner_id: str, lesson_id: str) -> dict[str, Any]:
        """The `next` payload: the learner's current item, without any grade or feedback."""
        return payloads.next_json(self.current(learner_id, lesson_id))

    def skill_report(self, learner_id: str | None, lesson_id: str) -> list[dict[str, Any]]:
        """Each skill with the learner's P(known), its label (getting there, solid...), where
        it stands (solid, shaky, not yet) and whether it is due for review.

        P(known) is the estimate the tutor acts on (re-based on the learner's own record,
        see ``mastery``): a skill the tutor skips as mastered is shown as solid.
        """
        lesson = self.lesson(lesson_id)
        position, records = None, {}
        if learner_id:
            with self.db.reading() as connection:
                position, records = progress.read(
                    connection, learner_id=learner_id, lesson_id=lesson_id
                )
        state = resume.state(lesson, learner_id or "", position.state if position else None)
        p, _ = self._estimates(lesson, state, records)
        now = self.clock()
        report = []
        for skill in lesson.lesson.skills:
            row = records.get(skill.id)
            made = row.attempts if row else 0
            firsts = row.firsts_right if row else 0
            report.append(
                {
                    "id": skill.id,
                    "name": skill.name,
                    "p_known": round(p[skill.id], 4),
                    "attempts": made,
                    "firsts_right": firsts,
                    "label": mastery.label(
                        p[skill.id],
                        attempts=made,
                        review=bool(row and row.review),
                        firsts_right=firsts,
                    ),
                    "standing": mastery.standing(p[skill.id], attempts=made, firsts_right=firsts),
                    "due": memory.is_due(row.due_at if row else None, now),
                    "due_at": row.due_at.isoformat() if row and row.due_at else None,
                }
            )
        return report

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
        current = self.current(learner_id, lesson_id)
        lesson = current.lesson
        titles, rows = [], []
        for step in lesson.lesson.steps:
            texts = render_step(lesson.lesson, step, current.topic)
            titles.append((texts.title, texts.takeaway))
            rows.append(
                self._step_rows(learner_id, lesson, step.id, current.state.since, RECAP_ROWS)
            )
        return conversation.recap(lesson, titles, rows)

    def due(self, learner_id: str) -> dict[str, list]:
        """The learner's skills due for review now, across lessons, and those coming up."""
        with self.db.reading() as connection:
            rows = progress.memories(connection, learner_id=learner_id)
        return standing.due_list(self.catalog, rows, self.clock())

    def step_status(self, current: Current) -> list[str]:
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

    def progress(self, learner_id: str | None) -> list[dict[str, Any]]:
        """Every lesson with the learner's step statuses and position."""
        stored: dict[str, Row] = {}
        if learner_id:
            with self.db.reading() as connection:
                stored = progress.positions(connection, learner_id=learner_id)
        out = []
        for lesson in self.catalog:
            position = stored.get(lesson.id)
            state = resume.state(lesson, learner_id or "", position.state if position else None)
            topic = resume.position_topic(lesson, position)
            current = payloads.describe(lesson, state, topic, self.seat(learner_id))
            statuses = self.step_status(current)
            out.append(
                {
                    "lesson": lesson,
                    "current": current,
                    "steps": statuses,
                    "done_steps": statuses.count(StepStatus.DONE),
                    "started": bool(state.asked),
                }
            )
        return out

    def progress_json(self, learner_id: str) -> list[dict[str, Any]]:
        """The progress payload of the API: per lesson, where the learner is and how it goes."""
        out = []
        for row in self.progress(learner_id):
            current = row["current"]
            out.append(
                {
                    "lesson_id": row["lesson"].id,
                    "title": row["lesson"].lesson.title,
                    "started": row["started"],
                    "done": current.done,
                    "topic": current.topic,
                    "steps": row["steps"],
                    "position": None if current.step is None else vars(current.step),
                    "question_id": current.question.id if current.question else None,
                    "skills": self.skill_report(learner_id, row["lesson"].id),
                }
            )
        return out

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
        # One read for the whole page: its position, the answer just sent and the step's
        # exchanges are seen as of one moment, at the cost of one transaction, not three.
        _check_step(self.lesson(lesson_id), n)
        with self.db.reading() as connection:
            current = self.current(learner_id, lesson_id, connection=connection)
            lesson = current.lesson
            step = lesson.step(n - 1)
            attempt = None
            if after is not None and learner_id is not None:
                attempt = attempts.of_learner(connection, learner_id=learner_id, attempt_id=after)
            said = self.exchanges(
                learner_id,
                lesson,
                step.id,
                current.state.since,
                EXCHANGES_SHOWN + 1,
                connection=connection,
            )
        ref = self.step_at(lesson, n, current.topic)
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
            "texts": render_step(lesson.lesson, step, current.topic),
            "example": self.example(lesson, n, current.topic),
            "current": current,
            "next": payloads.next_json(current),
            "feedback": feedback,
            "another_way": way,
            "exchanges": said,
            "earlier": earlier,  # older answers on this step are left out
            # The reply to move to (the answer just sent), else the latest one.
            "latest": after if any(x.id == after for x in said) else _last_id(said),
            "lead_in": self._lead_in(current, said) if on_this_step else None,
        }

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
        rows = self._step_rows(learner_id, lesson, step_id, since, limit, connection=connection)
        return conversation.exchanges(lesson, rows)

    def _step_rows(
        self,
        learner_id: str | None,
        lesson: LoadedLesson,
        step_id: str,
        since: int,
        limit: int = EXCHANGES_SHOWN,
        *,
        connection: Connection | None = None,
    ) -> list[Row]:
        if learner_id is None:
            return []
        with self._read(connection) as reading:
            return attempts.of_step(
                reading,
                learner_id=learner_id,
                lesson_id=lesson.id,
                step_id=step_id,
                after=since,
                limit=limit,
            )

    @staticmethod
    def _lead_in(current: Current, said: list[conversation.Exchange]) -> str | None:
        """The reading before the current question, unless it was shown with an earlier asking."""
        question = current.question
        if question is None or current.role != Role.MAIN or current.ladder is not None:
            return None
        if any(x.question_id == question.id for x in said):
            return None
        return conversation.lead_in_for(current.lesson, question.id, question.seed, current.topic)

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
            rows = attempts.log(connection, lesson_id=lesson.id, version=version)
            versions = attempts.versions(connection, lesson_id=lesson.id)
            completed, marked = attempts.learner_marks(connection, lesson_id=lesson.id)
        report = analytics.report(lesson, rows, version, completed=completed, marked=marked)
        return report, versions

    # --- writes -------------------------------------------------------------------

    def set_topic(self, learner_id: str, lesson_id: str, topic: str) -> None:
        """Make a lesson about another topic for this learner; remembered. ``custom`` is
        the learner's own topic, as they last wrote it."""
        lesson = self.lesson(lesson_id)
        if topic == CUSTOM and offers_own(lesson.lesson):
            writes.set_topic(self.db, lesson, learner_id, CUSTOM)
            return
        writes.set_topic(self.db, lesson, learner_id, self.topic(lesson, topic))

    def set_own_topic(self, learner_id: str, lesson_id: str, given: Mapping[str, Any]) -> None:
        """Make a lesson about the learner's own topic, from their words: each checked
        against the lesson's topic words (BadFields names every one that does not fit)."""
        lesson = self.lesson(lesson_id)
        if not offers_own(lesson.lesson):
            raise BadInput(f"lesson {lesson_id!r} offers only its ready topics")
        mine, problems = own_topic(lesson.lesson, given)
        if mine is None:
            raise BadFields(problems, where=("custom",))
        writes.set_topic(self.db, lesson, learner_id, CUSTOM, own=mine.as_stored())

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
        with self.db.reading() as connection:
            position, _ = progress.read(connection, learner_id=learner_id, lesson_id=lesson_id)
        now = resume.position_topic(lesson, position)
        if own:
            if not offers_own(lesson.lesson):
                raise BadInput(f"lesson {lesson_id!r} offers only its ready topics")
            mine, problems = own_topic(lesson.lesson, own)
            if mine is None:
                raise BadFields(problems, where=("custom",))
            return Switch(now=now, to=mine)
        if topic == CUSTOM and offers_own(lesson.lesson):
            mine = stored_topic(lesson.lesson, position.own_topic if position else None)
            if mine is None:
                raise BadInput(
                    f"no topic of your own for lesson {lesson_id!r} yet",
                    wording="You have not written a topic of your own yet: write one first.",
                )
            return Switch(now=now, to=mine)
        return Switch(now=now, to=self.topic(lesson, topic))

    def own_topic(self, learner_id: str | None, lesson_id: str) -> OwnTopic | None:
        """The learner's own topic for a lesson as they last wrote it, in use or not."""
        lesson = self.lesson(lesson_id)
        if learner_id is None:
            return None
        with self.db.reading() as connection:
            position, _ = progress.read(connection, learner_id=learner_id, lesson_id=lesson_id)
        return stored_topic(lesson.lesson, position.own_topic if position else None)

    def restart(self, learner_id: str, lesson_id: str) -> None:
        """Go through a lesson again from its first question."""
        writes.restart(self.db, self.lesson(lesson_id), learner_id)

    def answer(self, learner_id: str, lesson_id: str, **answer: Any) -> tuple[int, dict[str, Any]]:
        """Grade and record an answer to the current item; returns (attempt id, response)."""
        lesson = self.lesson(lesson_id)
        seat = self.seat(learner_id)
        return writes.answer(self.db, lesson, learner_id, seat, now=self.clock(), **answer)

    async def answer_async(
        self, learner_id: str, lesson_id: str, **answer: Any
    ) -> tuple[int, dict[str, Any]]:
        """``answer``, awaited in the event loop: the API's answers take no worker thread."""
        lesson = self.lesson(lesson_id)
        seat = self.seat(learner_id)
        return await writes.answer_async(
            self.db, lesson, learner_id, seat, now=self.clock(), **answer
        )

    def hint(self, learner_id: str, lesson_id: str) -> dict[str, Any]:
        """The next rung of the hint ladder for the sub-step being asked."""
        return writes.hint(self.db, self.lesson(lesson_id), learner_id, self.seat(learner_id))

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
        lesson = self.lesson(lesson_id)
        ids = [s.id for s in lesson.lesson.skills]
        if skill is not None and skill not in ids:
            raise BadInput(
                f"skill: {skill!r} is not a skill of this lesson; skills: {', '.join(ids)}"
            )
        if step is not None and not 1 <= step <= len(lesson.lesson.steps):
            raise BadInput(
                f"step: the lesson has steps 1 to {len(lesson.lesson.steps)}, not {step}"
            )

        def plan(state: State, records: Any) -> sessions.Plan:
            p, firsts = self._estimates(lesson, state, records)
            if skill is not None:
                chosen = [skill]
            elif step is not None:
                chosen = sessions.step_skills(lesson, step - 1)
            else:
                mastered = [s for s in ids if mastery.is_mastered(p[s], firsts.get(s, 0))]
                chosen = sessions.weakest(lesson, state, p, mastered)
            own = sessions.step_questions(lesson, step - 1) if step is not None else []
            return sessions.practice_plan(lesson, state, chosen, prefer=own)

        return self._session(lesson, learner_id, Role.PRACTICE, plan)

    def review(self, learner_id: str, lesson_id: str) -> dict[str, Any]:
        """Start a review of the lesson's skills that are due; a conflict if none is."""
        lesson = self.lesson(lesson_id)
        now = self.clock()

        def plan(state: State, records: Any) -> sessions.Plan:
            due = [s for s, row in records.items() if memory.is_due(row.due_at, now)]
            chosen = sessions.review_plan(lesson, state, due)
            if not chosen.questions:
                upcoming = [memory.aware(r.due_at, now) for r in records.values() if r.due_at]
                when = f"; the next is due {min(upcoming):%Y-%m-%d %H:%M} UTC" if upcoming else ""
                raise Conflict(f"nothing in lesson {lesson.id!r} is due for review yet{when}")
            return chosen

        return self._session(lesson, learner_id, Role.RECALL, plan)

    def _session(
        self,
        lesson: LoadedLesson,
        learner_id: str,
        role: Role,
        plan: Callable[[State, Any], sessions.Plan],
    ) -> dict[str, Any]:
        started = writes.start_session(
            self.db, lesson, learner_id, self.seat(learner_id), role=role, plan=plan
        )
        names = {s.id: s.name for s in lesson.lesson.skills}
        return {
            "kind": str(role),
            "skills": [{"id": s, "name": names[s]} for s in started["skills"]],
            "items": started["items"],
            "next": payloads.next_json(started["next"]),
        }

    @staticmethod
    def _estimates(
        lesson: LoadedLesson, state: State, records: Any
    ) -> tuple[dict[str, float], dict[str, int]]:
        """Each skill's P(known) for this learner, and its items right at first sight."""
        p = adaptive.estimate(lesson, state, mastery.p_known_by_skill(lesson, records))
        return p, {s: r.firsts_right for s, r in records.items()}

    def choose(self, learner_id: str, lesson_id: str, choice: str) -> dict[str, Any]:
        """Act on an offer after repeated misses: another angle, a step back, or go on."""
        lesson = self.lesson(lesson_id)
        return writes.choose(self.db, lesson, learner_id, self.seat(learner_id), choice)


def _last_id(said: list[conversation.Exchange]) -> int | None:
    return said[-1].id if said else None


def _check_step(lesson: LoadedLesson, n: int) -> None:
    if not 1 <= n <= len(lesson.lesson.steps):
        raise NotFound(f"lesson {lesson.id!r} has steps 1 to {len(lesson.lesson.steps)}, not {n}")
