"""Loading lesson files into validated lessons, and the catalog the app serves.

Loading is three passes, each reporting every problem it finds: YAML (syntax,
duplicate keys, object tags), the Pydantic models (fields and types), then the
cross checks only a whole lesson can answer (ids, skills, placeholders rendered
for every topic and several seeds, numeric answers the engine can compute).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pydantic import ValidationError

from tutor import checks, mastery
from tutor.lesson_errors import LessonProblem, Locator, format_path, validation_problems
from tutor.lesson_schema import AssessmentItem, Lesson, Question, Step
from tutor.lint import lint
from tutor.yaml_loader import load as load_yaml


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
    def skill_params(self) -> dict[str, mastery.Params]:
        """Each skill's knowledge-tracing parameters: the defaults and the lesson's overrides."""
        return {skill.id: mastery.Params.of(skill.mastery) for skill in self.lesson.skills}

    @cached_property
    def misconception_skills(self) -> dict[str, str]:
        """Each misconception slug and the skill of the earliest question that names it
        (on an option, or on a numeric question's mistake).

        A learner who picks an option carrying a misconception first met under an
        earlier skill is probably tripping over that earlier skill.
        """
        found: dict[str, str] = {}
        for entry in self.entries.values():  # in lesson order: steps, then questions
            for tagged in (*entry.question.options, *entry.question.mistakes):
                if tagged.misconception:
                    found.setdefault(tagged.misconception, entry.skill)
        return found


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


def load_text(source: str, file: str) -> tuple[LoadedLesson | None, list[LessonProblem]]:
    """Validate one lesson file's text; the lesson is None when there is any problem.

    Never raises: whatever goes wrong becomes a problem of this file, so one bad file
    can never take the other lessons (or the server) down.
    """
    try:
        return _load_text(source, file)
    except Exception as exc:  # noqa: BLE001 - reported, located at the file
        message = f"the file could not be checked: {type(exc).__name__}: {exc}"
        return None, [LessonProblem(file, 1, 1, "", message[:500])]


def _load_text(source: str, file: str) -> tuple[LoadedLesson | None, list[LessonProblem]]:
    doc = load_yaml(source)
    locate = Locator(file, doc)
    problems = [
        LessonProblem(file, p.mark.line, p.mark.column, format_path(p.path), p.message)
        for p in doc.problems
    ]
    if doc.data is None or problems:
        return None, sorted(problems)
    if not isinstance(doc.data, dict):
        return None, [locate.problem((), "a lesson file must be a mapping (id: ..., title: ...)")]
    try:
        lesson = Lesson.model_validate(doc.data)
    except ValidationError as exc:
        return None, sorted(validation_problems(exc, locate))
    problems = checks.cross_check(lesson, locate)
    if problems:
        return None, sorted(set(problems))
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    advice = tuple(lint(lesson, locate))
    return LoadedLesson(lesson, file, digest, index_questions(lesson), advice), []


def load_file(path: Path) -> tuple[LoadedLesson | None, list[LessonProblem]]:
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [LessonProblem(str(path), 1, 1, "", f"cannot read the file: {exc}")]
    return load_text(source, str(path))


def lesson_files(paths: Iterable[Path]) -> list[Path]:
    """The YAML files named, and those inside the folders named, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        else:
            files.append(path)
    return files


@dataclass
class Catalog:
    """The lessons the app serves, by id, and the problems of the files left out."""

    lessons: dict[str, LoadedLesson] = field(default_factory=dict)
    problems: list[LessonProblem] = field(default_factory=list)

    def get(self, lesson_id: str) -> LoadedLesson | None:
        return self.lessons.get(lesson_id)

    def __iter__(self) -> Iterator[LoadedLesson]:
        return iter(self.lessons.values())


def load_catalog(paths: Iterable[Path], *, strict: bool = False) -> Catalog:
    """Load every lesson file; a lesson id used twice is a problem in the second file.

    With ``strict``, lint advice counts as problems too (the lessons are still loaded).
    """
    catalog = Catalog()
    for path in lesson_files(paths):
        if not path.exists():
            catalog.problems.append(LessonProblem(str(path), 1, 1, "", "no such file or folder"))
            continue
        loaded, problems = load_file(path)
        catalog.problems.extend(problems)
        if loaded is None:
            continue
        if strict:
            catalog.problems.extend(loaded.advice)
        if loaded.id in catalog.lessons:
            first = catalog.lessons[loaded.id].file
            catalog.problems.append(
                LessonProblem(
                    str(path), 1, 1, "id", f"lesson id {loaded.id!r} is already used by {first}"
                )
            )
            continue
        catalog.lessons[loaded.id] = loaded
    return catalog


def refresh(previous: Catalog, paths: Iterable[Path]) -> Catalog:
    """Load the lessons again; a file that no longer validates keeps its last good lesson.

    Its problems are kept too, so instructors see why their edit is not live yet.
    """
    fresh = load_catalog(paths)
    failing = {p.file for p in fresh.problems}
    for old in previous:
        if old.file in failing and old.id not in fresh.lessons:
            fresh.lessons[old.id] = old
    # Lessons are listed in file order, whichever of them are live in their last good version.
    fresh.lessons = dict(sorted(fresh.lessons.items(), key=lambda item: item[1].file))
    return fresh
