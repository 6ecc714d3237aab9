"""Safe YAML loading that remembers where every value came from.

PyYAML's ``safe_load`` loses positions, silently keeps the last of two duplicate
keys and stops at the first problem. Instructors deserve better: this module
composes the node tree with the safe loader, reports every duplicate key and every
tag that is not plain data, then builds ordinary Python values together with a map
from each value's path (``("steps", 1, "questions", 0)``) to its line and column.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path as FilePath

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path = tuple[str | int, ...]

# Tags that describe plain data. Anything else (``!!python/object``, custom tags)
# would ask a loader to build an object, which lessons never need.
_PLAIN_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}


MAX_FILE_BYTES = 1_000_000
"""The largest lesson file read: several times the largest lesson, far below what would
keep a reload busy for long."""
MAX_DEPTH = 64
"""The deepest nesting a lesson file may have; lessons need about ten levels. PyYAML's
time grows with the square of the depth (50,000 levels took minutes to reject)."""

_BRACKETS = re.compile(r"[\[\]{}]")
_BLOCK_INDENT = re.compile(r"^(?: |- )*", re.MULTILINE)


class UnreadableSource(Exception):
    """A lesson path that is not a regular file of a sensible size, or cannot be read."""


def read_source(path: FilePath) -> str:
    """The text of a lesson file, read only when it is a regular file within the size limit.

    A FIFO or a device in the lessons folder would block the reader for ever; a huge file
    would take the reload's time and memory.
    """
    try:
        with open(path, "rb", opener=_nonblocking) as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise UnreadableSource("not a regular file (a pipe, device or socket); skipped")
            if info.st_size > MAX_FILE_BYTES:
                raise UnreadableSource(
                    f"the file is {info.st_size:,} bytes; lesson files may be at most "
                    f"{MAX_FILE_BYTES:,}: split it into several lessons"
                )
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise UnreadableSource(f"cannot read the file: {exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableSource(f"the file grew past {MAX_FILE_BYTES:,} bytes while being read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableSource(f"cannot read the file: {exc}") from None


def _nonblocking(path: str, flags: int) -> int:
    # Opening a FIFO for reading waits for a writer; non-blocking, it opens at once.
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def too_deep(text: str) -> YamlProblem | None:
    """A problem when the text nests deeper than :data:`MAX_DEPTH`, found before parsing.

    Counts flow brackets and block indentation (`- - -` included) on the raw text: an
    overestimate at worst for brackets in quoted text, which lessons never nest that deep.
    """
    depth = 0
    for match in _BRACKETS.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_DEPTH:
            return _depth_problem(text, match.start())
    for match in _BLOCK_INDENT.finditer(text):
        if match.end() - match.start() > 4 * MAX_DEPTH:
            return _depth_problem(text, match.end())
    return None


def _depth_problem(text: str, offset: int) -> YamlProblem:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return YamlProblem(
        (), Mark(line, column), f"the file nests deeper than {MAX_DEPTH} levels here"
    )


@dataclass(frozen=True)
class Mark:
    """A 1-based position in a file."""

    line: int
    column: int


@dataclass(frozen=True)
class YamlProblem:
    path: Path
    mark: Mark
    message: str


@dataclass
class Document:
    """Plain Python data plus where each part of it was written."""

    data: object
    marks: dict[Path, Mark] = field(default_factory=dict)
    key_marks: dict[Path, Mark] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)
    ends: dict[Path, int] = field(default_factory=dict)  # a text's last line
    lines: list[str] = field(default_factory=list)  # the file's

    def mark_of(self, path: Path, *, key: bool = False) -> Mark:
        """Where ``path`` was written, or its nearest written ancestor."""
        table = self.key_marks if key else self.marks
        if key and path in table:
            return table[path]
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path, Mark(1, 1))

    def find(self, path: Path, pattern: str) -> Mark | None:
        """Where ``pattern`` (a regular expression) first matches inside the text written
        at ``path``, line by line: a mistake inside a text of many lines (``lead_in: |-``)
        is shown on its own line, not the text's first. None when it is not found."""
        start, last = self.marks.get(path), self.ends.get(path)
        if start is None or last is None:
            return None
        found = re.compile(pattern)
        for line in range(start.line, min(last, len(self.lines)) + 1):
            text = self.lines[line - 1]
            offset = start.column - 1 if line == start.line else 0
            match = found.search(text, offset)
            if match:
                return Mark(line, match.start() + 1)
        return None


def _mark(node: Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self) -> None:
        self.doc = Document(data=None)
        self._constructor = yaml.SafeLoader("")

    def build(self, node: Node, path: Path) -> object:
        self.doc.marks[path] = _mark(node)
        if node.tag not in _PLAIN_TAGS:
            self.doc.problems.append(
                YamlProblem(
                    path,
                    _mark(node),
                    f"the tag {node.tag!r} is not allowed: lessons hold plain data "
                    "(text, numbers, lists and mappings) only",
                )
            )
            return None
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        end = node.end_mark
        # A block text ends where the next key begins, at its column 0.
        self.doc.ends[path] = (
            end.line + 1 if end.column > 0 else max(end.line, node.start_mark.line + 1)
        )
        return self._constructor.construct_object(node, deep=True)

    def _mapping(self, node: MappingNode, path: Path) -> dict:
        self._constructor.flatten_mapping(node)
        result: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                self.doc.problems.append(
                    YamlProblem(path, _mark(key_node), "a mapping key must be plain text")
                )
                continue
            key = self._constructor.construct_object(key_node)
            if not isinstance(key, str):
                key = str(key)
            child = (*path, key)
            if key in result:
                first = self.doc.key_marks[child]
                self.doc.problems.append(
                    YamlProblem(
                        child,
                        _mark(key_node),
                        f"duplicate key {key!r} (first written at line {first.line}); "
                        "YAML would silently keep only the last one",
                    )
                )
                continue
            self.doc.key_marks[child] = _mark(key_node)
            result[key] = self.build(value_node, child)
        return result


def load(text: str) -> Document:
    """Parse one YAML document into plain data, positions and problems.

    A syntax error is reported as a single problem (the parser cannot go on);
    duplicate keys and disallowed tags are all reported, and the rest of the
    document is still built so that later checks can find more problems.
    """
    deep = too_deep(text)
    if deep is not None:
        return Document(data=None, problems=[deep])
    try:
        aliases = [
            YamlProblem(
                (),
                Mark(event.start_mark.line + 1, event.start_mark.column + 1),
                f"the alias *{event.anchor} is not allowed: lessons write every value "
                "out (aliases can repeat or nest a value without end)",
            )
            for event in yaml.parse(text, Loader=yaml.SafeLoader)
            if isinstance(event, yaml.AliasEvent)
        ]
        if aliases:
            return Document(data=None, problems=aliases)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark else Mark(1, 1)
        what = exc.problem or exc.context or "invalid YAML"
        message = f"YAML syntax: {_plainly(what)}"
        return Document(data=None, problems=[YamlProblem((), where, message)])
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, such as NUL
        before = text[: exc.position]
        where = Mark(before.count("\n") + 1, len(before) - before.rfind("\n"))
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = f"YAML: a character YAML does not allow (#x{code:04x}) is here; remove it"
        return Document(data=None, problems=[YamlProblem((), where, message)])
    except yaml.YAMLError as exc:
        said = " ".join(str(exc).split())  # one line, as every problem is
        return Document(data=None, problems=[YamlProblem((), Mark(1, 1), f"YAML: {said}")])
    if node is None:
        return Document(data=None, problems=[YamlProblem((), Mark(1, 1), "the file is empty")])
    builder = _Builder()
    builder.doc.lines = text.splitlines()
    builder.doc.data = builder.build(node, ())
    return builder.doc


_SAID_PLAINLY = (
    ("found character '\\t' that cannot start any token", "a tab; indent with spaces"),
    (
        "expected <block end>",
        "this line is not lined up with the block it is in; keys of one mapping, and items "
        "of one list, start in the same column",
    ),
    (
        "mapping values are not allowed here",
        "a ':' where none can go; a line indented too far, or a text with ': ' in it that "
        "needs quotes",
    ),
    (
        "could not find expected ':'",
        "a line that is neither 'key: value' nor a list item; a key without its ':', or a "
        "text that went on without being indented under its key",
    ),
)


def _plainly(problem: str) -> str:
    """PyYAML's words, with what they usually mean for a lesson file said first."""
    for found, meaning in _SAID_PLAINLY:
        if found in problem:
            return f"{meaning} (PyYAML: {problem})"
    return problem
