"""Going through a finished lesson again, from the learner's pages."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from test_pages import answer_with, page


def test_the_finished_lesson_offers_to_start_again(client: TestClient):
    soup = page(client, "/lessons/mini/steps/1")
    for _ in range(2):
        soup = answer_with(client, soup, "exactly")
    soup = answer_with(client, page(client, "/lessons/mini/steps/2"), "exactly")
    form = soup.select_one("form.restart")
    assert form is not None and form.button.get_text() == "Go through it again"
    csrf = form.select_one("input[name=csrf]")["value"]
    response = client.post("/lessons/mini/restart", data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/lessons/mini/steps/1"
    again = BeautifulSoup(client.get("/lessons/mini/steps/1").text, "html.parser")
    assert again.select_one("form.answer input[name=question_id]")["value"] == "what-loss-does"
    assert client.post("/lessons/mini/restart", data={"csrf": "forged"}).status_code == 403
