"""Lesson 1's problems worked in parts: every numeric practice question comes in sub-steps
that chain to its answer, and each sub-step's typical mistakes stay recognisable, for every
draw a learner can get (every variant, as the validator does)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from tutor.engine import computations
from tutor.lessons import templates, variants
from tutor.lessons.catalog import load_catalog
from tutor.lessons.format import Question, Sampled
from tutor.lessons.kinds import numeric
from tutor.lessons.kinds.steps import values_context

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
LESSON_1 = "how-a-network-learns"
CATALOG = load_catalog([LESSONS])
LESSON = CATALOG.lessons[LESSON_1].lesson
PRACTICE = [q for step in LESSON.steps for q in step.questions]
# Reading one number off a chart has no parts to break it into.
WHOLE = {"when-to-stop"}
NUMERIC = [q for q in PRACTICE if q.kind == "numeric" and q.id not in WHOLE]


def _question(question_id: str) -> Question:
    return CATALOG.lessons[LESSON_1].entries[question_id].question


def _draws(q: Question) -> list[dict[str, Any]]:
    """Every params a learner can be given (all of this lesson's sampled params are choices)."""
    names, pools = [], []
    for name, spec in q.params.items():
        if isinstance(spec, Sampled):
            assert spec.choice is not None and spec.size is None, (q.id, name)
            names.append(name)
            pools.append(spec.choice)
    fixed = {n: v for n, v in q.params.items() if not isinstance(v, Sampled)}
    return [
        {**fixed, **dict(zip(names, combo, strict=True))} for combo in itertools.product(*pools)
    ]


def _worked(q: Question, params: dict[str, Any]) -> tuple[float, list[tuple[Any, float, dict]]]:
    """The question's answer and, in order, each sub-step with its value and its context."""
    context = {**params, "topic": variants.topic_words(LESSON, None)}
    answer = computations.compute(q.answer.compute, **numeric.answer_args(q, context))
    values: dict[str, Any] = {}
    worked = []
    for sub in q.steps:
        here = values_context(context, values)
        value = computations.compute(sub.answer.compute, **numeric.answer_args(sub, here))
        here["answer"] = value
        values[sub.id] = value
        worked.append((sub, value, here))
    return answer, worked


def test_every_numeric_practice_question_is_worked_in_sub_steps():
    assert {q.id for q in NUMERIC} >= {"compute-z", "squash-z", "slope-for-a-weight", "one-update"}
    for q in NUMERIC:
        assert len(q.steps) >= 2, q.id
        assert q.explain, q.id
        for sub in q.steps:
            assert sub.solution and sub.hints, (q.id, sub.id)


def test_the_sub_steps_follow_the_parts_of_each_rule():
    parts = {q.id: [s.answer.compute for s in q.steps] for q in NUMERIC}
    assert parts["compute-z"] == ["weighted_sum"] * 4  # three products, then sum and bias
    assert parts["squash-z"][-1] == "sigmoid" and len(parts["squash-z"]) == 3
    assert parts["slope-for-a-weight"] == ["gradient_z", "gradient_w"]
    assert parts["one-update"] == ["step_size", "update"]
    assert parts["multiply-the-links"] == ["chain", "chain"]  # the first two links, then x


@pytest.mark.parametrize("q", NUMERIC, ids=lambda q: q.id)
def test_sub_steps_chain_to_the_answer_for_every_draw(q):
    tolerance = q.tolerance or numeric.DEFAULT_TOLERANCE
    for params in _draws(q):
        answer, worked = _worked(q, params)
        assert abs(worked[-1][1] - answer) <= tolerance, (params, worked[-1][1], answer)


@pytest.mark.parametrize("q", NUMERIC, ids=lambda q: q.id)
def test_sub_step_mistakes_stay_apart_from_the_answer_for_every_draw(q):
    for params in _draws(q):
        _, worked = _worked(q, params)
        for sub, value, here in worked:
            tolerance = sub.tolerance or numeric.DEFAULT_TOLERANCE
            args = numeric.answer_args(sub, here)
            for m in sub.mistakes:
                wrong = computations.compute_mistake(sub.answer.compute, m.mistake, **args)
                assert abs(wrong - value) > tolerance, (q.id, sub.id, m.mistake, params)
                assert templates.render(m.feedback, here).strip()
            for text in (sub.prompt, sub.solution, *sub.hints):
                rendered = templates.render(text, here)
                assert "{{" not in rendered and rendered.strip()


def test_the_worked_sub_steps_show_the_engine_values():
    q = _question("one-update")
    subs = variants.render_substeps(LESSON, q, skill=q.skill, seed=0, topic=None)
    step, new_weight = subs
    w, gradient, lr = (subs[0].params["case"][k] for k in ("w", "gradient", "lr"))
    assert step.answer == pytest.approx(lr * gradient)
    assert new_weight.answer == pytest.approx(w - lr * gradient)
    assert step.value_text in new_weight.prompt


def test_the_chain_rule_is_computed_and_gives_the_short_rule_for_every_draw():
    q = _question("multiply-the-links")
    assert q.skill == "backprop-role" and q.answer.compute == "chain"
    assert {m.mistake for m in q.mistakes} == {"added", "dropped_middle", "sign_flipped"}
    truths = set()
    for params in _draws(q):
        p, y, x = params["case"]["p"], params["case"]["y"], params["x"]
        truths.add(y)
        answer, worked = _worked(q, params)
        slopes = numeric.answer_args(q, {**params})["slopes"]
        assert slopes[1] == pytest.approx(p * (1 - p)) and slopes[2] == x
        assert slopes[0] == pytest.approx(-1 / p if y == 1 else 1 / (1 - p))
        assert answer == pytest.approx(computations.compute("gradient_w", p=p, y=y, x=x))
        assert worked[0][1] == pytest.approx(p - y)  # the first two links: the slope for z
    assert truths == {0, 1}


def _step_one_neuron():
    example = LESSON.steps[0].example
    return example.x, example.w, example.b


def test_the_update_step_updates_the_step_one_neuron_for_either_label():
    q = _question("update-a-dial")
    xs, ws, b = _step_one_neuron()
    assert (q.params["xs"], q.params["ws"], q.params["b"]) == (xs, ws, b)
    p0 = computations.compute("neuron_output", x=xs, w=ws, b=b)
    labels = set()
    for params in _draws(q):
        y, i, lr = params["y"], params["i"], params["lr"]
        labels.add(y)
        answer, worked = _worked(q, params)
        slope = computations.compute("gradient_w", p=p0, y=y, x=xs[i - 1])
        assert [v for _, v, _ in worked] == pytest.approx([slope, lr * slope, answer])
        assert (answer > ws[i - 1]) == (y == 1)  # up for a truth of 1, down for a truth of 0
    assert labels == {0, 1}
    assert next(s for s in q.steps if s.id == "slope").skill == "gradient-size"


def _option_number(text: str) -> float:
    return float(text.rstrip().split()[-1])


def test_after_the_update_the_prediction_moves_toward_the_truth_whichever_the_label():
    q = _question("closer-to-the-truth")
    entry = CATALOG.lessons[LESSON_1].entries["closer-to-the-truth"]
    xs, ws, b = _step_one_neuron()
    right_texts = set()
    for seed in range(12):
        rq = variants.render_question(LESSON, q, skill=entry.skill, seed=seed, topic=None)
        y, lr = rq.params["case"]["y"], rq.params["lr"]
        p0 = computations.compute("neuron_output", x=xs, w=ws, b=b)
        # The engine's update of every dial, then the forward pass again.
        new_w = [
            computations.compute(
                "update", w=w, gradient=computations.compute("gradient_w", p=p0, y=y, x=x), lr=lr
            )
            for x, w in zip(xs, ws, strict=True)
        ]
        new_b = computations.compute(
            "update", w=b, gradient=computations.compute("gradient_z", p=p0, y=y), lr=lr
        )
        p1 = computations.compute("neuron_output", x=xs, w=new_w, b=new_b)
        assert abs(p1 - y) < abs(p0 - y)
        right = next(o for o in rq.options if o.grade == "exactly")
        assert _option_number(right.text) == pytest.approx(p1, abs=0.005)
        uphill = next(o for o in rq.options if o.misconception == "follow-the-slope-uphill")
        assert abs(_option_number(uphill.text) - y) > abs(p0 - y)
        right_texts.add(right.text.split(",")[0])
    assert right_texts == {"Yes: p goes up", "Yes: p goes down"}


def test_where_to_stop_is_read_off_the_overfitting_example_the_step_shows():
    from tutor.engine import overfitting

    step = next(s for s in LESSON.steps if s.id == "validation")
    example = step.example
    assert example.compute == "overfitting"
    assert "when-to-stop" in {q.id for q in step.questions}
    q = _question("when-to-stop")
    assert q.skill == "early-stopping" and q.answer.compute == "best_epoch"
    # best_epoch trains at the default rate: the question is about the run on the page.
    assert example.lr == overfitting.DEMO_RATE and q.answer.args["seed"] == example.seed
    run = overfitting.run(example.seed, example.epochs, example.lr)
    for params in _draws(q):
        assert params["epochs"] <= example.epochs
        answer, _ = _worked(q, params)
        assert answer == run.best_epoch
        assert 0 < answer < params["epochs"]  # neither "never trained" nor "to the end"
        assert run.train[params["epochs"]] < run.train[int(answer)]  # training still falls
        assert run.validation[params["epochs"]] > run.validation[int(answer)]
