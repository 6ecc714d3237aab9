"""HEAD answered as GET: the same status and headers, without the body (RFC 9110).

Routes are declared for GET alone, and FastAPI does not add HEAD to them, so a monitor or
a link checker asking HEAD got 405. The app is asked for GET; the server drops the body
of a reply to HEAD (uvicorn does, for the HEAD it still sees in its own scope).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "HEAD":
            scope = {**scope, "method": "GET"}
        await self.app(scope, receive, send)
