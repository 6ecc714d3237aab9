"""`tutor fit-mastery`: parameters fitted from answers given over HTTP, then used by the tutor."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from helpers import answer, new_learner
from typer.testing import CliRunner

from tutor.app import create_app
from tutor.cli import app as cli
from tutor.config import Settings
from tutor.store import fitted
from tutor.teaching import mastery
from tutor.teaching.fitting import fit
from tutor.teaching.mastery import Params

DATA = Path(__file__).parent / "data"
runner = CliRunner()


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """A database file where 40 learners went through the test lesson, half knowing it."""
    path = tmp_path_factory.mktemp("history") / "tutor.db"
    url = f"sqlite:///{path}"
    settings = Settings(database_url=url, lessons_dir=DATA, secret_key="test-secret")
    rng = np.random.default_rng(5)
    with TestClient(create_app(settings)) as client:
        for _ in range(40):
            headers = new_learner(client)
            knows = rng.random() < 0.5
            for _ in range(30):
                nxt = client.get("/api/lessons/mini/next", headers=headers).json()
                if nxt["done"]:
                    break
                right = rng.random() < (0.9 if knows else 0.2)
                answer(client, headers, "mini", "exactly" if right else "not_quite")
    return path


@pytest.fixture
def answered(history: Path, tmp_path: Path, monkeypatch) -> str:
    """A copy of that database for one test, which the command is pointed at."""
    copy = tmp_path / "tutor.db"
    shutil.copy(history, copy)
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("TUTOR_DATABASE_URL", url)
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(DATA))
    return url


def fitted_rows(url: str) -> dict:
    settings = Settings(database_url=url, lessons_dir=DATA, secret_key="test-secret")
    tutor = create_app(settings).state.tutor
    try:
        with tutor.db.reading() as connection:
            return fitted.read(connection)
    finally:
        tutor.db.dispose()


def test_fit_mastery_fits_keeps_and_the_tutor_uses_the_fit(answered: str):
    dry = runner.invoke(cli, ["fit-mastery", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "skills fitted and would be written (dry run)" in dry.output
    assert fitted_rows(answered) == {}

    result = runner.invoke(cli, ["fit-mastery", "--lesson", "mini"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "lesson/skill",
        "learners",
        "answers",
        "prior",
        "learn",
        "guess",
        "slip",
    ]
    score = next(line for line in lines if line.startswith("mini/score"))
    assert score.split()[1] == "40" and score.endswith("0.100  0.100  0.200  0.100  (defaults)")
    assert "(fitted: log-likelihood per answer" in result.output
    rows = fitted_rows(answered)["mini"]
    assert rows["score"]["learners"] == 40 and rows["score"]["answers"] >= 80
    # Half the learners knew it coming in: the fitted prior says so, not the default 0.1.
    assert rows["score"]["prior"] > 0.25

    settings = Settings(database_url=answered, lessons_dir=DATA, secret_key="test-secret")
    with TestClient(create_app(settings)) as client:
        lesson = client.app.state.tutor.lesson("mini")
        used = mastery.skill_params(lesson)["score"]
        assert used.prior == pytest.approx(rows["score"]["prior"])
        assert used.guess == pytest.approx(rows["score"]["guess"])


def test_too_few_learners_keep_the_defaults(answered: str):
    result = runner.invoke(cli, ["fit-mastery", "--min-learners", "100"])
    assert result.exit_code == 0, result.output
    assert "kept the defaults: fewer than 100 learners" in result.output
    assert "0 of 2 skills fitted" in result.output
    assert fitted_rows(answered) == {}


def test_an_unknown_lesson_is_refused(answered: str):
    result = runner.invoke(cli, ["fit-mastery", "--lesson", "nope"])
    assert result.exit_code == 2
    assert "tutor: --lesson: no lesson 'nope'; lessons: mini" in result.output


def test_a_dry_run_reads_and_never_makes_a_database(tmp_path: Path, monkeypatch):
    path = tmp_path / "tutor.db"
    monkeypatch.setenv("TUTOR_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(DATA))
    result = runner.invoke(cli, ["fit-mastery", "--dry-run"])
    assert result.exit_code == 1
    assert f"tutor: nothing to fit: there is no database at {path} yet" in result.output
    assert not path.exists()
    made = runner.invoke(cli, ["fit-mastery"])  # not a dry run: it is made ready, and says
    assert made.exit_code == 0, made.output
    assert "No answers have been recorded yet" in made.output and path.exists()
    again = runner.invoke(cli, ["fit-mastery", "--dry-run"])
    assert again.exit_code == 0, again.output
    assert "would be written (dry run)" in again.output


def simulate(true: Params, learners: int, items: int, seed: int) -> list[list[bool]]:
    rng = np.random.default_rng(seed)
    sequences = []
    for _ in range(learners):
        knows, answers = rng.random() < true.prior, []
        for _ in range(items):
            answers.append(bool(rng.random() < (1 - true.slip if knows else true.guess)))
            knows = knows or rng.random() < true.learn
        sequences.append(answers)
    return sequences


def test_the_fit_recovers_the_parameters_that_made_the_answers():
    true = Params(prior=0.3, learn=0.2, guess=0.15, slip=0.08)
    result = fit(simulate(true, 600, 6, seed=1))
    assert result.learners == 600 and result.answers == 3600
    for name in ("prior", "learn", "guess", "slip"):
        assert getattr(result.params, name) == pytest.approx(getattr(true, name), abs=0.05), name
    assert result.log_likelihood > result.default_log_likelihood


def test_guess_and_slip_stay_below_the_cap_where_the_states_would_swap():
    # Learners who mostly answer right and never improve: the fit must not call them
    # "not knowing, lucky guessers".
    result = fit(simulate(Params(prior=0.9, learn=0.01, guess=0.6, slip=0.05), 300, 5, seed=2))
    assert result.params.guess <= 0.3 and result.params.slip <= 0.3


def test_no_answers_fit_nothing():
    result = fit([])
    assert result.learners == 0 and result.params == Params()
