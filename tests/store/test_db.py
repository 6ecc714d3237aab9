"""Migrations are the only thing that makes tables, and they agree with the models."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tutor.store import database as db
from tutor.store.tables import Base


def test_a_fresh_database_upgrades_to_tables_that_match_the_models(db_url: str):
    db.upgrade(db_url)
    assert db.table_names(db_url) == {
        "alembic_version",
        "learners",
        "attempts",
        "skill_states",
        "positions",
        "instance_secrets",
        "fitted_skills",
    }
    engine = db.make_engine(db_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def test_upgrading_twice_is_harmless(db_url: str):
    db.upgrade(db_url)
    db.upgrade(db_url)


def test_the_revision_that_skips_alembic_is_the_newest_migration():
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(db.alembic_config("sqlite://")).get_heads()
    assert heads == [db.HEAD]


def test_a_database_one_migration_behind_is_still_upgraded(tmp_path):
    from sqlalchemy import inspect

    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(db.alembic_config(url), "0003")
    db.upgrade(url)
    engine = db.make_engine(url)
    with engine.connect() as connection:
        assert (
            connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            == db.HEAD
        )
        assert inspect(connection).has_table("attempts")
    engine.dispose()


def test_a_postgresql_pool_has_a_connection_per_thread_and_two_to_spare(db_url: str):
    if db.is_sqlite(db_url):
        pytest.skip("a PostgreSQL setting")
    database = db.connect(db_url, threads=3)
    try:
        assert database.engine.pool.size() == 5
    finally:
        database.dispose()


def test_sqlite_runs_in_wal_mode(db_url: str):
    if not db.is_sqlite(db_url):
        pytest.skip("a SQLite setting")
    db.upgrade(db_url)
    database = db.connect(db_url)
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    database.dispose()


def test_reads_run_in_the_event_loop_on_sqlite_and_in_a_worker_thread_on_postgresql(
    db_url: str,
):
    import asyncio
    import threading

    db.upgrade(db_url)
    database = db.connect(db_url)

    def read() -> tuple[int, int]:
        with database.reading() as connection:
            return threading.get_ident(), connection.exec_driver_sql("SELECT 1").scalar()

    try:
        where, one = asyncio.run(database.read_async(read))
        assert one == 1
        assert (where == threading.get_ident()) == db.is_sqlite(db_url)
    finally:
        database.dispose()


@pytest.fixture
def sqlite_database(tmp_path) -> Iterator[db.Database]:
    """A migrated SQLite file's database, disposed of at the end."""
    url = f"sqlite:///{tmp_path / 'tutor.db'}"
    db.upgrade(url)
    database = db.connect(url)
    yield database
    database.dispose()


def test_reads_in_the_event_loop_share_one_connection_and_leave_no_transaction(
    sqlite_database: db.Database,
):
    import asyncio

    database = sqlite_database

    def read():
        with database.reading() as outer:
            outer.exec_driver_sql("SELECT 1")
            with database.reading() as inner:
                assert inner is outer  # a read inside a read sees the same moment
            assert outer.in_transaction()  # ...and does not end the outer one
            return outer.connection.driver_connection

    async def twice():
        return await database.read_async(read), await database.read_async(read)

    first, second = asyncio.run(twice())
    assert first is second
    assert not first.in_transaction  # no snapshot held between reads


def test_a_write_inside_a_read_in_the_event_loop_is_refused(sqlite_database: db.Database):
    import asyncio

    database = sqlite_database

    def sneaky() -> None:
        database.write(lambda connection: None)  # would wait for the disk in the loop

    with pytest.raises(RuntimeError, match="inside a read"):
        asyncio.run(database.read_async(sneaky))
    assert database.write(lambda connection: 7) == 7  # outside a read, as before


@pytest.mark.parametrize("which", ["first", "later"])
def test_an_answer_is_all_or_nothing(client, monkeypatch, which):
    """If anything fails mid-answer, none of its writes is kept: not the attempt, not the
    skills, not the position (the first answer adds it; a later one moves it)."""
    from helpers import answer_body, new_learner
    from sqlalchemy import func, select

    from tutor.store import pipeline
    from tutor.store.attempts import INSERT_ATTEMPT
    from tutor.store.tables import Attempt, Position, SkillState

    headers = new_learner(client)
    if which == "later":
        nxt = client.get("/api/lessons/mini/next", headers=headers).json()
        body = answer_body(client, "mini", nxt, "exactly")
        assert client.post("/api/lessons/mini/answers", headers=headers, json=body).is_success

    def kept() -> tuple:
        with client.app.state.tutor.db.reading() as connection:
            return (
                connection.scalar(select(func.count()).select_from(Attempt)),
                connection.scalars(select(SkillState.attempts).order_by(SkillState.skill_id)).all(),
                connection.scalars(select(Position.version)).all(),
            )

    before = kept()
    nxt = client.get("/api/lessons/mini/next", headers=headers).json()
    real_run = pipeline.run

    def fails_after_most_writes(connection, steps):
        if steps[0][0] is not INSERT_ATTEMPT:
            return real_run(connection, steps)  # the reads
        real_run(connection, steps[:-1])  # the attempt and the skills are written...
        raise RuntimeError("disk full")  # ...and then the position's write fails

    monkeypatch.setattr(pipeline, "run", fails_after_most_writes)
    client_no_raise = type(client)(client.app, raise_server_exceptions=False)
    response = client_no_raise.post(
        "/api/lessons/mini/answers",
        headers=headers,
        json=answer_body(client, "mini", nxt, "exactly"),
    )
    assert response.status_code == 500
    assert kept() == before
    monkeypatch.setattr(pipeline, "run", real_run)
    retried = client.post(
        "/api/lessons/mini/answers",
        headers=headers,
        json=answer_body(client, "mini", nxt, "exactly"),
    )
    assert retried.status_code == 200


def test_only_the_first_sight_of_an_item_is_counted_as_evidence(client):
    """An item answered again after a restart (its answer was shown) is no first sight."""
    from helpers import answer_body, new_learner
    from sqlalchemy import select

    from tutor.store.tables import Attempt

    headers = new_learner(client)
    for _ in range(2):
        nxt = client.get("/api/lessons/mini/next", headers=headers).json()
        assert nxt["question"]["id"] == "what-loss-does"
        body = answer_body(client, "mini", nxt, "exactly")
        assert client.post("/api/lessons/mini/answers", headers=headers, json=body).is_success
        assert client.post("/api/lessons/mini/restart", headers=headers).is_success
    with client.app.state.tutor.db.reading() as connection:
        firsts = connection.scalars(select(Attempt.first_try).order_by(Attempt.id)).all()
    assert firsts == [True, False]
    progress = client.get("/api/learners/me/progress", headers=headers).json()
    score = next(s for s in progress["lessons"][0]["skills"] if s["id"] == "score")
    assert (score["attempts"], score["firsts_right"]) == (1, 1)


def test_a_clash_in_an_answers_writes_is_an_integrity_error_that_keeps_nothing(client):
    """The writes go out together (pipelined on PostgreSQL); the unique idempotency key
    still fails as SQLAlchemy's IntegrityError, which the answer path turns into a
    replay or a 409, and the transaction keeps none of them."""
    from helpers import answer_body, new_learner
    from sqlalchemy import func, select
    from sqlalchemy.exc import IntegrityError

    from tutor.store import progress
    from tutor.store.tables import Attempt, Position

    headers = new_learner(client)
    nxt = client.get("/api/lessons/mini/next", headers=headers).json()
    body = {**answer_body(client, "mini", nxt, "exactly"), "idempotency_key": "k-1"}
    assert client.post("/api/lessons/mini/answers", headers=headers, json=body).is_success
    learner_id = client.app.state.tokens.get(headers["Authorization"].split()[1])
    database = client.app.state.tutor.db
    with database.engine.connect() as connection:
        position, skills = progress.read(connection, learner_id=learner_id, lesson_id="mini")
    attempt = {
        "learner_id": learner_id,
        "lesson_id": "mini",
        "lesson_hash": "h",
        "step_id": "s",
        "question_id": "q",
        "skill_id": "sk",
        "variant": 0,
        "role": "main",
        "topic": "t",
        "answer": "a",
        "option_index": 0,
        "grade": "exactly",
        "mistake": None,
        "first_try": True,
        "hints": 0,
        "angle": None,
        "idempotency_key": "k-1",  # taken by the first answer
        "response": {"ok": True},
        "solid": False,
    }
    with pytest.raises(IntegrityError), database.write_engine.begin() as connection:
        progress.record_answer(
            connection,
            learner_id=learner_id,
            lesson_id="mini",
            attempt=attempt,
            before=skills,
            skill="sk",
            counted={
                "p_known": 0.5,
                "attempts": 1,
                "misses": 0,
                "firsts_right": 1,
                "memory": None,
                "due_at": None,
            },
            review=(),
            state=position.state,
            topic="t",
            version=position.version,
        )
    with database.reading() as connection:
        assert connection.scalar(select(func.count()).select_from(Attempt)) == 1
        assert connection.scalar(select(Position.version)) == position.version


def test_a_file_locked_at_begin_is_sqlalchemys_operational_error(tmp_path):
    """BEGIN goes straight to the driver; its errors still read as SQLAlchemy's, which is
    what the write paths turn into a 503 with Retry-After."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    url = f"sqlite:///{tmp_path / 'tutor.db'}"
    db.upgrade(url)
    engine = db.make_engine(url, immediate=True, timeouts=db.Timeouts(statement=0.1))
    holder = sqlite3.connect(tmp_path / "tutor.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="locked"), engine.begin():
            pass
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        engine.dispose()


def test_statements_run_straight_on_the_driver_read_what_sqlalchemy_reads(client):
    """On SQLite (and PostgreSQL) the pipeline bypasses SQLAlchemy's execution; each row
    must hold the same values, of the same types, as SQLAlchemy's own result."""
    from helpers import answer_body, new_learner
    from sqlalchemy import select

    from tutor.store import pipeline, progress
    from tutor.store.attempts import _OF_STEP
    from tutor.store.tables import Attempt

    headers = new_learner(client)
    for grade in ("close", "exactly"):
        nxt = client.get("/api/lessons/mini/next", headers=headers).json()
        body = answer_body(client, "mini", nxt, grade)
        assert client.post("/api/lessons/mini/answers", headers=headers, json=body).is_success
    with client.app.state.tutor.db.reading() as connection:
        learner_id, step_id = connection.execute(
            select(Attempt.learner_id, Attempt.step_id).limit(1)
        ).one()
        key = {"learner_id": learner_id, "lesson_id": "mini"}
        steps = [
            (progress._ONE_POSITION, key),
            (progress._SKILLS, key),
            (_OF_STEP, {**key, "step_id": step_id, "after": 0, "limit": 10}),
        ]
        direct = pipeline.run(connection, steps)
        through_sqlalchemy = pipeline.run_in_turn(connection, steps)
    for ours, theirs in zip(direct, through_sqlalchemy, strict=True):
        assert ours.rows and len(ours.rows) == len(theirs.rows)
        for mine, expected in zip(ours.rows, theirs.rows, strict=True):
            assert tuple(mine) == tuple(expected)
            assert [type(v) for v in mine] == [type(v) for v in expected]


def test_a_state_written_with_nan_by_the_standard_library_still_reads(client):
    """JSON columns are read by orjson, which refuses the `NaN` that Python's json module
    writes; such a stored state is read all the same, and the learner goes on."""
    from helpers import answer, new_learner
    from sqlalchemy import text

    headers = new_learner(client)
    current = answer(client, headers, "mini", "exactly")["next"]["question"]["id"]
    with client.app.state.tutor.db.engine.begin() as connection:
        stored = connection.execute(text("SELECT state FROM positions")).scalar_one()
        if not isinstance(stored, str):
            pytest.skip("the driver reads JSON itself")
        with_nan = stored[:-1] + ',"a_number_no_version_knows":NaN}'
        connection.execute(text("UPDATE positions SET state = :state"), {"state": with_nan})
    again = client.get("/api/lessons/mini/next", headers=headers)
    assert again.status_code == 200, again.text
    assert again.json()["question"]["id"] == current


def test_a_position_read_alone_is_the_one_read_with_the_skills(client):
    """Pages and `next` read the position without the skill states: the same row, locked
    or not, and None for a lesson the learner has not begun."""
    from helpers import answer_body, new_learner

    from tutor.store import progress

    headers = new_learner(client)
    nxt = client.get("/api/lessons/mini/next", headers=headers).json()
    body = answer_body(client, "mini", nxt, "exactly")
    assert client.post("/api/lessons/mini/answers", headers=headers, json=body).is_success
    learner_id = client.app.state.tokens.get(headers["Authorization"].split()[1])
    with client.app.state.tutor.db.engine.connect() as connection:
        both, skills = progress.read(connection, learner_id=learner_id, lesson_id="mini")
        alone = progress.position(connection, learner_id=learner_id, lesson_id="mini")
        locked = progress.position(connection, learner_id=learner_id, lesson_id="mini", lock=True)
        other = progress.position(connection, learner_id=learner_id, lesson_id="nope")
    assert skills and both is not None
    assert tuple(alone) == tuple(both) == tuple(locked)
    assert alone.state == both.state and alone.version == both.version == 1
    assert other is None
