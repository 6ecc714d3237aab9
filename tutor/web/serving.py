"""How the server holds connections: how many, for how long, and what its logs say.

uvicorn times out idle keep-alive connections, but not a client that sends its request
head slowly, or never finishes it: 1,100 such connections once made a server unreachable.
Here a connection has ``header_timeout`` seconds to send each request head (the body is
timed in :mod:`tutor.web.limits`), the number of connections is capped, running out of
file descriptors is logged once rather than on every attempt to accept, and the
instructor token never reaches the access log.
"""

from __future__ import annotations

import errno
import logging
import re
import resource
import time
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from tutor.config import Settings


def default_connections() -> int:
    """Half the file descriptors this process may open, at most 1,000: the rest are for
    the database, lesson files and logs."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 1000
    return max(16, min(1000, soft // 2))


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn settings that bound connections, from the tutor's settings."""
    return {
        "http": timed_protocol(settings.header_timeout),
        "limit_concurrency": settings.max_connections or default_connections(),
        "timeout_keep_alive": settings.keep_alive_timeout,
    }


def timed_protocol(header_timeout: float) -> type[HttpToolsProtocol]:
    """uvicorn's HTTP/1.1 protocol on httptools (a C parser: a bare request costs a third
    less than on the pure-Python h11), closing a connection that has not sent a whole
    request head within ``header_timeout`` seconds of opening or of its last response."""

    class HeadTimedHttpTools(HttpToolsProtocol):
        _head_deadline = None

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._head_deadline = self.loop.call_later(header_timeout, self._head_overdue)

        def _disarm(self) -> None:
            if self._head_deadline is not None:
                self._head_deadline.cancel()
                self._head_deadline = None

        def _head_overdue(self) -> None:
            self._head_deadline = None
            # No request being answered: no whole head has come since the connection
            # opened or last answered (a head that came starts a cycle; its end re-arms).
            waiting = self.cycle is None or self.cycle.response_complete
            if waiting and not self.transport.is_closing():
                self.transport.close()

    return HeadTimedHttpTools


class OncePerEpisode(logging.Filter):
    """Lets the first "out of file descriptors" error through, and drops the rest until
    none has come for ``quiet`` seconds; the next one then says how many were dropped.

    asyncio logs one each time it tries to accept a connection and cannot."""

    ERRNOS = {errno.EMFILE, errno.ENFILE}

    def __init__(self, quiet: float = 60.0):
        super().__init__()
        self.quiet = quiet
        self._last: float | None = None
        self._dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._is_out_of_files(record):
            return True
        now = time.monotonic()
        first = self._last is None or now - self._last > self.quiet
        self._last = now
        if not first:
            self._dropped += 1
            return False
        if self._dropped:
            record.msg = f"{record.msg} ({self._dropped} more like it were not logged)"
            self._dropped = 0
        return True

    def _is_out_of_files(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, OSError) and exc.errno in self.ERRNOS:
            return True
        return "Too many open files" in record.getMessage()


_TOKEN = re.compile(r"([?&]token=)[^&\s]*", re.IGNORECASE)


class RedactTokens(logging.Filter):
    """Replaces the value of a `token` query parameter in access log lines (the
    instructor's sign-in link carries it) with `[redacted]`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                _TOKEN.sub(r"\1[redacted]", a) if isinstance(a, str) else a for a in record.args
            )
        elif isinstance(record.msg, str):
            record.msg = _TOKEN.sub(r"\1[redacted]", record.msg)
        return True


_EMFILE = OncePerEpisode()
_REDACT = RedactTokens()


def install_log_filters() -> None:
    """Once per process: out-of-files errors logged once, tokens out of the access log."""
    for name in ("asyncio", "uvicorn.error"):
        logger = logging.getLogger(name)
        if _EMFILE not in logger.filters:
            logger.addFilter(_EMFILE)
    access = logging.getLogger("uvicorn.access")
    if _REDACT not in access.filters:
        access.addFilter(_REDACT)
