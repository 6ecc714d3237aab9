"""Accessibility in Chromium: axe-core finds nothing on any page, in light and dark, at 360 px.

Every step of both shipped lessons is checked twice: with its question, and with the
feedback on a miss showing. Each page must also fit a 360 px wide screen without the page
scrolling sideways (tables may scroll inside their own box), and keyboard focus must show.
"""

from __future__ import annotations

import functools

import pytest
from helpers import served_option
from test_browser import (  # noqa: F401
    ROOT,
    answer_right,
    current_question,
    learner_of,
    page,
    send,
    server,
)

from tutor.lessons import catalog as lesson_loader
from tutor.lessons.catalog import load_catalog

axe_api = pytest.importorskip("axe_playwright_python.sync_playwright")
playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTH = 360
GRADE_WORDS = ("Exactly", "Close", "Not quite", "Not sure")


@pytest.fixture(scope="module")
def axe():
    return axe_api.Axe()


def check(tab, axe, what: str) -> None:
    """No axe violations in either colour scheme, and nothing wider than the screen."""
    problems = []
    for scheme in ("light", "dark"):
        tab.emulate_media(color_scheme=scheme)
        for v in axe.run(tab).response["violations"]:
            targets = [node["target"] for node in v["nodes"]][:3]
            problems.append(f"{what} ({scheme}): {v['id']}: {v['help']} at {targets}")
    tab.emulate_media(color_scheme="light")
    assert problems == []
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{what} is {width} px wide at a {WIDTH} px screen"


def miss(settings, tab) -> None:
    """Answer the current question wrongly (choice: a not_quite option; numeric: far off)."""
    question = current_question(settings, tab)
    if question.kind == "choice":
        wrong = served_option(settings.secret_key, learner_of(tab), question, "not_quite")
        tab.locator(f"input[value='{wrong}']").check()
    else:
        tab.locator("#value").fill(f"{question.answer + 1000:.3f}")
    send(tab)


@pytest.fixture
def narrow(page, monkeypatch):  # noqa: F811
    """A 360 px wide tab; the browser helpers read the lessons once, not once per answer."""
    loaded = functools.cache(lambda paths: load_catalog(list(paths)))
    monkeypatch.setattr(lesson_loader, "load_catalog", lambda paths, **kw: loaded(tuple(paths)))
    page.set_viewport_size({"width": WIDTH, "height": 800})
    return page


def lessons() -> list[str]:
    return [loaded.id for loaded in load_catalog([ROOT / "lessons"])]


@pytest.mark.parametrize("lesson", lessons())
def test_every_step_with_its_question_and_with_feedback(server, narrow, axe, lesson):  # noqa: F811
    url, settings = server
    narrow.goto(f"{url}/lessons/{lesson}")
    check(narrow, axe, "the lesson page")
    narrow.goto(f"{url}/lessons/{lesson}/steps/1")
    checked: set[str] = set()
    for _ in range(80):
        if narrow.locator("form.continue-example").count():  # a worked problem, studied
            send(narrow, "I have worked through it")
            continue
        if not narrow.locator("form.answer").count():
            following = narrow.locator(".continue a")
            if not following.count():
                break
            following.click()
            continue
        step = narrow.locator("p.eyebrow").inner_text()
        if step not in checked:
            checked.add(step)
            check(narrow, axe, f"{step}, with a question")
            miss(settings, narrow)
            grade = narrow.locator("#feedback .grade-word").inner_text()
            assert any(word in grade for word in GRADE_WORDS)  # a word, not only a colour
            check(narrow, axe, f"{step}, with feedback")
            continue
        answer_right(settings, narrow)
    steps = load_catalog([ROOT / "lessons"]).get(lesson).lesson.steps
    assert len(checked) == len(steps)


OTHER_PAGES = [
    "/",
    "/lessons/no-such-lesson",
    "/no/such/page",
    "/lab/loss",
    "/lab/loss?y_true=260,290,200,410&y_pred=500,300,180,400",
    "/lab/loss?y_true=1&y_pred=oops",
    "/lab/loss?y_true=0,1&y_pred=0.7 0.2 0.1; 0.7 0.2 0.1",
    "/lab/descent",
    "/lab/descent?valley=bowl&lr=1.1&start=2",
    "/instructor",  # not signed in: the way to the sign-in form
    "/instructor/sign-in?token=stale",
]


def test_the_home_error_and_lab_pages(server, narrow, axe):  # noqa: F811
    url, _ = server
    for path in OTHER_PAGES:  # one browser for all: starting one costs more than a check
        narrow.goto(url + path)
        check(narrow, axe, path)


def test_keyboard_focus_is_always_visible(server, page):  # noqa: F811
    url, _ = server
    page.goto(url + "/lab/loss")
    seen = 0
    for _ in range(25):
        page.keyboard.press("Tab")
        style = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [document.activeElement.tagName, s.outlineStyle, s.outlineWidth]; })()"
        )
        tag, outline, width = style
        if tag == "BODY":
            continue
        seen += 1
        assert outline != "none" and width != "0px", f"no visible focus on a {tag}"
    assert seen > 10


def test_the_loss_lab_follows_typing_and_says_so_to_screen_readers(server, page):  # noqa: F811
    url, _ = server
    page.goto(url + "/lab/loss?y_true=260,290,200,410&y_pred=250,300,180,400")
    mse = page.locator(".losses dd").first
    assert mse.inner_text() == "175"
    page.locator("#y_pred").fill("500, 300, 180, 400")
    playwright_api.expect(mse).to_have_text("14550")
    playwright_api.expect(page.locator("#lab-status")).to_contain_text("MSE 14550")
    assert "y_pred=500" in page.url  # the address follows, so the state can be shared
    page.locator("#y_pred").fill("500, 300")
    page.wait_for_selector("#lab-results .error")
    assert "same shape" in page.locator("#lab-results .error").inner_text()


def test_the_descent_lab_can_play_its_steps(server, page):  # noqa: F811
    url, _ = server
    page.goto(url + "/lab/descent?lr=6&steps=6")
    page.get_by_role("button", name="Play the steps").click()
    results = page.locator("#lab-results")
    playwright_api.expect(results).to_have_class("playing")
    playwright_api.expect(results).not_to_have_class("playing", timeout=15_000)
    shown = page.locator("#lab-results .step.shown").count()
    assert shown == page.locator("#lab-results .step").count() > 5


def test_with_reduced_motion_play_shows_every_step_at_once(server, page):  # noqa: F811
    url, _ = server
    page.emulate_media(reduced_motion="reduce")
    page.goto(url + "/lab/descent?lr=6&steps=6")
    page.get_by_role("button", name="Play the steps").click()
    results = page.locator("#lab-results")
    playwright_api.expect(page.locator("#lab-status")).to_have_text(
        "All 6 steps are shown, in the chart and the table."
    )
    playwright_api.expect(results).not_to_have_class("playing")
    steps = page.locator("#lab-results .step")
    assert steps.count() == page.locator("#lab-results .step.shown").count() > 5
    assert page.evaluate("document.activeElement.querySelector('.steps-table') !== null")


def test_arrowing_through_the_topics_does_not_leave_the_page(server, page):  # noqa: F811
    url, _ = server
    lesson = lessons()[0]
    page.goto(f"{url}/lessons/{lesson}")
    page.evaluate("window.stayed = true")
    topic = page.locator("form.topic select")
    first = topic.input_value()
    topic.focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert page.evaluate("window.stayed === true")  # no reload: still this document
    chosen = topic.input_value()
    assert chosen != first
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Switch"
    page.keyboard.press("Enter")
    # Asked first, in place: the question takes the focus, its Switch is the next stop.
    asked = page.locator("#topic-confirm")
    playwright_api.expect(asked.get_by_role("heading")).to_be_focused()
    assert page.evaluate("window.stayed === true")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#topic-confirm') !== null")
    assert page.evaluate("document.activeElement.textContent") == "Switch"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("form.topic select").input_value() == chosen
