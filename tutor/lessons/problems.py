"""Turning problems into `file:line:col: path: message` lines an instructor can act on."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

from pydantic import BaseModel, ValidationError

from tutor.lessons.format import Lesson
from tutor.lessons.messages import did_you_mean
from tutor.lessons.source import Document, Path
from tutor.render.numbers import counted


@dataclass(frozen=True, order=True)
class LessonProblem:
    """One problem in one lesson file, located at a line and column."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


def format_path(path: Path) -> str:
    """``("steps", 1, "questions", 0)`` as ``steps[1].questions[0]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class Locator:
    """Finds where a path was written in one lesson file."""

    def __init__(self, file: FsPath | str, doc: Document):
        self.file = str(file)
        self.doc = doc

    def problem(
        self, path: Path, message: str, *, at_key: bool = False, near: str | None = None
    ) -> LessonProblem:
        """The problem at ``path``; with ``near`` (a regular expression), at the line and
        column inside the text where it matches, if it does."""
        found = self.doc.find(path, near) if near else None
        mark = found or self.doc.mark_of(path, key=at_key)
        return LessonProblem(self.file, mark.line, mark.column, format_path(path), message)


def model_classes(annotation: Any) -> list[type[BaseModel]]:
    """Every model class an annotation can hold, through lists, unions and Annotated."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        args = args[:1]
    return [m for arg in args for m in model_classes(arg)]


def _unwrap(annotation: Any, node: Any) -> Any:
    """Strip Annotated and pick the union member that fits ``node``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [_unwrap(a, node) for a in typing.get_args(annotation)]
            models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
            if isinstance(node, dict) and models:
                tag = node.get("compute")
                fitting = [
                    m
                    for m in models
                    if tag
                    in typing.get_args(getattr(m.model_fields.get("compute"), "annotation", None))
                ]
                return (fitting or models)[0]
            lists = [m for m in members if typing.get_origin(m) in (list, tuple)]
            return lists[0] if isinstance(node, list) and lists else members[0]
        else:
            return annotation


def _model_at(path: Path, data: Any) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path`` of ``data``."""
    annotation: Any = Lesson
    node = data
    for part in path:
        annotation = _unwrap(annotation, node)
        origin = typing.get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            annotation = field.annotation
        elif origin in (list, tuple) and isinstance(part, int):
            annotation = typing.get_args(annotation)[0]
        elif origin is dict:
            annotation = typing.get_args(annotation)[1]
        else:
            return None
        node = _child(node, part)
    annotation = _unwrap(annotation, node)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and part < len(node):
        return node[part]
    return None


def _data_path(loc: tuple, data: Any, *, missing: bool) -> Path:
    """Pydantic's loc mapped onto the data, dropping the union tags it inserts."""
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            path.append(part)
            node = node[part]
        elif missing and i == len(loc) - 1:
            path.append(part)
        # anything else is a union tag such as 'sampled' or 'mse': skip it
    return tuple(path)


def _message(error: dict, path: Path, data: Any) -> tuple[str, bool]:
    """A plain-language message for one pydantic error, and whether to point at the key."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        owner = _model_at(path[:-1], data)
        fields = list(owner.model_fields) if owner is not None else []
        hint = did_you_mean(path[-1], fields)
        allowed = f"; allowed here: {', '.join(fields)}" if fields and not hint else ""
        return f"unknown field {path[-1]!r}{hint}{allowed}", True
    if kind == "missing":
        owner = _model_at(path[:-1], data)
        field = owner.model_fields.get(str(path[-1])) if owner is not None else None
        what = f" ({field.description.rstrip('.')})" if field and field.description else ""
        return f"the required field {path[-1]!r}{what} is missing: add it here", False
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        hint = did_you_mean(error.get("input"), options)
        return f"{error.get('input')!r} is not allowed; use one of {expected}{hint}", False
    if kind == "string_pattern_mismatch":
        return (
            f"{error.get('input')!r} is not a valid id: use lower-case letters, digits and "
            "hyphens, starting with a letter or digit",
            False,
        )
    if kind == "string_type" and isinstance(error.get("input"), (bool, int, float)):
        value = error["input"]
        read_as = f"the {'boolean' if isinstance(value, bool) else 'number'} {value!r}"
        return f"expected text, but YAML read this as {read_as}; put the text in quotes", False
    if kind == "too_short" and isinstance(error.get("input"), (list, dict)):
        return f"needs at least {counted(ctx.get('min_length') or 0, 'item')}", False
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return message[0].lower() + message[1:], False


def validation_problems(
    exc: ValidationError, locate: Locator, limit: int | None = None
) -> list[LessonProblem]:
    """The pydantic errors of one lesson file (the first ``limit``), located and worded for
    instructors. Locating and wording cost far more than finding: a file of many thousand
    wrong keys would keep a reload busy for a minute."""
    problems = []
    data = locate.doc.data
    errors = exc.errors(include_url=False)[:limit]
    # A misspelled field is reported once, as unknown with a suggestion, not also as missing.
    suggested = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            path = _data_path(error["loc"], data, missing=False)
            owner = _model_at(path[:-1], data)
            hint = did_you_mean(path[-1], owner.model_fields if owner else [])
            if hint:
                suggested.add((*path[:-1], hint.split("'")[1]))
    for error in errors:
        if error["type"] == "missing" and _data_path(error["loc"], data, missing=True) in suggested:
            continue
        path = _data_path(error["loc"], data, missing=error["type"] == "missing")
        message, at_key = _message(error, path, data)
        if error["type"] == "missing":
            # point at the mapping the field is missing from
            problems.append(
                LessonProblem(
                    locate.file,
                    *_line_col(locate, path[:-1]),
                    format_path(path),
                    message,
                )
            )
        else:
            problems.append(locate.problem(path, message, at_key=at_key))
    return problems


def _line_col(locate: Locator, path: Path) -> tuple[int, int]:
    mark = locate.doc.mark_of(path)
    return mark.line, mark.column
