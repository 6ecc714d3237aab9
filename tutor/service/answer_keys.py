"""A question's answer key, for instructors: the JSON twin of the preview page.

One variant of one question in one topic, as a learner sees it (the prompt and option
texts rendered, but the options in lesson order), with everything a learner never sees
before answering: each option's grade, feedback and misconception, a number's answer and
its recognised mistakes, the explanations from other angles; for a multi-step problem,
each sub-step's too, with its hints.
"""

from __future__ import annotations

from typing import Any

from tutor.errors import NotFound
from tutor.lessons.format import Question
from tutor.lessons.loaded import LoadedLesson
from tutor.lessons.variants import render_question, render_substeps
from tutor.render.numbers import num
from tutor.vocabulary import Role


def find(lesson: LoadedLesson, question_id: str) -> tuple[Question, str, dict[str, Any]]:
    """A practice question, check or held-out item by id: (question, skill, where it is)."""
    entry = lesson.entries.get(question_id)
    if entry is not None:
        step = lesson.step(entry.step_index)
        return (
            entry.question,
            entry.skill,
            {
                "role": Role.CHECK if entry.parent else Role.MAIN,
                "step": {"n": entry.step_index + 1, "id": step.id},
                "parent": entry.parent,
                "transfer": None,
            },
        )
    for skill in lesson.lesson.skills:
        for item in skill.assessment:
            if item.id == question_id:
                where = {"role": "assessment", "step": None, "parent": None}
                return item, skill.id, {**where, "transfer": item.transfer}
    parent, _, _ = question_id.partition(".")
    if parent in lesson.entries and lesson.entries[parent].question.steps:
        raise NotFound(
            f"{question_id!r} is a sub-step of {parent!r}: its key is among the `steps` "
            "of that question's key"
        )
    raise NotFound(f"lesson {lesson.id!r} has no question {question_id!r}")


def answer_key(
    lesson: LoadedLesson,
    question_id: str,
    *,
    variant: int,
    topic: str,
    ideas: dict[str, str],
) -> dict[str, Any]:
    """The answer key of one variant; ``ideas`` are the catalogue's misconception texts."""
    question, skill, where = find(lesson, question_id)
    shown = render_question(lesson.lesson, question, skill=skill, seed=variant, topic=topic)
    steps = (
        render_substeps(lesson.lesson, question, skill=skill, seed=variant, topic=topic)
        if question.steps
        else ()
    )
    return {
        "lesson_id": lesson.id,
        "version": lesson.content_hash,
        "question_id": question.id,
        "kind": question.kind,
        "skill": skill,
        **where,
        "variant": variant,
        "sampled": question.sampled,
        "topic": shown.topic,
        "params": shown.params,
        "prompt": shown.prompt,
        **_graded(shown, ideas),
        "solution": shown.solution,
        "not_sure": shown.not_sure,
        "another_way": [{"angle": angle, "text": text} for angle, text in shown.another_way],
        "bridge": shown.bridge,
        "checks": [check.id for check, _ in question.walk_checks()],
        "steps": [
            {
                "id": sub.id,
                "kind": sub.kind,
                "prompt": sub.prompt,
                **_graded(sub, ideas),
                "solution": sub.solution,
                "hints": list(sub.hints),
            }
            for sub in steps
        ],
    }


def _graded(shown: Any, ideas: dict[str, str]) -> dict[str, Any]:
    """What grades an item (a question or a sub-step): its options in lesson order, or its
    number with the tolerance and the recognised mistakes, each with its feedback."""
    return {
        "options": [
            {
                "index": option.index,
                "text": option.text,
                "grade": option.grade,
                "feedback": option.feedback,
                "misconception": option.misconception,
                "idea": ideas.get(option.misconception or ""),
            }
            for option in shown.options
        ],
        "answer": shown.answer,
        "answer_text": None if shown.answer is None else num(shown.answer, shown.decimals),
        "tolerance": shown.tolerance,
        "mistakes": [
            {
                "mistake": m.mistake,
                "value": m.value,
                "grade": m.grade,
                "feedback": m.feedback,
                "misconception": m.misconception,
                "idea": ideas.get(m.misconception or ""),
            }
            for m in shown.mistakes
        ],
    }
