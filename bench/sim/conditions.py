"""The adaptive tutor and its controls, given the same learner; and the tests around them.

- ``adaptive``: the tutor itself, through its JSON API on a running server, with the
  practice run its end page offers when a skill is not solid yet.
- ``fixed``: every main question once, in lesson order, with its feedback (no explanation).
- ``yoked``: as many items as the adaptive run of the same learner used, without adapting:
  the main questions in order, then pass after pass over them, each time the next of the
  question's checks (or the question with new numbers); after every miss the feedback and
  an explanation, as the tutor gives.
- ``random``: as many items as the adaptive run, drawn at random from the practice items,
  with the same feedback and explanation after every miss.
- ``unfaded``: the tutor again, on a server with worked-example fading off
  (``TUTOR_FADING=false``): every multi-step problem is asked whole, its sub-steps only
  after a miss. Run when a lesson has multi-step problems, to weigh what fading adds.

The pre-test and the post-test ask every held-out item of the lesson (never asked in
practice) with the same numbers for every condition; the learner learns nothing from them.
The post-test comes an hour of simulated time after practice. Simulated time: an answer
takes a minute, and so does reading an explanation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
import numpy as np

from tutor.lessons.kinds import KINDS
from tutor.lessons.loaded import LoadedLesson
from tutor.teaching import items
from tutor.teaching.state import new_variant

from .items import Item, Renderer, shown_after
from .learners import Learner
from .tracing import replay

ANSWER_MINUTES = 1.0
READ_MINUTES = 1.0
POST_DELAY = 60.0
MAX_ITEMS = 400  # per lesson: a tutor that asks more than this is stuck in a loop
CONDITIONS = ("adaptive", "fixed", "yoked", "random")


@dataclass(frozen=True)
class Attempt:
    skill: str
    question_id: str
    variant: int
    grade: str
    first_try: bool  # the first sight of this item (teaching.items): full evidence to the tutor
    hard_to_guess: bool = False  # a typed number


@dataclass
class Run:
    """One learner through one condition: what was asked, and the tutor's labels at the end."""

    condition: str
    log: list[Attempt] = field(default_factory=list)
    explanations: int = 0
    studied: int = 0  # worked examples studied: practice time, counted as items of dose
    solid: set[str] = field(default_factory=set)
    not_known: set[str] = field(default_factory=set)  # the truth at the end of practice

    @property
    def items(self) -> int:
        return len(self.log) + self.studied


@dataclass(frozen=True)
class Score:
    right: int
    items: int
    by_transfer: dict[str, tuple[int, int]]  # near/far -> (right, items)

    @property
    def accuracy(self) -> float:
        return self.right / self.items if self.items else 0.0


class _Practice:
    """Asks items of a control condition and lets the learner read what comes back."""

    def __init__(self, condition: str, learner: Learner, renderer: Renderer, explain: bool):
        self.run = Run(condition)
        self.learner = learner
        self.renderer = renderer
        self.explain = explain
        self.seen: set[tuple[str, int]] = set()

    def ask(self, question_id: str, variant: int) -> None:
        item = self.renderer.item(question_id, variant)
        response = self.learner.respond(item)
        grade = item.grade(response)
        # A numeric reply gives the number, as the tutor's does.
        record(self.run, self.seen, item, grade, self.renderer.lesson)
        read_reply(self.learner, item, response, grade, revealed=item.kind == "numeric")
        if grade != "exactly" and self.explain:
            explain(self.learner, self.run, item.skill)

    def finish(self, lesson: LoadedLesson) -> Run:
        self.run.solid = replay(lesson, self.run.log).solid
        self.run.not_known = {s.id for s in lesson.lesson.skills if not self.learner.knows(s.id)}
        return self.run


def record(run: Run, seen: set[str], item: Item, grade: str, lesson: LoadedLesson) -> None:
    """Log an answer, first sight or not, as the tutor counts it (its own item identity)."""
    if "." in item.question_id:  # a sub-step: its own identity, as the tutor counts it
        parent, sub = item.question_id.split(".", 1)
        index = [q.id for q in lesson.entries[parent].question.steps].index(sub)
        key = items.substep_key(lesson, parent, index, item.variant)
    else:
        key = items.item_key(lesson, item.question_id, item.variant)
    numeric = KINDS[item.kind].hard_to_guess
    run.log.append(
        Attempt(item.skill, item.question_id, item.variant, grade, key not in seen, numeric)
    )
    seen.add(key)


def read_reply(learner: Learner, item: Item, response: dict, grade: str, *, revealed: bool):
    learner.tick(ANSWER_MINUTES)
    learner.after_answer(item, shown_after(item, response, grade, revealed=revealed))


def explain(learner: Learner, run: Run, skill: str) -> None:
    learner.tick(READ_MINUTES)
    learner.explained(skill)
    run.explanations += 1


# --- the controls ------------------------------------------------------------------------


def main_questions(lesson: LoadedLesson) -> list[str]:
    return [q.id for step in lesson.lesson.steps for q in step.questions]


def fixed(lesson: LoadedLesson, renderer: Renderer, learner: Learner, rng) -> Run:
    practice = _Practice("fixed", learner, renderer, explain=False)
    for question_id in main_questions(lesson):
        practice.ask(question_id, new_variant(rng))
    return practice.finish(lesson)


def yoked(lesson: LoadedLesson, renderer: Renderer, learner: Learner, rng, items: int) -> Run:
    practice = _Practice("yoked", learner, renderer, explain=True)
    families = [
        [q, *(c.id for c, _ in lesson.entries[q].question.walk_checks())]
        for q in main_questions(lesson)
    ]
    asked, rounds = 0, 0
    while asked < items:
        for family in families:
            if asked >= items:
                break
            practice.ask(family[rounds % len(family)], new_variant(rng))
            asked += 1
        rounds += 1
    return practice.finish(lesson)


def random_order(
    lesson: LoadedLesson, renderer: Renderer, learner: Learner, rng, items: int
) -> Run:
    practice = _Practice("random", learner, renderer, explain=True)
    pool = list(lesson.entries)
    for _ in range(items):
        practice.ask(pool[int(rng.integers(len(pool)))], new_variant(rng))
    return practice.finish(lesson)


# --- the tutor, over HTTP ---------------------------------------------------------------


def call(http: httpx.Client, method: str, path: str, token: str | None, body=None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = http.request(method, path, headers=headers, json=body)
    if response.status_code >= 400:
        raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
    return response.json()


def adaptive(
    http: httpx.Client,
    token: str,
    lesson: LoadedLesson,
    renderer: Renderer,
    learner: Learner,
    condition: str = "adaptive",
) -> Run:
    """Work through ``lesson`` over the API, then take the practice run the end of the lesson
    offers when a skill is not solid yet (as its page asks); the labels are the server's."""
    run, seen = Run(condition), set()
    base = f"/api/lessons/{lesson.id}"
    nxt = call(http, "GET", f"{base}/next", token)
    _follow(http, token, lesson, renderer, learner, run, seen, nxt)
    summary = call(http, "GET", f"{base}/summary", token)
    if any(step["kind"] == "practice" for step in summary["next_steps"]):
        started = call(http, "POST", f"{base}/practice", token, {})
        _follow(http, token, lesson, renderer, learner, run, seen, started["next"])
    progress = call(http, "GET", "/api/learners/me/progress", token)
    skills = next(row["skills"] for row in progress["lessons"] if row["lesson_id"] == lesson.id)
    run.solid = {s["id"] for s in skills if s["label"] == "solid"}
    run.not_known = {s.id for s in lesson.lesson.skills if not learner.knows(s.id)}
    return run


def _follow(
    http: httpx.Client,
    token: str,
    lesson: LoadedLesson,
    renderer: Renderer,
    learner: Learner,
    run: Run,
    seen: set[str],
    nxt: dict,
) -> None:
    """Answer what the tutor asks, from ``nxt`` on, until there is nothing left to ask."""
    base = f"/api/lessons/{lesson.id}"
    angles_asked, loop_main, revisited, shown = 0, None, set(), set()
    while not nxt["done"]:
        if run.items > MAX_ITEMS:
            raise RuntimeError(f"{lesson.id}: more than {MAX_ITEMS} items for one learner")
        question = nxt["question"]
        read_worked(learner, renderer, nxt, shown)
        if question["kind"] == "example":  # a worked example: read it, then go on
            explain(learner, run, lesson.entries[nxt["ladder"]["question_id"]].skill)
            run.studied += 1
            body = {"question_id": question["id"], "variant": nxt["variant"]}
            nxt = call(http, "POST", f"{base}/continue", token, body)["next"]
            continue
        item = renderer.served(question["id"], nxt["variant"], question["options"])
        if question["role"] == "main" and question["id"] != loop_main:
            loop_main, angles_asked = question["id"], 0
        if nxt["offer"]:
            choice = offer_choice(nxt["offer"], item.skill, angles_asked, revisited)
            angles_asked += choice == "another_angle"
            reply = call(http, "POST", f"{base}/choices", token, {"choice": choice})
            if reply["another_way"]:
                explain(learner, run, item.skill)
            nxt = reply["next"]
            continue
        response = learner.answer(item)
        body = {"question_id": item.question_id, "variant": item.variant, **response}
        reply = call(http, "POST", f"{base}/answers", token, body)
        record(run, seen, item, reply["grade"], lesson)
        read_reply(learner, item, response, reply["grade"], revealed=reply["answer"] is not None)
        if item.substep and reply["grade"] != "exactly" and reply["answer"] is not None:
            learner.worked(item.parts)  # the sub-step's worked value, after a miss
            parent, sub = item.question_id.split(".", 1)
            shown.add((parent, item.variant, sub))  # read now: not again as worked
        if reply["another_way"]:
            explain(learner, run, item.skill)
        nxt = reply["next"]


def read_worked(learner: Learner, renderer: Renderer, nxt: dict, shown: set) -> None:
    """The sub-steps a multi-step problem shows worked (all of them in a worked example):
    each read once per problem on screen, a chance to learn its part."""
    ladder = nxt.get("ladder")
    if not ladder:
        return
    question_id = ladder["question_id"]
    fresh = {w["id"] for w in ladder["worked"]} - {
        sub for (q, v, sub) in shown if (q, v) == (question_id, nxt["variant"])
    }
    shown.update((question_id, nxt["variant"], sub) for sub in fresh)
    parts = renderer.parts.get(question_id, frozenset())
    learner.worked(p for p in parts if p.rsplit("/", 1)[1] in fresh)


def offer_choice(offer: dict, skill: str, angles_asked: int, revisited: set[str]) -> str:
    """After repeated misses: step back once per skill when a weaker earlier step is named,
    else ask for another angle once per question, else go on."""
    offered = {c["id"] for c in offer["choices"]}
    if "revisit" in offered and skill not in revisited:
        revisited.add(skill)
        return "revisit"
    if "another_angle" in offered and angles_asked == 0:
        return "another_angle"
    return "go_on"


# --- pre-test and post-test ---------------------------------------------------------------


def held_out(lesson: LoadedLesson, rng: np.random.Generator) -> list[tuple[str, int]]:
    """Every held-out item of the lesson with its numbers for this learner's tests."""
    return [
        (item.id, new_variant(rng)) for skill in lesson.lesson.skills for item in skill.assessment
    ]


def test(learner: Learner, renderer: Renderer, items: list[tuple[str, int]]) -> Score:
    """The learner answers each item as they are now, and learns nothing from it."""
    learner.learning = False
    right, by_transfer = 0, {"near": [0, 0], "far": [0, 0]}
    for question_id, variant in items:
        item = renderer.item(question_id, variant)
        ok = item.grade(learner.respond(item)) == "exactly"
        right += ok
        counts = by_transfer[item.transfer or "near"]
        counts[0] += ok
        counts[1] += 1
    return Score(right, len(items), {k: (v[0], v[1]) for k, v in by_transfer.items()})


def post_test(learner: Learner, renderer: Renderer, items: list[tuple[str, int]]) -> Score:
    learner.tick(POST_DELAY)
    return test(learner, renderer, items)
