"""A regular (non-editable) install carries every file the app reads at run time."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_FOLDERS = ("templates", "static", "lessons", "alembic")


def shipped() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    files: set[str] = set()
    for patterns in config["tool"]["setuptools"]["data-files"].values():
        for pattern in patterns:
            files |= {str(p.relative_to(ROOT)) for p in ROOT.glob(pattern) if p.is_file()}
    return files


def test_every_runtime_file_is_in_the_data_files():
    try:
        listed = subprocess.run(
            ["git", "ls-files", *RUNTIME_FOLDERS],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    needed = {f for f in listed if not f.endswith((".md", ".ini"))}
    assert needed - shipped() == set()


def test_the_lesson_schema_ships_with_the_lessons():
    assert "docs/lesson.schema.json" in shipped()
