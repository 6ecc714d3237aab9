"""The shipped lessons give each skill real variety: items of different structure, held-out
items, and variants whose right answer changes when it is computed from their numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.lessons.catalog import load_catalog
from tutor.lessons.variants import render_question

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
CATALOG = load_catalog([LESSONS])
SEEDS = range(60)


def _skills():
    return [(lesson, skill) for lesson in CATALOG for skill in lesson.lesson.skills]


def _sampled_choices():
    return [
        (lesson, question_id, entry)
        for lesson in CATALOG
        for question_id, entry in lesson.entries.items()
        if entry.question.kind == "choice" and entry.question.sampled
    ]


@pytest.mark.parametrize(
    ("lesson", "skill"), _skills(), ids=lambda x: getattr(x, "id", None) or str(x)
)
def test_every_skill_has_two_different_practice_items_and_a_held_out_one(lesson, skill):
    practice = lesson.questions_for_skill(skill.id)
    assert len(set(practice)) >= 2, f"{lesson.id}/{skill.id}: practice items {practice}"
    assert skill.assessment, f"{lesson.id}/{skill.id}: no held-out assessment item"


@pytest.mark.parametrize(
    ("lesson", "question_id", "entry"),
    _sampled_choices(),
    ids=lambda x: x if isinstance(x, str) else None,
)
def test_a_right_answer_computed_from_the_numbers_changes_with_them(lesson, question_id, entry):
    """Where the right option's text depends on a variant's numbers, the variants must not
    all land on the same answer (a learner would learn the letter, not the idea). A right
    option with fixed words is the same idea in every variant; the tutor counts such
    variants as one item (``teaching.items``) and never re-asks them as a check."""
    question = entry.question
    right = next(o for o in question.options if o.grade == "exactly")
    if "{{" not in right.text:
        pytest.skip("the right option has fixed words")
    answers = {
        next(
            o.text
            for o in render_question(
                lesson.lesson, question, skill=entry.skill, seed=seed, topic=None
            ).options
            if o.grade == "exactly"
        )
        for seed in SEEDS
    }
    assert len(answers) >= 2, f"{lesson.id}/{question_id}: always {answers}"
