"""Live reload stays bounded: files that are not regular files are skipped, huge or deeply
nested files are refused quickly, a file's problems are capped (and counted), each problem
is logged once, and only the files that changed are read again."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import editable_lessons
from typer.testing import CliRunner

from tutor.cli import app as cli
from tutor.lessons import catalog as catalog_module
from tutor.lessons.catalog import MAX_PROBLEMS, load_catalog
from tutor.lessons.source import MAX_DEPTH, MAX_FILE_BYTES
from tutor.lessons.watch import LessonWatcher


@pytest.fixture
def lessons_dir(tmp_path: Path) -> Path:
    return editable_lessons(tmp_path)


class Holder:
    def __init__(self, folder: Path):
        self.catalog = load_catalog([folder])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_in_the_lessons_folder_is_skipped(lessons_dir: Path):
    os.mkfifo(lessons_dir / "pipe.yaml")
    started = time.monotonic()
    catalog = load_catalog([lessons_dir])
    assert time.monotonic() - started < 5
    assert list(catalog.lessons) == ["mini"] and catalog.problems == []
    watcher = LessonWatcher(Holder(lessons_dir), lessons_dir)
    (lessons_dir / "mini.yaml").write_text(
        (lessons_dir / "mini.yaml").read_text().replace("A tiny lesson", "A tiny, edited lesson")
    )
    assert watcher.check()
    assert watcher.tutor.catalog.lessons["mini"].lesson.title == "A tiny, edited lesson"
    named = CliRunner().invoke(cli, ["validate", str(lessons_dir / "pipe.yaml")])
    assert named.exit_code == 1
    assert "pipe.yaml:1:1: not a regular file" in named.stdout


def test_a_deeply_nested_file_is_refused_at_once(lessons_dir: Path):
    (lessons_dir / "deep.yaml").write_text("id: deep\nsteps: " + "[" * 50_000 + "]" * 50_000)
    started = time.monotonic()
    catalog = load_catalog([lessons_dir])
    assert time.monotonic() - started < 5
    (problem,) = catalog.problems
    assert f"deep.yaml:2:{len('steps: ') + MAX_DEPTH + 1}:" in str(problem)
    assert f"nests deeper than {MAX_DEPTH} levels" in problem.message
    assert "mini" in catalog.lessons


def test_a_file_over_the_size_limit_is_refused_unread(lessons_dir: Path):
    (lessons_dir / "huge.yaml").write_text("id: huge\n# " + "x" * MAX_FILE_BYTES + "\n")
    (problem,) = load_catalog([lessons_dir]).problems
    assert f"at most {MAX_FILE_BYTES:,}" in problem.message


def test_problems_per_file_are_capped_with_a_count_of_the_rest(
    app, client: TestClient, lessons_dir: Path
):
    (lessons_dir / "keys.yaml").write_text("id: keys\n" + "title: again\n" * 5_000)
    catalog = load_catalog([lessons_dir])
    assert len(catalog.problems) == MAX_PROBLEMS + 1
    assert catalog.problems[-1].message == (
        f"and {4_999 - MAX_PROBLEMS:,} more problems in this file: fix these first"
    )
    app.state.tutor.catalog = catalog
    staff = {"Authorization": f"Bearer {app.state.instructor.token}"}
    listed = client.get("/api/instructor/lessons", headers=staff).json()
    assert len(listed["problems"]) == MAX_PROBLEMS + 1


def test_each_problem_is_logged_once_and_only_changed_files_are_read(
    lessons_dir: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    def settled(path: Path) -> None:  # as a file left alone for a while
        os.utime(path, (time.time() - 60, time.time() - 60))

    settled(lessons_dir / "mini.yaml")
    watcher = LessonWatcher(Holder(lessons_dir), lessons_dir)
    (lessons_dir / "broken.yaml").write_text("id: broken\ntitle: [\n")
    settled(lessons_dir / "broken.yaml")
    read: list[str] = []
    real = catalog_module.read_source
    monkeypatch.setattr(catalog_module, "read_source", lambda p: read.append(p.name) or real(p))
    with caplog.at_level(logging.WARNING, logger="tutor.lessons"):
        assert watcher.check()
        (lessons_dir / "other.yaml").write_text("id: other\n")
        assert watcher.check()
    assert read == ["broken.yaml", "other.yaml"]  # mini.yaml did not change: not read again
    broken = [r for r in caplog.records if "broken.yaml" in r.getMessage()]
    assert len(broken) == 1
    assert "mini" in watcher.tutor.catalog.lessons


def test_many_unknown_fields_are_capped_and_counted(lessons_dir: Path):
    keys = "".join(f"field{i}: 1\n" for i in range(2_000))
    (lessons_dir / "wide.yaml").write_text("id: wide\ntitle: Wide\n" + keys)
    started = time.monotonic()
    problems = load_catalog([lessons_dir]).problems
    assert time.monotonic() - started < 10
    assert len(problems) == MAX_PROBLEMS + 1
    assert any("unknown field 'field0'" in p.message for p in problems)
    assert problems[-1].message.startswith("and ") and "more problems" in problems[-1].message
