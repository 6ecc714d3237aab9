"""A real walk through a lesson in Chromium, driven by Playwright, with the keyboard too.

Runs against a live server on a free port. Skipped when Debian's chromium is not
installed, unless TUTOR_REQUIRE_BROWSER is set (as CI does), where it fails instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import CHROMIUM, page_learner, served_option

from tutor.config import Settings
from tutor.web.security import LEARNER_COOKIE

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Every browser test module imports from here, so that each one skips (or fails) alike.
if not CHROMIUM.exists():
    if os.environ.get("TUTOR_REQUIRE_BROWSER"):
        raise RuntimeError(f"{CHROMIUM} is missing and browser tests are required")
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def server(serve):
    lessons = ROOT / "lessons"
    if not any(lessons.glob("*.yaml")):
        lessons = ROOT / "tests" / "data"
    return serve(lessons)


@pytest.fixture
def page(tabs):
    """A tab with JavaScript on, 1000 px wide."""
    return tabs()


def grade_of_option(server_settings: Settings, page, grade: str) -> str:
    """The id of an option with ``grade`` on the page's current question (test-only)."""
    from tutor.lessons.catalog import load_catalog
    from tutor.lessons.variants import render_question

    question_id = page.locator("input[name=question_id]").first.input_value()
    variant = int(page.locator("input[name=variant]").first.input_value())
    topic = page.locator("select[name=topic]").input_value()
    catalog = load_catalog([server_settings.lessons_dir])
    for lesson in catalog:
        if question_id in lesson.entries:
            entry = lesson.entries[question_id]
            question = render_question(
                lesson.lesson, entry.question, skill=entry.skill, seed=variant, topic=topic
            )
            return served_option(server_settings.secret_key, learner_of(page), question, grade)
    raise AssertionError(question_id)


def learner_of(page) -> str:
    cookie = next((c["value"] for c in page.context.cookies() if c["name"] == LEARNER_COOKIE), None)
    return page_learner("browser-test", cookie)


def current_question(settings: Settings, page):
    """The page's current question, rendered with its grades (test-only knowledge)."""
    from tutor.lessons.catalog import load_catalog
    from tutor.lessons.variants import render_question

    question_id = page.locator("input[name=question_id]").first.input_value()
    variant = int(page.locator("input[name=variant]").first.input_value())
    topic = page.locator("select[name=topic]").input_value()
    parent, _, part = question_id.partition(".")  # a part of a multi-step problem: "q.part"
    lesson = next(x for x in load_catalog([settings.lessons_dir]) if parent in x.entries)
    if part:
        from tutor.teaching.items import substeps

        return next(s for s in substeps(lesson, parent, variant, topic) if s.step_id == part)
    entry = lesson.entries[question_id]
    return render_question(
        lesson.lesson, entry.question, skill=entry.skill, seed=variant, topic=topic
    )


def send(page, button: str = "Submit", *, press: str | None = None) -> None:
    """Send a form of the step's conversation and wait for its new state: swapped in place
    (JavaScript) or a new page (without). ``press`` sends it with that key instead."""
    page.evaluate("document.getElementById('conversation')?.setAttribute('data-sent-from', '')")
    if press:
        page.keyboard.press(press)
    else:
        page.get_by_role("button", name=button).click()
    page.wait_for_selector("#conversation:not([data-sent-from])", state="attached")


def answer_right(settings: Settings, page) -> None:
    """Answer the page's question right with the mouse (choice) or by typing (numeric)."""
    question = current_question(settings, page)
    if question.kind == "choice":
        right = served_option(settings.secret_key, learner_of(page), question, "exactly")
        page.locator(f"input[value='{right}']").check()
    else:
        page.locator("#value").fill(f"{question.answer:.6f}")
    send(page)


def test_a_learner_walks_through_a_step_and_gets_feedback(server, page):
    url, settings = server
    page.goto(url + "/")
    page.get_by_role("link", name="Start").first.click()
    assert " · Step 1 of " in page.locator(".eyebrow").first.inner_text()
    assert page.locator("#question-title").inner_text().startswith("Question 1 of")
    page.locator(f"input[value='{grade_of_option(settings, page, 'not_quite')}']").check()
    send(page)
    feedback = page.locator("#feedback")
    assert "Not quite" in feedback.locator(".grade-word").inner_text()
    assert "Another way to see it" in feedback.inner_text()
    assert "checking the same idea" in page.locator("#question-title").inner_text()
    answer_right(settings, page)
    assert "Exactly" in page.locator("#feedback .grade-word").inner_text()
    assert page.evaluate("document.activeElement.id") == "feedback"


def test_a_step_can_be_done_with_the_keyboard_alone(server, page):
    url, settings = server
    page.goto(url + "/")
    for _ in range(60):  # Tab from the top of the page to the lesson's Start link
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Start":
            break
    page.keyboard.press("Enter")
    page.wait_for_selector("form.answer")
    for _ in range(3):
        question = current_question(settings, page)
        if question.kind != "choice":
            break
        right = served_option(settings.secret_key, learner_of(page), question, "exactly")
        for _ in range(60):  # Tab into the radio group
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.name") == "option_id":
                break
        for _ in range(len(question.options) + 1):  # arrows move within the group
            if page.evaluate("document.activeElement.value") == right:
                break
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Space")
        send(page, press="Enter")
        assert "Exactly" in page.locator("#feedback .grade-word").inner_text()
        if page.locator("form.answer").count() == 0:
            break


def test_screenshot_for_the_readme(server, page, tmp_path: Path):
    """The moment the seed preview shows: a miss, its feedback, another way to see it."""
    url, settings = server
    lesson = "how-a-network-learns"
    page.goto(f"{url}/lessons/{lesson}/steps/1")
    if page.locator("h1").inner_text() == "Not found":
        pytest.skip("the shipped lessons are not there")
    while page.locator("form.answer, form.continue-example").count():
        if page.locator("form.continue-example").count():  # a worked problem, studied
            send(page, "I have worked through it")
        else:
            answer_right(settings, page)
    page.locator(".continue a").click()
    page.locator(f"input[value='{grade_of_option(settings, page, 'close')}']").check()
    send(page)
    # Written into docs/ only when asked (TUTOR_SCREENSHOT=1), so test runs leave no changes.
    folder = ROOT / "docs" if os.environ.get("TUTOR_SCREENSHOT") else tmp_path
    for width, height, name in ((1280, 900, "screenshot.png"), (360, 780, "screenshot-360.png")):
        page.set_viewport_size({"width": width, "height": height})
        page.locator("#feedback").scroll_into_view_if_needed()
        box = page.locator("#feedback").bounding_box()
        top = max(0, box["y"] + page.evaluate("window.scrollY") - 120)
        target = folder / name
        page.screenshot(
            path=str(target),
            full_page=True,
            clip={"x": 0, "y": top, "width": width, "height": height},
        )
        assert target.stat().st_size > 10_000


def load_lessons(settings: Settings) -> list[str]:
    from tutor.lessons.catalog import load_catalog

    return [loaded.id for loaded in load_catalog([settings.lessons_dir])]


def test_a_sent_form_cannot_be_sent_again(server, page):
    url, settings = server
    page.goto(f"{url}/lessons/{load_lessons(settings)[0]}/steps/1")
    # Hold the answer on its way, to look at the form while it is being sent.
    held = []
    page.route("**/answer", lambda route: held.append(route))
    page.locator(f"input[value='{grade_of_option(settings, page, 'exactly')}']").check()
    page.get_by_role("button", name="Submit").click()
    playwright_api.expect(page.locator("form.answer button").first).to_be_disabled()
    assert page.locator("form.answer button:enabled").count() == 0
    page.locator("form.answer").evaluate("form => form.requestSubmit()")  # a second try
    page.wait_for_timeout(200)
    assert len(held) == 1
    # Back to the page as the browser kept it: the form works again.
    page.evaluate("dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    assert page.locator("form.answer button:disabled").count() == 0


def test_back_and_submit_again_shows_what_was_recorded(server, tabs):
    """Without JavaScript, Back brings the answered form again; sending it is harmless."""
    url, settings = server
    page = tabs(javascript=False)
    page.goto(f"{url}/lessons/{load_lessons(settings)[0]}/steps/1")
    page.locator(f"input[value='{grade_of_option(settings, page, 'not_quite')}']").check()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_selector("#feedback")
    page.go_back()
    page.locator(f"input[value='{grade_of_option(settings, page, 'exactly')}']").check()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_selector("#feedback")
    # Another choice, sent after the first was recorded: the first one stands, and says so.
    assert page.locator("#note").inner_text().endswith("Your later choice was not recorded.")
    assert "Not quite" in page.locator("#feedback .grade-word").inner_text()


def watch_for_problems(page) -> list[str]:
    """Collect console errors, uncaught errors, refused content and failed loads as they come."""
    found: list[str] = []
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) =>"
        " console.error(`CSP refused ${e.violatedDirective}: ${e.blockedURI}`))"
    )
    page.on("console", lambda m: found.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: found.append(f"uncaught: {e}"))
    page.on("response", lambda r: found.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return found


def test_the_pages_log_no_errors_even_while_typing_a_number(server, page):
    url, settings = server
    problems = watch_for_problems(page)
    for path in ("/", "/lab/loss", "/lab/descent"):
        page.goto(url + path, wait_until="networkidle")
    lesson = load_lessons(settings)[0]
    page.goto(f"{url}/lessons/{lesson}", wait_until="networkidle")
    page.goto(f"{url}/lessons/{lesson}/steps/1", wait_until="networkidle")
    for _ in range(40):  # answer until a question takes a typed number
        if page.locator("#value").count():
            break
        if page.locator("form.continue-example").count():  # a worked problem, studied
            send(page, "I have worked through it")
        elif page.locator("form.answer").count():
            answer_right(settings, page)
        else:
            break
    field = page.locator("#value")
    assert field.count(), "no numeric question in the first lesson"
    for typed, valid in (("0,36", True), ("−1.5e-3 %", True), ("lots", False)):
        field.fill(typed)
        assert field.evaluate("f => f.checkValidity()") is valid, typed
    # The button pressed still sends its value, though the form's buttons are then disabled.
    send(page, "I'm not sure")
    assert "Not sure" in page.locator("#feedback .grade-word").inner_text()
    assert problems == []


def test_the_api_docs_render_under_the_strict_content_security_policy(server, page):
    url, _ = server
    problems = watch_for_problems(page)
    response = page.goto(url + "/docs")
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() > 5
    page.locator(".opblock-summary").first.click()  # an operation opens, styled and all
    page.wait_for_selector(".opblock-body")
    assert problems == []


def to_the_ladder_problem(page, url: str) -> None:
    """Past the `ladder` lesson's warm-up (answered "not sure"), on step 2: its problem."""
    page.goto(url + "/lessons/ladder/steps/1")
    while page.locator("form.answer").count() and "Warm-up" in page.title():
        page.locator("input[value=not_sure]").check()
        send(page)
    page.goto(url + "/lessons/ladder/steps/2")


def test_a_part_s_hints_come_one_rung_per_click(serve, tabs, javascript):
    """The hint form names the rung it shows: swapped in place, the new form must name the
    next one, or a second click would show the first hint again."""
    url, _ = serve(ROOT / "tests" / "data" / "ladder", fading=False)
    page = tabs(javascript=javascript)
    to_the_ladder_problem(page, url)
    page.locator("#value").fill("-12345")  # the whole problem missed: its parts, one by one
    send(page)
    for shown in (1, 2):
        send(page, "Give me a hint")
        assert page.locator("#hints li").count() == shown
    assert page.locator("#hints li").all_inner_texts() == [
        "Start with the first item only.",
        "error = prediction - truth",
    ]
    assert page.get_by_role("button", name="Show me this part worked").is_visible()
    assert page.errors == []


def test_a_problem_in_parts_from_worked_example_to_a_hint(serve, tabs, javascript):
    url, _ = serve(ROOT / "tests" / "data" / "ladder")
    page = tabs(javascript=javascript)
    to_the_ladder_problem(page, url)
    assert page.locator(".ladder h3").inner_text() == "A worked example"
    assert page.locator(".ladder .worked li").count() == 3
    send(page, "I have worked through it")
    assert page.locator("p.note").inner_text() == "Now one like it, with the last step left to you."
    assert page.locator(".ladder h3").inner_text() == "Part 3 of 3"
    assert page.locator(".ladder .worked li").count() == 2
    # The example just studied is folded beside it: closed, then opened to look back at.
    studied = page.locator("details.studied")
    assert not studied.locator(".worked li").first.is_visible()
    studied.locator("summary").click()
    assert (
        studied.locator(".worked li").count() == 3
        and studied.locator(".worked li").first.is_visible()
    )
    send(page, "Show me this part worked")
    assert page.locator("#hints li").count() == 1
    sub_value = page.locator("#hints li").inner_text()
    assert sub_value.startswith("The mean of the squares is ")
    page.locator("#value").fill(sub_value.removeprefix("The mean of the squares is ").rstrip("."))
    send(page)
    assert "Exactly" in page.locator("#feedback .grade-word").inner_text()
    assert page.errors == []
