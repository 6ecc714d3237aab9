"""Migrations are the only thing that makes tables, and they agree with the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tutor import db
from tutor.models import Base


def test_a_fresh_database_upgrades_to_tables_that_match_the_models(db_url: str):
    db.upgrade(db_url)
    assert db.table_names(db_url) == {
        "alembic_version",
        "learners",
        "attempts",
        "skill_states",
        "positions",
        "instance_secrets",
    }
    engine = db.make_engine(db_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def test_upgrading_twice_is_harmless(db_url: str):
    db.upgrade(db_url)
    db.upgrade(db_url)


def test_sqlite_runs_in_wal_mode(db_url: str):
    if not db.is_sqlite(db_url):
        pytest.skip("a SQLite setting")
    db.upgrade(db_url)
    database = db.connect(db_url)
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    database.dispose()


def test_an_answer_is_all_or_nothing(client, monkeypatch):
    """If anything fails mid-answer, neither the attempt nor the position is written."""
    from helpers import answer_body, new_learner
    from sqlalchemy import func, select

    from tutor import answer_sql
    from tutor.models import Attempt, Position

    headers = new_learner(client)
    nxt = client.get("/api/lessons/mini/next", headers=headers).json()

    def broken(**_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(answer_sql, "add_position", broken)
    client_no_raise = type(client)(client.app, raise_server_exceptions=False)
    response = client_no_raise.post(
        "/api/lessons/mini/answers",
        headers=headers,
        json=answer_body(client, "mini", nxt, "exactly"),
    )
    assert response.status_code == 500
    with client.app.state.tutor.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Attempt)) == 0
        assert session.scalar(select(func.count()).select_from(Position)) == 0


def test_only_a_first_try_at_an_item_is_counted_as_evidence(client):
    """The position's read says whether the item being answered was answered before."""
    from helpers import answer_body, new_learner

    from tutor import answer_sql

    headers = new_learner(client)
    nxt = client.get("/api/lessons/mini/next", headers=headers).json()
    reply = client.post(
        "/api/lessons/mini/answers",
        headers=headers,
        json=answer_body(client, "mini", nxt, "exactly"),
    ).json()
    learner_id = client.app.state.tutor.known_token(headers["Authorization"].split()[1])
    asked = {"learner_id": learner_id, "lesson_id": "mini"}

    def answered(question_id: str, variant: int) -> bool:
        with client.app.state.tutor.db.engine.connect() as connection:
            row = answer_sql.position(
                connection=connection, **asked, question_id=question_id, variant=variant
            )
        return row.answered

    assert answered(nxt["question"]["id"], nxt["variant"])
    assert not answered(nxt["question"]["id"], nxt["variant"] + 1)
    assert not answered(reply["next"]["question"]["id"], reply["next"]["variant"])
