"""The step as a conversation in Chromium, with JavaScript and without.

With JavaScript an answer is sent without leaving the page: the conversation grows in
place and the new feedback takes the focus, so a screen reader reads it first. Without,
the same page comes back from the server, at the new feedback.
"""

from __future__ import annotations

import pytest
from test_browser import ROOT, grade_of_option, send

from tutor.config import Settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSON = "talk"


@pytest.fixture
def talk(serve):
    return serve(ROOT / "tests" / "data" / "conversation")


def pick(settings: Settings, tab, grade: str) -> None:
    tab.locator(f"input[value='{grade_of_option(settings, tab, grade)}']").check()
    send(tab)


def test_the_conversation_grows_on_the_page(talk, tabs, javascript):
    url, settings = talk
    tab = tabs(javascript=javascript, height=900)
    tab.goto(f"{url}/lessons/{LESSON}/steps/1")
    if javascript:
        tab.evaluate("window.samePage = true")  # gone if the page is loaded anew
    pick(settings, tab, "not_quite")
    assert tab.locator(".exchange").count() == 1
    feedback = tab.locator("#feedback")
    assert "Not quite" in feedback.locator(".grade-word").inner_text()
    assert feedback.locator(".right-answer").inner_text() == (
        "The right answer: It scores the miss as one number"
    )
    assert "checking the same idea" in tab.locator("#question-title").inner_text()
    assert "after=" in tab.url and tab.url.endswith("#feedback")
    pick(settings, tab, "exactly")
    headings = tab.locator(".exchange > h2").all_inner_texts()
    assert headings == ["Question 1 of 3", "Question 1 of 3 · checking the same idea"]
    saids = tab.locator(".exchange .said").all_inner_texts()
    assert saids[0] == "You said: It fixes the prediction"
    # The next part of the reading, then the next question.
    assert "The score grows with the distance" in tab.locator(".lead-in").inner_text()
    assert tab.locator("#question-title").inner_text() == "Question 2 of 3"
    # An Exactly is framed in its own colour, focused or not: never in the focus amber.
    exactly = tab.locator("#feedback")
    assert "grade-exactly" in exactly.get_attribute("class")
    frame = exactly.evaluate(
        "el => { const s = getComputedStyle(el); return [s.borderLeftColor, s.outlineStyle]; }"
    )
    assert frame == ["rgb(22, 101, 52)", "none"]
    if javascript:
        assert tab.evaluate("window.samePage") is True
        assert tab.evaluate("document.activeElement.id") == "feedback"
    assert tab.errors == []


def test_skipped_steps_are_said_and_the_end_recaps_the_lesson(talk, tabs, javascript):
    url, settings = talk
    tab = tabs(javascript=javascript, height=900)
    tab.goto(f"{url}/lessons/{LESSON}/steps/1")
    for _ in range(3):
        pick(settings, tab, "exactly")
    assert "we skip ahead" in tab.locator("#feedback .why").inner_text()
    tab.locator(".continue a").click()
    assert tab.locator("h1").inner_text() == "Compute an MSE"
    tab.locator("#value").fill("not a number")
    assert tab.locator("#value").evaluate("f => f.checkValidity()") is False
    send(tab, "I'm not sure")
    assert "Not sure" in tab.locator("#feedback .grade-word").inner_text()
    for _ in range(6):
        if not tab.locator("form.answer").count():
            break
        question = tab.locator("legend.prompt").inner_text()
        truths, predictions = (
            [float(x) for x in part.split(" and ")]
            for part in question.removeprefix("Truths ").split(". What")[0].split(", predictions ")
        )
        mse = sum((t - q) ** 2 for t, q in zip(truths, predictions, strict=True)) / 2
        tab.locator("#value").fill(f"{mse:g}")
        send(tab)
        if tab.locator(".continue a").count() and not tab.locator("form.answer").count():
            tab.locator(".continue a").click()
    finished = tab.locator("#finished-title").inner_text()
    assert finished == "You have reached the end of the lesson"
    recap = tab.locator(".recap-steps > li")
    assert recap.count() == 3
    assert "Skipped" in recap.nth(1).inner_text()
    assert "You worked out" in recap.nth(2).inner_text()
    if javascript:  # axe runs in the page: the end, the whole step 1 and home, at 360 px
        from test_accessibility import axe_api, check

        axe = axe_api.Axe()
        tab.set_viewport_size({"width": 360, "height": 800})
        check(tab, axe, "the end of the lesson")
        for path in (f"/lessons/{LESSON}/steps/1", f"/lessons/{LESSON}/steps/2", "/"):
            tab.goto(url + path)
            check(tab, axe, path)
    assert tab.errors == []
