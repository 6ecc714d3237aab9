"""`tutor serve --workers N`: several processes, one port, any of them serves any request."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import DATA
from fastapi.testclient import TestClient
from helpers import answer_body, free_port

from tutor.app import create_app
from tutor.config import Settings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _serve(tmp_path: Path, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "TUTOR_DATABASE_URL": f"sqlite:///{tmp_path / 'tutor.db'}",
        "TUTOR_SECRET_KEY": "workers-test",
        "TUTOR_INSTRUCTOR_TOKEN": "workers-test-instructor-token",
    }
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "tutor.cli", "serve", "--lessons", str(DATA)),
            *("--port", str(port), "--workers", str(workers)),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        try:
            if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


def test_two_workers_share_the_port_and_any_of_them_serves_any_request(tmp_path):
    # The same lessons in-process, to know which option earns which grade.
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'keys.db'}", lessons_dir=DATA, secret_key="k"
    )
    with TestClient(create_app(settings)) as keys:
        _answer_through_workers(tmp_path, keys)


def _answer_through_workers(tmp_path: Path, keys: TestClient) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _serve(tmp_path, port, workers=2)
    try:
        _wait_for(url, proc)
        time.sleep(1)  # let the second worker come up too
        assert len(_children(proc.pid)) >= 2
        token = httpx.post(f"{url}/api/learners").json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        # Each request on a new connection: the kernel picks the worker.
        answers = 0
        for _ in range(6):
            nxt = httpx.get(f"{url}/api/lessons/mini/next", headers=headers)
            assert nxt.status_code == 200
            if nxt.json()["done"]:
                break
            body = answer_body(keys, "mini", nxt.json(), "exactly")
            answered = httpx.post(f"{url}/api/lessons/mini/answers", headers=headers, json=body)
            assert answered.status_code == 200, answered.text
            assert answered.json()["grade"] == "exactly"
            answers += 1
        assert answers >= 3
        # A second server on the same port is refused, not let in to share it.
        second = _serve(tmp_path, port, workers=2)
        output, _ = second.communicate(timeout=60)
        assert second.returncode != 0 and "cannot listen on 127.0.0.1" in output
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    assert proc.returncode == 0
    assert _children(proc.pid) == []


def test_a_port_already_taken_is_a_clear_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        proc = _serve(tmp_path, taken.getsockname()[1], workers=2)
        output, _ = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "cannot listen on 127.0.0.1" in output


def test_workers_end_when_their_supervisor_is_killed(tmp_path):
    port = free_port()
    proc = _serve(tmp_path, port, workers=2)
    try:
        _wait_for(f"http://127.0.0.1:{port}", proc)
        time.sleep(1)
        workers = _children(proc.pid)
        assert len(workers) >= 2
    finally:
        proc.kill()
        proc.wait(10)
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in workers):
        assert time.monotonic() < deadline, "workers outlived their supervisor"
        time.sleep(0.2)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # nothing listens there any more
