"""Database connections and migrations.

SQLite is the default: one file, WAL mode so readers never wait for the writer,
writes that take the write lock when they begin (``BEGIN IMMEDIATE``) so two
answers never deadlock upgrading a read lock, and commits that reach the disk
before an answer is acknowledged (``synchronous=FULL``). PostgreSQL works through the same
code by URL.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import orjson
from anyio import to_thread
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from tutor.config import ROOT, Settings
from tutor.store.sqlite_writes import FairLock, GroupCommit

if TYPE_CHECKING:
    from alembic.config import Config

T = TypeVar("T")

_in_loop: ContextVar[bool] = ContextVar("tutor_read_in_loop", default=False)
"""True while a read runs in the event loop (``Database.read_async``)."""


def reason(exc: DBAPIError) -> str:
    """The first line of what the driver said, without SQLAlchemy's SQL and links."""
    return str(exc.orig or exc).strip().splitlines()[0]


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _to_json(value: object) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _from_json(text: str | bytes) -> object:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)  # NaN or Infinity, which the standard library once wrote


COMPACT_JSON = {"json_serializer": _to_json, "json_deserializer": _from_json}
"""JSON columns (a learner's state, read and rewritten on every answer) through orjson,
without spaces: a fifth of the standard library's time each way."""


@dataclass(frozen=True)
class Timeouts:
    """How long to wait for the database, in seconds: to connect, and for one statement
    (on SQLite, for the write lock). A database that is away but not refusing would
    otherwise keep requests, and the server's start, waiting for as long as it is away."""

    connect: float = 5.0
    statement: float = 30.0

    @classmethod
    def of(cls, settings: Settings) -> Timeouts:
        return cls(settings.database_connect_timeout, settings.database_statement_timeout)


def make_engine(
    url: str, *, immediate: bool = False, pool_size: int = 5, timeouts: Timeouts = Timeouts()
) -> Engine:
    """An engine for ``url``; with ``immediate``, SQLite transactions lock for writing."""
    if not is_sqlite(url):
        # No ping before each use (a round trip on every request): connections are
        # recycled well before servers drop idle ones, and a dropped one fails loudly.
        # A fixed pool, no overflow: under load, overflow connections were closed on
        # return and opened again at once, and each new one forks a server process.
        return create_engine(
            url,
            pool_size=pool_size,
            max_overflow=0,
            pool_recycle=1800,
            pool_timeout=timeouts.statement,
            connect_args=_postgres_timeouts(url, timeouts),
            **COMPACT_JSON,
        )
    # A connection for every thread that may read at once, kept: one opened anew (the
    # default pool keeps five, and closes the rest on return) runs its set-up and reads
    # the schema again before its first query, which cost a page a third of its time.
    in_memory = make_url(url).database in (None, "", ":memory:")
    engine = create_engine(
        url,
        **({} if in_memory else {"pool_size": pool_size, "max_overflow": 10}),
        connect_args={"check_same_thread": False, "timeout": timeouts.statement},
        **COMPACT_JSON,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # Writers wait for the disk: an answer acknowledged is an answer kept, even through
        # a power cut. Readers never write, so they need not.
        cursor.execute("PRAGMA synchronous=FULL" if immediate else "PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(timeouts.statement * 1000)}")
        cursor.close()

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # Straight to the driver: through SQLAlchemy's statement machinery, BEGIN cost a
        # page's read a fifth of its time. Its errors (a locked file) are wrapped as
        # SQLAlchemy's own, as that machinery would.
        try:
            conn.connection.driver_connection.execute(begin)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(begin, None, exc, sqlite3.Error) from exc

    return engine


def _postgres_timeouts(url: str, timeouts: Timeouts) -> dict:
    """libpq's connection settings for the timeouts: a connect timeout, a statement timeout
    on the server, and a TCP timeout for a server that stops answering mid-statement."""
    if make_url(url).get_backend_name() != "postgresql":
        return {}
    statement_ms = int(timeouts.statement * 1000)
    options = make_url(url).query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    return {
        "connect_timeout": max(1, round(timeouts.connect)),
        "options": f"{options} -c statement_timeout={statement_ms}".strip(),
        "tcp_user_timeout": statement_ms + 5000,
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
    }


@dataclass
class Database:
    """The engines of one app: one for reads, and on SQLite one whose transactions lock
    for writing."""

    url: str
    engine: Engine
    write_engine: Engine
    write_lock: AbstractContextManager = field(default_factory=nullcontext)
    group_commit: GroupCommit | None = None
    loop_engine: Engine | None = None
    """On a SQLite file, reads for the event loop: they never wait for a lock."""
    _kept: dict[int, _KeptConnection] = field(default_factory=dict, repr=False)

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads; whatever it began is rolled back at the end."""
        if self.loop_engine is not None and _in_loop.get():
            with self._reading_in_loop() as connection:
                yield connection
            return
        with self.engine.connect() as connection:
            yield connection

    @contextmanager
    def _reading_in_loop(self) -> Iterator[Connection]:
        # An event loop is one thread and runs one read at a time, so it keeps one
        # connection open: checking one out of the pool and back for every read cost a
        # quarter of a page's read. A read inside a read shares the outer one's snapshot.
        thread = threading.get_ident()
        kept = self._kept.get(thread)
        if kept is None or kept.connection.closed or kept.connection.invalidated:
            assert self.loop_engine is not None
            kept = self._kept[thread] = _KeptConnection(self.loop_engine.connect())
        kept.depth += 1
        try:
            yield kept.connection
        finally:
            kept.depth -= 1
            if kept.depth == 0:
                try:
                    kept.connection.rollback()
                except DBAPIError:
                    kept.connection.close()  # a broken one: the next read opens another

    async def read_async(self, work: Callable[..., T], *args: object) -> T:
        """``work(*args)``, which reads and writes nothing, for an ``async`` route.

        On a SQLite file it runs in the event loop. In WAL mode a read does not wait for
        the writer; it takes a fraction of a millisecond, less than the hand-off to a
        worker thread and back, which cost a page a sixth of its time. Its connections
        never wait for a lock (no busy timeout): a read that would have to wait (while
        the file is recovered, say) is run again in a worker thread, where waiting
        stalls no one. On PostgreSQL, a network away, reads always run in a worker
        thread, so the event loop (and ``/api/health``) never waits on the network.
        """
        if self.loop_engine is not None:
            token = _in_loop.set(True)
            try:
                return work(*args)
            except OperationalError as exc:
                if not _is_busy(exc):
                    raise
            finally:
                _in_loop.reset(token)
        return await to_thread.run_sync(work, *args)

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on any error.

        On SQLite, writers take turns in arrival order (``sqlite_writes``).
        """
        _not_in_loop()
        with self.write_lock, self.write_engine.begin() as connection:
            yield connection

    def write(self, work: Callable[[Connection], T]) -> T:
        """``work(connection)`` in a transaction, all or nothing; its result once committed.

        On SQLite, writes that queue up share one commit (``GroupCommit``); PostgreSQL
        runs them side by side and groups commits by itself.
        """
        _not_in_loop()
        if self.group_commit is not None:
            return self.group_commit.run(work)
        with self.write_lock, self.write_engine.begin() as connection:
            return work(connection)

    async def write_async(self, work: Callable[[Connection], T]) -> T:
        """``write``, awaited: on SQLite the writer thread hands the result straight to the
        event loop; elsewhere the write runs in a worker thread."""
        if self.group_commit is not None:
            return await self.group_commit.run_async(work)
        return await to_thread.run_sync(self.write, work)

    def ping(self) -> None:
        """A round trip to the database; raises when it does not answer."""
        with self.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()
        if self.loop_engine is not None:
            for kept in self._kept.values():
                kept.connection.close()
            self._kept.clear()
            self.loop_engine.dispose()


@dataclass
class _KeptConnection:
    """The connection an event loop's thread reads on, and how many reads are using it."""

    connection: Connection
    depth: int = 0


def _is_busy(exc: OperationalError) -> bool:
    return any(word in reason(exc) for word in ("locked", "busy"))


def _not_in_loop() -> None:
    # A write waits for the disk and for other writers: never in the event loop.
    if _in_loop.get():
        raise RuntimeError("a write was asked for inside a read run in the event loop")


def connect(url: str, *, threads: int = 8, timeouts: Timeouts = Timeouts()) -> Database:
    """The database of an app whose worker runs ``threads`` requests at once: on
    PostgreSQL, a connection for each and two to spare, so no request waits for one."""
    engine = make_engine(url, pool_size=threads + 2, timeouts=timeouts)
    sqlite = is_sqlite(url)
    write_engine = make_engine(url, immediate=True, timeouts=timeouts) if sqlite else engine
    write_lock = FairLock() if sqlite else nullcontext()
    in_file = sqlite and make_url(url).database not in (None, "", ":memory:")
    # The event loop is one thread: two connections, one spare.
    no_waiting = Timeouts(connect=timeouts.connect, statement=0)
    return Database(
        url=url,
        engine=engine,
        write_engine=write_engine,
        write_lock=write_lock,
        group_commit=GroupCommit(write_engine, write_lock) if sqlite else None,
        loop_engine=make_engine(url, pool_size=2, timeouts=no_waiting) if in_file else None,
    )


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, timeouts: Timeouts = Timeouts()) -> None:
    """Apply every pending migration (a no-op when the database is up to date).

    A database already at the newest revision is told apart without Alembic, whose import
    alone took 0.65 s of every start.
    """
    engine = make_engine(url, timeouts=timeouts)
    try:
        with engine.begin() as connection:
            if _revision(connection) == HEAD:
                return
            from alembic import command

            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def why_unreadable(url: str, timeouts: Timeouts = Timeouts()) -> str | None:
    """Why the database cannot be read as it is (None when it can): a SQLite file that is
    not there, or a schema short of the newest migration. Nothing is created or changed."""
    if is_sqlite(url):
        path = make_url(url).database
        if path not in (None, "", ":memory:") and not Path(path).is_file():
            return f"there is no database at {path} yet"
    engine = make_engine(url, timeouts=timeouts)
    try:
        with engine.connect() as connection:
            found = _revision(connection)
    finally:
        engine.dispose()
    if found != HEAD:
        return f"the database is at revision {found or 'none'}, and the tutor needs {HEAD}"
    return None


HEAD = "0006"
"""The newest migration's revision (alembic/versions/); a test holds it to Alembic's head."""


def _revision(connection: Connection) -> str | None:
    """The revision the database is at, or None (no tables yet, or several heads)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    revisions = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars()
    found = revisions.all()
    return found[0] if len(found) == 1 else None


@contextmanager
def scratch_schema(base_url: str, prefix: str = "t") -> Iterator[str]:
    """A PostgreSQL URL whose connections see only a new, empty schema in ``base_url``'s
    database, dropped afterwards (for tests and benchmarks). The schema is named
    ``{prefix}_`` and twelve hex digits."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
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


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


class NotUsable(Exception):
    """The database is there but cannot serve the tutor: read-only, or not its schema.

    Not a passing fault: trying again will not help, so it is said once at start."""


def check_writable(url: str, timeouts: Timeouts = Timeouts()) -> None:
    """Raise :class:`NotUsable` when the database can be read but not written.

    A read-only SQLite file opens and reads without complaint; only the first write
    fails, and then every learner's answer would be refused as if the fault would pass.
    """
    engine = make_engine(url, immediate=True, timeouts=timeouts)
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            try:
                connection.exec_driver_sql("CREATE TABLE tutor_write_probe (x INTEGER)")
            except DBAPIError as exc:
                if is_sqlite(url) and "readonly" in reason(exc).replace("-", ""):
                    where = make_url(url).database or "the database"
                    raise NotUsable(
                        f"the SQLite file {where} is read-only ({reason(exc)}): give the "
                        "tutor write access to it and to its folder"
                    ) from None
                if "read-only" in reason(exc):
                    raise NotUsable(f"the database is read-only ({reason(exc)})") from None
                raise
            finally:
                transaction.rollback()
    finally:
        engine.dispose()
