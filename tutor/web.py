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

from tutor import labs, plots, text
from tutor.config import Settings
from tutor.deps import TutorDep
from tutor.grading import AnswerError
from tutor.repo import new_learner_id
from tutor.security import LEARNER_COOKIE, Signer
from tutor.tutoring import NOT_SURE_TEXT
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
    after: Annotated[int | None, Query(ge=1)] = None,
    shown: Annotated[str | None, Query(max_length=12)] = None,
) -> Response:
    learner = visitor.id
    return render(
        request,
        visitor,
        "step.html",
        tutor.step_page(learner, lesson_id, n, after=after, shown=shown),
    )


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
        attempt_id, response = tutor.answer(
            visitor.id,
            lesson_id,
            question_id=question_id,
            variant=variant,
            option_id=option_id,
            value=value,
        )
    except AnswerError as exc:
        current = tutor.current(visitor.id, lesson_id)
        n = current.step.n if current.step else 1
        context = tutor.step_page(visitor.id, lesson_id, n)
        return render(request, visitor, "step.html", {**context, "error": str(exc)}, 422)
    lesson = tutor.lesson(lesson_id)
    entry = lesson.entries[question_id]
    return redirect(
        visitor, f"/lessons/{lesson_id}/steps/{entry.step_index + 1}?after={attempt_id}#feedback"
    )


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
    result = tutor.choose(visitor.id, lesson_id, choice)
    following = result["next"]
    n = following["step"]["n"] if following["step"] else 1
    shown = result["another_way"]["angle"] if result["another_way"] else None
    query = f"?shown={shown}" if shown else ""
    return redirect(visitor, f"/lessons/{lesson_id}/steps/{n}{query}#question")


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
