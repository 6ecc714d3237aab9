"""The browser learner behind a page request, and the limit on starting new ones.

A visitor is a learner id in a signed cookie, handed out with the first page read; their
row is made only by their first write (an answer, a choice, a topic), so reading pages costs
nothing to store and is never limited. That first write is where new learners are counted,
per client address, as ``POST /api/learners`` counts API learners.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from tutor.errors import Forbidden
from tutor.service.tutor import Tutor
from tutor.store.learners import new_learner_id
from tutor.web import ratelimit
from tutor.web.deps import TutorDep
from tutor.web.security import LEARNER_COOKIE, Signer

WAIT = (
    "Lots of people have just started here from your network, so new starts are paused for "
    "a moment. Please wait about {seconds} seconds, then go back and try again. You can "
    "keep reading the lessons meanwhile."
)
"""What a visitor over the limit is told (the error page, with Retry-After)."""


class Visitor:
    """The browser learner behind a request: from the signed cookie, or new."""

    def __init__(self, request: Request):
        signer: Signer = request.app.state.signer
        found = signer.learner_from(request.cookies.get(LEARNER_COOKIE))
        self.is_new = found is None
        self.id = found or new_learner_id()
        self.csrf = signer.csrf_token(self.id)
        self.signer = signer
        self.secure = request.app.state.settings.secure_cookies

    def remember(self, response: Response) -> Response:
        if self.is_new:
            response.set_cookie(
                LEARNER_COOKIE,
                self.signer.cookie_for(self.id),
                max_age=400 * 24 * 3600,
                httponly=True,
                samesite="lax",
                secure=self.secure,
                path="/",
            )
        return response

    def check_csrf(self, token: str | None) -> None:
        if self.is_new or not self.signer.csrf_ok(self.id, token):
            raise Forbidden(
                "this form has expired or did not come from this site; "
                "reload the page and try again"
            )


async def visitor(request: Request) -> Visitor:
    """The request's visitor. ``async`` because it only checks a signature: as a plain class
    dependency FastAPI would send it to a worker thread, a second hand-off on every page."""
    return Visitor(request)


VisitorDep = Annotated[Visitor, Depends(visitor)]


class StoredLearners:
    """Visitors this process knows to be stored (or counted): their forms cost no read."""

    LIMIT = 100_000

    def __init__(self) -> None:
        self._ids: set[str] = set()

    def __contains__(self, learner_id: str) -> bool:
        return learner_id in self._ids

    def add(self, learner_id: str) -> None:
        if len(self._ids) >= self.LIMIT:
            self._ids.clear()
        self._ids.add(learner_id)


async def writer(request: Request, visitor: VisitorDep, tutor: TutorDep) -> Visitor:
    """The visitor of a form that writes; a visitor not yet stored counts as a new learner.

    Over the limit, the form is refused (429 with Retry-After, a page saying how long to
    wait) and nothing is made. A visitor without a cookie is let through: their form fails
    its CSRF check, so it makes nothing either.
    """
    if _uncounted(request, visitor):
        # Only a visitor this process has not seen write costs a read.
        _count(request, visitor, await tutor.db.read_async(tutor.has_learner, visitor.id))
    return visitor


def count_writer(request: Request, visitor: Visitor, tutor: Tutor) -> None:
    """``writer``, for a form that knows only part-way whether it writes (a topic asked for
    is confirmed first): called just before the write, from a worker thread."""
    if _uncounted(request, visitor):
        _count(request, visitor, tutor.has_learner(visitor.id))


def _uncounted(request: Request, visitor: Visitor) -> bool:
    stored: StoredLearners = request.app.state.stored_learners
    return not (visitor.is_new or visitor.id in stored)


def _count(request: Request, visitor: Visitor, already_stored: bool) -> None:
    if not already_stored:
        limit = ratelimit.page_learners(request)
        limit.check(request)
        limit.spend(ratelimit.client_of(request))
    request.app.state.stored_learners.add(visitor.id)


WriterDep = Annotated[Visitor, Depends(writer)]
"""The visitor of a form post that writes (an answer, a choice, a hint, ...); a topic
switch counts its visitor itself, once it is confirmed (``count_writer``)."""
