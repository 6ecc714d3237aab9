"""A skip past questions a learner has shown they know, as the reply to an answer says it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import answer, editable_lessons, new_learner

from tutor.lessons.catalog import load_catalog

LESSON = "mini"
THIRD_AFTER = """          - {angle: picture, text: Picture a ruler.}
"""
THIRD = """      - id: mse-first
        kind: numeric
        skill: compute
        prompt: Errors of 1 and 3. What is their mean square?
        params: {t: [0, 0], p: [1, 3]}
        answer: {compute: mse, args: {y_true: t, y_pred: p}}
        solution: "The squares 1 and 9 average to {{ answer }}."
        not_sure: Square each error, then average.
        another_way:
          - {angle: formal, text: "MSE = mean of (p - t) squared."}
"""


@pytest.fixture
def lessons_dir(tmp_path: Path) -> Path:
    return editable_lessons(tmp_path)


def test_a_skip_past_the_next_question_drops_the_bridge_into_it(
    client: TestClient, lessons_dir: Path
):
    path = lessons_dir / "mini.yaml"
    text = path.read_text()
    # Newcomers likely know the first skill: one right answer shows it, and its second
    # question is skipped for the step's third, on the next skill.
    known = "  - id: score\n    name: A loss is a score\n"
    assert known in text and THIRD_AFTER in text
    text = text.replace(known, known + "    mastery: {prior: 0.9}\n")
    path.write_text(text.replace(THIRD_AFTER, THIRD_AFTER + THIRD))
    client.app.state.tutor.catalog = load_catalog([lessons_dir])
    who = new_learner(client)
    reply = answer(client, who, LESSON, "exactly")
    assert reply["message"] == "You have shown you know this already, so we skip ahead."
    assert reply["next"]["question"]["id"] == "mse-first" and not reply["step_finished"]
    assert reply["bridge"] is None  # "Now the order." would lead into a skipped question
