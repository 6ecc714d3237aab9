"""Real checks: after a miss, never an item whose answer the learner has just been shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import answer_body, new_learner, past_examples, rendered

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
        nxt = past_examples(client, headers, lesson_id, nxt)
        if nxt["done"]:
            break
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


def test_a_practice_run_goes_on_with_its_own_items_after_a_worked_example(client: TestClient):
    """Studying a run's worked example once led to a question of the lesson's main one
    (another skill), beyond the items the run had promised."""
    lesson_id = "how-a-network-learns"
    lesson = client.app.state.tutor.lesson(lesson_id)
    headers = new_learner(client)
    started = client.post(
        f"/api/lessons/{lesson_id}/practice", headers=headers, json={"skill": "weighted-sum"}
    ).json()
    nxt, shown = started["next"], []
    while not nxt["done"] and nxt["question"]["role"] == "practice":
        question = nxt["question"]
        shown.append(question["id"])
        item = {"question_id": question["id"], "variant": nxt["variant"]}
        if question["kind"] == "example":
            went = client.post(f"/api/lessons/{lesson_id}/continue", headers=headers, json=item)
            nxt = went.json()["next"]
            continue
        body = answer_body(client, lesson_id, nxt, "exactly")
        nxt = client.post(f"/api/lessons/{lesson_id}/answers", headers=headers, json=body).json()
        nxt = nxt["next"]
    assert shown[0].endswith(".worked")  # the problem begins as a worked example
    assert len(shown) == started["items"]
    skills = {lesson.entries[q.removesuffix(".worked")].skill for q in shown}
    assert skills == {"weighted-sum"}


def test_a_review_missed_gets_another_angle_and_one_fresh_check(client: TestClient):
    """A miss in a step's review used to move straight on, unexplained and unchecked."""
    lesson_id = "how-a-network-learns"
    headers = new_learner(client)
    review = to_check = check = after = None
    for _ in range(200):  # everything missed: the step's review, then the check after it
        nxt = client.get(f"/api/lessons/{lesson_id}/next", headers=headers).json()
        nxt = past_examples(client, headers, lesson_id, nxt)
        reply = client.post(
            f"/api/lessons/{lesson_id}/answers",
            headers=headers,
            json=answer_body(client, lesson_id, nxt, "not_quite"),
        ).json()
        role = nxt["question"]["role"]
        if review is None and role == "review":
            review = nxt
        if review is not None and role == "check":
            check, after = nxt, reply
            break
        if review is not None:  # the review, or a part of it when it is taken in steps
            to_check = reply
    else:
        raise AssertionError("no review, or no check after it")
    assert to_check["next"]["question"]["role"] == "check"
    assert to_check["another_way"] is not None and to_check["another_way"]["text"]
    assert to_check["message"] in (
        "Let's check the same idea with another question.",
        "Let's check that with new numbers.",
    )
    assert (check["question"]["id"], check["variant"]) != (
        review["question"]["id"],
        review["variant"],
    )
    # The check missed too: on with the lesson, saying so truthfully, and no bridge out of a
    # main question that was not the one just asked.
    assert after["message"].startswith("Let's move on for now. This idea still looks shaky")
    assert after["bridge"] is None and after["next"]["question"]["role"] != "check"
