"""Static files under names that carry a hash of their content, kept by browsers for a year.

Pages link ``/static/tutor.<hash>.css`` rather than ``/static/tutor.css``: a new version of
a file gets a new name, so the old name may be cached for ever (``immutable``) and a
returning browser asks for none of them again. The plain names still work, revalidated
on every use. A hashed name whose hash is not the file's current one is not found: it
never serves other content under a name cached for a year.

Text files are sent gzipped to browsers that accept it, compressed once per version of
the file and kept in memory: the API docs viewer alone is 1.9 MB, 0.5 MB gzipped.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import re
import stat
import time
from pathlib import Path

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

GZIP_ABOVE = 1024
"""Bytes: smaller responses are sent as they are (gzip would save a packet at most)."""

RECHECK_URLS = 1.0
"""Seconds a file's hashed URL is used before the file is looked at again."""

FOREVER = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSIBLE = frozenset({".css", ".js", ".svg", ".json", ".html", ".txt"})
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<suffix>\.[A-Za-z0-9]+)$")

_Version = tuple[int, int]  # a file's modification time and size


class Assets(StaticFiles):
    """The static folder, mounted at ``prefix``; ``url(name)`` is a file's hashed URL."""

    def __init__(self, directory: Path, prefix: str = "/static"):
        super().__init__(directory=directory)
        self.prefix = prefix
        self._digests: dict[str, tuple[_Version, str]] = {}
        self._gzipped: dict[str, tuple[_Version, bytes]] = {}
        self._urls: dict[str, tuple[float, str]] = {}

    def url(self, name: str) -> str:
        """The URL of ``name`` (a path inside the folder) with its content's hash.

        The file is looked at again at most once a second: every page links three
        files, and a look (a stat) per link per page cost a tenth of a page's rendering.
        An edited file still gets its new URL within a second.
        """
        now = time.monotonic()
        known = self._urls.get(name)
        if known is not None and now - known[0] < RECHECK_URLS:
            return known[1]
        digest = self._digest(name, trusted=True)
        if digest is None:
            raise LookupError(f"no static file {name!r} in {self.directory}")
        stem, dot, suffix = name.rpartition(".")
        url = f"{self.prefix}/{stem}.{digest}{dot}{suffix}" if dot else f"{self.prefix}/{name}"
        self._urls[name] = (now, url)
        return url

    async def get_response(self, path: str, scope: Scope) -> Response:
        name, forever = path, False
        hashed = _HASHED.match(path)
        if hashed and self._digest(hashed["stem"] + hashed["suffix"]) == hashed["hash"]:
            name, forever = hashed["stem"] + hashed["suffix"], True
        response = await self._gzipped_response(name, scope)
        if response is None:
            response = await super().get_response(name, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = FOREVER if forever else REVALIDATE
        return response

    def _file(self, name: str) -> tuple[str, _Version] | None:
        full_path, found = self.lookup_path(name)  # refuses paths that leave the folder
        if found is None or not stat.S_ISREG(found.st_mode):
            return None
        return full_path, (found.st_mtime_ns, found.st_size)

    def _trusted_file(self, name: str) -> tuple[str, _Version] | None:
        full_path = os.path.join(self.directory, name)
        try:
            found = os.stat(full_path)
        except OSError:
            return None
        if not stat.S_ISREG(found.st_mode):
            return None
        return full_path, (found.st_mtime_ns, found.st_size)

    def _digest(self, name: str, *, trusted: bool = False) -> str | None:
        # A name from our own templates needs no check that it stays inside the folder:
        # one stat, not the path resolution a URL from outside gets (three per page).
        file = self._trusted_file(name) if trusted else self._file(name)
        if file is None:
            return None
        full_path, version = file
        known = self._digests.get(name)
        if known is None or known[0] != version:
            digest = hashlib.sha256(Path(full_path).read_bytes()).hexdigest()[:12]
            known = self._digests[name] = (version, digest)
        return known[1]

    async def _gzipped_response(self, name: str, scope: Scope) -> Response | None:
        """The file gzipped, when it is text, big enough and the client accepts gzip."""
        headers = Headers(scope=scope)
        if (
            scope["method"] != "GET"
            or Path(name).suffix not in COMPRESSIBLE
            or "gzip" not in headers.get("accept-encoding", "")
        ):
            return None
        file = self._file(name)
        if file is None or file[1][1] < GZIP_ABOVE:
            return None
        full_path, version = file
        known = self._gzipped.get(name)
        if known is None or known[0] != version:
            body = await anyio.to_thread.run_sync(_gzip_file, full_path)
            known = self._gzipped[name] = (version, body)
        etag = f'"{self._digest(name)}-gzip"'
        sent = {"etag": etag, "content-encoding": "gzip", "vary": "Accept-Encoding"}
        if etag in headers.get("if-none-match", ""):
            return Response(status_code=304, headers=sent)
        media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return Response(known[1], media_type=media_type, headers=sent)


def _gzip_file(path: str) -> bytes:
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)
