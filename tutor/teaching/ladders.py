"""Inside a multi-step problem: the sub-steps asked one at a time, hints, and fading.

A numeric question with sub-steps is presented at the learner's fading level
(``teaching.fading``): as a worked example, partly worked, or whole. A miss on the whole
problem opens its ladder: every sub-step, one at a time, each graded with its mistakes
recognised. When the last open sub-step is answered, the problem counts as answered (right
only if every open sub-step was right without hints) and the lesson's loop goes on from
there as after any answer: a check after a miss, the next question after a right answer.

Hints come one rung at a time: a nudge, the formula, then the worked value. Each rung
taken weakens what a right answer to that sub-step says: as evidence it counts as Close
after one hint, Not quite after two and Not sure once the value was shown. Pure.
"""

from __future__ import annotations

from tutor.lessons.loaded import Entry, LoadedLesson
from tutor.teaching import fading
from tutor.teaching.state import Item, Ladder, State, replace
from tutor.vocabulary import Grade

EXAMPLE, FADED, LADDER = "example", "faded", "ladder"
_AFTER_HINTS = {1: Grade.CLOSE, 2: Grade.NOT_QUITE}


def has_steps(entry: Entry) -> bool:
    return bool(entry.question.steps)


def size(lesson: LoadedLesson, question_id: str) -> int:
    return len(lesson.entries[question_id].question.steps)


def present(
    lesson: LoadedLesson,
    state: State,
    *,
    p_known: float,
    mastered: bool,
) -> State:
    """The new current item, if a multi-step problem, at the learner's fading level."""
    item = state.item
    if item is None or state.ladder is not None:
        return state
    entry = lesson.entries[item.question]
    if not has_steps(entry) or not lesson.fading:
        return state
    n = len(entry.question.steps)
    level = fading.current(n, state.fade.get(entry.skill), p_known=p_known, mastered=mastered)
    if level >= fading.whole(n):
        return state
    if level == 0:
        return replace(state, ladder=Ladder(item.question, item.variant, EXAMPLE, n, n))
    first = n - level
    return replace(state, ladder=Ladder(item.question, item.variant, FADED, first, first))


def open_after_miss(lesson: LoadedLesson, state: State, item: Item) -> State:
    """A miss on the whole problem: every sub-step, one at a time."""
    entry = lesson.entries[item.question]
    n = len(entry.question.steps)
    level = state.fade.get(entry.skill, fading.whole(n))
    return replace(
        state,
        ladder=Ladder(item.question, item.variant, LADDER, 0, 0),
        fade={**state.fade, entry.skill: fading.after_whole(level, n, right=False)},
    )


def whole_right(lesson: LoadedLesson, state: State, item: Item) -> State:
    """The whole problem answered right: the learner stays at the whole problem."""
    entry = lesson.entries[item.question]
    n = len(entry.question.steps)
    return replace(state, fade={**state.fade, entry.skill: fading.whole(n)})


def after_substep(lesson: LoadedLesson, state: State, grade: str) -> tuple[State, bool, bool]:
    """After a sub-step's answer: (state, whether the problem is finished, whether it counts
    as answered right)."""
    ladder = state.ladder
    assert ladder is not None and ladder.mode != EXAMPLE
    clean = grade == Grade.EXACTLY and ladder.hints == 0
    slips = ladder.slips + (not clean)
    n = size(lesson, ladder.question)
    if ladder.at + 1 < n:
        moved = replace(ladder, at=ladder.at + 1, hints=0, slips=slips)
        return replace(state, ladder=moved), False, False
    skill = lesson.entries[ladder.question].skill
    fade = dict(state.fade)
    if ladder.mode == FADED:
        level = n - ladder.first_open
        fade[skill] = fading.after_faded(level, n, clean=slips == 0)
    right = ladder.mode == FADED and slips == 0
    return replace(state, ladder=None, fade=fade), True, right


def after_example(lesson: LoadedLesson, state: State) -> State:
    """A worked example studied: next time, the learner does its last sub-step."""
    ladder = state.ladder
    assert ladder is not None and ladder.mode == EXAMPLE
    entry = lesson.entries[ladder.question]
    n = len(entry.question.steps)
    return replace(state, ladder=None, fade={**state.fade, entry.skill: fading.after_example(n)})


def take_hint(state: State, rungs: int) -> tuple[State, int]:
    """One rung further down the current sub-step's hint ladder of ``rungs`` (its hints, then
    its worked value); returns the rung."""
    ladder = state.ladder
    if ladder is None or ladder.mode == EXAMPLE:
        raise ValueError("hints are for a sub-step of a problem; there is none to answer now")
    if ladder.hints >= rungs:
        raise ValueError("every hint for this sub-step is already shown, its value included")
    rung = ladder.hints + 1
    return replace(state, ladder=replace(ladder, hints=rung)), rung


def evidence_grade(grade: str, hints: int) -> str:
    """What a sub-step's answer says about the skill, after ``hints`` rungs of help."""
    if hints <= 0 or grade != Grade.EXACTLY:
        return grade
    return _AFTER_HINTS.get(hints, Grade.NOT_SURE)
