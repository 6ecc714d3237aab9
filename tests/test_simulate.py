"""bench/simulate.py: the learner models, the controls, the tracing scores, a small run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sklearn.metrics import log_loss as sk_log_loss
from sklearn.metrics import roc_auc_score

from tutor.lessons.catalog import load_catalog
from tutor.teaching import mastery

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from sim import conditions, report, tracing  # noqa: E402
from sim.experiment import Plan, simulate  # noqa: E402
from sim.items import Facts, Renderer, Shown  # noqa: E402
from sim.learners import MODELS, settings  # noqa: E402

LESSON = load_catalog([Path(__file__).parent / "data"]).lessons["mini"]
RENDERER = Renderer(LESSON)
FACTS = Facts.of(LESSON, RENDERER)


def make(name: str, population: str = "nothing", seed: int = 0, **params):
    rng = np.random.default_rng
    return MODELS[name](FACTS, population, params, start=rng(seed), rng=rng(seed + 1000))


def grades(who, question_id: str, n: int = 200) -> list[str]:
    out = []
    for variant in range(n):
        item = RENDERER.item(question_id, variant)
        out.append(item.grade(who.answer(item)))
    return out


# --- the learner models ----------------------------------------------------------------


def test_every_model_documents_each_of_its_parameters_and_has_a_three_point_grid():
    for model in MODELS.values():
        doc = sys.modules[model.__module__].__doc__
        for name, values in model.GRID.items():
            assert len(values) == 3 and values[0] < values[1] < values[2]
            assert f"``{name}``" in doc, f"{model.name}: {name} is not documented"
        labels = [label for label, _ in settings(model)]
        assert labels[0] == "middle" and len(labels) == 1 + 2 * len(model.GRID)


def test_a_bkt_learner_who_knows_a_skill_slips_now_and_then():
    who = make("bkt", "everything", slip=0.1)
    for question in ("what-loss-does", "mse-number"):
        right = grades(who, question).count("exactly") / 200
        assert 0.83 < right < 0.97


def test_a_logistic_learner_improves_with_practice_and_forgets_with_time():
    who = make("logistic", half_life=60)
    before = who.recall("score")
    item = RENDERER.item("what-loss-does", 0)
    for _ in range(10):
        who.after_answer(item, Shown("not_quite"))
    practised = who.recall("score")
    who.tick(600)
    assert before < 0.3 < practised and who.recall("score") < practised / 2
    assert not who.knows("score")


def test_a_misconception_gives_its_answer_across_items_and_only_aimed_feedback_clears_it():
    who = make("misconception", prevalence=1.0, clear=1.0)
    assert {"loss-fixes", "sum-not-mean"} <= who.held
    assert set(grades(who, "what-loss-does", 20)) == {"not_quite"}
    numeric = RENDERER.item("mse-number", 0)
    response = who.answer(numeric)
    mistake = next(m for m in numeric.mistakes if m.misconception == "sum-not-mean")
    assert response == {"value": mistake.value}
    for _ in range(20):
        who.explained("compute")  # a general explanation teaches the skill at most
    assert "sum-not-mean" in who.held and not who.knows("compute")
    who.after_answer(numeric, Shown("close", mistake=mistake))
    assert "sum-not-mean" not in who.held


def test_a_memory_learner_repeats_a_shown_answer_without_knowing_the_skill():
    who = make("memory", remember=1.0, learn=0.02)
    item = RENDERER.item("order", 3)
    who.after_answer(item, Shown("not_quite", revealed=True))
    assert set(grades(who, "order", 30)) == {"exactly"}
    assert not who.knows("score")
    held_out = conditions.test(who, RENDERER, [("post-score-far", 1)] * 30)
    assert held_out.right < 30  # a held-out item was never shown: nothing to remember


def test_a_testwise_learner_follows_cues_and_never_learns():
    who = make("testwise", reliance=1.0)
    item = RENDERER.item("order", 0)
    assert who.by_cue(item, "first") == item.options[0]
    longest = max(item.options, key=lambda o: len(o.text))
    assert who.by_cue(item, "longest") == longest
    for _ in range(50):
        who.explained("score")
        who.after_answer(item, Shown("not_quite", revealed=True))
    assert not who.knows("score")
    assert grades(who, "mse-number", 50).count("exactly") == 0


def test_knowledge_at_the_start_respects_prerequisites():
    for seed in range(40):
        who = make("bkt", "some", seed=seed)
        assert "compute" not in who.known or "score" in who.known
    assert make("bkt", "everything").known == {"score", "compute"}


# --- the controls and the tests ---------------------------------------------------------


def test_the_controls_use_the_dose_they_are_given():
    rng = np.random.default_rng(0)
    fixed = conditions.fixed(LESSON, RENDERER, make("bkt"), rng)
    assert [a.question_id for a in fixed.log] == ["what-loss-does", "order", "mse-number"]
    assert fixed.explanations == 0
    for items in (2, 7, 11):
        yoked = conditions.yoked(LESSON, RENDERER, make("bkt"), rng, items)
        shuffled = conditions.random_order(LESSON, RENDERER, make("bkt"), rng, items)
        assert yoked.items == shuffled.items == items
        misses = sum(a.grade != "exactly" for a in yoked.log)
        assert yoked.explanations == misses  # an explanation after every miss
    yoked = conditions.yoked(LESSON, RENDERER, make("bkt"), rng, 6)
    # The main questions first, then the next pass with the first question's check.
    assert [a.question_id for a in yoked.log][:4] == [
        "what-loss-does",
        "order",
        "mse-number",
        "what-loss-does-again",
    ]


def test_the_post_test_asks_only_held_out_items_and_teaches_nothing():
    items = conditions.held_out(LESSON, np.random.default_rng(0))
    assert {q for q, _ in items} == {
        "post-score-near",
        "post-score-far",
        "post-compute-near",
        "post-compute-far",
    }
    assert not {q for q, _ in items} & set(LESSON.entries)
    who = make("bkt", learn=0.35)
    score = conditions.post_test(who, RENDERER, items)
    assert score.items == 4 and score.by_transfer["near"][1] == score.by_transfer["far"][1] == 2
    assert not who.known and who.learning is False


# --- the tracing scores -------------------------------------------------------------------


def test_auc_and_log_loss_agree_with_scikit_learn():
    rng = np.random.default_rng(3)
    right = rng.random(300) < 0.4
    predicted = np.round(np.clip(right * 0.3 + rng.random(300) * 0.7, 0, 1), 1)  # with ties
    assert tracing.auc(right, predicted) == pytest.approx(roc_auc_score(right, predicted))
    assert tracing.log_loss(right, predicted) == pytest.approx(
        sk_log_loss(right, np.clip(predicted, tracing.CLIP, 1 - tracing.CLIP))
    )


def test_the_replay_is_the_tutors_knowledge_tracing_first_sights_in_full():
    log = [
        conditions.Attempt("score", "what-loss-does", 1, "exactly", True),
        conditions.Attempt("score", "what-loss-does", 1, "not_quite", False),  # seen: a little
        conditions.Attempt("score", "order", 5, "exactly", True),
    ]
    out = tracing.replay(LESSON, log)
    params = mastery.skill_params(LESSON)["score"]
    p = mastery.update(params.prior, "exactly", params)
    p = mastery.update(p, "not_quite", params, weight=mastery.RESEEN)
    p = mastery.update(p, "exactly", params)
    assert out.p_known["score"] == pytest.approx(p)
    assert [round(pred, 6) for _, pred, _ in out.predictions][0] == round(
        params.prior * (1 - params.slip) + (1 - params.prior) * params.guess, 6
    )
    assert len(out.predictions) == 2


def test_pybkt_recovers_the_parameters_of_a_bkt_world():
    pytest.importorskip("pyBKT")
    rng = np.random.default_rng(0)

    def sequence():
        known, out = rng.random() < 0.2, []
        for _ in range(6):
            out.append(bool(rng.random() < (0.9 if known else 0.2)))
            known = known or rng.random() < 0.25
        return out

    model = tracing.fit_pybkt([sequence() for _ in range(150)], seed=0, restarts=2)
    assert model["learns"][0] == pytest.approx(0.25, abs=0.12)
    assert model["slips"][0] == pytest.approx(0.1, abs=0.08)
    predicted = tracing.predict_pybkt(model, [sequence() for _ in range(40)])
    assert len(predicted) == 240 and all(0 < p < 1 for p in predicted)


# --- a small run through the API ----------------------------------------------------------


@pytest.mark.slow
def test_a_small_run_through_the_api_reports_every_model_population_and_condition(
    client: TestClient,
):
    plan = Plan(learners=2, grid_learners=0)
    results = simulate(client, [LESSON], plan, seed=1, workers=1)
    assert len(results) == 2 * len(MODELS) * 3
    for result in results:
        (lesson,) = result.lessons
        assert set(lesson.runs) == set(conditions.CONDITIONS)
        adaptive = lesson.runs["adaptive"]
        assert adaptive.items >= 1
        assert lesson.runs["yoked"].items == lesson.runs["random"].items == adaptive.items
        assert lesson.runs["fixed"].items == 3
        for score in lesson.post.values():
            assert score.items == 4
    tables = report.main_tables(results)
    assert [t.title for t in tables] == [f"{m} (middle setting)" for m in MODELS]
    for table in tables:
        assert len(table.rows) == 3 * len(conditions.CONDITIONS)
        assert table.markdown().count("\n|") == len(table.rows) + 2  # head, rule, rows
    accuracy = {m: report.tracing_accuracy(results, m, 1) for m in MODELS}
    targets = report.targets(results, accuracy)
    assert len(targets) == 5 and all(t.met in (True, False, None) for t in targets)
    assert "tutor" in report.tracing_table(accuracy).text()


def test_the_command_documents_every_option():
    done = subprocess.run(
        [sys.executable, "bench/simulate.py", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    for option in (
        "--seeds",
        "--learners",
        "--grid-learners",
        "--models",
        "--populations",
        "--lessons",
        "--url",
        "--workers",
        "--processes",
        "--write",
    ):
        assert option in done.stdout
    bad = subprocess.run(
        [sys.executable, "bench/simulate.py", "--models", "bkt,psychic"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "psychic" in bad.stderr


# --- the parts of multi-step problems, and fading -------------------------------------------

LADDER = load_catalog([Path(__file__).parent / "data" / "ladder"]).lessons["ladder"]
LADDER_RENDERER = Renderer(LADDER)
LADDER_FACTS = Facts.of(LADDER, LADDER_RENDERER)


def test_a_learner_may_know_one_part_of_a_problem_and_not_another():
    rng = np.random.default_rng
    who = MODELS["bkt"](LADDER_FACTS, "everything", {"slip": 0.0}, start=rng(0), rng=rng(1))
    assert who.parts == set(LADDER_FACTS.parts)  # knowing the skill, knowing its parts
    whole = LADDER_RENDERER.item("mse-steps", 3)
    subs = [
        LADDER_RENDERER.item(f"mse-steps.{s.id}", 3)
        for s in LADDER.entries["mse-steps"].question.steps
    ]
    assert whole.parts == frozenset().union(*(s.parts for s in subs)) and len(whole.parts) == 3
    assert whole.grade(who.respond(whole)) == "exactly"
    missing = next(iter(subs[-1].parts))
    who.parts.discard(missing)  # the mean, say, not known
    assert whole.grade(who.respond(whole)) != "exactly"
    assert subs[0].grade(who.respond(subs[0])) in ("exactly", "not_quite", "close")
    answered = [subs[-1].grade(who.respond(subs[-1])) for _ in range(50)]
    assert answered.count("exactly") == 0  # a missing part is guessed, never by luck
    for _ in range(40):  # seeing it worked teaches it, sooner or later
        who.worked([missing])
    assert missing in who.parts and whole.grade(who.respond(whole)) == "exactly"


@pytest.mark.slow
def test_a_run_with_multi_step_problems_compares_the_tutor_with_and_without_fading(
    settings, tmp_path: Path
):
    from tutor.app import create_app

    ladder = settings.model_copy(update={"lessons_dir": Path(__file__).parent / "data" / "ladder"})
    unfaded = ladder.model_copy(
        update={"fading": False, "database_url": f"sqlite:///{tmp_path / 'unfaded.db'}"}
    )
    plan = Plan(models=("bkt", "logistic"), populations=("nothing",), learners=2, grid_learners=0)
    with TestClient(create_app(ladder)) as faded, TestClient(create_app(unfaded)) as other:
        results = simulate(faded, [LADDER], plan, seed=1, workers=1, unfaded=other)
    for result in results:
        (lesson,) = result.lessons
        assert set(lesson.runs) == {*conditions.CONDITIONS, "unfaded"}
        assert lesson.runs["adaptive"].studied >= 1  # a worked example, with fading
        assert lesson.runs["unfaded"].studied == 0  # none without
        assert lesson.post["unfaded"].items == lesson.post["adaptive"].items
    table = report.fading_table(results)
    assert table is not None and [row[:2] for row in table.rows] == [
        ("bkt", "nothing"),
        ("logistic", "nothing"),
    ]
