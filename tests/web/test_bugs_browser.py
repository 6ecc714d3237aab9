"""Rough edges a new learner and an instructor hit, as Chromium shows them, with JavaScript
and without: the offer after repeated misses, another angle with the numbers on screen,
and the instructor's pages (the way to sign in, the counts, the width).

Skipped when Debian's chromium is not installed, unless TUTOR_REQUIRE_BROWSER is set.
"""

from __future__ import annotations

import re

import httpx
import pytest
from helpers import answer, new_learner
from test_browser import ROOT, answer_right, current_question, send  # skips without Chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DATA = ROOT / "tests" / "data"
TOKEN = "bugs-test-token"


def words(text: str) -> str:
    return " ".join(text.split())


def miss(page) -> None:
    """Say "I'm not sure" to the question on screen (a choice or a number)."""
    not_sure = page.locator("form.answer input[value=not_sure]")
    if not_sure.count():
        not_sure.check()
        send(page)
    else:
        send(page, "I'm not sure")


def offer_on(page) -> dict | None:
    """The offer on screen, as the learner reads it, or None."""
    offer = page.locator("#question .offer")
    if not offer.count():
        return None
    return {
        "heading": words(offer.locator("h2").inner_text()),
        "message": words(offer.locator("p").first.inner_text()),
        "buttons": offer.locator("button").all_inner_texts(),
        "step_back": offer.locator("button[value=revisit]").count() == 1,
    }


def test_offers_name_a_step_back_only_with_its_button_and_vary(serve, tabs, javascript):
    url, _ = serve(DATA)
    page = tabs(javascript=javascript)
    page.goto(f"{url}/lessons/mini/steps/1")
    offers = []
    for _ in range(40):
        offered = offer_on(page)
        if offered:
            offers.append(offered)
            send(page, "Go on for now")
        elif page.locator("form.answer").count():
            miss(page)
        elif page.locator(".continue a").count():
            page.locator(".continue a").click()
        else:
            break
    assert len(offers) >= 3
    first = offers[0]  # after two misses on the first step: nothing to step back to
    assert first["buttons"] == ["Show me another angle", "Go on for now"]
    assert "another angle" in first["message"] and "go on for now" in first["message"]
    for offer in offers:
        assert ("step back" in offer["message"]) == offer["step_back"], offer
        assert not offer["message"].lower().startswith(offer["heading"].lower()), offer
    assert any(offer["step_back"] for offer in offers)
    assert len({(o["heading"], o["message"]) for o in offers}) == len(offers)
    assert page.errors == []


def numbers_in(text: str) -> set[str]:
    return set(re.findall(r"\d+", text))


def test_another_angle_after_a_check_uses_the_numbers_on_screen(serve, tabs, javascript):
    url, settings = serve(DATA / "angles")
    page = tabs(javascript=javascript)
    page.goto(f"{url}/lessons/angles/steps/1")
    answer_right(settings, page)
    page.locator(".continue a").click()
    for _ in range(6):  # miss the doubling, and its checks with new numbers, until offered
        if page.locator("#question .offer").count():
            break
        assert current_question(settings, page).id == "double"
        page.locator("#value").fill("1")
        send(page)
    prompt = words(page.locator("#question legend.prompt").inner_text())
    send(page, "Show me another angle")
    way = words(page.locator("#question .another-way").inner_text())
    assert way.startswith("Another way to see it")
    assert words(page.locator("#question legend.prompt").inner_text()) == prompt
    assert numbers_in(way) <= numbers_in(prompt) | {"2"}  # "2a = a + a", or the a on screen
    assert page.errors == []


def test_the_instructor_finds_the_sign_in_and_wide_pages_with_the_counts(serve, tabs, javascript):
    url, _ = serve(DATA, instructor_token=TOKEN)
    with httpx.Client(base_url=url) as api:
        for _ in range(12):
            answer(api, new_learner(api), "mini", "not_sure")
    page = tabs(javascript=javascript, width=1280, height=900)
    refused = page.goto(f"{url}/instructor")
    assert refused.status == 401
    assert page.locator("h1").inner_text() == "Instructor sign-in needed"
    assert page.title().startswith("Instructor sign-in needed")
    main = page.locator("main").inner_text()
    assert "Something went wrong" not in main
    assert "Authorization" not in main and "Bearer" not in main
    page.get_by_role("link", name=re.compile("sign-in form")).click()
    page.locator("input#token").fill(TOKEN)
    page.locator("form.sign-in button").click()
    assert page.locator("h1").inner_text() == "Instructor"
    assert page.locator("main").bounding_box()["width"] > 900  # not a narrow column
    page.goto(f"{url}/instructor/lessons/mini/analytics")
    assert "12 learners, 12 answers." in words(page.locator("main p").first.inner_text())
    assert "(s)" not in page.locator("main").inner_text()
    assert page.locator("main").bounding_box()["width"] > 900
    assert page.errors == []
