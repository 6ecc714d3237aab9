"""Routers that turn a request away by its path's first segment before trying their routes.

FastAPI tries the routes of every included router in turn, each a regular expression: a
step page was tried against the twenty routes of the API, one by one, before its own, and
that cost a tenth of the page. A route whose path begins with a fixed segment (``/api/...``,
``/lessons/...``) can only match a path that begins with it, so a router whose routes all
do can say "not mine" from that segment alone. Only the order of looking changes: a path
is matched by the same route as before.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.routing import Match
from starlette.types import Scope


class Router(APIRouter):
    """An ``APIRouter`` that answers "no match" at once for a path whose first segment none
    of its routes begins with."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._firsts: frozenset[str] | None = None
        self._counted = -1

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        firsts = self._first_segments()
        if firsts is not None and first_segment(_route_path(scope)) not in firsts:
            return Match.NONE, {}
        return super().matches(scope)

    def _first_segments(self) -> frozenset[str] | None:
        """The first segments of the routes' paths; None when one begins with a parameter
        (or is not a plain route), which could match any path."""
        if self._counted != len(self.routes):  # routes are only ever added
            self._counted = len(self.routes)
            segments = [first_segment(getattr(route, "path", "{")) for route in self.routes]
            self._firsts = None if any("{" in s for s in segments) else frozenset(segments)
        return self._firsts


def first_segment(path: str) -> str:
    """``lessons`` of ``/lessons/x/steps/1``; ``""`` of ``/``."""
    return path[1:].partition("/")[0] if path.startswith("/") else path.partition("/")[0]


def _route_path(scope: Scope) -> str:
    """The path the routes see: without the root path the app is served under."""
    path: str = scope["path"]
    root = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("/", ""):
        return path[len(root) :]
    return path
