"""An explanation is shown only to a learner who has earned it."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_an_explanation_cannot_be_read_before_answering(client: TestClient):
    client.get("/")
    page = client.get("/lessons/mini/steps/1?shown=analogy").text
    assert "Another way to see it" not in page
    assert "Like a darts score." not in page
