"""A validated lesson in memory: its questions indexed by id, with where each one sits.

Light on purpose: the policy, mastery and the service work with loaded lessons, and
importing this loads none of the YAML loading, validation or charts behind
:mod:`tutor.lessons.catalog`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from tutor.lessons.format import AssessmentItem, Lesson, Question, Step

if TYPE_CHECKING:
    from tutor.lessons.problems import LessonProblem


@dataclass(frozen=True)
class Entry:
    """Where a question sits in its lesson."""

    question: Question
    skill: str
    step_index: int
    main_index: int  # index among the step's questions (its parent's, for a check)
    parent: str | None  # the main question a check belongs to


@dataclass(frozen=True, eq=False)
class LoadedLesson:
    """A valid lesson with the file it came from and an index of its questions."""

    lesson: Lesson
    file: str
    content_hash: str
    entries: dict[str, Entry]
    advice: tuple[LessonProblem, ...] = ()  # lint: what would make it a better lesson
    id_at: tuple[int, int] = (1, 1)  # the line and column of its id in the file
    # Each misconception's skill, from the folder's shared catalogue (if it has one).
    home_skills: dict[str, str] = field(default_factory=dict)
    # Knowledge-tracing parameters fitted from the attempt log (``tutor fit-mastery``), per
    # skill: prior, learn, guess and slip. A lesson's own `mastery:` settings win over them.
    fitted: dict[str, dict[str, float]] = field(default_factory=dict)
    # Whether multi-step problems start as worked examples that fade (teaching.fading).
    fading: bool = True

    @property
    def id(self) -> str:
        return self.lesson.id

    def step(self, index: int) -> Step:
        return self.lesson.steps[index]

    def step_index(self, step_id: str) -> int | None:
        return next((i for i, s in enumerate(self.lesson.steps) if s.id == step_id), None)

    def questions_for_skill(self, skill: str) -> list[str]:
        """The practice items of a skill (held-out assessment items are never among them)."""
        return [qid for qid, e in self.entries.items() if e.skill == skill]

    def assessment(self, skill: str) -> list[AssessmentItem]:
        """The held-out items of a skill, for a post-test only."""
        return next((list(s.assessment) for s in self.lesson.skills if s.id == skill), [])

    @cached_property
    def misconception_skills(self) -> dict[str, str]:
        """Each misconception slug and its skill: the one the shared catalogue gives it,
        else the skill of the earliest question that names it (on an option, or on a
        numeric question's mistake).

        A learner who picks an option carrying a misconception of an earlier skill is
        probably tripping over that earlier skill.
        """
        found: dict[str, str] = {}
        for entry in self.entries.values():  # in lesson order: steps, then questions
            for tagged in (*entry.question.options, *entry.question.mistakes):
                if tagged.misconception:
                    found.setdefault(tagged.misconception, entry.skill)
        return {**found, **self.home_skills}


def index_questions(lesson: Lesson) -> dict[str, Entry]:
    """Every question and check by id, with its step, position and skill."""
    entries: dict[str, Entry] = {}
    for s, step in enumerate(lesson.steps):
        for m, question in enumerate(step.questions):
            skill = question.skill or ""
            entries.setdefault(question.id, Entry(question, skill, s, m, None))
            for check, _ in question.walk_checks():
                entries.setdefault(check.id, Entry(check, skill, s, m, question.id))
    return entries
