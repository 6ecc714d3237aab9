"""A learner's own topic, over HTTP: declared words in the API, a form on the pages, every
word checked with its own message, kept with the learner, shown as written (escaped) and
only ever to that learner."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from helpers import new_learner, switch_topic
from test_pages import form_fields, page, text_of

from tutor.app import create_app

LESSON = "mini"
MINE = {"thing": "a sourdough loaf", "positive": "ready to bake"}
HOSTILE = {
    "thing": '<script>alert("x")</script>',
    "positive": "<img src=x onerror=alert(1)> & \"quotes\" 'too'",
}


def put(client: TestClient, headers: dict, body: dict):
    return client.put(f"/api/lessons/{LESSON}/topic", json=body, headers=headers)


def test_the_lesson_lists_the_words_a_learner_writes(client: TestClient):
    lesson = client.get(f"/api/lessons/{LESSON}").json()
    assert lesson["topic_words"] == [
        {"name": "thing", "hint": "What the network looks at", "example": "a photo", "group": None},
        {"name": "positive", "hint": "The yes", "example": "a cat", "group": None},
    ]
    assert lesson["topics"][0] == {"id": "cats", "label": "Cat photos"}  # ready topics stay


def test_an_api_learner_writes_their_own_topic_and_every_text_uses_it(client: TestClient):
    headers = new_learner(client)
    reply = put(client, headers, {"custom": MINE})
    assert reply.status_code == 200, reply.text
    assert reply.json()["topic"] == "custom"
    prompt = reply.json()["question"]["prompt"]
    assert prompt == (
        "The network said 0.2 for a sourdough loaf that is ready to bake. What does a loss do?"
    )
    again = client.get(f"/api/lessons/{LESSON}/next", headers=headers).json()
    assert again["question"]["prompt"] == prompt and again["topic"] == "custom"
    progress = client.get("/api/learners/me/progress", headers=headers).json()["lessons"]
    assert next(p for p in progress if p["lesson_id"] == LESSON)["topic"] == "custom"


def test_switching_to_a_ready_topic_and_back_keeps_the_learners_words(client: TestClient):
    headers = new_learner(client)
    refused = put(client, headers, {"topic": "custom"})
    assert refused.status_code == 422
    assert "no topic of your own" in refused.json()["detail"]
    put(client, headers, {"custom": MINE})
    spam = put(client, headers, {"topic": "spam"}).json()
    assert "for an email that is spam" in spam["question"]["prompt"]
    back = put(client, headers, {"topic": "custom"}).json()
    assert "for a sourdough loaf that is ready to bake" in back["question"]["prompt"]


@pytest.mark.parametrize(
    ("custom", "field", "message"),
    [
        ({"thing": "", "positive": "x"}, "thing", "cannot be left empty"),
        ({"thing": "  \t ", "positive": "x"}, "thing", "cannot be left empty"),
        ({"thing": "a" * 61, "positive": "x"}, "thing", "at most 60 characters"),
        ({"thing": "a" * 5000, "positive": "x"}, "thing", "at most 60 characters"),
        ({"thing": "a *loaf*", "positive": "x"}, "thing", "Leave out *"),
        ({"thing": "$x$", "positive": "x"}, "thing", "Leave out $"),
        ({"thing": "{{ topic.thing }}", "positive": "x"}, "thing", "Leave out { }"),
        ({"thing": "a\u202eloaf", "positive": "x"}, "thing", "text-direction characters"),
        ({"thing": "[a](javascript:x)", "positive": "x"}, "thing", "Leave out [ ]"),
        ({"thing": "<http://evil.example>", "positive": "x"}, "thing", "would become links"),
        ({"thing": "a loaf"}, "positive", "cannot be left empty"),
        ({"thing": "a loaf", "positive": "x", "colour": "red"}, "colour", "not one of this"),
        ({"thing": 3, "positive": "x"}, "thing", "valid string"),
    ],
)
def test_each_word_that_does_not_fit_is_a_422_naming_the_word(
    client: TestClient, custom: dict, field: str, message: str
):
    headers = new_learner(client)
    reply = put(client, headers, {"custom": custom})
    assert reply.status_code == 422, reply.text
    errors = {tuple(e["loc"][-2:]): e["msg"] for e in reply.json()["detail"]}
    assert message in errors[("custom", field)], errors
    # Nothing was kept: the learner is still on the default topic.
    nxt = client.get(f"/api/lessons/{LESSON}/next", headers=headers).json()
    assert nxt["topic"] == "cats"


def test_several_words_that_do_not_fit_are_named_together(client: TestClient):
    headers = new_learner(client)
    reply = put(client, headers, {"custom": {"thing": "", "positive": "#1"}})
    assert [e["loc"] for e in reply.json()["detail"]] == [
        ["body", "custom", "thing"],
        ["body", "custom", "positive"],
    ]


@pytest.mark.parametrize(
    "body", [{}, {"topic": "spam", "custom": MINE}, {"custom": MINE, "extra": 1}]
)
def test_a_topic_body_gives_either_a_ready_topic_or_the_learners_words(
    client: TestClient, body: dict
):
    reply = put(client, new_learner(client), body)
    assert reply.status_code == 422, reply.text


def test_a_lesson_without_topic_words_offers_its_ready_topics_only(settings):
    only_ready = settings.model_copy(update={"lessons_dir": settings.lessons_dir / "ladder"})
    with TestClient(create_app(only_ready)) as client:
        reply = put_to(client, "ladder", {"custom": {"thing": "a loaf"}})
        assert reply.status_code == 422
        assert reply.json()["detail"] == "lesson 'ladder' offers only its ready topics"
        assert client.get("/api/lessons/ladder").json()["topic_words"] == []
        lesson_page = page(client, "/lessons/ladder")
        assert lesson_page.select_one("form.topic select") is not None
        assert lesson_page.select_one("a.own-topic") is None
        assert client.get("/lessons/ladder/topic").status_code == 422


def put_to(client: TestClient, lesson_id: str, body: dict):
    return client.put(f"/api/lessons/{lesson_id}/topic", json=body, headers=new_learner(client))


def write_topic(client: TestClient, words: dict, back: str = f"/lessons/{LESSON}/steps/1"):
    """Fill in the own-topic form as a browser without JavaScript does, and confirm."""
    form = page(client, f"/lessons/{LESSON}/topic?back={back}")
    fields = form_fields(form, "form.own-topic-form")
    data = {**fields, **{f"custom.{name}": text for name, text in words.items()}}
    return switch_topic(client, LESSON, data)


def test_the_form_shows_each_word_with_its_hint_and_example(client: TestClient):
    page(client, f"/lessons/{LESSON}")  # a cookie first, as a browser would have
    soup = page(client, f"/lessons/{LESSON}/topic")
    labels = [text_of(soup, f"label[for=word-{n}]") for n in ("thing", "positive")]
    assert labels == ["What the network looks at", "The yes"]
    assert text_of(soup, "#example-thing") == "for example: a photo"
    field = soup.select_one("input[name='custom.thing']")
    assert field["maxlength"] == "60" and field["aria-describedby"] == "example-thing"
    link = page(client, f"/lessons/{LESSON}").select_one("form.topic a.own-topic")
    assert link.get_text() == "Write your own topic"
    assert link["href"] == f"/lessons/{LESSON}/topic?back=/lessons/{LESSON}"


def test_writing_a_topic_on_the_page_re_skins_it_and_confirms_the_switch(client: TestClient):
    page(client, f"/lessons/{LESSON}/steps/1")
    response = write_topic(client, MINE, back=f"/lessons/{LESSON}/steps/1%23question")
    assert response.status_code == 303
    assert response.headers["location"] == f"/lessons/{LESSON}/steps/1?switched=1#question"
    soup = page(client, response.headers["location"])
    assert text_of(soup, ".topic-switched").startswith(
        "Switched: this lesson is now about your own topic."
    )
    assert text_of(soup, ".intro") == "A loss scores a sourdough loaf."
    assert "a sourdough loaf that is ready to bake" in text_of(soup, "legend.prompt")
    assert "a sourdough loaf 1" in text_of(soup, ".example")
    chosen = soup.select_one("form.topic option[selected]")
    assert chosen["value"] == "custom" and chosen.get_text() == "Your own topic: a sourdough loaf"
    # Without the confirmation asked for, none is shown.
    assert page(client, f"/lessons/{LESSON}/steps/1").select_one(".topic-switched") is None
    # The form comes back filled in with what was written.
    again = page(client, f"/lessons/{LESSON}/topic")
    assert again.select_one("input[name='custom.thing']")["value"] == "a sourdough loaf"


def test_a_form_that_does_not_fit_comes_back_with_a_message_by_each_field(client: TestClient):
    page(client, f"/lessons/{LESSON}")
    response = write_topic(client, {"thing": "", "positive": "a `ready` <b>one</b>"})
    assert response.status_code == 422
    soup = page_of(response)
    assert "cannot be left empty" in text_of(soup, "#error-thing")
    assert "Leave out `" in text_of(soup, "#error-positive")
    thing = soup.select_one("input[name='custom.thing']")
    assert thing["aria-invalid"] == "true"
    assert thing["aria-describedby"] == "example-thing error-thing"
    # What the learner typed is kept, as text.
    assert soup.select_one("input[name='custom.positive']")["value"] == "a `ready` <b>one</b>"
    assert "<b>one</b>" not in response.text
    summary = soup.select_one(".error-summary")
    assert summary["role"] == "alert"
    assert [a["href"] for a in summary.select("a")] == ["#word-thing", "#word-positive"]
    # Nothing was kept.
    assert text_of(page(client, f"/lessons/{LESSON}/steps/1"), ".intro") == "A loss scores a photo."


def page_of(response):
    from bs4 import BeautifulSoup

    return BeautifulSoup(response.text, "html.parser")


def test_the_form_needs_its_csrf_token(client: TestClient):
    page(client, f"/lessons/{LESSON}")
    data = {"csrf": "forged", "custom.thing": "a loaf", "custom.positive": "x"}
    response = client.post(f"/lessons/{LESSON}/topic", data=data)
    assert response.status_code == 403


def test_hostile_text_is_shown_as_text_on_every_page(client: TestClient):
    page(client, f"/lessons/{LESSON}")
    assert write_topic(client, HOSTILE).status_code == 303
    for url in (
        f"/lessons/{LESSON}/steps/1",
        f"/lessons/{LESSON}/steps/1?switched=1",
        f"/lessons/{LESSON}",
        f"/lessons/{LESSON}/topic",
        "/",
    ):
        html = client.get(url).text
        assert "<script>alert" not in html and "<img src=x" not in html, url
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    assert text_of(soup, ".intro") == 'A loss scores <script>alert("x")</script>.'
    assert "<img src=x onerror=alert(1)> & \"quotes\" 'too'" in text_of(soup, "legend.prompt")
    assert soup.select("script:not([src])") == []
    form = page(client, f"/lessons/{LESSON}/topic")
    assert form.select_one("input[name='custom.thing']")["value"] == HOSTILE["thing"]


def test_unicode_words_are_kept_whole(client: TestClient):
    headers = new_learner(client)
    words = {"thing": "ein Brötchen 🥐", "positive": "knusprig, 金色"}
    prompt = put(client, headers, {"custom": words}).json()["question"]["prompt"]
    assert "for ein Brötchen 🥐 that is knusprig, 金色." in prompt


def test_a_learners_words_never_reach_another_learner(client: TestClient, app):
    page(client, f"/lessons/{LESSON}")
    assert write_topic(client, MINE).status_code == 303
    # An answer, whose feedback page (by the attempt's id) shows the learner's words.
    fields = form_fields(page(client, f"/lessons/{LESSON}/steps/1"))
    sent = client.post(
        f"/lessons/{LESSON}/answer",
        data={**fields, "option_id": "not_sure"},
        follow_redirects=False,
    )
    feedback_url = sent.headers["location"].partition("#")[0]
    assert "after=" in feedback_url and "sourdough" in client.get(feedback_url).text
    api_learner = new_learner(client)
    put(client, api_learner, {"custom": {"thing": "a tax return", "positive": "filed late"}})
    with TestClient(app) as stranger:
        for url in (f"/lessons/{LESSON}/steps/1", f"/lessons/{LESSON}", "/", feedback_url):
            html = stranger.get(url).text
            assert "sourdough" not in html and "tax return" not in html, url
        form = page(stranger, f"/lessons/{LESSON}/topic")
        assert form.select_one("input[name='custom.thing']")["value"] == ""
        other = new_learner(stranger)
        nxt = stranger.get(f"/api/lessons/{LESSON}/next", headers=other).json()
        assert "sourdough" not in str(nxt) and "tax return" not in str(nxt)
        step = stranger.get(f"/api/lessons/{LESSON}/steps/1").json()
        assert "sourdough" not in str(step) and "tax return" not in str(step)


def test_the_learners_topic_is_kept_across_a_restart(client: TestClient, settings):
    headers = new_learner(client)
    put(client, headers, {"custom": MINE})
    with TestClient(create_app(settings)) as restarted:
        nxt = restarted.get(f"/api/lessons/{LESSON}/next", headers=headers).json()
    assert "for a sourdough loaf that is ready to bake" in nxt["question"]["prompt"]


def test_answers_under_ones_own_topic_are_recorded_and_answered_in_it(client: TestClient):
    headers = new_learner(client)
    first = put(client, headers, {"custom": MINE}).json()
    body = {
        "question_id": first["question"]["id"],
        "variant": first["variant"],
        "option_id": "not_sure",
    }
    reply = client.post(f"/api/lessons/{LESSON}/answers", json=body, headers=headers)
    assert reply.status_code == 200, reply.text
    assert reply.json()["next"]["topic"] == "custom"
    # Sent again with the same key, the stored reply comes back alike.
    keyed = {**body, "idempotency_key": "k1"}
    nxt = reply.json()["next"]
    keyed.update(question_id=nxt["question"]["id"], variant=nxt["variant"])
    once = client.post(f"/api/lessons/{LESSON}/answers", json=keyed, headers=headers)
    twice = client.post(f"/api/lessons/{LESSON}/answers", json=keyed, headers=headers)
    assert once.status_code == twice.status_code == 200
    assert once.json() == twice.json()
    assert once.json()["next"]["topic"] == "custom"
