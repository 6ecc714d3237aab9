"""What a simulated learner sees of an item, and the truth the simulation acts on.

A learner model answers an :class:`Item`: the prompt and the options in the order they were
served, plus what only the simulation may know (each option's grade and misconception, a
numeric answer and the values of its known mistakes). :class:`Facts` holds what a learner
model needs to know about a lesson as a whole: its skills in order, their prerequisites and
the misconceptions that show up in each skill's items.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from tutor.lessons.kinds import KINDS, Seat
from tutor.lessons.loaded import LoadedLesson
from tutor.lessons.variants import RenderedQuestion, render_question
from tutor.teaching import items
from tutor.teaching.grading import grade
from tutor.vocabulary import NOT_SURE

NOT_SURE_ANSWER = {"option_id": NOT_SURE}
LOCAL = Seat(b"the simulation's own key", "simulated learner")
"""How the simulation serves items itself (controls and tests): its own order and ids."""
CACHE_SIZE = 20_000


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    grade: str
    misconception: str | None
    index: int  # its place in the lesson file, the same in every variant


@dataclass(frozen=True)
class Mistake:
    value: float
    grade: str
    misconception: str | None


@dataclass(frozen=True)
class Item:
    """One variant of one question, as served."""

    question_id: str
    variant: int
    skill: str
    kind: str  # choice or numeric
    prompt: str
    options: tuple[Option, ...] = ()  # in the order served
    answer: float | None = None
    tolerance: float | None = None
    mistakes: tuple[Mistake, ...] = ()
    transfer: str | None = None  # near or far for a held-out item; None in practice
    rendered: RenderedQuestion | None = field(default=None, repr=False, compare=False)
    # The parts of a multi-step problem this item needs (see ``parts_of``): a sub-step's own
    # part; for a numeric item of a skill with multi-step problems, every part of them.
    parts: frozenset[str] = frozenset()

    @property
    def substep(self) -> bool:
        return "." in self.question_id  # <question>.<sub-step>

    @property
    def right(self) -> Option | None:
        return next((o for o in self.options if o.grade == "exactly"), None)

    @property
    def wrong(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if o.grade != "exactly")

    @cached_property
    def misconceptions(self) -> frozenset[str]:
        tags = [o.misconception for o in self.options] + [m.misconception for m in self.mistakes]
        return frozenset(t for t in tags if t)

    def grade(self, response: dict) -> str:
        """The tutor's own grade of ``response`` (the same grading the server runs), for an
        item the simulation serves itself (a control, a test)."""
        assert self.rendered is not None, "an item served by the server is graded by it"
        return grade(self.rendered, LOCAL, **response).grade


@dataclass(frozen=True)
class Shown:
    """What a learner read after answering: the grade, the option or mistake it matched, and
    whether the right answer was shown (a numeric answer in the reply, a choice's feedback)."""

    grade: str
    option: Option | None = None
    mistake: Mistake | None = None
    revealed: bool = False

    @property
    def misconception(self) -> str | None:
        if self.option is not None:
            return self.option.misconception
        return self.mistake.misconception if self.mistake else None


def shown_after(item: Item, response: dict, graded: str, *, revealed: bool) -> Shown:
    option = next((o for o in item.options if o.id == response.get("option_id")), None)
    mistake = None
    if item.kind == "numeric" and "value" in response and graded != "exactly":
        value = float(response["value"])
        near = [m for m in item.mistakes if abs(m.value - value) <= (item.tolerance or 0)]
        mistake = min(near, key=lambda m: abs(m.value - value)) if near else None
    return Shown(graded, option, mistake, revealed)


def view(question: RenderedQuestion, transfer: str | None = None) -> Item:
    """The item as the simulation serves it itself (options in its own order and ids)."""
    options = (
        tuple(
            Option(option_id, o.text, o.grade, o.misconception, o.index)
            for option_id, o in KINDS["choice"].served(question, LOCAL)
        )
        if question.kind == "choice"
        else ()
    )
    mistakes = tuple(Mistake(m.value, m.grade, m.misconception) for m in question.mistakes)
    return Item(
        question.id,
        question.seed,
        question.skill,
        question.kind,
        question.prompt,
        options,
        question.answer,
        question.tolerance,
        mistakes,
        transfer,
        question,
    )


def part(skill: str, sub_step: str) -> str:
    """A part of a multi-step problem as a learner knows it: a sub-step (by its id) of a
    skill, so that "square the errors" is one part wherever an MSE problem asks it."""
    return f"{skill}/{sub_step}"


def parts_of(lesson: LoadedLesson) -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    """Each multi-step question's parts, and each part's skill."""
    by_question, skill_of = {}, {}
    for question_id, entry in lesson.entries.items():
        found = set()
        for sub in entry.question.steps:
            skill = sub.skill or entry.skill
            found.add(part(skill, sub.id))
            skill_of[part(skill, sub.id)] = skill
        if found:
            by_question[question_id] = frozenset(found)
    return by_question, skill_of


class Renderer:
    """Items of one lesson by (question, variant), rendered once; held-out items included."""

    def __init__(self, lesson: LoadedLesson):
        self.lesson = lesson
        self.held_out = {
            item.id: (item, skill.id) for skill in lesson.lesson.skills for item in skill.assessment
        }
        self._cache: dict[tuple[str, int], Item] = {}
        self.parts, _ = parts_of(lesson)
        self.parts_of_skill: dict[str, frozenset[str]] = {}
        for question_id, found in self.parts.items():
            skill = lesson.entries[question_id].skill
            self.parts_of_skill[skill] = self.parts_of_skill.get(skill, frozenset()) | found

    def _with_parts(self, item: Item) -> Item:
        if item.substep:
            sub = item.question_id.split(".", 1)[1]
            return replace(item, parts=frozenset({part(item.skill, sub)}))
        found = self.parts.get(item.question_id)
        if found is None and item.kind == "numeric":
            found = self.parts_of_skill.get(item.skill)
        return replace(item, parts=found) if found else item

    def item(self, question_id: str, variant: int) -> Item:
        key = (question_id, variant)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) > CACHE_SIZE:  # variants are drawn afresh: keep memory bounded
                self._cache.clear()
            if "." in question_id:  # a sub-step of a multi-step problem: <question>.<sub-step>
                found = self._cache[key] = self._with_parts(
                    view(self._substep(question_id, variant))
                )
                return found
            if question_id in self.held_out:
                question, skill = self.held_out[question_id]
                transfer = question.transfer
            else:
                entry = self.lesson.entries[question_id]
                question, skill, transfer = entry.question, entry.skill, None
            rendered = render_question(
                self.lesson.lesson, question, skill=skill, seed=variant, topic=None
            )
            found = self._cache[key] = self._with_parts(view(rendered, transfer))
        return found

    def _substep(self, question_id: str, variant: int):
        parent, sub = question_id.split(".", 1)
        found = items.substeps(self.lesson, parent, variant, self.lesson.lesson.default_topic)
        return next(s for s in found if s.step_id == sub)

    def served(self, question_id: str, variant: int, served: Iterable[dict]) -> Item:
        """The item with its options as the server sent them: in its order, with its ids
        (each learner's own, keyed with the server's secret), matched to the lesson's options
        by their text. The server grades it."""
        item = self.item(question_id, variant)
        by_text = {o.text: o for o in item.options}
        options = tuple(
            replace(by_text[o["text"]], id=o["id"]) for o in served if o["text"] in by_text
        )
        if len(options) != len(item.options):
            raise RuntimeError(f"{question_id} variant {variant}: the served options differ")
        return replace(item, options=options, rendered=None)


@dataclass(frozen=True)
class Facts:
    """What learner models know about a lesson: its skills in order and their misconceptions."""

    lesson_id: str
    skills: tuple[str, ...]
    requires: dict[str, tuple[str, ...]]
    misconceptions: dict[str, frozenset[str]]  # per skill, from its practice and held-out items
    parts: dict[str, str] = field(default_factory=dict)  # multi-step problems' parts: skill

    @classmethod
    def of(cls, lesson: LoadedLesson, renderer: Renderer) -> Facts:
        per_skill: dict[str, set[str]] = {s.id: set() for s in lesson.lesson.skills}
        ids = [*lesson.entries, *renderer.held_out]
        for question_id in ids:
            item = renderer.item(question_id, 0)
            per_skill[item.skill] |= item.misconceptions
        return cls(
            lesson.id,
            tuple(s.id for s in lesson.lesson.skills),
            {s.id: tuple(s.requires) for s in lesson.lesson.skills},
            {k: frozenset(v) for k, v in per_skill.items()},
            parts_of(lesson)[1],
        )


def wrong_number(item: Item, rng: np.random.Generator) -> float:
    """A number that is neither the answer nor any known mistake's value."""
    assert item.answer is not None and item.tolerance is not None
    taken = [item.answer, *(m.value for m in item.mistakes)]
    value = round(item.answer * float(rng.uniform(1.3, 2.0)) + float(rng.uniform(0.5, 2)), 3)
    while any(abs(value - t) <= 2 * item.tolerance for t in taken):
        value += 1.0
    return value
