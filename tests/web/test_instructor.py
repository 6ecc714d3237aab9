"""Instructor pages and endpoints: access, preview with answer keys, analytics."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from helpers import answer, editable_lessons, file_settings, new_learner

from tutor.app import create_app
from tutor.lessons.watch import LessonWatcher

PAGES = [
    "/instructor",
    "/instructor/lessons/mini",
    "/instructor/lessons/mini/analytics",
    "/instructor/lessons/mini/analytics/questions.csv",
]
ENDPOINTS = [
    "/api/instructor/analytics?lesson_id=mini",
    "/api/instructor/lessons",
    "/api/instructor/lessons/mini/questions/what-loss-does",
]


@pytest.fixture
def lessons_dir(tmp_path: Path) -> Path:
    return editable_lessons(tmp_path)


@pytest.fixture
def staff(app) -> dict[str, str]:
    return {"Authorization": f"Bearer {app.state.instructor.token}"}


@pytest.mark.parametrize("url", PAGES + ENDPOINTS)
def test_everyone_but_the_instructor_is_refused(client: TestClient, url: str):
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 403
    learner = new_learner(client)  # a learner's own token is no instructor token
    assert client.get(url, headers=learner).status_code == 403
    client.get("/")  # a learner's browser cookie is not enough either
    assert client.get(url).status_code == 401


@pytest.mark.parametrize("url", PAGES + ENDPOINTS)
def test_the_instructor_token_opens_everything(client: TestClient, staff, url: str):
    assert client.get(url, headers=staff).status_code == 200


def test_the_sign_in_url_sets_a_safe_cookie(app, client: TestClient):
    bad = client.get("/instructor/sign-in?token=nope", follow_redirects=False)
    assert bad.status_code == 403
    response = client.get(
        f"/instructor/sign-in?token={app.state.instructor.token}", follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/instructor"
    cookie = response.headers["set-cookie"]
    assert "tutor_instructor=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert client.get("/instructor").status_code == 200


def test_the_preview_shows_every_option_with_its_grade_and_feedback(client: TestClient, staff):
    soup = BeautifulSoup(client.get("/instructor/lessons/mini", headers=staff).text, "html.parser")
    first = soup.select_one("#q-what-loss-does").find_parent("article")
    keys = [" ".join(li.get_text(" ").split()) for li in first.select(".key li")]
    assert keys[0].startswith("✓ Exactly It scores the miss")
    assert "Yes: one number, 1.61 here." in keys[0]
    assert keys[1].startswith("✗ Not quite It fixes the prediction misconception loss-fixes")
    assert keys[2].startswith("≈ Close It says true or false")
    assert [h.get_text() for h in first.select(".another-way h4")] == [
        "Another way to see it: analogy",
        "Another way to see it: numbers",
    ]
    assert "check of what-loss-does" in soup.select_one("#q-what-loss-does-again").get_text()
    numeric = soup.select_one("#q-mse-number").find_parent("article")
    seeds = [p.get_text() for p in numeric.select(".variant .eyebrow")]
    assert [s.split(":")[0] for s in seeds] == [
        "Variant with seed 0",
        "Variant with seed 1",
        "Variant with seed 2",
    ]
    assert "sum_instead_of_mean gives" in " ".join(numeric.get_text(" ").split())
    spam = client.get("/instructor/lessons/mini?topic=spam", headers=staff).text
    assert "A loss scores an email." in spam


def test_analytics_on_answers_made_through_the_api(client: TestClient, staff):
    alice, bob = new_learner(client), new_learner(client)
    answer(client, alice, "mini", "exactly")
    answer(client, bob, "mini", "not_quite")
    answer(client, bob, "mini", "exactly")
    report = client.get("/api/instructor/analytics?lesson_id=mini", headers=staff).json()
    assert report["learners"] == 2 and report["attempts"] == 3
    first = next(q for q in report["questions"] if q["question_id"] == "what-loss-does")
    assert first["first_try_exactly"] == 0.5
    assert first["picks"] == {"0": 1, "1": 1}
    angles = {a["angle"]: (a["shown"], a["next_right"]) for a in report["angles"]}
    assert sum(shown for shown, _ in angles.values()) == 1
    assert sum(right for _, right in angles.values()) == 1
    assert report["versions"][0]["attempts"] == 3
    table = client.get("/instructor/lessons/mini/analytics/questions.csv", headers=staff)
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(table.text)))
    assert rows[1][:6] == ["what-loss-does", "loss", "score", "2", "2", "0.5"]
    page = client.get("/instructor/lessons/mini/analytics", headers=staff).text
    assert "2 learners, 3 answers" in page
    assert "It scores the miss" in page and "It fixes the prediction" in page
    assert (
        client.get("/instructor/lessons/mini/analytics/nope.csv", headers=staff).status_code == 404
    )


def test_the_analytics_json_is_typed_in_openapi_and_keeps_to_its_schema(client: TestClient, staff):
    answer(client, new_learner(client), "mini", "not_quite")
    spec = client.get("/openapi.json").json()
    ok = spec["paths"]["/api/instructor/analytics"]["get"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/AnalyticsOut"
    report = client.get("/api/instructor/analytics?lesson_id=mini", headers=staff).json()
    jsonschema.validate(report, {"$ref": ref, "components": spec["components"]})
    assert report["attempts"] == 1 and report["questions"][0]["picks"]


def test_analytics_of_a_version_with_no_answers_is_a_404_naming_those_that_have(
    client: TestClient, staff
):
    answer(client, new_learner(client), "mini", "exactly")
    live = client.app.state.tutor.lesson("mini").content_hash
    for url in (
        "/api/instructor/analytics?lesson_id=mini&version=bogus",
        "/instructor/lessons/mini/analytics/skills.csv?version=bogus",
        "/instructor/lessons/mini/analytics?version=bogus",
    ):
        response = client.get(url, headers=staff)
        assert response.status_code == 404, url
        assert f"versions with answers: {live}" in response.text, response.text
    fine = client.get(f"/api/instructor/analytics?lesson_id=mini&version={live}", headers=staff)
    assert fine.status_code == 200 and fine.json()["attempts"] == 1


def test_every_time_the_api_gives_says_its_time_zone(client: TestClient, staff):
    who = new_learner(client)
    answer(client, who, "mini", "exactly")
    summary = client.get("/api/lessons/mini/summary", headers=who).json()
    progress = client.get("/api/learners/me/progress", headers=who).json()
    report = client.get("/api/instructor/analytics?lesson_id=mini", headers=staff).json()
    times = [s["due_at"] for s in summary["skills"] if s["due_at"]]
    times += [
        s["due_at"] for lesson in progress["lessons"] for s in lesson["skills"] if s["due_at"]
    ]
    times += [v[k] for v in report["versions"] for k in ("first", "last")]
    assert len(times) >= 4
    for moment in times:
        assert datetime.fromisoformat(moment).utcoffset() == timedelta(0), moment


def test_analytics_count_as_mastered_what_learners_are_told_is_solid(client: TestClient, staff):
    learners = [new_learner(client) for _ in range(3)]
    for n, who in enumerate(learners):
        while not client.get("/api/lessons/mini/next", headers=who).json()["done"]:
            answer(client, who, "mini", "exactly" if n < 2 else "not_quite")
    solid: dict[str, int] = {}
    for who in learners:
        summary = client.get("/api/lessons/mini/summary", headers=who).json()
        for skill in summary["skills"]:
            solid[skill["id"]] = solid.get(skill["id"], 0) + (skill["standing"] == "solid")
    assert sum(solid.values()) > 0  # someone got something
    report = client.get("/api/instructor/analytics?lesson_id=mini", headers=staff).json()
    assert {s["skill_id"]: s["mastered"] for s in report["skills"]} == solid
    for figures in report["skills"]:
        tries = figures["median_tries_to_mastery"]
        assert (tries is None) == (figures["mastered"] == 0)


def test_a_broken_edit_is_shown_to_the_instructor(
    app, client: TestClient, staff, lessons_dir: Path
):
    path = lessons_dir / "mini.yaml"
    path.write_text(path.read_text().replace("grade: exactly", "grade: exactlyy", 1))
    watcher = LessonWatcher(app.state.tutor, lessons_dir)
    watcher._seen = {}
    watcher.check()
    soup = BeautifulSoup(client.get("/instructor", headers=staff).text, "html.parser")
    problems = [li.get_text() for li in soup.select(".problem-list li")]
    assert len(problems) == 1 and "mini.yaml:19:" in problems[0]
    assert "did you mean 'exactly'?" in problems[0]
    preview = client.get("/instructor/lessons/mini", headers=staff).text
    assert "The version below is the last good one" in preview
    listed = client.get("/api/instructor/lessons", headers=staff).json()
    assert listed["lessons"][0]["id"] == "mini" and len(listed["problems"]) == 1


def test_every_instructor_route_is_guarded(app, client: TestClient):
    """Derived from the app's routes, so a new unguarded one cannot slip in."""
    from tutor.web import instructor

    guarded = [
        r
        for r in (*instructor.pages.routes, *instructor.api.routes)
        if not r.path.startswith("/instructor/sign-in")
    ]
    assert len(guarded) >= len(PAGES + ENDPOINTS)
    for route in guarded:
        path = route.path.format(lesson_id="mini", table="questions", question_id="what-loss-does")
        for method in route.methods:
            response = client.request(method, path, params={"lesson_id": "mini"})
            assert response.status_code == 401, (method, path, response.status_code)


def test_the_sign_in_form(app, client: TestClient):
    form = client.get("/instructor/sign-in")
    assert form.status_code == 200 and 'name="token"' in form.text
    wrong = client.post("/instructor/sign-in", data={"token": "nope"})
    assert wrong.status_code == 403 and "That is not the instructor token." in wrong.text
    right = client.post(
        "/instructor/sign-in", data={"token": app.state.instructor.token}, follow_redirects=False
    )
    assert right.status_code == 303 and "tutor_instructor=" in right.headers["set-cookie"]
    assert client.get("/instructor").status_code == 200


def test_the_funnel_remembers_finished_steps_after_a_restart(client: TestClient, staff):
    learner = new_learner(client)
    for _ in range(3):
        answer(client, learner, "mini", "exactly")
    client.post("/api/lessons/mini/restart", headers=learner)
    report = client.get("/api/instructor/analytics?lesson_id=mini", headers=staff).json()
    assert [
        (s["step_id"], s["reached"], s["finished"], s["stopped_here"]) for s in report["steps"]
    ] == [("loss", 1, 1, 0), ("compute", 1, 1, 0)]


def test_an_angle_asked_for_after_two_misses_is_the_one_the_next_check_credits(
    client: TestClient, staff
):
    learner = new_learner(client)
    answer(client, learner, "mini", "not_quite")
    stuck = answer(client, learner, "mini", "not_quite")
    assert stuck["next"]["offer"] is not None
    shown = client.post(
        "/api/lessons/mini/choices", headers=learner, json={"choice": "another_angle"}
    ).json()
    chosen = shown["another_way"]["angle"]
    answer(client, learner, "mini", "exactly")
    report = client.get("/api/instructor/analytics?lesson_id=mini", headers=staff).json()
    angles = {a["angle"]: (a["shown"], a["next_right"]) for a in report["angles"]}
    # Two explanations were followed by a check: the first miss's (its check missed too)
    # and the one asked for, whose check was right.
    assert sum(shown for shown, _ in angles.values()) == 2
    assert sum(right for _, right in angles.values()) == 1
    assert angles[chosen][1] == 1


def test_an_answer_key_as_json_every_option_in_lesson_order(client: TestClient, staff):
    url = "/api/instructor/lessons/mini/questions/what-loss-does"
    key = client.get(url, headers=staff, params={"topic": "spam"}).json()
    assert key["kind"] == "choice" and key["skill"] == "score" and key["role"] == "main"
    assert key["step"] == {"n": 1, "id": "loss"} and key["topic"] == "spam"
    assert key["prompt"] == "The network said 0.2 for an email that is spam. What does a loss do?"
    assert [(o["index"], o["text"], o["grade"]) for o in key["options"]] == [
        (0, "It scores the miss", "exactly"),
        (1, "It fixes the prediction", "not_quite"),
        (2, "It says true or false", "close"),
    ]
    assert key["options"][0]["feedback"] == "Yes: one number, 1.61 here."
    assert key["options"][1]["misconception"] == "loss-fixes"
    assert [w["angle"] for w in key["another_way"]] == ["analogy", "numbers"]
    assert key["checks"] == ["what-loss-does-again", "what-loss-says", "what-loss-is-for"]
    assert key["not_sure"] == "It scores the miss." and key["answer"] is None


def test_an_answer_key_of_a_number_and_of_a_held_out_item(client: TestClient, staff):
    lesson = client.app.state.tutor.lesson("mini")
    from tutor.lessons.variants import draw_params

    url = "/api/instructor/lessons/mini/questions/mse-number"
    key = client.get(url, headers=staff, params={"variant": 7}).json()
    p = draw_params(lesson.entries["mse-number"].question, 7)["p"]
    expected = ((p[0] - 1) ** 2 + (p[1] - 2) ** 2) / 2
    assert key["variant"] == 7 and key["params"]["p"] == p and key["sampled"] is True
    assert key["answer"] == pytest.approx(expected)
    sums = next(m for m in key["mistakes"] if m["mistake"] == "sum_instead_of_mean")
    assert sums["value"] == pytest.approx(2 * expected) and sums["grade"] == "close"
    held = client.get("/api/instructor/lessons/mini/questions/post-score-far", headers=staff)
    assert held.status_code == 200
    assert held.json()["role"] == "assessment" and held.json()["transfer"] == "far"
    assert held.json()["step"] is None


def test_an_answer_key_refuses_what_is_not_there(client: TestClient, staff):
    base = "/api/instructor/lessons/mini/questions"
    assert client.get(f"{base}/nope", headers=staff).status_code == 404
    assert client.get("/api/instructor/lessons/nope/questions/x", headers=staff).status_code == 404
    bad_topic = client.get(f"{base}/what-loss-does", headers=staff, params={"topic": "nope"})
    assert bad_topic.status_code == 404 and "topics: cats, spam" in bad_topic.text
    for variant in (-1, 16):  # learners are given variants 0 to 15
        bad_variant = client.get(
            f"{base}/what-loss-does", headers=staff, params={"variant": variant}
        )
        assert bad_variant.status_code == 422, variant
    assert client.get(f"{base}/what-loss-does?variant=15", headers=staff).status_code == 200
    assert client.get(f"{base}/what-loss-does").status_code == 401


def test_the_preview_shows_the_held_out_items_with_their_keys(client: TestClient, staff):
    soup = BeautifulSoup(client.get("/instructor/lessons/mini", headers=staff).text, "html.parser")
    section = soup.select_one("#assessment-title").find_parent("section")
    heading = " ".join(section.select_one("#q-post-score-near").get_text(" ").split())
    assert heading == "post-score-near · choice · skill score · held out, near transfer"
    item = section.select_one("#q-post-score-near").find_parent("article")
    keys = [" ".join(li.get_text(" ").split()) for li in item.select(".key li")]
    assert any(k.startswith("✓ Exactly How far off the guess is") for k in keys)
    assert [p.get_text().split(":")[0] for p in item.select(".variant .eyebrow")] == [
        "Variant with seed 0",
        "Variant with seed 1",
        "Variant with seed 2",
    ]
    numeric = section.select_one("#q-post-compute-near").find_parent("article")
    assert "sum_instead_of_mean gives" in " ".join(numeric.get_text(" ").split())
    # Practice questions keep their place in the steps, not among the held-out items.
    assert section.select_one("#q-what-loss-does") is None


def test_the_preview_shows_a_learners_own_words_as_the_lessons_examples(tmp_path):
    folder = editable_lessons(tmp_path)
    source = (folder / "mini.yaml").read_text()
    (folder / "mini.yaml").write_text(source.replace("example: a photo", "example: a drawing"))
    settings = file_settings(tmp_path, instructor_token="t").model_copy(
        update={"lessons_dir": folder}
    )
    app = create_app(settings)
    with TestClient(app) as client:
        staff = {"Authorization": "Bearer t"}
        page = client.get("/instructor/lessons/mini?topic=custom", headers=staff).text
        assert client.get("/instructor/lessons/mini?topic=nope", headers=staff).status_code == 404
    chosen = BeautifulSoup(page, "html.parser").select_one("#preview-topic option[selected]")
    assert chosen["value"] == "custom" and "own words" in chosen.get_text()
    assert "A loss scores a drawing." in page  # the example of the word `thing`


def test_an_option_whose_words_change_with_the_numbers_is_labelled_with_every_wording():
    """The options table counts picks of every variant, so it names every wording of an
    option (here the four cases of which-gets-gamed), not one variant's."""
    from tutor.lessons.catalog import load_catalog
    from tutor.web.instructor import option_labels

    lessons = load_catalog([Path(__file__).resolve().parents[2] / "lessons"]).lessons
    labels = option_labels(lessons["loss-functions"])
    right_grade, right_text = labels["which-gets-gamed"]["0"]
    assert right_grade == "exactly"
    assert "Articles padded out" in right_text and "Tickets closed quickly" in right_text
    assert right_text.endswith("(4 wordings, by the numbers drawn)")
    fixed = labels["kl-penalty"]["1"][1]
    assert " | " not in fixed and fixed.startswith("It keeps the tuned model")
    # A number's answers are labelled too, and every question can be answered "not sure".
    assert labels["softmax-share"]["right"] == ("exactly", "the right number")
    assert labels["softmax-share"]["no_exponent"] == ("not_quite", "the mistake `no_exponent`")
    assert labels["kl-penalty"]["not_sure"][0] == "not_sure"
    # A problem's parts are answered under their own ids, and labelled like questions.
    clipped = labels["below-the-guard.clipped"]
    assert sorted(grade for grade, _ in clipped.values()).count("exactly") == 1
    assert clipped["not_sure"][0] == "not_sure"
    numeric_part = next(k for k in labels if k.startswith("compute-mse."))
    assert labels[numeric_part]["right"] == ("exactly", "the right number")


def test_the_options_table_lists_options_nobody_picked(client: TestClient, staff):
    answer(client, new_learner(client), "mini", "exactly")
    table = client.get("/instructor/lessons/mini/analytics/options.csv", headers=staff)
    rows = [r for r in csv.reader(io.StringIO(table.text)) if r[0] == "what-loss-does"]
    picks = {r[1]: (r[2], int(r[4])) for r in rows}
    assert picks["0"] == ("exactly", 1)
    assert len(picks) >= 4 and all(n == 0 for option, (_, n) in picks.items() if option != "0")
    assert picks["not_sure"] == ("not_sure", 0)
    page = client.get("/instructor/lessons/mini/analytics", headers=staff).text
    assert "It fixes the prediction" in page  # picked by nobody, shown with its 0
