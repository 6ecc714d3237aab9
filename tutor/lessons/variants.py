"""Question variants: params drawn from a seed, then every text rendered for a topic.

A variant is fully determined by (question, seed, topic): the same three always
give the same numbers, the same option order and the same option ids, so a
learner's current item can be stored as a seed and regenerated at any time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from tutor.lessons import templates
from tutor.lessons.format import Lesson, Question, Sampled, Step
from tutor.lessons.kinds import KINDS
from tutor.lessons.templates import LazyTexts
from tutor.lessons.topics import OwnTopic
from tutor.render.numbers import MINUS, num

VARIANTS = 16
"""How many variants a question with drawn numbers has: seeds 0 to 15. The validator renders
every one of them in every topic, so a learner is never shown numbers that were not checked;
and a class shares them, so each is rendered once for everyone rather than once per learner."""


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


class RenderedQuestion(LazyTexts):
    """A question as one learner sees it: numbers drawn, placeholders filled.

    Its kind's parts are attributes too: ``options`` for a choice question; ``answer``,
    ``tolerance``, ``decimals`` and ``mistakes`` for a numeric one.
    """

    options: tuple = ()
    answer: float | None = None
    tolerance: float | None = None
    decimals: int = 2
    mistakes: tuple = ()
    computed: str | None = None  # a numeric one's computation (engine.computations)

    def __init__(
        self,
        question: Question,
        *,
        skill: str,
        seed: int,
        topic: str,
        params: dict[str, Any],
        context: dict[str, Any],
        parts: dict[str, Any],
    ):
        super().__init__(context)
        self._question = question
        self.id = question.id
        self.kind = question.kind
        self.skill = skill
        self.seed = seed
        self.topic = topic
        self.params = params
        self._ways: dict[str, str | None] = {}
        for name, value in parts.items():
            setattr(self, name, value)

    @cached_property
    def prompt(self) -> str:
        return self.render_text(self._question.prompt)

    @cached_property
    def not_sure(self) -> str:
        return self.render_text(self._question.not_sure)

    @cached_property
    def another_way(self) -> tuple[tuple[str, str], ...]:
        return tuple((w.angle, self.way(w.angle)) for w in self._question.another_way)

    def way(self, angle: str) -> str | None:
        """The explanation from ``angle`` alone (None if the question has none): a reply
        shows one, and the others need not be rendered for it."""
        if angle not in self._ways:
            source = next((w.text for w in self._question.another_way if w.angle == angle), None)
            self._ways[angle] = self.render_text(source)
        return self._ways[angle]

    @cached_property
    def bridge(self) -> str | None:
        return self.render_text(self._question.bridge)

    @cached_property
    def solution(self) -> str | None:
        return self.render_text(getattr(self._question, "solution", None))

    @cached_property
    def lead_in(self) -> str | None:
        return self.render_text(self._question.lead_in)

    @property
    def answer_text(self) -> str | None:
        return None if self.answer is None else num(self.answer, self.decimals)


def topic_words(lesson: Lesson, topic: str | None) -> dict[str, str]:
    """The words of a topic (a ready topic's id, or a learner's own topic), falling back
    to the lesson's default topic."""
    if isinstance(topic, OwnTopic):
        return topic.as_words()
    chosen = lesson.topics.get(topic or "") or lesson.topics[lesson.default_topic]
    return chosen.words


def known_topic(lesson: Lesson, topic: str | None) -> str:
    """``topic`` when the lesson can render it (a ready topic, or a learner's own), else
    the lesson's default topic."""
    if isinstance(topic, OwnTopic) or topic in lesson.topics:
        return topic  # type: ignore[return-value]
    return lesson.default_topic


def render_question(
    lesson: Lesson, question: Question, *, skill: str, seed: int, topic: str | None
) -> RenderedQuestion:
    """Draw the params for ``seed`` and render every text of ``question`` in ``topic``.

    Raises the Jinja or engine error of the first text or computation that fails;
    the lesson validator calls this for every topic and every variant so that a
    shipped lesson never fails here.
    """
    topic_id = known_topic(lesson, topic)
    params = draw_params(question, seed)
    context: dict[str, Any] = {**params, "topic": topic_words(lesson, topic_id)}
    parts = KINDS[question.kind].render(question, seed=seed, context=context)
    return RenderedQuestion(
        question,
        skill=skill,
        seed=seed,
        topic=topic_id,
        params=params,
        context=context,
        parts=parts,
    )


DEFAULT_EXPLAIN = (
    "Before you go on: for each line above, say to yourself why it follows from the one before it."
)

PART_NOT_SURE = "That's all right: here is how this part works out."


class RenderedSubStep(LazyTexts):
    """One sub-step of a multi-step question, in one variant and topic; graded as any item
    of its kind. Its id is ``<question id>.<sub-step id>``."""

    options: tuple = ()
    answer: float | None = None
    tolerance: float | None = None
    decimals: int = 2
    mistakes: tuple = ()
    computed: str | None = None  # a numeric one's computation (engine.computations)

    def __init__(
        self, sub: Any, *, parent: RenderedQuestion, index: int, skill: str, context: dict
    ):
        super().__init__(context)
        self._sub = sub
        self.id = f"{parent.id}.{sub.id}"
        self.step_id = sub.id
        self.index = index
        self.kind = sub.kind
        self.skill = sub.skill or skill
        self.seed = parent.seed
        self.topic = parent.topic
        self.params = parent.params
        self.prompt = self.render_text(sub.prompt)
        for name, value in KINDS[sub.kind].render(sub, seed=parent.seed, context=context).items():
            setattr(self, name, value)

    @cached_property
    def solution(self) -> str | None:
        return self.render_text(self._sub.solution)

    @cached_property
    def hints(self) -> tuple[str, ...]:
        return tuple(self.render_text(h) or "" for h in self._sub.hints)

    @property
    def not_sure(self) -> str:
        if self.kind == "numeric" and self.solution:
            # Said above the part's worked solution, which every reply to a typed part not
            # answered right reveals: the feedback does not repeat it.
            return PART_NOT_SURE
        if self.solution:
            return f"That's all right. {self.solution}"
        return "That's all right: the right answer is shown with this reply."

    @property
    def answer_text(self) -> str | None:
        return None if self.answer is None else num(self.answer, self.decimals)

    @property
    def value_text(self) -> str:
        """The sub-step's value as worked, as lesson text writes it: the number (with the
        minus sign of the texts around it), or the right option's text."""
        if self.answer is not None:
            return num(self.answer, self.decimals, MINUS)
        return next((o.text for o in self.options if o.grade == "exactly"), "")


def render_substeps(
    lesson: Lesson, question: Question, *, skill: str, seed: int, topic: str | None
) -> tuple[RenderedSubStep, ...]:
    """Every sub-step of ``question`` in one variant and topic, each seeing the values of
    the ones before it as ``steps``."""
    parent = render_question(lesson, question, skill=skill, seed=seed, topic=topic)
    base = {**parent.params, "topic": topic_words(lesson, parent.topic)}
    values: dict[str, Any] = {}
    out = []
    for index, sub in enumerate(question.steps):
        context = {**base, "steps": dict(values)}
        rendered = RenderedSubStep(sub, parent=parent, index=index, skill=skill, context=context)
        values[sub.id] = rendered.answer
        out.append(rendered)
    return tuple(out)


def explain_prompt(lesson: Lesson, question: Question, *, seed: int, topic: str | None) -> str:
    """The self-explanation prompt under a question's fully worked example."""
    if question.explain is None:
        return DEFAULT_EXPLAIN
    params = draw_params(question, seed)
    return templates.render(question.explain, {**params, "topic": topic_words(lesson, topic)})


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
