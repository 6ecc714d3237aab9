"""Explaining a miss from another angle: which angle, and whose explanation.

Each learner is shown an angle (analogy, numbers, picture, formal) not yet seen for the
question, chosen by Thompson sampling over what has worked for them before; a check
without explanations of its own borrows those of the question it belongs to. Pure.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from tutor.lessons.loaded import LoadedLesson
from tutor.teaching.state import State


def credit_angle(state: State, angle: str, worked: bool) -> State:
    wins, losses = state.angle_stats.get(angle, (0, 0))
    stats = (wins + 1, losses) if worked else (wins, losses + 1)
    return replace(state, angle_stats={**state.angle_stats, angle: stats})


def explanation_source(lesson: LoadedLesson, state: State, question_id: str) -> tuple[str, int]:
    """Whose "another way to see it" explains ``question_id``, and in which variant.

    A question's own explanations come first. A check without any borrows them from
    the question it was written under, or else from the question whose loop it is in,
    whichever the learner has seen: the numbers in the text are then ones they saw.
    """
    entry = lesson.entries[question_id]
    if entry.question.another_way:
        return question_id, state.seen_variants.get(question_id, 0)
    for owner in (entry.parent, state.main):
        if owner and lesson.entries[owner].question.another_way and owner in state.seen_variants:
            return owner, state.seen_variants[owner]
    owner = entry.parent or state.main or question_id
    return owner, state.seen_variants.get(owner, 0)


def show_angle(
    lesson: LoadedLesson, state: State, question_id: str, rng: np.random.Generator
) -> tuple[State, str | None]:
    """Pick the angle to explain ``question_id`` from, and remember it was shown."""
    owner, _ = explanation_source(lesson, state, question_id)
    angle = choose_angle(lesson, state, owner, rng)
    if angle is None:
        return state, None
    seen = state.angles.get(owner, ())
    return replace(state, angles={**state.angles, owner: (*seen, angle)}), angle


def choose_angle(
    lesson: LoadedLesson, state: State, owner: str, rng: np.random.Generator
) -> str | None:
    """An explanation angle not yet shown for this question, by Thompson sampling.

    Each angle's chance of being followed by a right check is Beta(1 + wins,
    1 + losses) for this learner; sampling (rather than taking the best mean)
    keeps showing a new learner some variety. Once every angle has been shown, the
    one shown longest ago comes back, never the one just shown.
    """
    ways = [w.angle for w in lesson.entries[owner].question.another_way]
    if not ways:
        return None
    seen = state.angles.get(owner, ())
    fresh = [a for a in ways if a not in seen]
    if not fresh:
        last_shown = {a: i for i, a in enumerate(seen)}
        return min(ways, key=lambda a: last_shown.get(a, -1))
    draws = [
        rng.beta(1 + state.angle_stats.get(a, (0, 0))[0], 1 + state.angle_stats.get(a, (0, 0))[1])
        for a in fresh
    ]
    return fresh[int(np.argmax(draws))]
