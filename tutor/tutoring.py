"""The tutoring service: what the HTML pages and the JSON API both call.

It reads the learner's state, renders the current item, grades answers and
records them. Every answer is one transaction: the attempt, the skill state and
the position are written together or not at all. The decisions themselves are
made by the pure ``adaptive`` and ``mastery`` modules.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.exc import IntegrityError

from tutor import adaptive, mastery, repo
from tutor.db import Database
from tutor.examples import WorkedExample, compute_example
from tutor.grading import LABELS, AnswerError, Graded, grade
from tutor.lessons import Catalog, LoadedLesson
from tutor.models import Attempt, SkillState
from tutor.variants import NOT_SURE, RenderedQuestion, render_question, render_step


class NotFound(LookupError):
    """An unknown lesson, step or item: a 404 with this message."""


class Conflict(RuntimeError):
    """An answer to anything but the current item: a 409, and nothing changes."""


REASONS = {
    "new_numbers": "Let's check that with new numbers.",
    "another_question": "Let's check the same idea with another question.",
    "review": "A quick review of an idea that gave you trouble earlier.",
    "moving_on": "Let's move on for now; this idea will come back for a short review.",
    "stuck": "No shame in this: it is a tricky idea, and getting stuck here is how it sticks "
    "later. You can see it from yet another angle, go on for now, or step back.",
    "revisit": "Let's step back to an earlier idea; you will return to where you were.",
    "another_angle": "Here is one more way to see it. The question is still waiting for you.",
}
NOT_SURE_TEXT = "I'm not sure"
CHOICES = {
    "another_angle": "Show me another angle",
    "revisit": "Go back to that step",
    "go_on": "Go on for now",
}


def stable_hash(*parts: str) -> int:
    return int.from_bytes(hashlib.blake2s("\x00".join(parts).encode(), digest_size=8).digest())


@dataclass(frozen=True)
class StepRef:
    n: int
    of: int
    id: str
    title: str


@dataclass(frozen=True)
class Current:
    """A learner's current item in a lesson, rendered in their topic."""

    lesson: LoadedLesson
    state: adaptive.State
    topic: str
    step: StepRef | None
    question: RenderedQuestion | None
    n: int  # the main question's number within the step
    of: int

    @property
    def done(self) -> bool:
        return self.question is None

    @property
    def role(self) -> str | None:
        return self.state.item.role if self.state.item else None


class Tutor:
    """Lessons, learners' progress and answers: one instance per app."""

    def __init__(self, catalog: Catalog, database: Database):
        self.catalog = catalog
        self.db = database

    # --- lessons -----------------------------------------------------------------

    def lesson(self, lesson_id: str) -> LoadedLesson:
        found = self.catalog.get(lesson_id)
        if found is None:
            raise NotFound(f"no lesson {lesson_id!r}; see /api/lessons for the lessons there are")
        return found

    def step_ref(self, lesson: LoadedLesson, step_id: str) -> StepRef:
        index = lesson.step_index(step_id)
        if index is None:
            raise NotFound(f"no step {step_id!r} in lesson {lesson.id!r}")
        step = lesson.step(index)
        return StepRef(index + 1, len(lesson.lesson.steps), step.id, step.title)

    def step_at(self, lesson: LoadedLesson, n: int) -> StepRef:
        if not 1 <= n <= len(lesson.lesson.steps):
            raise NotFound(
                f"lesson {lesson.id!r} has steps 1 to {len(lesson.lesson.steps)}, not {n}"
            )
        return self.step_ref(lesson, lesson.step(n - 1).id)

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
        step = lesson.step(step_n - 1)
        return None if step.example is None else compute_example(lesson.lesson, step.example, topic)

    def preview(
        self, lesson: LoadedLesson, question_id: str, topic: str, variant: int = 0
    ) -> RenderedQuestion:
        """A question as the API's step view shows it (a fixed variant)."""
        entry = lesson.entries[question_id]
        return render_question(
            lesson.lesson, entry.question, skill=entry.skill, seed=variant, topic=topic
        )

    def step_json(self, lesson_id: str, n: int, topic: str | None) -> dict[str, Any]:
        """A step as API clients see it: texts, worked example, questions without grades."""
        lesson = self.lesson(lesson_id)
        ref = self.step_at(lesson, n)
        chosen = self.topic(lesson, topic)
        step = lesson.step(n - 1)
        texts = render_step(lesson.lesson, step, chosen)
        example = self.example(lesson, n, chosen)
        questions = []
        for i, question in enumerate(step.questions):
            rendered = self.preview(lesson, question.id, chosen)
            questions.append(
                {
                    "id": rendered.id,
                    "kind": rendered.kind,
                    "prompt": rendered.prompt,
                    "n": i + 1,
                    "of": len(step.questions),
                    "options": _options_json(rendered),
                }
            )
        return {
            "n": ref.n,
            "of": ref.of,
            "id": step.id,
            "title": texts.title,
            "intro": texts.intro,
            "example": example.as_dict() if example else None,
            "questions": questions,
            "takeaway": texts.takeaway,
            "next": texts.next,
            "topic": chosen,
        }

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
        ref = self.step_at(lesson, n)
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
        elif here is not None and here > n or step.id in current.state.completed:
            mode = "step_done"
        else:
            mode = "ahead"
        another_way = None
        if shown and current.question and mode == "question":
            owner = current.state.main or current.question.id
            another_way = self._another_way(lesson, owner, shown, current)
        return {
            "lesson": lesson.lesson,
            "ref": ref,
            "texts": render_step(lesson.lesson, step, current.topic),
            "example": self.example(lesson, n, current.topic),
            "current": current,
            "next": self.next_json(current),
            "feedback": feedback,
            "mode": mode,
            "another_way": another_way,
        }

    # --- learners ----------------------------------------------------------------

    def create_api_learner(self) -> tuple[str, str]:
        with self.db.writing() as session:
            learner_id, token = repo.create_learner(session=session, with_token=True)
        assert token is not None
        return learner_id, token

    def learner_for_token(self, token: str) -> str | None:
        with self.db.reading() as session:
            return repo.learner_for_token(session=session, token=token)

    def secret(self, name: str) -> str:
        with self.db.writing() as session:
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
        return adaptive.State.from_json(stored)

    def current(
        self, learner_id: str | None, lesson_id: str, *, topic: str | None = None
    ) -> Current:
        """The learner's current item (the first one for a learner not yet started)."""
        lesson = self.lesson(lesson_id)
        stored, stored_topic = None, None
        if learner_id is not None:
            with self.db.reading() as session:
                position = repo.get_position(
                    session=session, learner_id=learner_id, lesson_id=lesson_id
                )
                if position is not None:
                    stored, stored_topic = position.state, position.topic
        state = self._state(lesson, learner_id or "", stored)
        chosen = self.topic(lesson, topic or stored_topic)
        return self._describe(lesson, state, chosen)

    def _describe(self, lesson: LoadedLesson, state: adaptive.State, topic: str) -> Current:
        if state.item is None:
            return Current(lesson, state, topic, None, None, 0, 0)
        entry = lesson.entries[state.item.question]
        step = lesson.step(entry.step_index)
        question = render_question(
            lesson.lesson, entry.question, skill=entry.skill, seed=state.item.variant, topic=topic
        )
        ref = self.step_ref(lesson, step.id)
        return Current(
            lesson, state, topic, ref, question, entry.main_index + 1, len(step.questions)
        )

    def p_known(self, lesson: LoadedLesson, states: Mapping[str, SkillState]) -> dict[str, float]:
        return {
            s.id: states[s.id].p_known if s.id in states else mastery.Params.of(s.mastery).prior
            for s in lesson.lesson.skills
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
        steps = current.lesson.lesson.steps
        completed = set(current.state.completed)
        here = current.step.id if current.step else None
        started = bool(current.state.asked)
        return [
            "done"
            if s.id in completed or current.done
            else "in_progress"
            if s.id == here and started
            else "not_started"
            for s in steps
        ]

    def progress(self, learner_id: str | None) -> list[dict[str, Any]]:
        """Every lesson with the learner's step statuses and position."""
        stored: dict[str, Any] = {}
        if learner_id:
            with self.db.reading() as session:
                stored = {
                    k: (p.state, p.topic)
                    for k, p in repo.positions(session=session, learner_id=learner_id).items()
                }
        out = []
        for lesson in self.catalog:
            state_json, topic = stored.get(lesson.id, (None, None))
            state = self._state(lesson, learner_id or "", state_json)
            current = self._describe(
                lesson, state, self.topic(lesson, topic if topic in lesson.lesson.topics else None)
            )
            statuses = self.step_status(current)
            out.append(
                {
                    "lesson": lesson,
                    "current": current,
                    "steps": statuses,
                    "done_steps": statuses.count("done"),
                    "started": state_json is not None,
                }
            )
        return out

    # --- writes ------------------------------------------------------------------

    def set_topic(self, learner_id: str, lesson_id: str, topic: str) -> None:
        lesson = self.lesson(lesson_id)
        self.topic(lesson, topic)
        with self.db.writing() as session:
            repo.ensure_learner(session=session, learner_id=learner_id)
            position = repo.get_position(
                session=session, learner_id=learner_id, lesson_id=lesson_id, for_update=True
            )
            if position is None:
                state = self._state(lesson, learner_id, None)
                repo.save_position(
                    session=session,
                    learner_id=learner_id,
                    lesson_id=lesson_id,
                    state=state.to_json(),
                    topic=topic,
                    expected_version=None,
                )
            else:
                position.topic = topic

    def answer(
        self,
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
        lesson = self.lesson(lesson_id)
        try:
            with self.db.writing() as session:
                return self._answer(
                    session,
                    lesson,
                    learner_id,
                    question_id,
                    variant,
                    option_id,
                    value,
                    idempotency_key,
                )
        except IntegrityError:
            # Another request with the same idempotency key, or the same first answer,
            # won the race: report what it recorded, or a conflict.
            if idempotency_key:
                with self.db.reading() as session:
                    existing = repo.attempt_by_key(
                        session=session, learner_id=learner_id, key=idempotency_key
                    )
                    if existing is not None:
                        return existing.id, existing.response
            raise Conflict(
                "another answer to this item was recorded at the same time; "
                "fetch the next item and answer that"
            ) from None

    def _answer(
        self,
        session,
        lesson: LoadedLesson,
        learner_id: str,
        question_id: str,
        variant: int,
        option_id: str | None,
        value: str | float | None,
        idempotency_key: str | None,
    ) -> tuple[int, dict[str, Any]]:
        if idempotency_key:
            existing = repo.attempt_by_key(
                session=session, learner_id=learner_id, key=idempotency_key
            )
            if existing is not None:
                return existing.id, existing.response
        repo.ensure_learner(session=session, learner_id=learner_id)
        position = repo.get_position(
            session=session, learner_id=learner_id, lesson_id=lesson.id, for_update=True
        )
        state = self._state(lesson, learner_id, position.state if position else None)
        topic = self.topic(
            lesson, position.topic if position and position.topic in lesson.lesson.topics else None
        )
        current = self._describe(lesson, state, topic)
        if current.question is None:
            raise Conflict(f"lesson {lesson.id!r} is finished: there is nothing left to answer")
        if question_id != current.question.id or variant != current.question.seed:
            raise Conflict(
                f"question {question_id!r} variant {variant} is not the current item "
                f"(that is {current.question.id!r} variant {current.question.seed}); "
                "fetch /next and answer that"
            )
        graded = grade(current.question, option_id=option_id, value=value)
        first_try = not repo.answered_before(
            session=session,
            learner_id=learner_id,
            lesson_id=lesson.id,
            question_id=question_id,
            variant=variant,
        )
        states = repo.skill_states(session=session, learner_id=learner_id, lesson_id=lesson.id)
        skill = current.question.skill
        self._count_evidence(session, lesson, states, learner_id, skill, graded, first_try)
        counter = (
            repo.count_attempts(session=session, learner_id=learner_id, lesson_id=lesson.id) + 1
        )
        decision = adaptive.after_answer(
            lesson,
            state,
            graded.grade,
            p_known=self.p_known(lesson, states),
            misconception_skill=self._misconception_skill(lesson, graded),
            rng=self._rng(learner_id, lesson.id, counter),
        )
        for row in states.values():
            row.review = row.skill_id in decision.state.review
        following = self._describe(lesson, decision.state, topic)
        response = self._response(current, graded, decision, following)
        attempt = Attempt(
            learner_id=learner_id,
            lesson_id=lesson.id,
            lesson_hash=lesson.content_hash,
            step_id=current.step.id if current.step else "",
            question_id=question_id,
            skill_id=skill,
            variant=variant,
            role=current.role or "main",
            topic=topic,
            answer=graded.answer[:64],
            option_index=graded.option_index,
            grade=graded.grade,
            mistake=graded.mistake,
            first_try=first_try,
            angle=decision.angle,
            idempotency_key=idempotency_key,
            response=response,
        )
        session.add(attempt)
        saved = repo.save_position(
            session=session,
            learner_id=learner_id,
            lesson_id=lesson.id,
            state=decision.state.to_json(),
            topic=topic,
            expected_version=position.version if position else None,
        )
        if not saved:
            raise Conflict("another answer moved this lesson on first; fetch /next")
        session.flush()
        return attempt.id, response

    def _count_evidence(
        self,
        session,
        lesson: LoadedLesson,
        states: dict[str, SkillState],
        learner_id: str,
        skill: str,
        graded: Graded,
        first_try: bool,
    ) -> None:
        params = mastery.Params.of(
            next((s.mastery for s in lesson.lesson.skills if s.id == skill), None)
        )
        row = states.get(skill)
        if row is None:
            row = SkillState(
                learner_id=learner_id,
                lesson_id=lesson.id,
                skill_id=skill,
                p_known=params.prior,
                attempts=0,
                misses=0,
                review=False,
            )
            session.add(row)
            states[skill] = row
        if first_try:
            row.p_known = mastery.update(row.p_known, graded.grade, params)
            row.attempts += 1
            row.misses += graded.grade != "exactly"

    def _misconception_skill(self, lesson: LoadedLesson, graded: Graded) -> str | None:
        if graded.misconception is None:
            return None
        return lesson.misconception_skills.get(graded.misconception)

    def choose(self, learner_id: str, lesson_id: str, choice: str) -> dict[str, Any]:
        """Act on an offer after repeated misses: another angle, a step back, or go on."""
        lesson = self.lesson(lesson_id)
        with self.db.writing() as session:
            position = repo.get_position(
                session=session, learner_id=learner_id, lesson_id=lesson.id, for_update=True
            )
            if position is None:
                raise Conflict("there is no offer to answer right now")
            state = adaptive.State.from_json(position.state)
            states = repo.skill_states(session=session, learner_id=learner_id, lesson_id=lesson.id)
            counter = (
                repo.count_attempts(session=session, learner_id=learner_id, lesson_id=lesson.id) + 1
            )
            try:
                decision = adaptive.choose(
                    lesson,
                    state,
                    choice,
                    p_known=self.p_known(lesson, states),
                    rng=self._rng(learner_id, lesson.id, counter + 10**6),
                )
            except ValueError as exc:
                raise Conflict(str(exc)) from None
            topic = self.topic(
                lesson, position.topic if position.topic in lesson.lesson.topics else None
            )
            following = self._describe(lesson, decision.state, topic)
            another_way = None
            if decision.angle and state.item:
                another_way = self._another_way(
                    lesson, state.main or state.item.question, decision.angle, following
                )
            repo.save_position(
                session=session,
                learner_id=learner_id,
                lesson_id=lesson.id,
                state=decision.state.to_json(),
                topic=topic,
                expected_version=position.version,
            )
            return {
                "another_way": another_way,
                "message": REASONS.get(decision.reason or ""),
                "next": self.next_json(following),
            }

    # --- responses ---------------------------------------------------------------

    def _another_way(
        self, lesson: LoadedLesson, question_id: str, angle: str, current: Current
    ) -> dict[str, str] | None:
        owner, angle = adaptive.another_way_for(lesson, question_id, angle)
        entry = lesson.entries[owner]
        variant = current.state.item.variant if current.state.item else 0
        rendered = render_question(
            lesson.lesson, entry.question, skill=entry.skill, seed=variant, topic=current.topic
        )
        text = dict(rendered.another_way).get(angle)
        return {"angle": angle, "text": text} if text else None

    def _response(
        self, current: Current, graded: Graded, decision: adaptive.Decision, following: Current
    ) -> dict[str, Any]:
        question = current.question
        assert question is not None
        lesson = current.lesson
        another_way = None
        if decision.angle:
            owner, angle = adaptive.another_way_for(lesson, question.id, decision.angle)
            source = (
                question
                if owner == question.id
                else render_question(
                    lesson.lesson,
                    lesson.entries[owner].question,
                    skill=question.skill,
                    seed=question.seed,
                    topic=current.topic,
                )
            )
            text = dict(source.another_way).get(angle)
            another_way = {"angle": angle, "text": text} if text else None
        moving_on = following.done or (
            following.state.item is not None
            and following.state.item.role == "main"
            and following.state.main != current.state.main
        )
        finished = decision.finished_step
        step = None
        if finished and current.step:
            step = render_step(lesson.lesson, lesson.step(current.step.n - 1), current.topic)
        response: dict[str, Any] = {
            "question_id": question.id,
            "variant": question.seed,
            "said": graded.said,
            "grade": graded.grade,
            "label": LABELS[graded.grade],
            "feedback": graded.feedback,
            "mistake": graded.mistake,
            "another_way": another_way,
            "bridge": self._bridge(current) if moving_on and not finished else None,
            "message": REASONS.get(decision.reason or ""),
            "solution": question.solution
            if decision.solution and question.kind == "numeric"
            else None,
            "answer": question.answer_text
            if question.kind == "numeric" and (graded.grade == "exactly" or decision.solution)
            else None,
            "step_finished": finished is not None,
            "takeaway": step.takeaway if finished and step else None,
            "next_step": step.next if finished and step else None,
            "next": self.next_json(following),
        }
        return response

    def _bridge(self, current: Current) -> str | None:
        """The bridge out of the loop just finished: its main question's, even after a check."""
        question = current.question
        assert question is not None
        main = current.state.main
        if main is None or main == question.id:
            return question.bridge
        return self.preview(current.lesson, main, current.topic).bridge

    def next_json(self, current: Current) -> dict[str, Any]:
        """The `next` payload: the current item, without any grade or feedback."""
        if current.question is None or current.step is None:
            return {
                "done": True,
                "step": None,
                "question": None,
                "variant": None,
                "topic": current.topic,
                "offer": None,
            }
        q = current.question
        options = _options_json(q)
        offer = current.state.offer
        offer_json = None
        if offer is not None:
            choices = ["another_angle", "go_on"]
            fault = None
            if offer.fault_step:
                choices.insert(1, "revisit")
                ref = self.step_ref(current.lesson, offer.fault_step)
                fault = {
                    "n": ref.n,
                    "id": ref.id,
                    "title": ref.title,
                    "message": f"This may be about the step \u201c{ref.title}\u201d "
                    f"(step {ref.n}).",
                }
            offer_json = {
                "message": REASONS["stuck"],
                "fault": fault,
                "choices": [{"id": c, "text": CHOICES[c]} for c in choices],
            }
        return {
            "done": False,
            "step": {
                "n": current.step.n,
                "of": current.step.of,
                "id": current.step.id,
                "title": current.step.title,
            },
            "question": {
                "id": q.id,
                "kind": q.kind,
                "role": current.role,
                "prompt": q.prompt,
                "n": current.n,
                "of": current.of,
                "options": options,
            },
            "variant": q.seed,
            "topic": current.topic,
            "offer": offer_json,
        }


def _options_json(question: RenderedQuestion) -> list[dict[str, str]]:
    """The options to show, "I'm not sure" last; a numeric question has only that one."""
    options = [{"id": o.id, "text": o.text} for o in question.options]
    return [*options, {"id": NOT_SURE, "text": NOT_SURE_TEXT}]


__all__ = ["AnswerError", "Conflict", "Current", "NotFound", "Tutor"]
