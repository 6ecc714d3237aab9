"""Every error, answered once: as JSON under /api/, as an error page everywhere else.

One mapping turns whatever went wrong into a status, a message for API clients, the
learner's wording and headers: the tutor's own errors carry all of these; the framework's
(an unknown address, a form that does not fit) and the database's (busy, or out of reach)
are worded here. Nothing changed in any of these cases.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from tutor.errors import BadFields, TutorError, Unavailable
from tutor.store.database import reason

log = logging.getLogger("tutor")

# Starlette's own errors (an unknown address, say) in a learner's words.
HTTP_WORDING = {
    404: "There is no page at this address. The lessons are listed on the home page.",
    405: "This address does not take that kind of request.",
}
TITLES = {401: "Sign in", 403: "Not allowed", 404: "Not found", 409: "That moved on"}
TITLES |= {422: "Not quite right", 503: "Try again shortly"}


@dataclass(frozen=True)
class Problem:
    status: int
    message: str  # for logs and pages that show the plain message
    wording: str  # for a learner's page
    headers: dict[str, str] = field(default_factory=dict)
    detail: Any = None  # the API's "detail": the message, or a list of field errors

    def __post_init__(self) -> None:
        if self.detail is None:
            object.__setattr__(self, "detail", self.message)


def problem(exc: Exception) -> Problem:
    """What went wrong, as the two front doors say it."""
    if isinstance(exc, BadFields):
        detail = [
            {"loc": ["body", *exc.where, name], "msg": msg, "type": "value_error"}
            for name, msg in exc.fields.items()
        ]
        return Problem(exc.status, exc.message, exc.wording, dict(exc.headers), detail)
    if isinstance(exc, TutorError):
        return Problem(exc.status, exc.message, exc.wording, dict(exc.headers))
    if isinstance(exc, HTTPException):
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        wording = HTTP_WORDING.get(exc.status_code, message)
        return Problem(exc.status_code, message, wording, dict(exc.headers or {}), exc.detail)
    if isinstance(exc, RequestValidationError):
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid input"}
        where = ".".join(str(p) for p in first["loc"][1:])
        return Problem(422, first["msg"], f"{where}: {first['msg']}", detail=errors)
    if isinstance(exc, PoolTimeout):
        # Every database connection stayed in use for the whole pool timeout: overloaded,
        # not broken. No transaction had begun, so nothing changed and it can be sent again.
        return problem(
            Unavailable("the tutor is busy right now and changed nothing: try again shortly")
        )
    if isinstance(exc, OperationalError):
        # The database went away mid-request: restarted, a dropped connection, SQLite locked
        # past its timeout. The transaction rolled back (or, had the connection dropped
        # during the commit, may have been kept: an answer sent again with its idempotency
        # key is still recorded once). The pool replaces broken connections: try again.
        log.warning("database unavailable: %s", reason(exc))
        return problem(
            Unavailable("the tutor could not reach its database just now: try again shortly")
        )
    raise exc


def api_error(request: Request, exc: Exception) -> Response:
    found = problem(exc)
    return JSONResponse({"detail": found.detail}, status_code=found.status, headers=found.headers)


def page_error(request: Request, exc: Exception) -> Response:
    found = problem(exc)
    context = {
        "visitor": None,
        "status": found.status,
        "title": TITLES.get(found.status, "Something went wrong"),
        "message": found.wording,
    }
    page: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, "error.html", context, status_code=found.status
    )
    page.headers.update(found.headers)
    return page


async def handle(request: Request, exc: Exception) -> Response:
    """JSON for the API, a page for everything else."""
    if request.url.path.startswith("/api/"):
        return api_error(request, exc)
    return page_error(request, exc)


def install(app: FastAPI) -> None:
    for kind in (TutorError, HTTPException, RequestValidationError, PoolTimeout, OperationalError):
        app.add_exception_handler(kind, handle)
