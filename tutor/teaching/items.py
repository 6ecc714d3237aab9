"""Items: one variant of one question, rendered, and what makes two items the same.

An item is the same item again when it would show the learner the same right answer: the
same question with the same right option, or with the same numbers. That identity is what
evidence and checks go by: only the first sight of an item is full evidence of a skill, and
a check after a miss is never an item whose answer the learner has just been shown.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Collection
from functools import lru_cache

import numpy as np

from tutor.lessons.kinds import KINDS
from tutor.lessons.loaded import LoadedLesson
from tutor.lessons.variants import (
    VARIANTS,
    RenderedQuestion,
    RenderedSubStep,
    explain_prompt,
    render_question,
    render_substeps,
)
from tutor.teaching.state import new_variant


@lru_cache(maxsize=8192)
def rendered(lesson: LoadedLesson, question_id: str, seed: int, topic: str) -> RenderedQuestion:
    """A question variant in a topic (an item is rendered for `next`, then to grade it)."""
    entry = lesson.entries[question_id]
    if not entry.question.sampled and seed != 0:
        # Fixed numbers: every seed reads the same, and only the seed itself (which orders
        # and names the options for each learner) differs. Rendered once, copied.
        same = copy.copy(rendered(lesson, question_id, 0, topic))
        same.seed = seed
        return same
    return render_question(lesson.lesson, entry.question, skill=entry.skill, seed=seed, topic=topic)


def item_key(lesson: LoadedLesson, question_id: str, seed: int) -> str:
    """The item's identity: its question and, in the lesson's default words, the right
    answer it shows (a topic re-skins words, not answers)."""
    if not lesson.entries[question_id].question.sampled:
        seed = 0  # the same answer whatever the seed: one identity
    return _item_key(lesson, question_id, seed)


@lru_cache(maxsize=8192)
def _item_key(lesson: LoadedLesson, question_id: str, seed: int) -> str:
    question = rendered(lesson, question_id, seed, lesson.lesson.default_topic)
    answer = KINDS[question.kind].right_answer(question)
    digest = hashlib.blake2s(answer.encode(), digest_size=4).hexdigest()
    return f"{question_id}#{digest}"


def unseen_variant(
    lesson: LoadedLesson, question_id: str, seen: Collection[str], rng: np.random.Generator
) -> int | None:
    """A variant of the question whose right answer is not among ``seen``, picked at
    random; None when the learner has been shown every one."""
    if not lesson.entries[question_id].question.sampled:
        # One answer whatever the seed; the seed still orders the options.
        return None if item_key(lesson, question_id, 0) in seen else new_variant(rng)
    for variant in rng.permutation(VARIANTS).tolist():
        if _item_key(lesson, question_id, variant) not in seen:
            return variant
    return None


@lru_cache(maxsize=2048)
def substeps(
    lesson: LoadedLesson, question_id: str, seed: int, topic: str
) -> tuple[RenderedSubStep, ...]:
    """The sub-steps of a multi-step question, in one variant and topic."""
    entry = lesson.entries[question_id]
    return render_substeps(lesson.lesson, entry.question, skill=entry.skill, seed=seed, topic=topic)


def substep_key(lesson: LoadedLesson, question_id: str, index: int, seed: int) -> str:
    """A sub-step's identity as an item: its id and the right answer it shows."""
    sub = substeps(lesson, question_id, seed, lesson.lesson.default_topic)[index]
    answer = KINDS[sub.kind].right_answer(sub)
    return f"{sub.id}#{hashlib.blake2s(answer.encode(), digest_size=4).hexdigest()}"


@lru_cache(maxsize=2048)
def explained(lesson: LoadedLesson, question_id: str, seed: int, topic: str) -> str:
    """The self-explanation prompt under a worked example, in one variant and topic: shown on
    every read of the example, and it draws the variant's numbers again each time."""
    question = lesson.entries[question_id].question
    return explain_prompt(lesson.lesson, question, seed=seed, topic=topic)
