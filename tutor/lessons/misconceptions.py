"""The shared catalogue of misconceptions: one mistaken idea, one id, across every lesson.

``misconceptions.yaml`` in a lessons folder lists each idea once, with the skill it belongs
to. Lessons tag wrong options and numeric mistakes with its ids, so evidence about one idea
adds up wherever it shows, and a learner caught by it is sent back to its skill. A folder
without the file leaves tags free (a single lesson being drafted, say).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, ValidationError

from tutor.lessons import kept
from tutor.lessons.fields import Model, Slug, Text
from tutor.lessons.format import Lesson
from tutor.lessons.messages import did_you_mean
from tutor.lessons.problems import LessonProblem, Locator, format_path
from tutor.lessons.source import UnreadableSource, read_source
from tutor.lessons.source import load as load_yaml

FILE_NAME = "misconceptions.yaml"


class Misconception(Model):
    id: Slug
    skill: Slug = Field(description="The skill this idea is a mistake about (in any lesson).")
    idea: Text = Field(description="The mistaken idea, in the learner's words.")


class Misconceptions(Model):
    misconceptions: list[Misconception]


@dataclass(frozen=True)
class Known:
    """The catalogue as loaded: each idea by id, and where it is written."""

    file: str
    by_id: dict[str, Misconception]
    lines: dict[str, tuple[int, int]]

    @property
    def skills(self) -> dict[str, str]:
        return {m.id: m.skill for m in self.by_id.values()}


def load(path: Path) -> tuple[Known | None, list[LessonProblem]]:
    """The catalogue in ``path``, or None and every problem with it."""
    try:
        source = read_source(path)
    except UnreadableSource as exc:
        return None, [LessonProblem(str(path), 1, 1, "", str(exc))]
    name = kept.key(f"catalogue:{path}", hashlib.sha256(source.encode()).hexdigest(), None)
    found = kept.read(name)
    if found is None:
        found = _load_text(path, source)
        kept.write(name, found)
    return found


def _load_text(path: Path, source: str) -> tuple[Known | None, list[LessonProblem]]:
    doc = load_yaml(source)
    locate = Locator(path, doc)
    problems = [
        LessonProblem(str(path), p.mark.line, p.mark.column, format_path(p.path), p.message)
        for p in doc.problems
    ]
    if problems or not isinstance(doc.data, dict):
        return None, problems or [locate.problem((), "expected `misconceptions:` and a list")]
    try:
        catalogue = Misconceptions.model_validate(doc.data)
    except ValidationError as exc:
        return None, sorted(
            locate.problem(tuple(e["loc"]), e["msg"]) for e in exc.errors(include_url=False)
        )
    by_id: dict[str, Misconception] = {}
    lines: dict[str, tuple[int, int]] = {}
    for i, entry in enumerate(catalogue.misconceptions):
        if entry.id in by_id:
            problems.append(
                locate.problem(("misconceptions", i, "id"), f"{entry.id!r} is listed twice")
            )
            continue
        by_id[entry.id] = entry
        mark = doc.mark_of(("misconceptions", i))
        lines[entry.id] = (mark.line, mark.column)
    if problems:
        return None, problems
    return Known(str(path), by_id, lines), []


def tagged(lesson: Lesson) -> Iterator[tuple[str, tuple, str]]:
    """(misconception, path of the tagged option or mistake, its grade) through a lesson."""
    for question, path in lesson.every_question():
        items = [(question, path)]
        items += [(sub, (*path, "steps", k)) for k, sub in enumerate(question.steps)]
        for item, at in items:  # the question and the sub-steps of a multi-step problem
            for i, option in enumerate(item.options):
                if option.misconception:
                    yield option.misconception, (*at, "options", i, "misconception"), option.grade
            for i, mistake in enumerate(item.mistakes):
                if mistake.misconception:
                    yield mistake.misconception, (*at, "mistakes", i, "misconception"), "mistake"


def unknown_tags(lesson: Lesson, known: Iterable[str], locate: Locator) -> list[LessonProblem]:
    """A problem at every tag the catalogue does not list."""
    ids = sorted(known)
    return [
        locate.problem(
            path,
            f"misconception {slug!r} is not in {FILE_NAME}; add it there with its skill"
            + did_you_mean(slug, ids),
        )
        for slug, path, _ in tagged(lesson)
        if slug not in ids
    ]


def catalogue_problems(
    known: Known, lessons: Iterable[Lesson], *, strict: bool, complete: bool = True
) -> list[LessonProblem]:
    """The catalogue against the lessons: every skill exists; with ``strict``, every idea is
    used and graded alike wherever it is (one misconception is one kind of mistake).

    Without ``complete`` (a lesson of the folder did not load), whether a skill exists or an
    idea is used anywhere cannot be told: the missing lesson may hold it, so only its own
    problems are reported, not one for every idea of its skills."""
    lessons = list(lessons)
    whole = complete and bool(lessons)
    skills = {skill.id for lesson in lessons for skill in lesson.skills}
    grades: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for lesson in lessons:
        for slug, path, grade in tagged(lesson):
            if grade != "mistake":
                grades[slug][grade].append(f"{lesson.id}: {format_path(path[:-3])}")
    used = {slug for lesson in lessons for slug, _, _ in tagged(lesson)}
    problems = []

    def at(slug: str, message: str) -> None:
        line, column = known.lines[slug]
        problems.append(LessonProblem(known.file, line, column, slug, message))

    for slug, entry in known.by_id.items():
        if whole and entry.skill not in skills:
            at(slug, f"skill {entry.skill!r} is not a skill of any lesson")
        if not strict:
            continue
        if whole and slug not in used:
            at(slug, "lint: no lesson tags this misconception; tag an option with it or drop it")
        if len(grades[slug]) > 1:
            where = "; ".join(
                f"{grade} at {', '.join(paths[:2])}"
                for grade, paths in sorted(grades[slug].items())
            )
            at(slug, f"lint: graded differently in different places ({where}); grade it alike")
    return problems
