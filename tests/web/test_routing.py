"""Routers turn a path away by its first segment; every path still reaches its own route."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tutor.web.routing import Router, first_segment

LESSON = "mini"


def app_of(*routers: Router, root_path: str = "") -> TestClient:
    app = FastAPI()
    for router in routers:
        app.include_router(router)
    return TestClient(app, root_path=root_path)


def test_each_path_reaches_its_own_route_past_routers_that_turn_it_away():
    api, pages = Router(prefix="/api"), Router()
    api.add_api_route("/lessons/{lesson_id}", lambda lesson_id: {"api": lesson_id})
    pages.add_api_route("/lessons/{lesson_id}", lambda lesson_id: {"page": lesson_id})
    pages.add_api_route("/", lambda: {"home": True})
    client = app_of(api, pages)
    assert client.get("/api/lessons/mini").json() == {"api": "mini"}
    assert client.get("/lessons/mini").json() == {"page": "mini"}
    assert client.get("/").json() == {"home": True}
    assert client.post("/api/lessons/mini").status_code == 405
    assert client.get("/api/nothing").status_code == 404
    assert client.get("/nothing").status_code == 404


def test_which_first_segments_a_router_can_match():
    pages = Router()
    pages.add_api_route("/lessons/{lesson_id}", lambda lesson_id: lesson_id)
    pages.add_api_route("/", lambda: "home")
    assert pages._first_segments() == {"lessons", ""}
    pages.add_api_route("/lab/loss", lambda: "lab")  # routes added later are counted
    assert pages._first_segments() == {"lessons", "", "lab"}
    pages.add_api_route("/{anything}", lambda anything: anything)
    assert pages._first_segments() is None  # a parameter first: any path may be its


def test_a_router_whose_route_begins_with_a_parameter_turns_nothing_away():
    api, anything = Router(prefix="/api"), Router()
    api.add_api_route("/health", lambda: "ok")
    anything.add_api_route("/{page}", lambda page: {"page": page})
    client = app_of(api, anything)
    assert client.get("/about").json() == {"page": "about"}
    assert client.get("/api/health").json() == "ok"


def test_the_root_path_an_app_is_served_under_is_not_a_segment():
    api = Router(prefix="/api")
    api.add_api_route("/health", lambda: "ok")
    client = app_of(api, root_path="/tutor")
    assert client.get("/tutor/api/health").json() == "ok"
    assert first_segment("/") == "" and first_segment("/lessons/x/steps/1") == "lessons"


def test_the_apps_pages_api_and_labs_are_all_reached(client: TestClient):
    page = client.get(f"/lessons/{LESSON}/steps/1")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert client.get(f"/api/lessons/{LESSON}/steps/1").json()["n"] == 1
    assert client.get("/").status_code == 200
    assert client.get("/lab/loss").status_code == 200
    assert client.get("/api/lab/loss").status_code == 200
    assert client.get("/instructor/sign-in").status_code in (200, 303)
    assert client.get("/api/no-such-thing").status_code == 404
    assert client.delete(f"/api/lessons/{LESSON}/next").status_code == 405
