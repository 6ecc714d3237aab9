"""The pages that make a lesson about another topic: the menu's ready topics, the form for
a learner's own, and the question asked before a switch. Without JavaScript each is a page of
its own; tutor.js asks the question in place, with the same page's section."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from tutor.errors import BadFields, BadInput
from tutor.lessons.topics import MAX_WORD, Switch
from tutor.service.tutor import Tutor
from tutor.web.deps import TutorDep
from tutor.web.pages import SWITCHED, SWITCHED_KEPT, redirect, render
from tutor.web.routing import Router
from tutor.web.visitors import Visitor, VisitorDep, count_writer

router = Router(include_in_schema=False)

OWN_FIELD = "custom."
"""The prefix of the own-topic form's fields: ``custom.<word>``."""


def _safe_back(lesson_id: str, back: str) -> str:
    """Only ever go back to one of this lesson's own pages."""
    ok = back.startswith(f"/lessons/{lesson_id}") and "//" not in back and "\\" not in back
    return back if ok else f"/lessons/{lesson_id}"


def _confirmed(url: str, *, kept: bool = False) -> str:
    """``url`` asking its page to say the topic was switched, or (``kept``) that it was the
    one in use already (before any #fragment)."""
    path, hash_, fragment = url.partition("#")
    said = SWITCHED_KEPT if kept else SWITCHED
    return f"{path}{'&' if '?' in path else '?'}switched={said}{hash_}{fragment}"


async def _own_words(request: Request) -> dict[str, str]:
    """The own-topic form's words (``custom.<word>`` fields), by word name."""
    form = await request.form()
    return {
        key.removeprefix(OWN_FIELD): value
        for key, value in form.items()
        if key.startswith(OWN_FIELD) and isinstance(value, str)
    }


def _topic_form(
    request: Request,
    visitor: Visitor,
    tutor: Tutor,
    lesson_id: str,
    back: str,
    *,
    words: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
) -> HTMLResponse:
    lesson = tutor.lesson(lesson_id).lesson
    if not lesson.topic_words:
        raise BadInput(f"lesson {lesson_id!r} offers only its ready topics")
    if words is None:
        mine = tutor.own_topic(None if visitor.is_new else visitor.id, lesson_id)
        words = mine.as_stored() if mine is not None else {}
    groups: list[tuple[str | None, list]] = []
    for word in lesson.topic_words:
        if not groups or groups[-1][0] != word.group:
            groups.append((word.group, []))
        groups[-1][1].append(word)
    return render(
        request,
        visitor,
        "topic.html",
        {
            "lesson": lesson,
            "groups": groups,
            "words": words,
            "problems": problems or {},
            "hints": {w.name: w.hint for w in lesson.topic_words},
            "back": _safe_back(lesson_id, back),
            "max_word": MAX_WORD,
        },
        status=422 if problems else 200,
    )


@router.get("/lessons/{lesson_id}/topic", response_class=HTMLResponse)
def topic_form(
    request: Request,
    lesson_id: str,
    tutor: TutorDep,
    visitor: VisitorDep,
    back: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The form to write one's own topic, filled with what was written last."""
    return _topic_form(request, visitor, tutor, lesson_id, back)


@router.post("/lessons/{lesson_id}/topic")
def topic(
    request: Request,
    lesson_id: str,
    tutor: TutorDep,
    visitor: VisitorDep,
    own: Annotated[dict[str, str], Depends(_own_words)],
    topic: Annotated[str, Form(max_length=80)] = "",
    csrf: Annotated[str, Form(max_length=80)] = "",
    back: Annotated[str, Form(max_length=200)] = "",
    confirm: Annotated[bool, Form()] = False,
) -> Response:
    """Switch the lesson's topic: a change is confirmed on a page of its own first (own
    words are checked before that), the topic already in use is simply kept."""
    visitor.check_csrf(csrf)
    if not (own or topic):
        raise BadInput("topic: choose a topic")
    try:
        switch = tutor.topic_switch(visitor.id, lesson_id, topic=topic, own=own)
    except BadFields as exc:
        if not own:
            raise
        return _topic_form(request, visitor, tutor, lesson_id, back, words=own, problems=exc.fields)
    if not (confirm or switch.unchanged):
        sent = {"topic": topic, **{OWN_FIELD + name: text for name, text in own.items()}}
        return _confirm_switch(request, visitor, tutor, lesson_id, back, switch, sent)
    if switch.unchanged:  # nothing to write: the page says the lesson is about it already
        return redirect(visitor, _confirmed(_safe_back(lesson_id, back), kept=True))
    count_writer(request, visitor, tutor)  # a new learner is counted by what they write
    if own:
        tutor.set_own_topic(visitor.id, lesson_id, own)
    else:
        tutor.set_topic(visitor.id, lesson_id, topic)
    return redirect(visitor, _confirmed(_safe_back(lesson_id, back)))


def _confirm_switch(
    request: Request,
    visitor: Visitor,
    tutor: Tutor,
    lesson_id: str,
    back: str,
    switch: Switch,
    sent: dict[str, str],
) -> HTMLResponse:
    """The page that asks before a switch: the same fields to send again, confirmed."""
    lesson = tutor.lesson(lesson_id).lesson
    return render(
        request,
        visitor,
        "topic_confirm.html",
        {
            "lesson": lesson,
            "switch": switch,
            "sent": sent,
            "hints": {w.name: w.hint for w in lesson.topic_words},
            "back": _safe_back(lesson_id, back),
        },
    )
