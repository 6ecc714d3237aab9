"""A step as a conversation: the exchanges a learner has had on a step, in order.

The step page shows them one after another, as a tutor's conversation reads: the question,
what the learner said, the grade and its feedback, the line that bridges to what comes
next, then the next question. Built from the attempt log (each attempt keeps the reply it
got), so it survives a reload, a resume days later and a page without JavaScript. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tutor.lessons.loaded import LoadedLesson
from tutor.teaching.items import rendered, substeps
from tutor.vocabulary import Grade, Role

HEADINGS = {
    Role.CHECK: "checking the same idea",
    Role.REVIEW: "review",
    Role.REVISIT: "a step back",
}


@dataclass(frozen=True)
class Exchange:
    """One question asked and answered on a step, with the reply it got."""

    id: int  # the attempt's id
    heading: str
    lead_in: str | None  # the part of the step's reading shown before the question
    prompt: str | None  # None when the lesson no longer has the question
    reply: Mapping[str, Any]  # the answer's reply as it was sent (said, grade, feedback...)
    question_id: str


def exchanges(lesson: LoadedLesson, rows: Iterable[Any]) -> list[Exchange]:
    """The exchanges of ``rows`` (id, question_id, variant, role, topic, response), oldest
    first. A question's ``lead_in`` comes before its first asking only."""
    out: list[Exchange] = []
    asked: set[str] = set()
    main_heading, main_at = None, -1  # the number and place of the last main or review asked
    for row in rows:
        heading, prompt, lead_in = _question_texts(lesson, row.question_id, row.variant, row.topic)
        role = row.role
        entry = lesson.entries.get(row.question_id)
        # A part of a problem belongs to the problem's loop, numbered as the problem.
        owner = entry or lesson.entries.get(row.question_id.partition(".")[0])
        if role in (Role.MAIN, Role.REVIEW) and owner is not None:
            # (A review missed is checked in its own loop: its check is numbered as it is.)
            main_heading, main_at = _numbered(lesson, owner), owner.main_index
        elif (
            role == Role.CHECK
            and main_heading
            and heading.startswith("Question")
            and (entry is None or entry.main_index <= main_at)
        ):
            # Numbered as the question it checks, as when it was asked: a check borrowed
            # from another question of the idea is not that question's. (A check written
            # under a later question than the last one answered follows that question shown
            # as a worked example, which leaves no answer behind: it keeps its own number.)
            heading = main_heading
        if role in HEADINGS and heading.startswith(("Question", "Part")):
            heading = f"{heading} · {HEADINGS[role]}"
        elif role == Role.PRACTICE:
            heading = "Practice run"
        elif role == Role.RECALL:
            heading = "Review of an idea that is due"
        first = role == Role.MAIN and row.question_id not in asked
        asked.add(row.question_id)
        out.append(
            Exchange(
                id=row.id,
                heading=heading,
                lead_in=lead_in if first else None,
                prompt=prompt,
                reply=row.response or {},
                question_id=row.question_id,
            )
        )
    return out


@dataclass(frozen=True)
class StepRecap:
    """One step of a finished lesson as the learner went through it."""

    n: int
    title: str
    takeaway: str
    first_sights: int  # items met for the first time on this step
    right_first: int  # of those, answered Exactly
    numbers: tuple[tuple[str, str], ...]  # (question, the number the learner worked out)


NUMBERS_PER_STEP = 2


def recap(
    lesson: LoadedLesson, titles: list[tuple[str, str]], rows_by_step: list[list[Any]]
) -> list[StepRecap]:
    """The loop a lesson taught, step by step, with the learner's own numbers: the values
    they worked out right (the latest few per step) and their first-try record.

    ``titles`` holds each step's (title, takeaway) in the learner's topic; ``rows_by_step``
    each step's attempts (as for :func:`exchanges`, with grade and first_try).
    """
    out = []
    for n, ((title, takeaway), rows) in enumerate(zip(titles, rows_by_step, strict=True), 1):
        said = exchanges(lesson, rows)
        worked = [
            (x.prompt, str(x.reply.get("said", "")))
            for x, row in zip(said, rows, strict=True)
            if row.grade == Grade.EXACTLY and x.prompt and _is_numeric(lesson, row.question_id)
        ]
        firsts = [row for row in rows if row.first_try]
        out.append(
            StepRecap(
                n=n,
                title=title,
                takeaway=takeaway,
                first_sights=len(firsts),
                right_first=sum(row.grade == Grade.EXACTLY for row in firsts),
                numbers=tuple(worked[-NUMBERS_PER_STEP:]),
            )
        )
    return out


def _is_numeric(lesson: LoadedLesson, question_id: str) -> bool:
    entry = lesson.entries.get(question_id)
    if entry is not None:
        return entry.question.kind == "numeric"
    parent, _, sub = question_id.partition(".")
    found = lesson.entries.get(parent)
    step = next((s for s in found.question.steps if s.id == sub), None) if found else None
    return step is not None and step.kind == "numeric"


def lead_in_for(lesson: LoadedLesson, question_id: str, seed: int, topic: str) -> str | None:
    """The part of the step's reading to show before a question (``lead_in``), if any."""
    entry = lesson.entries.get(question_id)
    if entry is None or entry.parent is not None:
        return None
    return rendered(lesson, question_id, seed, topic).lead_in


def _numbered(lesson: LoadedLesson, entry: Any) -> str:
    return f"Question {entry.main_index + 1} of {len(lesson.step(entry.step_index).questions)}"


def _question_texts(
    lesson: LoadedLesson, question_id: str, seed: int, topic: str
) -> tuple[str, str | None, str | None]:
    """(heading, prompt, lead_in) of an asked item: a question, or a part of a problem."""
    entry = lesson.entries.get(question_id)
    if entry is not None:
        shown = rendered(lesson, question_id, seed, topic)
        lead_in = shown.lead_in if entry.parent is None else None
        return _numbered(lesson, entry), shown.prompt, lead_in
    parent, _, sub = question_id.partition(".")
    if parent in lesson.entries:
        parts = substeps(lesson, parent, seed, topic)
        index = next((i for i, p in enumerate(parts) if p.step_id == sub), None)
        if index is not None:
            return f"Part {index + 1} of {len(parts)}", parts[index].prompt, None
    return "An earlier question", None, None
