"""Lesson linting beyond validity: what a good lesson has, not just what a valid one has.

Shown in the instructor's preview and by `tutor validate --strict`. Each finding is
a LessonProblem at the place to fix, worded as advice.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from tutor.lessons.cues import cue_problems
from tutor.lessons.format import Lesson, Question
from tutor.lessons.kinds import KINDS
from tutor.lessons.problems import LessonProblem, Locator

# A number with two or more decimals typed into prose (one ending a sentence too: "... is
# 0.993."): a value the engine could have computed, which would go stale if the example changed.
_TYPED_NUMBER = re.compile(r"(?<![\w.{])(\d+\.\d{2,})(?!\w|\.\d)")
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|`[^`]*`|\$[^$]+\$", re.S)
# As a text reads once filled in: two signs meeting ("2 × −0.5", "0.9 − −0.1"), or a
# positive number in brackets beside an operator ("3 × (0.2)", "(0.3) × 1.5").
_SIGNS_MEET = re.compile(r"(?:[×+·]|\\times|\\cdot|\s[−-])\s*[−-]\s*\d[\d.]*")
_BRACKETED_POSITIVE = re.compile(
    r"(?:[×+·−]|\\times|\\cdot)\s*\(\d[\d.]*\)|(?<![\w)])\(\d[\d.]*\)\s*(?:[×·]|\\times)"
)


def lint(lesson: Lesson, locate: Locator) -> list[LessonProblem]:
    """Every piece of advice for one valid lesson, in file order."""
    found: list[LessonProblem] = []
    questions = list(lesson.every_question())
    for question, path in questions:
        found.extend(_lint_question(question, path, locate))
    found.extend(cue_problems(lesson, [(q, p, q.skill or "") for q, p in questions], locate))
    items: Counter[str] = Counter()
    for step in lesson.steps:
        for question in step.questions:
            items[question.skill or ""] += 1 + sum(1 for _ in question.walk_checks())
    for i, skill in enumerate(lesson.skills):
        if items[skill.id] == 1:
            found.append(
                locate.problem(
                    ("skills", i),
                    f"lint: the skill {skill.id!r} has only one item; a second question or a "
                    "check gives the tutor something new to ask after a miss",
                )
            )
    for i, skill in enumerate(lesson.skills):
        transfers = {item.transfer for item in skill.assessment}
        if transfers != {"near", "far"}:
            have = ", ".join(sorted(transfers)) or "none"
            found.append(
                locate.problem(
                    ("skills", i),
                    f"lint: the skill {skill.id!r} needs held-out `assessment` items for the "
                    f"post-test, at least one `near` (new numbers) and one `far` (a new "
                    f"framing); it has {have}",
                )
            )
    if not lesson.topic_words:
        found.append(
            locate.problem(
                ("topics",),
                "lint: no `topic_words`: learners can only choose among the ready topics; "
                "declare the words a learner writes to make the lesson about their own",
                at_key=True,
            )
        )
    for s, step in enumerate(lesson.steps):
        for name in ("intro", "takeaway", "next"):
            found.extend(_typed_numbers(getattr(step, name), ("steps", s, name), locate, set()))
    return sorted(found)


def _lint_question(question: Question, path: tuple, locate: Locator) -> Iterator[LessonProblem]:
    yield from KINDS[question.kind].lint(question, path, locate)
    if len(question.another_way) == 1:
        yield locate.problem(
            (*path, "another_way"),
            "lint: only one `another_way`: a learner "
            "who misses twice sees the same explanation again; add another angle",
        )
    known = {str(v) for v in question.params.values() if isinstance(v, (int, float))}
    for sub, source in question.texts():
        yield from _typed_numbers(source, (*path, *sub), locate, known)


class Operands:
    """Numbers beside an operator as each text reads in each variant: a negative one bare
    meets the operator's sign, and a positive one needs no brackets; `paren` writes either
    right. Told every text by the validation, which renders them all anyway
    (``checks.cross_check(..., observe=operands.see)``); each text reported once, for the
    first variant that shows it."""

    def __init__(self, locate: Locator):
        self.locate = locate
        self.found: list[LessonProblem] = []
        self._told: set[tuple] = set()

    def see(self, where: tuple, text: str, seed: int | None) -> None:
        if where in self._told:
            return
        variant = "" if seed is None else f" in variant {seed}"
        problem = _operand_problem(text, where, variant, self.locate)
        if problem is not None:
            self._told.add(where)
            self.found.append(problem)


def _operand_problem(
    text: str, where: tuple, variant: str, locate: Locator
) -> LessonProblem | None:
    found = _SIGNS_MEET.search(text) or _BRACKETED_POSITIVE.search(text)
    if found is None:
        return None
    return locate.problem(
        where,
        f"lint: reads {found[0].strip()!r}{variant}; write a number beside an operator as "
        "`{{ w | paren }}`, which brackets it only when it is negative",
        near=_placeholder_after(found[0].strip()),
    )


def _placeholder_after(shown: str) -> str:
    """Where in the source the number ``shown`` came from: the first placeholder without
    `paren` right after its operator ("× {{ w }}"), or in brackets ("({{ w }}) ×")."""
    bare = r"\{\{(?![^}]*\bparen\b)"
    if shown.startswith("("):
        return r"\(" + bare
    op = next((c for c in ("\\times", "\\cdot") if shown.startswith(c)), shown[0])
    after = re.escape(op)
    return rf"(?:(?<={after} )|(?<={after}))\(?" + bare


def _typed_numbers(
    source: str | None, path: tuple, locate: Locator, known: set[str]
) -> Iterator[LessonProblem]:
    if not source:
        return
    prose = _PLACEHOLDER.sub(" ", source)
    for number in dict.fromkeys(_TYPED_NUMBER.findall(prose)):
        if number in known:
            continue
        yield locate.problem(
            path,
            f"lint: the number {number} is typed in; if the engine can "
            "compute it, write it as a placeholder such as "
            "`{{ bce_term(1, 0.7) | num(3) }}` so it stays right",
            near=rf"(?<![\w.{{]){re.escape(number)}(?!\d)",
        )
