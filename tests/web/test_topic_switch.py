"""A switch of topic is confirmed on a page of its own before it happens, over HTTP as a
browser without JavaScript sends it: nothing changes until the learner says so, Keep leaves
the lesson as it was, and the topic already in use is kept without asking."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from test_own_topic import HOSTILE, MINE
from test_pages import form_fields, page, text_of

LESSON = "mini"
BACK = f"/lessons/{LESSON}/steps/1#question"


def choose(client: TestClient, topic: str, **fields: str):
    """Choose a ready topic from the step page's menu; the answer, not followed."""
    menu = form_fields(page(client, f"/lessons/{LESSON}/steps/1"), "form.topic")
    data = {**menu, "topic": topic, **fields}
    return client.post(f"/lessons/{LESSON}/topic", data=data, follow_redirects=False)


def write(client: TestClient, words: dict[str, str]):
    """Send the own-topic form with ``words``; the answer, not followed."""
    form = form_fields(page(client, f"/lessons/{LESSON}/topic?back={BACK}"), "form.own-topic-form")
    data = {**form, **{f"custom.{name}": text for name, text in words.items()}}
    return client.post(f"/lessons/{LESSON}/topic", data=data, follow_redirects=False)


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def confirm(client: TestClient, asked: BeautifulSoup):
    fields = form_fields(asked, "form.confirm-switch")
    return client.post(f"/lessons/{LESSON}/topic", data=fields, follow_redirects=False)


def intro(client: TestClient) -> str:
    return text_of(page(client, f"/lessons/{LESSON}/steps/1"), ".intro")


def test_choosing_another_topic_asks_first_and_changes_nothing(client: TestClient):
    asked = choose(client, "spam")
    assert asked.status_code == 200
    soup = soup_of(asked)
    assert text_of(soup, "h1") == "Switch this lesson to the topic “Spam filter”?"
    assert "Your answers and progress are kept; the texts of this lesson will be rewritten" in (
        text_of(soup, "#topic-confirm")
    )
    fields = form_fields(soup, "form.confirm-switch")
    assert fields["topic"] == "spam" and fields["confirm"] == "1" and fields["back"] == BACK
    assert fields["csrf"]  # the same protection as every form of the pages
    assert [b.get_text() for b in soup.select("form.confirm-switch button")] == ["Switch"]
    keep = soup.select_one("#topic-confirm a.keep")
    assert keep.get_text() == "Keep the topic “Cat photos”" and keep["href"] == BACK
    assert intro(client) == "A loss scores a photo."


def test_switch_confirmed_makes_the_lesson_about_the_topic(client: TestClient):
    switched = confirm(client, soup_of(choose(client, "spam")))
    assert switched.status_code == 303
    assert switched.headers["location"] == f"/lessons/{LESSON}/steps/1?switched=1#question"
    notice = text_of(page(client, switched.headers["location"]), ".topic-switched")
    assert notice.startswith("Switched: this lesson is now about \u201cSpam filter\u201d.")
    assert intro(client) == "A loss scores an email."


def test_keep_goes_back_with_the_topic_as_it_was(client: TestClient):
    keep = soup_of(choose(client, "spam")).select_one("a.keep")["href"]
    soup = page(client, keep.partition("#")[0])
    assert soup.select_one(".topic-switched") is None
    assert soup.select_one("form.topic option[selected]")["value"] == "cats"
    assert text_of(soup, ".intro") == "A loss scores a photo."


def test_the_topic_already_in_use_is_kept_without_asking(client: TestClient):
    same = choose(client, "cats")
    assert same.status_code == 303
    assert same.headers["location"] == f"/lessons/{LESSON}/steps/1?switched=kept#question"
    said = soup_of(client.get(same.headers["location"])).select_one(".topic-switched").get_text()
    kept = "This lesson is already about \u201cCat photos\u201d: nothing changed."
    assert " ".join(said.split()) == kept
    confirm(client, soup_of(choose(client, "spam")))
    again = choose(client, "spam")
    assert again.status_code == 303 and "switched=kept" in again.headers["location"]


def test_the_confirmation_needs_the_forms_csrf_token(client: TestClient):
    fields = form_fields(soup_of(choose(client, "spam")), "form.confirm-switch")
    forged = client.post(f"/lessons/{LESSON}/topic", data={**fields, "csrf": "forged"})
    assert forged.status_code == 403
    assert intro(client) == "A loss scores a photo."


def test_an_own_topic_is_checked_before_it_is_confirmed(client: TestClient):
    page(client, f"/lessons/{LESSON}")
    unfit = write(client, {"thing": "", "positive": "ready"})
    assert unfit.status_code == 422  # the messages by each field come first
    assert soup_of(unfit).select_one("#topic-confirm") is None
    assert "cannot be left empty" in text_of(soup_of(unfit), "#error-thing")
    asked = write(client, {"thing": "  a sourdough   loaf ", "positive": "ready to bake"})
    assert asked.status_code == 200
    soup = soup_of(asked)
    assert text_of(soup, "h1") == "Switch this lesson to your own topic?"
    words = [" ".join(d.get_text(" ").split()) for d in soup.select(".own-words > div")]
    assert words == ["What the network looks at a sourdough loaf", "The yes ready to bake"]
    assert text_of(soup, "a.keep") == "Keep the topic “Cat photos”"
    assert intro(client) == "A loss scores a photo."  # nothing kept yet
    assert confirm(client, soup).status_code == 303
    assert intro(client) == "A loss scores a sourdough loaf."
    # The same words again: already in use, so no question.
    assert write(client, MINE | {"thing": "a sourdough loaf"}).status_code == 303
    # Other words: asked, and Keep speaks of the topic as it was.
    soup = soup_of(write(client, {"thing": "a bagel", "positive": "ready to bake"}))
    assert text_of(soup, "a.keep") == "Keep your topic as it was"


def test_back_to_the_own_topic_from_the_menu_shows_its_words(client: TestClient):
    page(client, f"/lessons/{LESSON}")
    confirm(client, soup_of(write(client, MINE)))
    confirm(client, soup_of(choose(client, "spam")))
    soup = soup_of(choose(client, "custom"))
    assert text_of(soup, "h1") == "Switch this lesson to your own topic?"
    assert "a sourdough loaf" in text_of(soup, ".own-words")
    assert text_of(soup, "a.keep") == "Keep the topic “Spam filter”"
    assert form_fields(soup, "form.confirm-switch")["topic"] == "custom"
    assert confirm(client, soup).status_code == 303
    assert intro(client) == "A loss scores a sourdough loaf."


def test_the_confirmation_shows_hostile_words_as_text(client: TestClient):
    page(client, f"/lessons/{LESSON}")
    asked = write(client, HOSTILE)
    assert asked.status_code == 200
    assert "<script>alert" not in asked.text and "<img src=x" not in asked.text
    soup = soup_of(asked)
    assert [d.get_text() for d in soup.select(".own-words dd")] == list(HOSTILE.values())
    sent = form_fields(soup, "form.confirm-switch")
    assert sent["custom.thing"] == HOSTILE["thing"]  # sent again exactly as written
    assert soup.select("script:not([src])") == []
    assert confirm(client, soup).status_code == 303
    assert intro(client) == 'A loss scores <script>alert("x")</script>.'
