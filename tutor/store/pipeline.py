"""Several statements in one round trip: psycopg's pipeline mode on PostgreSQL; on SQLite,
statements straight to the driver.

An answer reads two things and writes three or more. Sent one by one, each statement
waits for the last one's reply: seven round trips with BEGIN and COMMIT, each costing
both processes a wake-up. Pipelined, the reads go out together (with the BEGIN) and so
do the writes: three round trips, and about a quarter less CPU per answer in the worker
(1.85 -> 1.37 ms in a loop without HTTP) and in PostgreSQL (0.86 -> 0.60 ms).

The statements are the same Core statements, compiled once, with SQLAlchemy's own
parameter processing (JSON goes through its serializer); an error comes back as
SQLAlchemy's exception for it (an ``IntegrityError`` for a unique key). SQLite's driver
runs in this process, so there is no round trip to save, but the same compiled
statements run straight on it, without SQLAlchemy's work per statement: an answer went
from 2.45 to 1.93 ms of CPU in process (``bench/in_process.py``). Other drivers run the
statements in turn through SQLAlchemy (:func:`run_in_turn`).

What it gives, measured with ``python bench/load.py --ablate pipeline --concurrency 16
--database-url postgresql+psycopg://...`` (five interleaved rounds, one worker, PostgreSQL
on the same two-core machine, December 2026): 224 answers per second pipelined, 112 with
every statement in turn, 2.0x.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable

Step = tuple[Executable, Mapping[str, Any]]


@dataclass(frozen=True)
class Outcome:
    """What one statement gave: its rows (empty for most writes) and the rows it changed."""

    rows: list[Any]  # with attribute access: SQLAlchemy's Row, or a named tuple
    rowcount: int


def run(connection: Connection, steps: Sequence[Step]) -> list[Outcome]:
    """Run ``steps`` in order on ``connection``'s transaction; an outcome per step."""
    if connection.dialect.driver == "psycopg":  # (psycopg 3; not psycopg2, say)
        return _pipelined(connection, steps)
    if connection.dialect.driver == "pysqlite":
        return _on_sqlite(connection, steps)
    return run_in_turn(connection, steps)


def run_in_turn(connection: Connection, steps: Sequence[Step]) -> list[Outcome]:
    """The same, one statement after another (any driver)."""
    outcomes = []
    for statement, params in steps:
        result = connection.execute(statement, params)
        outcomes.append(Outcome(result.all() if result.returns_rows else [], result.rowcount))
    return outcomes


def _pipelined(connection: Connection, steps: Sequence[Step]) -> list[Outcome]:
    import psycopg
    from psycopg.rows import namedtuple_row

    raw = connection.connection.driver_connection
    cursors = []
    try:
        with raw.pipeline():
            for statement, params in steps:
                sql, bind = _compiled(statement, connection.dialect)
                cursor = raw.cursor(row_factory=namedtuple_row)
                cursor.execute(sql, bind(params))
                cursors.append(cursor)
        # Leaving the block sent everything and read every reply.
        return [
            Outcome(cursor.fetchall() if cursor.description else [], cursor.rowcount)
            for cursor in cursors
        ]
    except psycopg.Error as exc:
        # (Which statement failed is not known here: the replies come back together.)
        raise DBAPIError.instance(None, None, exc, psycopg.Error) from exc
    finally:
        for cursor in cursors:
            cursor.close()


def _on_sqlite(connection: Connection, steps: Sequence[Step]) -> list[Outcome]:
    """The statements in turn, straight to SQLite's driver.

    SQLite runs in this process, so there is no round trip to save; what is saved is
    SQLAlchemy's work per statement (an execution context, a result object, events),
    which cost more than SQLite's own: a step page's read of the learner's position
    took a seventh of the page. Parameters and rows go through the same column types'
    processors, so values are the same as through ``connection.execute``.
    """
    import sqlite3

    if not connection.in_transaction():
        connection.begin()  # as SQLAlchemy would on its first statement: one snapshot
    raw = connection.connection.driver_connection
    outcomes = []
    for statement, params in steps:
        sql, prepare, shape = _compiled_positional(statement, connection.dialect)
        try:
            cursor = raw.execute(sql, prepare(params))
            rows = [shape(row) for row in cursor.fetchall()] if cursor.description else []
        except sqlite3.Error as exc:
            raise DBAPIError.instance(sql, params, exc, sqlite3.Error) from exc
        outcomes.append(Outcome(rows, cursor.rowcount))
    return outcomes


Prepare = Callable[[Mapping[str, Any]], dict[str, Any]]
_cache: dict[tuple[int, str, str], tuple[Executable, str, Prepare]] = {}
_positional: dict[tuple[int, str], tuple[Executable, str, Callable, Callable]] = {}


def _compiled_positional(
    statement: Executable, dialect: Dialect
) -> tuple[str, Callable[[Mapping[str, Any]], tuple], Callable[[tuple], Any]]:
    """For a driver with positional parameters (SQLite's): the SQL, a function that
    prepares the parameters in their order, and one that makes a row a named tuple with
    each column through its type's result processor."""
    key = (id(statement), dialect.name)
    found = _positional.get(key)
    if found is None or found[0] is not statement:  # (the entry holds its statement alive)
        compiled = statement.compile(dialect=dialect)
        names = compiled.positiontup or []
        processors = [
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in names
        ]

        # Values fixed in the statement itself (a literal compared with) are binds too.
        fixed = {
            name: compiled.binds[name].effective_value
            for name in names
            if not compiled.binds[name].required
        }

        # Only the values with a processor are passed through one (most have none).
        processed = [(i, process) for i, process in enumerate(processors) if process is not None]

        def prepare(params: Mapping[str, Any]) -> tuple:
            values = [params[name] if name in params else fixed[name] for name in names]
            for i, process in processed:
                values[i] = process(values[i])
            return tuple(values)

        columns = compiled._result_columns  # (SQLAlchemy's own record of them)
        row_type = namedtuple("Row", [column.keyname for column in columns])  # type: ignore[misc]
        readers = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ]

        read_at = [(i, read) for i, read in enumerate(readers) if read is not None]

        def shape(row: tuple) -> Any:
            values = list(row)
            for i, read in read_at:
                values[i] = read(values[i])
            return row_type._make(values)

        found = _positional[key] = (statement, str(compiled), prepare, shape)
    return found[1], found[2], found[3]


def _compiled(statement: Executable, dialect: Dialect) -> tuple[str, Prepare]:
    """The statement's SQL for ``dialect``, and a function that prepares its parameters
    as SQLAlchemy would (each value through its column type's bind processor)."""
    key = (id(statement), dialect.name, dialect.driver)
    found = _cache.get(key)
    if found is None or found[0] is not statement:  # (the entry holds its statement alive)
        compiled = statement.compile(dialect=dialect)
        processors = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors[name] = process

        # Values fixed in the statement itself (a literal compared with) are binds too.
        fixed = {
            name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required
        }

        def prepare(params: Mapping[str, Any]) -> dict[str, Any]:
            return {
                name: processors[name](value) if name in processors else value
                for name, value in {**fixed, **params}.items()
            }

        found = _cache[key] = (statement, str(compiled), prepare)
    return found[1], found[2]
