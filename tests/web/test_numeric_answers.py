"""Typed numbers as a learner sees them graded: right to the last decimal, a near miss told
apart from a wild guess, and a miss that says what to try."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from helpers import new_learner

LESSON = "sums"


@pytest.fixture
def lessons_dir() -> Path:
    return Path(__file__).parents[1] / "data" / "numeric"


def typed(client: TestClient, value: str) -> BeautifulSoup:
    """Type ``value`` into the first question of the step page; the page after it."""
    client.get("/")
    soup = BeautifulSoup(client.get(f"/lessons/{LESSON}/steps/1").text, "html.parser")
    form = soup.select_one("form.answer")
    fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    response = client.post(f"/lessons/{LESSON}/answer", data={**fields, "value": value})
    assert response.status_code == 200, response.text  # after the redirect
    return BeautifulSoup(response.text, "html.parser")


def seen(soup: BeautifulSoup, selector: str) -> str:
    node = soup.select_one(selector)
    assert node is not None, selector
    return " ".join(node.get_text(" ").split())


@pytest.mark.parametrize("value", ["1.11", "1.09", "1,1"])
def test_a_number_at_the_edge_of_the_tolerance_is_exactly(client: TestClient, value: str):
    soup = typed(client, value)
    assert seen(soup, "#feedback .grade-word") == "✓ Exactly"
    assert "It is 1.1." in seen(soup, "#feedback")


def test_a_near_miss_is_close_with_its_own_feedback(client: TestClient):
    soup = typed(client, "1.13")
    assert seen(soup, "#feedback .grade-word") == "≈ Close"
    feedback = seen(soup, "#feedback .feedback-text")
    assert feedback.startswith("Nearly: you are within a few percent")
    assert "engine" not in seen(soup, "#feedback")


def test_a_wild_guess_is_not_quite_and_says_what_to_try(client: TestClient):
    soup = typed(client, "7")
    assert seen(soup, "#feedback .grade-word").endswith("Not quite")
    feedback = seen(soup, "#feedback .feedback-text")
    assert feedback.startswith("That is not it yet. Write out the working with each number")
    # Said of any question: no operation it may not have (a square, a division).
    assert "square" not in feedback and "division" not in feedback
    assert "engine" not in feedback and "mistake we know" not in feedback


def test_a_typed_minus_is_shown_back_as_the_texts_write_it(client: TestClient):
    soup = typed(client, "-1.1")
    # The hyphen typed is read as a minus, and said back with the minus sign of the texts.
    assert seen(soup, "#feedback .said") == "You said: \u22121.1"


def test_the_api_refuses_a_number_whose_comma_could_mean_either(client: TestClient):
    headers = new_learner(client)
    nxt = client.get(f"/api/lessons/{LESSON}/next", headers=headers).json()
    body = {"question_id": nxt["question"]["id"], "variant": nxt["variant"]}
    for value, status in (("1,000", 422), ("12,500", 422), ("1,5", 200)):
        reply = client.post(
            f"/api/lessons/{LESSON}/answers", headers=headers, json=body | {"value": value}
        )
        assert reply.status_code == status, reply.text
        if status == 422:
            assert "could be a number with a thousands separator" in reply.text
    assert reply.json()["said"] == "1.5"  # a lone comma with one decimal is a decimal comma


def test_json_nan_as_an_answer_is_named_as_sent(client: TestClient):
    headers = new_learner(client) | {"content-type": "application/json"}
    nxt = client.get(f"/api/lessons/{LESSON}/next", headers=headers).json()
    body = f'{{"question_id": "{nxt["question"]["id"]}", "variant": {nxt["variant"]}, '
    response = client.post(
        f"/api/lessons/{LESSON}/answers", headers=headers, content=body + '"value": NaN}'
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == "value: NaN is not a number"  # not 'nan'


def test_the_api_grades_a_json_number_in_decimal_terms(client: TestClient):
    headers = new_learner(client)
    nxt = client.get(f"/api/lessons/{LESSON}/next", headers=headers).json()
    body = {"question_id": nxt["question"]["id"], "variant": nxt["variant"]}
    reply = client.post(
        f"/api/lessons/{LESSON}/answers", headers=headers, json=body | {"value": 1.11}
    )
    assert reply.status_code == 200, reply.text
    assert (reply.json()["grade"], reply.json()["said"]) == ("exactly", "1.11")


def test_the_api_tells_a_near_miss_from_a_sign_slip(client: TestClient):
    first, second = new_learner(client), new_learner(client)
    replies = []
    for headers, value in ((first, "1.14"), (second, "-1.1")):
        nxt = client.get(f"/api/lessons/{LESSON}/next", headers=headers).json()
        body = {"question_id": nxt["question"]["id"], "variant": nxt["variant"], "value": value}
        reply = client.post(f"/api/lessons/{LESSON}/answers", headers=headers, json=body)
        assert reply.status_code == 200, reply.text
        replies.append(reply.json())
    near, sign = replies
    assert near["grade"] == "close" and near["feedback"].startswith("Nearly:")
    assert sign["grade"] == "not_quite" and sign["said"] == "\u22121.1"
    assert sign["feedback"].startswith("The size is right but the sign is not.")
