"""The benches still run: a tiny load against a real server, the worker comparison, and
the in-process cost per request."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PG_URL
from sqlalchemy import create_engine

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def run_bench(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "bench/load.py", "--seconds", "0.5", "--concurrency", "2", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_load_reports_every_endpoint_and_the_answers_kept(tmp_path):
    out = run_bench("--database-url", f"sqlite:///{tmp_path / 'load.db'}")
    endpoints = (
        "GET /api/health",
        "GET step JSON",
        "GET step page (HTML)",
        "GET next",
        "POST answer",
    )
    # The floor, then each endpoint beside it with its ratio to the floor.
    assert re.search(r"^\s+2\s+floor GET /api/bench/floor\s+\d+.*\s1\.00\s+0\s", out, re.M), out
    for endpoint in endpoints:
        row = rf"^\s+2\s+{re.escape(endpoint)}\s+[1-9]\d*(\s+\d+\.\d){{3}}\s+\d+\.\d\d\s+0\s"
        assert re.search(row, out, re.M), out
    # The server's CPU per request (per answer for the learners), at the end of the line.
    for line in ("floor GET /api/bench/floor", "GET step page (HTML)", "POST answer"):
        assert re.search(rf"^\s+2\s+{re.escape(line)}\s.*%\s+\d+\.\d{{3}}$", out, re.M), out
    assert re.search(r"^\s+2\s+GET next \(first\)\s.*%\s+-$", out, re.M), out
    assert "errors: 0" in out
    assert re.search(r"durability: ok: [1-9]\d* acknowledged answers, 0 missing", out), out


def test_compare_workers_prints_rates_ratios_and_where_the_cpu_went(tmp_path):
    out = run_bench(
        "--compare-workers",
        "1",
        "--rounds",
        "1",
        "--database-url",
        f"sqlite:///{tmp_path / 'load.db'}",
    )
    assert re.search(r"round 1, 1 worker: c=2 \d+/s \(machine \d+% busy", out), out
    row = re.search(r"^\s+2\s+(\d+)/s\s+1\.00\s+\d+%$", out, re.M)
    assert row and int(row.group(1)) > 0, out
    assert re.search(r"durability: ok: [1-9]\d* acknowledged answers, 0 missing", out), out


@pytest.mark.skipif(not PG_URL, reason="TUTOR_TEST_DATABASE_URL is not set")
def test_on_postgresql_a_run_keeps_its_data_in_a_schema_of_its_own_and_drops_it():
    # Two rounds: the second starts by vacuuming the tables that the first one filled.
    out = run_bench("--compare-workers", "1", "--rounds", "2", "--database-url", PG_URL)
    schema = re.search(r"data in PostgreSQL schema (bench_\w+), dropped at the end", out)
    assert schema, out
    assert re.search(r"round 2, 1 worker: c=2 [1-9]\d*/s", out), out
    assert re.search(r"durability: ok: [1-9]\d* acknowledged answers, 0 missing", out), out
    engine = create_engine(PG_URL)
    try:
        with engine.connect() as connection:
            left = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_namespace WHERE nspname = %(name)s",
                {"name": schema.group(1)},
            ).scalar()
    finally:
        engine.dispose()
    assert left == 0


def test_ablate_measures_a_mechanism_with_and_without_it(tmp_path):
    out = run_bench(
        "--ablate",
        "group-commit",
        "--rounds",
        "1",
        "--database-url",
        f"sqlite:///{tmp_path / 'load.db'}",
    )
    assert re.search(r"round 1, with group commit: c=2 [1-9]\d*/s", out), out
    assert re.search(r"round 1, without group commit: c=2 [1-9]\d*/s", out), out
    assert re.search(r"^\s+2\s+\d+/s\s+1\.00\s+\d+%\s+\d+/s\s+\d\.\d\d", out, re.M), out
    assert re.search(r"durability: ok: [1-9]\d* acknowledged answers, 0 missing", out), out


def test_compare_workers_refuses_a_running_server():
    done = subprocess.run(
        [sys.executable, "bench/load.py", "--compare-workers", "1,2", "--url", "http://x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--compare-workers starts its own servers" in done.stderr


def test_the_in_process_bench_prints_a_cost_per_kind_and_refuses_an_unknown_one():
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "bench/in_process.py", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )

    done = run("floor", "next", "page", "--requests", "32")
    assert done.returncode == 0, done.stdout + done.stderr
    for kind in ("floor", "next", "page"):
        assert re.search(rf"^{kind}\s+\d+\.\d{{3}}\s+\d+\.\d{{3}}$", done.stdout, re.M), done.stdout
    refused = run("nope")
    assert refused.returncode == 2 and "unknown kind 'nope'" in refused.stderr
