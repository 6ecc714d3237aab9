"""The learner's pages through the test client, as a browser without JavaScript sees them."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from helpers import page_learner, rendered, served_option, switch_topic

from tutor.app import create_app
from tutor.web.security import LEARNER_COOKIE

LESSON = "mini"


def page(client: TestClient, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, response.text
    return BeautifulSoup(response.text, "html.parser")


def text_of(soup: BeautifulSoup, selector: str) -> str:
    node = soup.select_one(selector)
    assert node is not None, f"no {selector!r} on the page"
    return " ".join(node.get_text(" ").split())


def form_fields(soup: BeautifulSoup, selector: str = "form.answer") -> dict[str, str]:
    form = soup.select_one(selector)
    assert form is not None
    return {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}


def answer_with(client: TestClient, soup: BeautifulSoup, grade: str) -> BeautifulSoup:
    """Submit the page's answer form with an option of ``grade``; follow the redirect."""
    fields = form_fields(soup)
    nxt = {
        "question": {"id": fields["question_id"]},
        "variant": int(fields["variant"]),
        "topic": client.app.state.tutor.current(None, LESSON).topic,
    }
    nxt["topic"] = soup.select_one("select[name=topic] option[selected]")["value"]
    question = rendered(client, LESSON, nxt)
    if grade == "not_sure":
        fields["option_id"] = "not_sure"
    elif question.kind == "choice":
        learner = page_learner("test-secret", client.cookies.get(LEARNER_COOKIE))
        fields["option_id"] = served_option("test-secret", learner, question, grade)
    else:
        fields["value"] = str(question.answer if grade == "exactly" else question.answer + 999)
    response = client.post(f"/lessons/{LESSON}/answer", data=fields, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert re.fullmatch(
        rf"/lessons/{LESSON}/steps/\d\?after=\d+#feedback", response.headers["location"]
    )
    return page(client, response.headers["location"])


def test_home_lists_the_lessons_and_sets_a_safe_cookie(client: TestClient):
    response = client.get("/")
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert "tutor_learner=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    soup = BeautifulSoup(response.text, "html.parser")
    assert text_of(soup, ".card h2") == "A tiny lesson"
    assert text_of(soup, ".progress-line span") == "0 of 2 steps done"
    assert soup.select_one(".card a.button")["href"] == f"/lessons/{LESSON}/steps/1"


def test_the_step_page_shows_the_example_and_the_first_question(client: TestClient):
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    assert text_of(soup, ".eyebrow") == "A tiny lesson · Step 1 of 2"
    assert text_of(soup, "h1") == "Loss"
    assert text_of(soup, ".intro") == "A loss scores a photo."
    rows = soup.select_one(".example table").select("tbody tr")  # the item table, not a chart's
    assert [r.th.get_text() for r in rows] == ["a photo 1", "a photo 2"]
    assert "clipped to" in rows[1].get_text()
    assert text_of(soup, "#question-title") == "Question 1 of 2"
    labels = [" ".join(label.get_text().split()) for label in soup.select("label.option")]
    assert len(labels) == 4 and labels[-1] == "I'm not sure"
    assert all(r.get("required") is not None for r in soup.select("input[type=radio]"))
    assert soup.select_one("form.answer button[type=submit]").get_text() == "Submit"


def test_answering_shows_the_grade_feedback_and_the_next_question(client: TestClient):
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    soup = answer_with(client, soup, "close")
    assert text_of(soup, "#feedback .grade-word") == "≈ Close"
    assert text_of(soup, "#feedback .said") == "You said: True or false" or text_of(
        soup, "#feedback .said"
    ).startswith("You said:")
    assert text_of(soup, "#feedback .feedback-text") == "Graded, not pass or fail"
    assert text_of(soup, ".another-way h3") == "Another way to see it"
    assert text_of(soup, "#question-title") == "Question 1 of 2 · checking the same idea"
    soup = answer_with(client, soup, "exactly")
    assert text_of(soup, "#feedback .grade-word") == "✓ Exactly"
    assert text_of(soup, "#feedback .bridge") == "Now the order."
    assert text_of(soup, "#question-title") == "Question 2 of 2"


def test_finishing_a_step_shows_the_takeaway_and_the_teaser(client: TestClient):
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    soup = answer_with(client, soup, "exactly")
    soup = answer_with(client, soup, "exactly")
    assert text_of(soup, "#feedback .takeaway") == "The takeaway A loss is one number."
    assert text_of(soup, "#feedback .teaser") == "Next step Next, compute one."
    assert soup.select_one("form.answer") is None
    link = soup.select_one(".continue a")
    assert link["href"] == f"/lessons/{LESSON}/steps/2"  # a step not begun opens at its top
    soup = page(client, link["href"])
    assert text_of(soup, "#question-title") == "Question 1 of 1"
    assert soup.select_one("input#value") is not None
    assert soup.select_one("button[value=not_sure]").get_text() == "I'm not sure"


def test_a_numeric_answer_through_the_form(client: TestClient):
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    soup = answer_with(client, soup, "exactly")
    answer_with(client, soup, "exactly")
    soup = page(client, f"/lessons/{LESSON}/steps/2")
    soup = answer_with(client, soup, "exactly")
    assert text_of(soup, "#feedback .grade-word") == "✓ Exactly"
    assert text_of(soup, ".finished h2") == "You have reached the end of the lesson"


def at_the_numeric_question(client: TestClient) -> BeautifulSoup:
    soup = answer_with(client, page(client, f"/lessons/{LESSON}/steps/1"), "exactly")
    answer_with(client, soup, "exactly")
    return page(client, f"/lessons/{LESSON}/steps/2")


CHOOSE = "Choose one of the answers, or I'm not sure."
TYPE = "Type a number, such as 0.36."


@pytest.mark.parametrize(
    ("step", "sent", "message"),
    [
        (1, {}, CHOOSE),
        (1, {"option_id": "no-such-option"}, CHOOSE),
        (2, {}, TYPE),
        (2, {"value": "  "}, TYPE),
        (2, {"option_id": "a"}, TYPE),
        (2, {"value": "lots"}, "That does not read as a number. " + TYPE),
        (2, {"value": "1e999"}, "That number is too large to work with. " + TYPE),
        (
            2,
            {"value": "1,000"},
            "Is that comma a thousands separator or a decimal point? Write the number without "
            "it (1000) or with a point (1.0).",
        ),
    ],
)
def test_a_refused_answer_is_explained_in_the_learners_words(client, step, sent, message):
    soup = (
        at_the_numeric_question(client) if step == 2 else page(client, f"/lessons/{LESSON}/steps/1")
    )
    response = client.post(f"/lessons/{LESSON}/answer", data={**form_fields(soup), **sent})
    assert response.status_code == 422
    soup = BeautifulSoup(response.text, "html.parser")
    assert text_of(soup, "#answer-error") == message
    if "value" in sent:  # what was typed stays in the field, to be corrected
        assert soup.select_one("input#value")["value"] == sent["value"]


def post_again(client: TestClient, fields: dict[str, str]) -> str:
    """Send an answer form a second time; the redirect's address."""
    response = client.post(f"/lessons/{LESSON}/answer", data=fields, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def rendered_option(client: TestClient, soup: BeautifulSoup, grade: str) -> str:
    fields = form_fields(soup)
    topic = soup.select_one("select[name=topic] option[selected]")["value"]
    nxt = {"question": {"id": fields["question_id"]}, "variant": int(fields["variant"])}
    question = rendered(client, LESSON, {**nxt, "topic": topic})
    learner = page_learner("test-secret", client.cookies.get(LEARNER_COOKIE))
    return served_option("test-secret", learner, question, grade)


def test_an_answer_sent_twice_shows_the_feedback_on_the_first(client: TestClient):
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    fields = {**form_fields(soup), "option_id": rendered_option(client, soup, "close")}
    first = post_again(client, fields)
    after = re.fullmatch(rf"/lessons/{LESSON}/steps/1\?after=(\d+)#feedback", first)
    assert after is not None
    # Back and Submit again, this time with another option: the first answer stands.
    second = post_again(client, {**fields, "option_id": rendered_option(client, soup, "exactly")})
    assert second == f"/lessons/{LESSON}/steps/1?after={after[1]}&note=answered#feedback"
    soup = page(client, second)
    assert text_of(soup, "#feedback #note").endswith("Your later choice was not recorded.")
    assert text_of(soup, "#feedback .grade-word") == "≈ Close"
    assert text_of(soup, "#question-title") == "Question 1 of 2 · checking the same idea"


def test_an_older_answer_sent_again_goes_to_where_the_learner_is(client: TestClient):
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    old = {**form_fields(soup), "option_id": rendered_option(client, soup, "exactly")}
    soup = answer_with(client, soup, "exactly")
    answer_with(client, soup, "not_quite")  # the last answer is to another question
    again = post_again(client, old)
    assert again == f"/lessons/{LESSON}/steps/1?note=recorded#question"
    soup = page(client, again)
    assert text_of(soup, "#question #note") == "That answer was already recorded."
    assert form_fields(soup)["question_id"] not in (old["question_id"], "order")
    assert "checking the same idea" in text_of(soup, "#question-title")


def test_an_answer_to_an_item_never_asked_is_not_said_to_be_recorded(client: TestClient):
    fields = form_fields(page(client, f"/lessons/{LESSON}/steps/1"))
    stale = {**fields, "variant": str(int(fields["variant"]) + 1), "option_id": "not_sure"}
    again = post_again(client, stale)
    assert again == f"/lessons/{LESSON}/steps/1?note=moved#question"
    note = text_of(page(client, again), "#note")
    assert note.startswith("That question is no longer the current one, so that answer was not")


def test_a_choice_sent_twice_goes_to_where_the_learner_is(client: TestClient):
    soup = answer_with(client, page(client, f"/lessons/{LESSON}/steps/1"), "not_quite")
    soup = answer_with(client, soup, "not_quite")
    assert soup.select_one(".offer form.choices") is not None
    body = {"csrf": form_fields(soup)["csrf"], "choice": "go_on"}
    first = client.post(f"/lessons/{LESSON}/choice", data=body, follow_redirects=False)
    second = client.post(f"/lessons/{LESSON}/choice", data=body, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"].endswith("?note=chosen#question")
    assert text_of(page(client, second.headers["location"]), "#note") == (
        "That choice was already made."
    )


def test_forms_without_a_valid_csrf_token_are_refused(client: TestClient):
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    fields = {**form_fields(soup), "csrf": "forged", "option_id": "not_sure"}
    response = client.post(f"/lessons/{LESSON}/answer", data=fields)
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    stranger = TestClient(client.app)
    response = stranger.post(f"/lessons/{LESSON}/answer", data={**fields, "csrf": ""})
    assert response.status_code == 403


def test_the_lesson_page_shows_steps_status_and_resume(client: TestClient):
    soup = page(client, f"/lessons/{LESSON}")
    assert [" ".join(li.get_text().split()) for li in soup.select(".steps li")] == [
        "Loss not started",
        "Compute an MSE not started",
    ]
    assert text_of(soup, "main p a.button") == "Start the lesson"
    answer_with(client, page(client, f"/lessons/{LESSON}/steps/1"), "exactly")
    soup = page(client, f"/lessons/{LESSON}")
    assert soup.select(".steps .status")[0].get_text() == "in progress"
    assert text_of(soup, "main p a.button") == "Resume at step 1"
    assert [td.get_text() for td in soup.select(".skills .skill-label")] == [
        "getting there",
        "not started",
    ]


def test_resume_after_the_browser_and_server_restart(client: TestClient, settings):
    soup = answer_with(client, page(client, f"/lessons/{LESSON}/steps/1"), "not_quite")
    expected = form_fields(soup)
    cookies = dict(client.cookies)
    with TestClient(create_app(settings), cookies=cookies) as browser:
        again = page(browser, f"/lessons/{LESSON}/steps/1")
    assert form_fields(again)["question_id"] == expected["question_id"]
    assert form_fields(again)["variant"] == expected["variant"]


def test_topic_choice_re_skins_the_pages(client: TestClient):
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    csrf = form_fields(soup)["csrf"]
    response = switch_topic(
        client, LESSON, {"topic": "spam", "csrf": csrf, "back": f"/lessons/{LESSON}/steps/1"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/lessons/{LESSON}/steps/1?switched=1"
    soup = page(client, response.headers["location"])
    assert text_of(soup, ".topic-switched").startswith(
        "Switched: this lesson is now about \u201cSpam filter\u201d."
    )
    assert text_of(soup, ".intro") == "A loss scores an email."
    assert "an email that is spam" in text_of(soup, "legend.prompt")
    response = client.post(
        f"/lessons/{LESSON}/topic",
        follow_redirects=False,
        data={"topic": "spam", "csrf": csrf, "back": "https://evil.example"},
    )
    # The topic in use, chosen again: said so, not "Switched".
    assert response.headers["location"] == f"/lessons/{LESSON}?switched=kept"
    soup = page(client, response.headers["location"])
    assert text_of(soup, ".topic-switched") == (
        "This lesson is already about \u201cSpam filter\u201d: nothing changed."
    )


def test_unknown_pages_are_friendly_404s(client: TestClient):
    soup = page(client, "/lessons/nope", 404)
    assert text_of(soup, ".error") == "no lesson 'nope'; see /api/lessons for the lessons there are"
    page(client, f"/lessons/{LESSON}/steps/9", 404)
    bad = page(client, f"/lessons/{LESSON}/steps/x", 422)
    assert "n: 'x' is not a whole number: give one such as 3" in bad.get_text(" ")


@pytest.mark.parametrize(
    ("n", "status"),
    [
        ("02", 200),
        ("2.0", 200),  # read as FastAPI reads an int path parameter
        ("%202", 200),
        ("-1", 404),
        ("\u00b2", 422),  # a superscript two: a digit to str.isdigit, not a number
        ("2.5", 422),
    ],
)
def test_a_step_number_is_read_as_a_whole_number(client: TestClient, n: str, status: int):
    soup = page(client, f"/lessons/{LESSON}/steps/{n}", status)
    if status == 200:
        second = page(client, f"/lessons/{LESSON}/steps/2")
        assert text_of(soup, "h1") == text_of(second, "h1")
    elif status == 404:
        assert text_of(soup, ".error").endswith("not -1")
    else:
        assert "is not a whole number: give one such as 3" in text_of(soup, ".error")


@pytest.mark.parametrize("url", ["/nope", "/lessons/x/y/z", "/instructor/nope", "/static/nope.js"])
def test_an_address_with_no_page_is_an_html_404(client: TestClient, url: str):
    soup = page(client, url, 404)
    assert text_of(soup, "h1") == "Not found"
    assert text_of(soup, ".error").startswith("There is no page at this address.")


def test_the_api_keeps_json_for_addresses_it_does_not_have(client: TestClient):
    response = client.get("/api/nope")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "there is no /api/nope in the API; its addresses are listed at /docs"
    }
    wrong_method = client.delete("/api/lessons")
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "GET"
    assert wrong_method.json() == {"detail": "/api/lessons does not take DELETE; it takes GET"}
    # The API's own 404s keep their own words.
    assert client.get("/api/lessons/nope").json()["detail"].startswith("no lesson 'nope'")


def test_pages_link_a_favicon_that_is_served(client: TestClient):
    href = page(client, "/").select_one("link[rel=icon]")["href"]
    icon = client.get(href)
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"


def test_changing_the_topic_takes_a_button_press(client: TestClient):
    for url in (f"/lessons/{LESSON}", f"/lessons/{LESSON}/steps/1"):
        form = page(client, url).select_one("form.topic")
        assert form.select_one("select[data-autosubmit]") is None  # no switch on change
        assert form.select_one("button[type=submit]").get_text() == "Switch"


def test_security_headers_on_every_page(client: TestClient):
    for url in ("/", f"/lessons/{LESSON}", "/api/lessons"):
        headers = client.get(url).headers
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_a_future_step_points_back_to_where_the_learner_is(client: TestClient):
    soup = page(client, f"/lessons/{LESSON}/steps/2")
    assert "The questions of this step open once you get here." in text_of(soup, ".note")
    assert soup.select_one("form.answer") is None


def test_every_step_of_the_shipped_lessons_renders_in_every_topic(settings, tmp_path):
    from tutor.config import ROOT

    shipped = create_app(settings.model_copy(update={"lessons_dir": ROOT / "lessons"}))
    with TestClient(shipped) as browser:
        for loaded in shipped.state.tutor.catalog:
            lesson = loaded.lesson
            for topic in lesson.topics:
                for n in range(1, len(lesson.steps) + 1):
                    response = browser.get(f"/api/lessons/{lesson.id}/steps/{n}?topic={topic}")
                    assert response.status_code == 200, (lesson.id, n, topic, response.text)
                browser.get(f"/api/lessons/{lesson.id}/steps/1")
                soup = page(browser, f"/lessons/{lesson.id}")
                csrf = soup.select_one("input[name=csrf]")["value"]
                switched = switch_topic(browser, lesson.id, {"topic": topic, "csrf": csrf})
                assert switched.status_code == 303, switched.text
                for n in range(1, len(lesson.steps) + 1):
                    soup = page(browser, f"/lessons/{lesson.id}/steps/{n}")
                    assert soup.select_one("h1").get_text().strip()
                    if soup.select_one(".example") is not None:
                        assert soup.select_one(".example table, .example dl") is not None


TOO_BIG = ["2147483648", "9223372036854775808", "18446744073709551616", "9" * 40]
NOT_NUMBERS = ["x", "nan", "1e999"]
FORM = {"question_id": "what-loss-does", "variant": "0", "option_id": "not_sure"}


@pytest.mark.parametrize(
    ("method", "url", "field", "bad"),
    [
        ("get", f"/lessons/{LESSON}/steps/{{}}", None, ["0", "-1", "1.5"]),
        ("get", f"/lessons/{LESSON}/steps/1", "after", ["0", "-1", "1.5"]),
        ("post", f"/lessons/{LESSON}/answer", "variant", ["-1", "1.5"]),
        ("get", "/lab/descent", "steps", ["0", "51", "-1"]),
        ("get", "/lab/descent/results", "steps", ["0", "51"]),
        ("get", "/lab/descent", "lr", ["0", "-1", "101"]),
        ("get", "/lab/descent", "start", ["-11", "11"]),
        ("get", "/lab/loss", "eps", ["0", "0.7", "-1"]),
        ("get", "/lab/loss/results", "eps", ["0", "0.7"]),
    ],
)
def test_numbers_out_of_range_or_not_numbers_get_a_4xx_page(client, method, url, field, bad):
    csrf = form_fields(page(client, f"/lessons/{LESSON}/steps/1"))["csrf"]
    for value in [*bad, *TOO_BIG, *NOT_NUMBERS]:
        if field is None:
            response = client.get(url.format(value))
        elif method == "get":
            response = client.get(url, params={field: value})
        else:
            response = client.post(url, data={**FORM, "csrf": csrf, field: value})
        assert 400 <= response.status_code < 500, (value, response.text[:200])
        assert response.headers["content-type"].startswith("text/html"), value


def test_the_worked_example_is_in_each_learners_topic(app):
    """The example's HTML is rendered once per lesson, step and topic and shared by every
    learner: a learner who switched topic reads it in their own words."""
    steps = TestClient(app).get(f"/api/lessons/{LESSON}").json()["steps"]

    def examples(client: TestClient) -> dict[int, str]:
        shown = {}
        for step in steps:
            found = page(client, f"/lessons/{LESSON}/steps/{step['n']}").select_one(
                "section.example"
            )
            if found is not None:
                shown[step["n"]] = found.get_text(" ", strip=True)
        return shown

    with TestClient(app) as first, TestClient(app) as second:
        page(second, f"/lessons/{LESSON}/steps/1")  # a learner of its own
        before = examples(first)
        assert before and all("a photo 1" in text for text in before.values())
        fields = form_fields(page(second, f"/lessons/{LESSON}/steps/1"), "form.topic")
        switched = switch_topic(second, LESSON, {**fields, "topic": "spam"})
        assert switched.status_code == 303, switched.text
        theirs = examples(second)
        assert theirs.keys() == before.keys()
        assert all("an email 1" in text and "a photo" not in text for text in theirs.values())
        assert examples(first) == before  # the first learner's words are unchanged


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("after=0", "after: Input should be greater than or equal to 1"),
        ("after=2147483648", "after: Input should be less than or equal to 2147483647"),
        ("after=x", "after: 'x' is not a whole number: give one such as 3"),
        ("shown=abcdefghijklmn", "shown: String should have at most 12 characters"),
        ("note=abcdefghijklmn", "note: String should have at most 12 characters"),
    ],
)
def test_a_step_page_with_a_bad_query_says_what_is_wrong(client: TestClient, query, said):
    soup = page(client, f"/lessons/{LESSON}/steps/1?{query}", status=422)
    assert said in " ".join(soup.get_text(" ").split())


def test_a_step_page_reads_its_query(client: TestClient):
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    answered = answer_with(client, soup, "not_quite")
    assert answered.select_one("#feedback") is not None
    noted = page(client, f"/lessons/{LESSON}/steps/1?note=moved")
    assert "no longer the current one" in noted.get_text()
