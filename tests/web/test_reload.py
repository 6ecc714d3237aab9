"""Live lesson reload: valid edits go live, broken ones never replace the last good lesson,
and learners on a question that disappears move to the nearest valid item."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import answer, editable_lessons, new_learner

from tutor.lessons.catalog import load_catalog, refresh
from tutor.lessons.watch import LessonWatcher


@pytest.fixture
def lessons_dir(tmp_path: Path) -> Path:
    return editable_lessons(tmp_path)


def edit(folder: Path, old: str, new: str) -> None:
    path = folder / "mini.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_valid_edit_replaces_the_lesson(lessons_dir: Path):
    before = load_catalog([lessons_dir])
    edit(lessons_dir, "title: A tiny lesson", "title: A tiny, edited lesson")
    after = refresh(before, [lessons_dir])
    assert after.lessons["mini"].lesson.title == "A tiny, edited lesson"
    assert after.problems == []


def test_a_broken_edit_keeps_the_last_good_version_and_its_problems(lessons_dir: Path):
    before = load_catalog([lessons_dir])
    edit(lessons_dir, "grade: exactly", "grade: exactlyy")
    after = refresh(before, [lessons_dir])
    assert after.lessons["mini"] is before.lessons["mini"]
    assert len(after.problems) == 1
    assert "did you mean 'exactly'?" in str(after.problems[0])


def test_an_edit_that_copies_another_lesson_s_id_changes_neither_lesson(
    lessons_dir: Path, tmp_path: Path
):
    other = (lessons_dir / "mini.yaml").read_text().replace("id: mini", "id: other", 1)
    other = other.replace("title: A tiny lesson", "title: Another lesson", 1)
    (lessons_dir / "other.yaml").write_text(other)
    before = load_catalog([lessons_dir])
    assert set(before.lessons) == {"mini", "other"} and before.problems == []
    edit(lessons_dir, "id: mini", "id: other")  # mini.yaml now says it is "other"
    after = refresh(before, [lessons_dir])
    assert after.lessons["mini"] is before.lessons["mini"]  # its last good version
    assert after.lessons["other"].lesson.title == "Another lesson"
    assert [p.file for p in after.problems] == [str(lessons_dir / "mini.yaml")]
    assert "lesson id 'other' is already used by" in after.problems[0].message


def test_the_server_serves_a_valid_edit_within_two_seconds(
    app, client: TestClient, lessons_dir: Path
):
    watcher = LessonWatcher(app.state.tutor, lessons_dir, interval=0.1)
    watcher.start()
    try:
        edit(lessons_dir, "title: A tiny lesson", "title: Live and edited")
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            if client.get("/api/lessons/mini").json()["title"] == "Live and edited":
                break
            time.sleep(0.05)
        assert client.get("/api/lessons/mini").json()["title"] == "Live and edited"
        edit(lessons_dir, "id: mini", "id: [broken")
        time.sleep(0.4)
        assert client.get("/api/lessons/mini").json()["title"] == "Live and edited"
        assert app.state.tutor.catalog.problems
    finally:
        watcher.stop()


def test_a_learner_on_a_removed_question_moves_to_the_nearest_item(
    app, client: TestClient, lessons_dir: Path
):
    headers = new_learner(client)
    answer(client, headers, "mini", "exactly")  # now on `order`
    assert client.get("/api/lessons/mini/next", headers=headers).json()["question"]["id"] == "order"
    source = (lessons_dir / "mini.yaml").read_text()
    start = source.index("      - id: order")
    end = source.index("    takeaway: A loss is one number.")
    (lessons_dir / "mini.yaml").write_text(source[:start] + source[end:])
    # `score` now has what-loss-does and its check: still checkable.
    watcher = LessonWatcher(app.state.tutor, lessons_dir)
    watcher._seen = {}
    assert watcher.check()
    assert app.state.tutor.catalog.problems == []
    nxt = client.get("/api/lessons/mini/next", headers=headers).json()
    assert nxt["question"]["id"] == "mse-number"  # the step's only question was done
    result = answer(client, headers, "mini", "exactly")
    assert result["grade"] == "exactly"


def test_a_learner_on_a_removed_step_moves_on(app, client: TestClient, lessons_dir: Path):
    headers = new_learner(client)
    answer(client, headers, "mini", "exactly")
    answer(client, headers, "mini", "exactly")  # now on step 2
    source = (lessons_dir / "mini.yaml").read_text()
    source = source[: source.index("  - id: compute\n    title: Compute an MSE")]
    skill = source.index("  - id: compute\n    name: Computing an MSE")
    source = source[:skill] + source[source.index("steps:") :]
    source = source.replace("    next: Next, compute one.\n", "")
    (lessons_dir / "mini.yaml").write_text(source)
    watcher = LessonWatcher(app.state.tutor, lessons_dir)
    watcher._seen = {}
    watcher.check()
    assert app.state.tutor.catalog.problems == []
    assert client.get("/api/lessons/mini/next", headers=headers).json()["done"] is True


def test_choices_after_an_edit_never_fail(app, client: TestClient, lessons_dir: Path):
    """An offer to step back to a step that was renamed is withdrawn, not a 500."""
    headers = new_learner(client)
    offer = None
    for _ in range(20):  # miss everything: step 1's skill stays weak, so step 2 blames it
        nxt = answer(client, headers, "mini", "not_quite")["next"]
        offer = nxt["offer"]
        if offer and offer["fault"]:
            break
        if offer:
            client.post("/api/lessons/mini/choices", headers=headers, json={"choice": "go_on"})
    assert offer and offer["fault"] and offer["fault"]["id"] == "loss"
    edit(lessons_dir, "  - id: loss\n", "  - id: losses\n")
    watcher = LessonWatcher(app.state.tutor, lessons_dir)
    watcher._seen = {}
    watcher.check()
    assert app.state.tutor.catalog.problems == []
    nxt = client.get("/api/lessons/mini/next", headers=headers).json()
    assert nxt["offer"]["fault"] is None
    assert [c["id"] for c in nxt["offer"]["choices"]] == ["another_angle", "go_on"]
    revisit = client.post("/api/lessons/mini/choices", headers=headers, json={"choice": "revisit"})
    assert revisit.status_code == 409
    go_on = client.post("/api/lessons/mini/choices", headers=headers, json={"choice": "go_on"})
    assert go_on.status_code == 200


def test_a_step_sent_from_memory_shows_an_edit_at_once(app, client: TestClient, lessons_dir: Path):
    """Step JSON is kept per lesson version: the reply after an edit is the edited one,
    gzipped or not, and a step that does not exist is still a 404."""
    step = "/api/lessons/mini/steps/1"
    assert client.get(step).json()["title"] == "Loss"
    assert client.get(step).json()["title"] == "Loss"  # sent again, from memory
    edit(lessons_dir, "title: Loss", "title: Loss, edited")
    app.state.tutor.catalog = refresh(app.state.tutor.catalog, [lessons_dir])
    for encoding in ("gzip", "identity"):
        reply = client.get(step, headers={"Accept-Encoding": encoding})
        assert reply.status_code == 200
        assert reply.json()["title"] == "Loss, edited"
        assert reply.headers.get("content-encoding", "identity") == encoding
    missing = client.get("/api/lessons/mini/steps/9")
    assert missing.status_code == 404
    assert "not 9" in missing.json()["detail"]
