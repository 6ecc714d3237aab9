"""Settings, read from the environment (``TUTOR_*``) with working defaults for one machine."""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _root() -> Path:
    """Where templates, static files, lessons and migrations are: beside the package in a
    checkout (or an editable install), under <prefix>/share/tutor in a regular install."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "templates").is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "tutor"


def _default_lessons() -> Path:
    """./lessons when there is one (an instructor's own folder), else the shipped lessons."""
    here = Path("lessons")
    return here.resolve() if here.is_dir() else ROOT / "lessons"


ROOT = _root()


class Settings(BaseSettings):
    """Every setting, with the environment variable that sets it."""

    model_config = SettingsConfigDict(env_prefix="TUTOR_", extra="ignore")

    database_url: str = Field(
        "sqlite:///./tutor.db",
        description="Where progress is kept (TUTOR_DATABASE_URL): a SQLite file by default, "
        "or postgresql+psycopg://user@host/db.",
    )
    lessons_dir: Path = Field(
        default_factory=_default_lessons,
        description="The folder of lesson YAML files (TUTOR_LESSONS_DIR); by default "
        "./lessons when it exists, else the lessons that ship with the tutor.",
    )
    secret_key: str | None = Field(
        None,
        description="Signs learner cookies (TUTOR_SECRET_KEY). When unset, a random key is "
        "made once and kept in the database, so cookies survive restarts.",
    )
    instructor_token: str | None = Field(
        None,
        description="The instructor's token (TUTOR_INSTRUCTOR_TOKEN). When unset, one is "
        "made at start and a sign-in URL is printed.",
    )
    watch_lessons: bool = Field(
        True,
        description="Reload lesson files as they are saved (TUTOR_WATCH_LESSONS); a broken "
        "edit never replaces the last good version of its lesson.",
    )
    fading: bool = Field(
        True,
        description="Start a learner's multi-step problems as worked examples that fade as "
        "they learn (TUTOR_FADING); off, every problem is asked whole and its sub-steps come "
        "only after a miss. Off is for comparing the two (bench/simulate.py does).",
    )
    secure_cookies: bool = Field(
        False,
        description="Mark cookies Secure (TUTOR_SECURE_COOKIES); turn on behind HTTPS.",
    )
    threads: int = Field(
        8,
        ge=1,
        le=200,
        description="Requests a worker runs at once on its threads (TUTOR_THREADS); the rest "
        "wait their turn. More threads only fight over Python's one lock: at 64 learners at "
        "once, 8 answered about a fifth more per second than 40. Raise it when the "
        "database is far away and each query waits longer.",
    )
    bench_floor: bool = Field(
        False,
        description="Serve GET /api/bench/floor (TUTOR_BENCH_FLOOR): an async endpoint that "
        "does no work, through the same app and middleware, the floor bench/load.py measures "
        "every endpoint against. Off unless a benchmark asks for it.",
    )
    database_connect_timeout: float = Field(
        5.0,
        gt=0,
        le=600,
        description="Seconds to wait for a connection to the database "
        "(TUTOR_DATABASE_CONNECT_TIMEOUT); past it the request gets a 503 and `tutor serve` "
        "says it cannot reach the database, instead of waiting for as long as it is away.",
    )
    database_statement_timeout: float = Field(
        30.0,
        gt=0,
        le=3600,
        description="Seconds one statement may take (TUTOR_DATABASE_STATEMENT_TIMEOUT): "
        "PostgreSQL's statement_timeout and how long an unanswered connection is kept, and "
        "how long SQLite waits for its write lock.",
    )
    learners_per_minute: int = Field(
        120,
        ge=0,
        description="New API learners one client address may create a minute "
        "(TUTOR_LEARNERS_PER_MINUTE), all at once if it likes (a class behind one address); "
        "past it, 429 with Retry-After. 0 turns the limit off.",
    )
    page_learners_per_minute: int = Field(
        120,
        ge=0,
        description="New browser learners one client address may start a minute "
        "(TUTOR_PAGE_LEARNERS_PER_MINUTE). A visitor's record is made by their first answer "
        "or choice, not by reading, so only that is counted: past the limit it gets a page "
        "asking to wait (429, Retry-After), and every page can still be read. 0 turns the "
        "limit off.",
    )
    auth_failures_per_minute: int = Field(
        30,
        ge=0,
        description="Failed authentications (unknown bearer tokens, wrong instructor tokens) "
        "one client address may make a minute (TUTOR_AUTH_FAILURES_PER_MINUTE); past it, "
        "every attempt gets 429 with Retry-After until it has waited. 0 turns the limit off.",
    )
    max_connections: int | None = Field(
        None,
        ge=1,
        description="Connections a worker holds at once (TUTOR_MAX_CONNECTIONS; "
        "`tutor serve --max-connections`); more are answered 503 at once. By default half "
        "the files the process may open, at most 1,000.",
    )
    keep_alive_timeout: int = Field(
        5,
        ge=1,
        le=300,
        description="Seconds an idle keep-alive connection is kept open "
        "(TUTOR_KEEP_ALIVE_TIMEOUT; `tutor serve --keep-alive-timeout`).",
    )
    header_timeout: float = Field(
        10.0,
        gt=0,
        le=300,
        description="Seconds a client has to send a request's head, and each part of its "
        "body (TUTOR_HEADER_TIMEOUT; `tutor serve --header-timeout`); a connection that is "
        "slower is closed, so half-sent requests cannot hold the server's connections.",
    )
    max_body_bytes: int = Field(
        262_144,
        ge=1024,
        description="The largest request body taken, in bytes (TUTOR_MAX_BODY_BYTES); a larger "
        "one is refused with 413 before it is read.",
    )

    templates_dir: Path = Field(ROOT / "templates", description="HTML templates.")
    static_dir: Path = Field(ROOT / "static", description="CSS, scripts and images.")
