"""An honest ending: finishing is not mastering, and the summary says which skills are which.

Driven through the API and the pages with the shipped lessons, as learners at the two
extremes would go through them: one who never answers right, one who always does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from helpers import answer, new_learner

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
SHIPPED = ["how-a-network-learns", "loss-functions", "backpropagation"]


@pytest.fixture
def lessons_dir() -> Path:
    return LESSONS


def go_through(client: TestClient, headers: dict, lesson_id: str, grade: str) -> list[dict]:
    """Answer every item with ``grade`` until the lesson is done; the replies in order."""
    replies = []
    for _ in range(400):
        nxt = client.get(f"/api/lessons/{lesson_id}/next", headers=headers).json()
        if nxt["done"]:
            return replies
        replies.append(answer(client, headers, lesson_id, grade))  # past worked examples
    raise AssertionError("the lesson never ended")


@pytest.mark.parametrize("lesson_id", SHIPPED)
def test_a_learner_who_never_answers_right_is_told_kindly_what_is_left(client, lesson_id):
    headers = new_learner(client)
    replies = go_through(client, headers, lesson_id, "not_sure")
    assert all("Well done" not in str(reply) for reply in replies)
    summary = client.get(f"/api/lessons/{lesson_id}/summary", headers=headers).json()
    assert summary["finished"] is True and summary["mastered"] is False
    assert {s["standing"] for s in summary["skills"]} <= {"shaky", "not yet"}
    assert not any(s["standing"] == "solid" for s in summary["skills"])
    assert summary["first_try"]["right"] == 0 and summary["first_try"]["of"] > 0
    assert "Well done" not in summary["message"]
    assert "reached the end of the lesson" in summary["message"]
    practice = next(s for s in summary["next_steps"] if s["kind"] == "practice")
    assert set(practice["skills"]) == {s["id"] for s in summary["skills"]}
    assert {s["kind"] for s in summary["next_steps"]} >= {"practice", "lab", "lesson"}


@pytest.mark.parametrize("lesson_id", SHIPPED)
def test_a_learner_who_always_answers_right_ends_with_every_tested_skill_solid(client, lesson_id):
    headers = new_learner(client)
    go_through(client, headers, lesson_id, "exactly")
    summary = client.get(f"/api/lessons/{lesson_id}/summary", headers=headers).json()
    progress = client.get("/api/learners/me/progress", headers=headers).json()
    skills = next(p for p in progress["lessons"] if p["lesson_id"] == lesson_id)["skills"]
    tested = {s["id"] for s in skills if s["attempts"]}
    assert tested, "the learner answered something"
    standing = {s["id"]: s["standing"] for s in summary["skills"]}
    assert {standing[s] for s in tested} == {"solid"}
    assert summary["first_try"]["right"] == summary["first_try"]["of"]
    if len(tested) == len(standing):
        assert summary["mastered"] and "Well done" in summary["message"]
    else:
        # Skills skipped as already known are not tested, and are not called solid unseen.
        assert not summary["mastered"] and "Well done" not in summary["message"]


def not_sure_to_the_end(client: TestClient, lesson_id: str) -> BeautifulSoup:
    """Answer "I'm not sure" through the page's own form until the lesson ends."""
    soup = BeautifulSoup(client.get(f"/lessons/{lesson_id}/steps/1").text, "html.parser")
    for _ in range(400):
        form = soup.select_one("form.answer")
        studied = soup.select_one("form.continue-example")
        if form is None and studied is not None:  # a worked problem: go on from it
            fields = {i["name"]: i.get("value", "") for i in studied.select("input[type=hidden]")}
            sent = client.post(studied["action"], data=fields, follow_redirects=False)
            assert sent.status_code == 303, sent.text
            soup = BeautifulSoup(client.get(sent.headers["location"]).text, "html.parser")
            continue
        if form is None:
            # On to the next item; after a check from another step, back to the current one.
            next_link = soup.select_one(".continue a") or soup.select_one("p.note + p > a.button")
            if next_link is None:
                return soup
            soup = BeautifulSoup(client.get(next_link["href"]).text, "html.parser")
            continue
        fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
        fields["option_id"] = "not_sure"
        sent = client.post(f"/lessons/{lesson_id}/answer", data=fields, follow_redirects=False)
        assert sent.status_code == 303, sent.text
        soup = BeautifulSoup(client.get(sent.headers["location"]).text, "html.parser")
    raise AssertionError("the lesson never ended")


def test_the_end_pages_show_the_summary_and_offer_practice(client: TestClient):
    lesson_id = SHIPPED[0]
    catalog = client.app.state.tutor.catalog  # every other lesson is offered, in its order
    end = not_sure_to_the_end(client, lesson_id)
    assert end.select_one(".finished h2").get_text() == "You have reached the end of the lesson"
    for soup in (end, BeautifulSoup(client.get(f"/lessons/{lesson_id}").text, "html.parser")):
        summary = soup.select_one(".summary")
        assert summary is not None and "Well done" not in soup.get_text()
        assert "reached the end of the lesson" in summary.get_text()
        rows = summary.select("tbody tr")
        assert len(rows) == len(client.app.state.tutor.lesson(lesson_id).lesson.skills)
        assert {r.select_one(".skill-label").get_text() for r in rows} <= {"shaky", "not yet"}
        assert "First try: 0 of the" in summary.get_text()
        others = [f"/lessons/{other.id}" for other in catalog if other.id != lesson_id]
        assert f"/lessons/{SHIPPED[1]}" in others
        assert [a["href"] for a in summary.select(".next-steps a")] == [
            "/lab/loss",
            "/lab/descent",
            *others,
        ]
        following = summary.select(".next-steps a")[2]  # the next lesson, then the rest
        assert following["href"] == f"/lessons/{SHIPPED[1]}"
        assert following.get_text().startswith("Next: the lesson")
        assert all(
            a.get_text().startswith("Take the lesson") for a in summary.select(".next-steps a")[3:]
        )
        # The recap of the loop: every step, with the learner's own record on it.
        recap = soup.select(".recap-steps > li")
        assert len(recap) == len(client.app.state.tutor.lesson(lesson_id).lesson.steps)
        assert all("Right the first time: 0 of" in r.get_text() for r in recap)
    form = summary.select_one(f"form[action='/lessons/{lesson_id}/practice']")
    assert form is not None
    assert form.select_one("button").get_text() == "Start a short practice run"
    # The practice button works without JavaScript: a plain form post, then the item.
    csrf = form.select_one("input[name=csrf]")["value"]
    moved = client.post(
        f"/lessons/{lesson_id}/practice", data={"csrf": csrf}, follow_redirects=False
    )
    assert moved.status_code == 303 and moved.headers["location"].endswith("#question")
    page = BeautifulSoup(client.get(moved.headers["location"]).text, "html.parser")
    title = " ".join(page.select_one("#question-title").get_text().split())
    assert title == "Practice run · 4 more after this"
