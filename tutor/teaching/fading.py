"""How much of a multi-step problem the tutor works for the learner: adaptive fading.

Worked examples help most while a skill is new and get in the way once it is known
(the expertise-reversal effect); Cognitive Tutor studies found fading them step by step
by each learner's progress beat fading them on a fixed schedule, which beat plain
problem solving. Here the level is the number of sub-steps left to the learner, counted
from the end (backward fading: the last step first, since it is the one nearest the
answer and the easiest to see the point of):

    0          a worked example: every sub-step worked, a prompt to explain it
    1 .. n     the last 1 .. n sub-steps left to the learner, the rest worked
    n + 1      the whole problem: one number, no sub-steps shown

A learner starts at 0, or at the whole problem when the tutor already expects them to
know the skill (P(known) of one half or more, or mastered). The level rises by one when
the open sub-steps are all answered right without hints, and falls by one (not below
one) when one is missed; a miss on the whole problem opens every sub-step and leaves the
level at n. Pure.
"""

from __future__ import annotations

START_WHOLE = 0.5  # expected to know it already: no worked example first


def whole(n: int) -> int:
    return n + 1


def start_level(n: int, *, p_known: float, mastered: bool) -> int:
    """The level of a learner's first multi-step problem of a skill."""
    return whole(n) if mastered or p_known >= START_WHOLE else 0


def current(n: int, record: int | None, *, p_known: float, mastered: bool) -> int:
    """The level to present a problem of ``n`` sub-steps at."""
    if mastered:
        return whole(n)
    if record is None:
        return start_level(n, p_known=p_known, mastered=mastered)
    return min(max(record, 0), whole(n))


def after_example(n: int) -> int:
    """A worked example studied: next time, the last sub-step is the learner's."""
    return min(1, whole(n))


def after_faded(level: int, n: int, *, clean: bool) -> int:
    """After a partly worked problem: one more sub-step to do if every open one was right
    without hints, one fewer if not."""
    return min(level + 1, whole(n)) if clean else max(level - 1, 1)


def after_whole(level: int, n: int, *, right: bool) -> int:
    """After the whole problem: kept when right; all sub-steps open next time when not."""
    return level if right else n
