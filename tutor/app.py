"""The application factory: everything is built here, nothing at import time."""

from __future__ import annotations

import gc
import hashlib
import hmac
import logging
import secrets
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.middleware.gzip import GZipMiddleware

from tutor.config import Settings
from tutor.lessons.catalog import load_catalog
from tutor.lessons.watch import LessonWatcher
from tutor.service.tutor import Tutor
from tutor.store import database as db
from tutor.store import fitted, learners
from tutor.web import api, errors, instructor, labs, step_forms, topic_pages, visitors
from tutor.web import pages as web
from tutor.web.assets import GZIP_ABOVE, Assets
from tutor.web.deps import TokenCache
from tutor.web.head import HeadAsGet
from tutor.web.instructor import InstructorAccess
from tutor.web.limits import BodyLimit
from tutor.web.ratelimit import RateLimit
from tutor.web.replies import Replies
from tutor.web.security import SecurityHeaders, Signer
from tutor.web.serving import install_log_filters

log = logging.getLogger("tutor")

SWAGGER_UI = "/static/vendor/swagger-ui-5.35.0"
"""The API docs viewer, served from here: no page of the app loads anything from another host."""


def create_app(settings: Settings | None = None, *, migrate: bool = True) -> FastAPI:
    """Build the app: settings, database (migrated), lesson catalog, routes."""
    settings = settings or Settings()
    if migrate:
        db.upgrade(settings.database_url, db.Timeouts.of(settings))
    database = db.connect(
        settings.database_url, threads=settings.threads, timeouts=db.Timeouts.of(settings)
    )
    catalog = load_catalog([settings.lessons_dir]).with_fading(settings.fading)
    for problem in catalog.problems:
        log.warning("lesson problem: %s", problem)
    with database.reading() as connection:
        catalog = catalog.with_fitted(fitted.read(connection))
    secret = settings.secret_key or _instance_secret(database, "cookie-key")
    tutor = Tutor(catalog, database, option_key(secret))
    token = settings.instructor_token
    if not token:
        token = secrets.token_urlsafe(24)
        log.warning(
            "instructor sign-in: /instructor/sign-in?token=%s (a new link at every start; "
            "set TUTOR_INSTRUCTOR_TOKEN to keep it the same)",
            token,
        )
    watcher = LessonWatcher(tutor, settings.lessons_dir) if settings.watch_lessons else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        # The pool that runs sync routes and dependencies, for this event loop.
        to_thread.current_default_thread_limiter().total_tokens = settings.threads
        install_log_filters()  # after the server has set its logging up
        if watcher:
            watcher.start()
        yield
        if watcher:
            watcher.stop()
        database.dispose()

    app = FastAPI(
        title="tutor",
        summary="An adaptive, step-by-step tutor for how a neural network learns.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.tutor = tutor
    app.state.database = database
    app.state.signer = Signer(secret)
    app.state.instructor = InstructorAccess(token, secret)
    app.state.tokens = TokenCache()
    app.state.replies = Replies()
    app.state.limits = {
        "learners": RateLimit(settings.learners_per_minute, "new learners"),
        "page_learners": RateLimit(
            settings.page_learners_per_minute, "new learners", wording=visitors.WAIT
        ),
        "auth": RateLimit(settings.auth_failures_per_minute, "failed sign-ins"),
    }
    app.state.stored_learners = visitors.StoredLearners()
    app.state.templates = web.templates(settings)
    assets = Assets(settings.static_dir)
    app.state.templates.env.globals["asset"] = assets.url
    app.add_middleware(HeadAsGet)  # innermost: only routing needs to see GET
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, timeout=settings.header_timeout)
    app.add_middleware(SecurityHeaders)
    # Level 6, not 9: nearly as small, at half the CPU of every page and JSON reply.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_ABOVE, compresslevel=6)
    if settings.bench_floor:
        # First of all routes: Starlette tries routes in order, and a floor matched after
        # eighty others would cost more than the endpoints measured against it.
        _bench_floor(app)
    app.mount("/static", assets, name="static")
    app.include_router(api.router)
    app.include_router(labs.api)
    app.include_router(web.router)
    app.include_router(step_forms.router)
    app.include_router(topic_pages.router)
    app.include_router(labs.pages)
    app.include_router(instructor.api)
    app.include_router(instructor.pages)
    _api_docs(app)
    _favicon(app)
    errors.install(app)
    instructor.install(app)
    return app


def option_key(secret: str) -> bytes:
    """The key of learners' option ids: a key of its own, derived from the secret."""
    return hmac.new(secret.encode(), b"option ids", hashlib.sha256).digest()


def _instance_secret(database: db.Database, name: str) -> str:
    with database.writing() as connection:
        return learners.instance_secret(connection, name=name)


def _api_docs(app: FastAPI) -> None:
    # Our own page rather than FastAPI's, whose inline start-up script would need the
    # page's Content-Security-Policy to allow inline scripts; static/docs-init.js starts it.
    @app.get("/docs", include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        context = {
            "title": f"{app.title}: the JSON API",
            "swagger_ui": SWAGGER_UI.removeprefix("/static/"),  # for asset(): hashed URLs
            "openapi_url": app.openapi_url or "/openapi.json",
        }
        return app.state.templates.TemplateResponse(request, "docs.html", context)


def _favicon(app: FastAPI) -> None:
    # Pages name their icon; a browser asks for /favicon.ico anyway wherever a page does
    # not (the JSON of /openapi.json, say). Temporary: the icon's hashed address changes.
    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> RedirectResponse:
        return RedirectResponse(app.state.templates.env.globals["asset"]("favicon.svg"), 302)


def _bench_floor(app: FastAPI) -> None:
    # What a request costs in this app with no work at all: no thread hand-off, no
    # database, no rendering. bench/load.py's ratios are to this.
    @app.get("/api/bench/floor", include_in_schema=False)
    async def bench_floor() -> Response:
        return Response(b"{}", media_type="application/json")


def create_served_app(settings: Settings | None = None, *, migrate: bool = True) -> FastAPI:
    """The app as ``tutor serve`` runs it, in a process of its own that it keeps."""
    app = create_app(settings, migrate=migrate)
    settle_heap()
    return app


def settle_heap() -> None:
    """Tune the garbage collector for a long-lived server process.

    What the app builds at start (lessons, templates, modules) lives as long as the
    process. Frozen, it is no longer walked by every full collection: under load those
    walks paused every request for ~100 ms and took a tenth of the CPU. The larger
    first threshold makes young collections rarer; a request makes thousands of
    short-lived objects, and reference counting frees nearly all of them anyway.
    The cost: lessons reloaded later leave their first version in memory. Not for
    tests or embedding, where apps come and go: a frozen app is never freed.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
