"""The shipped lessons read in parts: long step intros are broken up with `lead_in`.

A step whose reading comes in parts keeps in `intro` only what its first question needs;
each later part sits on the main question it prepares. These tests hold the shipped lessons
to that: every lesson has at least one step read in parts, such a step's intro stays short,
and only a step's own questions carry a `lead_in` (never a check, a sub-step or a held-out
item).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.lessons.catalog import load_catalog
from tutor.lessons.variants import render_question, render_step

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
SHIPPED = ["how-a-network-learns", "loss-functions", "backpropagation"]

# The longest rendered intro (in characters, in any topic) a step read in parts may open
# with: about two paragraphs plus a formula. The longest intros before the breaks ran to
# well over 2,000 characters.
MAX_INTRO_IN_PARTS = 1500

CATALOG = load_catalog([LESSONS])


def _lesson(lesson_id: str):
    return CATALOG.lessons[lesson_id].lesson


def _steps_in_parts(lesson):
    return [step for step in lesson.steps if any(q.lead_in for q in step.questions)]


def test_the_shipped_lessons_are_all_here():
    assert set(SHIPPED) <= set(CATALOG.lessons)


@pytest.mark.parametrize("lesson_id", SHIPPED)
def test_each_lesson_has_a_step_that_reads_in_parts(lesson_id):
    assert _steps_in_parts(_lesson(lesson_id)), f"{lesson_id}: no step reads in parts"


@pytest.mark.parametrize("lesson_id", SHIPPED)
def test_a_step_in_parts_opens_with_a_short_intro(lesson_id):
    lesson = _lesson(lesson_id)
    for step in _steps_in_parts(lesson):
        for topic in lesson.topics:
            intro = render_step(lesson, step, topic).intro
            assert len(intro) <= MAX_INTRO_IN_PARTS, (
                f"{lesson_id}/{step.id} ({topic}): intro is {len(intro)} characters"
            )


@pytest.mark.parametrize("lesson_id", SHIPPED)
def test_the_first_part_stays_in_the_intro(lesson_id):
    lesson = _lesson(lesson_id)
    for step in _steps_in_parts(lesson):
        assert step.intro and step.intro.strip(), f"{lesson_id}/{step.id}: empty intro"
        assert not step.questions[0].lead_in, (
            f"{lesson_id}/{step.id}: the first question's part belongs in the intro"
        )


@pytest.mark.parametrize("lesson_id", SHIPPED)
def test_every_lead_in_renders_in_every_topic(lesson_id):
    lesson = _lesson(lesson_id)
    for step in _steps_in_parts(lesson):
        for question in step.questions:
            if not question.lead_in:
                continue
            for topic in lesson.topics:
                shown = render_question(
                    lesson, question, skill=question.skill, seed=0, topic=topic
                ).lead_in
                assert shown and shown.strip(), f"{lesson_id}/{question.id} ({topic})"


@pytest.mark.parametrize("lesson_id", SHIPPED)
def test_only_main_questions_carry_a_lead_in(lesson_id):
    lesson = _lesson(lesson_id)
    for item, path in lesson.every_question():
        main = len(path) == 4 and path[0] == "steps" and path[2] == "questions"
        if not main:
            assert not getattr(item, "lead_in", None), f"{lesson_id}: lead_in at {path}"
        for s, sub in enumerate(getattr(item, "steps", None) or []):
            assert not getattr(sub, "lead_in", None), f"{lesson_id}: lead_in at {path} step {s}"
