"""A near miss in Chromium, with JavaScript and without: a number close to the answer but
outside its tolerance is graded Close, with feedback that says what to try, not Not quite.

Skipped when Debian's chromium is not installed, unless TUTOR_REQUIRE_BROWSER is set.
"""

from __future__ import annotations

import pytest
from test_browser import ROOT, current_question, send  # skips without Chromium, as there

from tutor.lessons.kinds import Seat
from tutor.teaching.grading import grade

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_near_miss_is_close_and_says_what_to_try(serve, tabs, javascript):
    url, settings = serve(ROOT / "tests" / "data" / "angles")
    page = tabs(javascript=javascript)
    page.goto(url + "/lessons/angles/steps/1")
    question = current_question(settings, page)
    assert question.kind == "numeric"
    near = round(question.answer * 1.03, 2)  # 3% off: outside the tolerance, not wild
    graded = grade(question, Seat(b"k", "someone"), value=str(near))
    assert graded.grade == "close", "the lesson's numbers make 3% off a near miss"
    page.locator("#value").fill(str(near))
    send(page)
    feedback = page.locator("#feedback")
    assert feedback.locator(".grade-word").inner_text().split()[-1] == "Close"
    text = " ".join(feedback.inner_text().split())
    assert "within a few percent, so the method looks right" in text  # what to try
    assert "engine" not in text
