"""The tutoring service: what the HTML pages and the JSON API both call.

It reads the learner's state, grades answers and records them. Every answer is
one transaction: the attempt, the skill state and the position are written
together or not at all. The decisions are made by the pure ``adaptive`` and
``mastery`` modules; what is shown is built by the pure ``payloads`` module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import numpy as np
from sqlalchemy.exc import IntegrityError

from tutor import adaptive, analytics, answering, mastery, payloads, repo
from tutor.db import Database
from tutor.errors import Conflict, NotFound
from tutor.examples import WorkedExample
from tutor.grading import AnswerError
from tutor.lessons import Catalog, LoadedLesson
from tutor.models import Attempt, Position, SkillState
from tutor.payloads import NOT_SURE_TEXT, Current, StepRef
from tutor.relocate import is_valid, relocate
from tutor.variants import render_step


def stable_hash(*parts: str) -> int:
    return int.from_bytes(hashlib.blake2s("\x00".join(parts).encode(), digest_size=8).digest())


class Tutor:
    """Lessons, learners' progress and answers: one instance per app."""

    def __init__(self, catalog: Catalog, database: Database):
        self.catalog = catalog
        self.db = database
        self._tokens: dict[str, str] = {}

    # --- lessons -----------------------------------------------------------------

    def lesson(self, lesson_id: str) -> LoadedLesson:
        found = self.catalog.get(lesson_id)
        if found is None:
            raise NotFound(f"no lesson {lesson_id!r}; see /api/lessons for the lessons there are")
        return found

    def step_at(self, lesson: LoadedLesson, n: int, topic: str | None = None) -> StepRef:
        if not 1 <= n <= len(lesson.lesson.steps):
            raise NotFound(
                f"lesson {lesson.id!r} has steps 1 to {len(lesson.lesson.steps)}, not {n}"
            )
        return payloads.step_ref(lesson, n - 1, self.topic(lesson, topic))

    def topic(self, lesson: LoadedLesson, topic: str | None) -> str:
        if topic is None:
            return lesson.lesson.default_topic
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
        return payloads.step_payload(lesson, n, chosen)

    def next_json(self, current: Current) -> dict[str, Any]:
        return payloads.next_json(current)

    # --- learners ----------------------------------------------------------------

    def create_api_learner(self) -> tuple[str, str]:
        with self.db.writing() as session:
            learner_id, token = repo.create_learner(session=session, with_token=True)
        assert token is not None
        return learner_id, token

    def known_token(self, token: str) -> str | None:
        """The learner of a token already seen by this process, without I/O."""
        return self._tokens.get(token)

    def learner_for_token(self, token: str) -> str | None:
        """The learner a bearer token belongs to; tokens never change, so hits are kept."""
        found = self._tokens.get(token)
        if found is None:
            with self.db.reading() as session:
                found = repo.learner_for_token(session=session, token=token)
            if found is not None:
                if len(self._tokens) >= 100_000:
                    self._tokens.clear()
                self._tokens[token] = found
        return found

    def secret(self, name: str) -> str:
        try:
            with self.db.writing() as session:
                return repo.instance_secret(session=session, name=name)
        except IntegrityError:  # another worker made it first: use theirs
            with self.db.reading() as session:
                return repo.instance_secret(session=session, name=name)

    # --- state -------------------------------------------------------------------

    def _rng(self, learner_id: str, lesson_id: str, counter: int) -> np.random.Generator:
        # Seeded from who, what and how far along: the same history gives the same variants.
        return np.random.default_rng([stable_hash(learner_id, lesson_id), counter])

    def _state(
        self, lesson: LoadedLesson, learner_id: str, stored: Mapping | None
    ) -> adaptive.State:
        if stored is None:
            return adaptive.start(lesson, self._rng(learner_id, lesson.id, 0))
        state = adaptive.State.from_json(stored)
        if is_valid(lesson, state):
            return state  # nearly always: no generator to seed
        # An edited lesson may have lost the learner's item: move to the nearest valid one.
        # The seed is fixed by the stored state, so every read agrees until it is saved.
        return relocate(lesson, state, self._rng(learner_id, lesson.id, len(state.asked) + 7))

    def _stored_topic(self, lesson: LoadedLesson, position: Position | None) -> str:
        topic = position.topic if position is not None else None
        return topic if topic in lesson.lesson.topics else lesson.lesson.default_topic

    def current(
        self, learner_id: str | None, lesson_id: str, *, topic: str | None = None
    ) -> Current:
        """The learner's current item (the first one for a learner not yet started)."""
        lesson = self.lesson(lesson_id)
        position = None
        if learner_id is not None:
            with self.db.reading() as session:
                position = repo.get_position(
                    session=session, learner_id=learner_id, lesson_id=lesson_id
                )
        state = self._state(lesson, learner_id or "", position.state if position else None)
        chosen = self.topic(lesson, topic) if topic else self._stored_topic(lesson, position)
        return payloads.describe(lesson, state, chosen)

    def p_known(self, lesson: LoadedLesson, states: Mapping[str, SkillState]) -> dict[str, float]:
        return {
            skill: states[skill].p_known if skill in states else params.prior
            for skill, params in lesson.skill_params.items()
        }

    def skill_report(self, learner_id: str | None, lesson_id: str) -> list[dict[str, Any]]:
        """Each skill with the learner's P(known) and its label (getting there, solid...)."""
        lesson = self.lesson(lesson_id)
        states: dict[str, SkillState] = {}
        if learner_id:
            with self.db.reading() as session:
                states = repo.skill_states(
                    session=session, learner_id=learner_id, lesson_id=lesson_id
                )
        p = self.p_known(lesson, states)
        report = []
        for skill in lesson.lesson.skills:
            row = states.get(skill.id)
            attempts = row.attempts if row else 0
            review = bool(row and row.review)
            report.append(
                {
                    "id": skill.id,
                    "name": skill.name,
                    "p_known": round(p[skill.id], 4),
                    "attempts": attempts,
                    "label": mastery.label(p[skill.id], attempts=attempts, review=review),
                }
            )
        return report

    def step_status(self, current: Current) -> list[str]:
        """not_started, in_progress or done for each step."""
        completed = set(current.state.completed)
        here = current.step.id if current.step else None
        started = bool(current.state.asked)
        return [
            "done"
            if s.id in completed or current.done
            else "in_progress"
            if s.id == here and started
            else "not_started"
            for s in current.lesson.lesson.steps
        ]

    def progress(self, learner_id: str | None) -> list[dict[str, Any]]:
        """Every lesson with the learner's step statuses and position."""
        stored: dict[str, Position] = {}
        if learner_id:
            with self.db.reading() as session:
                stored = repo.positions(session=session, learner_id=learner_id)
        out = []
        for lesson in self.catalog:
            position = stored.get(lesson.id)
            state = self._state(lesson, learner_id or "", position.state if position else None)
            current = payloads.describe(lesson, state, self._stored_topic(lesson, position))
            statuses = self.step_status(current)
            out.append(
                {
                    "lesson": lesson,
                    "current": current,
                    "steps": statuses,
                    "done_steps": statuses.count("done"),
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

    def step_page(
        self,
        learner_id: str | None,
        lesson_id: str,
        n: int,
        *,
        after: int | None = None,
        shown: str | None = None,
    ) -> dict[str, Any]:
        """Everything the step page shows: texts, example, last feedback, current item."""
        current = self.current(learner_id, lesson_id)
        lesson = current.lesson
        ref = self.step_at(lesson, n, current.topic)
        step = lesson.step(n - 1)
        feedback = None
        if after is not None and learner_id is not None:
            with self.db.reading() as session:
                attempt = repo.attempt_for_learner(
                    session=session, learner_id=learner_id, attempt_id=after
                )
                if attempt is not None and attempt.lesson_id == lesson.id:
                    feedback = attempt.response
        here = current.step.n if current.step else None
        if current.done:
            mode = "lesson_done"
        elif here == n:
            mode = "question"
        elif (here is not None and here > n) or step.id in current.state.completed:
            mode = "step_done"
        else:
            mode = "ahead"
        way = None
        state = current.state
        about = state.last or state.main
        if about and current.question and mode == "question":
            owner, _ = adaptive.explanation_source(lesson, state, about)
            # Only an explanation the learner was shown, about what they last answered:
            # never one that gives away the answer to the question still waiting.
            if shown in state.angles.get(owner, ()):
                way = payloads.another_way(lesson, state, about, shown, current.topic)
        return {
            "lesson": lesson.lesson,
            "ref": ref,
            "texts": render_step(lesson.lesson, step, current.topic),
            "example": self.example(lesson, n, current.topic),
            "current": current,
            "next": payloads.next_json(current),
            "feedback": feedback,
            "mode": mode,
            "another_way": way,
        }

    def last_attempt(self, learner_id: str, lesson_id: str) -> Attempt | None:
        """The learner's most recent answer in the lesson (for a form sent twice)."""
        with self.db.reading() as session:
            return repo.last_attempt(session=session, learner_id=learner_id, lesson_id=lesson_id)

    def answered(self, learner_id: str, lesson_id: str, question_id: str, variant: int) -> bool:
        """Whether the learner has answered this variant of this question."""
        with self.db.reading() as session:
            return repo.answered_before(
                session=session,
                learner_id=learner_id,
                lesson_id=lesson_id,
                question_id=question_id,
                variant=variant,
            )

    # --- for instructors ----------------------------------------------------------

    def attempt_counts(self) -> dict[str, int]:
        """Answers recorded so far, per lesson."""
        with self.db.reading() as session:
            return repo.attempt_counts(session=session)

    def analytics(
        self, lesson_id: str, version: str | None = None
    ) -> tuple[analytics.Report, list[dict[str, Any]]]:
        """The figures for one version of a lesson (the live one by default), and the
        versions that have answers."""
        lesson = self.lesson(lesson_id)
        version = version or lesson.content_hash
        with self.db.reading() as session:
            rows = repo.attempt_log(session=session, lesson_id=lesson.id, version=version)
            versions = repo.lesson_versions(session=session, lesson_id=lesson.id)
            completed, marked = repo.learner_marks(session=session, lesson_id=lesson.id)
        report = analytics.report(lesson, rows, version, completed=completed, marked=marked)
        return report, versions

    # --- writes (answering.py) ----------------------------------------------------

    def set_topic(self, learner_id: str, lesson_id: str, topic: str) -> None:
        """Make a lesson about another topic for this learner; remembered."""
        answering.set_topic(self, learner_id, lesson_id, topic)

    def restart(self, learner_id: str, lesson_id: str) -> None:
        """Go through a lesson again from its first question."""
        answering.restart(self, learner_id, lesson_id)

    def answer(self, learner_id: str, lesson_id: str, **answer: Any) -> tuple[int, dict[str, Any]]:
        """Grade and record an answer to the current item; returns (attempt id, response)."""
        return answering.answer(self, learner_id, lesson_id, **answer)

    def choose(self, learner_id: str, lesson_id: str, choice: str) -> dict[str, Any]:
        """Act on an offer after repeated misses: another angle, a step back, or go on."""
        return answering.choose(self, learner_id, lesson_id, choice)


__all__ = ["NOT_SURE_TEXT", "AnswerError", "Conflict", "Current", "NotFound", "StepRef", "Tutor"]
