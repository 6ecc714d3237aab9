"""Per-client rate limits: on creating learners (by the API, or by a browser visitor's
first answer), and on failed authentication.

A token bucket per client address: a client may spend up to ``per_minute`` at once (a
class behind one address starting together), and earns them back at ``per_minute`` a
minute. Over it, the request gets 429 with Retry-After. Kept in this process's memory:
with several workers each keeps its own count, which bounds a client all the same.
"""

from __future__ import annotations

import math
import threading
import time

from starlette.requests import Request

from tutor.errors import TooManyRequests


class RateLimit:
    """At most ``per_minute`` events per client in any minute, on average; 0 is no limit."""

    CLIENTS_KEPT = 100_000

    def __init__(self, per_minute: int, what: str, wording: str | None = None):
        self.per_minute = per_minute
        self.what = what
        self.wording = wording  # what a page says, with {seconds} to wait
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, when)
        self._lock = threading.Lock()

    def _tokens(self, client: str, now: float) -> float:
        tokens, when = self._buckets.get(client, (float(self.per_minute), now))
        return min(float(self.per_minute), tokens + (now - when) * self.per_minute / 60)

    def wait(self, client: str) -> float:
        """Seconds until ``client`` may try again; 0 when it may now."""
        if not self.per_minute:
            return 0.0
        with self._lock:
            tokens = self._tokens(client, time.monotonic())
        return 0.0 if tokens >= 1 else (1 - tokens) * 60 / self.per_minute

    def spend(self, client: str) -> None:
        """Count one event of ``client``."""
        if not self.per_minute:
            return
        with self._lock:
            now = time.monotonic()
            tokens = self._tokens(client, now)
            if len(self._buckets) >= self.CLIENTS_KEPT:
                self._buckets.clear()
            self._buckets[client] = (max(tokens - 1, 0.0), now)

    def check(self, request: Request) -> None:
        """Refuse with 429 when the request's client is over the limit."""
        wait = self.wait(client_of(request))
        if wait:
            seconds = math.ceil(wait)
            raise TooManyRequests(
                f"too many {self.what} from this address: try again in {seconds} s",
                retry_after=seconds,
                wording=self.wording.format(seconds=seconds) if self.wording else None,
            )


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def learners(request: Request) -> RateLimit:
    return request.app.state.limits["learners"]


def page_learners(request: Request) -> RateLimit:
    return request.app.state.limits["page_learners"]


def failures(request: Request) -> RateLimit:
    return request.app.state.limits["auth"]
