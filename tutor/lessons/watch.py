"""Live lesson reload: a thread that notices edited lesson files and swaps the catalog.

Polling file times every half second is simple, has no platform quirks, and keeps
an edit well within the two seconds instructors are promised. A broken edit never
replaces the last good version of its lesson; its problems are logged and kept on
the catalog for the instructor pages.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Protocol

from tutor.lessons import misconceptions
from tutor.lessons.catalog import Catalog, lesson_files, refresh

log = logging.getLogger("tutor.lessons")


def snapshot(folder: Path) -> dict[Path, tuple[int, int]]:
    """Each lesson file (and the misconception catalogue) with its modification time and size."""
    found = {}
    for path in [*lesson_files([folder]), folder / misconceptions.FILE_NAME]:
        try:
            stat = path.stat()
        except OSError:
            continue
        found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


class HasCatalog(Protocol):
    """Whatever serves the lessons (the tutoring service): the watcher swaps its catalog."""

    catalog: Catalog


class LessonWatcher:
    """Reloads the lessons of ``tutor`` when files in its folder change."""

    def __init__(self, tutor: HasCatalog, folder: Path, interval: float = 0.5):
        self.tutor = tutor
        self.folder = folder
        self.interval = interval
        self._seen = snapshot(folder)
        self._logged: set[str] = {str(p) for p in tutor.catalog.problems}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start watching (again, after a stop: an app's lifespan may run more than once)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="lesson-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def check(self) -> bool:
        """Reload if anything changed since the last look; True when it did.

        Only the files that changed are read and validated again (see ``load_file``); runs
        on the watcher's thread, never on a request's.
        """
        now = snapshot(self.folder)
        if now == self._seen:
            return False
        self._seen = now
        catalog = refresh(self.tutor.catalog, [self.folder])
        self.tutor.catalog = catalog
        # Each problem is logged once, when it appears, not again on every later reload.
        current = {str(p) for p in catalog.problems}
        for problem in sorted(current - self._logged):
            log.warning("lesson problem (the last good version stays live): %s", problem)
        self._logged = current
        log.info("lessons reloaded: %s", ", ".join(sorted(catalog.lessons)) or "none")
        return True

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception:  # a watcher must outlive any one bad reload
                log.exception("reloading lessons failed")
