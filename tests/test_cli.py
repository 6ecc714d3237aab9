"""The `tutor` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutor.cli import app

runner = CliRunner()
DATA = Path(__file__).parent / "data"


def test_validate_prints_a_summary_and_exits_0_for_good_lessons():
    result = runner.invoke(app, ["validate", str(DATA)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ok: 1 lesson, 6 questions, no problems"


def test_validate_prints_every_problem_and_exits_1(tmp_path: Path):
    source = (DATA / "mini.yaml").read_text()
    broken = source.replace("grade: exactly", "grade: exactlyy", 1).replace("prompt:", "promt:", 1)
    (tmp_path / "broken.yaml").write_text(broken)
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{tmp_path / 'broken.yaml'}:") for line in lines)
    assert "did you mean 'exactly'?" in lines[1] or "did you mean 'exactly'?" in lines[0]
    (tmp_path / "fine.yaml").write_text(source.replace("id: mini", "id: fine", 1))
    result = runner.invoke(app, ["validate", str(tmp_path)])
    # Where the problems are, apart from how much was checked.
    assert result.stderr.strip() == "2 problems in 1 file (2 files checked)"


def test_validate_with_no_lesson_files_fails(tmp_path: Path):
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1


def test_validate_a_missing_path_fails(tmp_path: Path):
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "no such file or folder" in result.stdout


def test_schema_prints_the_json_schema():
    result = runner.invoke(app, ["schema"])
    schema = json.loads(result.stdout)
    assert schema["title"] == "tutor lesson"
    assert {"id", "title", "summary", "topics", "skills", "steps"} <= set(schema["properties"])


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TUTOR_THREADS", "0", "TUTOR_THREADS: Input should be greater than or equal to 1"),
        ("TUTOR_THREADS", "lots", "TUTOR_THREADS: Input should be a valid integer"),
        ("TUTOR_WATCH_LESSONS", "maybe", "TUTOR_WATCH_LESSONS: Input should be a valid boolean"),
        ("TUTOR_DATABASE_URL", "nonsense", "TUTOR_DATABASE_URL: Could not parse"),
        ("TUTOR_DATABASE_URL", "foo://x", "TUTOR_DATABASE_URL: Can't load plugin"),
    ],
)
def test_serve_names_a_bad_setting_and_exits_2(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 2
    assert result.output.startswith("tutor: " + message), result.output
    assert "Traceback" not in result.output


def test_serve_says_why_the_database_cannot_be_opened(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("TUTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'tutor.db'}")
    result = runner.invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 1
    assert result.output.strip() == "tutor: cannot open the database: unable to open database file"
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("token", [None, "my-own-token"])
def test_serve_says_whether_the_sign_in_link_stays_the_same(monkeypatch, tmp_path: Path, token):
    import typer

    from tutor import cli

    monkeypatch.setenv("TUTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'tutor.db'}")
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(DATA))
    monkeypatch.delenv("TUTOR_INSTRUCTOR_TOKEN", raising=False)
    if token:
        monkeypatch.setenv("TUTOR_INSTRUCTOR_TOKEN", token)
    # The server itself is not started: what it would announce once listening is printed.
    monkeypatch.setattr(
        cli, "_run_announcing", lambda served, host, port, text, **options: typer.echo(text)
    )
    result = runner.invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 0, result.output
    if token:
        assert "instructors sign in at http://127.0.0.1:1/instructor/sign-in" in result.output
        assert token not in result.output
    else:
        assert "instructor sign-in: http://127.0.0.1:1/instructor/sign-in?token=" in result.output
        assert "this link changes at every start; set TUTOR_INSTRUCTOR_TOKEN" in result.output
