"""Fixtures: a fresh SQLite file per test, an app built by the factory, an HTTP client; for
the browser tests, a live server and tabs of one Chromium per module."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import CHROMIUM, CHROMIUM_ARGS, live_server

from tutor.app import create_app
from tutor.config import Settings
from tutor.store.database import scratch_schema

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


PG_URL = os.environ.get("TUTOR_TEST_DATABASE_URL")

# Validated lessons are kept (tutor.lessons.kept) in a folder of this run's own, not in the
# user's cache: tests load lessons from temporary paths that would only pile up there.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="tutor-tests-cache-")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> Iterator[str]:
    """A fresh database per test: a SQLite file always, and a PostgreSQL schema when
    TUTOR_TEST_DATABASE_URL points at a server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tutor.db'}"
        return
    if not PG_URL:
        pytest.skip("TUTOR_TEST_DATABASE_URL is not set")
    with scratch_schema(PG_URL) as url:
        yield url


@pytest.fixture
def lessons_dir() -> Path:
    """The lessons an app fixture serves; override in a module to serve others."""
    return DATA


@pytest.fixture
def settings(db_url: str, lessons_dir: Path) -> Settings:
    return Settings(database_url=db_url, lessons_dir=lessons_dir, secret_key="test-secret")


@pytest.fixture
def app(settings: Settings):
    return create_app(settings)


@pytest.fixture
def client(app):
    with TestClient(app) as test_client:
        yield test_client


# --- browser tests: modules that use these import test_browser, which skips without Chromium


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., tuple[str, Settings]]]:
    """Start live servers: ``serve(lessons_dir, **settings)`` gives (base URL, settings) of an
    app on a fresh SQLite file, served until the test ends."""
    numbers = itertools.count()
    with ExitStack() as stack:

        def start(lessons_dir: Path, **more) -> tuple[str, Settings]:
            database = tmp_path / f"served-{next(numbers)}.db"
            settings = Settings(
                database_url=f"sqlite:///{database}",
                lessons_dir=lessons_dir,
                secret_key="browser-test",
                **more,
            )
            return stack.enter_context(live_server(create_app(settings))), settings

        yield start


@pytest.fixture(scope="module")
def chromium():
    """One Chromium for a module's browser tests; each test opens tabs of its own (`tabs`)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def tabs(chromium) -> Iterator[Callable[..., object]]:
    """Open tabs: ``tabs(javascript=True, width=1000, height=1200)`` is a tab with cookies of
    its own, which keeps uncaught errors in ``tab.errors``; a dialog fails the test (markup
    that ran). Every tab is closed when the test ends.

    ``page_scripts=False`` blocks the pages' own scripts in a tab that can still run a test's
    (axe is one): the pages are then as a browser without JavaScript has them."""
    contexts, dialogs = [], []

    def open_tab(
        *, javascript: bool = True, page_scripts: bool = True, width: int = 1000, height: int = 1200
    ):
        context = chromium.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=javascript
        )
        contexts.append(context)
        if not page_scripts:
            context.route(
                "**/*",
                lambda route: (
                    route.abort() if route.request.resource_type == "script" else route.continue_()
                ),
            )
        tab = context.new_page()
        tab.errors = []
        tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        return tab

    yield open_tab
    for context in contexts:
        context.close()
    assert dialogs == [], dialogs


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request) -> bool:
    """Run a browser test twice: JavaScript on, and off (the pages work without it)."""
    return request.param
