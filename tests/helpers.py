"""Small helpers shared by the tests: make a learner, find an option by its grade, answer."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi.testclient import TestClient

from tutor.config import Settings
from tutor.lessons.variants import render_question

CHROMIUM = Path(os.environ.get("TUTOR_CHROMIUM", "/usr/bin/chromium"))
"""Debian's Chromium, which the browser tests drive (Playwright's own is never installed)."""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def new_learner(client: TestClient) -> dict[str, str]:
    """Headers for a fresh API learner."""
    response = client.post("/api/learners")
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def new_learner_id(client: TestClient) -> str:
    """The id of a fresh API learner, for calling the service directly."""
    headers = new_learner(client)
    return client.app.state.tutor.learner_for_token(headers["Authorization"].split()[1])


def past_examples(
    client: TestClient, headers: dict[str, str], lesson_id: str, nxt: dict[str, Any]
) -> dict[str, Any]:
    """The first item after any worked examples on screen: each is studied, then gone on from
    (a worked example is not answered)."""
    while not nxt["done"] and nxt["question"]["kind"] == "example":
        body = {"question_id": nxt["question"]["id"], "variant": nxt["variant"]}
        went = client.post(f"/api/lessons/{lesson_id}/continue", headers=headers, json=body)
        assert went.status_code == 200, went.text
        nxt = went.json()["next"]
    return nxt


def rendered(client: TestClient, lesson_id: str, nxt: dict[str, Any]):
    """The current item of a `next` payload, rendered with its grades (test-only knowledge):
    a question, or the part of a multi-step problem the ladder is at."""
    from tutor.teaching.items import substeps

    lesson = client.app.state.tutor.lesson(lesson_id)
    ladder = nxt.get("ladder")
    if ladder and nxt["question"]["id"] not in lesson.entries:
        parts = substeps(lesson, ladder["question_id"], nxt["variant"], nxt["topic"])
        return parts[ladder["step"] - 1]
    entry = lesson.entries[nxt["question"]["id"]]
    return render_question(
        lesson.lesson, entry.question, skill=entry.skill, seed=nxt["variant"], topic=nxt["topic"]
    )


def served_option(secret: str, learner_id: str, question, grade: str) -> str:
    """The id ``learner_id`` is served for an option of ``question`` graded ``grade``: ids are
    keyed with the server's secret, which a test knows and a client does not."""
    from tutor.app import option_key
    from tutor.lessons.kinds import Seat

    index = next(o.index for o in question.options if o.grade == grade)
    return Seat(option_key(secret), learner_id).option_id(question.id, question.seed, index)


def page_learner(secret: str, cookie: str | None) -> str:
    """The learner a page's signed cookie stands for."""
    from tutor.web.security import Signer

    learner = Signer(secret).learner_from(cookie)
    assert learner is not None, "no learner cookie yet"
    return learner


def option_with_grade(client: TestClient, lesson_id: str, nxt: dict[str, Any], grade: str) -> str:
    """The id, as served in ``nxt``, of an option graded ``grade`` (found by its text: the
    ids are the learner's own, keyed with the server's secret)."""
    question = rendered(client, lesson_id, nxt)
    text = next(o.text for o in question.options if o.grade == grade)
    return next(o["id"] for o in nxt["question"]["options"] if o["text"] == text)


def answer_body(client: TestClient, lesson_id: str, nxt: dict[str, Any], grade: str) -> dict:
    """An answer to the current item that earns ``grade`` (choice or numeric)."""
    q = nxt["question"]
    body: dict[str, Any] = {"question_id": q["id"], "variant": nxt["variant"]}
    if grade == "not_sure":
        body["option_id"] = "not_sure"
    elif q["kind"] == "choice":
        body["option_id"] = option_with_grade(client, lesson_id, nxt, grade)
    else:
        question = rendered(client, lesson_id, nxt)
        if grade == "exactly":
            body["value"] = question.answer
        else:
            body["value"] = question.answer + 1000.0  # matches no known mistake
    return body


def answer(client: TestClient, headers: dict, lesson_id: str, grade: str) -> dict:
    """Fetch the current item and answer it with ``grade``; returns the answer payload. A
    worked example on screen is not answered but studied: the learner goes on from it and
    answers what follows."""
    nxt = client.get(f"/api/lessons/{lesson_id}/next", headers=headers).json()
    nxt = past_examples(client, headers, lesson_id, nxt)
    response = client.post(
        f"/api/lessons/{lesson_id}/answers",
        headers=headers,
        json=answer_body(client, lesson_id, nxt, grade),
    )
    assert response.status_code == 200, response.text
    return response.json()


def editable_lessons(tmp_path: Path) -> Path:
    """A lessons folder of the test lesson that a test may edit, reload and break."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    shutil.copy(Path(__file__).parent / "data" / "mini.yaml", folder / "mini.yaml")
    return folder


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(app) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread on a free port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def switch_topic(client: TestClient, lesson_id: str, data: dict[str, str]):
    """Send a topic form as a browser without JavaScript does, and confirm the switch on the
    page that asks first, when it asks; the last response, not followed."""
    from bs4 import BeautifulSoup

    url = f"/lessons/{lesson_id}/topic"
    response = client.post(url, data=data, follow_redirects=False)
    if response.status_code == 200:
        form = BeautifulSoup(response.text, "html.parser").select_one("form.confirm-switch")
        assert form is not None, "a topic form answered with a page that does not ask"
        fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
        response = client.post(url, data=fields, follow_redirects=False)
    return response


def file_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for an app of its own: a SQLite file in ``tmp_path``, the test lesson, no
    watching of the lessons folder; ``overrides`` on top."""
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'tutor.db'}",
        lessons_dir=Path(__file__).parent / "data",
        secret_key="s",
        watch_lessons=False,
        **overrides,
    )
