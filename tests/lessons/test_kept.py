"""Validated lessons kept between starts: a restart does not validate the same text again,
and a changed text, changed code or a damaged entry is validated afresh."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DATA

from tutor.lessons import catalog, checks, kept


@pytest.fixture
def folder(tmp_path: Path, monkeypatch) -> Path:
    """A lessons folder, a cache of its own, and a process that has validated nothing yet."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("TUTOR_LESSON_CACHE", raising=False)
    monkeypatch.setattr(catalog, "_validated", {})
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    shutil.copy(DATA / "mini.yaml", lessons / "mini.yaml")
    return lessons


def restart(monkeypatch) -> list[str]:
    """Forget what this process validated, as a new process would; the names of the
    lessons validated from now on."""
    monkeypatch.setattr(catalog, "_validated", {})
    validated: list[str] = []
    check = checks.cross_check

    def counted(lesson, locate, **told):
        validated.append(lesson.id)
        return check(lesson, locate, **told)

    monkeypatch.setattr(checks, "cross_check", counted)
    return validated


def test_a_restart_loads_the_lesson_it_validated_before(folder: Path, monkeypatch):
    first = catalog.load_catalog([folder])
    assert list(first.lessons) == ["mini"] and not first.problems
    validated = restart(monkeypatch)
    again = catalog.load_catalog([folder])
    assert validated == []
    assert again.lessons["mini"].lesson == first.lessons["mini"].lesson
    assert again.lessons["mini"].content_hash == first.lessons["mini"].content_hash


def test_a_changed_lesson_is_validated_again_and_its_problems_kept_too(folder: Path, monkeypatch):
    catalog.load_catalog([folder])
    lesson = folder / "mini.yaml"
    lesson.write_text(lesson.read_text().replace("title: A tiny lesson", "title: 42: [", 1))
    validated = restart(monkeypatch)
    broken = catalog.load_catalog([folder])
    assert not broken.lessons and broken.problems
    validated = restart(monkeypatch)
    assert catalog.load_catalog([folder]).problems == broken.problems
    assert validated == []  # a YAML error is found before the checks, and kept as well


def test_new_code_or_a_damaged_entry_is_validated_afresh(folder: Path, monkeypatch):
    catalog.load_catalog([folder])
    entries = list(kept.folder().glob("*.pickle"))
    assert len(entries) == 1
    entries[0].write_bytes(b"not a pickle")
    validated = restart(monkeypatch)
    assert "mini" in catalog.load_catalog([folder]).lessons
    assert validated == ["mini"]

    monkeypatch.setattr(kept, "code_version", lambda: "another version of the code")
    validated = restart(monkeypatch)
    assert "mini" in catalog.load_catalog([folder]).lessons
    assert validated == ["mini"]


def test_keeping_can_be_turned_off(folder: Path, monkeypatch):
    monkeypatch.setenv("TUTOR_LESSON_CACHE", "off")
    catalog.load_catalog([folder])
    validated = restart(monkeypatch)
    catalog.load_catalog([folder])
    assert validated == ["mini"]
    assert not (folder.parent / "cache").exists()
