"""`tutor serve` says where it serves only once it answers there; bench/startup.py times it."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from conftest import DATA
from helpers import free_port

ROOT = Path(__file__).resolve().parent.parent


def _lines(proc: subprocess.Popen) -> queue.Queue[str]:
    """The lines the process prints, as they come."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    return lines


def _first_line_with(lines: queue.Queue[str], text: str, timeout: float = 120) -> str:
    while True:
        line = lines.get(timeout=timeout)
        if text in line:
            return line


@pytest.mark.parametrize("workers", [1, 2])
def test_serving_on_is_printed_once_the_port_answers(tmp_path: Path, workers: int):
    port = free_port()
    env = {
        **os.environ,
        "TUTOR_DATABASE_URL": f"sqlite:///{tmp_path / 'tutor.db'}",
        "TUTOR_SECRET_KEY": "startup-test",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "tutor", "serve", "--lessons", str(DATA), "--port", str(port)]
        + ["--workers", str(workers)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        lines = _lines(proc)
        line = _first_line_with(lines, "serving on")
        assert f"serving on http://127.0.0.1:{port}/" in line
        # At once, with no retry: the line means the server answers.
        assert httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=10).status_code == 200
        assert "sign" in _first_line_with(lines, "instructor")  # the sign-in line follows
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.slow
def test_the_startup_bench_times_the_first_200():
    done = subprocess.run(
        [sys.executable, "bench/startup.py", "--rounds", "2", "--path", "/api/health"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"round 2: first 200 after \d+\.\d\d s", done.stdout), done.stdout
    assert re.search(r"median of a restart: \d+\.\d\d s", done.stdout), done.stdout
    assert "BEFORE the port accepted" not in done.stdout
