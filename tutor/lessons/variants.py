"""Question variants: params drawn from a seed, then every text rendered for a topic.

A variant is fully determined by (question, seed, topic): the same three always
give the same numbers, the same option order and the same option ids, so a
learner's current item can be stored as a seed and regenerated at any time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from tutor.engine import computations
from tutor.lessons import templates
from tutor.lessons.format import Lesson, MistakeFeedback, Option, Question, Sampled, Step
from tutor.render.numbers import num

DEFAULT_TOLERANCE = 0.01


def sample_param(spec: Sampled, rng: np.random.Generator) -> Any:
    """Draw one param value; pure apart from the generator it is given."""
    size = spec.size
    if spec.uniform is not None:
        drawn = rng.uniform(spec.uniform[0], spec.uniform[1], size=size)
        if spec.round is not None:
            drawn = np.round(drawn, spec.round)
    elif spec.integers is not None:
        drawn = rng.integers(spec.integers[0], spec.integers[1], endpoint=True, size=size)
    else:
        assert spec.choice is not None
        picks = rng.integers(0, len(spec.choice), size=size)
        return [spec.choice[i] for i in picks] if size else spec.choice[int(picks)]
    return drawn.tolist()


def draw_params(question: Question, seed: int) -> dict[str, Any]:
    """All params of a question for one variant, in the order they are declared."""
    rng = np.random.default_rng(seed)
    return {
        name: sample_param(spec, rng) if isinstance(spec, Sampled) else spec
        for name, spec in question.params.items()
    }


def option_id(question_id: str, seed: int, index: int) -> str:
    """A short id for an option, stable for a variant but no hint of its grade."""
    digest = hashlib.blake2s(f"{question_id}:{seed}:{index}".encode(), digest_size=4)
    return "o" + digest.hexdigest()


class _Lazy:
    """Texts filled in for one variant, rendered when first read.

    Showing a question needs its prompt and option texts; a grade needs one option's
    feedback. Rendering the rest only when asked for keeps the answer path short.
    """

    def __init__(self, context: dict[str, Any]):
        self._context = context

    def _render(self, source: str | None) -> str | None:
        return None if source is None else templates.render(source, self._context)


class RenderedOption(_Lazy):
    def __init__(self, option: Option, *, id: str, index: int, context: dict[str, Any]):
        super().__init__(context)
        self._option = option
        self.id = id
        self.index = index  # its place in the lesson file, stable across variants
        self.text = self._render(option.text)
        self.grade = option.grade
        self.misconception = option.misconception

    @cached_property
    def feedback(self) -> str:
        return self._render(self._option.feedback)


class RenderedMistake(_Lazy):
    def __init__(self, mistake: MistakeFeedback, value: float, context: dict[str, Any]):
        super().__init__(context)
        self._source = mistake.feedback
        self.mistake = mistake.mistake
        self.value = value
        self.grade = mistake.grade
        self.misconception = mistake.misconception

    @cached_property
    def feedback(self) -> str:
        return self._render(self._source)


class RenderedQuestion(_Lazy):
    """A question as one learner sees it: numbers drawn, placeholders filled."""

    def __init__(
        self,
        question: Question,
        *,
        skill: str,
        seed: int,
        topic: str,
        params: dict[str, Any],
        context: dict[str, Any],
        answer: float | None,
        mistakes: tuple[RenderedMistake, ...],
        options: tuple[RenderedOption, ...],
    ):
        super().__init__(context)
        self._question = question
        self.id = question.id
        self.kind = question.kind
        self.skill = skill
        self.seed = seed
        self.topic = topic
        self.params = params
        self.prompt = self._render(question.prompt)
        self.options = options
        self.answer = answer
        self.tolerance = (question.tolerance or DEFAULT_TOLERANCE) if question.answer else None
        self.decimals = question.decimals
        self.mistakes = mistakes

    @cached_property
    def not_sure(self) -> str:
        return self._render(self._question.not_sure)

    @cached_property
    def another_way(self) -> tuple[tuple[str, str], ...]:
        return tuple((w.angle, self._render(w.text)) for w in self._question.another_way)

    @cached_property
    def bridge(self) -> str | None:
        return self._render(self._question.bridge)

    @cached_property
    def solution(self) -> str | None:
        return self._render(self._question.solution)

    def option(self, option_id: str) -> RenderedOption | None:
        return next((o for o in self.options if o.id == option_id), None)

    @property
    def answer_text(self) -> str | None:
        return None if self.answer is None else num(self.answer, self.decimals)


def topic_words(lesson: Lesson, topic: str | None) -> dict[str, str]:
    """The words of a topic, falling back to the lesson's default topic."""
    chosen = lesson.topics.get(topic or "") or lesson.topics[lesson.default_topic]
    return chosen.words


def answer_args(question: Question, context: dict[str, Any]) -> dict[str, Any]:
    """A numeric answer's arguments: texts are expressions over params, the rest values."""
    assert question.answer is not None
    return {
        name: templates.evaluate(value, context) if isinstance(value, str) else value
        for name, value in question.answer.args.items()
    }


def render_question(
    lesson: Lesson, question: Question, *, skill: str, seed: int, topic: str | None
) -> RenderedQuestion:
    """Draw the params for ``seed`` and render every text of ``question`` in ``topic``.

    Raises the Jinja or engine error of the first text or computation that fails;
    the lesson validator calls this for every topic and several seeds so that a
    shipped lesson never fails here.
    """
    topic_id = topic if topic in lesson.topics else lesson.default_topic
    params = draw_params(question, seed)
    context: dict[str, Any] = {**params, "topic": topic_words(lesson, topic_id)}
    answer = None
    mistakes: tuple[RenderedMistake, ...] = ()
    if question.answer is not None:
        args = answer_args(question, context)
        answer = computations.compute(question.answer.compute, **args)
        context["answer"] = answer
        mistakes = tuple(
            RenderedMistake(
                m,
                computations.compute_mistake(question.answer.compute, m.mistake, **args),
                context,
            )
            for m in question.mistakes
        )

    order = np.random.default_rng([seed, 7]).permutation(len(question.options))
    options = tuple(
        RenderedOption(
            question.options[i],
            id=option_id(question.id, seed, int(i)),
            index=int(i),
            context=context,
        )
        for i in order
    )
    return RenderedQuestion(
        question,
        skill=skill,
        seed=seed,
        topic=topic_id,
        params=params,
        context=context,
        answer=answer,
        mistakes=mistakes,
        options=options,
    )


@dataclass(frozen=True)
class RenderedStep:
    title: str
    intro: str
    takeaway: str
    next: str | None


STEP_TEXTS = ("title", "intro", "takeaway", "next")


def render_step(lesson: Lesson, step: Step, topic: str | None) -> RenderedStep:
    """A step's own texts in a topic."""
    context = {"topic": topic_words(lesson, topic)}
    values = {
        name: templates.render(getattr(step, name), context) if getattr(step, name) else None
        for name in STEP_TEXTS
    }
    return RenderedStep(**values)
