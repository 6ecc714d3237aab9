"""Loading lesson files into validated lessons, and the catalog the app serves.

Loading is three passes, each reporting every problem it finds: YAML (syntax,
duplicate keys, object tags), the Pydantic models (fields and types), then the
cross checks only a whole lesson can answer (ids, skills, placeholders rendered
for every topic and every variant, numeric answers the engine can compute).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import ValidationError

from tutor.lessons import kept, misconceptions
from tutor.lessons.format import Lesson
from tutor.lessons.loaded import LoadedLesson, index_questions
from tutor.lessons.problems import LessonProblem, Locator, format_path, validation_problems
from tutor.lessons.source import UnreadableSource, read_source
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
    from tutor.lessons.lint import Operands, lint

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
        found = sorted(validation_problems(exc, locate, limit=MAX_PROBLEMS))
        errors = exc.error_count()
        return None, _capped(found, errors if errors > MAX_PROBLEMS else None)
    operands = Operands(locate)  # advice read off the check's own rendering of every text
    problems = checks.cross_check(lesson, locate, observe=operands.see)
    if known is not None:
        problems += misconceptions.unknown_tags(lesson, known, locate)
    if problems:
        return None, sorted(set(problems))
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    advice = tuple(sorted([*lint(lesson, locate), *operands.found]))
    mark = doc.mark_of(("id",))
    id_at = (mark.line, mark.column)
    return LoadedLesson(lesson, file, digest, index_questions(lesson), advice, id_at=id_at), []


def load_file(
    path: Path, known: frozenset[str] | None = None
) -> tuple[LoadedLesson | None, list[LessonProblem]]:
    """Validate one lesson file; a file unchanged since it was last validated is not again.

    Validation renders every text in every topic and several variants. A file whose size
    and modification time are those of its last look is not even read again; one that was
    touched but holds a text validated before (by its hash, with its file name) is read but
    not validated again, in this process or, through :mod:`tutor.lessons.kept`, an earlier
    one.
    """
    try:
        info = path.stat()
    except OSError as exc:
        return None, [LessonProblem(str(path), 1, 1, "", f"cannot read the file: {exc}")]
    seen = (str(path), info.st_ino, info.st_mtime_ns, info.st_ctime_ns, info.st_size, known)
    found = _unchanged.get(seen)
    if found is None:
        try:
            source = read_source(path)
        except UnreadableSource as exc:
            return None, [LessonProblem(str(path), 1, 1, "", str(exc))]
        key = (str(path), hashlib.sha256(source.encode()).hexdigest(), known)
        found = _validated.get(key)
        if found is None:
            on_disk = kept.key(*key)
            found = kept.read(on_disk)
            if found is None:
                lesson, problems = load_text(source, str(path), known)
                found = lesson, _capped(problems)
                kept.write(on_disk, found)
            _keep(_validated, key, found)
        if time.time_ns() - info.st_mtime_ns > SETTLED_NS:
            # File times tick coarsely: an edit within the same tick, of the same size,
            # would look unchanged. Only a file left alone for a while is known by its times.
            _keep(_unchanged, seen, found, UNCHANGED_KEPT)
    lesson, problems = found
    return lesson, list(problems)


VALIDATED_KEPT = 64
SETTLED_NS = 2_000_000_000
UNCHANGED_KEPT = 4096
MAX_PROBLEMS = 50
"""Problems reported per file; the rest are counted. A broken file of 500,000 keys would
otherwise give 500,000 problems to log and to send to the instructor pages."""
_validated: dict[tuple, tuple[LoadedLesson | None, list[LessonProblem]]] = {}
_unchanged: dict[tuple, tuple[LoadedLesson | None, list[LessonProblem]]] = {}


def _keep(cache: dict, key: tuple, value: tuple, kept: int = VALIDATED_KEPT) -> None:
    if len(cache) >= kept:
        cache.pop(next(iter(cache)))
    cache[key] = value


def _capped(problems: list[LessonProblem], total: int | None = None) -> list[LessonProblem]:
    """The first :data:`MAX_PROBLEMS` problems, and a count of the rest (of ``total``)."""
    total = max(total or 0, len(problems))
    if total <= MAX_PROBLEMS + 1 and total == len(problems):  # capped already, or few
        return problems
    shown = problems[:MAX_PROBLEMS]
    rest = total - len(shown)
    last = shown[-1]
    more = f"and {rest:,} more problem{'s' if rest != 1 else ''} in this file: fix these first"
    return [*shown, LessonProblem(last.file, last.line, last.column, "", more)]


def lesson_files(paths: Iterable[Path]) -> list[Path]:
    """The YAML files named, and those inside the folders named, in a stable order
    (a folder's misconception catalogue is not a lesson)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
            # Only regular files: a FIFO named like a lesson would block every reload.
            files.extend(f for f in found if f.name != misconceptions.FILE_NAME and f.is_file())
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
    """Load every lesson file; a lesson id used twice is a problem in the second file (or
    in the first, when only the second is named for the id).

    With ``strict``, lint advice counts as problems too (the lessons are still loaded).
    A folder's ``misconceptions.yaml`` (or the one beside a file named) is the catalogue
    its lessons' tags come from; named as a folder, it is checked against them all.
    """
    paths = list(paths)
    catalog = Catalog()
    catalogues = _catalogues(paths, catalog.problems)
    left_out: set[Path] = set()  # folders with a lesson file that did not load
    for path in lesson_files(paths):
        if not path.exists():
            catalog.problems.append(LessonProblem(str(path), 1, 1, "", "no such file or folder"))
            continue
        known = catalogues.get(path.parent)
        loaded, problems = load_file(path, frozenset(known.by_id) if known else None)
        catalog.problems.extend(problems)
        if loaded is None:
            left_out.add(path.parent)
            continue
        if strict:
            catalog.problems.extend(loaded.advice)
        if known is not None:
            loaded = replace(loaded, home_skills=known.skills)
        other = catalog.lessons.get(loaded.id)
        if other is not None:
            kept, dropped = (loaded, other) if _named_for_id(loaded, other) else (other, loaded)
            catalog.problems.append(_id_taken(dropped, kept))
            left_out.add(Path(dropped.file).parent)
            loaded = kept
        catalog.lessons[loaded.id] = loaded
    catalog.lessons = in_order(catalog.lessons)
    for folder, known in catalogues.items():
        if folder in paths:
            in_folder = [lesson.lesson for lesson in catalog if Path(lesson.file).parent == folder]
            catalog.problems.extend(
                misconceptions.catalogue_problems(
                    known, in_folder, strict=strict, complete=folder not in left_out
                )
            )
        catalog.misconceptions = catalog.misconceptions or known
    return catalog


def _named_for_id(lesson: LoadedLesson, other: LoadedLesson) -> bool:
    """Of two files with one lesson id, whether ``lesson``'s keeps it rather than the one
    loaded first: only when its file is named for the id and the other's is not. So an id
    copied into another file by mistake never takes the lesson from the file it names."""
    return Path(lesson.file).stem == lesson.id != Path(other.file).stem


def _id_taken(dropped: LoadedLesson, kept: LoadedLesson) -> LessonProblem:
    line, column = dropped.id_at
    message = (
        f"lesson id {dropped.id!r} is already used by {kept.file}; "
        "give this lesson an id of its own"
    )
    return LessonProblem(dropped.file, line, column, "id", message)


def in_order(lessons: dict[str, LoadedLesson]) -> dict[str, LoadedLesson]:
    """Lessons by their `order`, then those without one, each by file name."""

    def place(lesson: LoadedLesson) -> tuple[bool, int, str]:
        order = lesson.lesson.order
        return order is None, order or 0, lesson.file

    return dict(sorted(lessons.items(), key=lambda item: place(item[1])))


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
    # Whichever of them are live in their last good version.
    fresh.lessons = in_order(fresh.lessons)
    return fresh.with_fading(previous.fading).with_fitted(previous.fitted)
