"""The application factory: everything is built here, nothing at import time."""

from __future__ import annotations

import gc
import logging
import secrets
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from tutor import api, db, instructor, labs, web
from tutor.config import Settings
from tutor.grading import AnswerError
from tutor.instructor import AccessDenied, InstructorAccess
from tutor.lessons import load_catalog
from tutor.security import SecurityHeaders, Signer
from tutor.tutoring import Conflict, NotFound, Tutor
from tutor.watch import LessonWatcher

log = logging.getLogger("tutor")

SWAGGER_UI = "/static/vendor/swagger-ui-5.35.0"
"""The API docs viewer, served from here: no page of the app loads anything from another host."""


def create_app(settings: Settings | None = None, *, migrate: bool = True) -> FastAPI:
    """Build the app: settings, database (migrated), lesson catalog, routes."""
    settings = settings or Settings()
    if migrate:
        db.upgrade(settings.database_url)
    database = db.connect(settings.database_url, threads=settings.threads)
    catalog = load_catalog([settings.lessons_dir])
    for problem in catalog.problems:
        log.warning("lesson problem: %s", problem)
    tutor = Tutor(catalog, database)
    secret = settings.secret_key or tutor.secret("cookie-key")
    token = settings.instructor_token
    if not token:
        token = secrets.token_urlsafe(24)
        log.warning("instructor sign-in: /instructor/sign-in?token=%s", token)
    watcher = LessonWatcher(tutor, settings.lessons_dir) if settings.watch_lessons else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        # The pool that runs sync routes and dependencies, for this event loop.
        to_thread.current_default_thread_limiter().total_tokens = settings.threads
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
    app.state.signer = Signer(secret)
    app.state.instructor = InstructorAccess(token, secret)
    app.state.templates = web.templates(settings)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    app.include_router(api.router)
    app.include_router(labs.api)
    app.include_router(web.router)
    app.include_router(labs.pages)
    app.include_router(instructor.api)
    app.include_router(instructor.pages)
    _api_docs(app)
    _error_handlers(app, app.state.templates)
    return app


def _api_docs(app: FastAPI) -> None:
    # Our own page rather than FastAPI's, whose inline start-up script would need the
    # page's Content-Security-Policy to allow inline scripts; static/docs-init.js starts it.
    @app.get("/docs", include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        context = {
            "title": f"{app.title}: the JSON API",
            "swagger_ui": SWAGGER_UI,
            "openapi_url": app.openapi_url or "/openapi.json",
        }
        return app.state.templates.TemplateResponse(request, "docs.html", context)


def _error_handlers(app: FastAPI, templates: Jinja2Templates) -> None:
    def reply(request: Request, status: int, message: str):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=status)
        return web.error_page(request, status, message)

    def retry_later(request: Request, message: str):
        response = reply(request, 503, message)
        response.headers["Retry-After"] = "2"
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        message = web.http_message(exc.status_code, exc.detail)
        response = web.error_page(request, exc.status_code, message)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(PoolTimeout)
    async def busy(request: Request, exc: PoolTimeout):
        # Every database connection stayed in use for the whole pool timeout: overloaded,
        # not broken. No transaction had begun, so nothing changed and it can be sent again.
        return retry_later(
            request, "the tutor is busy right now and changed nothing: try again shortly"
        )

    @app.exception_handler(OperationalError)
    async def unreachable(request: Request, exc: OperationalError):
        # The database went away mid-request: restarted, a dropped connection, SQLite locked
        # past its timeout. The transaction rolled back (or, had the connection dropped
        # during the commit, may have been kept: an answer sent again with its idempotency
        # key is still recorded once). The pool replaces broken connections: try again.
        log.warning("database unavailable: %s", db.reason(exc))
        return retry_later(
            request, "the tutor could not reach its database just now: try again shortly"
        )

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound):
        return reply(request, 404, str(exc))

    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict):
        return reply(request, 409, str(exc))

    @app.exception_handler(web.Forbidden)
    async def forbidden(request: Request, exc: web.Forbidden):
        return reply(request, 403, str(exc))

    @app.exception_handler(AccessDenied)
    async def denied(request: Request, exc: AccessDenied):
        response = reply(request, exc.status, str(exc))
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(AnswerError)
    async def bad_answer(request: Request, exc: AnswerError):
        return reply(request, 422, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        if request.url.path.startswith("/api/"):
            errors = [
                {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type")}
                for e in exc.errors()
            ]
            return JSONResponse({"detail": errors}, status_code=422)
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:])
        return web.error_page(request, 422, f"{where}: {first.get('msg', 'invalid input')}")


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
