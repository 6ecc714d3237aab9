"""The learner state kept per lesson is compact, does not grow with every answer, and states
stored in older forms still load and carry on where they were."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from helpers import answer, answer_body, new_learner
from sqlalchemy import text

from tutor.teaching.state import State

LESSON = "mini"


def _stored(client: TestClient) -> tuple[str, dict]:
    """The raw text of the one position's state, and its JSON."""
    database = client.app.state.tutor.db
    with database.reading() as connection:
        raw = connection.execute(text("SELECT CAST(state AS TEXT) FROM positions")).scalar_one()
    return raw, json.loads(raw)


def _answer(client: TestClient, who: dict, nxt: dict, grade: str, key: str) -> dict:
    body = {**answer_body(client, LESSON, nxt, grade), "idempotency_key": key}
    reply = client.post(f"/api/lessons/{LESSON}/answers", json=body, headers=who)
    assert reply.status_code == 200, reply.text
    return reply.json()["next"]


def test_a_stored_state_leaves_out_what_is_at_its_default(client: TestClient):
    who = new_learner(client)
    nxt = client.get(f"/api/lessons/{LESSON}/next", headers=who).json()
    nxt = _answer(client, who, nxt, "exactly", "first")
    raw, stored = _stored(client)
    assert ", " not in raw and '": ' not in raw  # no spaces between items
    for default in ("offer", "ladder", "return_to", "pending_angle", "session", "fade"):
        assert default not in stored
    assert stored["step"] and stored["item"]["question"] == nxt["question"]["id"]
    assert stored["asked"]  # what the learner did is all there
    full = State.from_json(stored).plain()
    assert len(raw) < len(json.dumps(full)) / 2


def test_a_state_stored_in_full_by_an_older_version_still_loads(client: TestClient):
    who = new_learner(client)
    nxt = client.get(f"/api/lessons/{LESSON}/next", headers=who).json()
    nxt = _answer(client, who, nxt, "not_quite", "first")
    _, stored = _stored(client)
    # As the previous version wrote it: every field, defaults included.
    old = State.from_json(stored).plain()
    assert old["offer"] is None and old["session"] == [] and "checks" in old
    database = client.app.state.tutor.db
    with database.writing() as connection:
        connection.execute(text("UPDATE positions SET state = :s"), {"s": json.dumps(old)})
    again = client.get(f"/api/lessons/{LESSON}/next", headers=who).json()
    assert again["question"]["id"] == nxt["question"]["id"]
    assert again["variant"] == nxt["variant"]
    after = _answer(client, who, again, "exactly", "second")
    assert after["question"]["id"]
    _, rewritten = _stored(client)
    assert "offer" not in rewritten  # written back in the compact form
    assert State.from_json(rewritten).asked[: len(old["asked"])] == tuple(old["asked"])


def test_practice_after_practice_does_not_grow_what_is_stored_per_answer(client: TestClient):
    who = new_learner(client)
    answered = 0
    while not client.get(f"/api/lessons/{LESSON}/next", headers=who).json()["done"]:
        answer(client, who, LESSON, "not_quite")
        answered += 1
    _, after_lesson = _stored(client)
    for _ in range(12):
        started = client.post(f"/api/lessons/{LESSON}/practice", headers=who, json={})
        assert started.status_code == 200, started.text
        for _ in range(started.json()["items"]):
            answer(client, who, LESSON, "not_quite")
            answered += 1
    _, stored = _stored(client)
    state = State.from_json(stored)
    lesson = client.app.state.tutor.catalog.lessons[LESSON]
    # Each question once, however often it was asked; each angle once per question.
    assert len(state.asked) == len(set(state.asked)) <= len(lesson.entries)
    assert all(len(shown) == len(set(shown)) for shown in state.angles.values())
    assert set(state.asked) >= set(after_lesson["asked"])
    assert state.answered >= answered  # the count still counts every item taken in


def test_a_state_whose_lists_held_every_repeat_loads_kept_to_each_last_place(client: TestClient):
    who = new_learner(client)
    nxt = client.get(f"/api/lessons/{LESSON}/next", headers=who).json()
    nxt = _answer(client, who, nxt, "not_quite", "first")
    _, stored = _stored(client)
    # As versions before the count wrote it: every repeat kept, and no count.
    first = stored["asked"][0]
    old = {**stored, "asked": [first, "order", first, "order", first]}
    old["angles"] = {first: ["formal", "picture", "formal"]}
    del old["answered"]
    database = client.app.state.tutor.db
    with database.writing() as connection:
        connection.execute(text("UPDATE positions SET state = :s"), {"s": json.dumps(old)})
    state = State.from_json(old)
    assert state.asked == ("order", first) and state.answered == 5
    assert state.angles == {first: ("picture", "formal")}
    again = client.get(f"/api/lessons/{LESSON}/next", headers=who).json()
    assert (again["question"]["id"], again["variant"]) == (nxt["question"]["id"], nxt["variant"])
    _answer(client, who, again, "exactly", "second")
    _, rewritten = _stored(client)
    assert rewritten["answered"] == 6
    assert rewritten["asked"][-1] == again["question"]["id"]
    assert len(rewritten["asked"]) == len(set(rewritten["asked"]))
