"""Answers racing each other: a live server, several threads, on each database.

Two different answers to the same item at once advance the learner once; parallel
retries of one answer (the same idempotency key) all get the first result, and it
is recorded once.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from helpers import answer_body, live_server
from sqlalchemy import func, select

from tutor.app import create_app
from tutor.store.tables import Attempt


@pytest.fixture
def live(settings):
    app = create_app(settings)
    with live_server(app) as url:
        yield app, url


def attempts(app) -> int:
    with app.state.tutor.db.reading() as session:
        return session.scalar(select(func.count()).select_from(Attempt))


def race(url: str, bodies: list[dict], headers: dict) -> list[httpx.Response]:
    barrier = threading.Barrier(len(bodies))

    def post(body: dict) -> httpx.Response:
        with httpx.Client(timeout=20) as http:
            barrier.wait()
            return http.post(f"{url}/api/lessons/mini/answers", json=body, headers=headers)

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(post, bodies))


def learner(url: str) -> dict:
    token = httpx.post(f"{url}/api/learners").json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_simultaneous_answers_advance_the_learner_once(live):
    app, url = live
    from fastapi.testclient import TestClient

    client = TestClient(app)
    for _ in range(2):  # the first answer of a lesson, then one with a position to move
        headers = learner(url)
        if _:
            httpx.post(
                f"{url}/api/lessons/mini/answers",
                headers=headers,
                json=answer_body(
                    client,
                    "mini",
                    httpx.get(f"{url}/api/lessons/mini/next", headers=headers).json(),
                    "exactly",
                ),
            )
        before = attempts(app)
        nxt = httpx.get(f"{url}/api/lessons/mini/next", headers=headers).json()
        bodies = [
            answer_body(client, "mini", nxt, grade)
            for grade in ("exactly", "not_quite", "close", "not_sure")
        ]
        replies = race(url, bodies, headers)
        codes = sorted(r.status_code for r in replies)
        assert codes.count(200) == 1 and set(codes) <= {200, 409}, codes
        assert attempts(app) == before + 1


def test_parallel_retries_all_get_the_first_result(live):
    app, url = live
    from fastapi.testclient import TestClient

    client = TestClient(app)
    headers = learner(url)
    first = httpx.get(f"{url}/api/lessons/mini/next", headers=headers).json()
    httpx.post(
        f"{url}/api/lessons/mini/answers",
        headers=headers,
        json=answer_body(client, "mini", first, "exactly"),
    )
    nxt = httpx.get(f"{url}/api/lessons/mini/next", headers=headers).json()
    body = {**answer_body(client, "mini", nxt, "not_quite"), "idempotency_key": "retry-1"}
    before = attempts(app)
    replies = race(url, [body] * 6, headers)
    assert [r.status_code for r in replies] == [200] * 6
    assert len({r.text for r in replies}) == 1
    assert attempts(app) == before + 1
