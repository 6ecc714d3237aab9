"""Dependencies the routers share, as ``Annotated`` aliases for route signatures."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tutor.errors import Unauthorized
from tutor.service.tutor import Tutor
from tutor.web import ratelimit


async def get_tutor(request: Request) -> Tutor:
    """The app's tutoring service, built once by ``create_app``.

    It only reads ``app.state``, so it is ``async``: FastAPI runs it in the event loop
    instead of sending it to the thread pool.
    """
    return request.app.state.tutor


TutorDep = Annotated[Tutor, Depends(get_tutor)]


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


# Declared as a security scheme, so the docs page has an "Authorize" button that sends it.
bearer = HTTPBearer(auto_error=False, description="The token from POST /api/learners.")


async def api_learner(
    request: Request,
    tutor: TutorDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
) -> str:
    """The learner whose bearer token came with the request.

    Known tokens are answered from memory; only a token not seen before costs a
    database read (``Database.read_async``).
    """
    token = credentials.credentials if credentials else None
    if token is None:
        raise Unauthorized(
            "send Authorization: Bearer <token>, with a token from POST /api/learners"
        )
    tokens: TokenCache = request.app.state.tokens
    learner_id = tokens.get(token)
    if learner_id is None:
        failures = ratelimit.failures(request)
        failures.check(request)  # a client guessing tokens waits, right or wrong
        learner_id = await tutor.db.read_async(tutor.learner_for_token, token)
        if learner_id is None:
            failures.spend(ratelimit.client_of(request))
            raise Unauthorized("that bearer token is not known")
        tokens.put(token, learner_id)
    return learner_id


LearnerDep = Annotated[str, Depends(api_learner)]
"""The API learner of a request, from its bearer token."""
