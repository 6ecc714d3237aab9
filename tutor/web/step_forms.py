"""What a learner sends from a step's page: answers, choices, hints, going on from a worked
example, restarting, and starting a practice run or review. Each is a form that works
without JavaScript and ends in a redirect to the page that shows what it did (tutor.js sends
the same forms and shows that page's part in place)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response

from tutor.errors import BadAnswer, BadInput, Conflict
from tutor.service.answers import as_stored
from tutor.service.tutor import Tutor
from tutor.vocabulary import Choice
from tutor.web.deps import TutorDep
from tutor.web.pages import NOTES, page_mode, redirect, render_step_page
from tutor.web.routing import Router
from tutor.web.visitors import WriterDep

router = Router(include_in_schema=False)


@router.post("/lessons/{lesson_id}/answer")
def answer(
    request: Request,
    lesson_id: str,
    tutor: TutorDep,
    visitor: WriterDep,
    question_id: Annotated[str, Form(max_length=170)],
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
    except BadAnswer as exc:
        n = _current_n(tutor, visitor.id, lesson_id)
        context = tutor.step_view(visitor.id, lesson_id, n)
        context["mode"] = page_mode(context["current"], n, context["step"].id)
        said = {"error": exc.wording, "typed": value or ""}
        return render_step_page(request, visitor, {**context, **said}, n, 422)
    except Conflict:
        # The same form sent again: a double click, or Back and Submit; or another tab's.
        sent = _Sent(question_id, variant, option_id, value)
        return redirect(visitor, _resubmitted(tutor, visitor.id, lesson_id, sent))
    last = tutor.last_attempt(visitor.id, lesson_id)
    step = _step_asked(tutor, lesson_id, last)
    return redirect(visitor, f"/lessons/{lesson_id}/steps/{step}?after={attempt_id}#feedback")


def _step_asked(tutor: Tutor, lesson_id: str, attempt: Any) -> int:
    """The step (1-based) an answer was given on: a check written under an earlier step is
    asked, and its feedback shown, on the step whose question it checks."""
    index = tutor.lesson(lesson_id).step_index(attempt.step_id) if attempt else None
    return index + 1 if index is not None else 1


def _current_n(tutor: Tutor, learner_id: str, lesson_id: str) -> int:
    current = tutor.current(learner_id, lesson_id)
    return current.step.n if current.step else 1


@dataclass(frozen=True)
class _Sent:
    """An answer form as it was sent."""

    question_id: str
    variant: int
    option_id: str | None
    value: str | None

    def gave(self, attempt: Any) -> bool:
        """Whether ``attempt`` recorded this very answer."""
        try:
            return attempt.answer == as_stored(self.option_id, self.value)
        except BadAnswer:  # not a number: not what was recorded
            return False


def _resubmitted(tutor: Tutor, learner_id: str, lesson_id: str, sent: _Sent) -> str:
    """Where an answer to an item that is no longer current goes.

    To the feedback on the learner's last answer when that was to this very item (what the
    first copy of a double-clicked form showed, or what another tab sent first), else to
    where the learner is now.
    """
    last = tutor.last_attempt(learner_id, lesson_id)
    item = (sent.question_id, sent.variant)
    if last is not None and (last.question_id, last.variant) == item:
        n = _step_asked(tutor, lesson_id, last)
        note = "recorded" if sent.gave(last) else "answered"
        return f"/lessons/{lesson_id}/steps/{n}?after={last.id}&note={note}#feedback"
    was_answered = tutor.answered(learner_id, lesson_id, *item)
    note = "recorded" if was_answered else "moved"
    n = _current_n(tutor, learner_id, lesson_id)
    return f"/lessons/{lesson_id}/steps/{n}?note={note}#question"


@router.post("/lessons/{lesson_id}/choice")
def choice(
    lesson_id: str,
    tutor: TutorDep,
    visitor: WriterDep,
    choice: Annotated[str, Form(max_length=20)],
    csrf: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    visitor.check_csrf(csrf)
    if choice not in tuple(Choice):
        raise BadInput(f"choice: {choice[:20]!r} is not one of the choices offered")
    try:
        result = tutor.choose(visitor.id, lesson_id, choice)
    except Conflict:  # the offer was already taken up: a double click, or Back and choose
        n = _current_n(tutor, visitor.id, lesson_id)
        return redirect(visitor, f"/lessons/{lesson_id}/steps/{n}?note=chosen#question")
    following = result["next"]
    n = following["step"]["n"] if following["step"] else 1
    shown = result["another_way"]["angle"] if result["another_way"] else None
    # The page shows the explanation asked for, or says what the choice did.
    query = (
        f"?shown={shown}"
        if shown
        else ("" if choice == Choice.ANOTHER_ANGLE else f"?note={choice}")
    )
    return redirect(visitor, f"/lessons/{lesson_id}/steps/{n}{query}#question")


@router.post("/lessons/{lesson_id}/restart")
def restart(
    lesson_id: str,
    tutor: TutorDep,
    visitor: WriterDep,
    csrf: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    visitor.check_csrf(csrf)
    tutor.restart(visitor.id, lesson_id)
    # The top of step 1: a new pass opens on its teaching, as a step not begun does.
    return redirect(visitor, f"/lessons/{lesson_id}/steps/1")


@router.post("/lessons/{lesson_id}/hint")
def hint(
    lesson_id: str,
    tutor: TutorDep,
    visitor: WriterDep,
    csrf: Annotated[str, Form(max_length=80)] = "",
    question_id: Annotated[str | None, Form(max_length=170)] = None,
    variant: Annotated[int | None, Form(ge=0, le=2**31 - 1)] = None,
    rung: Annotated[int | None, Form(ge=1, le=50)] = None,
) -> Response:
    visitor.check_csrf(csrf)
    # A form sent again shows its rung again, and takes no other (the service's rule).
    try:
        tutor.hint(visitor.id, lesson_id, question_id=question_id, variant=variant, rung=rung)
    except Conflict:  # from a page left behind (another tab moved on): nothing was taken
        n = _current_n(tutor, visitor.id, lesson_id)
        return redirect(visitor, f"/lessons/{lesson_id}/steps/{n}?note=hint_moved#question")
    n = _current_n(tutor, visitor.id, lesson_id)
    return redirect(visitor, f"/lessons/{lesson_id}/steps/{n}#hints")


@router.post("/lessons/{lesson_id}/continue")
def studied(
    lesson_id: str,
    tutor: TutorDep,
    visitor: WriterDep,
    question_id: Annotated[str, Form(max_length=170)],
    variant: Annotated[int, Form(ge=0, le=2**31 - 1)],
    csrf: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    visitor.check_csrf(csrf)
    try:
        said = tutor.study(visitor.id, lesson_id, question_id=question_id, variant=variant)
    except Conflict:  # from a page left behind: gone on from already, and more done since
        said = None
    # The page says what comes next, as the API's reply does ("Now one like it...").
    note = "gone_on" if said is None else _note_for(said["message"])
    n = _current_n(tutor, visitor.id, lesson_id)
    query = f"?note={note}" if note else ""
    return redirect(visitor, f"/lessons/{lesson_id}/steps/{n}{query}#question")


def _note_for(message: str | None) -> str | None:
    """The page note that says ``message``, if there is one."""
    return next((key for key, text in NOTES.items() if text == message), None)


@router.post("/lessons/{lesson_id}/practice")
def practice(
    lesson_id: str,
    tutor: TutorDep,
    visitor: WriterDep,
    csrf: Annotated[str, Form(max_length=80)] = "",
    skill: Annotated[str | None, Form(max_length=80)] = None,
    step: Annotated[int | None, Form(ge=1, le=1000)] = None,
) -> Response:
    visitor.check_csrf(csrf)
    started = tutor.practice(visitor.id, lesson_id, skill=skill or None, step=step)
    return redirect(visitor, _session_url(lesson_id, started))


@router.post("/lessons/{lesson_id}/review")
def review(
    lesson_id: str,
    tutor: TutorDep,
    visitor: WriterDep,
    csrf: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    visitor.check_csrf(csrf)
    try:
        started = tutor.review(visitor.id, lesson_id)
    except Conflict:  # nothing due any more: sent twice, or the review was done elsewhere
        return redirect(visitor, f"/lessons/{lesson_id}")
    return redirect(visitor, _session_url(lesson_id, started))


def _session_url(lesson_id: str, started: dict[str, Any]) -> str:
    step = started["next"]["step"]
    return f"/lessons/{lesson_id}/steps/{step['n'] if step else 1}#question"
