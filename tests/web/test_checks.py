"""Real checks: after a miss, never an item whose answer the learner has just been shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import answer_body, go_on_from_example, new_learner, rendered

from tutor.lessons.kinds import KINDS

LESSONS = Path(__file__).resolve().parents[2] / "lessons"


@pytest.fixture
def lessons_dir() -> Path:
    return LESSONS


@pytest.mark.parametrize("lesson_id", ["how-a-network-learns", "loss-functions"])
def test_a_check_never_asks_for_an_answer_already_revealed(client: TestClient, lesson_id):
    headers = new_learner(client)
    revealed: set[tuple[str, str]] = set()
    checks = 0
    for _ in range(400):
        nxt = client.get(f"/api/lessons/{lesson_id}/next", headers=headers).json()
        if nxt["done"]:
            break
        if nxt["question"]["kind"] == "example":
            go_on_from_example(client, headers, lesson_id, nxt)
            continue
        shown = rendered(client, lesson_id, nxt)
        item = (shown.id, KINDS[shown.kind].right_answer(shown))
        if nxt["question"]["role"] == "check":
            checks += 1
            assert item not in revealed, f"{item} was shown before this check"
        client.post(
            f"/api/lessons/{lesson_id}/answers",
            headers=headers,
            json=answer_body(client, lesson_id, nxt, "not_quite"),
        ).json()
        revealed.add(item)  # a miss shows the feedback, and the right answer with it
    else:
        raise AssertionError("the lesson never ended")
    assert checks > 10
