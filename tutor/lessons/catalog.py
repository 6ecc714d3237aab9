"""Loading lesson files into validated lessons, and the catalog the app serves.

Loading is three passes, each reporting every problem it finds: YAML (syntax,
duplicate keys, object tags), the Pydantic models (fields and types), then the
cross checks only a whole lesson can answer (ids, skills, placeholders rendered
for every topic and several seeds, numeric answers the engine can compute).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import ValidationError

from tutor.lessons import kept, misconceptions
from tutor.lessons.format import Lesson
from tutor.lessons.loaded import LoadedLesson, index_questions
from tutor.lessons.problems import LessonProblem, Locator, format_path, validation_problems
from tutor.lessons.source import load as load_yaml


def load_text(
    source: str, file: str, known: frozenset[str] | None = None
) -> tuple[LoadedLesson | None, list[LessonProblem]]:
    """Validate one lesson file's text; the lesson is None when there is any problem.

    ``known`` holds the misconception ids of the folder's shared catalogue, if it has one:
    every tag must be among them. Never raises: whatever goes wrong becomes a problem of
    this file, so one bad file can never take the other lessons (or the server) down.
    """
    try:
        return _load_text(source, file, known)
    except Exception as exc:  # noqa: BLE001 - reported, located at the file
        message = f"the file could not be checked: {type(exc).__name__}: {exc}"
        return None, [LessonProblem(file, 1, 1, "", message[:500])]


def _load_text(
    source: str, file: str, known: frozenset[str] | None
) -> tuple[LoadedLesson | None, list[LessonProblem]]:
    # Imported here: a start that finds every lesson kept (tutor.lessons.kept) needs neither.
    from tutor.lessons import checks
    from tutor.lessons.lint import lint

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
    if known is not None:
        problems += misconceptions.unknown_tags(lesson, known, locate)
    if problems:
        return None, sorted(set(problems))
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    advice = tuple(lint(lesson, locate))
    return LoadedLesson(lesson, file, digest, index_questions(lesson), advice), []


def load_file(
    path: Path, known: frozenset[str] | None = None
) -> tuple[LoadedLesson | None, list[LessonProblem]]:
    """Validate one lesson file; a file whose text was validated before is not again.

    Validation renders every text in every topic and several variants, and a reload reads
    every file of the folder: the text is read each time, but only a text not seen before
    (by its hash, with its file name) is validated again, in this process or, through
    :mod:`tutor.lessons.kept`, an earlier one.
    """
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [LessonProblem(str(path), 1, 1, "", f"cannot read the file: {exc}")]
    key = (str(path), hashlib.sha256(source.encode()).hexdigest(), known)
    found = _validated.get(key)
    if found is None:
        on_disk = kept.key(*key)
        found = kept.read(on_disk)
        if found is None:
            found = load_text(source, str(path), known)
            kept.write(on_disk, found)
        if len(_validated) >= VALIDATED_KEPT:
            _validated.pop(next(iter(_validated)))
        _validated[key] = found
    lesson, problems = found
    return lesson, list(problems)


VALIDATED_KEPT = 64
_validated: dict[tuple, tuple[LoadedLesson | None, list[LessonProblem]]] = {}


def lesson_files(paths: Iterable[Path]) -> list[Path]:
    """The YAML files named, and those inside the folders named, in a stable order
    (a folder's misconception catalogue is not a lesson)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
            files.extend(f for f in found if f.name != misconceptions.FILE_NAME)
        else:
            files.append(path)
    return files


@dataclass
class Catalog:
    """The lessons the app serves, by id, and the problems of the files left out."""

    lessons: dict[str, LoadedLesson] = field(default_factory=dict)
    problems: list[LessonProblem] = field(default_factory=list)
    misconceptions: misconceptions.Known | None = None
    fitted: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    fading: bool = True  # worked examples that fade (teaching.fading); off: whole problems

    def get(self, lesson_id: str) -> LoadedLesson | None:
        return self.lessons.get(lesson_id)

    def __iter__(self) -> Iterator[LoadedLesson]:
        return iter(self.lessons.values())

    def with_fitted(self, fitted: dict[str, dict[str, dict[str, float]]]) -> Catalog:
        """The lessons with the parameters fitted for their skills (lesson -> skill -> ...)."""
        lessons = {
            k: replace(lesson, fitted=fitted[k]) if fitted.get(k) else lesson
            for k, lesson in self.lessons.items()
        }
        return Catalog(lessons, self.problems, self.misconceptions, fitted, self.fading)

    def with_fading(self, fading: bool) -> Catalog:
        """The lessons with worked-example fading on (the default) or off (every multi-step
        problem asked whole, its sub-steps only after a miss): for comparing the two."""
        lessons = {
            k: lesson if lesson.fading == fading else replace(lesson, fading=fading)
            for k, lesson in self.lessons.items()
        }
        return Catalog(lessons, self.problems, self.misconceptions, self.fitted, fading)


def load_catalog(paths: Iterable[Path], *, strict: bool = False) -> Catalog:
    """Load every lesson file; a lesson id used twice is a problem in the second file.

    With ``strict``, lint advice counts as problems too (the lessons are still loaded).
    A folder's ``misconceptions.yaml`` (or the one beside a file named) is the catalogue
    its lessons' tags come from; named as a folder, it is checked against them all.
    """
    paths = list(paths)
    catalog = Catalog()
    catalogues = _catalogues(paths, catalog.problems)
    for path in lesson_files(paths):
        if not path.exists():
            catalog.problems.append(LessonProblem(str(path), 1, 1, "", "no such file or folder"))
            continue
        known = catalogues.get(path.parent)
        loaded, problems = load_file(path, frozenset(known.by_id) if known else None)
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
        if known is not None:
            loaded = replace(loaded, home_skills=known.skills)
        catalog.lessons[loaded.id] = loaded
    for folder, known in catalogues.items():
        if folder in paths:
            in_folder = [lesson.lesson for lesson in catalog if Path(lesson.file).parent == folder]
            catalog.problems.extend(
                misconceptions.catalogue_problems(known, in_folder, strict=strict)
            )
        catalog.misconceptions = catalog.misconceptions or known
    return catalog


def _catalogues(
    paths: list[Path], problems: list[LessonProblem]
) -> dict[Path, misconceptions.Known]:
    """The misconception catalogue of each folder named, or holding a file named."""
    found: dict[Path, misconceptions.Known] = {}
    for folder in dict.fromkeys(p if p.is_dir() else p.parent for p in paths):
        file = folder / misconceptions.FILE_NAME
        if file.is_file():
            known, wrong = misconceptions.load(file)
            problems.extend(wrong)
            if known is not None:
                found[folder] = known
    return found


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
    return fresh.with_fading(previous.fading).with_fitted(previous.fitted)
