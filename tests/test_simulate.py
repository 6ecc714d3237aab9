"""bench/simulate.py: the simulated learner, and a small run through the API."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from tutor.grading import grade
from tutor.lessons import load_catalog

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
LESSON = load_catalog([DATA]).lessons["mini"]


def load_simulate():
    spec = importlib.util.spec_from_file_location("simulate", ROOT / "bench" / "simulate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("simulate", module)
    spec.loader.exec_module(module)
    return module


sim = load_simulate()


def learner(known=(), misconceived=(), seed=0):
    return sim.Learner(LESSON, set(known), set(misconceived), np.random.default_rng(seed))


def grades(who, question_id: str, n: int = 200) -> list[str]:
    """The grades of ``who``'s answers to ``n`` variants of a question."""
    out = []
    for variant in range(n):
        question = sim.render(LESSON, question_id, variant, None)
        out.append(grade(question, **who.respond(question)).grade)
    return out


def test_a_learner_who_knows_a_skill_slips_now_and_then():
    for question in ("what-loss-does", "mse-number"):
        right = grades(learner(known={"score", "compute"}), question).count("exactly") / 200
        assert 1 - sim.SLIP - 0.07 < right < 1 - sim.SLIP + 0.07


def test_a_misconception_picks_the_same_wrong_option_every_time():
    said = grades(learner(misconceived={"score"}), "what-loss-does")
    assert set(said) == {"not_quite"}  # the one wrong option with a misconception


def test_a_learner_who_does_not_know_guesses_and_never_types_the_answer():
    said = grades(learner(), "mse-number")
    assert "exactly" not in said and {"not_sure", "not_quite", "close"} <= set(said)
    assert 0 < grades(learner(), "what-loss-does").count("exactly") < 200


def test_explanations_teach_more_slowly_while_a_prerequisite_is_unknown():
    def learned(known) -> int:
        count = 0
        for seed in range(400):
            who = learner(known=known, seed=seed)
            who.read("compute")
            count += who.knows("compute")
        return count

    alone, ready = learned(()), learned({"score"})
    assert 0.05 * 400 < alone < ready < 0.3 * 400
    who = learner(known={"score"})
    who.learning = False
    who.read("compute")
    assert not who.knows("compute")


def test_knowledge_respects_prerequisites():
    for seed in range(50):
        known, _ = sim.initial_knowledge(LESSON, "some", np.random.default_rng(seed))
        assert "compute" not in known or "score" in known
    assert sim.initial_knowledge(LESSON, "everything", np.random.default_rng(0))[0] == {
        "score",
        "compute",
    }


def test_a_small_run_through_the_api(client: TestClient):
    figures = sim.simulate(client, [LESSON], learners=2, seed=1, workers=1)
    for population in sim.POPULATIONS:
        fixed, adaptive = figures[population]["fixed"], figures[population]["adaptive"]
        assert fixed.learners == adaptive.learners == 2
        assert fixed.questions == 3  # every main question once
        assert adaptive.questions >= 1
        assert 0 <= adaptive.accuracy <= 1 and 0 <= adaptive.false_mastery <= 1
    assert figures["everything"]["adaptive"].known_at_start == 1
    text, _ = sim.report(figures)
    assert "knows everything" in text and "false mastery" in text
