"""Simulated learners through the tutor's JSON API, beside a fixed sequence of questions.

Run from the repository root:  python bench/simulate.py  [--learners 40] [--seed 0] [--url URL]

Without --url it starts a server of its own (uvicorn in a subprocess, on a free port, with a
throwaway SQLite file) and stops it at the end. Every lesson the server and the local lesson
folder agree on (same id, same content hash) is used; each learner works through all of them.

The learner model (the same for both tutors, and for every population):

- A learner knows some skills, hidden from the tutor. Populations: knows everything; knows
  nothing; knows some, where, in the lesson's order, a skill is known with probability 0.5
  when all its prerequisites are known and never otherwise.
- Knowing a skill, they answer Exactly with probability 1 - SLIP (0.1, the slip the tutor
  assumes too); a slip picks one of the wrong options at random, or on a numeric question a
  known mistake's value (else a wrong number).
- Not knowing it, they hold a misconception with probability MISCONCEPTION (0.3, drawn once
  per skill): then they always pick the same wrong option of a question (one carrying a
  misconception when there is one) or type the same known mistake's value. Otherwise they
  guess uniformly among the options and "I'm not sure"; on a numeric question among "not
  sure", a wrong number and the values of the question's known mistakes (a guessed number is
  never the engine's).
- Each explanation they read gives them a chance LEARN (0.2) to learn the skill it is about:
  a wrong answer's feedback, a "not sure" answer's explanation, an "another way to see it".
  While a prerequisite of the skill is still unknown the chance is halved (PREREQUISITE
  0.5): an idea built on one not yet understood is harder to take in. The feedback on a
  right answer teaches nothing new. 0.2 is a middling rate, chosen before any run and not
  the tutor's own assumption (0.1 per attempt), so the tutor is not graded on a world made
  in its image.
- After two misses the tutor offers a choice: they step back when a weaker earlier step is
  named (once per skill), else ask for another angle (once per loop), else go on.
- The post-test: per skill, two fresh variants of the skill's questions (main questions and
  checks), answered from what they know at the end, with slips, and no learning.

The fixed sequence asks every main question once, in order, with its feedback, and nothing
else; it runs in-process on the same lessons, the same learners (same hidden knowledge) and
the same post-test items. Its mastery labels come from the same knowledge tracing.

False mastery: of the skills labelled "solid" at the end (P(known) >= 0.95), the share the
learner did not in fact know.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor import mastery  # noqa: E402
from tutor.grading import grade  # noqa: E402
from tutor.lessons import LoadedLesson, load_catalog  # noqa: E402
from tutor.variants import NOT_SURE, RenderedQuestion, render_question  # noqa: E402

SLIP = 0.1
MISCONCEPTION = 0.3
LEARN = 0.2
PREREQUISITE = 0.5
KNOWS_SOME = 0.5
POST_PER_SKILL = 2
MAX_ITEMS = 400  # per lesson: a tutor that asks more than this is stuck in a loop

POPULATIONS = ("everything", "nothing", "some")
TARGET_GAIN = 0.25
TARGET_FALSE_MASTERY = 0.05


# --- the learner model --------------------------------------------------------------


@dataclass
class Learner:
    """One simulated learner's hidden knowledge of one lesson, and their habits."""

    lesson: LoadedLesson
    known: set[str]
    misconceived: set[str]
    rng: np.random.Generator
    learning: bool = True
    picks: dict[str, int] = field(default_factory=dict)  # question id -> the wrong choice
    revisited: set[str] = field(default_factory=set)
    explanations: int = 0

    def knows(self, skill: str) -> bool:
        return skill in self.known

    def respond(self, question: RenderedQuestion) -> dict[str, Any]:
        """The answer this learner gives: {"option_id": ...} or {"value": ...}."""
        if question.kind == "numeric":
            return self._respond_numeric(question)
        right = [o.id for o in question.options if o.grade == "exactly"]
        wrong = [o for o in question.options if o.grade != "exactly"]
        if self.knows(question.skill):
            if self.rng.random() >= SLIP or not wrong:
                return {"option_id": right[0]}
            return {"option_id": wrong[int(self.rng.integers(len(wrong)))].id}
        if question.skill in self.misconceived and wrong:
            tagged = [o for o in wrong if o.misconception] or wrong
            # The same wrong idea each time: an option's index is stable across variants.
            index = self.picks.setdefault(
                question.id, tagged[int(self.rng.integers(len(tagged)))].index
            )
            chosen = next((o for o in wrong if o.index == index), tagged[0])
            return {"option_id": chosen.id}
        ids = [o.id for o in question.options] + [NOT_SURE]
        return {"option_id": ids[int(self.rng.integers(len(ids)))]}

    def _respond_numeric(self, question: RenderedQuestion) -> dict[str, Any]:
        assert question.answer is not None
        mistakes = [m.value for m in question.mistakes]
        if self.knows(question.skill):
            if self.rng.random() >= SLIP:
                return {"value": question.answer}
            if mistakes:
                return {"value": mistakes[int(self.rng.integers(len(mistakes)))]}
            return {"value": wrong_number(question, self.rng)}
        if question.skill in self.misconceived and mistakes:
            index = self.picks.setdefault(question.id, int(self.rng.integers(len(mistakes))))
            return {"value": mistakes[index % len(mistakes)]}
        choices = [None, "wrong", *mistakes]
        chosen = choices[int(self.rng.integers(len(choices)))]
        if chosen is None:
            return {"option_id": NOT_SURE}
        if chosen == "wrong":
            return {"value": wrong_number(question, self.rng)}
        return {"value": chosen}

    def read(self, skill: str) -> None:
        """An explanation about ``skill``: a chance to learn it."""
        self.explanations += 1
        if not self.learning or self.knows(skill):
            return
        chance = LEARN
        if any(r not in self.known for r in requires(self.lesson, skill)):
            chance *= PREREQUISITE
        if self.rng.random() < chance:
            self.known.add(skill)
            self.misconceived.discard(skill)

    def choose(self, offer: dict[str, Any], skill: str, angles_asked: int) -> str:
        """What to do when the tutor offers another angle, a step back, or going on."""
        offered = {c["id"] for c in offer["choices"]}
        if "revisit" in offered and skill not in self.revisited:
            self.revisited.add(skill)
            return "revisit"
        if "another_angle" in offered and angles_asked == 0:
            return "another_angle"
        return "go_on"


def wrong_number(question: RenderedQuestion, rng: np.random.Generator) -> float:
    """A number that is neither the answer nor any known mistake's value."""
    assert question.answer is not None and question.tolerance is not None
    taken = [question.answer, *(m.value for m in question.mistakes)]
    value = round(question.answer * float(rng.uniform(1.3, 2.0)) + float(rng.uniform(0.5, 2)), 3)
    while any(abs(value - t) <= 2 * question.tolerance for t in taken):
        value += 1.0
    return value


def requires(lesson: LoadedLesson, skill: str) -> list[str]:
    for s in lesson.lesson.skills:
        if s.id == skill:
            return list(s.requires)
    return []


def initial_knowledge(
    lesson: LoadedLesson, population: str, rng: np.random.Generator
) -> tuple[set[str], set[str]]:
    """(known skills, skills not known that come with a misconception) for one learner."""
    known: set[str] = set()
    for skill in lesson.lesson.skills:  # prerequisites come first in a valid lesson
        if population == "everything":
            known.add(skill.id)
        elif population == "some":
            ready = all(r in known for r in skill.requires)
            if rng.random() < KNOWS_SOME and ready:
                known.add(skill.id)
    misconceived = {
        s.id for s in lesson.lesson.skills if s.id not in known and rng.random() < MISCONCEPTION
    }
    return known, misconceived


def render(lesson: LoadedLesson, question_id: str, variant: int, topic: str | None):
    entry = lesson.entries[question_id]
    return render_question(
        lesson.lesson, entry.question, skill=entry.skill, seed=variant, topic=topic
    )


# --- one learner, one lesson: adaptive (through the API) or fixed (in-process) ----------


@dataclass
class Outcome:
    known_before: int
    skills: int
    asked: int
    known_after: set[str]
    solid: set[str]  # skills the tutor labels mastered
    post_right: int
    post_items: int


def run_adaptive(
    http: httpx.Client, token: str, lesson: LoadedLesson, learner: Learner
) -> tuple[int, set[str]]:
    """Work through ``lesson`` over the API; returns (questions answered, skills labelled solid)."""
    headers = {"Authorization": f"Bearer {token}"}
    base = f"/api/lessons/{lesson.id}"
    nxt = call(http, "GET", f"{base}/next", headers)
    asked = 0
    angles_asked = 0
    loop_main = None
    while not nxt["done"]:
        if asked > MAX_ITEMS:
            raise RuntimeError(f"{lesson.id}: more than {MAX_ITEMS} items for one learner")
        question = nxt["question"]
        skill = lesson.entries[question["id"]].skill
        if question["role"] == "main" and question["id"] != loop_main:
            loop_main, angles_asked = question["id"], 0
        if nxt["offer"]:
            choice = learner.choose(nxt["offer"], skill, angles_asked)
            angles_asked += choice == "another_angle"
            reply = call(http, "POST", f"{base}/choices", headers, {"choice": choice})
            if reply["another_way"]:
                learner.read(skill)
            nxt = reply["next"]
            continue
        rendered = render(lesson, question["id"], nxt["variant"], nxt["topic"])
        body = {"question_id": question["id"], "variant": nxt["variant"]}
        body.update(learner.respond(rendered))
        reply = call(http, "POST", f"{base}/answers", headers, body)
        asked += 1
        if reply["grade"] != "exactly":
            learner.read(skill)
        if reply["another_way"]:
            learner.read(skill)
        nxt = reply["next"]
    progress = call(http, "GET", "/api/learners/me/progress", headers)
    skills = next(row["skills"] for row in progress["lessons"] if row["lesson_id"] == lesson.id)
    return asked, {s["id"] for s in skills if s["label"] == "solid"}


def call(
    http: httpx.Client, method: str, path: str, headers: dict, body: dict | None = None
) -> dict:
    response = http.request(method, path, headers=headers, json=body)
    if response.status_code >= 400:
        raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
    return response.json()


def run_fixed(lesson: LoadedLesson, learner: Learner, rng: np.random.Generator):
    """Every main question once, in order, with its feedback; knowledge tracing for labels."""
    p_known = {s.id: mastery.Params.of(s.mastery).prior for s in lesson.lesson.skills}
    attempts = dict.fromkeys(p_known, 0)
    asked = 0
    for step in lesson.lesson.steps:
        for question in step.questions:
            skill = lesson.entries[question.id].skill
            rendered = render(lesson, question.id, int(rng.integers(0, 2**31 - 1)), None)
            graded = grade(rendered, **learner.respond(rendered))
            asked += 1
            params = mastery.Params.of(
                next(s.mastery for s in lesson.lesson.skills if s.id == skill)
            )
            p_known[skill] = mastery.update(p_known[skill], graded.grade, params)
            attempts[skill] += 1
            if graded.grade != "exactly":
                learner.read(skill)
    solid = {
        s
        for s, p in p_known.items()
        if mastery.label(p, attempts=attempts[s], review=False) == "solid"
    }
    return asked, solid


def post_test(lesson: LoadedLesson, learner: Learner, rng: np.random.Generator) -> tuple[int, int]:
    """(right, items): fresh variants per skill, answered from what the learner knows now."""
    learner.learning = False
    right = items = 0
    for skill in lesson.lesson.skills:
        pool = lesson.questions_for_skill(skill.id)
        chosen = rng.choice(len(pool), size=min(POST_PER_SKILL, len(pool)), replace=False)
        for index in sorted(chosen.tolist()):
            rendered = render(lesson, pool[index], int(rng.integers(0, 2**31 - 1)), None)
            right += grade(rendered, **learner.respond(rendered)).grade == "exactly"
            items += 1
    return right, items


# --- populations ------------------------------------------------------------------------


def learner_rngs(seed: int, population: str, index: int, lesson: LoadedLesson):
    """Independent, reproducible generators for one learner and lesson."""
    key = [seed, POPULATIONS.index(population), index, sum(lesson.id.encode())]
    return [np.random.default_rng([*key, k]) for k in range(5)]


def one_learner(
    http: httpx.Client | None,
    token: str | None,
    lessons: Sequence[LoadedLesson],
    population: str,
    index: int,
    seed: int,
) -> dict[str, list[Outcome]]:
    """The same learner (same hidden knowledge, same post-test) under both tutors."""
    out: dict[str, list[Outcome]] = {"adaptive": [], "fixed": []}
    for lesson in lessons:
        start, behave_a, behave_f, post_a, post_f = learner_rngs(seed, population, index, lesson)
        known, misconceived = initial_knowledge(lesson, population, start)
        post_seed = int(start.integers(0, 2**31 - 1))
        for tutor, behave, post in (("adaptive", behave_a, post_a), ("fixed", behave_f, post_f)):
            if tutor == "adaptive" and http is None:
                continue
            learner = Learner(lesson, set(known), set(misconceived), behave)
            if tutor == "adaptive":
                assert http is not None and token is not None
                asked, solid = run_adaptive(http, token, lesson, learner)
            else:
                asked, solid = run_fixed(lesson, learner, np.random.default_rng(post_seed + 1))
            learner.rng = post
            right, items = post_test(lesson, learner, np.random.default_rng(post_seed))
            out[tutor].append(
                Outcome(
                    len(known),
                    len(lesson.lesson.skills),
                    asked,
                    set(learner.known),
                    solid,
                    right,
                    items,
                )
            )
    return out


@dataclass
class Figures:
    learners: int = 0
    known_before: int = 0
    skills: int = 0
    asked: int = 0
    post_right: int = 0
    post_items: int = 0
    solid: int = 0
    false_solid: int = 0

    def add(self, outcomes: list[Outcome]) -> None:
        self.learners += 1
        for o in outcomes:
            self.known_before += o.known_before
            self.skills += o.skills
            self.asked += o.asked
            self.post_right += o.post_right
            self.post_items += o.post_items
            self.solid += len(o.solid)
            self.false_solid += len(o.solid - o.known_after)

    @property
    def questions(self) -> float:
        return self.asked / max(self.learners, 1)

    @property
    def known_at_start(self) -> float:
        return self.known_before / max(self.skills, 1)

    @property
    def accuracy(self) -> float:
        return self.post_right / max(self.post_items, 1)

    @property
    def false_mastery(self) -> float:
        return self.false_solid / self.solid if self.solid else 0.0


def simulate(
    http: httpx.Client | None,
    lessons: Sequence[LoadedLesson],
    *,
    learners: int,
    seed: int,
    workers: int = 4,
) -> dict[str, dict[str, Figures]]:
    """Figures per population and tutor. Learners are made in a fixed order (reproducible ids)."""
    jobs = []
    for population in POPULATIONS:
        for index in range(learners):
            token = call(http, "POST", "/api/learners", {})["token"] if http else None
            jobs.append((population, index, token))

    def work(job):
        population, index, token = job
        return population, one_learner(http, token, lessons, population, index, seed)

    figures = {p: {"adaptive": Figures(), "fixed": Figures()} for p in POPULATIONS}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for population, out in pool.map(work, jobs):
            for tutor, outcomes in out.items():
                if outcomes:
                    figures[population][tutor].add(outcomes)
    return figures


# --- the report -------------------------------------------------------------------------


def report(figures: dict[str, dict[str, Figures]]) -> tuple[str, bool]:
    """The table and the targets; returns (text, every target met).

    Questions are per learner, over all the lessons; "known" is the share of skills known
    at the start; "solid" counts the skills labelled mastered at the end, and false
    mastery is the share of those the learner did not in fact know.
    """
    head = ("population", "tutor", "learners", "known", "questions", "post-test", "solid")
    lines = ["{:<12}{:<10}{:>9}{:>7}{:>11}{:>11}{:>7}{:>15}".format(*head, "false mastery")]
    for population in POPULATIONS:
        for tutor in ("adaptive", "fixed"):
            f = figures[population][tutor]
            lines.append(
                f"{population:<12}{tutor:<10}{f.learners:>9}{f.known_at_start:>7.0%}"
                f"{f.questions:>11.1f}{f.accuracy:>11.1%}{f.solid:>7}{f.false_mastery:>15.1%}"
            )
        a, x = figures[population]["adaptive"], figures[population]["fixed"]
        lines.append(
            f"{'':<12}{'diff':<10}{'':>16}{a.questions - x.questions:>+11.1f}"
            f"{100 * (a.accuracy - x.accuracy):>+8.1f} pt"
        )
    checks = []
    for population in ("nothing", "some"):
        a, x = figures[population]["adaptive"], figures[population]["fixed"]
        gain = a.accuracy - x.accuracy
        checks.append(
            (
                f"knows {population}: post-test {100 * gain:+.1f} pt over the fixed sequence "
                f"(target: at least +{100 * TARGET_GAIN:.0f})",
                gain >= TARGET_GAIN,
            )
        )
    a, x = figures["everything"]["adaptive"], figures["everything"]["fixed"]
    checks.append(
        (
            f"knows everything: {a.questions:.1f} questions against {x.questions:.1f} "
            "(target: no more)",
            a.questions <= x.questions,
        )
    )
    solid = sum(figures[p]["adaptive"].solid for p in POPULATIONS)
    false_solid = sum(figures[p]["adaptive"].false_solid for p in POPULATIONS)
    rate = false_solid / solid if solid else 0.0
    checks.append(
        (
            f"false mastery, adaptive, all populations: {false_solid} of {solid} "
            f"= {rate:.1%} (target: under {TARGET_FALSE_MASTERY:.0%})",
            rate < TARGET_FALSE_MASTERY,
        )
    )
    lines.append("")
    lines.extend(f"{'met    ' if met else 'NOT MET'}  {text}" for text, met in checks)
    return "\n".join(lines), all(met for _, met in checks)


# --- the server -------------------------------------------------------------------------

# Learner ids come from a seeded generator so that a run is reproducible: the tutor seeds
# each learner's variants and angle sampling from the learner's id.
LAUNCH = """
import random, sys, uuid
import uvicorn
from tutor import repo
from tutor.app import create_app
ids = random.Random(int(sys.argv[2]))
repo.new_learner_id = lambda: uuid.UUID(int=ids.getrandbits(128)).hex
uvicorn.run(create_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(lessons_dir: Path, seed: int) -> Iterator[str]:
    """A tutor server on a free port with a throwaway SQLite file; yields its URL."""
    with tempfile.TemporaryDirectory(prefix="tutor-sim-") as tmp:
        port = free_port()
        env = {
            **os.environ,
            "TUTOR_DATABASE_URL": f"sqlite:///{Path(tmp) / 'sim.db'}",
            "TUTOR_LESSONS_DIR": str(lessons_dir),
            "TUTOR_SECRET_KEY": uuid.uuid4().hex,
            "TUTOR_INSTRUCTOR_TOKEN": uuid.uuid4().hex,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        process = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, str(port), str(seed)], cwd=ROOT, env=env
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError("the tutor server stopped while starting")
                try:
                    httpx.get(f"{url}/api/lessons", timeout=2).raise_for_status()
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the tutor server did not start in 60 s") from None
                    time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def shared_lessons(http: httpx.Client, lessons_dir: Path) -> list[LoadedLesson]:
    """The local lessons the server serves too, in the same version."""
    catalog = load_catalog([lessons_dir])
    for problem in catalog.problems:
        print(f"left out: {problem}", file=sys.stderr)
    chosen = []
    for summary in call(http, "GET", "/api/lessons", {}):
        local = catalog.get(summary["id"])
        if local is None:
            continue
        served = call(http, "GET", f"/api/lessons/{summary['id']}", {})
        if served["version"] != local.content_hash:
            print(f"left out: {local.id}: the server has another version", file=sys.stderr)
            continue
        chosen.append(local)
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=40, help="per population (40)")
    parser.add_argument("--seed", type=int, default=0, help="makes a run reproducible (0)")
    parser.add_argument("--url", help="a running tutor server (its learner ids are not seeded)")
    parser.add_argument("--lessons", type=Path, default=ROOT / "lessons", help="lesson folder")
    parser.add_argument("--workers", type=int, default=4, help="learners at a time (4)")
    args = parser.parse_args(argv)

    started = time.monotonic()
    running = server(args.lessons, args.seed) if args.url is None else _given(args.url)
    with running as url, httpx.Client(base_url=url, timeout=60) as http:
        lessons = shared_lessons(http, args.lessons)
        if not lessons:
            print("no lesson to simulate", file=sys.stderr)
            return 2
        print(
            f"lessons: {', '.join(lesson.id for lesson in lessons)}; "
            f"{args.learners} learners per population; seed {args.seed}"
        )
        figures = simulate(
            http, lessons, learners=args.learners, seed=args.seed, workers=args.workers
        )
    text, met = report(figures)
    print(text)
    print(f"({time.monotonic() - started:.0f} s)")
    return 0 if met else 1


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url.rstrip("/")


if __name__ == "__main__":
    sys.exit(main())
