"""A near miss in Chromium, with JavaScript and without: a number close to the answer but
outside its tolerance is graded Close, with feedback that says what to try, not Not quite.

Skipped when Debian's chromium is not installed, unless TUTOR_REQUIRE_BROWSER is set.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import live_server
from test_browser import CHROMIUM, ROOT, current_question, playwright_api, send

from tutor.app import create_app
from tutor.config import Settings
from tutor.lessons.kinds import Seat
from tutor.teaching.grading import grade

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_near_miss_is_close_and_says_what_to_try(tmp_path: Path, javascript):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'tutor.db'}",
        lessons_dir=ROOT / "tests" / "data" / "angles",
        secret_key="browser-test",
    )
    with live_server(create_app(settings)) as url, playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        page = browser.new_context(java_script_enabled=javascript).new_page()
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
        browser.close()
