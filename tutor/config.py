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
    max_body_bytes: int = Field(
        262_144,
        ge=1024,
        description="The largest request body taken, in bytes (TUTOR_MAX_BODY_BYTES); a larger "
        "one is refused with 413 before it is read.",
    )

    templates_dir: Path = Field(ROOT / "templates", description="HTML templates.")
    static_dir: Path = Field(ROOT / "static", description="CSS, scripts and images.")
