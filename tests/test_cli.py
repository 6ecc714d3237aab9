"""The `tutor` command."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tutor.cli import app

runner = CliRunner()
DATA = Path(__file__).parent / "data"


def test_validate_prints_a_summary_and_exits_0_for_good_lessons():
    result = runner.invoke(app, ["validate", str(DATA)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ok: 1 lesson(s), 4 question(s), no problems"


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
