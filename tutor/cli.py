"""The `tutor` command: serve the tutor, validate lessons, fit mastery, print the schema."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Annotated

import typer

from tutor.config import Settings

app = typer.Typer(
    help="An adaptive, step-by-step tutor for how a neural network learns.",
    no_args_is_help=True,
    add_completion=False,
)


def load_settings() -> Settings:
    """The settings from the environment, or a line per bad value and exit status 2."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = "TUTOR_" + "_".join(str(part) for part in error["loc"]).upper()
            secret = "SECRET" in name or "TOKEN" in name  # never echoed to a terminal or log
            got = "a hidden value" if secret else repr(error["input"])
            typer.echo(f"tutor: {name}: {error['msg']} (got {got})", err=True)
        raise typer.Exit(2) from None


def migrate(settings: Settings) -> None:
    """Apply pending migrations and check the database takes writes, or say in one line why
    it cannot be used and exit (2 for a bad URL, 1 for a database that is not usable)."""
    from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

    from tutor.store import database as db

    url, timeouts = settings.database_url, db.Timeouts.of(settings)
    try:
        db.upgrade(url, timeouts)
        db.check_writable(url, timeouts)
    except ArgumentError as exc:  # not a URL, or a database SQLAlchemy has no driver for
        typer.echo(f"tutor: TUTOR_DATABASE_URL: {exc}", err=True)
        raise typer.Exit(2) from None
    except OperationalError as exc:
        typer.echo(f"tutor: cannot open the database: {db.reason(exc)}", err=True)
        raise typer.Exit(1) from None
    except db.NotUsable as exc:
        typer.echo(f"tutor: cannot use the database: {exc}", err=True)
        raise typer.Exit(1) from None
    except DBAPIError as exc:  # a schema dropped or changed under the tutor, say
        typer.echo(
            f"tutor: the database is not as the tutor left it: {db.reason(exc)} "
            "(was its schema dropped or changed?)",
            err=True,
        )
        raise typer.Exit(1) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    lessons: Annotated[
        Path | None, typer.Option(help="Lesson folder (default: TUTOR_LESSONS_DIR or lessons/).")
    ] = None,
    max_connections: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Connections a worker holds at once; more get 503 (default: "
            "TUTOR_MAX_CONNECTIONS, else half the open-file limit, at most 1000).",
        ),
    ] = None,
    keep_alive_timeout: Annotated[
        int | None,
        typer.Option(min=1, help="Seconds an idle connection is kept (default: 5)."),
    ] = None,
    header_timeout: Annotated[
        float | None,
        typer.Option(
            min=0.1, help="Seconds to send a request head, or a part of its body (default: 10)."
        ),
    ] = None,
) -> None:
    """Serve the tutor; pending database migrations are applied first."""
    settings = load_settings()
    given = {
        "lessons_dir": lessons,
        "max_connections": max_connections,
        "keep_alive_timeout": keep_alive_timeout,
        "header_timeout": header_timeout,
    }
    settings = settings.model_copy(update={k: v for k, v in given.items() if v is not None})
    migrate(settings)
    base = f"http://{host}:{port}"
    lines = [f"tutor: serving on {base}/ (lessons from {settings.lessons_dir})"]
    if settings.instructor_token:
        lines.append(
            f"tutor: instructors sign in at {base}/instructor/sign-in with TUTOR_INSTRUCTOR_TOKEN"
        )
    else:
        # As notebook servers do: a token for this run, and a link that signs you in.
        token = secrets.token_urlsafe(24)
        settings = settings.model_copy(update={"instructor_token": token})
        lines.append(f"tutor: instructor sign-in: {base}/instructor/sign-in?token={token}")
        lines.append(
            "tutor: this link changes at every start; set TUTOR_INSTRUCTOR_TOKEN "
            "to a token of your own to keep it the same"
        )
    # Said once the port accepts connections, not before: whoever waits for the line (a
    # person, a script, a test) can use the server the moment they see it.
    announced = "\n".join(lines)
    if workers == 1:
        from tutor.app import create_served_app
        from tutor.web.serving import uvicorn_options

        served = create_served_app(settings, migrate=False)
        _run_announcing(served, host, port, announced, **uvicorn_options(settings))
    else:
        # Each worker builds its own app from the environment, so the settings chosen here
        # go there too. No learner state lives in process memory: any worker can serve any
        # request.
        os.environ["TUTOR_LESSONS_DIR"] = str(settings.lessons_dir)
        os.environ["TUTOR_INSTRUCTOR_TOKEN"] = settings.instructor_token or ""
        for name in ("max_connections", "keep_alive_timeout", "header_timeout"):
            if getattr(settings, name) is not None:
                os.environ[f"TUTOR_{name.upper()}"] = str(getattr(settings, name))
        from tutor import workers as worker_processes

        _announce_when_accepting(host, port, announced)
        raise typer.Exit(worker_processes.serve(host, port, workers))


def _announce_when_accepting(host: str, port: int, text: str) -> None:
    """Print ``text`` from a thread once a connection to the port succeeds (the workers
    listen on sockets of their own, in processes of their own)."""
    import socket
    import threading
    import time

    target = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)

    def wait() -> None:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                socket.create_connection((target, port), timeout=1).close()
            except OSError:
                time.sleep(0.02)
                continue
            typer.echo(text)
            return

    threading.Thread(target=wait, name="announce", daemon=True).start()


def _run_announcing(served, host: str, port: int, text: str, **options) -> None:
    """uvicorn's server (with ``options``), printing ``text`` once it listens and the app
    has started."""
    import uvicorn

    class Announcing(uvicorn.Server):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets)
            if self.started:
                typer.echo(text)

    Announcing(uvicorn.Config(served, host=host, port=port, log_level="info", **options)).run()


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Lesson files or folders (default: lessons/).")
    ] = None,
    strict: Annotated[
        bool, typer.Option(help="Also report lint: advice that makes a valid lesson better.")
    ] = False,
) -> None:
    """Check lesson files; print every problem as file:line:col: path: message."""
    from tutor.lessons.catalog import lesson_files, load_catalog
    from tutor.render.numbers import counted

    targets = paths or [load_settings().lessons_dir]
    catalog = load_catalog(targets, strict=strict)
    for problem in catalog.problems:
        typer.echo(str(problem))
    files = lesson_files(targets)
    if catalog.problems:
        n, where = len(catalog.problems), len({p.file for p in catalog.problems})
        typer.echo(
            f"{counted(n, 'problem')} in {counted(where, 'file')} "
            f"({counted(len(files), 'file')} checked)",
            err=True,
        )
        raise typer.Exit(1)
    if not files:
        typer.echo("no lesson files found in " + ", ".join(map(str, targets)), err=True)
        raise typer.Exit(1)
    questions = sum(len(lesson.entries) for lesson in catalog)
    typer.echo(
        f"ok: {counted(len(catalog.lessons), 'lesson')}, {counted(questions, 'question')}, "
        "no problems"
    )


@app.command("fit-mastery")
def fit_mastery(
    lesson: Annotated[
        str | None, typer.Option(help="Fit this lesson's skills only (default: every lesson).")
    ] = None,
    min_learners: Annotated[
        int, typer.Option(min=2, help="Fewer learners than this keeps a skill's defaults.")
    ] = 30,
    dry_run: Annotated[
        bool, typer.Option(help="Show the fit; change nothing (nor make a database).")
    ] = False,
) -> None:
    """Fit each skill's mastery parameters (prior, learn, guess, slip) to the answers given.

    Shown beside the defaults, with the learners and answers behind each. What is fitted is
    kept in the database and used by the tutor from its next start; a lesson's own
    `mastery:` settings still win.
    """
    from tutor.errors import NotFound
    from tutor.lessons.catalog import load_catalog
    from tutor.service.mastery_fit import fit_mastery as fit
    from tutor.store import database as db
    from tutor.store.tables import utcnow

    settings = load_settings()
    if dry_run:  # reads only: a database that is missing or behind is said, not made
        unreadable = db.why_unreadable(settings.database_url, db.Timeouts.of(settings))
        if unreadable:
            typer.echo(
                f"tutor: nothing to fit: {unreadable} (`tutor serve`, or this command "
                "without --dry-run, makes it ready)",
                err=True,
            )
            raise typer.Exit(1)
    else:
        migrate(settings)
    catalog = load_catalog([settings.lessons_dir])
    database = db.connect(settings.database_url, timeouts=db.Timeouts.of(settings))
    try:
        report = fit(
            database,
            catalog,
            now=utcnow(),
            lesson_id=lesson,
            min_learners=min_learners,
            write=not dry_run,
        )
    except NotFound as exc:
        typer.echo(f"tutor: --lesson: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        database.dispose()
    typer.echo(f"{'lesson/skill':<44} {'learners':>8} {'answers':>8}   prior  learn  guess  slip")
    for row in report:
        name = f"{row['lesson_id']}/{row['skill_id']}"
        d = row["defaults"]
        typer.echo(
            f"{name:<44} {row['learners']:>8} {row['answers']:>8}   "
            f"{d.prior:.3f}  {d.learn:.3f}  {d.guess:.3f}  {d.slip:.3f}  (defaults)"
        )
        f = row["fitted"]
        if f is None:
            typer.echo(f"{'':<62}kept the defaults: fewer than {min_learners} learners")
            continue
        before, after = row["log_likelihood"]
        note = "; the lesson's own settings win" if row["lesson_sets"] else ""
        typer.echo(
            f"{'':<62}{f.prior:.3f}  {f.learn:.3f}  {f.guess:.3f}  {f.slip:.3f}  "
            f"(fitted: log-likelihood per answer {before:.3f} -> {after:.3f}{note})"
        )
    if not any(row["answers"] for row in report):
        typer.echo("No answers have been recorded yet: every skill keeps its defaults.")
    kept = sum(row["fitted"] is not None for row in report)
    verb = (
        "would be written (dry run)"
        if dry_run
        else "written; the tutor uses them from its next start"
    )
    typer.echo(f"{kept} of {len(report)} skills fitted and {verb}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of lesson files (for editor autocomplete)."""
    from tutor.lessons.format import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


if __name__ == "__main__":
    app()
