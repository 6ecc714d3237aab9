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
from pathlib import Path

from pydantic import ValidationError

from tutor.lessons import checks
from tutor.lessons.format import Lesson
from tutor.lessons.lint import lint
from tutor.lessons.loaded import LoadedLesson, index_questions
from tutor.lessons.problems import LessonProblem, Locator, format_path, validation_problems
from tutor.lessons.source import load as load_yaml


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
    """Validate one lesson file; a file whose text was validated before is not again.

    Validation renders every text in every topic and several variants, and a reload reads
    every file of the folder: the text is read each time, but only a text not seen before
    (by its hash, with its file name) is validated again.
    """
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [LessonProblem(str(path), 1, 1, "", f"cannot read the file: {exc}")]
    key = (str(path), hashlib.sha256(source.encode()).hexdigest())
    found = _validated.get(key)
    if found is None:
        found = load_text(source, str(path))
        if len(_validated) >= VALIDATED_KEPT:
            _validated.pop(next(iter(_validated)))
        _validated[key] = found
    lesson, problems = found
    return lesson, list(problems)


VALIDATED_KEPT = 64
_validated: dict[tuple[str, str], tuple[LoadedLesson | None, list[LessonProblem]]] = {}


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
