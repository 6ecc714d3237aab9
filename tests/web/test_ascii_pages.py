"""Step pages are ASCII throughout, their other characters written as references.

A page is one string: a single character beyond ASCII anywhere in it (a minus sign in a
worked example, a tick beside a grade) widens all of it, and joining and encoding a widened
page cost a twentieth of serving it. So texts from the lessons are ASCII once rendered
(tutor.render.markdown.ascii_html) and the templates write such characters as references.
A browser shows the same page either way; this keeps it so for the shipped lessons.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tutor.render.markdown import ascii_html, to_html

LESSONS = Path(__file__).resolve().parents[2] / "lessons"


HYPHEN_NUMBER = re.compile(r"(?<![\w.-])-\d")


def ascii_page(client: TestClient, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, response.text
    beyond = [i for i, ch in enumerate(response.text) if not ch.isascii()]
    assert not beyond, f"{url}: ...{response.text[beyond[0] - 80 : beyond[0] + 20]}..."
    soup = BeautifulSoup(response.text, "html.parser")
    # Numbers written into the page (worked examples, pictures, charts) take the lesson
    # texts' minus sign, not a hyphen; a formula's own minus is MathML's, left aside.
    shown = BeautifulSoup(response.text, "html.parser")
    for hidden in shown.select("math, script, style"):
        hidden.decompose()
    text = shown.get_text(" ")
    found = HYPHEN_NUMBER.search(text)
    assert found is None, (
        f"{url}: a hyphen for a minus: ...{text[found.start() - 60 : found.end()]}"
    )
    return soup


def test_references_read_as_the_characters_they_stand_for():
    html = to_html("The loss falls by \u22120.25 \u00d7 2 \u2713")
    assert html.isascii()
    assert (
        BeautifulSoup(html, "html.parser").get_text()
        == "The loss falls by \u22120.25 \u00d7 2 \u2713\n"
    )
    assert ascii_html("<b>plain</b>") == "<b>plain</b>"


@pytest.mark.parametrize("lessons_dir", [LESSONS])  # the app serves the shipped lessons
@pytest.mark.parametrize("lesson", ["how-a-network-learns", "loss-functions", "backpropagation"])
def test_a_learners_step_pages_are_ascii(client: TestClient, lesson: str):
    overview = BeautifulSoup(client.get(f"/lessons/{lesson}").text, "html.parser")
    steps = {
        int(a["href"].split("/steps/")[1].split("#")[0])
        for a in overview.select("a[href*='/steps/']")
    }
    url = f"/lessons/{lesson}/steps/1"
    for _ in range(8):  # questions, feedback after a miss, checks again, offers
        soup = ascii_page(client, url)
        form = soup.select_one("form.answer, form.continue-example, form.choices")
        assert form is not None, f"nothing to answer on {url}"
        fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
        if "continue-example" in form["class"]:
            action = "continue"
        elif "choices" in form["class"]:
            action, fields["choice"] = "choice", form.select_one("button[name=choice]")["value"]
        else:
            action, fields["option_id"] = "answer", "not_sure"
        sent = client.post(f"/lessons/{lesson}/{action}", data=fields, follow_redirects=False)
        assert sent.status_code == 303, sent.text
        url = sent.headers["location"].split("#")[0]
    for n in sorted(steps):  # steps behind and ahead of the learner
        ascii_page(client, f"/lessons/{lesson}/steps/{n}")
