"""The forms a learner sends from a step's page, and where each one leads: to the step the
item was asked on, with what it did."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from helpers import page_learner, rendered, served_option

from tutor.lessons.catalog import load_catalog
from tutor.web.security import LEARNER_COOKIE

LESSON = "mini"
SECRET = "test-secret"


@pytest.fixture
def lessons_dir(tmp_path: Path) -> Path:
    """The test lesson with its second question of the first skill in the second step, so
    that a check written under the first step is asked on the second (a copy, to edit)."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    shutil.copy(Path(__file__).parents[1] / "data" / "cross_step" / "mini.yaml", folder)
    return folder


def page(client: TestClient, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def form_of(client: TestClient, soup: BeautifulSoup, grade: str) -> dict[str, str]:
    """The page's answer form, filled in with an option graded ``grade``."""
    form = soup.select_one("form.answer")
    assert form is not None, "no question on the page"
    fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    nxt = {"question": {"id": fields["question_id"]}, "variant": int(fields["variant"])}
    question = rendered(client, LESSON, {**nxt, "topic": "cats"})
    learner = page_learner(SECRET, client.cookies.get(LEARNER_COOKIE))
    return {**fields, "option_id": served_option(SECRET, learner, question, grade)}


def send(client: TestClient, fields: dict[str, str]) -> str:
    sent = client.post(f"/lessons/{LESSON}/answer", data=fields, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    return sent.headers["location"]


def test_a_check_from_an_earlier_step_is_answered_and_explained_where_it_was_asked(
    client: TestClient,
):
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    send(client, form_of(client, soup, "exactly"))  # step 1 done
    soup = page(client, f"/lessons/{LESSON}/steps/2")
    assert soup.select_one("form.answer input[name=question_id]")["value"] == "order"
    soup = page(client, send(client, form_of(client, soup, "not_quite")))
    check = soup.select_one("form.answer input[name=question_id]")["value"]
    assert check.startswith("what-loss")  # written under step 1's question
    assert "checking the same idea" in soup.select_one("#question-title").get_text()
    where = send(client, form_of(client, soup, "not_quite"))
    assert where.startswith(f"/lessons/{LESSON}/steps/2?after=")
    shown = page(client, where)
    feedback = shown.select_one("#feedback")
    assert feedback is not None and "grade-not_quite" in feedback["class"]


def test_a_second_tab_s_different_answer_is_said_not_to_be_recorded(client: TestClient):
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    first, other = form_of(client, soup, "exactly"), form_of(client, soup, "not_quite")
    send(client, first)
    again = send(client, first)  # the same form twice: a double click
    assert "note=recorded" in again
    assert "That answer was already recorded." in page(client, again).get_text()
    where = send(client, other)  # another tab's different choice, sent after
    assert "note=answered" in where and "/steps/1?after=" in where
    text = " ".join(page(client, where).get_text().split())
    assert "Your later choice was not recorded." in text


def test_a_prompt_with_a_list_sets_the_list_out_above_its_question(
    client: TestClient, lessons_dir: Path
):
    path = lessons_dir / "mini.yaml"
    text = path.read_text()
    old = next(line for line in text.splitlines(True) if 'prompt: "The network said' in line)
    new = (
        "        prompt: |-\n"
        "          The network said {{ p }} for {{ topic.thing }}:\n\n"
        "          - the truth: 1\n          - the guess: {{ p }}\n\n"
        "          What does a loss do?\n"
    )
    path.write_text(text.replace(old, new))
    client.app.state.tutor.catalog = load_catalog([lessons_dir])
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    lead = soup.select_one("form.answer #prompt-lead")
    assert [li.get_text() for li in lead.select("li")] == ["the truth: 1", "the guess: 0.2"]
    fieldset = soup.select_one("form.answer fieldset")
    assert fieldset["aria-describedby"] == "prompt-lead"
    assert fieldset.select_one("legend").get_text() == "What does a loss do?"
