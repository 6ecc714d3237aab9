"""Every error, answered once: as JSON under /api/, as an error page everywhere else.

One mapping turns whatever went wrong into a status, a message for API clients, the
learner's wording and headers: the tutor's own errors carry all of these; the framework's
(an unknown address, a form that does not fit) and the database's (busy, or out of reach)
are worded here. Nothing changed in any of these cases.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from tutor.errors import BadFields, TutorError, Unavailable
from tutor.store.database import reason
from tutor.store.sqlite_writes import WriteNotKept
from tutor.teaching.labs import MAX_ITEMS, is_number

log = logging.getLogger("tutor")

# Starlette's own errors (an unknown address, say) in a learner's words.
HTTP_WORDING = {
    404: "There is no page at this address. The lessons are listed on the home page.",
    405: "This address does not take that kind of request.",
    408: "Your browser stopped sending the form half-way. Please send it again.",
    413: "That was far more than this page sends. Reload the page and try again.",
}
TITLES = {401: "Sign in", 403: "Not allowed", 404: "Not found", 409: "That moved on"}
TITLES |= {
    413: "Too much",
    422: "Not quite right",
    429: "Please wait a moment",
    503: "Try again shortly",
}


_LATER = "Your progress so far is kept; please come back later."
_LOGGED: set[str] = set()  # database faults already logged, by cause


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


def _unreadable_json(exc: HTTPException) -> str | None:
    """What made a body that FastAPI could not parse unreadable, when it says only "There
    was an error parsing the body": the JSON parser's own limits, and text that is not
    UTF-8. None for anything else."""
    cause = exc.__cause__
    if exc.status_code != 400 or cause is None:
        return None
    if isinstance(cause, RecursionError):
        return "the body's JSON nests too deeply to be read: send a JSON object of plain fields"
    if isinstance(cause, UnicodeDecodeError):
        return f"the body is not UTF-8 text (byte {cause.start}): send JSON as UTF-8"
    if isinstance(cause, ValueError) and "digits" in str(cause):
        # Python refuses to read an integer of more than sys.get_int_max_str_digits() digits.
        return (
            "a number in the body has far too many digits to be read: send numbers of an "
            "ordinary size"
        )
    return None


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
        unread = _unreadable_json(exc)
        if unread is not None:
            return Problem(400, unread, "That could not be read. Please send it again.")
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        wording = HTTP_WORDING.get(exc.status_code, message)
        return Problem(exc.status_code, message, wording, dict(exc.headers or {}), exc.detail)
    if isinstance(exc, RequestValidationError):
        broken = next((e for e in exc.errors() if e.get("type") == "json_invalid"), None)
        if broken is not None:
            # Not JSON at all: nothing in it could be read, so no field is to blame.
            at = tuple(broken.get("loc", ()))[1:2]
            where = f" at character {at[0]}" if at and isinstance(at[0], int) else ""
            message = f"the body is not valid JSON{where}: send a JSON object"
            return Problem(400, message, "That could not be read. Please send it again.")
        errors = []
        for e in _one_branch(list(exc.errors())):
            loc = [p for p in e.get("loc", ()) if not _is_branch(p)]
            entry = {"loc": loc, "msg": _field_message(e), "type": e.get("type")}
            if entry not in errors:  # two branches may say the same of one field
                errors.append(entry)
        first = errors[0] if errors else {"loc": [], "msg": "invalid input"}
        where = ".".join(str(p) for p in first["loc"][1:])
        return Problem(422, first["msg"], f"{where}: {first['msg']}", detail=errors)
    if isinstance(exc, PoolTimeout):
        # Every database connection stayed in use for the whole pool timeout: overloaded,
        # not broken. No transaction had begun, so nothing changed and it can be sent again.
        return problem(
            Unavailable("the tutor is busy right now and changed nothing: try again shortly")
        )
    if isinstance(exc, OperationalError) and "readonly" in reason(exc).replace("-", ""):
        # Not a passing fault: trying again will not help (`tutor serve` checks at start).
        _log_once(f"the database is read-only: {reason(exc)}")
        message = "the tutor's database is read-only, so nothing can be saved; nothing changed"
        return Problem(500, message, "The tutor cannot save anything right now. " + _LATER)
    if isinstance(exc, OperationalError):
        # The database went away mid-request: restarted, a dropped connection, SQLite locked
        # past its timeout. The transaction rolled back (or, had the connection dropped
        # during the commit, may have been kept: an answer sent again with its idempotency
        # key is still recorded once). The pool replaces broken connections: try again.
        log.warning("database unavailable: %s", reason(exc))
        return problem(
            Unavailable("the tutor could not reach its database just now: try again shortly")
        )
    if isinstance(exc, WriteNotKept):
        # A shared SQLite commit that failed (the file locked past the busy timeout, say):
        # nothing of it was kept, so it is worded as its cause is, else as a passing fault.
        cause = exc.__cause__
        if isinstance(cause, DBAPIError | PoolTimeout):
            return problem(cause)
        return problem(
            Unavailable("the tutor could not keep that just now and changed nothing: try again")
        )
    if isinstance(exc, ProgrammingError):
        # Not a passing fault: a table gone (a dropped schema), a column changed. Said in
        # one log line per cause, not a traceback per request.
        _log_once(f"the database is not as the tutor left it: {reason(exc)}")
        message = (
            "the tutor's database is not as it should be (its tables are missing or "
            "changed); nothing changed. The administrator will find the cause in the log"
        )
        return Problem(500, message, "Something is wrong with the tutor's database. " + _LATER)
    raise exc


_NUMBER_ERRORS = {"float_type", "float_parsing", "int_type", "int_parsing", "finite_number"}


def _is_branch(part: object) -> bool:
    """A step of an error's place that names a member of a union (``list[...]``, ``float``,
    ``constrained-str``), not a field or an index: pydantic's, not the client's."""
    return isinstance(part, str) and ("[" in part or part in _MEMBER_TAGS)


# Pydantic's names for plain members of a union; no field of the API is named so.
_MEMBER_TAGS = frozenset(
    ("float", "int", "str", "bool", "constrained-str", "constrained-float", "constrained-int")
)


def _shape_only(error: dict) -> bool:
    """An error that says only that a value has the wrong shape for one union member: a
    list where a number goes, or a number where a list goes."""
    kind = str(error.get("type", ""))
    return kind == "list_type" or (kind.endswith("_type") and isinstance(error.get("input"), list))


def _one_branch(errors: list[dict]) -> list[dict]:
    """A union's errors from the members its value has the shape of: a list of numbers
    sent where numbers or rows of numbers go is not also told, of each number, that it
    is not a list. Members whose every error is of shape alone are dropped, while another
    member of the same union has errors of substance."""
    by_union: dict[tuple, dict[str, list[dict]]] = {}
    for e in errors:
        loc = tuple(e.get("loc", ()))
        at = next((i for i, p in enumerate(loc) if _is_branch(p)), None)
        if at is not None:
            by_union.setdefault(loc[:at], {}).setdefault(str(loc[at]), []).append(e)
    dropped: set[int] = set()
    for branches in by_union.values():
        substance = [b for b, found in branches.items() if not all(map(_shape_only, found))]
        undecided = len(substance) in (0, len(branches))
        if undecided and all(_wrong_type(e) for found in branches.values() for e in found):
            # A value of a type no member takes (`true`, a list where a number or its text
            # goes): said once, by the first member, not once per member.
            substance = list(branches)[:1]
        if substance:
            for b, found in branches.items():
                if b not in substance:
                    dropped.update(id(e) for e in found)
    return [e for e in errors if id(e) not in dropped]


def _wrong_type(error: dict) -> bool:
    return str(error.get("type", "")).endswith("_type")


_OBJECT_ERRORS = frozenset({"dict_type", "model_type", "model_attributes_type"})


def _field_message(error: dict) -> str:
    """Pydantic's message, said plainly where a number was expected and something else came:
    JSON `true` is not the number 1, and the text "nan" is not a number at all; and where
    text is not the list of numbers its pattern asks for."""
    value = error.get("input")
    if error.get("type") in _NUMBER_ERRORS:
        if isinstance(value, bool):
            if error.get("type") in ("int_type", "int_parsing"):
                return f"{str(value).lower()} is not a whole number: send one, such as 3"
            return f"{str(value).lower()} is not a number: send a number, such as 0.5"
        if isinstance(value, str) and tuple(error.get("loc", ()))[:1] in (("query",), ("path",)):
            # From the address, where every value is text: JSON has nothing to do with it.
            if error.get("type") in ("int_type", "int_parsing"):
                return f"{value[:40]!r} is not a whole number: give one such as 3"
            return f"{value[:40]!r} is not a number: give one such as 0.5"
        if isinstance(value, str):
            if error.get("type") in ("int_type", "int_parsing"):
                return f"{value[:40]!r} is not a whole number: send a JSON integer, such as 3"
            return f"{value[:40]!r} is not a number: send a JSON number, such as 0.5"
        if isinstance(value, float) and value != value:
            return "NaN is not a number: send a finite number"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} is not a finite number: send one no larger than 1e100 in size"
    if error.get("type") in ("less_than_equal", "greater_than_equal"):
        bound = (error.get("ctx") or {}).get("le", (error.get("ctx") or {}).get("ge"))
        if isinstance(bound, int | float) and abs(bound) >= 1e15:
            # Pydantic writes the bound out in full: a hundred digits for 1e100.
            return f"{value!r} is too large in size: send a number no larger than {abs(bound):g}"
        tiny = isinstance(bound, float) and 0 < abs(bound) < 1e-4
        if error.get("type") == "greater_than_equal" and tiny:
            # Pydantic writes 1e-16 as 0.0000000000000001: zeros to count.
            return f"Input should be at least {bound:g}"
    if tuple(error.get("loc", ())) == ("body",) and error.get("type") == "missing":
        return "the body is missing: send a JSON object, with Content-Type: application/json"
    if tuple(error.get("loc", ())) == ("body",) and error.get("type") in _OBJECT_ERRORS:
        # A body sent as text or a form, or JSON that is not an object: say what to send.
        return "the body must be a JSON object, sent with Content-Type: application/json"
    if error.get("type") == "string_pattern_mismatch" and isinstance(value, str):
        # The labs' lists of numbers: the pattern itself would say nothing to a person.
        numbers = [part for part in re.split(r"[\s,;]+", value) if part]
        if len(numbers) > MAX_ITEMS and all(is_number(part) for part in numbers):
            return f"{len(numbers)} numbers are too many: give at most {MAX_ITEMS}"
        return (
            f"{value[:40]!r} is not a list of numbers: write numbers between commas or "
            "spaces, with ; between rows"
        )
    if error.get("type") == "string_unicode":
        # A lone surrogate ("\ud800" escaped, or its bytes): JSON lets it through, text
        # cannot hold it.
        return "this text holds a character that is not valid Unicode: send UTF-8 text"
    return error.get("msg", "")


def _log_once(line: str) -> None:
    """Log a lasting fault once, not on every request it spoils."""
    if line not in _LOGGED:
        if len(_LOGGED) >= 100:
            _LOGGED.clear()
        _LOGGED.add(line)
        log.error("%s", line)


def api_error(request: Request, exc: Exception) -> Response:
    found = problem(exc)
    detail = _routing_detail(request, exc) or found.detail
    return JSONResponse({"detail": detail}, status_code=found.status, headers=found.headers)


def _routing_detail(request: Request, exc: Exception) -> str | None:
    """What an API client is told for an address or a method the API does not have, in
    place of the bare "Not Found" or "Method Not Allowed" of the router."""
    if not isinstance(exc, HTTPException) or exc.detail != HTTPStatus(exc.status_code).phrase:
        return None
    path = request.url.path[:200]
    if exc.status_code == 404:
        return f"there is no {path} in the API; its addresses are listed at /docs"
    allowed = (exc.headers or {}).get("Allow")
    if exc.status_code == 405 and allowed:
        return f"{path} does not take {request.method[:10]}; it takes {allowed}"
    return None


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
    for kind in (TutorError, HTTPException, RequestValidationError, PoolTimeout):
        app.add_exception_handler(kind, handle)
    for kind in (OperationalError, ProgrammingError, WriteNotKept):
        app.add_exception_handler(kind, handle)
