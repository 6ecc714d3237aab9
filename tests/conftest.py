"""Fixtures: a fresh SQLite file per test, an app built by the factory, an HTTP client."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from tutor.app import create_app
from tutor.config import Settings

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


PG_URL = os.environ.get("TUTOR_TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> Iterator[str]:
    """A fresh database per test: a SQLite file always, and a PostgreSQL schema when
    TUTOR_TEST_DATABASE_URL points at a server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tutor.db'}"
        return
    if not PG_URL:
        pytest.skip("TUTOR_TEST_DATABASE_URL is not set")
    with fresh_schema(PG_URL) as url:
        yield url


@contextmanager
def fresh_schema(base_url: str) -> Iterator[str]:
    """A URL whose connections see only a new, empty schema, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


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
