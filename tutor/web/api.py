"""The JSON API: thin routes over the tutoring service (OpenAPI at /docs)."""

from __future__ import annotations

from typing import Literal

import anyio
from anyio import to_thread
from fastapi import Request, Response, status
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from tutor.engine import breakdown, losses
from tutor.errors import BadInput
from tutor.store.database import reason
from tutor.teaching import labs
from tutor.web import ratelimit
from tutor.web.deps import LearnerDep as Learner
from tutor.web.deps import TutorDep, tutor_of
from tutor.web.params import Params
from tutor.web.quick import json_content, quick_route
from tutor.web.replies import Replies
from tutor.web.routing import Router
from tutor.web.schemas import (
    AnswerIn,
    AnswerOut,
    ChoiceIn,
    ChoiceResultOut,
    ErrorOut,
    HealthOut,
    HintIn,
    HintOut,
    LearnerIn,
    LearnerOut,
    LessonOut,
    LessonSummary,
    LossIn,
    LossOut,
    NextOut,
    NothingIn,
    PracticeIn,
    ProgressOut,
    ReadyOut,
    ReviewListOut,
    SessionOut,
    StepOut,
    StudiedIn,
    StudiedOut,
    SummaryOut,
    TopicIn,
    UnprocessableOut,
)
from tutor.web.security import bearer_token

router = Router(
    prefix="/api",
    tags=["api"],
    responses={
        400: {
            "model": ErrorOut,
            "description": (
                "The body cannot be read as JSON: not JSON at all, not UTF-8, or past the "
                "parser's limits (nested too deeply, a number with thousands of digits)."
            ),
        },
        413: {"model": ErrorOut, "description": "The body is larger than the limit."},
        422: {"model": UnprocessableOut, "description": "The input does not fit: what and why."},
    },
)

NOT_FOUND = {404: {"model": ErrorOut, "description": "No such lesson, step or topic."}}
UNAUTHORIZED = {
    401: {"model": ErrorOut, "description": "No valid bearer token."},
    429: {"model": ErrorOut, "description": "Too many failed tokens from one client."},
}
CONFLICT = {409: {"model": ErrorOut, "description": "Not the current item; nothing changed."}}


def _reply(model: BaseModel, status_code: int = 200) -> Response:
    """A response model, validated, serialised by Pydantic itself (FastAPI would dump and
    validate it all over again)."""
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")


class StepAddress(BaseModel):
    lesson_id: str
    n: int
    topic: str | None = Field(None, max_length=80, description="Re-skin the texts.")


STEP = Params(StepAddress, {"lesson_id": "path", "n": "path", "topic": "query"})


# The routes nearly every request is for come first: FastAPI tries a router's routes in
# turn, each a regular expression (FastAPI 0.165 twice: to pick the router, then the route).
@router.get(
    "/lessons/{lesson_id}/steps/{n}",
    response_model=StepOut,
    responses=NOT_FOUND,
    openapi_extra=STEP.openapi(),
)
async def get_step(request: Request) -> Response:
    """A step (1-based) with its worked example and questions; no grades or feedback."""
    address = STEP.read(request)  # read here: see tutor.web.params
    lesson_id, n, topic = address.lesson_id, address.n, address.topic
    tutor = tutor_of(request)
    version = tutor.lesson(lesson_id).content_hash  # 404 for no such lesson, at once
    replies: Replies = request.app.state.replies

    def make() -> bytes:
        return (
            StepOut.model_validate(tutor.step_json(lesson_id, n, topic)).model_dump_json().encode()
        )

    return await replies.send(request, ("step", lesson_id, version, n, topic), make)


@router.get(
    "/lessons/{lesson_id}/next", response_model=NextOut, responses={**NOT_FOUND, **UNAUTHORIZED}
)
async def get_next(lesson_id: str, request: Request, learner: Learner) -> Response:
    """The learner's current item in a lesson."""
    tutor = tutor_of(request)
    payload = await tutor.db.read_async(tutor.next_json, learner, lesson_id)
    return _reply(NextOut.model_validate(payload))


async def post_answer(
    lesson_id: str, body: AnswerIn, request: Request, learner: Learner
) -> Response:
    """Answer the current item; the reply grades it and gives the next item.

    A rule the schema cannot say, named by the 422 that refuses a request breaking it:

    - **not sure alone**: `option_id` `not_sure` is sent without a `value`.
    """
    return await _answer(request, learner, lesson_id, body)


async def quick_answer(request: Request, body: bytes) -> Response | None:
    """``post_answer`` for a known token and a body that validates, read here (see
    tutor.web.quick); None for any other request, which FastAPI then serves."""
    if not json_content(request):
        return None
    token = bearer_token(request.headers.get("authorization"))
    learner = request.app.state.tokens.get(token) if token else None
    if learner is None:
        return None
    try:
        answer = AnswerIn.model_validate_json(body)
    except ValidationError:
        return None
    return await _answer(request, learner, request.path_params["lesson_id"], answer)


async def _answer(request: Request, learner: str, lesson_id: str, body: AnswerIn) -> Response:
    _, response = await tutor_of(request).answer_async(
        learner,
        lesson_id,
        question_id=body.question_id,
        variant=body.variant,
        option_id=body.option_id,
        value=body.value,
        idempotency_key=body.idempotency_key,
    )
    return _reply(AnswerOut.model_validate(response))


router.add_api_route(
    "/lessons/{lesson_id}/answers",
    post_answer,
    methods=["POST"],
    response_model=AnswerOut,
    responses={**NOT_FOUND, **UNAUTHORIZED, **CONFLICT},
    route_class_override=quick_route(quick_answer),
)


@router.post(
    "/learners",
    response_model=LearnerOut,
    status_code=status.HTTP_201_CREATED,
    responses={429: {"model": ErrorOut, "description": "Too many new learners from one client."}},
)
def create_learner(request: Request, tutor: TutorDep, body: LearnerIn | None = None) -> Response:
    """A new learner and its bearer token (shown only this once). The body is optional:
    none, or ``{}``; anything else is refused, so a client that meant to send something
    learns that it was not read."""
    limit = ratelimit.learners(request)
    limit.check(request)
    limit.spend(ratelimit.client_of(request))
    learner_id, token = tutor.create_api_learner()
    return _reply(LearnerOut(learner_id=learner_id, token=token), status.HTTP_201_CREATED)


@router.get("/health", response_model=HealthOut)
async def health() -> Response:
    """Liveness for load balancers: answered in the event loop, without the database or a
    worker thread, so it answers while the database is stuck and every thread waits on it."""
    return Response(b'{"status":"ok"}', media_type="application/json")


@router.get(
    "/ready",
    response_model=ReadyOut,
    responses={503: {"model": ReadyOut, "description": "The database does not answer."}},
)
async def ready(request: Request) -> Response:
    """Readiness: whether the database answers a query within the connect timeout."""
    state = request.app.state
    timeout = state.settings.database_connect_timeout
    if getattr(state, "ready_probes", None) is None:
        # One readiness query at a time, on a thread of its own: probes of a stuck database
        # never take the threads that serve learners.
        state.ready_probes = anyio.CapacityLimiter(1)
    try:
        with anyio.fail_after(timeout):
            await to_thread.run_sync(
                state.database.ping, abandon_on_cancel=True, limiter=state.ready_probes
            )
    except TimeoutError:
        return _reply(ReadyOut(status="unavailable", database=f"no answer in {timeout:g} s"), 503)
    except (DBAPIError, PoolTimeout) as exc:
        why = reason(exc) if isinstance(exc, DBAPIError) else "no connection free"
        return _reply(ReadyOut(status="unavailable", database=why), 503)
    return _reply(ReadyOut(status="ready", database="ok"))


@router.get("/lessons", response_model=list[LessonSummary])
def list_lessons(tutor: TutorDep) -> list[LessonSummary]:
    """Every lesson."""
    return [
        LessonSummary(
            id=loaded.id,
            title=loaded.lesson.title,
            summary=loaded.lesson.summary,
            steps=len(loaded.lesson.steps),
            topics=_topics(loaded),
        )
        for loaded in tutor.catalog
    ]


def _topics(loaded) -> list[dict]:
    return [{"id": k, "label": t.label} for k, t in loaded.lesson.topics.items()]


@router.get("/lessons/{lesson_id}", response_model=LessonOut, responses=NOT_FOUND)
def get_lesson(lesson_id: str, tutor: TutorDep) -> Response:
    """One lesson: its topics, skills and steps."""
    loaded = tutor.lesson(lesson_id)
    lesson = loaded.lesson
    n = len(lesson.steps)
    return _reply(
        LessonOut.model_validate(
            {
                "id": lesson.id,
                "title": lesson.title,
                "summary": lesson.summary,
                "version": loaded.content_hash,
                "topics": _topics(loaded),
                "default_topic": lesson.default_topic,
                "topic_words": [w.model_dump() for w in lesson.topic_words],
                "skills": [
                    {"id": s.id, "name": s.name, "requires": s.requires} for s in lesson.skills
                ],
                "steps": [
                    {"n": i + 1, "of": n, "id": s.id, "title": s.title}
                    for i, s in enumerate(lesson.steps)
                ],
            }
        )
    )


HINT_CONFLICT = {
    409: {
        "model": ErrorOut,
        "description": "No hint to give: no part of a problem is asked, every hint of this one "
        "is shown, the rung is not the next, or the part named is no longer asked. Nothing "
        "changed.",
    }
}


@router.post(
    "/lessons/{lesson_id}/hint",
    response_model=HintOut,
    responses={**NOT_FOUND, **UNAUTHORIZED, **HINT_CONFLICT},
)
def post_hint(
    lesson_id: str, tutor: TutorDep, learner: Learner, body: HintIn | None = None
) -> Response:
    """Inside a multi-step problem: the next hint for the sub-step asked (a nudge, then the
    formula, then the worked value). Each hint taken counts against what a right answer
    to that sub-step says.

    Send `question_id`, `variant` and `rung` (from `next`: `question.id`, `variant` and
    `len(ladder.hints) + 1`) to make a retry safe: the rung is shown again instead of the
    next one being taken, and a retry that comes after the part was answered is refused
    instead of taking a hint of the next part. `rung` alone protects only within a part."""
    asked = body.model_dump() if body is not None else {}
    return _reply(HintOut.model_validate(tutor.hint(learner, lesson_id, **asked)))


@router.post(
    "/lessons/{lesson_id}/continue",
    response_model=StudiedOut,
    responses={**NOT_FOUND, **UNAUTHORIZED, **CONFLICT},
)
def post_continue(lesson_id: str, body: StudiedIn, tutor: TutorDep, learner: Learner) -> Response:
    """Go on from a worked example (a `next` whose question has kind `example`).

    Safe to retry: the same request again, with nothing else done since, gets the same
    reply and changes nothing."""
    studied = tutor.study(learner, lesson_id, question_id=body.question_id, variant=body.variant)
    return _reply(StudiedOut.model_validate(studied))


@router.post(
    "/lessons/{lesson_id}/choices",
    response_model=ChoiceResultOut,
    responses={**NOT_FOUND, **UNAUTHORIZED, **CONFLICT},
)
def post_choice(lesson_id: str, body: ChoiceIn, tutor: TutorDep, learner: Learner) -> Response:
    """After repeated misses: see another angle, step back to the weak step, or go on."""
    return _reply(ChoiceResultOut.model_validate(tutor.choose(learner, lesson_id, body.choice)))


@router.post(
    "/lessons/{lesson_id}/restart", response_model=NextOut, responses={**NOT_FOUND, **UNAUTHORIZED}
)
def post_restart(
    lesson_id: str, tutor: TutorDep, learner: Learner, body: NothingIn | None = None
) -> Response:
    """Go through the lesson again from its first question; skills and answers are kept."""
    tutor.restart(learner, lesson_id)
    return _reply(NextOut.model_validate(tutor.next_json(learner, lesson_id)))


@router.put(
    "/lessons/{lesson_id}/topic", response_model=NextOut, responses={**NOT_FOUND, **UNAUTHORIZED}
)
def put_topic(lesson_id: str, body: TopicIn, tutor: TutorDep, learner: Learner) -> Response:
    """Make the lesson about another topic, a ready one or the learner's own (a text for
    each of the lesson's `topic_words`, checked one by one); every text re-renders in it."""
    if body.custom is not None:
        tutor.set_own_topic(learner, lesson_id, body.custom)
    else:
        assert body.topic is not None
        tutor.set_topic(learner, lesson_id, body.topic)
    return _reply(NextOut.model_validate(tutor.next_json(learner, lesson_id)))


@router.get(
    "/lessons/{lesson_id}/summary",
    response_model=SummaryOut,
    responses={**NOT_FOUND, **UNAUTHORIZED},
)
async def get_summary(lesson_id: str, tutor: TutorDep, learner: Learner) -> Response:
    """Where the learner stands: each skill solid, shaky or not yet, the first-try score,
    and what to do next. Finishing a lesson and mastering it are told apart."""
    summary = await tutor.db.read_async(tutor.summary, learner, lesson_id)
    return _reply(SummaryOut.model_validate(summary))


@router.post(
    "/lessons/{lesson_id}/practice",
    response_model=SessionOut,
    responses={**NOT_FOUND, **UNAUTHORIZED},
)
def post_practice(
    lesson_id: str, tutor: TutorDep, learner: Learner, body: PracticeIn | None = None
) -> Response:
    """Start a short practice run on the learner's weakest skills, or on one `skill` or
    `step`; items not yet seen come first. Answer its items as any; the lesson resumes
    where it was after the last."""
    body = body or PracticeIn()
    started = tutor.practice(learner, lesson_id, skill=body.skill, step=body.step)
    return _reply(SessionOut.model_validate(started))


@router.post(
    "/lessons/{lesson_id}/review",
    response_model=SessionOut,
    responses={
        **NOT_FOUND,
        **UNAUTHORIZED,
        409: {"model": ErrorOut, "description": "Nothing is due."},
    },
)
def post_review(lesson_id: str, tutor: TutorDep, learner: Learner) -> Response:
    """Start a review of the lesson's skills that are due (see /learners/me/review)."""
    return _reply(SessionOut.model_validate(tutor.review(learner, lesson_id)))


@router.get("/learners/me/review", response_model=ReviewListOut, responses=UNAUTHORIZED)
async def get_review(tutor: TutorDep, learner: Learner) -> Response:
    """The learner's skills due for review now, across lessons, and those coming up."""
    due = await tutor.db.read_async(tutor.due, learner)
    return _reply(ReviewListOut.model_validate({"learner_id": learner, **due}))


@router.get("/learners/me/progress", response_model=ProgressOut, responses=UNAUTHORIZED)
async def get_progress(tutor: TutorDep, learner: Learner) -> Response:
    """Per lesson: step statuses, the current position and mastery per skill."""
    lessons = await tutor.db.read_async(tutor.progress_json, learner)
    return _reply(ProgressOut.model_validate({"learner_id": learner, "lessons": lessons}))


@router.post(
    "/losses/{name}",
    response_model=LossOut,
    responses={422: {"model": UnprocessableOut, "description": "Bad arrays."}},
)
def post_loss(name: Literal["mse", "mae", "bce", "cce"], body: LossIn) -> Response:
    """Compute a loss: the value, each item's term and the gradient.

    Rules the schema cannot say (JSON Schema has no words for them), each named by the 422
    that refuses a request breaking it:

    - **same shape**: y_true and y_pred hold as many numbers or rows, and rows are all as
      long; for cce, y_true may instead hold one class label per row of y_pred;
    - **probabilities**: bce and cce take y_pred, and y_true's targets, between 0 and 1;
      each row of a cce y_pred sums to 1; cce's class labels are whole numbers below the
      number of classes;
    - **eps** is for bce and cce only.

    For cce, a flat y_pred is two classes: each p is the row [1 − p, p], as in the loss lab,
    and the gradient is with respect to each p (it equals bce's).
    """
    kwargs = {} if body.eps is None else {"eps": body.eps}
    if body.eps is not None and not losses.LOSSES[name].uses_eps:
        raise BadInput(f"eps: {name} does not clip, so it takes no eps")
    flat = not isinstance(body.y_pred[0], list)
    notes = [labs.TWO_CLASSES_API] if name == "cce" and flat else []
    try:
        y_pred = labs.two_classes(body.y_pred) if notes else body.y_pred  # type: ignore[arg-type]
        result = breakdown.breakdown(name, body.y_true, y_pred, **kwargs).as_dict()
    except ValueError as exc:
        raise BadInput(labs.in_api_words(str(exc))) from None
    if notes:  # the gradient in the shape the predictions came in
        result["gradient"] = labs.gradient_of_p(result["gradient"])
    clipped = [item["index"] for item in result["items"] if item["clipped"]]
    if clipped:
        notes.append(_clipping_note(clipped))
    return _reply(
        LossOut(
            loss=result["loss"],
            eps=result["eps"],
            items=result["items"],
            gradient=result["gradient"],
            note=" ".join(notes) or None,
        )
    )


def _clipping_note(indices: list[int]) -> str:
    which = ", ".join(map(str, indices))
    return (
        f"item{'s' if len(indices) > 1 else ''} {which}: the prediction was clipped to "
        "[eps, 1 - eps] before the log, and the clipped loss is flat there, so the gradient "
        "is 0 for what was clipped."
    )
