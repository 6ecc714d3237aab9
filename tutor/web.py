"""The learner's pages: server-rendered, working without JavaScript.

Routes are thin: find the learner (a signed cookie), call the tutoring service,
render. Answers are posted as plain forms and answered with a redirect to the
step page, which shows the graded feedback above the next question.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from tutor import labs, payloads, plots, text
from tutor.config import Settings
from tutor.deps import TutorDep
from tutor.grading import AnswerError
from tutor.repo import new_learner_id
from tutor.security import LEARNER_COOKIE, Signer
from tutor.tutoring import NOT_SURE_TEXT, Conflict, Tutor
from tutor.variants import NOT_SURE, render_step

router = APIRouter(include_in_schema=False)


def templates(settings: Settings) -> Jinja2Templates:
    env = Jinja2Templates(directory=settings.templates_dir)
    env.env.filters["md"] = text.to_html
    env.env.filters["md_inline"] = text.to_inline_html
    env.env.filters["num"] = text.format_number
    env.env.globals["clip_text"] = text.clip_text
    env.env.globals["NOT_SURE"] = NOT_SURE
    env.env.globals["swatch"] = plots.swatch
    env.env.globals["loss_lab_url"] = labs.loss_lab_url
    env.env.globals["descent_lab_url"] = labs.descent_lab_url
    env.env.globals["NOT_SURE_TEXT"] = NOT_SURE_TEXT
    return env


class Visitor:
    """The browser learner behind a request: from the signed cookie, or new."""

    def __init__(self, request: Request):
        signer: Signer = request.app.state.signer
        found = signer.learner_from(request.cookies.get(LEARNER_COOKIE))
        self.is_new = found is None
        self.id = found or new_learner_id()
        self.csrf = signer.csrf_token(self.id)
        self.signer = signer
        self.secure = request.app.state.settings.secure_cookies

    def remember(self, response: Response) -> Response:
        if self.is_new:
            response.set_cookie(
                LEARNER_COOKIE,
                self.signer.cookie_for(self.id),
                max_age=400 * 24 * 3600,
                httponly=True,
                samesite="lax",
                secure=self.secure,
                path="/",
            )
        return response

    def check_csrf(self, token: str | None) -> None:
        if self.is_new or not self.signer.csrf_ok(self.id, token):
            raise Forbidden(
                "this form has expired or did not come from this site; "
                "reload the page and try again"
            )


class Forbidden(PermissionError):
    pass


VisitorDep = Annotated[Visitor, Depends(Visitor)]

MAX_ID = 2**31 - 1
"""The largest row id a page accepts: ids are 32-bit integers on PostgreSQL."""

NOTES = {
    "recorded": "That answer was already recorded.",
    "moved": "That question is no longer the current one, so that answer was not recorded. "
    "Here is where you are now.",
    "chosen": "That choice was already made.",
    "revisit": payloads.REASONS["revisit"],
    "go_on": payloads.REASONS["moving_on"],
}
"""Short notes a redirect can ask the step page to show, by key (``?note=recorded``)."""

CHOOSE = "Choose one of the answers, or I'm not sure."
TYPE_A_NUMBER = "Type a number, such as 0.36."
# The grader words its messages for API clients ("option_id: choose one of the options, or
# not_sure"); a page words them for the learner. The first prefix that matches wins.
LEARNER_WORDING = (
    ("option_id: a numeric question", TYPE_A_NUMBER),
    ("option_id:", CHOOSE),
    ("value: give a finite number", "That number is too large to work with. " + TYPE_A_NUMBER),
    ("value: type a number", TYPE_A_NUMBER),
    ("value:", "That does not read as a number. " + TYPE_A_NUMBER),
)


def learner_wording(message: str) -> str:
    """A grader's message about a form answer, as the page says it to the learner."""
    return next((words for start, words in LEARNER_WORDING if message.startswith(start)), message)


def render(
    request: Request, visitor: Visitor | None, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    page = request.app.state.templates.TemplateResponse(
        request, name, {"visitor": visitor, **context}, status_code=status
    )
    return visitor.remember(page) if visitor else page


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    titles = {403: "Not allowed", 404: "Not found", 409: "That moved on", 422: "Not quite right"}
    return render(
        request,
        None,
        "error.html",
        {"status": status, "title": titles.get(status, "Something went wrong"), "message": message},
        status,
    )


# Starlette's own errors (an unknown address, say) in a learner's words.
HTTP_MESSAGES = {
    404: "There is no page at this address. The lessons are listed on the home page.",
    405: "This address does not take that kind of request.",
}


def http_message(status: int, detail: Any) -> str:
    return HTTP_MESSAGES.get(status, str(detail))


def redirect(visitor: Visitor, url: str) -> Response:
    return visitor.remember(RedirectResponse(url, status_code=303))


@router.get("/", response_class=HTMLResponse)
def index(request: Request, tutor: TutorDep, visitor: VisitorDep) -> Response:
    learner = visitor.id
    return render(request, visitor, "index.html", {"rows": tutor.progress(learner)})


@router.get("/lessons/{lesson_id}", response_class=HTMLResponse)
def lesson_page(request: Request, lesson_id: str, tutor: TutorDep, visitor: VisitorDep) -> Response:
    learner = visitor.id
    current = tutor.current(learner, lesson_id)
    lesson = current.lesson
    steps = [
        {"n": i + 1, "title": render_step(lesson.lesson, s, current.topic).title, "status": status}
        for i, (s, status) in enumerate(
            zip(lesson.lesson.steps, tutor.step_status(current), strict=True)
        )
    ]
    return render(
        request,
        visitor,
        "lesson.html",
        {
            "lesson": lesson.lesson,
            "current": current,
            "steps": steps,
            "skills": tutor.skill_report(learner, lesson_id),
            "started": bool(current.state.asked),
        },
    )


@router.get("/lessons/{lesson_id}/steps/{n}", response_class=HTMLResponse)
def step_page(
    request: Request,
    lesson_id: str,
    n: int,
    tutor: TutorDep,
    visitor: VisitorDep,
    after: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    shown: Annotated[str | None, Query(max_length=12)] = None,
    note: Annotated[str | None, Query(max_length=12)] = None,
) -> Response:
    learner = visitor.id
    context = tutor.step_page(learner, lesson_id, n, after=after, shown=shown)
    return render(request, visitor, "step.html", {**context, "note": NOTES.get(note or "")})


@router.post("/lessons/{lesson_id}/answer")
def answer(
    request: Request,
    lesson_id: str,
    tutor: TutorDep,
    visitor: VisitorDep,
    question_id: Annotated[str, Form(max_length=80)],
    variant: Annotated[int, Form(ge=0, le=2**31 - 1)],
    csrf: Annotated[str, Form(max_length=80)] = "",
    option_id: Annotated[str | None, Form(max_length=64)] = None,
    value: Annotated[str | None, Form(max_length=40)] = None,
) -> Response:
    visitor.check_csrf(csrf)
    try:
        attempt_id, _ = tutor.answer(
            visitor.id,
            lesson_id,
            question_id=question_id,
            variant=variant,
            option_id=option_id,
            value=value,
        )
    except AnswerError as exc:
        context = tutor.step_page(visitor.id, lesson_id, _current_n(tutor, visitor.id, lesson_id))
        said = {"error": learner_wording(str(exc)), "typed": value or ""}
        return render(request, visitor, "step.html", {**context, **said}, 422)
    except Conflict:
        # The same form sent again: a double click, or Back and Submit.
        return redirect(visitor, _resubmitted(tutor, visitor.id, lesson_id, question_id, variant))
    step = tutor.lesson(lesson_id).entries[question_id].step_index + 1
    return redirect(visitor, f"/lessons/{lesson_id}/steps/{step}?after={attempt_id}#feedback")


def _current_n(tutor: Tutor, learner_id: str, lesson_id: str) -> int:
    current = tutor.current(learner_id, lesson_id)
    return current.step.n if current.step else 1


def _resubmitted(
    tutor: Tutor, learner_id: str, lesson_id: str, question_id: str, variant: int
) -> str:
    """Where an answer to an item that is no longer current goes.

    To the feedback on the learner's last answer when that was to this very item (what the
    first copy of a double-clicked form showed), else to where the learner is now.
    """
    last = tutor.last_attempt(learner_id, lesson_id)
    entry = tutor.lesson(lesson_id).entries.get(question_id)
    same_item = last is not None and (last.question_id, last.variant) == (question_id, variant)
    if same_item and entry is not None:
        n = entry.step_index + 1
        return f"/lessons/{lesson_id}/steps/{n}?after={last.id}&note=recorded#feedback"
    was_answered = tutor.answered(learner_id, lesson_id, question_id, variant)
    note = "recorded" if was_answered else "moved"
    n = _current_n(tutor, learner_id, lesson_id)
    return f"/lessons/{lesson_id}/steps/{n}?note={note}#question"


@router.post("/lessons/{lesson_id}/choice")
def choice(
    lesson_id: str,
    tutor: TutorDep,
    visitor: VisitorDep,
    choice: Annotated[str, Form(max_length=20)],
    csrf: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    visitor.check_csrf(csrf)
    if choice not in ("another_angle", "revisit", "go_on"):
        raise AnswerError(f"choice: {choice[:20]!r} is not one of the choices offered")
    try:
        result = tutor.choose(visitor.id, lesson_id, choice)
    except Conflict:  # the offer was already taken up: a double click, or Back and choose
        n = _current_n(tutor, visitor.id, lesson_id)
        return redirect(visitor, f"/lessons/{lesson_id}/steps/{n}?note=chosen#question")
    following = result["next"]
    n = following["step"]["n"] if following["step"] else 1
    shown = result["another_way"]["angle"] if result["another_way"] else None
    # The page shows the explanation asked for, or says what the choice did.
    query = f"?shown={shown}" if shown else ("" if choice == "another_angle" else f"?note={choice}")
    return redirect(visitor, f"/lessons/{lesson_id}/steps/{n}{query}#question")


@router.post("/lessons/{lesson_id}/restart")
def restart(
    lesson_id: str,
    tutor: TutorDep,
    visitor: VisitorDep,
    csrf: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    visitor.check_csrf(csrf)
    tutor.restart(visitor.id, lesson_id)
    return redirect(visitor, f"/lessons/{lesson_id}/steps/1#question")


@router.post("/lessons/{lesson_id}/topic")
def topic(
    lesson_id: str,
    tutor: TutorDep,
    visitor: VisitorDep,
    topic: Annotated[str, Form(max_length=80)],
    csrf: Annotated[str, Form(max_length=80)] = "",
    back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    visitor.check_csrf(csrf)
    tutor.set_topic(visitor.id, lesson_id, topic)
    # Only ever go back to one of this lesson's own pages.
    safe = back if back.startswith(f"/lessons/{lesson_id}") and "//" not in back else ""
    return redirect(visitor, safe or f"/lessons/{lesson_id}")
