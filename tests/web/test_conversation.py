"""A step as a conversation, through the pages as a browser without JavaScript sees them.

The test lesson (tests/data/conversation) reads its first step in three parts, checks the
first idea again after a miss, has a second step a learner who knows the idea skips, and a
third with a number to work out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from helpers import page_learner, rendered, served_option

from tutor.web.security import LEARNER_COOKIE

LESSON = "talk"
DATA = Path(__file__).resolve().parents[1] / "data" / "conversation"
SECRET = "test-secret"


@pytest.fixture
def lessons_dir() -> Path:
    return DATA


def page(client: TestClient, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def words(node) -> str:
    return " ".join(node.get_text(" ").split())


def answer(client: TestClient, soup: BeautifulSoup, grade: str) -> BeautifulSoup:
    """Send the page's answer form with an answer graded ``grade``; the page it leads to."""
    form = soup.select_one("form.answer")
    assert form is not None, "no question on the page"
    fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    topic = soup.select_one("select[name=topic] option[selected]")["value"]
    nxt = {"question": {"id": fields["question_id"]}, "variant": int(fields["variant"])}
    question = rendered(client, LESSON, {**nxt, "topic": topic})
    if grade == "not_sure":
        fields["option_id"] = "not_sure"
    elif question.kind == "choice":
        learner = page_learner(SECRET, client.cookies.get(LEARNER_COOKIE))
        fields["option_id"] = served_option(SECRET, learner, question, grade)
    else:
        fields["value"] = str(question.answer if grade == "exactly" else question.answer + 999)
    sent = client.post(f"/lessons/{LESSON}/answer", data=fields, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    return page(client, sent.headers["location"])


def exchanges(soup: BeautifulSoup) -> list[tuple[str, str, str]]:
    """Each exchange on the page: (heading, question asked, grade word)."""
    return [
        (
            words(x.select_one("h2")),
            words(x.select_one(".asked")),
            words(x.select_one(".grade-word")).split(" ", 1)[1],
        )
        for x in soup.select("#conversation .exchange")
    ]


def test_the_step_keeps_its_exchanges_in_order_with_the_next_question_last(client: TestClient):
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    assert words(soup.select_one(".intro")) == "A loss scores how far a photo was from the truth."
    assert soup.select(".exchange") == []
    assert soup.select(".lead-in") == []  # the second part waits for the second question
    soup = answer(client, soup, "close")
    soup = answer(client, soup, "exactly")
    assert exchanges(soup) == [
        (
            "Question 1 of 3",
            "The network said 0.2 for a photo that is a cat. What does a loss do?",
            "Close",
        ),
        (
            "Question 1 of 3 · checking the same idea",
            "A loss is 2.3. What does that number say?",
            "Exactly",
        ),
    ]
    first, second = soup.select(".exchange")
    assert words(first.select_one(".said")) == "You said: It says true or false"
    assert words(first.select_one(".feedback-text")) == "It is graded, not pass or fail."
    assert "Another way to see it" in words(first)
    assert words(second.select_one(".bridge")) == "So a loss is a graded score. How does it grade?"
    # The newest reply is the one a browser moves to; only one carries the id.
    assert soup.select("#feedback") == [second.select_one(".feedback")]
    # Then the next part of the reading, then the next question: after the exchanges.
    conversation = soup.select_one("#conversation")
    parts = [n for n in conversation.children if getattr(n, "name", None)]
    classes = [" ".join(n.get("class", [])) or n.get("id") for n in parts]
    assert classes[-2:] == ["lead-in", "question"]
    assert "The score grows with the distance" in words(parts[-2])
    assert parts[-2].select_one("math") is not None  # its formula is typeset
    assert words(soup.select_one("#question-title")) == "Question 2 of 3"
    # Read again (the exchanges are kept rendered): the same conversation, the same anchor.
    again = page(client, f"/lessons/{LESSON}/steps/1")
    assert again.select(".exchange") == soup.select(".exchange")
    assert again.select("#feedback") == [again.select(".exchange")[1].select_one(".feedback")]


def test_a_wrong_answer_names_the_right_option_and_a_right_one_does_not(client: TestClient):
    soup = answer(client, page(client, f"/lessons/{LESSON}/steps/1"), "not_quite")
    missed = soup.select_one("#feedback")
    assert "grade-not_quite" in missed["class"]
    assert words(missed.select_one(".right-answer")) == (
        "The right answer: It scores the miss as one number"
    )
    soup = answer(client, soup, "exactly")
    assert soup.select_one("#feedback .right-answer") is None
    soup = answer(client, page(client, f"/lessons/{LESSON}/steps/1"), "not_sure")
    assert "The right answer: 0.9" in words(soup.select_one("#feedback"))


def test_resuming_in_the_middle_of_a_check_shows_the_miss_before_it(client: TestClient):
    answer(client, page(client, f"/lessons/{LESSON}/steps/1"), "not_quite")
    # A day later, from the lesson page's Resume link: no answer just sent.
    lesson = page(client, f"/lessons/{LESSON}")
    soup = page(client, lesson.select_one("a.button")["href"])
    assert [x[0] for x in exchanges(soup)] == ["Question 1 of 3"]
    assert "It fixes the prediction" in words(soup.select_one(".exchange .said"))
    assert "Fixing comes later" in words(soup.select_one(".exchange .feedback-text"))
    assert words(soup.select_one("#question-title")) == "Question 1 of 3 · checking the same idea"
    assert soup.select_one("#note") is None


def test_skipped_questions_are_announced_at_a_steps_end_and_still_offered(client: TestClient):
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    for _ in range(3):
        soup = answer(client, soup, "exactly")
    last = soup.select_one("#feedback")
    assert words(last.select_one(".why")) == (
        "You have shown you know this already, so we skip ahead."
    )
    assert "The takeaway" in words(last)
    # Step 3 is new: its page opens at the top, where it teaches before it asks.
    assert soup.select_one(".continue a")["href"] == f"/lessons/{LESSON}/steps/3"
    skipped = page(client, f"/lessons/{LESSON}/steps/2")
    assert skipped.select(".exchange") == []
    offer = skipped.select_one(".skipped")
    assert "Skipped: you had shown you know this" in words(offer)
    form = offer.select_one(f"form[action='/lessons/{LESSON}/practice']")
    fields = {i["name"]: i["value"] for i in form.select("input")}
    assert fields["step"] == "2"
    sent = client.post(f"/lessons/{LESSON}/practice", data=fields, follow_redirects=False)
    assert sent.headers["location"] == f"/lessons/{LESSON}/steps/2#question"
    practice = page(client, sent.headers["location"])
    assert words(practice.select_one("#question-title")).startswith("Practice run")
    assert words(practice.select_one("legend.prompt")) == (
        "Two guesses have losses 0.1 and 2.3. Which missed by more?"
    )


def test_a_link_to_a_step_opens_at_its_question_once_the_step_is_begun(client: TestClient):
    def resume_link() -> str:
        lesson_page = page(client, f"/lessons/{LESSON}")
        return lesson_page.select_one(f"a.button[href^='/lessons/{LESSON}/steps/']")["href"]

    assert resume_link() == f"/lessons/{LESSON}/steps/1"  # nothing read yet: the top
    page(client, f"/lessons/{LESSON}/steps/1")
    assert resume_link() == f"/lessons/{LESSON}/steps/1"  # seen, but nothing answered
    soup = answer(client, page(client, f"/lessons/{LESSON}/steps/1"), "exactly")
    assert resume_link() == f"/lessons/{LESSON}/steps/1#question"
    home = page(client, "/")
    assert home.select_one(f"a.button[href^='/lessons/{LESSON}/steps/1']")["href"] == (
        f"/lessons/{LESSON}/steps/1#question"
    )
    # A step ahead says where the learner is, and takes them back to their question.
    ahead = page(client, f"/lessons/{LESSON}/steps/3")
    assert ahead.select_one("a.button")["href"] == f"/lessons/{LESSON}/steps/1#question"
    assert soup.select(".exchange")


def test_a_restart_begins_a_new_conversation(client: TestClient):
    soup = answer(client, page(client, f"/lessons/{LESSON}/steps/1"), "exactly")
    assert len(soup.select(".exchange")) == 1
    csrf = soup.select_one("input[name=csrf]")["value"]
    client.post(f"/lessons/{LESSON}/restart", data={"csrf": csrf})
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    assert soup.select(".exchange") == []
    assert words(soup.select_one("#question-title")) == "Question 1 of 3"


def finish(client: TestClient) -> BeautifulSoup:
    """Go through the lesson: step 1 right (step 2 is skipped), the number wrong then right."""
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    for _ in range(3):
        soup = answer(client, soup, "exactly")
    soup = answer(client, page(client, f"/lessons/{LESSON}/steps/3"), "not_quite")
    for _ in range(10):
        if soup.select_one("form.answer") is None:
            link = soup.select_one(".continue a")
            if link is None:
                return soup
            soup = page(client, link["href"])
            continue
        soup = answer(client, soup, "exactly")
    raise AssertionError("the lesson never ended")


def test_the_end_recaps_the_loop_with_the_learners_own_numbers(client: TestClient):
    soup = finish(client)
    recap = soup.select_one(".finished .recap")
    assert recap is not None
    steps = recap.select(".recap-steps > li")
    assert [words(s.select_one("h3")) for s in steps] == [
        "Loss",
        "The same idea again",
        "Compute an MSE",
    ]
    assert "Right the first time: 3 of 3 questions." in words(steps[0])
    assert "Skipped: your answers had shown you know it." in words(steps[1])
    # The numbers the learner worked out, as they typed them.
    mine = [words(n.select_one("strong")) for n in steps[2].select(".your-number")]
    typed = [
        words(x.select_one(".said")).removeprefix("You said: ")
        for x in soup.select(".exchange")
        if "grade-exactly" in x.select_one(".feedback")["class"]
    ]
    assert mine and mine == typed[-len(mine) :]
    assert "Right the first time: 1 of 2 questions." in words(steps[2])  # a miss, then new numbers
    summary = soup.select_one(".finished .summary")
    assert "First try:" in words(summary)
    links = [a["href"] for a in summary.select(".next-steps a")]
    assert "/lab/loss" in links and "/lab/descent" in links
    lesson_page = page(client, f"/lessons/{LESSON}")
    assert lesson_page.select_one(".recap") is not None


def test_the_home_page_says_per_lesson_where_you_are_and_what_is_due(client: TestClient):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    client.app.state.tutor.clock = lambda: start
    home = page(client, "/")
    assert words(home.select_one(".card .where")) == "Not started yet."
    assert home.select_one(".card .due-line") is None
    answer(client, page(client, f"/lessons/{LESSON}/steps/1"), "exactly")
    home = page(client, "/")
    assert words(home.select_one(".card .where")) == "You are on step 1 of 3: Loss."
    assert words(home.select_one(".card .due-line")).startswith(
        "Nothing due; the next review comes "
    )
    client.app.state.tutor.clock = lambda: start + timedelta(days=60)
    home = page(client, "/")
    assert words(home.select_one(".card .due-line")) == "Due for review now: A loss is a score."


def test_a_long_conversation_shows_its_latest_exchanges_and_stays_light(client: TestClient):
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    csrf = soup.select_one("input[name=csrf]")["value"]
    answered = 0
    for _ in range(12):  # practice runs on step 1, answered "not sure" throughout
        sent = client.post(f"/lessons/{LESSON}/practice", data={"csrf": csrf, "step": "1"})
        soup = BeautifulSoup(sent.text, "html.parser")
        while soup.select_one("form.answer") and "Practice run" in words(
            soup.select_one("#question-title")
        ):
            soup = answer(client, soup, "not_sure")
            answered += 1
    response = client.get(f"/lessons/{LESSON}/steps/1")
    soup = BeautifulSoup(response.text, "html.parser")
    shown = soup.select(".exchange")
    assert answered > 16 and len(shown) == 16
    assert words(soup.select_one(".earlier")).startswith("Your earlier answers on this step")
    assert words(shown[-1].select_one(".said")) == "You said: I'm not sure"
    assert len(response.content) < 100 * 1024


def test_the_api_reply_to_a_miss_names_the_right_option(client: TestClient):
    from helpers import answer as api_answer
    from helpers import new_learner

    headers = new_learner(client)
    missed = api_answer(client, headers, LESSON, "close")
    assert missed["right"] == "It scores the miss as one number"
    right = api_answer(client, headers, LESSON, "exactly")
    assert right["right"] is None


def test_the_api_gives_each_part_of_the_reading_with_its_question(client: TestClient):
    from helpers import answer as api_answer
    from helpers import new_learner

    step = client.get(f"/api/lessons/{LESSON}/steps/1?topic=spam").json()
    assert [q["lead_in"] is not None for q in step["questions"]] == [False, True, True]
    assert step["questions"][2]["lead_in"] == "Training needs a target that can go down."
    headers = new_learner(client)
    reply = api_answer(client, headers, LESSON, "exactly")
    assert reply["next"]["question"]["lead_in"].startswith("The score grows with the distance")
