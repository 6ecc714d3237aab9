"""Explaining a miss from another angle: which angle, and whose explanation.

Each learner is shown an angle (analogy, numbers, picture, formal) not yet seen for the
question, chosen by Thompson sampling over what has worked for them before; a check
without explanations of its own borrows those of the question it belongs to. Pure.

After a miss, the explanation is of the question just answered, in its numbers. Asked for
from an offer, it is of the question on screen, in the numbers on screen: its own
explanations (the item then counts as seen, as they may work its answer out), or borrowed
ones that quote no numbers of the question they were written for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from tutor.lessons.loaded import LoadedLesson
from tutor.teaching import items
from tutor.teaching.state import State, recent, replace

_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.S)
_NAME = re.compile(r"[A-Za-z_]\w*")


def quotes_numbers(text: str, names: Iterable[str]) -> bool:
    """Whether a text's placeholders use any of ``names`` (a question's params, its answer)."""
    used = {
        n for block in _PLACEHOLDER.findall(text) for part in block for n in _NAME.findall(part)
    }
    return not used.isdisjoint(names)


@dataclass(frozen=True)
class Source:
    """Whose explanations explain an item, rendered in which variant, from which angles."""

    owner: str
    variant: int
    angles: tuple[str, ...]
    own: bool  # the item's own explanations, in its own numbers


def fitting(lesson: LoadedLesson, state: State, question_id: str, variant: int) -> Source | None:
    """The explanations that fit one variant of a question, or None when none does.

    Its own come first, in its numbers. A check without any borrows those of the question
    it was written under, or else of the question whose loop it is in; their numbers are not
    the check's, so only explanations that quote none of them fit.
    """
    entry = lesson.entries[question_id]
    if entry.question.another_way:
        ways = tuple(w.angle for w in entry.question.another_way)
        return Source(question_id, variant, ways, own=True)
    for owner in (entry.parent, state.main):
        if not owner or owner == question_id:
            continue
        borrowed = lesson.entries[owner].question
        names = {*borrowed.params, "answer", "steps"}
        fit = tuple(w.angle for w in borrowed.another_way if not quotes_numbers(w.text, names))
        if fit:
            return Source(owner, state.seen_variants.get(owner, 0), fit, own=False)
    return None


def explanation_source(lesson: LoadedLesson, state: State, question_id: str) -> Source | None:
    """What explains ``question_id`` after a miss: in the variant the learner answered."""
    return fitting(lesson, state, question_id, state.seen_variants.get(question_id, 0))


def on_screen(lesson: LoadedLesson, state: State) -> Source | None:
    """What explains the item on screen, in the numbers on screen."""
    item = state.item
    return None if item is None else fitting(lesson, state, item.question, item.variant)


def show_on_screen(
    lesson: LoadedLesson, state: State, rng: np.random.Generator
) -> tuple[State, str | None]:
    """Pick the angle to explain the item on screen from, and remember it was shown; its
    own explanations may work its answer out, so the item counts as seen from then on."""
    source = on_screen(lesson, state)
    state, angle = _show(lesson, state, source, rng)
    if angle and source and source.own and state.item is not None:
        key = items.item_key(lesson, state.item.question, state.item.variant)
        if key not in state.seen:
            state = replace(state, seen=(*state.seen, key))
    return state, angle


def show_angle(
    lesson: LoadedLesson, state: State, question_id: str, rng: np.random.Generator
) -> tuple[State, str | None]:
    """Pick the angle to explain ``question_id`` from after a miss, and remember it."""
    return _show(lesson, state, explanation_source(lesson, state, question_id), rng)


def _show(
    lesson: LoadedLesson, state: State, source: Source | None, rng: np.random.Generator
) -> tuple[State, str | None]:
    if source is None:
        return state, None
    angle = choose_angle(lesson, state, source.owner, rng, allowed=source.angles)
    if angle is None:
        return state, None
    shown = recent(state.angles.get(source.owner, ()), angle)
    return replace(state, angles={**state.angles, source.owner: shown}), angle


def credit_angle(state: State, angle: str, worked: bool) -> State:
    wins, losses = state.angle_stats.get(angle, (0, 0))
    stats = (wins + 1, losses) if worked else (wins, losses + 1)
    return replace(state, angle_stats={**state.angle_stats, angle: stats})


def choose_angle(
    lesson: LoadedLesson,
    state: State,
    owner: str,
    rng: np.random.Generator,
    allowed: tuple[str, ...] | None = None,
) -> str | None:
    """An explanation angle not yet shown for this question, by Thompson sampling.

    Each angle's chance of being followed by a right check is Beta(1 + wins,
    1 + losses) for this learner; sampling (rather than taking the best mean)
    keeps showing a new learner some variety. Once every angle has been shown, the
    one shown longest ago comes back, never the one just shown.
    """
    ways = [w.angle for w in lesson.entries[owner].question.another_way]
    if allowed is not None:
        ways = [a for a in ways if a in allowed]
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
