"""The learner's pages: server-rendered, working without JavaScript.

Routes are thin: find the learner (a signed cookie), call the tutoring service,
render. Answers are posted as plain forms and answered with a redirect to the
step page, which shows the graded feedback above the next question.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment
from jinja2.filters import do_urlencode
from markupsafe import Markup, escape
from pydantic import BaseModel, Field

from tutor.config import Settings
from tutor.lessons.kinds import KINDS
from tutor.lessons.loaded import LoadedLesson
from tutor.lessons.topics import OwnTopic
from tutor.render import plots
from tutor.render.markdown import ascii_html, prompt_parts, to_html, to_inline_html
from tutor.render.numbers import clip_text, counted, num
from tutor.service import standing
from tutor.service.tutor import Tutor
from tutor.teaching import labs, payloads
from tutor.teaching.payloads import Current
from tutor.vocabulary import NOT_SURE, NOT_SURE_TEXT, Choice
from tutor.web.deps import TutorDep, tutor_of
from tutor.web.params import Params
from tutor.web.routing import Router
from tutor.web.visitors import Visitor, VisitorDep

router = Router(include_in_schema=False)


class PageEnvironment(jinja2.Environment):
    """Jinja for the pages, where ``reply.grade`` on a plain dict reads its key at once.

    Jinja tries an attribute first and falls back to the key only after an
    ``AttributeError``, about half a microsecond each time; a step page reads some
    seventy keys of its replies and items that way. The result is the same: a name that
    is an attribute of ``dict`` (``items``, ``get``...) still goes the usual way.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


_DICT_ATTRIBUTES = frozenset(dir(dict))


def templates(settings: Settings) -> Jinja2Templates:
    env = Jinja2Templates(
        env=PageEnvironment(
            loader=jinja2.FileSystemLoader(settings.templates_dir),
            autoescape=jinja2.select_autoescape(),
        )
    )
    # The templates ship with the code: no stat of every template file on every page.
    env.env.auto_reload = False
    env.env.filters["md"] = to_html
    env.env.filters["md_inline"] = to_inline_html
    env.env.globals["prompt_parts"] = prompt_parts
    env.env.filters["ascii"] = lambda text: ascii_html(escape(text))  # see ascii_html
    # A negative number with the minus sign of the lesson texts, written as a reference
    # (pages are ASCII: see ascii_html); the labs read it back when it is pasted in.
    env.env.filters["num"] = lambda value: Markup(num(value, minus="&#x2212;"))
    env.env.filters["counted"] = counted
    env.env.filters["urlencode"] = _urlencode
    env.env.globals["clip_text"] = clip_text
    env.env.globals["NOT_SURE"] = NOT_SURE
    env.env.globals["swatch"] = plots.swatch
    env.env.globals["loss_lab_url"] = labs.loss_lab_url
    env.env.globals["descent_lab_url"] = labs.descent_lab_url
    env.env.globals["NOT_SURE_TEXT"] = NOT_SURE_TEXT
    env.env.globals["topic_options"] = topic_options
    env.env.tests["own_topic"] = lambda topic: isinstance(topic, OwnTopic)
    # The step page's macros, loaded once: an `import` in the page costs about as much as
    # the macro it brings, on every page.
    env.env.globals["exchange"] = _kept_exchange(env.get_template("_exchange.html").module.exchange)
    env.env.globals["reply"] = env.get_template("_feedback.html").module.reply
    env.env.globals["topic_form"] = _kept_topic_form(
        env.get_template("_topic.html").module.topic_form
    )
    env.env.globals["answer_kinds"] = {
        kind: env.get_template(f"kinds/{kind}.html").module for kind in KINDS
    }
    return env


SWITCHED, SWITCHED_KEPT = "1", "kept"
"""What a page's ``?switched=`` tells its topic menu to say: the topic was switched, or the
one chosen was in use already (tutor.web.topic_pages)."""


def _kept_topic_form(macro: Callable[..., str]) -> Callable[..., Markup]:
    """The topic menu of every page, kept per learner (their CSRF token), topic, page and
    notice: a learner sees the same menu on every visit of a page until the topic changes,
    and rendering it cost a twelfth of a step page."""

    @lru_cache(maxsize=4096)
    def form(lesson: LoadedLesson, topic: str, csrf: str, back: str, said: str | None) -> Markup:
        return Markup(macro(lesson.lesson, lesson, topic, csrf, back, said))

    def topic_form(current: Current, csrf: str, back: str, switched: Any = None) -> Markup:
        """``switched`` is the page's ``?switched=`` (``SWITCHED`` or ``SWITCHED_KEPT``)."""
        said = switched if switched in (SWITCHED, SWITCHED_KEPT) else None
        return form(current.lesson, current.topic, csrf, back, said)

    return topic_form


def _kept_exchange(macro: Callable[..., str], limit: int = 8192) -> Callable[..., Markup]:
    """An exchange of a step's conversation, kept rendered. What an answer was told never
    changes (nor is an attempt's id used again), so an exchange is the same on every page
    that shows it, until its texts change (another topic), it becomes or stops being the
    one to move to, or a note goes with it. A step page shows up to a dozen."""
    kept: dict[tuple, Markup] = {}

    def exchange(x: Any, latest: int | None, note: str | None = None) -> Markup:
        key = (x.id, x.heading, x.lead_in, x.prompt, x.id == latest, note)
        html = kept.get(key)
        if html is None:
            if len(kept) >= limit:
                kept.clear()
            html = kept[key] = Markup(macro(x, latest, note))
        return html

    return exchange


def _urlencode(value: Any) -> str:
    """Jinja's ``urlencode``, kept for strings: a page quotes the same few addresses."""
    return _quoted(value) if isinstance(value, str) else do_urlencode(value)


@lru_cache(maxsize=1024)
def _quoted(value: str) -> str:
    return do_urlencode(value)


@lru_cache(maxsize=1024)
def topic_options(lesson: LoadedLesson, chosen: str | None) -> Markup:
    """The topic menu's ``<option>``s, ``chosen`` selected (None while the learner's own
    topic is in use): on every page, and the same for every learner in a topic."""
    return Markup(
        "\n".join(
            f'<option value="{escape(topic_id)}"{" selected" if topic_id == chosen else ""}>'
            f"{escape(topic.label)}</option>"
            for topic_id, topic in lesson.lesson.topics.items()
        )
    )


MAX_ID = 2**31 - 1
"""The largest row id a page accepts: ids are 32-bit integers on PostgreSQL."""

NOTES = {
    "recorded": "That answer was already recorded.",
    "answered": "This question was already answered, perhaps in another tab: the first "
    "answer stands, and it is the one shown here. Your later choice was not recorded.",
    "moved": "That question is no longer the current one, so that answer was not recorded. "
    "Here is where you are now.",
    "chosen": "That choice was already made.",
    "gone_on": "You had already gone on from that worked example. Here is where you are now.",
    "hint_moved": "That hint was for a part you had already moved past, so none was taken. "
    "Here is where you are now.",
    Choice.REVISIT: payloads.REASONS["revisit"],
    Choice.GO_ON: payloads.REASONS["moving_on"],
    # What follows a worked example, as the API's reply to it says.
    "like_it": payloads.REASONS["after_example"],
    "same_idea": payloads.REASONS["after_example_check"],
    "run_done": payloads.REASONS["practice_done"],
    "review_done": payloads.REASONS["recall_done"],
}
"""Short notes a redirect can ask the step page to show, by key (``?note=recorded``)."""


def render(
    request: Request, visitor: Visitor | None, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    page = request.app.state.templates.TemplateResponse(
        request, name, {"visitor": visitor, **context}, status_code=status
    )
    return visitor.remember(page) if visitor else page


def redirect(visitor: Visitor, url: str) -> Response:
    return visitor.remember(RedirectResponse(url, status_code=303))


# Pages that only read are ``async``: their reads go through ``Database.read_async``
# (in the event loop on a SQLite file, in a worker thread on PostgreSQL), and their
# templates render in the event loop.


async def step_page(request: Request) -> Response:
    # The address, the visitor and the tutor are read here rather than as parameters and
    # dependencies (see tutor.web.params): FastAPI validates each parameter and looks up
    # every kind of parameter for each dependency, together a sixth of the page's CPU.
    at = STEP.read(request)
    visitor, tutor = Visitor(request), tutor_of(request)
    context = await tutor.db.read_async(
        _step_context, tutor, visitor.id, at.lesson_id, at.n, at.after, at.shown
    )
    context["note"] = NOTES.get(at.note or "")
    return render_step_page(request, visitor, context, at.n)


# The step page first: FastAPI tries a router's routes in turn (see api.py). A plain
# Starlette route: it takes only the request, so FastAPI's handler (solving an empty set of
# dependencies, its exit stack, checking the reply) was a tenth of the page for nothing.
# Errors still reach the app's handlers, which sit around every route.
router.add_route("/lessons/{lesson_id}/steps/{n}", step_page, ["GET"], include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def index(request: Request, tutor: TutorDep, visitor: VisitorDep) -> Response:
    context = await tutor.db.read_async(_index_context, tutor, visitor)
    return render(request, visitor, "index.html", context)


def _index_context(tutor: Tutor, visitor: Visitor) -> dict[str, Any]:
    review = tutor.due(visitor.id) if not visitor.is_new else {"due": [], "upcoming": []}
    agenda = standing.by_lesson(review, tutor.clock())
    return {"rows": tutor.progress(visitor.id), "review": review, "agenda": agenda}


@router.get("/lessons/{lesson_id}", response_class=HTMLResponse)
async def lesson_page(
    request: Request, lesson_id: str, tutor: TutorDep, visitor: VisitorDep
) -> Response:
    context = await tutor.db.read_async(_lesson_context, tutor, visitor.id, lesson_id)
    return render(request, visitor, "lesson.html", context)


def _lesson_context(tutor: Tutor, learner: str | None, lesson_id: str) -> dict[str, Any]:
    current = tutor.current(learner, lesson_id)
    lesson = current.lesson
    steps = [
        {"n": i + 1, "title": payloads.step_texts(lesson, i, current.topic).title, "status": status}
        for i, status in enumerate(tutor.step_status(current))
    ]
    return {
        "lesson": lesson.lesson,
        "current": current,
        "steps": steps,
        "skills": tutor.skill_report(learner, lesson_id),
        "summary": tutor.summary(learner, lesson_id),
        "recap": tutor.recap(learner, lesson_id) if current.done else [],
        "started": bool(current.state.asked),
    }


class StepAddress(BaseModel):
    """A step page's address: the lesson and step, and what the query may add: the answer
    just given (``after``), the angle asked for (``shown``) and a note to show (``note``)."""

    lesson_id: str
    n: int
    after: int | None = Field(None, ge=1, le=MAX_ID)
    shown: str | None = Field(None, max_length=12)
    note: str | None = Field(None, max_length=12)


STEP = Params(
    StepAddress,
    {"lesson_id": "path", "n": "path", "after": "query", "shown": "query", "note": "query"},
)


def render_step_page(
    request: Request, visitor: Visitor, context: dict[str, Any], n: int, status: int = 200
) -> HTMLResponse:
    """Step ``n``'s page from its context (``step_view``), with its worked example."""
    env, current = request.app.state.templates.env, context["current"]
    context["example_html"] = _example_html(env, current.lesson, n, current.topic)
    return render(request, visitor, "step.html", context, status)


@lru_cache(maxsize=512)
def _example_html(env: Environment, lesson: LoadedLesson, n: int, topic: str) -> Markup | None:
    """Step ``n``'s worked example as HTML: the same for every learner in a topic, and half
    of a step page's rendering, so it is rendered once per lesson version, step and topic."""
    example = payloads.example(lesson, n, topic)
    if example is None:
        return None
    return ascii_html(env.get_template("_example.html").render(example=example))


def _step_context(
    tutor: Tutor, learner: str | None, lesson_id: str, n: int, after: int | None, shown: str | None
) -> dict[str, Any]:
    context = tutor.step_view(learner, lesson_id, n, after=after, shown=shown)
    context["mode"] = page_mode(context["current"], n, context["step"].id)
    # Just answered: the note (if any) goes with the reply, not with the next question.
    context["answered"] = after is not None and context["latest"] == after
    if context["mode"] == "lesson_done":
        context["summary"] = tutor.summary(learner, lesson_id)
        context["recap"] = tutor.recap(learner, lesson_id)
    return context


def page_mode(current: Current, n: int, step_id: str) -> str:
    """What step ``n``'s page is for this learner: their current question, a step done,
    one not reached yet, or the lesson done."""
    here = current.step.n if current.step else None
    if current.done:
        return "lesson_done"
    if here == n:
        return "question"
    if (here is not None and here > n) or step_id in current.state.completed:
        return "step_done"
    return "ahead"
