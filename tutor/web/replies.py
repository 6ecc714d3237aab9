"""Replies that are the same for every client: made once per lesson version, then sent as
bytes from the event loop.

A step as the API shows it depends only on the lesson's content, the step and the topic.
Built, validated and serialised on every request, it cost a worker thread and a
millisecond of CPU each time; kept, it costs a dictionary lookup. The key carries the
lesson's content hash, so a reloaded lesson is a new key and its old replies age out.
"""

from __future__ import annotations

import gzip
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

from tutor.web.assets import GZIP_ABOVE


class Reply:
    """One kept reply: its JSON, and the same gzipped when that is worth sending."""

    __slots__ = ("body", "gzipped")

    def __init__(self, body: bytes):
        self.body = body
        self.gzipped = (
            gzip.compress(body, compresslevel=6, mtime=0) if len(body) > GZIP_ABOVE else None
        )

    def response(self, request: Request) -> Response:
        if self.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
            # Already encoded: the gzip middleware passes it through as it is.
            headers = {"content-encoding": "gzip", "vary": "Accept-Encoding"}
            return Response(self.gzipped, media_type="application/json", headers=headers)
        return Response(self.body, media_type="application/json")


class Replies:
    """The kept replies, the least recently sent dropped first beyond ``limit``."""

    def __init__(self, limit: int = 512):
        self._limit = limit
        self._kept: OrderedDict[Hashable, Reply] = OrderedDict()
        self._lock = Lock()  # the event loop reads; a worker thread may be adding

    async def send(self, request: Request, key: Hashable, make: Callable[[], bytes]) -> Response:
        """The reply kept under ``key``, made by ``make()`` in a worker thread the first time
        (an error it raises, such as a 404, is raised here and nothing is kept)."""
        with self._lock:
            reply = self._kept.get(key)
            if reply is not None:
                self._kept.move_to_end(key)
        if reply is None:
            reply = await run_in_threadpool(lambda: Reply(make()))
            with self._lock:
                self._kept[key] = reply
                while len(self._kept) > self._limit:
                    self._kept.popitem(last=False)
        return reply.response(request)
