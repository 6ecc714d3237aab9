"""Bounded request bodies: a body larger than the limit is refused with 413, unread, and
one that stops arriving half-way with 408.

A declared ``Content-Length`` over the limit is refused before a byte of the body is read;
a body sent without one (chunked) is counted as it arrives and refused once it passes the
limit, so no request can make the server hold more than the limit in memory.
"""

from __future__ import annotations

import asyncio
import json

from starlette.exceptions import HTTPException

SLOW_BODY = "the request body stopped arriving before it was whole; send it again"


def too_large_message(limit: int) -> str:
    return f"the request body is larger than the {limit:,}-byte limit; send less"


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``limit`` bytes with 413."""

    def __init__(self, app, limit: int, timeout: float = 10.0):
        self.app = app
        self.limit = limit
        self.timeout = timeout

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await _refuse(scope, send, too_large_message(self.limit))
            return
        seen, whole = 0, False

        async def counted():
            nonlocal seen, whole
            if whole:  # the body is in: what follows is waiting for a disconnect, untimed
                return await receive()
            try:
                # asyncio's own timer, at half the cost of anyio's: the app runs on asyncio
                # only (its writes settle asyncio futures), and every request pays this.
                async with asyncio.timeout(self.timeout):
                    message = await receive()
            except TimeoutError:
                raise HTTPException(408, SLOW_BODY) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # Raised inside the route's body read: the app's error handlers answer.
                    raise HTTPException(413, too_large_message(self.limit))
                whole = not message.get("more_body", False)
            else:
                whole = True
            return message

        await self.app(scope, counted, send)


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(scope, send, message: str) -> None:
    api = scope.get("path", "").startswith("/api/")
    body = json.dumps({"detail": message}).encode() if api else message.encode()
    kind = b"application/json" if api else b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
