"""Validated lesson files kept on disk between starts, so that a restart does not validate
again what it validated before.

Validating the shipped lessons renders every text in every topic and several variants:
seconds of CPU (over ten on a busy two-core machine), paid by every `tutor serve` before
its first answer. What validation gives depends only on the file's text, its folder's
misconception ids and the code doing it, so the result is kept under a hash of all
three, in the user's cache folder (``$XDG_CACHE_HOME/tutor``, else ``~/.cache/tutor``;
``TUTOR_LESSON_CACHE=off`` turns it off). A change to any lesson or to the package's
code makes a new key; a missing, unreadable or unwritable cache only costs the time.
Only the user who runs the tutor should be able to write there: what is kept is loaded
as Python objects (pickle).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger("tutor.lessons")

PACKAGE = Path(__file__).resolve().parent.parent
KEEP = 256
"""Entries kept; the oldest go first (every edit of a lesson makes a new one)."""


def folder() -> Path | None:
    """Where results are kept; None when turned off."""
    if os.environ.get("TUTOR_LESSON_CACHE", "").lower() in ("off", "0", "false", "no"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tutor" / "lessons"


@cache
def code_version() -> str:
    """A hash of the package's code (and the Python and Pydantic running it): a kept result
    is only as good as the code that made it."""
    import pydantic

    digest = hashlib.sha256(f"{sys.version}|{pydantic.VERSION}".encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def key(file: str, source_hash: str, known: frozenset[str] | None) -> str:
    parts = [code_version(), file, source_hash, ",".join(sorted(known)) if known else "-"]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def read(name: str) -> Any | None:
    where = folder()
    if where is None:
        return None
    try:
        return pickle.loads((where / f"{name}.pickle").read_bytes())
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 - a damaged entry is validated again
        log.debug("kept lesson %s unreadable: %s", name, exc)
        return None


def write(name: str, value: Any) -> None:
    where = folder()
    if where is None:
        return
    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Written whole, then renamed: a reader sees the old entry or the new, never half.
        with tempfile.NamedTemporaryFile(dir=where, delete=False, suffix=".tmp") as out:
            out.write(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(out.name, where / f"{name}.pickle")
        entries = sorted(where.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns)
        for old in entries[:-KEEP]:
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("cannot keep a validated lesson in %s: %s", where, exc)
