"""Per-client rate limits: new learners (API and browser) and failed authentication get 429
with Retry-After past the limit, the limits are settings, and 0 turns them off."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from helpers import file_settings

from tutor.app import create_app


def app_with(tmp_path: Path, **limits: int):
    settings = file_settings(tmp_path, instructor_token="the-instructor-token", **limits)
    return create_app(settings)


def test_new_learners_past_the_limit_get_429_with_retry_after(tmp_path: Path):
    with TestClient(app_with(tmp_path, learners_per_minute=5)) as client:
        made = [client.post("/api/learners").status_code for _ in range(5)]
        assert made == [201] * 5
        refused = client.post("/api/learners")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 12
        assert "too many new learners from this address" in refused.json()["detail"]


def test_no_limit_when_it_is_0(tmp_path: Path):
    with TestClient(app_with(tmp_path, learners_per_minute=0)) as client:
        assert {client.post("/api/learners").status_code for _ in range(150)} == {201}


def test_guessing_bearer_tokens_is_slowed_down(tmp_path: Path):
    with TestClient(app_with(tmp_path, auth_failures_per_minute=3)) as client:
        good = {"Authorization": f"Bearer {client.post('/api/learners').json()['token']}"}
        guesses = [
            client.get("/api/learners/me/progress", headers={"Authorization": f"Bearer g{i}"})
            for i in range(4)
        ]
        assert [g.status_code for g in guesses] == [401, 401, 401, 429]
        assert int(guesses[-1].headers["Retry-After"]) >= 1
        assert "failed sign-ins" in guesses[-1].json()["detail"]
        # Still blocked, even with a real (never seen) token: guesses cannot be confirmed.
        assert client.get("/api/learners/me/progress", headers=good).status_code == 429


@pytest.mark.parametrize("how", ["bearer", "sign-in link", "sign-in form"])
def test_guessing_the_instructor_token_is_slowed_down(tmp_path: Path, how: str):
    with TestClient(app_with(tmp_path, auth_failures_per_minute=2)) as client:

        def attempt(token: str):
            if how == "bearer":
                headers = {"Authorization": f"Bearer {token}"}
                return client.get("/api/instructor/lessons", headers=headers)
            if how == "sign-in link":
                return client.get(f"/instructor/sign-in?token={token}", follow_redirects=False)
            return client.post("/instructor/sign-in", data={"token": token}, follow_redirects=False)

        assert [attempt("wrong").status_code for _ in range(2)] == [403, 403]
        blocked = attempt("the-instructor-token")
        assert blocked.status_code == 429 and "Retry-After" in blocked.headers


def test_the_instructor_with_the_right_token_is_not_counted(tmp_path: Path):
    with TestClient(app_with(tmp_path, auth_failures_per_minute=1)) as client:
        headers = {"Authorization": "Bearer the-instructor-token"}
        codes = [client.get("/api/instructor/lessons", headers=headers) for _ in range(5)]
        assert {c.status_code for c in codes} == {200}


def first_answer(client: TestClient):
    """A visitor reads step 1 (which hands them a cookie) and sends "I'm not sure"."""
    soup = BeautifulSoup(client.get("/lessons/mini/steps/1").text, "html.parser")
    fields = {i["name"]: i["value"] for i in soup.select("form.answer input[type=hidden]")}
    data = {**fields, "option_id": "not_sure"}
    return client.post("/lessons/mini/answer", data=data, follow_redirects=False)


def test_new_browser_learners_past_the_limit_get_a_page_asking_to_wait(tmp_path: Path):
    app = app_with(tmp_path, page_learners_per_minute=2)
    with TestClient(app) as first:
        assert first_answer(first).status_code == 303
        assert first_answer(TestClient(app)).status_code == 303
        late = TestClient(app)
        refused = first_answer(late)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 30
        assert refused.headers["content-type"].startswith("text/html")
        page = BeautifulSoup(refused.text, "html.parser")
        assert page.h1.get_text() == "Please wait a moment"
        said = page.select_one("p.error").get_text()
        assert said.startswith("Lots of people have just started here from your network")
        assert f"wait about {refused.headers['Retry-After']} seconds" in said
        # Reading is not limited, and nothing was recorded: the question is still there.
        again = BeautifulSoup(late.get("/lessons/mini/steps/1").text, "html.parser")
        assert again.select_one("form.answer") is not None and not again.select("#feedback")
        assert late.get("/").status_code == 200
        # A visitor already started goes on answering: only new learners are counted.
        for _ in range(3):
            assert first_answer(first).status_code == 303
        # Another address has its own allowance.
        elsewhere = TestClient(app, client=("10.0.0.2", 50000))
        assert first_answer(elsewhere).status_code == 303


def test_no_limit_on_browser_learners_when_it_is_0(tmp_path: Path):
    app = app_with(tmp_path, page_learners_per_minute=0)
    with TestClient(app):
        assert {first_answer(TestClient(app)).status_code for _ in range(5)} == {303}


def test_a_topic_switch_counts_a_new_browser_learner_only_once_confirmed(tmp_path: Path):
    """Asking for a topic only shows the page that asks first: nothing is made, so nothing
    is counted; the confirmed switch is the visitor's first write, and counts."""
    app = app_with(tmp_path, page_learners_per_minute=1)
    with TestClient(app) as asker:
        soup = BeautifulSoup(asker.get("/lessons/mini/steps/1").text, "html.parser")
        form = soup.select_one("form.topic")
        fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
        asked = asker.post("/lessons/mini/topic", data={**fields, "topic": "spam"})
        assert asked.status_code == 200 and asked.url.path == "/lessons/mini/topic"
        # The allowance of one is still there for someone who writes.
        assert first_answer(TestClient(app)).status_code == 303
        # Now spent: the asker's confirmed switch would make a learner, and is refused.
        confirm = BeautifulSoup(asked.text, "html.parser").select_one("form.confirm-switch")
        sent = {i["name"]: i.get("value", "") for i in confirm.select("input[type=hidden]")}
        refused = asker.post("/lessons/mini/topic", data=sent, follow_redirects=False)
        assert refused.status_code == 429 and "Retry-After" in refused.headers
