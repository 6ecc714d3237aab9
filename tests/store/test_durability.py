"""Kill the server with SIGKILL in the middle of a load; every acknowledged answer survives.

A real server process on SQLite, learners answering from several threads; the
server is killed without warning, started again on the same file, and the
database is checked: intact, and holding each acknowledged answer exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from helpers import free_port
from sqlalchemy import create_engine, func, select, text

from tutor.store.tables import Attempt

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def start(db_url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "TUTOR_DATABASE_URL": db_url,
        "TUTOR_SECRET_KEY": "durability",
        "TUTOR_INSTRUCTOR_TOKEN": "durability",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "tutor.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not start")


def learner(base: str, acknowledged: list[str], stop: threading.Event) -> None:
    with httpx.Client(base_url=base, timeout=5) as http:
        try:
            token = http.post("/api/learners").json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            nxt = http.get("/api/lessons/how-a-network-learns/next", headers=headers).json()
            while not stop.is_set() and not nxt["done"]:
                question = nxt["question"]
                if question["kind"] == "example":  # a worked problem: studied, not answered
                    went = http.post(
                        "/api/lessons/how-a-network-learns/continue",
                        headers=headers,
                        json={"question_id": question["id"], "variant": nxt["variant"]},
                    )
                    if went.status_code != 200:
                        return
                    nxt = went.json()["next"]
                    continue
                key = uuid.uuid4().hex
                body = {
                    "question_id": question["id"],
                    "variant": nxt["variant"],
                    "idempotency_key": key,
                    "option_id": question["options"][0]["id"],
                }
                reply = http.post(
                    "/api/lessons/how-a-network-learns/answers", headers=headers, json=body
                )
                if reply.status_code != 200:
                    return
                acknowledged.append(key)  # only after the server said it was recorded
                nxt = reply.json()["next"]
        except (httpx.HTTPError, ValueError):
            return  # the server died mid-request: that answer was never acknowledged


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkill_mid_load_loses_no_acknowledged_answer(tmp_path: Path):
    db_url = f"sqlite:///{tmp_path / 'tutor.db'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(db_url, port)
    acknowledged: list[str] = []
    stop = threading.Event()
    threads = [threading.Thread(target=learner, args=(base, acknowledged, stop)) for _ in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while len(acknowledged) < 60 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stop.set()
    for t in threads:
        t.join(timeout=10)
    assert len(acknowledged) >= 20, "the load did not get going"

    proc = start(db_url, port)  # the same file, after a crash
    try:
        assert httpx.get(f"{base}/api/lessons").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    engine = create_engine(db_url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        rows = connection.execute(
            select(Attempt.idempotency_key, func.count())
            .where(Attempt.idempotency_key.in_(acknowledged))
            .group_by(Attempt.idempotency_key)
        ).all()
    engine.dispose()
    counts = dict(rows)
    assert [k for k in acknowledged if counts.get(k) != 1] == []
