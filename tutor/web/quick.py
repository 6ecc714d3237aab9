"""Routes whose common case skips FastAPI's per-request machinery, and only that case.

FastAPI serves a request by solving its dependencies and its body field by field, with
telemetry around each: for an answer that cost about a fifth of the request. A
:class:`QuickRoute` is declared like any route (so its OpenAPI entry is FastAPI's own,
from the same signature) and carries a ``quick`` function that serves the common case
directly. ``quick`` returns None for anything else (no token yet seen, a body that does not
validate, a content type that is not plain JSON), and the request then goes through
FastAPI's own handler with the body already read: every error, status and side effect of an
unusual request is FastAPI's, and the quick case is one that FastAPI would have served the
same way (``tests/web/test_quick.py`` compares them).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

Quick = Callable[[Request, bytes], Awaitable[Response | None]]


class QuickRoute(APIRoute):
    """An ``APIRoute`` that tries its ``quick`` function before FastAPI's handler."""

    quick: Quick

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        standard = super().get_route_handler()
        quick = self.quick

        async def handler(request: Request) -> Response:
            try:
                # Kept on the request: FastAPI's handler does not read it again.
                body = await request.body()
            except HTTPException:
                raise  # too large, or too slow (tutor.web.limits): as FastAPI would
            except Exception:
                return await standard(request)  # the client gone, say: FastAPI's 400
            served = await quick(request, body)
            return served if served is not None else await standard(request)

        return handler


def quick_route(quick: Quick) -> type[QuickRoute]:
    """A route class for ``route_class_override`` whose common case is ``quick``."""
    return type(f"Quick_{quick.__name__}", (QuickRoute,), {"quick": staticmethod(quick)})


def json_content(request: Request) -> bool:
    """Whether the request says its body is JSON in the plainest way (``application/json``,
    perhaps with ``charset=utf-8``): the only bodies read quickly."""
    kind = request.headers.get("content-type", "").lower().replace(" ", "")
    return kind in ("application/json", "application/json;charset=utf-8")
