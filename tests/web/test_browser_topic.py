"""Writing one's own topic in Chromium, with JavaScript on and off: the form, its messages,
hostile text shown as text, the switch asked first and confirmed, and every text in the
learner's words.

Skipped when Debian's chromium is not installed, unless TUTOR_REQUIRE_BROWSER is set.
"""

from __future__ import annotations

import pytest
from test_browser import ROOT, playwright_api  # skips without Chromium, as there

LESSON = "how-a-network-learns"

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Markup that would run script if it were ever inserted as HTML: a dialog the tabs fixture
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
def server(serve):
    return serve(ROOT / "lessons")[0]


@pytest.fixture
def page(tabs, javascript: bool):
    tab = tabs(javascript=javascript)
    yield tab
    assert tab.errors == []


def not_pwned(page) -> None:
    assert page.locator("img[src=x]").count() == 0


def test_a_learner_writes_their_own_topic_and_the_lesson_speaks_of_it(server, page, javascript):
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
    # Asked first, with the words as written, shown as text.
    asked = page.locator("#topic-confirm")
    assert asked.get_by_role("heading").inner_text() == "Switch this lesson to your own topic?"
    assert asked.locator(".own-words dd").all_inner_texts() == list(WORDS.values())
    assert asked.get_by_role("link").inner_text() == "Keep the topic “Cat photos”"
    not_pwned(page)
    asked.get_by_role("button", name="Switch").click()
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

    # Back to a ready topic: asked first (in place with JavaScript, on a page without), and
    # Keep leaves the lesson as it was.
    menu = page.locator("form.topic")
    menu.locator("select").select_option("cats")
    menu.get_by_role("button", name="Switch").click()
    asked = page.locator("#topic-confirm")
    assert (
        asked.get_by_role("heading").inner_text() == "Switch this lesson to the topic “Cat photos”?"
    )
    if javascript:
        assert page.url.endswith(f"/lessons/{LESSON}/steps/1")  # still on the step
        playwright_api.expect(asked.get_by_role("heading")).to_be_focused()
    asked.get_by_role("link", name="Keep your own topic").click()
    playwright_api.expect(asked).to_have_count(0)
    assert "a loaf of bread" in page.locator(".intro").inner_text()
    assert page.locator("select[name=topic]").input_value() == "custom"
    if javascript:
        playwright_api.expect(page.locator("select[name=topic]")).to_be_focused()
    # Asked again, and switched; the own words are kept for later.
    menu.locator("select").select_option("cats")
    menu.get_by_role("button", name="Switch").click()
    asked.get_by_role("button", name="Switch").click()
    status = page.get_by_role("status").inner_text()
    assert "this lesson is now about \u201cCat photos\u201d" in status
    assert "a photo" in page.locator(".intro").inner_text()
    page.get_by_role("link", name="Write your own topic").click()
    assert page.locator("#word-f2").input_value() == HOSTILE


def hint_of(page, name: str) -> str:
    return page.locator(f"label[for=word-{name}]").inner_text()


def test_a_field_stops_at_its_length_limit(server, page):
    page.goto(f"{server}/lessons/{LESSON}/topic")
    page.locator("#word-f1").press_sequentially("x" * 70)
    assert page.locator("#word-f1").input_value() == "x" * 60


def test_the_form_its_messages_and_the_question_before_a_switch_pass_axe(server, tabs, javascript):
    """At 360 px, in light and dark. Without JavaScript the page's own scripts are blocked
    instead, so that axe (a script itself) checks the pages as they are without it."""
    from test_accessibility import axe_api, check

    axe = axe_api.Axe()
    page = tabs(page_scripts=javascript, width=360, height=800)
    page.goto(f"{server}/lessons/{LESSON}/topic")
    assert page.evaluate("document.documentElement.classList.contains('js')") is javascript
    check(page, axe, "the form")
    page.get_by_role("button", name="Use my topic").click()  # every field empty
    assert page.locator(".field-error").count() == len(WORDS)
    check(page, axe, "the form with its messages")
    for name, text in WORDS.items():
        page.locator(f"#word-{name}").fill(text)
    page.get_by_role("button", name="Use my topic").click()
    assert page.locator("#topic-confirm h1").count() == 1
    check(page, axe, "the question before a switch")
    page.locator("#topic-confirm").get_by_role("button", name="Switch").click()
    check(page, axe, "the lesson page, switched")
    page.locator("form.topic select").select_option("spam")
    page.locator("form.topic").get_by_role("button", name="Switch").click()
    heading = page.locator("#topic-confirm h2" if javascript else "#topic-confirm h1")
    assert heading.inner_text() == "Switch this lesson to the topic “Spam filter”?"
    check(page, axe, "the question before a switch, in place" if javascript else "from the menu")
    assert page.errors == []
