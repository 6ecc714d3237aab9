"""A browser learner exists only as a cookie until their first write: whatever that first
write is (an answer, going on from a worked example, a hint), it is kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

LESSON = "backpropagation"  # its first problem opens as a worked example for a new learner


@pytest.fixture
def lessons_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "lessons"


def test_a_new_learner_can_go_on_from_a_worked_example_first(client: TestClient):
    page = BeautifulSoup(client.get(f"/lessons/{LESSON}/steps/1").text, "html.parser")
    form = page.select_one("form.continue-example")
    assert form is not None, "the lesson's first item is a worked example"
    fields = {i["name"]: i.get("value", "") for i in form.select("input")}
    sent = client.post(form["action"], data=fields, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    after = BeautifulSoup(client.get(sent.headers["location"]).text, "html.parser")
    assert after.select_one("form.answer") is not None  # now a part to do
    assert after.select_one("form.continue-example") is None
