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


# --- the engine's newer computations, asked where their ideas are taught ----------------------

NEW_ITEMS = {
    # question id: (step id, skill, computation, the computation of its check if numeric)
    "softmax-share": ("categorical-cross-entropy", "logits-softmax", "softmax", None),
    "loss-from-scores": ("categorical-cross-entropy", "logits-softmax", "cce_logits", None),
    "weighted-bce-value": ("choosing-a-loss", "choosing-a-loss", "weighted_bce", None),
    "settle-under-mse": ("mae-and-outliers", "mae-vs-mse", "mean", "median"),
}


@pytest.mark.parametrize("question_id", list(NEW_ITEMS))
def test_each_new_computation_is_asked_in_the_step_that_teaches_it(question_id):
    step_id, skill, computation, check_computation = NEW_ITEMS[question_id]
    step = next(s for s in LESSON.steps if s.id == step_id)
    q = next(q for q in step.questions if q.id == question_id)
    assert q.kind == "numeric" and q.skill == skill and q.answer.compute == computation
    assert q.sampled and len(q.mistakes) >= 2 and q.checks
    if check_computation:
        assert q.checks[0].kind == "numeric" and q.checks[0].answer.compute == check_computation
    skill_entry = next(s for s in LESSON.skills if s.id == skill)
    held_out = [a for a in skill_entry.assessment if a.kind == "numeric"]
    assert held_out, f"{skill} needs a held-out numeric item"


def test_the_scores_skill_has_near_and_far_held_out_items_from_the_engine():
    skill = next(s for s in LESSON.skills if s.id == "logits-softmax")
    assert skill.requires == ["cce-compute"]
    kinds = {(a.transfer, a.answer.compute) for a in skill.assessment}
    assert kinds == {("near", "softmax"), ("far", "cce_logits")}


NEW_HELD_OUT = ["post-softmax-share", "post-two-class-scores", "post-settle-one-number"]
NEW_HELD_OUT += ["post-weighted-three-items"]


@pytest.mark.parametrize("item_id", NEW_HELD_OUT)
def test_every_draw_of_a_new_held_out_item_keeps_its_slips_apart(item_id):
    item = next(a for s in LESSON.skills for a in s.assessment if a.id == item_id)
    words = variants.topic_words(LESSON, None)
    for params in _draws(item):
        context = {**params, "topic": words}
        value = _compute(item, context)
        args = numeric.answer_args(item, context)
        for m in item.mistakes:
            wrong = computations.compute_mistake(item.answer.compute, m.mistake, **args)
            assert abs(wrong - value) > (item.tolerance or numeric.DEFAULT_TOLERANCE), params
        templates.render(item.solution, {**context, "answer": value})


def test_shifting_every_score_leaves_the_softmax_as_the_check_says():
    check = _question("shift-every-score")
    base = [2, 1, 0]
    for c in check.params["c"].choice:
        for k in range(3):
            shifted = computations.compute("softmax", logits=[z + c for z in base], k=k)
            assert shifted == pytest.approx(computations.compute("softmax", logits=base, k=k))


def test_a_score_far_behind_costs_more_from_the_scores_than_any_clipped_probability():
    check = _question("far-behind-score")
    clipped = computations.compute("bce_term", y=1, p=0)
    for big in check.params["big"].choice:
        assert computations.compute("softmax", logits=[0, big, 0], k=0) < 1e-15
        from_scores = computations.compute("cce_logits", logits=[0, big, 0], k=0)
        assert from_scores > clipped and from_scores == pytest.approx(big, abs=1e-9)


def test_a_fix_on_a_weighted_item_saves_the_weight_times_more():
    check = _question("weighted-which-fix")
    for w in check.params["w"].choice:
        before = computations.compute("weighted_bce", y_true=[1], y_pred=[0.3], pos_weight=w)
        after = computations.compute("weighted_bce", y_true=[1], y_pred=[0.6], pos_weight=w)
        plain = computations.compute("bce_term", y=1, p=0.3) - computations.compute(
            "bce_term", y=1, p=0.6
        )
        assert before - after == pytest.approx(w * plain) and plain == pytest.approx(math.log(2))


def test_the_one_number_model_settles_at_the_mean_under_mse_and_the_median_under_mae():
    for question_id, loss, best in (
        ("settle-under-mse", "mse", "mean"),
        ("settle-under-mae", "mae", "median"),
    ):
        for t in _question(question_id).params["t"].choice:
            guess = computations.compute(best, values=t)
            at_best = computations.compute(loss, y_true=t, y_pred=[guess] * len(t))
            for nudge in (-1, 1):
                moved = computations.compute(loss, y_true=t, y_pred=[guess + nudge] * len(t))
                assert moved > at_best, (question_id, t)
            assert max(t) > 3 * sorted(t)[2], "each set has an outlying true value"


def test_not_sure_on_a_part_reassures_and_shows_its_working_once():
    """A typed part's reply reveals its worked solution beside the feedback, so the feedback
    only reassures; a part with options reveals none, so its feedback carries the working."""
    typed, chosen = (
        variants.render_substeps(LESSON, _question(question_id), skill="s", seed=0, topic=None)[
            index
        ]
        for question_id, index in (("compute-mse", 0), ("below-the-guard", 0))
    )
    assert typed.kind == "numeric" and typed.solution
    assert typed.not_sure == variants.PART_NOT_SURE
    assert typed.solution not in typed.not_sure
    assert chosen.kind == "choice"
    assert chosen.not_sure == f"That's all right. {chosen.solution}"
