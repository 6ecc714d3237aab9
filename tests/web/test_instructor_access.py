"""What someone who is not signed in sees of the instructor's pages, and the counts and
width of the pages once signed in."""

from __future__ import annotations

import logging

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from helpers import answer, new_learner

from tutor.app import create_app
from tutor.web.instructor import InstructorAccess

PAGES = ["/instructor", "/instructor/lessons/mini", "/instructor/lessons/mini/analytics"]


def soup_of(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


@pytest.mark.parametrize("url", PAGES)
def test_a_visitor_not_signed_in_gets_a_page_that_leads_to_the_sign_in_form(
    client: TestClient, url: str
):
    response = client.get(url)
    assert response.status_code == 401
    soup = soup_of(response.text)
    assert soup.h1.get_text() == "Instructor sign-in needed"
    assert soup.title.get_text().startswith("Instructor sign-in needed")
    link = soup.select_one("main a.button")
    assert link["href"] == "/instructor/sign-in" and "sign-in form" in link.get_text()
    text = soup.select_one("main").get_text()
    assert "Something went wrong" not in response.text
    assert "Authorization" not in text and "Bearer" not in text
    form = client.get(link["href"])
    assert form.status_code == 200 and soup_of(form.text).select_one("input#token")


def test_the_api_still_answers_in_json(client: TestClient):
    response = client.get("/api/instructor/lessons")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("instructors only")


def test_a_stale_sign_in_link_shows_the_form_and_says_why(client: TestClient):
    response = client.get("/instructor/sign-in?token=from-yesterday")
    assert response.status_code == 403
    soup = soup_of(response.text)
    assert soup.select_one("form.sign-in input#token") is not None
    assert "TUTOR_INSTRUCTOR_TOKEN" in soup.select_one(".error").get_text()


def test_counts_agree_with_their_number(app, client: TestClient):
    staff = {"Authorization": f"Bearer {app.state.instructor.token}"}
    answer(client, new_learner(client), "mini", "exactly")
    page = soup_of(client.get("/instructor/lessons/mini/analytics", headers=staff).text)
    intro = " ".join(page.select_one("main p").get_text().split())
    assert "1 learner, 1 answer." in intro
    assert "(s)" not in page.get_text()
    learner = new_learner(client)
    answer(client, learner, "mini", "exactly")
    answer(client, learner, "mini", "exactly")
    page = soup_of(client.get("/instructor/lessons/mini/analytics", headers=staff).text)
    assert "2 learners, 3 answers." in " ".join(page.select_one("main p").get_text().split())


@pytest.mark.parametrize("url", PAGES)
def test_instructor_pages_use_the_full_width(app, client: TestClient, url: str):
    staff = {"Authorization": f"Bearer {app.state.instructor.token}"}
    soup = soup_of(client.get(url, headers=staff).text)
    assert soup.body.get("class") == ["wide"]
    css = client.get("/static/tutor.css").text
    assert ".wide main" in css
    learner_page = soup_of(client.get("/").text)
    assert learner_page.body.get("class") is None


def test_a_made_up_token_is_announced_with_how_to_keep_it(settings, caplog):
    unset = settings.model_copy(update={"instructor_token": None})
    with caplog.at_level(logging.WARNING, logger="tutor"):
        create_app(unset)
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "/instructor/sign-in?token=" in said
    assert "set TUTOR_INSTRUCTOR_TOKEN to keep it the same" in said


def test_a_sign_in_from_before_a_token_change_is_said_to_have_expired(app, client: TestClient):
    client.get(f"/instructor/sign-in?token={app.state.instructor.token}")
    assert client.get("/instructor").status_code == 200
    app.state.instructor = InstructorAccess("the token after a restart", "test-secret")
    response = client.get("/instructor")
    assert response.status_code == 401
    soup = soup_of(response.text)
    assert soup.h1.get_text() == "Instructor sign-in needed"
    assert "Your sign-in has expired" in soup.select_one("main").get_text()
    assert soup.select_one("main a.button")["href"] == "/instructor/sign-in"
