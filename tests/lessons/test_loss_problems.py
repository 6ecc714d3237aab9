"""The loss lesson's worked problems: numeric questions broken into the moves that make their
answers, and the engine computations (softmax, loss from logits, weighted cross-entropy, the
mean and the median) asked as numbers where their ideas are taught.

The validator proves the sub-steps chain for a few seeds; these tests go through every draw a
learner can get, and pin which moves each problem is made of.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest

from tutor.engine import computations
from tutor.lessons import templates, variants
from tutor.lessons.catalog import load_catalog
from tutor.lessons.format import Question, Sampled
from tutor.lessons.kinds import numeric

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
CATALOG = load_catalog([LESSONS])
LESSON = CATALOG.lessons["loss-functions"].lesson
ENTRIES = CATALOG.lessons["loss-functions"].entries

# question id -> the computation of each sub-step, in order (None for a choice sub-step)
PROBLEMS = {
    "compute-mse": ["difference", "square", "mse"],
    "compute-mae": ["difference", "absolute", "mae"],
    "bce-for-a-yes": ["true_class_prob", "ln", "neg_ln"],
    "bce-for-a-no": ["true_class_prob", "ln", "neg_ln"],
    "bce-three-cases": ["true_class_prob", "ln", "neg_ln", "bce"],
    "below-the-guard": [None, "neg_ln", "bce"],
    "compute-cce": ["class_prob", "neg_ln"],
}


def _question(question_id: str) -> Question:
    return ENTRIES[question_id].question


def _draws(q: Question) -> list[dict]:
    """Every params a learner can get: the product of the question's choices."""
    names, pools = [], []
    for name, spec in q.params.items():
        if isinstance(spec, Sampled):
            assert spec.choice is not None and spec.size is None, name
            names.append(name)
            pools.append(spec.choice)
    fixed = {n: v for n, v in q.params.items() if not isinstance(v, Sampled)}
    combos = itertools.product(*pools)
    return [{**fixed, **dict(zip(names, combo, strict=True))} for combo in combos]


def _compute(item, context: dict) -> float:
    return computations.compute(item.answer.compute, **numeric.answer_args(item, context))


@pytest.mark.parametrize("question_id", list(PROBLEMS))
def test_each_problem_is_made_of_the_moves_that_teach_it(question_id):
    q = _question(question_id)
    assert q.kind == "numeric" and q.explain
    moves = [sub.answer.compute if sub.kind == "numeric" else None for sub in q.steps]
    assert moves == PROBLEMS[question_id]
    for sub in q.steps:
        assert sub.prompt.strip() and sub.solution and sub.solution.strip(), sub.id
        assert 1 <= len(sub.hints) <= 2, sub.id
        if sub.kind == "numeric":
            assert sub.mistakes, f"{question_id}/{sub.id}: name the slips this move invites"


@pytest.mark.parametrize("question_id", list(PROBLEMS))
def test_every_draw_chains_to_the_answer_and_keeps_slips_apart(question_id):
    q = _question(question_id)
    words = variants.topic_words(LESSON, None)
    for params in _draws(q):
        context = {**params, "topic": words}
        answer = _compute(q, context)
        values: dict = {}
        for sub in q.steps:
            here = {**context, "steps": dict(values)}
            if sub.kind == "choice":
                values[sub.id] = None
                continue
            value = _compute(sub, here)
            tolerance = sub.tolerance or numeric.DEFAULT_TOLERANCE
            args = numeric.answer_args(sub, here)
            for m in sub.mistakes:
                wrong = computations.compute_mistake(sub.answer.compute, m.mistake, **args)
                assert abs(wrong - value) > tolerance, (params, sub.id, m.mistake)
                templates.render(m.feedback, {**here, "answer": value})
            templates.render(sub.solution, {**here, "answer": value})
            values[sub.id] = value
        last = values[q.steps[-1].id]
        assert math.isclose(last, answer, abs_tol=q.tolerance or numeric.DEFAULT_TOLERANCE)


def test_a_negative_error_is_the_one_worked_so_the_sign_is_seen_to_go():
    for question_id in ("compute-mse", "compute-mae"):
        for params in _draws(_question(question_id)):
            case = params["case"]
            assert case["p"][case["j"]] < case["t"][case["j"]], (question_id, case)


def test_the_three_case_problem_works_an_item_whose_truth_is_zero():
    for params in _draws(_question("bce-three-cases")):
        case = params["case"]
        assert case["y"][case["k"]] == 0 and 1 in case["y"], case


def test_sub_steps_name_only_catalogued_misconceptions_graded_as_elsewhere():
    known = CATALOG.misconceptions
    assert known is not None
    option_grades: dict[str, set[str]] = {}
    for q, _ in LESSON.every_question():
        for o in q.options:
            if o.misconception:
                option_grades.setdefault(o.misconception, set()).add(o.grade)
    for question_id in PROBLEMS:
        for sub in _question(question_id).steps:
            tagged = [(m.misconception, m.grade) for m in sub.mistakes if m.misconception]
            tagged += [(o.misconception, o.grade) for o in sub.options if o.misconception]
            for slug, grade in tagged:
                assert slug in known.by_id, (question_id, sub.id, slug)
                assert option_grades.get(slug, {grade}) == {grade}, (question_id, sub.id, slug)


def test_a_sub_step_for_another_skill_names_a_skill_of_the_lesson():
    skills = {s.id for s in LESSON.skills}
    own = {
        ("compute-cce", "true-prob"): "cce-true-class",
        ("below-the-guard", "cost"): "bce-compute",
    }
    for (question_id, sub_id), skill in own.items():
        sub = next(s for s in _question(question_id).steps if s.id == sub_id)
        assert sub.skill == skill and skill in skills
