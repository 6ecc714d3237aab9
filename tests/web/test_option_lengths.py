"""A test-wise learner gains nothing from option lengths in the shipped lessons."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import new_learner, past_examples

from tutor.lessons.cues import fair_share

LESSONS = Path(__file__).resolve().parents[2] / "lessons"


@pytest.fixture
def lessons_dir() -> Path:
    return LESSONS


# Each lesson with the fewest choice items a learner meets on the way through: enough for
# the count of lucky picks to mean something.
@pytest.mark.parametrize(
    ("lesson_id", "least"),
    [("how-a-network-learns", 20), ("loss-functions", 20), ("backpropagation", 15)],
)
@pytest.mark.parametrize("pick", [max, min], ids=["longest", "shortest"])
def test_picking_by_length_scores_no_better_than_chance_on_first_tries(
    client: TestClient, lesson_id, least, pick
):
    """A learner who always picks the longest (or shortest) option, through a whole lesson:
    on the choice items met for the first time, right about as often as a blind guess."""
    headers = new_learner(client)
    right, options_per_item, met = 0, [], set()
    for _ in range(400):
        nxt = client.get(f"/api/lessons/{lesson_id}/next", headers=headers).json()
        if nxt["done"]:
            break
        nxt = past_examples(client, headers, lesson_id, nxt)
        if nxt["done"]:
            break
        question = nxt["question"]
        options = [o for o in question["options"] if o["id"] != "not_sure"]
        if question["kind"] == "choice":
            chosen = pick(options, key=lambda o: len(o["text"]))["id"]
            body = {"option_id": chosen}
        else:
            body = {"option_id": "not_sure"}
        reply = client.post(
            f"/api/lessons/{lesson_id}/answers",
            headers=headers,
            json={"question_id": question["id"], "variant": nxt["variant"], **body},
        ).json()
        if question["kind"] == "choice" and question["id"] not in met:
            options_per_item.append(len(options))
            right += reply["grade"] == "exactly"
        met.add(question["id"])
    else:
        raise AssertionError("the lesson never ended")
    chance = sum(1 / k for k in options_per_item)
    assert len(options_per_item) >= least
    # Each run draws a new learner (new variants, option orders and path), and a suite runs
    # this six times on each database. At two standard deviations each run may fail a fair
    # lesson about one time in forty by luck alone, which a dozen runs make common; three
    # keep it rare. The lint (tutor.lessons.cues) holds every variant and topic of each
    # lesson to two, without luck; this checks that what learners meet keeps to it.
    bound = fair_share(options_per_item, deviations=3)
    assert right <= bound, (right, bound, round(chance, 1), len(options_per_item))
