"""Dependencies the routers share, as ``Annotated`` aliases for route signatures."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from tutor.errors import Unauthorized
from tutor.service.tutor import Tutor
from tutor.web import ratelimit
from tutor.web.security import bearer_token


async def get_tutor(request: Request) -> Tutor:
    """The app's tutoring service, built once by ``create_app``.

    It only reads ``app.state``, so it is ``async``: FastAPI runs it in the event loop
    instead of sending it to the thread pool.
    """
    return tutor_of(request)


TutorDep = Annotated[Tutor, Depends(get_tutor)]


def tutor_of(request: Request) -> Tutor:
    """The tutoring service, for the routes most requests go through (a step, its page,
    `next`, answers): read from the app's state directly, as FastAPI spends more on each
    dependency of a request (its path, query, header and cookie parameters are looked up
    for each) than serving a kept step costs."""
    return request.app.state.tutor


class TokenCache:
    """Bearer tokens already seen by this process and their learners: tokens never change,
    so a known token costs no database read."""

    LIMIT = 100_000

    def __init__(self) -> None:
        self._learners: dict[str, str] = {}

    def get(self, token: str) -> str | None:
        return self._learners.get(token)

    def put(self, token: str, learner_id: str) -> None:
        if len(self._learners) >= self.LIMIT:
            self._learners.clear()
        self._learners[token] = learner_id


class LearnerToken(HTTPBearer):
    """The learner whose bearer token came with the request.

    Declared as a security scheme, so the docs page has an "Authorize" button that sends
    the token; and it reads the header itself, one dependency instead of three (FastAPI
    looks up every kind of parameter for each dependency of each request). Known tokens
    are answered from memory; only a token not seen before costs a database read
    (``Database.read_async``).
    """

    def __init__(self) -> None:
        super().__init__(
            auto_error=False,
            scheme_name="HTTPBearer",
            description="The token from POST /api/learners.",
        )

    async def __call__(self, request: Request) -> str:  # type: ignore[override]
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            raise Unauthorized(
                "send Authorization: Bearer <token>, with a token from POST /api/learners"
            )
        state = request.app.state
        tokens: TokenCache = state.tokens
        learner_id = tokens.get(token)
        if learner_id is None:
            failures = ratelimit.failures(request)
            failures.check(request)  # a client guessing tokens waits, right or wrong
            tutor = tutor_of(request)
            learner_id = await tutor.db.read_async(tutor.learner_for_token, token)
            if learner_id is None:
                failures.spend(ratelimit.client_of(request))
                raise Unauthorized("that bearer token is not known")
            tokens.put(token, learner_id)
        return learner_id


api_learner = LearnerToken()

LearnerDep = Annotated[str, Depends(api_learner)]
"""The API learner of a request, from its bearer token."""
