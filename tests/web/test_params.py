"""Parameters a route reads itself (tutor.web.params) behave and are documented exactly as
the same parameters declared the FastAPI way."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import FastAPI, Query, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from tutor.web.params import Params


class Address(BaseModel):
    lesson_id: str
    n: int
    topic: str | None = Field(None, max_length=8, description="Re-skin the texts.")
    after: int | None = Field(None, ge=1)


PARAMS = Params(Address, {"lesson_id": "path", "n": "path", "topic": "query", "after": "query"})


def declared_app() -> FastAPI:
    app = FastAPI()

    @app.get("/lessons/{lesson_id}/steps/{n}")
    def step(
        lesson_id: str,
        n: int,
        topic: Annotated[str | None, Query(max_length=8, description="Re-skin the texts.")] = None,
        after: Annotated[int | None, Query(ge=1)] = None,
    ) -> dict:
        return {"lesson_id": lesson_id, "n": n, "topic": topic, "after": after}

    return app


def read_app() -> FastAPI:
    app = FastAPI()

    @app.get("/lessons/{lesson_id}/steps/{n}", openapi_extra=PARAMS.openapi())
    def step(request: Request) -> dict:
        return PARAMS.read(request).model_dump()

    return app


def test_the_document_lists_the_parameters_as_fastapi_does():
    path = "/lessons/{lesson_id}/steps/{n}"
    declared = declared_app().openapi()["paths"][path]["get"]["parameters"]
    read = read_app().openapi()["paths"][path]["get"]["parameters"]
    assert read == declared


@pytest.mark.parametrize(
    "url",
    [
        "/lessons/a/steps/2",
        "/lessons/a/steps/02",
        "/lessons/a/steps/2.0",
        "/lessons/a/steps/%202",
        "/lessons/a/steps/-3",
        "/lessons/a/steps/x",
        "/lessons/a/steps/2.5",
        "/lessons/a/steps/\u00b2",
        "/lessons/a/steps/2?topic=spam",
        "/lessons/a/steps/2?topic=far-too-long",
        "/lessons/a/steps/x?topic=far-too-long&after=0",
        "/lessons/a/steps/2?after=7&other=1",
        "/lessons/a/steps/2?after=seven",
        "/lessons/a/steps/2?topic=",
    ],
)
def test_values_and_errors_are_fastapis(url: str):
    with TestClient(declared_app()) as declared, TestClient(read_app()) as read:
        expected, got = declared.get(url), read.get(url)
    assert (got.status_code, got.json()) == (expected.status_code, expected.json())


def test_every_field_must_have_a_place():
    with pytest.raises(ValueError, match="each field of Address"):
        Params(Address, {"lesson_id": "path", "n": "path"})
