"""Safety: injected markup stays inert, learners stay apart, forms and cookies are guarded."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from helpers import answer, new_learner, switch_topic

DATA = Path(__file__).parents[1] / "data"
PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def lessons_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "lessons"
    folder.mkdir()
    source = (DATA / "mini.yaml").read_text()
    source = source.replace(
        "spam: {label: Spam filter, thing: an email, positive: spam}",
        f"spam: {{label: Spam filter, thing: '{PAYLOAD}', positive: spam}}",
    )
    source = source.replace("bridge: Now the order.", f"bridge: 'Now the order. {PAYLOAD}'")
    source = source.replace(
        "intro: Squares, then the mean.",
        "intro: 'Squares [a link](javascript:alert(1)) then the mean.'",
    )
    (folder / "mini.yaml").write_text(source)
    return folder


def no_live_markup(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    assert not [s for s in soup.find_all("script") if not s.get("src")], "inline script"
    assert soup.find("img", onerror=True) is None
    assert not soup.select('a[href^="javascript:"]')


def test_markup_in_lesson_text_and_topic_words_is_shown_as_text(client: TestClient):
    client.get("/")
    soup = BeautifulSoup(client.get("/lessons/mini/steps/1").text, "html.parser")
    csrf = soup.select_one("input[name=csrf]")["value"]
    assert switch_topic(client, "mini", {"topic": "spam", "csrf": csrf}).status_code == 303
    html = client.get("/lessons/mini/steps/1").text
    no_live_markup(html)
    assert "&lt;script&gt;" in html
    no_live_markup(client.get("/lessons/mini/steps/2").text)
    step = client.get("/api/lessons/mini/steps/1?topic=spam").json()
    assert PAYLOAD in step["intro"]  # JSON carries the text as text, for clients to escape


def test_markup_in_learner_input_is_inert(client: TestClient):
    client.get("/")
    soup = BeautifulSoup(client.get("/lessons/mini/steps/1").text, "html.parser")
    fields = {i["name"]: i.get("value", "") for i in soup.select("form.answer input[type=hidden]")}
    response = client.post("/lessons/mini/answer", data={**fields, "option_id": PAYLOAD[:60]})
    assert response.status_code == 422
    no_live_markup(response.text)
    headers = new_learner(client)
    nxt = client.get("/api/lessons/mini/next", headers=headers).json()
    bad = client.post(
        "/api/lessons/mini/answers",
        headers=headers,
        json={
            "question_id": nxt["question"]["id"],
            "variant": nxt["variant"],
            "option_id": PAYLOAD[:60],
        },
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/json"


def test_one_learner_cannot_read_or_change_another(client: TestClient):
    alice, bob = new_learner(client), new_learner(client)
    result = answer(client, alice, "mini", "not_quite")
    alice_next = client.get("/api/lessons/mini/next", headers=alice).json()
    assert (
        client.get("/api/lessons/mini/next", headers=bob).json()["question"]["id"]
        == "what-loss-does"
    )
    # Bob cannot answer Alice's item, choose for her, or change her topic.
    body = {
        "question_id": alice_next["question"]["id"],
        "variant": alice_next["variant"],
        "option_id": "not_sure",
    }
    assert client.post("/api/lessons/mini/answers", headers=bob, json=body).status_code == 409
    assert (
        client.post("/api/lessons/mini/choices", headers=bob, json={"choice": "go_on"}).status_code
        == 409
    )
    assert client.get("/api/lessons/mini/next", headers=alice).json() == alice_next
    progress = client.get("/api/learners/me/progress", headers=bob).json()
    assert progress["lessons"][0]["started"] is False
    assert result["next"] == alice_next
    # A browser learner cannot see an API learner's feedback by guessing an attempt id.
    client.get("/")
    page = client.get("/lessons/mini/steps/1?after=1")
    assert page.status_code == 200 and 'id="feedback"' not in page.text


def test_a_tampered_learner_cookie_is_a_new_learner(client: TestClient):
    client.get("/")
    cookie = client.cookies.get("tutor_learner")
    client.cookies.set("tutor_learner", cookie[:-2] + ("AA" if cookie[-2:] != "AA" else "BB"))
    response = client.get("/")
    assert "tutor_learner=" in response.headers.get("set-cookie", "")


def test_responses_carry_security_headers(client: TestClient):
    for url in ("/", "/lessons/mini/steps/1", "/api/lessons", "/api/lessons/nope", "/docs"):
        headers = client.get(url).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
