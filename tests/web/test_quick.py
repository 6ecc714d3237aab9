"""Quick routes (tutor.web.quick): the common case served directly, everything else by
FastAPI, with the same replies and the same document."""

from __future__ import annotations

import json

import fastapi.routing
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient
from helpers import answer_body, new_learner
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from tutor.app import create_app
from tutor.web.quick import quick_route
from tutor.web.schemas import AnswerIn

LESSON = "mini"


class Item(BaseModel):
    n: int


async def quick_item(request: Request, body: bytes) -> Response | None:
    return Response(b"quick") if body == b'{"n": 1}' else None


def item_app(quick: bool) -> FastAPI:
    app = FastAPI()

    async def post_item(body: Item) -> dict:
        return {"n": body.n, "by": "fastapi"}

    extra = {"route_class_override": quick_route(quick_item)} if quick else {}
    app.router.add_api_route("/items", post_item, methods=["POST"], **extra)
    return app


def test_the_quick_case_is_served_and_the_rest_is_fastapis_with_the_body_already_read():
    with TestClient(item_app(quick=True)) as client:
        assert client.post("/items", content=b'{"n": 1}').text == "quick"
        assert client.post("/items", json={"n": 2}).json() == {"n": 2, "by": "fastapi"}
        refused = client.post("/items", json={"n": "two"})
        assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "n"]


def test_a_quick_route_is_documented_as_the_same_route_declared_plainly():
    assert item_app(quick=True).openapi() == item_app(quick=False).openapi()


def fastapi_reads(body: bytes) -> AnswerIn:
    """The body as FastAPI reads a JSON body field: json.loads, then validation."""
    return AnswerIn.model_validate(json.loads(body))


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["1", "2.5", "nan", "1e400", " 3 ", "not_sure", "o1"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
FIELDS = st.sampled_from([*AnswerIn.model_fields, "extra"])


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(FIELDS, JSON_VALUES, max_size=6))
def test_a_body_read_quickly_is_read_the_same_by_fastapi(fields):
    """Whatever the quick reading accepts, FastAPI's accepts as the same answer (what the
    quick reading refuses goes to FastAPI, so it needs no twin)."""
    body = json.dumps(fields).encode()
    try:
        quick = AnswerIn.model_validate_json(body)
    except ValidationError:
        return
    assert repr(fastapi_reads(body)) == repr(quick)  # repr: NaN is not equal to itself


@pytest.mark.parametrize(
    "body",
    [
        b'{"question_id": "q", "variant": 1, "variant": 2}',
        b'{"question_id": "q", "variant": 1.0}',
        b'{"question_id": "q", "variant": "3"}',
        b'{"question_id": "q", "variant": 1, "value": NaN}',
        b'{"question_id": "q", "variant": 1, "value": 1e400}',
        b'{"question_id": "q", "variant": 1, "value": true}',
        b'{"question_id": "q", "variant": 1, "value": 7}',
        b'{"question_id": "q\\u00e9", "variant": 1}',
        b'\xef\xbb\xbf{"question_id": "q", "variant": 1}',
        b' {"question_id": "q", "variant": 1}\n',
    ],
)
def test_edge_bodies_are_read_quickly_only_as_fastapi_reads_them(body):
    try:
        quick = AnswerIn.model_validate_json(body)
    except ValidationError:
        return
    assert repr(fastapi_reads(body)) == repr(quick)


@pytest.fixture
def handled(monkeypatch) -> list[str]:
    """The paths FastAPI solved a request for: a quick answer is not among them."""
    solved: list[str] = []
    solve = fastapi.routing.solve_dependencies

    async def counted(*, request, **kwargs):
        solved.append(request.url.path)
        return await solve(request=request, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counted)
    return solved


def test_an_answer_with_a_known_token_is_quick_and_the_same_as_fastapis(
    client: TestClient, handled
):
    headers = new_learner(client)
    nxt = client.get(f"/api/lessons/{LESSON}/next", headers=headers).json()
    body = {**answer_body(client, LESSON, nxt, "not_quite"), "idempotency_key": "k-1"}
    url = f"/api/lessons/{LESSON}/answers"
    data = json.dumps(body).encode()
    # A JSON type other than plain application/json is FastAPI's to read.
    slow = client.post(
        url, headers={**headers, "content-type": "application/vnd.x+json"}, content=data
    )
    handled.clear()
    quick = client.post(url, headers={**headers, "content-type": "application/json"}, content=data)
    assert handled == []
    assert slow.status_code == quick.status_code == 200
    assert slow.json() == quick.json() and quick.json()["grade"] == "not_quite"


def test_anything_unusual_goes_to_fastapi_and_gets_its_error(client: TestClient, handled):
    headers = new_learner(client)
    nxt = client.get(f"/api/lessons/{LESSON}/next", headers=headers).json()
    url = f"/api/lessons/{LESSON}/answers"
    base = {"question_id": nxt["question"]["id"], "variant": nxt["variant"]}
    handled.clear()
    refused = client.post(url, headers=headers, json={**base, "variant": "x"})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "variant"]
    assert client.post(url, json=base).status_code == 401
    unknown = {"authorization": "Bearer not-a-token"}
    assert client.post(url, headers=unknown, json=base).status_code == 401
    assert handled == [url, url, url]


def test_a_token_not_yet_seen_by_this_process_is_looked_up_first(client: TestClient, settings):
    headers = new_learner(client)
    nxt = client.get(f"/api/lessons/{LESSON}/next", headers=headers).json()
    with TestClient(create_app(settings)) as fresh:  # a new process: no token known yet
        reply = fresh.post(
            f"/api/lessons/{LESSON}/answers",
            headers=headers,
            json=answer_body(fresh, LESSON, nxt, "exactly"),
        )
    assert reply.status_code == 200 and reply.json()["grade"] == "exactly"


def test_a_body_over_the_limit_sent_in_chunks_is_refused_on_the_quick_route(
    client: TestClient, settings
):
    headers = new_learner(client)
    client.get(f"/api/lessons/{LESSON}/next", headers=headers)  # the token is known now

    def chunks():
        for _ in range(settings.max_body_bytes // 1024 + 2):
            yield b" " * 1024

    reply = client.post(f"/api/lessons/{LESSON}/answers", headers=headers, content=chunks())
    assert reply.status_code == 413
    assert "larger than the" in reply.json()["detail"]


def test_a_client_gone_mid_body_records_nothing_and_the_route_serves_on(client: TestClient):
    """The body stops half-way and the client disconnects: nothing is recorded, nothing
    fails, and the same answer sent whole is then taken as the first."""
    headers = new_learner(client)
    nxt = client.get(f"/api/lessons/{LESSON}/next", headers=headers).json()
    body = json.dumps({**answer_body(client, LESSON, nxt, "exactly"), "idempotency_key": "k-2"})
    data = body.encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"/api/lessons/{LESSON}/answers",
        "raw_path": f"/api/lessons/{LESSON}/answers".encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", headers["Authorization"].encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(data)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    arriving = [
        {"type": "http.request", "body": data[: len(data) // 2], "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict] = []

    async def receive() -> dict:
        return arriving.pop(0) if arriving else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    async def call() -> None:
        await client.app(scope, receive, send)

    client.portal.call(call)  # raises whatever the app let escape: nothing may
    started = [m for m in sent if m["type"] == "http.response.start"]
    assert all(m["status"] < 500 for m in started)
    assert client.get(f"/api/lessons/{LESSON}/next", headers=headers).json() == nxt
    whole = client.post(
        f"/api/lessons/{LESSON}/answers",
        headers={**headers, "content-type": "application/json"},
        content=data,
    )
    assert whole.status_code == 200 and whole.json()["grade"] == "exactly"
