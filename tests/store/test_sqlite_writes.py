"""SQLite's writers take turns in order and share commits; each write stays all or nothing."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from sqlalchemy import event, text

from tutor.store.database import make_engine
from tutor.store.sqlite_writes import FairLock, GroupCommit, WriteNotKept


def test_the_fair_lock_goes_to_waiters_in_the_order_they_came():
    lock, order = FairLock(), []
    lock.__enter__()
    threads = []
    for n in range(8):
        thread = threading.Thread(target=lambda n=n: _take(lock, order, n))
        thread.start()
        threads.append(thread)
        _until(lambda n=n: len(lock._waiters) == n + 1)
    lock.__exit__()
    for thread in threads:
        thread.join(5)
    assert order == list(range(8))


def _take(lock: FairLock, order: list[int], n: int) -> None:
    with lock:
        order.append(n)


@pytest.fixture
def table(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}", immediate=True)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE kept (n INTEGER PRIMARY KEY)")
    yield engine
    engine.dispose()


def _queue_behind(lock: FairLock, group: GroupCommit, works) -> list:
    """Run each work from a thread of its own while ``lock`` is held, then let them go:
    the first is written alone, the rest queue up behind it and share one commit."""
    outcomes: list = [None] * len(works)

    def run(i):
        try:
            outcomes[i] = group.run(works[i])
        except Exception as exc:
            outcomes[i] = exc

    with lock:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(works))]
        threads[0].start()
        # The first is taken by the writer, which now waits for the lock.
        _until(lambda: group._writing and not group._queue)
        for thread in threads[1:]:
            thread.start()
        _until(lambda: len(group._queue) == len(works) - 1)
    for thread in threads:
        thread.join(10)
    return outcomes


def _insert(n: int, fail: bool = False):
    def work(connection):
        connection.execute(text("INSERT INTO kept (n) VALUES (:n)"), {"n": n})
        if fail:
            raise ValueError(f"write {n} failed after writing")
        return n

    return work


def _kept(engine) -> list[int]:
    with engine.connect() as connection:
        return [n for (n,) in connection.execute(text("SELECT n FROM kept ORDER BY n"))]


def test_queued_writes_share_a_commit_and_a_failing_one_undoes_only_itself(table):
    lock = FairLock()
    group = GroupCommit(table, lock)
    commits = []
    event.listen(table, "commit", lambda _conn: commits.append(1))
    works = [_insert(n, fail=n == 5) for n in range(12)]
    outcomes = _queue_behind(lock, group, works)

    assert len(commits) == 2  # the first write alone, then the eleven that queued
    assert isinstance(outcomes[5], ValueError)
    assert [o for i, o in enumerate(outcomes) if i != 5] == [n for n in range(12) if n != 5]
    assert _kept(table) == [n for n in range(12) if n != 5]


def test_when_a_commit_fails_every_write_of_its_batch_fails_and_none_is_kept(table):
    lock = FairLock()
    group = GroupCommit(table, lock)
    commits = []

    def fail_the_second(_conn):
        commits.append(1)
        if len(commits) == 2:
            raise OSError("disk full")

    event.listen(table, "commit", fail_the_second)
    outcomes = _queue_behind(lock, group, [_insert(n) for n in range(6)])

    assert outcomes[0] == 0
    assert all(isinstance(o, WriteNotKept) for o in outcomes[1:])
    assert all(isinstance(o.__cause__, OSError) for o in outcomes[1:])
    assert len({id(o) for o in outcomes[1:]}) == 5  # one exception per asking thread
    assert _kept(table) == [0]
    # The writer goes on: a later write is kept.
    assert group.run(_insert(99)) == 99
    assert _kept(table) == [0, 99]


def test_a_writer_that_cannot_start_fails_its_write_and_the_next_write_goes_through(
    table, monkeypatch
):
    group = GroupCommit(table, FairLock())
    start = threading.Thread.start

    def no_threads(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", no_threads)
    with pytest.raises(RuntimeError):
        group.run(_insert(1))
    monkeypatch.setattr(threading.Thread, "start", start)
    assert group.run(_insert(2)) == 2
    assert _kept(table) == [2]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_writer_that_dies_is_replaced_and_no_write_waits_forever(table):
    group = GroupCommit(table, FairLock())
    writers: list[threading.Thread] = []
    make = group._writer
    group._writer = lambda: writers.append(make()) or writers[-1]

    def dies(_connection):
        raise SystemExit("the writer thread ends")

    with pytest.raises(WriteNotKept):
        group.run(dies)
    # The write is failed before the thread ends: wait for the end, so that its exception
    # is reported in this test (whose mark expects it) and not in the next one.
    writers[0].join(timeout=5)
    assert not writers[0].is_alive()
    assert group.run(_insert(3)) == 3
    assert _kept(table) == [3]


def test_a_fair_lock_waiter_interrupted_leaves_the_queue(monkeypatch):
    lock = FairLock()
    lock.__enter__()
    failed = []

    def interrupted():
        # A waiter whose wait is cut short (as by KeyboardInterrupt in the main thread).
        original = threading.Lock

        class Interrupting:
            def __init__(self):
                self._lock = original()

            def acquire(self, *args):
                if args or not self._lock.locked():
                    return self._lock.acquire(*args)
                raise KeyboardInterrupt

            def release(self):
                self._lock.release()

        monkeypatch.setattr(threading, "Lock", Interrupting)
        try:
            with lock:
                pass
        except KeyboardInterrupt:
            failed.append(True)
        finally:
            monkeypatch.setattr(threading, "Lock", original)

    interrupted()
    assert failed and not lock._waiters
    lock.__exit__()
    with lock:  # free again, not owned by the waiter that left
        pass


def _until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_writes_awaited_from_an_event_loop_share_commits_and_fail_alone(table):
    """The API's answers await their write: the writer thread hands each result to the
    event loop, a failing write raises only in its own request, and nothing is lost."""
    lock = FairLock()
    group = GroupCommit(table, lock)
    commits = []
    event.listen(table, "commit", lambda _conn: commits.append(1))

    async def all_at_once():
        def start(n):
            return asyncio.ensure_future(group.run_async(_insert(n, fail=n == 3)))

        with lock:  # held: the first is taken by the writer, the rest queue up behind it
            tasks = [start(0)]
            await asyncio.to_thread(_until, lambda: group._writing and not group._queue)
            tasks += [start(n) for n in range(1, 8)]
            await asyncio.to_thread(_until, lambda: len(group._queue) == 7)
        return await asyncio.gather(*tasks, return_exceptions=True)

    outcomes = asyncio.run(all_at_once())

    assert isinstance(outcomes[3], ValueError)
    assert [o for i, o in enumerate(outcomes) if i != 3] == [0, 1, 2, 4, 5, 6, 7]
    assert _kept(table) == [0, 1, 2, 4, 5, 6, 7]
    assert len(commits) == 2  # the first alone, then the seven that queued


def test_a_write_whose_event_loop_has_closed_still_settles(table):
    """At shutdown the asking loop may be gone: telling it fails, yet the write is marked
    done and nothing is raised, so the writer goes on to tell the rest of its batch."""
    from tutor.store.sqlite_writes import _Write

    def closed_loop():
        raise RuntimeError("Event loop is closed")

    write = _Write(_insert(7), notify=closed_loop)
    write.settle()
    assert write.wake.is_set()
