"""Fixtures: a fresh SQLite file per test, an app built by the factory, an HTTP client."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tutor.app import create_app
from tutor.config import Settings
from tutor.store.database import scratch_schema

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


PG_URL = os.environ.get("TUTOR_TEST_DATABASE_URL")

# Validated lessons are kept (tutor.lessons.kept) in a folder of this run's own, not in the
# user's cache: tests load lessons from temporary paths that would only pile up there.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="tutor-tests-cache-")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> Iterator[str]:
    """A fresh database per test: a SQLite file always, and a PostgreSQL schema when
    TUTOR_TEST_DATABASE_URL points at a server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tutor.db'}"
        return
    if not PG_URL:
        pytest.skip("TUTOR_TEST_DATABASE_URL is not set")
    with scratch_schema(PG_URL) as url:
        yield url


@pytest.fixture
def lessons_dir() -> Path:
    """The lessons an app fixture serves; override in a module to serve others."""
    return DATA


@pytest.fixture
def settings(db_url: str, lessons_dir: Path) -> Settings:
    return Settings(database_url=db_url, lessons_dir=lessons_dir, secret_key="test-secret")


@pytest.fixture
def app(settings: Settings):
    return create_app(settings)


@pytest.fixture
def client(app):
    with TestClient(app) as test_client:
        yield test_client
