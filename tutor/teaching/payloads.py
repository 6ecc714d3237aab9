"""What the tutor shows: the JSON payloads the API returns and the pages render.

Pure functions of a lesson, a learner's state and an answer's grade; no database.
Rendering a question variant or a step is deterministic, so results are kept in
small caches keyed by the loaded lesson itself (an edited lesson is a new object
and is rendered afresh).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tutor.lessons.examples import WorkedExample, compute_example
from tutor.lessons.kinds import KINDS, Seat
from tutor.lessons.loaded import LoadedLesson
from tutor.lessons.variants import RenderedQuestion, RenderedStep, render_step
from tutor.teaching import adaptive, angles, ladders, offers
from tutor.teaching.grading import Graded
from tutor.teaching.items import explained, item_key, rendered, substeps
from tutor.vocabulary import NOT_SURE, NOT_SURE_TEXT, Choice, Grade, Phase, Role

REASONS = {
    "new_numbers": "Let's check that with new numbers.",
    "another_question": "Let's check the same idea with another question.",
    "review": "A quick review of an earlier idea, to check that it has stuck.",
    "moving_on": "Let's move on for now; this idea will come back for a short review.",
    "review_moving_on": "Let's move on for now. This idea still looks shaky, so it stays "
    "marked for review; a practice run on your weakest ideas is a good way back to it.",
    "no_fresh_check": "There is no question on this idea here whose answer you have not "
    "already been shown, and one of those would only test your memory. Let's move on; the "
    "idea is marked for review and will come back later.",
    "revisit": "Let's step back to an earlier idea; you will return to where you were.",
    "return": "Back to where you were, with that idea fresh in mind.",
    "another_angle": "Here is one more way to see it. The question is still waiting for you.",
    "skipped": "You have shown you know this already, so we skip ahead.",
    "practice_done": "That is the end of this practice run.",
    "ladder": "Let's take it one step at a time: here is the first part.",
    "after_example": "Now one like it, with the last step left to you.",
    "after_example_check": "Now a question on the same skill, for you to try.",
    "recall_done": "That is the end of the review. What you remembered will come back "
    "later; what slipped, sooner.",
}

CHOICES = {
    Choice.ANOTHER_ANGLE: "Show me another angle",
    Choice.REVISIT: "Go back to that step",
    Choice.GO_ON: "Go on for now",
}


@dataclass(frozen=True)
class StepRef:
    n: int
    of: int
    id: str
    title: str


@dataclass(frozen=True)
class Current:
    """A learner's current item in a lesson, rendered in their topic."""

    lesson: LoadedLesson
    state: adaptive.State
    topic: str
    step: StepRef | None
    question: RenderedQuestion | None
    n: int  # the main question's number within the step
    of: int
    seat: Seat  # how this learner is served options: their order and ids
    # Inside a multi-step problem: the sub-steps shown worked, and (a worked example) the
    # prompt to explain it; ``question`` is then the sub-step asked, or the whole problem.
    worked: tuple = ()
    explain: str | None = None

    @property
    def done(self) -> bool:
        return self.question is None

    @property
    def ladder(self):
        return self.state.ladder

    @property
    def role(self) -> str | None:
        return self.state.item.role if self.state.item else None

    @property
    def begun(self) -> bool:
        """Whether a link to the current step should open at its question: the learner has
        taken in an item of the step in this pass, or is on an item from elsewhere (a review,
        a step back). A step not begun opens at its top, where it teaches before it asks."""
        if self.step is None:
            return False
        if self.role != Role.MAIN:
            return True
        here = self.step.n - 1
        entries = self.lesson.entries
        return any(q in entries and entries[q].step_index == here for q in self.state.asked)


@lru_cache(maxsize=1024)
def step_texts(lesson: LoadedLesson, step_index: int, topic: str) -> RenderedStep:
    """A step's own texts in a topic: the same for every learner, so rendered once."""
    return render_step(lesson.lesson, lesson.step(step_index), topic)


@lru_cache(maxsize=1024)
def step_ref(lesson: LoadedLesson, step_index: int, topic: str) -> StepRef:
    step = lesson.step(step_index)
    title = step_texts(lesson, step_index, topic).title
    return StepRef(step_index + 1, len(lesson.lesson.steps), step.id, title)


@lru_cache(maxsize=512)
def example(lesson: LoadedLesson, step_n: int, topic: str) -> WorkedExample | None:
    step = lesson.step(step_n - 1)
    return None if step.example is None else compute_example(lesson.lesson, step.example, topic)


def describe(lesson: LoadedLesson, state: adaptive.State, topic: str, seat: Seat) -> Current:
    """The learner's state as something to show: the current item rendered in ``topic``,
    its options as ``seat`` is served them."""
    if state.item is None:
        return Current(lesson, state, topic, None, None, 0, 0, seat)
    entry = lesson.entries[state.item.question]
    question = rendered(lesson, state.item.question, state.item.variant, topic)
    # A check belongs to the question whose loop it is in ("Question 2 of 3, checking
    # the same idea"), and to its step, even when it was written under another question of
    # the skill, in an earlier step.
    anchor = lesson.entries.get(state.main or "") if state.item.role == Role.CHECK else None
    place = anchor if anchor is not None else entry
    ref = step_ref(lesson, place.step_index, topic)
    worked, explain, asked = (), None, question
    ladder = state.ladder
    if ladder is not None:
        subs = substeps(lesson, ladder.question, ladder.variant, topic)
        if ladder.mode == ladders.EXAMPLE:
            worked = subs
            explain = explained(lesson, state.item.question, ladder.variant, topic)
        else:
            worked, asked = subs[: ladder.at], subs[ladder.at]
    return Current(
        lesson,
        state,
        topic,
        ref,
        asked,
        place.main_index + 1,
        len(lesson.step(place.step_index).questions),
        seat,
        worked,
        explain,
    )


def shown_id(current: Current) -> str:
    """The current item's id as learners and clients are given it: a worked example is its
    problem's id with ``.worked``, so that it is never taken for the problem to answer."""
    assert current.question is not None
    return f"{current.question.id}.worked" if current.explain is not None else current.question.id


def options_json(question: RenderedQuestion, seat: Seat) -> list[dict[str, str]]:
    """The options ``seat`` is shown, "I'm not sure" last; a numeric question has only it."""
    return [*KINDS[question.kind].shown(question, seat), {"id": NOT_SURE, "text": NOT_SURE_TEXT}]


@lru_cache(maxsize=512)
def step_payload(lesson: LoadedLesson, n: int, topic: str, seat: Seat) -> dict[str, Any]:
    """A step as API clients see it: texts, worked example, questions without grades."""
    step = lesson.step(n - 1)
    texts = step_texts(lesson, n - 1, topic)
    worked = example(lesson, n, topic)
    questions = []
    for i, question in enumerate(step.questions):
        shown = rendered(lesson, question.id, 0, topic)
        questions.append(
            {
                "id": shown.id,
                "kind": shown.kind,
                "prompt": shown.prompt,
                "n": i + 1,
                "of": len(step.questions),
                "options": options_json(shown, seat),
                "lead_in": shown.lead_in,
            }
        )
    return {
        "n": n,
        "of": len(lesson.lesson.steps),
        "id": step.id,
        "title": texts.title,
        "intro": texts.intro,
        "example": worked.as_dict() if worked else None,
        "questions": questions,
        "takeaway": texts.takeaway,
        "next": texts.next,
        "topic": topic,
    }


def next_json(current: Current) -> dict[str, Any]:
    """The `next` payload: the current item, without any grade or feedback."""
    if current.question is None or current.step is None:
        return {
            "done": True,
            "step": None,
            "question": None,
            "variant": None,
            "topic": current.topic,
            "offer": None,
            "session": None,
            "ladder": None,
            "studied": None,
        }
    q = current.question
    example = current.explain is not None
    return {
        "done": False,
        "step": {
            "n": current.step.n,
            "of": current.step.of,
            "id": current.step.id,
            "title": current.step.title,
        },
        "question": {
            "id": shown_id(current),
            "kind": "example" if example else q.kind,
            "role": current.role,
            "prompt": current.explain if example else q.prompt,
            "n": current.n,
            "of": current.of,
            "options": [] if example else options_json(q, current.seat),
            "lead_in": q.lead_in if current.role == Role.MAIN and not current.ladder else None,
        },
        "variant": q.seed,
        "topic": current.topic,
        "offer": _offer_json(current),
        "session": _session_json(current),
        "ladder": _ladder_json(current),
        "studied": _studied_json(current),
    }


def _studied_json(current: Current) -> dict[str, Any] | None:
    """The worked example studied just before the item on screen, to look back at while
    doing it: its problem and every sub-step worked (not beside another worked example)."""
    state = current.state
    if state.studied is None or state.item is None or current.explain is not None:
        return None
    question_id, variant, beside, beside_variant = state.studied
    if (beside, beside_variant) != (state.item.question, state.item.variant):
        return None
    if question_id not in current.lesson.entries:  # the lesson was edited meanwhile
        return None
    return {
        "question_id": question_id,
        "variant": variant,
        "prompt": rendered(current.lesson, question_id, variant, current.topic).prompt,
        "worked": _worked_json(substeps(current.lesson, question_id, variant, current.topic)),
    }


def _worked_json(parts: Any) -> list[dict[str, Any]]:
    return [
        {"id": s.step_id, "prompt": s.prompt, "value": s.value_text, "text": s.solution}
        for s in parts
    ]


def hint_rungs(sub: Any) -> tuple[str, ...]:
    """A sub-step's hint ladder: its hints, then its worked value."""
    return (*sub.hints, (sub.solution or "").strip() or sub.value_text)


def _ladder_json(current: Current) -> dict[str, Any] | None:
    """Inside a multi-step problem: where, what is worked (with values), the hints shown."""
    ladder = current.state.ladder
    if ladder is None:
        return None
    n = len(current.lesson.entries[ladder.question].question.steps)
    hints: list[str] = []
    left = 0
    if ladder.mode != ladders.EXAMPLE:
        rungs = hint_rungs(current.question)
        hints = list(rungs[: ladder.hints])
        left = len(rungs) - ladder.hints
    return {
        "question_id": ladder.question,
        "prompt": rendered(current.lesson, ladder.question, ladder.variant, current.topic).prompt,
        "mode": ladder.mode,
        "step": min(ladder.at + 1, n),
        "of": n,
        "worked": _worked_json(current.worked),
        "hints": hints,
        "hints_left": left,
    }


def _session_json(current: Current) -> dict[str, Any] | None:
    """A practice run or review under way: its kind, and how many items are left after this."""
    if current.role not in (Role.PRACTICE, Role.RECALL):
        return None
    return {"kind": current.role, "left": len(current.state.session)}


def _offer_json(current: Current) -> dict[str, Any] | None:
    offer = current.state.offer
    if offer is None:
        return None
    choices = offers.choices(current.lesson, current.state)
    fault = None
    index = current.lesson.step_index(offer.fault_step) if offer.fault_step else None
    if index is not None:
        ref = step_ref(current.lesson, index, current.topic)
        if current.step is not None and ref.n == current.step.n:
            # The weak idea is taught in this very step: name the idea, not the step.
            skill = next(
                (s.name for s in current.lesson.lesson.skills if s.id == offer.fault_skill),
                "an earlier idea",
            )
            message = f"This may come from an idea earlier in this step: \u201c{skill}\u201d."
        else:
            message = f"This may be about the step \u201c{ref.title}\u201d (step {ref.n})."
        fault = {"n": ref.n, "id": ref.id, "title": ref.title, "message": message}
    same_step = fault is not None and current.step is not None and fault["n"] == current.step.n
    heading, message = offers.wording(
        current.state.answered,
        step_back=Choice.REVISIT in choices,
        another_angle=Choice.ANOTHER_ANGLE in choices,
    )
    return {
        "heading": heading,
        "message": message,
        "fault": fault,
        "choices": [
            {
                "id": c,
                "text": "Go back to that idea" if c == Choice.REVISIT and same_step else CHOICES[c],
            }
            for c in choices
        ],
    }


def another_way(
    lesson: LoadedLesson, state: adaptive.State, question_id: str, angle: str, topic: str
) -> dict[str, str] | None:
    """The explanation from ``angle`` for a question just answered, in its numbers."""
    source = angles.explanation_source(lesson, state, question_id)
    if source is None or angle not in source.angles:
        return None
    text = rendered(lesson, source.owner, source.variant, topic).way(angle)
    return {"angle": angle, "text": text} if text else None


def way_on_screen(
    lesson: LoadedLesson, state: adaptive.State, angle: str, topic: str
) -> dict[str, str] | None:
    """The explanation from ``angle`` of the item on screen, in the numbers on screen.

    Its own explanations only once the item counts as seen: they may work its answer out.
    """
    source = angles.on_screen(lesson, state)
    if source is None or angle not in source.angles or state.item is None:
        return None
    if source.own and item_key(lesson, state.item.question, state.item.variant) not in state.seen:
        return None
    text = rendered(lesson, source.owner, source.variant, topic).way(angle)
    return {"angle": angle, "text": text} if text else None


def _bridge(current: Current) -> str | None:
    """The bridge out of the loop just finished: its main question's, even after a check."""
    question = current.question
    assert question is not None
    main = current.state.main
    if main is None or main == question.id:
        return question.bridge
    return rendered(current.lesson, main, 0, current.topic).bridge


def _skipped(current: Current, following: Current) -> bool:
    """Whether the tutor passed over main questions the learner has shown they master: later
    ones of this step (at its end too), or whole steps."""
    if current.step is None:
        return False
    in_loop = current.role in (Role.MAIN, Role.CHECK)
    rest_of_step = in_loop and current.n < current.of
    if following.step is None or following.role == Role.REVIEW:
        return rest_of_step  # the lesson is over, or its missed ideas come back first
    if following.step.n == current.step.n:
        return following.role == Role.MAIN and following.n > current.n + 1
    if following.role != Role.MAIN:
        return False
    return rest_of_step or following.step.n > current.step.n + 1 or following.n > 1


def right_option(question: Any, graded: Graded) -> str | None:
    """After anything but Exactly on a question with options: the right one, in its words."""
    if graded.grade == Grade.EXACTLY or not question.options:
        return None
    return next((o.text for o in question.options if o.grade == Grade.EXACTLY), None)


def answer_response(
    current: Current, graded: Graded, decision: adaptive.Decision, following: Current
) -> dict[str, Any]:
    """The reply to an answer: its grade and feedback, what to read next, the next item."""
    question = current.question
    assert question is not None
    lesson = current.lesson
    way = None
    if decision.angle:
        # Inside a problem, the explanation is the whole problem's.
        about = current.ladder.question if current.ladder else question.id
        way = another_way(lesson, decision.state, about, decision.angle, current.topic)
    finished = decision.finished_step
    # A bridge leads from one main question into the next: not out of a review or a step back.
    moving_on = (
        current.role in (Role.MAIN, Role.CHECK)
        and current.state.phase == Phase.QUESTIONS  # (a review's check: out of a review)
    ) and (
        following.done
        or (following.role == Role.MAIN and following.state.main != current.state.main)
    )
    step = None
    if finished and current.step:
        step = step_texts(lesson, current.step.n - 1, current.topic)
    skipped = _skipped(current, following)
    reason = decision.reason or ("skipped" if skipped else None)
    if reason == "stuck":
        reason = None  # the offer that comes with the next item says it, once
    return {
        "question_id": question.id,
        "variant": question.seed,
        "said": graded.said,
        "grade": graded.grade,
        "label": Grade(graded.grade).label,
        "feedback": graded.feedback,
        "mistake": graded.mistake,
        "another_way": way,
        # A bridge leads into the question after: not past it, when that one is skipped.
        "bridge": _bridge(current) if moving_on and not finished and not skipped else None,
        "message": REASONS.get(reason or ""),
        **KINDS[question.kind].revealed(question, graded=graded, solution=decision.solution),
        "right": right_option(question, graded),
        "step_finished": finished is not None,
        "takeaway": step.takeaway if step else None,
        "next_step": step.next if step else None,
        "next": next_json(following),
    }
