"""The tutor's errors, in one hierarchy: each carries its HTTP status and two wordings.

``message`` is for API clients and logs: it names the field and says what is wrong
(``value: 'abc' is not a number``). ``wording`` is what a learner's page says, in the
learner's words (``That does not read as a number. Type a number, such as 0.36.``); it is
the message itself where the two would be the same. The web layer turns any of these into a
JSON error or an error page; nothing above it matches messages to reword them.
"""

from __future__ import annotations

from typing import ClassVar


class TutorError(Exception):
    """Something the request asked for cannot be done; nothing was changed."""

    status: ClassVar[int] = 400
    title: ClassVar[str] = "Something went wrong"  # the heading of its error page
    headers: ClassVar[dict[str, str]] = {}

    def __init__(self, message: str, *, wording: str | None = None):
        super().__init__(message)
        self.message = message
        self.wording = wording or message


class NotFound(TutorError, LookupError):
    """An unknown lesson, step, topic or page."""

    status = 404
    title = "Not found"


class Conflict(TutorError):
    """An answer or a choice that no longer fits where the learner is (the lesson moved on,
    or another request won a race)."""

    status = 409
    title = "That moved on"


class BadInput(TutorError, ValueError):
    """Input that does not fit: an unknown option, a number that is not one."""

    status = 422
    title = "Not quite right"


class BadFields(BadInput):
    """Several fields that do not fit, each with its own message (a learner's own topic)."""

    def __init__(self, fields: dict[str, str], *, where: tuple[str, ...] = ()):
        first = next(iter(fields.items()), ("", "does not fit"))
        super().__init__(
            f"{'.'.join((*where, first[0]))}: {first[1]}"
            + (f" (and {len(fields) - 1} more)" if len(fields) > 1 else ""),
            wording="Some of what you wrote does not fit; see the message by each field.",
        )
        self.fields = fields
        self.where = where


class BadAnswer(BadInput):
    """An answer that does not fit its question (raised by grading)."""


class Unauthorized(TutorError):
    """No credentials, or unknown ones."""

    status = 401
    title = "Sign in"
    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(TutorError, PermissionError):
    """Credentials that do not allow this (a form without its CSRF token, say)."""

    status = 403
    title = "Not allowed"


class Unavailable(TutorError):
    """A passing fault (the database busy or out of reach): nothing changed; try again."""

    status = 503
    title = "Try again shortly"
    headers = {"Retry-After": "2"}


class TooManyRequests(TutorError):
    """A client over its rate limit: nothing changed; try again after Retry-After."""

    status = 429
    title = "Please wait a moment"

    def __init__(self, message: str, *, retry_after: int, wording: str | None = None):
        super().__init__(message, wording=wording)
        self.headers = {"Retry-After": str(retry_after)}  # type: ignore[misc]
