"""An explanation from another angle speaks of the numbers of the question it explains:
after a miss, the question just answered; from an offer, the question on screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from helpers import answer, new_learner, page_learner, rendered

from tutor.app import create_app
from tutor.teaching.items import item_key

LESSON = "angles"


@pytest.fixture
def lessons_dir() -> Path:
    return Path(__file__).parents[1] / "data" / "angles"


def numbers_in(text: str) -> set[str]:
    return set(re.findall(r"\d+", text))


def missed_until_offered(client: TestClient, headers: dict) -> dict:
    """Miss the current item until the tutor offers a way on; the `next` with the offer."""
    for _ in range(6):
        nxt = answer(client, headers, LESSON, "not_quite")["next"]
        if nxt["offer"]:
            return nxt
    raise AssertionError("no offer after six misses")


def check_on_screen_with_an_offer(client: TestClient) -> tuple[dict, dict]:
    """A learner who missed `weighted` and then its check, with the check on screen again
    (new numbers are drawn at random: a few learners may be needed); headers and reply."""
    for _ in range(20):
        headers = new_learner(client)
        first = client.get(f"/api/lessons/{LESSON}/next", headers=headers).json()
        assert first["question"]["id"] == "weighted"
        body = {"question_id": "weighted", "variant": first["variant"], "value": "1000"}
        reply = client.post(f"/api/lessons/{LESSON}/answers", headers=headers, json=body)
        assert reply.json()["next"]["question"]["id"] == "zero-features"
        missed = answer(client, headers, LESSON, "not_quite")
        if missed["next"]["question"]["id"] == "zero-features" and missed["next"]["offer"]:
            return headers, missed
    raise AssertionError("the check never came back on screen")


def test_a_borrowed_explanation_quotes_no_numbers_of_another_question(client: TestClient):
    headers, missed = check_on_screen_with_an_offer(client)
    # The check has no explanations of its own: the borrowed one says no numbers of the
    # question it was written for, neither after the miss nor from the offer.
    assert missed["another_way"] is not None
    assert missed["another_way"]["angle"] == "analogy"
    chosen = client.post(
        f"/api/lessons/{LESSON}/choices", headers=headers, json={"choice": "another_angle"}
    ).json()
    way = chosen["another_way"]
    assert way is not None and "With your numbers" not in way["text"]
    assert way["angle"] == "analogy"


def test_from_an_offer_the_explanation_uses_the_numbers_on_screen(client: TestClient):
    headers = new_learner(client)
    answer(client, headers, LESSON, "exactly")  # step 1 done: the next step's question
    nxt = client.get(f"/api/lessons/{LESSON}/next", headers=headers).json()
    assert nxt["question"]["id"] == "double"
    nxt = missed_until_offered(client, headers)
    assert nxt["question"]["id"] == "double"  # a check with new numbers, on screen
    shown = numbers_in(nxt["question"]["prompt"])
    chosen = client.post(
        f"/api/lessons/{LESSON}/choices", headers=headers, json={"choice": "another_angle"}
    ).json()
    way = chosen["another_way"]
    assert way is not None
    assert numbers_in(way["text"]) <= shown | {"2"}  # "2a = a + a", or the a on screen
    again = client.post(
        f"/api/lessons/{LESSON}/choices", headers=headers, json={"choice": "another_angle"}
    )
    assert again.status_code == 409  # the offer was taken up


def test_the_page_shows_the_numbers_on_screen_and_counts_the_item_as_seen(client: TestClient, app):
    client.get("/")
    tutor = app.state.tutor
    learner = page_learner("test-secret", client.cookies.get("tutor_learner"))
    # Step 1 right, then miss step 2's question until the tutor offers a way on.
    for _ in range(8):
        current = tutor.current(learner, LESSON)
        if current.question.id == "double" and current.state.offer:
            break
        html = client.get(f"/lessons/{LESSON}/steps/{current.step.n}").text
        soup = BeautifulSoup(html, "html.parser")
        fields = {
            i["name"]: i.get("value", "") for i in soup.select("form.answer input[type=hidden]")
        }
        nxt = {
            "question": {"id": fields["question_id"]},
            "variant": int(fields["variant"]),
            "topic": current.topic,
        }
        question = rendered(client, LESSON, nxt)
        if question.id == "double":
            value = "1"  # a miss
        elif question.kind == "numeric":
            value = str(question.answer)
        else:
            value = None
        data = {**fields, "value": value} if value else {**fields, "option_id": "not_sure"}
        client.post(f"/lessons/{LESSON}/answer", data=data)
    current = tutor.current(learner, LESSON)
    assert current.question.id == "double" and current.state.offer
    html = client.get(f"/lessons/{LESSON}/steps/2").text
    soup = BeautifulSoup(html, "html.parser")
    csrf = soup.select_one("input[name=csrf]")["value"]
    prompt = " ".join(soup.select_one("form.answer .prompt").get_text().split())
    response = client.post(
        f"/lessons/{LESSON}/choice", data={"csrf": csrf, "choice": "another_angle"}
    )
    soup = BeautifulSoup(response.text, "html.parser")
    way = " ".join(soup.select_one("#question .another-way").get_text().split())
    assert numbers_in(way) <= numbers_in(prompt) | {"2"}
    # Its answer may now be worked out from the explanation: not full evidence any more.
    state = tutor.current(learner, LESSON).state
    loaded = tutor.lesson(LESSON)
    assert item_key(loaded, state.item.question, state.item.variant) in state.seen


def test_without_an_explanation_that_fits_the_screen_none_is_offered(settings, tmp_path: Path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    source = (Path(__file__).parents[1] / "data" / "angles" / "angles.yaml").read_text()
    # Every explanation of `weighted` now quotes its numbers: none fits its check.
    source = source.replace(
        'text: "Like a bill: quantities times prices, all added up."',
        'text: "Like a bill: {{ case.x | nums }} of each, at {{ case.w | nums }}."',
    )
    (folder / "angles.yaml").write_text(source)
    app = create_app(settings.model_copy(update={"lessons_dir": folder}))
    with TestClient(app) as client:
        headers, missed = check_on_screen_with_an_offer(client)
        assert missed["another_way"] is None
        offer = missed["next"]["offer"]
        assert [c["id"] for c in offer["choices"]] == ["go_on"]
        assert "another angle" not in offer["message"]
        refused = client.post(
            f"/api/lessons/{LESSON}/choices", headers=headers, json={"choice": "another_angle"}
        )
        assert refused.status_code == 409
        # A choice not offered is named as sent, beside those that are.
        refused = client.post(
            f"/api/lessons/{LESSON}/choices", headers=headers, json={"choice": "revisit"}
        )
        assert refused.status_code == 409
        assert refused.json()["detail"] == (
            "choice: 'revisit' is not one of the choices offered (go_on)"
        )
