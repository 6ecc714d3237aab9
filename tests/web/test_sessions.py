"""Practice runs and reviews across visits, through the API and the pages, with a movable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from helpers import answer, new_learner, rendered
from test_pages import answer_with, page

LESSON = "mini"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(client: TestClient, moment: datetime) -> None:
    client.app.state.tutor.clock = lambda: moment


def nxt(client: TestClient, headers: dict) -> dict:
    return client.get(f"/api/lessons/{LESSON}/next", headers=headers).json()


def finish_right(client: TestClient, headers: dict) -> None:
    while not nxt(client, headers)["done"]:
        answer(client, headers, LESSON, "exactly")


def test_practice_starts_on_the_weakest_skill_with_unseen_items_first(client: TestClient):
    headers = new_learner(client)
    answer(client, headers, LESSON, "not_quite")  # what-loss-does, missed: a check is next
    started = client.post(f"/api/lessons/{LESSON}/practice", headers=headers)
    assert started.status_code == 200, started.text
    body = started.json()
    assert body["kind"] == "practice"
    assert [s["id"] for s in body["skills"]] == ["score"]
    assert body["items"] >= 2
    first = body["next"]
    assert first["question"]["role"] == "practice"
    assert first["session"] == {"kind": "practice", "left": body["items"] - 1}
    # Never asked before comes first: not the question just missed.
    assert first["question"]["id"] != "what-loss-does"
    assert nxt(client, headers) == first


def test_a_practice_run_returns_the_learner_to_where_they_were(client: TestClient):
    headers = new_learner(client)
    answer(client, headers, LESSON, "exactly")
    place = nxt(client, headers)
    body = client.post(f"/api/lessons/{LESSON}/practice", headers=headers, json={}).json()
    replies = [answer(client, headers, LESSON, "exactly") for _ in range(body["items"])]
    assert replies[-1]["message"] == "That is the end of this practice run."
    assert replies[-1]["next"] == place
    assert all(r["next"]["session"] for r in replies[:-1])


def test_a_miss_in_practice_brings_one_fresh_item_of_its_skill_later(client: TestClient):
    headers = new_learner(client)
    body = client.post(
        f"/api/lessons/{LESSON}/practice", headers=headers, json={"skill": "compute"}
    ).json()
    assert body["items"] == 1  # the skill has one question, with numbers drawn anew
    missed = answer(client, headers, LESSON, "not_quite")
    assert missed["another_way"] is not None  # explained from another angle, as anywhere
    again = missed["next"]
    assert again["session"] == {"kind": "practice", "left": 0}
    assert again["question"]["id"] == "mse-number"
    # New numbers, with an answer the learner has not been shown.
    first = rendered(client, LESSON, {**again, "variant": missed["variant"]})
    assert rendered(client, LESSON, again).answer != first.answer
    right = answer(client, headers, LESSON, "exactly")
    assert right["message"] == "That is the end of this practice run."
    assert right["next"]["session"] is None


def test_practice_on_a_chosen_skill_or_step(client: TestClient):
    headers = new_learner(client)
    by_skill = client.post(
        f"/api/lessons/{LESSON}/practice", headers=headers, json={"skill": "compute"}
    ).json()
    assert [s["id"] for s in by_skill["skills"]] == ["compute"]
    assert by_skill["next"]["question"]["id"] == "mse-number"
    by_step = client.post(f"/api/lessons/{LESSON}/practice", headers=headers, json={"step": 1})
    assert [s["id"] for s in by_step.json()["skills"]] == ["score"]
    both = client.post(
        f"/api/lessons/{LESSON}/practice", headers=headers, json={"skill": "compute", "step": 1}
    )
    assert both.status_code == 422
    # The reason alone, without pydantic's "Value error, " in front of it.
    assert both.json()["detail"][0]["msg"] == "give `skill` or `step`, not both"


def test_practice_refuses_what_the_lesson_does_not_have(client: TestClient):
    headers = new_learner(client)
    wrong_skill = client.post(
        f"/api/lessons/{LESSON}/practice", headers=headers, json={"skill": "nope"}
    )
    assert wrong_skill.status_code == 422
    assert "skill: 'nope' is not a skill of this lesson; skills: score, compute" in wrong_skill.text
    wrong_step = client.post(f"/api/lessons/{LESSON}/practice", headers=headers, json={"step": 9})
    assert wrong_step.status_code == 422 and "steps 1 to 2, not 9" in wrong_step.text
    extra = client.post(f"/api/lessons/{LESSON}/practice", headers=headers, json={"skil": "x"})
    assert extra.status_code == 422
    assert client.post(f"/api/lessons/{LESSON}/practice").status_code == 401
    assert client.post("/api/lessons/nope/practice", headers=headers).status_code == 404


def test_the_review_queue_appears_once_the_clock_moves(client: TestClient):
    headers = new_learner(client)
    at(client, START)
    finish_right(client, headers)
    queue = client.get("/api/learners/me/review", headers=headers).json()
    assert queue["due"] == []
    assert {s["skill_id"] for s in queue["upcoming"]} == {"score", "compute"}
    soon = min(datetime.fromisoformat(s["due_at"]) for s in queue["upcoming"])
    assert soon > START
    nothing = client.post(f"/api/lessons/{LESSON}/review", headers=headers)
    assert nothing.status_code == 409
    assert "nothing in lesson 'mini' is due for review yet; the next is due" in nothing.text

    at(client, soon + timedelta(minutes=1))
    queue = client.get("/api/learners/me/review", headers=headers).json()
    due = [s for s in queue["due"]]
    assert due and due[0]["lesson_id"] == LESSON and due[0]["skill_name"]
    progress = client.get("/api/learners/me/progress", headers=headers).json()
    assert any(s["due"] for s in progress["lessons"][0]["skills"])

    started = client.post(f"/api/lessons/{LESSON}/review", headers=headers).json()
    assert started["kind"] == "recall"
    assert {s["id"] for s in started["skills"]} == {s["skill_id"] for s in due}
    assert started["next"]["question"]["role"] == "recall"
    for _ in range(started["items"]):
        last = answer(client, headers, LESSON, "exactly")
    assert last["message"].startswith("That is the end of the review.")
    assert last["next"]["done"] is True  # back where they were: the lesson was done
    # Remembering pushed the reviews further out: nothing is due at this time any more.
    after = client.get("/api/learners/me/review", headers=headers).json()
    assert after["due"] == []
    later = {s["skill_id"]: datetime.fromisoformat(s["due_at"]) for s in after["upcoming"]}
    assert all(later[s["skill_id"]] > soon + timedelta(days=1) for s in due)


def test_the_home_page_lists_what_is_due_with_a_button_to_review(client: TestClient):
    client.get("/")
    at(client, START)
    soup = BeautifulSoup(client.get(f"/lessons/{LESSON}/steps/1").text, "html.parser")
    while (form := soup.select_one("form.answer")) or soup.select_one(".continue a"):
        if form is None:
            soup = BeautifulSoup(
                client.get(soup.select_one(".continue a")["href"]).text, "html.parser"
            )
            continue
        fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
        fields["option_id"] = "not_sure"
        sent = client.post(f"/lessons/{LESSON}/answer", data=fields, follow_redirects=False)
        soup = BeautifulSoup(client.get(sent.headers["location"]).text, "html.parser")
    home = BeautifulSoup(client.get("/").text, "html.parser")
    assert home.select_one(".due") is None  # nothing is due yet
    at(client, START + timedelta(days=30))
    home = BeautifulSoup(client.get("/").text, "html.parser")
    due = home.select_one(".due")
    assert due is not None and "Due for review" in due.get_text()
    listed = " ".join(due.select_one("form span").get_text().split())
    assert listed.startswith("A tiny lesson: ")
    assert set(listed.removeprefix("A tiny lesson: ").split(", ")) == {
        "A loss is a score",
        "Computing an MSE",
    }
    form = due.select_one(f"form[action='/lessons/{LESSON}/review']")
    csrf = form.select_one("input[name=csrf]")["value"]
    moved = client.post(f"/lessons/{LESSON}/review", data={"csrf": csrf}, follow_redirects=False)
    assert moved.status_code == 303
    page = BeautifulSoup(client.get(moved.headers["location"]).text, "html.parser")
    title = " ".join(page.select_one("#question-title").get_text().split())
    assert title == "Review of an idea that is due · 1 more after this"


def test_a_step_page_during_a_practice_run_leads_to_its_next_item(client: TestClient):
    """The run's item may sit on another step than the page: that page said "You are on
    step 1... its questions open once you get here", and offered to continue the lesson."""
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    for _ in range(2):
        soup = answer_with(client, soup, "exactly")
    csrf = soup.select_one("input[name=csrf]")["value"]
    started = client.post(f"/lessons/{LESSON}/practice", data={"csrf": csrf, "step": "1"})
    assert started.status_code == 200
    other = page(client, f"/lessons/{LESSON}/steps/2")
    text = " ".join(other.get_text().split())
    assert "open once you get here" not in text and "Continue to step" not in text
    link = other.select_one(".continue a")
    assert " ".join(link.get_text().split()) == "On to the next practice question"
    assert link["href"] == f"/lessons/{LESSON}/steps/1#question"
    here = page(client, link["href"])
    assert here.select_one("#question-title").get_text().startswith("Practice run")
