"""The offer after repeated misses, as a learner sees it on the page and over the API."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from helpers import answer, new_learner

LESSON = "mini"


def missed_twice(client: TestClient) -> BeautifulSoup:
    """Miss the first question of the step page, then its check; the page after."""
    client.get("/")
    html = client.get(f"/lessons/{LESSON}/steps/1").text
    for _ in range(2):
        soup = BeautifulSoup(html, "html.parser")
        form = soup.select_one("form.answer")
        fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
        response = client.post(
            f"/lessons/{LESSON}/answer", data={**fields, "option_id": "not_sure"}
        )
        assert response.status_code == 200
        html = response.text
    return BeautifulSoup(html, "html.parser")


def test_an_offer_without_a_step_back_does_not_mention_one(client: TestClient):
    soup = missed_twice(client)
    offer = soup.select_one(".offer")
    assert offer is not None
    heading = " ".join(offer.h2.get_text().split())
    message = " ".join(offer.p.get_text().split())
    buttons = [b.get_text().strip() for b in offer.select("form.choices button")]
    assert buttons == ["Show me another angle", "Go on for now"]
    assert "step back" not in message
    assert heading and not message.lower().startswith(heading.lower())
    assert "another angle" in message and "go on for now" in message


def test_offers_vary_and_name_a_step_back_only_when_there_is_one(client: TestClient):
    headers = new_learner(client)
    offers = []
    for _ in range(40):
        nxt = answer(client, headers, LESSON, "not_quite")["next"]
        if nxt["done"]:
            break
        if nxt["offer"]:
            offers.append(nxt["offer"])
            client.post(f"/api/lessons/{LESSON}/choices", headers=headers, json={"choice": "go_on"})
    assert len(offers) >= 3
    assert len({(o["heading"], o["message"]) for o in offers}) == len(offers)
    for offer in offers:
        step_back = "revisit" in [c["id"] for c in offer["choices"]]
        assert ("step back" in offer["message"]) == step_back
        assert not offer["message"].startswith(offer["heading"])
    assert any("revisit" in [c["id"] for c in o["choices"]] for o in offers)
