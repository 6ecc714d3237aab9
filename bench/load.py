"""Load: simulated learners against a running server, beside a bare endpoint as the floor.

    python bench/load.py                      # starts `tutor serve` on SQLite itself
    python bench/load.py --workers 2 --database-url postgresql+psycopg://postgres@127.0.0.1/test
    python bench/load.py --url http://127.0.0.1:8000   # a server started with TUTOR_BENCH_FLOOR=1
    python bench/load.py --compare-workers 1,2 --database-url postgresql+psycopg://...

For each concurrency (1, 16 and 64 by default) it runs, for a few seconds each, in
one-second slices taken in turn so that every endpoint meets the same noise: the floor
(GET /api/bench/floor, an ``async`` endpoint of the same app that does no work: what a
request costs through the app and its middleware and nothing else), the liveness check
(GET /api/health), the step JSON (GET /api/lessons/{id}/steps/{n}), the HTML step page
(GET /lessons/{id}/steps/{n}, as a learner with a cookie), the current item
(GET /api/lessons/{id}/next, as a learner with a token) and learners (POST /api/learners,
then answer, answer, answer... each answer's reply carries the next item). The readers of
pages and of `next` have each answered three items first (through the pages' forms, and
through the API), as most readers have: a learner not yet begun costs less to show. It prints
requests per second and p50/p95/p99 latency per endpoint, the ratio to the floor at the
same concurrency, errors, the load generator's own CPU use and, for a server it started,
the server's CPU per request (per answer for the learners, with their share of new
learners and worked examples), then checks that every acknowledged answer is in the
database exactly once.

The floor is a setting of the app (TUTOR_BENCH_FLOOR), not a route the bench adds: the
server runs as `tutor serve` in processes of its own (one per worker with --workers), and
only the environment reaches every one of them, or a server started by hand for --url.

With ``--compare-workers 1,2`` it measures how answers scale with worker processes
instead: it starts a server with each number of workers in turn, several rounds
interleaved so that a noisy spell hits every count alike, runs only the learners at
each concurrency, and prints each count's median answers per second and its ratio to
the first count's. On PostgreSQL every round starts from vacuumed, analyzed tables.

A server it starts on PostgreSQL keeps its data in a new schema of the given database,
dropped at the end.

The client is plain asyncio over keep-alive HTTP/1.1 connections, one per simulated
user: light enough that it is not the bottleneck (its CPU use is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tutor.render.numbers import counted  # noqa: E402


class Connection:
    """One keep-alive HTTP/1.1 connection; just enough protocol for JSON requests."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.cookies: dict[str, str] = {}  # kept and sent back, as a browser does

    async def request(
        self,
        method: str,
        path: str,
        body: object = None,
        token: str | None = None,
        form: dict[str, str] | None = None,
    ) -> tuple[int, dict | list | str | None]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        if form is not None:  # as a browser sends a form
            data = urlencode(form).encode()
        else:
            data = b"" if body is None else json.dumps(body).encode()
        head = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"Content-Length: {len(data)}",
        ]
        if form is not None:
            head.append("Content-Type: application/x-www-form-urlencoded")
        elif body is not None:
            head.append("Content-Type: application/json")
        if token:
            head.append(f"Authorization: Bearer {token}")
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        assert self.reader is not None
        # The whole head in one read, not a read per line: the client's CPU is shared with
        # the server it measures.
        try:
            head_bytes = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            raise ConnectionResetError("the server closed the connection") from exc
        lines = head_bytes.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length, close, is_json = 0, False, False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name, value = name.lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.lower() == "close":
                close = True
            elif name == "content-type":
                is_json = value.startswith("application/")
            elif name == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.partition(";")[0]
        raw = await self.reader.readexactly(length) if length else b""
        if close:
            await self.close()
        if not raw:
            return status, None
        return status, json.loads(raw) if is_json else raw.decode()

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    acknowledged: list[str] = field(default_factory=list)  # idempotency keys of 200 answers
    server_cpu: float = 0.0  # seconds of the server's CPU while the phase's clock ran

    async def timed(self, name: str, call) -> tuple[int, object]:
        start = time.perf_counter()
        try:
            status, body = await call
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            self.errors[name] += 1
            print(f"  {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 0, None
        self.latencies[name].append(time.perf_counter() - start)
        if status >= 400:
            self.errors[name] += 1
        return status, body


FLOOR = "/api/bench/floor"
SETTLE = 0.3  # seconds of quiet before each slice of a phase
FLOOR_NAME = f"floor GET {FLOOR}"


async def floor_user(conn: Connection, stats: Stats, until: float) -> None:
    while time.perf_counter() < until:
        await stats.timed(FLOOR_NAME, conn.request("GET", FLOOR))


async def health_user(conn: Connection, stats: Stats, until: float) -> None:
    while time.perf_counter() < until:
        await stats.timed("GET /api/health", conn.request("GET", "/api/health"))


async def step_user(conn: Connection, stats: Stats, until: float, lesson: str, steps: int) -> None:
    n = 0
    while time.perf_counter() < until:
        n = n % steps + 1
        await stats.timed("GET step JSON", conn.request("GET", f"/api/lessons/{lesson}/steps/{n}"))


STARTED = 3
"""Answers a reading learner gives before it reads: pages and `next` are measured for a
learner with a stored state, as most are, not for one who has not begun (whose first
item costs less to work out)."""

_FIELD = re.compile(r'name="(csrf|question_id|variant)" value="([^"]*)"')
_OPTION = re.compile(r'name="option_id" value="(o[0-9a-f]+)"')


async def start_on_pages(conn: Connection, lesson: str) -> bool:
    """Answer STARTED items through the step pages' forms, as a browser does."""
    for _ in range(STARTED):
        status, html = await conn.request("GET", f"/lessons/{lesson}")
        here = re.search(r'href="/lessons/[^/]+/steps/(\d+)(?:#question)?"', html or "")
        if status != 200 or here is None:
            return False
        status, html = await conn.request("GET", f"/lessons/{lesson}/steps/{here[1]}")
        fields = dict(_FIELD.findall(html or ""))
        if status != 200 or len(fields) < 3:
            return False
        if 'class="continue-example"' in html:  # a worked problem: studied, gone on from
            action, form = "continue", fields
        else:
            options = _OPTION.findall(html)
            action = "answer"
            form = {**fields, **({"option_id": options[0]} if options else {"value": "0.5"})}
        status, _ = await conn.request("POST", f"/lessons/{lesson}/{action}", form=form)
        if status != 303:
            return False
    return True


async def page_user(conn: Connection, stats: Stats, until: float, lesson: str, steps: int) -> None:
    """A browser learner who has begun (``start_on_pages``) reading the step pages in turn."""
    n = 0
    while time.perf_counter() < until:
        n = n % steps + 1
        await stats.timed(
            "GET step page (HTML)", conn.request("GET", f"/lessons/{lesson}/steps/{n}")
        )


async def start_on_api(conn: Connection, lesson: str) -> str | None:
    """A new API learner who has answered STARTED items; its token (None on a failure)."""
    status, made = await conn.request("POST", "/api/learners", {})
    if status != 201:
        return None
    token, rng = made["token"], random.Random(made["token"])
    for _ in range(STARTED):
        status, nxt = await conn.request("GET", f"/api/lessons/{lesson}/next", token=token)
        if status != 200 or nxt["done"]:
            return token if status == 200 else None
        kind = "continue" if nxt["question"]["kind"] == "example" else "answers"
        body = (
            {"question_id": nxt["question"]["id"], "variant": nxt["variant"]}
            if kind == "continue"
            else choose(nxt, rng)
        )
        status, _ = await conn.request("POST", f"/api/lessons/{lesson}/{kind}", body, token=token)
        if status != 200:
            return None
    return token


async def next_user(conn: Connection, stats: Stats, until: float, lesson: str, token: str) -> None:
    """A learner who has begun asking for its current item again and again (a reload,
    another tab)."""
    while time.perf_counter() < until:
        await stats.timed(
            "GET next", conn.request("GET", f"/api/lessons/{lesson}/next", token=token)
        )


def choose(nxt: dict, rng: random.Random) -> dict:
    """An answer to the current item: any option, or a number for numeric questions."""
    question = nxt["question"]
    body = {
        "question_id": question["id"],
        "variant": nxt["variant"],
        "idempotency_key": uuid.uuid4().hex,
    }
    if question["kind"] == "numeric" and rng.random() < 0.8:
        body["value"] = round(rng.uniform(0, 2), 2)
    else:
        body["option_id"] = rng.choice(question["options"])["id"]
    return body


async def learner_user(
    conn: Connection, stats: Stats, until: float, lesson: str, rng: random.Random
) -> None:
    while time.perf_counter() < until:
        status, made = await stats.timed(
            "POST /api/learners", conn.request("POST", "/api/learners", {})
        )
        if status != 201:
            return
        token = made["token"]
        status, nxt = await stats.timed(
            "GET next (first)", conn.request("GET", f"/api/lessons/{lesson}/next", token=token)
        )
        while status == 200 and not nxt["done"] and time.perf_counter() < until:
            if nxt["question"]["kind"] == "example":  # a worked problem: studied, gone on from
                went = {"question_id": nxt["question"]["id"], "variant": nxt["variant"]}
                status, reply = await stats.timed(
                    "POST continue",
                    conn.request("POST", f"/api/lessons/{lesson}/continue", went, token=token),
                )
                nxt = reply["next"] if status == 200 else nxt
                continue
            body = choose(nxt, rng)
            status, reply = await stats.timed(
                "POST answer",
                conn.request("POST", f"/api/lessons/{lesson}/answers", body, token=token),
            )
            if status != 200:
                break
            stats.acknowledged.append(body["idempotency_key"])
            nxt = reply["next"]


async def run_phase(
    kind: str,
    url: str,
    concurrency: int,
    seconds: float,
    lesson: str,
    steps: int,
    stats: Stats,
    server_pid: int | None = None,
) -> float:
    """Runs one phase; its seconds on the clock. With ``server_pid``, the server's CPU over
    those seconds is added to ``stats.server_cpu`` (the readers' beginning is not counted)."""
    host, port = urlsplit(url).hostname, urlsplit(url).port
    conns = opened = [Connection(host, port) for _ in range(concurrency)]
    # The readers of pages and of `next` begin (answer a few items) before the clock starts.
    if kind == "page":
        begun = await asyncio.gather(*(start_on_pages(c, lesson) for c in conns))
        stats.errors["GET step page (HTML)"] += begun.count(False)
        conns = [c for c, ok in zip(conns, begun, strict=True) if ok]
    elif kind == "next":
        tokens = await asyncio.gather(*(start_on_api(c, lesson) for c in conns))
        stats.errors["GET next"] += tokens.count(None)
    until = time.perf_counter() + seconds
    start = time.perf_counter()
    cpu_before = server_seconds(server_pid)
    if kind == "floor":
        tasks = [floor_user(c, stats, until) for c in conns]
    elif kind == "health":
        tasks = [health_user(c, stats, until) for c in conns]
    elif kind == "step":
        tasks = [step_user(c, stats, until, lesson, steps) for c in conns]
    elif kind == "page":
        tasks = [page_user(c, stats, until, lesson, steps) for c in conns]
    elif kind == "next":
        tasks = [
            next_user(c, stats, until, lesson, t) for c, t in zip(conns, tokens, strict=True) if t
        ]
    else:
        tasks = [
            learner_user(c, stats, until, lesson, random.Random(i)) for i, c in enumerate(conns)
        ]
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    stats.server_cpu += server_seconds(server_pid) - cpu_before
    for c in opened:
        await c.close()
    return elapsed


def server_seconds(pid: int | None) -> float:
    """CPU seconds used so far by process ``pid`` (every thread, those ended too) and its
    child processes (the workers of ``--workers N``); 0.0 without a pid or off Linux. One
    small read per process, so it can be taken while a phase's clock runs."""
    if pid is None:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    try:  # a kernel without CONFIG_PROC_CHILDREN has no such file: no workers counted
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = [int(c) for c in f.read().split()]
    except OSError:
        children = []
    return (int(fields[11]) + int(fields[12])) / ticks + sum(server_seconds(c) for c in children)


class CpuMeter:
    """CPU used while a phase runs, in cores: the server's processes, PostgreSQL's (when it
    runs here), this client, and how busy the whole machine was. Reads Linux's /proc;
    elsewhere every figure is 0."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self.start = self._snapshot()

    def read(self, elapsed: float) -> dict[str, float]:
        end = self._snapshot()
        used = {k: (end[k] - self.start[k]) / elapsed for k in ("server", "postgres", "client")}
        total = end["total"] - self.start["total"]
        used["machine"] = 1 - (end["idle"] - self.start["idle"]) / total if total else 0.0
        return used

    def _snapshot(self) -> dict[str, float]:
        ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        found = {"server": 0.0, "postgres": 0.0, "client": time.process_time()}
        found.update(total=0.0, idle=0.0)
        try:
            with open("/proc/stat") as f:
                jiffies = [int(v) for v in f.readline().split()[1:]]
            found["total"], found["idle"] = sum(jiffies), jiffies[3] + jiffies[4]
            parents: dict[int, int] = {}
            cpu: dict[int, float] = {}
            names: dict[int, str] = {}
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        stat = f.read()
                except OSError:
                    continue  # gone meanwhile
                name, rest = (
                    stat[stat.index("(") + 1 : stat.rindex(")")],
                    stat[stat.rindex(")") + 2 :],
                )
                fields = rest.split()
                pid = int(entry)
                parents[pid], names[pid] = int(fields[1]), name
                cpu[pid] = (int(fields[11]) + int(fields[12])) / ticks
        except OSError:
            return found
        for pid, seconds in cpu.items():
            if names[pid] == "postgres":
                found["postgres"] += seconds
            ancestor = pid
            while ancestor > 1 and ancestor != self.server_pid:
                ancestor = parents.get(ancestor, 0)
            if ancestor == self.server_pid:
                found["server"] += seconds
        return found


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# A server without one of the mechanisms that make answers cheaper, to measure what each
# one gives in the same run (--ablate). Each is swapped out in the server process itself.
WITHOUT = """
import sys
without, port, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
import uvicorn
from tutor import workers as worker_processes
from tutor.app import create_served_app
from tutor.store import database, pipeline

if without == "group-commit":  # each SQLite write commits on its own
    connect = database.connect

    def connect_alone(url, **options):
        db = connect(url, **options)
        db.group_commit = None
        return db

    database.connect = connect_alone
elif without == "pipeline":  # every statement waits for the last one's reply
    pipeline.run = pipeline.run_in_turn
if without == "reuseport":  # one listening socket shared by the workers
    sys.exit(worker_processes.serve("127.0.0.1", port, workers, shared=True))
uvicorn.run(create_served_app(), host="127.0.0.1", port=port, log_level="warning")
"""
MECHANISMS = ("group-commit", "pipeline", "reuseport")


def start_server(
    database_url: str, workers: int, without: str | None = None
) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "TUTOR_DATABASE_URL": database_url,
        "TUTOR_SECRET_KEY": "bench",
        "TUTOR_BENCH_FLOOR": "1",
    }
    env["TUTOR_LEARNERS_PER_MINUTE"] = "0"  # every simulated learner comes from one address
    env["TUTOR_PAGE_LEARNERS_PER_MINUTE"] = "0"
    command = [sys.executable, "-m", "tutor.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    if without is not None:
        command = [sys.executable, "-c", WITHOUT, without, str(port), str(workers)]
        env["TUTOR_INSTRUCTOR_TOKEN"] = "bench"
        env["PYTHONPATH"] = os.pathsep.join([ROOT, env.get("PYTHONPATH", "")])
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            time.sleep(0.5 if workers > 1 else 0.1)
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


@contextmanager
def scratch_database(database_url: str | None) -> Iterator[str]:
    """Where a started server keeps its data: a new SQLite file by default; on
    PostgreSQL a new schema in the given database, dropped afterwards, so that a run
    neither writes into the tutor's own tables nor inherits an earlier run's rows."""
    if not database_url:
        yield f"sqlite:///{tempfile.mkdtemp()}/load.db"
        return
    if not database_url.startswith("postgresql"):
        yield database_url
        return
    from sqlalchemy.engine import make_url

    from tutor.store.database import scratch_schema

    with scratch_schema(database_url, prefix="bench") as url:
        schema = make_url(url).query["options"].partition("=")[2]
        print(f"data in PostgreSQL schema {schema}, dropped at the end")
        yield url


def settle(database_url: str) -> None:
    """On PostgreSQL, vacuum and analyze the tables, as autovacuum would in time: every
    round then starts from the same kind of tables, whatever the server's autovacuum
    settings (with it off, an earlier round's dead rows and missing statistics would
    make PostgreSQL work harder in each later round than in the one before)."""
    if not database_url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine

    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        # The run's own tables (none before the first server has migrated), not the database's.
        tables = connection.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).scalars()
        for table in tables.all():
            connection.exec_driver_sql(f'VACUUM ANALYZE "{table}"')
    engine.dispose()


def check_answers(database_url: str, keys: list[str]) -> str:
    """Every acknowledged answer is stored exactly once."""
    from sqlalchemy import create_engine, func, select

    from tutor.store.tables import Attempt

    engine = create_engine(database_url)
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = connection.execute(
                select(Attempt.idempotency_key, func.count())
                .where(Attempt.idempotency_key.in_(chunk))
                .group_by(Attempt.idempotency_key)
            )
            counts.update({k: n for k, n in rows})
    engine.dispose()
    missing = sum(1 for k in keys if k not in counts)
    doubled = sum(1 for k in keys if counts.get(k, 0) > 1)
    verdict = "ok" if not missing and not doubled else "FAILED"
    return (
        f"{verdict}: {len(keys)} acknowledged answers, {missing} missing, "
        f"{doubled} stored more than once"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server (default: start one)")
    parser.add_argument(
        "--database-url",
        help="database for the started server, which on PostgreSQL writes to a new schema "
        "dropped afterwards; with --url, the running server's, for the durability check "
        "(default: a new SQLite file)",
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=4.0, help="per phase")
    parser.add_argument("--concurrency", default="1,16,64")
    parser.add_argument("--lesson", default="how-a-network-learns")
    parser.add_argument(
        "--compare-workers", metavar="N,M", help="answer throughput with each number of workers"
    )
    parser.add_argument(
        "--ablate",
        choices=MECHANISMS,
        help="answer throughput with and without one mechanism: SQLite's group commit, "
        "PostgreSQL's pipelined statements, or SO_REUSEPORT sockets for --workers N",
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="with --compare-workers or --ablate (5)"
    )
    args = parser.parse_args()

    if args.compare_workers or args.ablate:
        if args.url:
            which = "--ablate" if args.ablate else "--compare-workers"
            parser.error(f"{which} starts its own servers: leave out --url")
        if args.ablate:
            label = args.ablate.replace("-", " ")
            variants = [
                (f"with {label}", args.workers, None),
                (f"without {label}", args.workers, args.ablate),
            ]
        else:
            counts = [int(n) for n in args.compare_workers.split(",")]
            variants = [(counted(n, "worker"), n, None) for n in counts]
        with scratch_database(args.database_url) as database_url:
            return asyncio.run(compare(args, database_url, variants))
    if args.url is not None:
        return asyncio.run(report(args.url, args, args.database_url, None))
    with scratch_database(args.database_url) as database_url:
        proc, url = start_server(database_url, args.workers)
        try:
            return asyncio.run(report(url, args, database_url, proc.pid))
        finally:
            proc.terminate()
            proc.wait(timeout=10)


MAIN_LINE = {"learners": "POST answer"}
"""The line of a phase that its server CPU is counted against: per answer for the
learners (their creation, first item and worked examples counted in), else per request."""


async def report(url: str, args, database_url: str | None, server_pid: int | None) -> int:
    conn = Connection(urlsplit(url).hostname, urlsplit(url).port)
    status, lesson = await conn.request("GET", f"/api/lessons/{args.lesson}")
    await conn.close()
    if status != 200:
        raise SystemExit(f"no lesson {args.lesson!r} at {url}")
    steps = len(lesson["steps"])
    status, _ = await conn.request("GET", FLOOR)
    await conn.close()
    if status != 200:
        raise SystemExit(f"no floor at {url}{FLOOR}: start the server with TUTOR_BENCH_FLOOR=1")
    print(
        f"server {url}, workers {args.workers}, database "
        f"{(database_url or 'unknown').split('://')[0]}, {args.seconds:g} s per phase"
    )
    header = (
        f"{'conc':>4}  {'endpoint':<28} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'vs floor':>8} {'errors':>6} {'client cpu':>10} {'server ms':>9}"
    )
    print(header)
    print("-" * len(header))
    all_keys: list[str] = []
    errors = 0
    kinds = ("floor", "health", "step", "page", "next", "learners")
    # A warm-up, not reported: templates compiled, caches and connections filled, so that
    # the first phase measured (the floor) does not pay for the server's start.
    warm_up = Stats()
    for kind in kinds:
        await run_phase(kind, url, 2, min(0.5, args.seconds), args.lesson, steps, warm_up)
    all_keys.extend(warm_up.acknowledged)
    # Each phase's time is cut into slices, taken in turn (floor, health, step, ...,
    # floor, health, ...): a noisy spell on a shared machine then falls on every
    # endpoint alike, not on whichever phase it happened to meet.
    slices = max(1, round(args.seconds))
    for concurrency in [int(c) for c in args.concurrency.split(",")]:
        floor_rps = None
        phases = {kind: Stats() for kind in kinds}
        elapsed = dict.fromkeys(kinds, 0.0)
        cpu = dict.fromkeys(kinds, 0.0)
        for _ in range(slices):
            for kind in kinds:
                # A pause before each slice: what the last one left the server doing (the
                # answers still being committed, a checkpoint) falls on no endpoint.
                await asyncio.sleep(SETTLE)
                started = time.process_time()
                elapsed[kind] += await run_phase(
                    kind,
                    url,
                    concurrency,
                    args.seconds / slices,
                    args.lesson,
                    steps,
                    phases[kind],
                    server_pid,
                )
                cpu[kind] += time.process_time() - started
        for kind in kinds:
            stats = phases[kind]
            cpu_share = cpu[kind] / elapsed[kind]
            for name, values in stats.latencies.items():
                rps = len(values) / elapsed[kind]
                if name == FLOOR_NAME:
                    floor_rps = rps
                ratio = f"{rps / floor_rps:.2f}" if floor_rps else "-"
                # The server's CPU per request (per answer for the learners): where a
                # ratio comes from, and whether the server was the one kept busy.
                main_line = MAIN_LINE.get(kind, name) == name and server_pid is not None
                cost = f"{stats.server_cpu * 1000 / len(values):.3f}" if main_line else "-"
                print(
                    f"{concurrency:>4}  {name:<28} {rps:>8.0f} {percentile(values, 0.5):>7.1f} "
                    f"{percentile(values, 0.95):>7.1f} {percentile(values, 0.99):>7.1f} "
                    f"{ratio:>8} {stats.errors.get(name, 0):>6} {cpu_share:>9.0%} {cost:>10}"
                )
            errors += sum(stats.errors.values())
            all_keys.extend(stats.acknowledged)
    print()
    print(f"errors: {errors}")
    if database_url:
        print("durability:", check_answers(database_url, all_keys))
    return 0 if errors == 0 else 1


async def compare(args, database_url: str, variants: list[tuple[str, int, str | None]]) -> int:
    """Answers per second of each server variant (label, workers, mechanism left out), in
    interleaved rounds; the ratio of each to the first."""
    levels = [int(c) for c in args.concurrency.split(",")]
    print(
        f"answers per second by {' / '.join(v[0] for v in variants)}, database "
        f"{database_url.split('://')[0]}, {args.rounds} rounds of {args.seconds:g} s per "
        "concurrency"
    )
    rates: dict[tuple[str, int], list[float]] = defaultdict(list)
    busy: dict[tuple[str, int], list[float]] = defaultdict(list)
    all_keys: list[str] = []
    errors = 0
    for round_no in range(1, args.rounds + 1):
        for name, workers, without in variants:
            settle(database_url)
            proc, url = start_server(database_url, workers, without)
            try:
                # A short warm-up: connections opened, lessons and plans cached.
                warm_up = Stats()
                await run_phase("learners", url, 4, 1.0, args.lesson, 0, warm_up)
                all_keys.extend(warm_up.acknowledged)
                line = []
                for concurrency in levels:
                    stats = Stats()
                    meter = CpuMeter(proc.pid)
                    elapsed = await run_phase(
                        "learners", url, concurrency, args.seconds, args.lesson, 0, stats
                    )
                    used = meter.read(elapsed)
                    answers = len(stats.latencies["POST answer"])
                    rates[name, concurrency].append(answers / elapsed)
                    busy[name, concurrency].append(used["machine"])
                    line.append(
                        f"c={concurrency} {answers / elapsed:.0f}/s "
                        f"(machine {used['machine']:.0%} busy; cores used by server "
                        f"{used['server']:.2f}, database {used['postgres']:.2f}, "
                        f"client {used['client']:.2f})"
                    )
                    errors += sum(stats.errors.values())
                    all_keys.extend(stats.acknowledged)
                print(f"  round {round_no}, {name}: " + "; ".join(line))
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    header = f"{'conc':>4}  " + "  ".join(
        f"{name:>12} {'ratio':>6} {'busy':>5}" for name, _, _ in variants
    )
    print()
    print(header)
    print("-" * len(header))
    for concurrency in levels:
        base = statistics.median(rates[variants[0][0], concurrency])
        cells = []
        for name, _, _ in variants:
            median = statistics.median(rates[name, concurrency])
            load = statistics.median(busy[name, concurrency])
            cells.append(f"{median:>10.0f}/s {median / base:>6.2f} {load:>5.0%}")
        print(f"{concurrency:>4}  " + "  ".join(cells))
    print(
        f"(busy: the machine's {os.cpu_count()} cores, shared by the server, the database "
        "and this client; near 100% the count of cores, not the server, sets the ceiling)"
    )
    print()
    print(f"errors: {errors}")
    print("durability:", check_answers(database_url, all_keys))
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
