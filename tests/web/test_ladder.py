"""A multi-step problem through HTTP and the pages: the worked example, a part left to the
learner, hints, and the ladder after a miss; every form works without JavaScript."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from helpers import answer, new_learner

from tutor.teaching.items import substeps

LESSON = "ladder"


@pytest.fixture
def lessons_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "data" / "ladder"


def nxt(client: TestClient, headers: dict) -> dict:
    return client.get(f"/api/lessons/{LESSON}/next", headers=headers).json()


def part(client: TestClient, n: dict):
    """The rendered sub-step a `next` payload asks (test-only knowledge of its answer)."""
    ladder = n["ladder"]
    lesson = client.app.state.tutor.lesson(LESSON)
    return substeps(lesson, ladder["question_id"], n["variant"], n["topic"])[ladder["step"] - 1]


def send(client: TestClient, headers: dict, n: dict, value) -> dict:
    body = {"question_id": n["question"]["id"], "variant": n["variant"], "value": value}
    reply = client.post(f"/api/lessons/{LESSON}/answers", headers=headers, json=body)
    assert reply.status_code == 200, reply.text
    return reply.json()


def to_the_problem(client: TestClient) -> dict:
    headers = new_learner(client)
    answer(client, headers, LESSON, "exactly")
    answer(client, headers, LESSON, "exactly")
    return headers


def study_the_example(client: TestClient, headers: dict) -> dict:
    """Go on from the worked example on screen; the `next` that follows."""
    n = nxt(client, headers)
    assert n["question"]["kind"] == "example"
    body = {"question_id": n["question"]["id"], "variant": n["variant"]}
    went = client.post(f"/api/lessons/{LESSON}/continue", headers=headers, json=body)
    assert went.status_code == 200, went.text
    return went.json()["next"]


def test_a_new_learner_studies_a_worked_example_then_does_its_last_part(client: TestClient):
    headers = to_the_problem(client)
    n = nxt(client, headers)
    assert n["question"]["kind"] == "example" and n["question"]["id"] == "mse-steps.worked"
    assert n["question"]["prompt"] == "Why is the error squared before the average is taken?"
    ladder = n["ladder"]
    assert ladder["mode"] == "example" and ladder["of"] == 3 and len(ladder["worked"]) == 3
    assert [w["id"] for w in ladder["worked"]] == ["first-error", "first-square", "mean"]
    # Answering a worked example is refused: it is studied, then gone on from. So is
    # answering its problem's own id, which the example stands in for.
    for question_id in ("mse-steps.worked", "mse-steps"):
        for given in ({"value": 1}, {"option_id": "not_sure"}):
            body = {"question_id": question_id, "variant": n["variant"], **given}
            refused = client.post(f"/api/lessons/{LESSON}/answers", headers=headers, json=body)
            assert refused.status_code == 409, refused.text
            detail = refused.json()["detail"]
            assert "'mse-steps.worked'" in detail and "is a worked example" in detail
            assert f"/api/lessons/{LESSON}/continue" in detail
            assert "not the current item" not in detail
    assert nxt(client, headers) == n  # nothing was recorded
    wrong = client.post(
        f"/api/lessons/{LESSON}/continue",
        headers=headers,
        json={"question_id": "mse-steps.worked", "variant": n["variant"] + 1},
    )
    assert wrong.status_code == 409
    went = client.post(
        f"/api/lessons/{LESSON}/continue",
        headers=headers,
        json={"question_id": "mse-steps.worked", "variant": n["variant"]},
    ).json()
    assert went["message"] == "Now one like it, with the last step left to you."
    faded = went["next"]
    assert faded["question"]["id"] == "mse-steps.mean" and faded["variant"] != n["variant"]
    # The example studied comes with the problem like it, to look back at, until it is done.
    assert faded["studied"] == {
        "question_id": "mse-steps",
        "variant": n["variant"],
        "prompt": ladder["prompt"],
        "worked": ladder["worked"],
    }
    assert nxt(client, headers)["studied"] == faded["studied"]
    assert faded["ladder"]["mode"] == "faded" and faded["ladder"]["step"] == 3
    worked = faded["ladder"]["worked"]
    lesson = client.app.state.tutor.lesson(LESSON)
    subs = substeps(lesson, "mse-steps", faded["variant"], faded["topic"])
    assert [w["value"] for w in worked] == [subs[0].value_text, subs[1].value_text]


def test_a_slip_in_a_part_is_diagnosed_and_checked_again_with_new_numbers(client: TestClient):
    headers = to_the_problem(client)
    n = study_the_example(client, headers)
    sub = part(client, n)
    total = sub.answer * 2  # the sum of the two squares: a mistake the sub-step knows
    assert n["studied"] is not None
    reply = send(client, headers, n, total)
    assert reply["grade"] == "not_quite" and reply["mistake"] == "sum_instead_of_mean"
    assert reply["next"]["studied"] is None  # the problem it stood beside is answered
    assert reply["feedback"] == "That is their sum; halve it."
    assert reply["another_way"] is not None  # the problem explained from another angle
    check = reply["next"]
    assert check["question"]["role"] == "check" and check["variant"] != n["variant"]
    assert check["ladder"]["mode"] == "faded"


def test_hints_come_one_rung_at_a_time_and_are_recorded(client: TestClient):
    headers = to_the_problem(client)
    n = study_the_example(client, headers)
    assert n["ladder"]["hints"] == [] and n["ladder"]["hints_left"] == 1
    hint = client.post(f"/api/lessons/{LESSON}/hint", headers=headers).json()
    sub = part(client, n)
    assert hint["rung"] == 1 and hint["of"] == 1 and hint["hint"] == sub.solution
    after = nxt(client, headers)
    assert after["ladder"]["hints"] == [sub.solution] and after["ladder"]["hints_left"] == 0
    spent = client.post(f"/api/lessons/{LESSON}/hint", headers=headers)
    assert spent.status_code == 409 and "every hint" in spent.text
    reply = send(client, headers, after, sub.answer)
    assert reply["grade"] == "exactly"
    # Right after the worked value was shown: the tutor checks again rather than move on.
    assert reply["next"]["question"]["role"] == "check"
    with client.app.state.tutor.db.reading() as connection:
        from sqlalchemy import text

        logged = connection.execute(
            text("SELECT question_id, hints FROM attempts ORDER BY id DESC LIMIT 1")
        ).one()
    assert tuple(logged) == ("mse-steps.mean", 1)


def test_a_problem_s_answer_key_holds_each_sub_step_as_learners_are_asked_it(
    app, client: TestClient
):
    staff = {"Authorization": f"Bearer {app.state.instructor.token}"}
    url = f"/api/instructor/lessons/{LESSON}/questions"
    key = client.get(f"{url}/mse-steps?variant=3", headers=staff).json()
    lesson = client.app.state.tutor.lesson(LESSON)
    subs = substeps(lesson, "mse-steps", 3, key["topic"])
    assert [s["id"] for s in key["steps"]] == [s.id for s in subs]
    assert [s["id"] for s in key["steps"]][0] == "mse-steps.first-error"
    assert [s["answer_text"] for s in key["steps"]] == [s.answer_text for s in subs]
    assert key["steps"][0]["hints"] == [
        "Start with the first item only.",
        "error = prediction - truth",
    ]
    one = client.get(f"{url}/mse-steps.mean?variant=3", headers=staff)
    assert one.status_code == 404
    assert one.json()["detail"] == (
        "'mse-steps.mean' is a sub-step of 'mse-steps': its key is among the `steps` of "
        "that question's key"
    )


def test_no_hint_outside_a_problem(client: TestClient):
    headers = new_learner(client)
    refused = client.post(f"/api/lessons/{LESSON}/hint", headers=headers)
    assert refused.status_code == 409 and "hints come inside a problem" in refused.text


def page(client: TestClient, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def post_form(client: TestClient, form, **extra) -> BeautifulSoup:
    fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    sent = client.post(form["action"], data={**fields, **extra}, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    return page(client, sent.headers["location"])


def test_the_pages_walk_a_problem_without_javascript(client: TestClient):
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    for _ in range(2):  # the warm-up, answered "not sure" and checked, until step 2
        while soup.select_one("form.answer") and "Warm-up" in soup.title.get_text():
            soup = post_form(client, soup.select_one("form.answer"), option_id="not_sure")
        link = soup.select_one(".continue a")
        if link:
            soup = page(client, link["href"])
    soup = page(client, f"/lessons/{LESSON}/steps/2")
    assert soup.select_one(".ladder h3").get_text() == "A worked example"
    assert len(soup.select(".worked li")) == 3
    form = soup.select_one("form.continue-example")
    assert form.select_one("button").get_text() == "I have worked through it"
    studied = [li.get_text(" ", strip=True) for li in soup.select(".ladder .worked li")]
    soup = post_form(client, form)
    # The page says what comes next, as the API's reply does.
    assert (
        soup.select_one("p.note").get_text() == "Now one like it, with the last step left to you."
    )
    assert soup.select_one(".ladder h3").get_text() == "Part 3 of 3"
    assert len(soup.select(".ladder .worked li")) == 2
    # The example just studied stays on the page, folded, to look back at.
    folded = soup.select_one("details.studied")
    assert folded.summary.get_text() == "The worked example you just studied"
    assert [li.get_text(" ", strip=True) for li in folded.select(".worked li")] == studied
    hint_form = soup.select_one("form.hint-form")
    assert hint_form.select_one("button").get_text() == "Show me this part worked"
    soup = post_form(client, hint_form)
    assert soup.select_one("#hints li") is not None
    assert soup.select_one("form.hint-form") is None  # no rung left


def test_with_fading_off_the_server_asks_the_whole_problem_first(settings):
    from tutor.app import create_app

    with TestClient(create_app(settings.model_copy(update={"fading": False}))) as client:
        headers = to_the_problem(client)
        n = nxt(client, headers)
    assert n["question"]["id"] == "mse-steps" and n["question"]["kind"] == "numeric"
    assert n["ladder"] is None


def test_not_sure_on_a_part_is_met_kindly_and_shows_its_working_once(settings):
    """The part's worked solution used to come twice, as the feedback and as the solution;
    and on the last part, only as the feedback."""
    from tutor.app import create_app

    with TestClient(create_app(settings.model_copy(update={"fading": False}))) as client:
        headers = to_the_problem(client)
        n = nxt(client, headers)
        n = send(client, headers, n, -12345.0)["next"]  # the whole problem missed
        assert n["ladder"]["mode"] == "ladder"
        replies = []
        while n["ladder"] is not None and n["ladder"]["mode"] == "ladder":
            sub = part(client, n)
            body = {"question_id": n["question"]["id"], "variant": n["variant"]}
            reply = client.post(
                f"/api/lessons/{LESSON}/answers",
                headers=headers,
                json={**body, "option_id": "not_sure"},
            ).json()
            replies.append((sub, reply))
            n = reply["next"]
    assert len(replies) == 3
    for sub, reply in replies:
        assert reply["grade"] == "not_sure"
        assert reply["feedback"] == "That's all right: here is how this part works out."
        assert reply["solution"] == sub.solution and sub.solution not in reply["feedback"]
        assert reply["answer"] == sub.answer_text


HINT = f"/api/lessons/{LESSON}/hint"


def on_the_first_part(client: TestClient) -> tuple[dict, dict]:
    """A learner asked the problem's parts one at a time (the whole was missed), on the
    first: a part with three rungs, two hints and its worked value."""
    headers = to_the_problem(client)
    n = send(client, headers, nxt(client, headers), -12345.0)["next"]
    assert n["ladder"]["mode"] == "ladder" and n["ladder"]["hints_left"] == 3
    return headers, n


def test_a_hint_asked_again_is_shown_again_and_counted_once(settings):
    """A retry (a timeout, a form sent twice) used to take the next rung as well, and every
    rung taken counts against the answer."""
    from tutor.app import create_app

    with TestClient(create_app(settings.model_copy(update={"fading": False}))) as client:
        headers, n = on_the_first_part(client)
        asked = {"question_id": n["question"]["id"], "variant": n["variant"], "rung": 1}
        first = client.post(HINT, headers=headers, json=asked)
        again = client.post(HINT, headers=headers, json=asked)
        assert first.status_code == again.status_code == 200, again.text
        assert again.json() == first.json()
        assert (first.json()["rung"], first.json()["hint"]) == (
            1,
            "Start with the first item only.",
        )
        after = nxt(client, headers)
        assert after["ladder"]["hints"] == ["Start with the first item only."]
        assert after["ladder"]["hints_left"] == 2
        skipped = client.post(HINT, headers=headers, json={**asked, "rung": 3})
        assert skipped.status_code == 409
        assert (
            skipped.json()["detail"] == "hint 3 is not the next one: 1 of 3 shown, so the next is 2"
        )
        stale = client.post(HINT, headers=headers, json={**asked, "variant": n["variant"] + 1})
        assert stale.status_code == 409
        assert stale.json()["detail"] == (
            f"the hint was asked for question_id {n['question']['id']!r}, variant "
            f"{n['variant'] + 1}, but the sub-step being asked is {n['question']['id']!r} "
            f"variant {n['variant']}; fetch /next"
        )
        for bad in ({"rung": 0}, {"rung": 51}, {"rung": True}, {"rungs": 2}):
            refused = client.post(HINT, headers=headers, json=bad)
            assert refused.status_code == 422, (bad, refused.text)
        assert nxt(client, headers) == after  # none of these changed anything
        second = client.post(HINT, headers=headers, json={**asked, "rung": 2}).json()
        assert (second["rung"], second["hint"]) == (2, "error = prediction - truth")
        assert client.post(HINT, headers=headers).json()["rung"] == 3  # naming nothing: the next
        now = nxt(client, headers)
        send(client, headers, now, part(client, now).answer)
        with client.app.state.tutor.db.reading() as connection:
            from sqlalchemy import text

            logged = connection.execute(
                text("SELECT question_id, hints FROM attempts ORDER BY id DESC LIMIT 1")
            ).one()
        assert tuple(logged) == ("mse-steps.first-error", 3)


def step_2_on_pages(client: TestClient) -> BeautifulSoup:
    """A browser learner past the warm-up (answered "not sure"), on step 2's page: the
    problem's worked example, or with fading off the whole problem."""
    soup = page(client, f"/lessons/{LESSON}/steps/1")
    while soup.select_one("form.answer") and "Warm-up" in soup.title.get_text():
        soup = post_form(client, soup.select_one("form.answer"), option_id="not_sure")
    return page(client, f"/lessons/{LESSON}/steps/2")


def test_the_hint_form_sent_twice_shows_one_hint(settings):
    from tutor.app import create_app

    with TestClient(create_app(settings.model_copy(update={"fading": False}))) as client:
        soup = step_2_on_pages(client)
        soup = post_form(client, soup.select_one("form.answer"), value="-12345")
        hint_form = soup.select_one("form.hint-form")
        assert hint_form.select_one("button").get_text() == "Give me a hint"
        post_form(client, hint_form)
        soup = post_form(client, hint_form)  # the same form again: a double click, a reload
        assert [li.get_text() for li in soup.select("#hints li")] == [
            "Start with the first item only."
        ]


def test_going_on_from_a_worked_example_again_is_told_the_same(client: TestClient):
    """A retry of `continue` (a client's timeout) used to be a 409 saying there was no
    worked example, as if the first had not been kept; a form sent twice showed "moved"."""
    headers = to_the_problem(client)
    n = nxt(client, headers)
    body = {"question_id": n["question"]["id"], "variant": n["variant"]}
    url = f"/api/lessons/{LESSON}/continue"
    first = client.post(url, headers=headers, json=body)
    again = client.post(url, headers=headers, json=body)
    assert first.status_code == again.status_code == 200, again.text
    assert again.json() == first.json()
    assert first.json()["message"] == "Now one like it, with the last step left to you."
    assert nxt(client, headers) == first.json()["next"]  # the retry changed nothing
    # Once anything else is written, the example is behind the learner: a 409, as before.
    client.post(f"/api/lessons/{LESSON}/hint", headers=headers)
    late = client.post(url, headers=headers, json=body)
    assert late.status_code == 409 and "fetch /next" in late.json()["detail"]
    other = client.post(url, headers=headers, json={**body, "variant": n["variant"] + 1})
    assert other.status_code == 409


def test_the_worked_example_form_sent_twice_says_what_comes_next_both_times(
    client: TestClient,
):
    soup = step_2_on_pages(client)
    form = soup.select_one("form.continue-example")
    notes = [post_form(client, form).select_one("p.note").get_text() for _ in range(2)]
    assert notes == ["Now one like it, with the last step left to you."] * 2


def test_a_worked_example_has_no_hints_and_says_how_to_go_on(client: TestClient):
    headers = to_the_problem(client)
    assert nxt(client, headers)["question"]["kind"] == "example"
    refused = client.post(HINT, headers=headers)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "a worked example has no hints: every part of it is worked. "
        f"POST /api/lessons/{LESSON}/continue once it is studied"
    )


def test_forms_left_behind_in_another_tab_say_what_happened(settings):
    """A hint form for a part already answered used to land on the next part with no word;
    a worked example's form sent after more was done said "that answer was not recorded"."""
    from tutor.app import create_app

    with TestClient(create_app(settings.model_copy(update={"fading": False}))) as client:
        soup = step_2_on_pages(client)
        soup = post_form(client, soup.select_one("form.answer"), value="-12345")
        left_behind = soup.select_one("form.hint-form")
        post_form(client, soup.select_one("form.answer"), option_id="not_sure")  # the part
        soup = post_form(client, left_behind)
        assert soup.select_one("p.note").get_text() == (
            "That hint was for a part you had already moved past, so none was taken. "
            "Here is where you are now."
        )
        assert soup.select("#hints li") == []

    with TestClient(create_app(settings)) as client:
        soup = step_2_on_pages(client)
        example = soup.select_one("form.continue-example")
        soup = post_form(client, example)
        post_form(client, soup.select_one("form.hint-form"))  # something else done since
        soup = post_form(client, example)
        assert soup.select_one("p.note").get_text() == (
            "You had already gone on from that worked example. Here is where you are now."
        )
