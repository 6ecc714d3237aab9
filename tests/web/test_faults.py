"""Database faults: a locked SQLite file, a database that does not answer, a dropped schema
and a read-only file each get a clear answer, never a hang or a plain-text 500."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import answer_body, file_settings, new_learner
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from tutor.app import create_app
from tutor.cli import app as cli
from tutor.config import Settings
from tutor.store import database as db

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture
def blackhole() -> Iterator[int]:
    """A port that accepts connections and never says a word: a database that is away
    but not refusing."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def test_an_answer_waiting_on_a_locked_sqlite_file_gets_503_with_retry_after(
    tmp_path: Path,
):
    settings = file_settings(tmp_path, database_statement_timeout=0.2)
    with TestClient(create_app(settings)) as client:
        headers = new_learner(client)
        nxt = client.get("/api/lessons/mini/next", headers=headers).json()
        body = answer_body(client, "mini", nxt, "exactly")
        holder = sqlite3.connect(tmp_path / "tutor.db", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            response = client.post("/api/lessons/mini/answers", headers=headers, json=body)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"] == "2"
        assert "try again" in response.json()["detail"]
        again = client.post("/api/lessons/mini/answers", headers=headers, json=body)
        assert again.status_code == 200  # nothing was kept: the same answer goes through


def test_health_answers_and_ready_reports_a_database_that_does_not_answer(
    client: TestClient, blackhole: int
):
    stuck = db.connect(
        f"postgresql+psycopg://tutor@127.0.0.1:{blackhole}/tutor",
        timeouts=db.Timeouts(connect=1, statement=1),
    )
    client.app.state.database = stuck
    try:
        results: dict[str, object] = {}
        probe = threading.Thread(target=lambda: results.update(ready=client.get("/api/ready")))
        started = time.monotonic()
        probe.start()
        health = client.get("/api/health")
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        probe.join(timeout=15)
        ready = results["ready"]
        assert time.monotonic() - started < 10
        assert ready.status_code == 503
        assert ready.json()["status"] == "unavailable"
    finally:
        stuck.dispose()


def test_ready_says_ready_when_the_database_answers(client: TestClient):
    response = client.get("/api/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok"}


def test_serve_stops_with_one_line_when_the_database_does_not_answer(
    blackhole: int, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("TUTOR_DATABASE_URL", f"postgresql+psycopg://t@127.0.0.1:{blackhole}/t")
    monkeypatch.setenv("TUTOR_DATABASE_CONNECT_TIMEOUT", "1")
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["serve", "--lessons", str(DATA)])
    assert time.monotonic() - started < 15
    assert result.exit_code == 1
    assert result.stderr.startswith("tutor: cannot open the database:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_serve_stops_with_one_line_on_a_read_only_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "tutor.db"
    db.upgrade(f"sqlite:///{path}")
    monkeypatch.setenv("TUTOR_DATABASE_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    result = CliRunner().invoke(cli, ["serve", "--lessons", str(DATA)])
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("tutor: cannot use the database: the SQLite file")
    assert "is read-only" in line and "write access" in line


def test_a_dropped_postgresql_schema_is_a_clear_error(
    db_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
):
    if db.is_sqlite(db_url):
        pytest.skip("a PostgreSQL schema")
    with TestClient(create_app(settings)) as client:
        headers = new_learner(client)
        schema = make_url(db_url).query["options"].split("=", 1)[1]
        engine = db.make_engine(db_url)
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        try:
            progress = client.get("/api/learners/me/progress", headers=headers)
            fresh = client.post("/api/learners")
        finally:
            with engine.begin() as connection:
                connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
            engine.dispose()
    assert fresh.status_code == 500
    assert "database is not as it should be" in fresh.json()["detail"]
    assert progress.status_code == 500 and progress.headers["content-type"] == "application/json"
    monkeypatch.setenv("TUTOR_DATABASE_URL", db_url.replace(schema, schema + "_gone"))
    result = CliRunner().invoke(cli, ["serve", "--lessons", str(DATA)])
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("tutor: the database is not as the tutor left it:")


def test_a_database_made_read_only_while_serving_is_not_a_passing_fault(tmp_path: Path):
    path = tmp_path / "tutor.db"
    db.upgrade(f"sqlite:///{path}")
    settings = Settings(
        database_url=f"sqlite:///file:{path}?mode=ro&uri=true",
        lessons_dir=DATA,
        secret_key="s",
        watch_lessons=False,
    )
    with TestClient(create_app(settings, migrate=False)) as client:
        response = client.post("/api/learners")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    assert "read-only" in response.json()["detail"]


def test_a_read_that_would_wait_for_a_lock_waits_off_the_event_loop(tmp_path: Path):
    """On SQLite, reads run in the event loop and never wait there: one that finds the
    file locked is run again in a worker thread, and the rest of the app answers meanwhile."""
    settings = file_settings(tmp_path, database_statement_timeout=10)
    with TestClient(create_app(settings)) as client:
        headers = new_learner(client)
        before = client.get("/api/lessons/mini/next", headers=headers).json()
        title = client.get("/api/lessons/mini").json()["steps"][0]["title"]
        # Another program holding the whole file (exclusive locking mode), which it can
        # take once the app's idle connections are closed: readers cannot read.
        client.app.state.database.dispose()
        holder = sqlite3.connect(tmp_path / "tutor.db", isolation_level=None)
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("CREATE TABLE holding (x INTEGER)")
        results: dict[str, object] = {}
        reader = threading.Thread(
            target=lambda: results.update(
                page=client.get("/lessons/mini/steps/1"),
                next=client.get("/api/lessons/mini/next", headers=headers),
            )
        )
        try:
            reader.start()
            time.sleep(0.5)
            assert not results  # the reads wait for the lock...
            started = time.monotonic()
            health = client.get("/api/health")  # ...and the event loop does not
            assert health.status_code == 200
            assert time.monotonic() - started < 1
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        reader.join(timeout=10)
        assert results["page"].status_code == 200 and title in results["page"].text
        assert results["next"].status_code == 200 and results["next"].json() == before
