"""Writing one's own topic in Chromium, with JavaScript on and off: the form, its messages,
hostile text shown as text, the switch confirmed, and every text in the learner's words.

Skipped when Debian's chromium is not installed, unless TUTOR_REQUIRE_BROWSER is set.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import live_server
from test_browser import CHROMIUM, playwright_api  # skips without Chromium, as there

from tutor.app import create_app
from tutor.config import Settings

ROOT = Path(__file__).resolve().parents[2]
LESSON = "how-a-network-learns"

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Markup that would run script if it were ever inserted as HTML: a dialog the page fixture
# fails on.
HOSTILE = "<img src=x onerror=alert(1)>"
WORDS = {
    "thing": "a loaf of bread",
    "things": "loaves",
    "question": f"Is this loaf ready? {HOSTILE}",
    "is_yes": "is ready to bake",
    "is_no": "needs more time",
    "yes_label": "ready",
    "no_label": "not yet",
    "f1": "crust colour",
    "f2": HOSTILE,
    "f3": "smell of yeast 🍞",
}


@pytest.fixture
def server(tmp_path: Path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'tutor.db'}",
        lessons_dir=ROOT / "lessons",
        secret_key="browser-test",
    )
    with live_server(create_app(settings)) as url:
        yield url


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request) -> bool:
    return request.param


@pytest.fixture
def page(javascript: bool):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        context = browser.new_context(
            viewport={"width": 1000, "height": 1200}, java_script_enabled=javascript
        )
        tab = context.new_page()
        dialogs: list[str] = []
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        yield tab
        assert dialogs == [], dialogs
        context.close()
        browser.close()


def not_pwned(page) -> None:
    assert page.locator("img[src=x]").count() == 0


def test_a_learner_writes_their_own_topic_and_the_lesson_speaks_of_it(server, page):
    page.goto(f"{server}/lessons/{LESSON}")
    page.get_by_role("link", name="Write your own topic").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Make it about your own topic"
    legends = page.locator("form.own-topic-form legend").all_inner_texts()
    assert legends == ["What the network looks at", "The yes and the no", "Three features it reads"]
    assert page.locator("#example-f1").inner_text() == "for example: ear shape"

    # A first try: one field left empty and one with Markdown; markup and an emoji are fine.
    for name, text in WORDS.items():
        page.get_by_label(hint_of(page, name), exact=True).fill(text)
    page.locator("#word-thing").fill("")
    page.locator("#word-f1").fill("crust *colour*")
    page.get_by_role("button", name="Use my topic").click()
    assert page.locator("#error-thing").inner_text() == (
        "Write a word or a few here; it cannot be left empty."
    )
    assert page.locator("#word-thing").get_attribute("aria-invalid") == "true"
    assert "Leave out *" in page.locator("#error-f1").inner_text()
    summary = page.locator(".error-summary").get_by_role("link")
    assert summary.all_inner_texts() == [
        "One of the things it looks at, with a or an",
        "A first feature",
    ]
    # The first field to fix has the focus, with or without JavaScript.
    playwright_api.expect(page.locator("#word-thing")).to_be_focused()
    # What was typed comes back as typed, markup and all, and never as markup.
    assert page.locator("#word-f2").input_value() == HOSTILE
    assert page.locator("#word-f3").input_value() == "smell of yeast 🍞"
    not_pwned(page)

    page.locator("#word-thing").fill(WORDS["thing"])
    page.locator("#word-f1").fill(WORDS["f1"])
    page.get_by_role("button", name="Use my topic").click()
    assert page.url.endswith(f"/lessons/{LESSON}?switched=1")
    switched = page.get_by_role("status")
    assert "this lesson is now about your own topic" in switched.inner_text()
    assert page.locator("select[name=topic]").input_value() == "custom"
    not_pwned(page)

    page.goto(f"{server}/lessons/{LESSON}/steps/1")
    intro = page.locator(".intro").inner_text()
    assert "A network takes a loaf of bread and answers one yes/no question" in intro
    assert f"Is this loaf ready? {HOSTILE} Its answer" in intro  # as text, in emphasis
    not_pwned(page)

    # Back to a ready topic, confirmed on the page; the own words are kept for later.
    page.locator("select[name=topic]").select_option("cats")
    page.get_by_role("button", name="Switch").click()
    assert "this lesson is now about Cat photos" in page.get_by_role("status").inner_text()
    assert "a photo" in page.locator(".intro").inner_text()
    page.get_by_role("link", name="Write your own topic").click()
    assert page.locator("#word-f2").input_value() == HOSTILE


def hint_of(page, name: str) -> str:
    return page.locator(f"label[for=word-{name}]").inner_text()


def test_a_field_stops_at_its_length_limit(server, page):
    page.goto(f"{server}/lessons/{LESSON}/topic")
    page.locator("#word-f1").press_sequentially("x" * 70)
    assert page.locator("#word-f1").input_value() == "x" * 60


def test_the_form_and_its_messages_pass_axe_at_360_px(server, page, javascript):
    if not javascript:
        pytest.skip("axe runs as a script in the page")
    axe_api = pytest.importorskip("axe_playwright_python.sync_playwright")
    axe = axe_api.Axe()
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{server}/lessons/{LESSON}/topic")
    check_axe(page, axe, "the form")
    page.get_by_role("button", name="Use my topic").click()  # every field empty
    assert page.locator(".field-error").count() == len(WORDS)
    check_axe(page, axe, "the form with its messages")
    for name, text in WORDS.items():
        page.locator(f"#word-{name}").fill(text)
    page.get_by_role("button", name="Use my topic").click()
    check_axe(page, axe, "the lesson page, switched")


def check_axe(page, axe, what: str) -> None:
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        violations = axe.run(page).response["violations"]
        assert [f"{what} ({scheme}): {v['id']}: {v['help']}" for v in violations] == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, what
