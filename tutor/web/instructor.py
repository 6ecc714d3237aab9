"""Instructor pages and endpoints: lesson preview with answer keys, problems, analytics.

Access needs the instructor token: as ``Authorization: Bearer <token>``, or in a
browser through the sign-in URL printed at start, which sets a signed, HttpOnly
cookie. Everyone else, learners included, is refused.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from itsdangerous import BadSignature, URLSafeSerializer

from tutor.errors import Forbidden, NotFound, Unauthorized
from tutor.lessons.kinds import Seat
from tutor.lessons.loaded import LoadedLesson
from tutor.lessons.topics import CUSTOM, example_topic, offers_own
from tutor.lessons.variants import VARIANTS, render_question
from tutor.teaching import analytics, items, payloads
from tutor.vocabulary import NOT_SURE, NOT_SURE_TEXT, Role
from tutor.web import errors, ratelimit
from tutor.web.deps import TutorDep
from tutor.web.routing import Router
from tutor.web.schemas import AnalyticsOut, AnswerKeyOut, ErrorOut, UnprocessableOut
from tutor.web.security import bearer_token

INSTRUCTOR_COOKIE = "tutor_instructor"
STALE_LINK = (
    "That sign-in link is not valid. Without TUTOR_INSTRUCTOR_TOKEN set, the token changes "
    "at every start: paste the one printed most recently."
)
PREVIEW_SEEDS = (0, 1, 2)

pages = Router(prefix="/instructor", include_in_schema=False)
api = Router(
    prefix="/api/instructor",
    tags=["instructor"],
    responses={
        401: {"model": ErrorOut, "description": "No instructor token."},
        403: {"model": ErrorOut, "description": "Not the instructor token."},
        429: {"model": ErrorOut, "description": "Too many wrong tokens from one client."},
        404: {"model": ErrorOut, "description": "No such lesson, question or version."},
        422: {"model": UnprocessableOut, "description": "The input does not fit."},
    },
)


class SignInNeeded(Unauthorized):
    """No instructor credentials at all: a page says how to sign in (the API gets JSON)."""


class InstructorAccess:
    """Checks the instructor token, and signs the browser cookie that stands for it."""

    def __init__(self, token: str, secret: str):
        self.token = token
        self._cookies = URLSafeSerializer(secret, salt="tutor.instructor")
        # The cookie names the token it was issued for: a new token signs everyone out.
        self._fingerprint = hashlib.sha256(token.encode()).hexdigest()[:16]

    def token_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(token.encode(), self.token.encode())

    def cookie(self) -> str:
        return self._cookies.dumps({"instructor": self._fingerprint})

    def cookie_ok(self, value: str | None) -> bool:
        if not value:
            return False
        try:
            data = self._cookies.loads(value)
        except BadSignature:
            return False
        return isinstance(data, dict) and data.get("instructor") == self._fingerprint

    def check(self, request: Request) -> None:
        token = bearer_token(request.headers.get("authorization"))
        cookie = request.cookies.get(INSTRUCTOR_COOKIE)
        if token:
            self.attempt(request, self.token_ok(token) or self.cookie_ok(cookie))
            return
        if self.cookie_ok(cookie):
            return
        if cookie:
            # Signed in under a token that has since changed (a restart without one set).
            raise SignInNeeded(
                "that instructor sign-in has expired: sign in again at /instructor/sign-in",
                wording="Your instructor sign-in has expired. Sign in again.",
            )
        raise SignInNeeded(
            "instructors only: send Authorization: Bearer <instructor token>, "
            "or sign in at /instructor/sign-in",
            wording="These pages are for the instructor. Sign in with the instructor token.",
        )

    def attempt(self, request: Request, ok: bool) -> None:
        """Let a right token through, refuse a wrong one, and count it: a client that
        guesses too often waits (429) whatever it sends next."""
        failures = ratelimit.failures(request)
        failures.check(request)
        if not ok:
            failures.spend(ratelimit.client_of(request))
            raise Forbidden("that is not the instructor token")


# Declared as a security scheme, so the API docs say how instructor endpoints authenticate.
instructor_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="InstructorToken",
    description="The instructor token (TUTOR_INSTRUCTOR_TOKEN, or the one `tutor serve` prints).",
)


async def require_instructor(  # async: a token check, not worth a worker thread
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(instructor_bearer)],
) -> None:
    request.app.state.instructor.check(request)


Instructor = Depends(require_instructor)


def sign_in_needed(request: Request, exc: Exception) -> Response:
    """An instructor page asked for without signing in: say so, and link to the form."""
    if request.url.path.startswith("/api/"):
        return errors.api_error(request, exc)
    expired = bool(request.cookies.get(INSTRUCTOR_COOKIE))
    page = _render(request, "instructor/sign_in_needed.html", {"expired": expired})
    page.status_code = SignInNeeded.status
    page.headers.update(SignInNeeded.headers)
    return page


def install(app: FastAPI) -> None:
    """The instructor's pages answer a visitor who has not signed in with a way to do so."""
    app.add_exception_handler(SignInNeeded, sign_in_needed)


def _render(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, name, context)


def _signed_in(request: Request, access: InstructorAccess) -> Response:
    response = RedirectResponse("/instructor", status_code=303)
    response.set_cookie(
        INSTRUCTOR_COOKIE,
        access.cookie(),
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.secure_cookies,
        path="/",
    )
    return response


@pages.get("/sign-in", response_class=HTMLResponse)
def sign_in(request: Request, token: Annotated[str, Query(max_length=200)] = "") -> Response:
    """The link `tutor serve` prints signs in at once; without a token, a form asks for it
    (so a long-lived token need not travel in URLs that proxies log)."""
    access: InstructorAccess = request.app.state.instructor
    if not token:
        return _render(request, "instructor/sign_in.html", {"error": None})
    try:
        access.attempt(request, access.token_ok(token))
    except Forbidden:
        page = _render(request, "instructor/sign_in.html", {"error": STALE_LINK})
        page.status_code = Forbidden.status
        return page
    return _signed_in(request, access)


@pages.post("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, token: Annotated[str, Form(max_length=200)] = "") -> Response:
    access: InstructorAccess = request.app.state.instructor
    try:
        access.attempt(request, access.token_ok(token))
    except Forbidden:
        page = _render(
            request, "instructor/sign_in.html", {"error": "That is not the instructor token."}
        )
        page.status_code = 403
        return page
    return _signed_in(request, access)


@pages.get("", dependencies=[Instructor], response_class=HTMLResponse)
def dashboard(request: Request, tutor: TutorDep) -> HTMLResponse:
    counts = tutor.attempt_counts()
    return _render(
        request,
        "instructor/index.html",
        {
            "lessons": list(tutor.catalog),
            "problems": tutor.catalog.problems,
            "counts": counts,
        },
    )


def preview(lesson: LoadedLesson, topic: str, seat: Seat) -> list[dict[str, Any]]:
    """Every step and question as the instructor checks them: grades, feedback, variants."""
    steps = []
    for n, step in enumerate(lesson.lesson.steps, start=1):
        questions = []
        for question in step.questions:
            questions.append(_question_preview(lesson, question.id, topic))
            for check, _ in question.walk_checks():
                questions.append(_question_preview(lesson, check.id, topic))
        steps.append(
            {
                "n": n,
                "ref": payloads.step_ref(lesson, n - 1, topic),
                "payload": payloads.step_payload(lesson, n, topic, seat),
                "questions": questions,
            }
        )
    return steps


def _question_preview(lesson: LoadedLesson, question_id: str, topic: str) -> dict[str, Any]:
    entry = lesson.entries[question_id]
    return _card(
        question_id,
        entry.skill,
        Role.CHECK if entry.parent else Role.MAIN,
        entry.question.sampled,
        lambda seed: items.rendered(lesson, question_id, seed, topic),
        parent=entry.parent,
    )


def assessment_preview(lesson: LoadedLesson, topic: str) -> list[dict[str, Any]]:
    """Each skill's held-out items (the post-test, never asked in practice), as the preview
    shows questions: every option's grade and feedback, sample variants."""
    return [
        _card(
            item.id,
            skill.id,
            "assessment",
            item.sampled,
            lambda seed, item=item, skill=skill: render_question(
                lesson.lesson, item, skill=skill.id, seed=seed, topic=topic
            ),
            transfer=item.transfer,
        )
        for skill in lesson.lesson.skills
        for item in skill.assessment
    ]


def _card(
    question_id: str,
    skill: str,
    role: str,
    sampled: bool,
    render: Callable[[int], Any],
    parent: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One question as the preview shows it: three variants when its numbers are drawn,
    else one."""
    seeds = PREVIEW_SEEDS if sampled else PREVIEW_SEEDS[:1]
    return {
        "id": question_id,
        "skill": skill,
        "parent": parent,
        "variants": [{"seed": seed, "question": render(seed)} for seed in seeds],
        "role": role,
        **extra,
    }


@pages.get("/lessons/{lesson_id}", dependencies=[Instructor], response_class=HTMLResponse)
def lesson_preview(
    request: Request,
    lesson_id: str,
    tutor: TutorDep,
    topic: Annotated[str | None, Query(max_length=80)] = None,
) -> HTMLResponse:
    lesson = tutor.lesson(lesson_id)
    own = offers_own(lesson.lesson)
    if own and topic == CUSTOM:  # a learner's own words: the examples the lesson declares
        chosen: str = example_topic(lesson.lesson)
    else:
        chosen = tutor.topic(lesson, topic)
    problems = [p for p in tutor.catalog.problems if p.file == lesson.file]
    return _render(
        request,
        "instructor/lesson.html",
        {
            "loaded": lesson,
            "lesson": lesson.lesson,
            "offers_own": own,
            "topic": chosen,
            "steps": preview(lesson, chosen, tutor.seat(None)),
            "assessment": assessment_preview(lesson, chosen),
            "problems": problems,
            "advice": lesson.advice,
        },
    )


@pages.get("/lessons/{lesson_id}/analytics", dependencies=[Instructor], response_class=HTMLResponse)
def analytics_page(
    request: Request,
    lesson_id: str,
    tutor: TutorDep,
    version: Annotated[str | None, Query(max_length=16)] = None,
) -> HTMLResponse:
    report, versions = tutor.analytics(lesson_id, version)
    lesson = tutor.lesson(lesson_id)
    return _render(
        request,
        "instructor/analytics.html",
        {
            "lesson": lesson.lesson,
            "loaded": lesson,
            "report": report,
            "versions": versions,
            "tables": analytics.CSV_TABLES,
            "option_labels": option_labels(lesson),
            "every_pick": analytics.every_pick,
        },
    )


@lru_cache(maxsize=16)
def option_labels(lesson: LoadedLesson) -> dict[str, dict[str, tuple[str, str]]]:
    """What each question's answers can be, by the key analytics counts them under, as
    (grade, text) in the default topic's words: a choice's options by their place in the
    file (where the numbers drawn change an option's words, its text gives them all, as
    ``_wordings`` says: the picks counted are of every variant); for a number, the right
    one, each typical mistake and any other number; and "not sure" for every question."""
    topic = lesson.lesson.default_topic
    labels: dict[str, dict[str, tuple[str, str]]] = {}
    for question_id, entry in lesson.entries.items():
        question = entry.question
        seeds = range(VARIANTS if question.sampled else 1)
        shown = [(question_id, question, partial(items.rendered, lesson, question_id, topic=topic))]
        # A problem's parts are answered, and counted, under their own ids.
        shown += [
            (f"{question_id}.{sub.id}", sub, partial(_part, lesson, question_id, k, topic))
            for k, sub in enumerate(question.steps)
        ]
        for shown_id, asked, render in shown:
            if asked.kind == "numeric":
                mine = {"right": ("exactly", "the right number")}
                mine |= {m.mistake: (m.grade, f"the mistake `{m.mistake}`") for m in asked.mistakes}
                mine["unrecognised"] = ("not_quite", "another number")
            else:
                grades: dict[str, str] = {}
                texts: dict[str, dict[str, None]] = {}  # an option's wordings, in order met
                for seed in seeds:
                    for o in render(seed).options:
                        grades[str(o.index)] = o.grade
                        texts.setdefault(str(o.index), {})[o.text] = None
                mine = {i: (grades[i], _wordings(list(texts[i]))) for i in grades}
            labels[shown_id] = {**mine, NOT_SURE: ("not_sure", NOT_SURE_TEXT)}
    return labels


def _part(lesson: LoadedLesson, question_id: str, index: int, topic: str, seed: int) -> Any:
    """A problem's part ``index``, rendered in one variant and topic."""
    return items.substeps(lesson, question_id, seed, topic)[index]


def _wordings(texts: list[str], most: int = 3) -> str:
    """One option's texts across the variants, as one line of a table."""
    if len(texts) <= most:
        return " | ".join(texts)
    return " | ".join(texts[:most]) + f" | ... ({len(texts)} wordings, by the numbers drawn)"


@pages.get("/lessons/{lesson_id}/analytics/{table}.csv", dependencies=[Instructor])
def analytics_csv(
    lesson_id: str,
    table: str,
    tutor: TutorDep,
    version: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    if table not in analytics.CSV_TABLES:
        raise NotFound(f"no table {table!r}; tables: {', '.join(analytics.CSV_TABLES)}")
    report, _ = tutor.analytics(lesson_id, version)
    out = io.StringIO()
    labels = option_labels(tutor.lesson(lesson_id))
    csv.writer(out).writerows(analytics.csv_rows(report, table, labels))
    filename = f"{lesson_id}-{report.version}-{table}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": attachment(filename)},
    )


_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]")


def attachment(filename: str) -> str:
    """A Content-Disposition for a download: the name reduced to letters, digits, dots,
    dashes and underscores, so no quote can add a parameter and no CR or LF can break the
    header (and with it the response the log counts as sent)."""
    return f'attachment; filename="{_UNSAFE_IN_FILENAME.sub("_", filename)}"'


@api.get("/analytics", dependencies=[Instructor], response_model=AnalyticsOut)
def analytics_json(
    tutor: TutorDep,
    lesson_id: Annotated[str, Query(max_length=80)],
    version: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    """Every figure for one version of a lesson (the live one by default)."""
    report, versions = tutor.analytics(lesson_id, version)
    figures = AnalyticsOut.model_validate({**report.as_dict(), "versions": versions})
    return Response(figures.model_dump_json(), media_type="application/json")


@api.get(
    "/lessons/{lesson_id}/questions/{question_id}",
    dependencies=[Instructor],
    response_model=AnswerKeyOut,
)
def answer_key(
    tutor: TutorDep,
    lesson_id: str,
    question_id: str,
    variant: Annotated[
        int, Query(ge=0, lt=VARIANTS, description="One of the variants learners are given.")
    ] = 0,
    topic: Annotated[str | None, Query(max_length=80)] = None,
) -> Response:
    """A question (practice, check or held-out) as a learner sees it in one variant and
    topic, with every option's grade, feedback and misconception in lesson order, a
    number's answer and mistakes, and the explanations from other angles."""
    key = AnswerKeyOut.model_validate(
        tutor.answer_key(lesson_id, question_id, variant=variant, topic=topic)
    )
    return Response(key.model_dump_json(), media_type="application/json")


@api.get("/lessons", dependencies=[Instructor])
def lessons_json(tutor: TutorDep) -> dict:
    """The lessons being served, and the problems of files whose edits are not live."""
    return {
        "lessons": [
            {
                "id": x.id,
                "file": x.file,
                "version": x.content_hash,
                "advice": [str(a) for a in x.advice],
            }
            for x in tutor.catalog
        ],
        "problems": [str(p) for p in tutor.catalog.problems],
    }
