"""Fixtures: a fresh SQLite file per test, an app built by the factory, an HTTP client."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tutor.app import create_app
from tutor.config import Settings

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tutor.db'}"


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
