"""Nothing served before an answer tells the right option apart: not its id, its place, or
anything in the page around it."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from helpers import new_learner, rendered

from tutor.config import Settings

LESSON = "mini"
QUESTION = "what-loss-does"  # the first item: every new learner is asked it first


@pytest.fixture
def settings(db_url: str, lessons_dir) -> Settings:
    """Hundreds of learners from one test client: no per-address limit on new learners."""
    return Settings(
        database_url=db_url,
        lessons_dir=lessons_dir,
        secret_key="test-secret",
        learners_per_minute=0,
    )


def first_items(client: TestClient, learners: int):
    """(served options, the rendered question) of the first item of ``learners`` learners."""
    out = []
    for _ in range(learners):
        headers = new_learner(client)
        nxt = client.get(f"/api/lessons/{LESSON}/next", headers=headers).json()
        assert nxt["question"]["id"] == QUESTION
        options = [o for o in nxt["question"]["options"] if o["id"] != "not_sure"]
        out.append((options, rendered(client, LESSON, nxt), headers, nxt))
    return out


def right_place(options, question) -> int:
    right = next(o.text for o in question.options if o.grade == "exactly")
    return next(i for i, o in enumerate(options) if o["text"] == right)


def test_the_right_option_is_served_anywhere_alike(client: TestClient):
    served = first_items(client, 150)
    places = Counter(right_place(options, question) for options, question, *_ in served)
    count = len(served[0][0])
    # Uniform over the places: each within a generous band of 150 / count.
    assert set(places) == set(range(count))
    assert all(abs(n - 150 / count) < 0.4 * 150 / count for n in places.values()), places


def test_picking_by_place_or_by_id_scores_what_chance_does(client: TestClient):
    served = first_items(client, 150)
    count = len(served[0][0])
    by_place = by_id = by_digest = 0
    for options, question, _headers, _nxt in served:
        right = right_place(options, question)
        by_place += right == 0
        by_id += min(range(count), key=lambda i: options[i]["id"]) == right
        digest = [hashlib.blake2s(o["id"].encode()).hexdigest() for o in options]
        by_digest += min(range(count), key=lambda i: digest[i]) == right
    for picked in (by_place, by_id, by_digest):
        assert abs(picked / 150 - 1 / count) < 0.12, (by_place, by_id, by_digest)


def test_a_reload_shows_the_same_options_in_the_same_order(client: TestClient):
    headers = new_learner(client)
    first = client.get(f"/api/lessons/{LESSON}/next", headers=headers).json()
    again = client.get(f"/api/lessons/{LESSON}/next", headers=headers).json()
    assert first["question"]["options"] == again["question"]["options"]


def test_the_page_marks_every_option_alike(client: TestClient):
    html = client.get(f"/lessons/{LESSON}/steps/1").text
    soup = BeautifulSoup(html, "html.parser")
    # "I'm not sure" is marked as what it is; the options proper must look alike.
    labels = soup.select("form.answer label.option:not(.not-sure)")
    assert len(labels) >= 3
    shapes = set()
    for label in labels:
        radio = label.select_one("input")
        attributes = {k: v for k, v in radio.attrs.items() if k != "value"}
        shapes.add((tuple(label.get("class", [])), tuple(sorted(attributes.items()))))
    assert len(shapes) == 1, shapes  # only the value differs, and it is a keyed id
    assert "exactly" not in html.split('id="question"')[1].split("</form>")[0]


def test_an_id_from_another_learner_is_no_option_of_yours(client: TestClient):
    (ann_options, _, ann, nxt), (_, _, bob, bob_next) = first_items(client, 2)
    body = {
        "question_id": QUESTION,
        "variant": bob_next["variant"],
        "option_id": ann_options[0]["id"],
    }
    response = client.post(f"/api/lessons/{LESSON}/answers", headers=bob, json=body)
    assert response.status_code == 422
    assert "is not an option of this question" in response.json()["detail"]
