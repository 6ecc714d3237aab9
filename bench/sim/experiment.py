"""One run of the evaluation: every learner model, setting and population, every condition.

A job is one simulated learner: a learner model with one setting of its parameters, a
population, and an index. For each lesson the same learner (the same hidden knowledge,
rebuilt from the same seed) goes through each condition, and takes the same pre-test and
post-test items in each. Jobs are made in a fixed order, and their learners are created on
the server in that order, so a run is reproducible from its seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

import httpx
import numpy as np

from tutor.lessons.loaded import LoadedLesson

from . import conditions
from .conditions import Run, Score
from .items import Facts, Renderer
from .learners import MODELS, POPULATIONS, settings
from .tracing import Replay, replay


@dataclass(frozen=True)
class Job:
    model: str
    setting: str  # "middle", or "learn low (0.1)" and the like
    params: dict[str, float]
    population: str
    index: int
    key: tuple[int, ...]  # the seed path of this learner


@dataclass
class LessonResult:
    lesson: str
    skills: int
    known_at_start: int
    pre: Score
    runs: dict[str, Run] = field(default_factory=dict)
    post: dict[str, Score] = field(default_factory=dict)
    replays: dict[str, Replay] = field(default_factory=dict)


@dataclass
class Result:
    job: Job
    seed: int
    lessons: list[LessonResult]


@dataclass(frozen=True)
class Plan:
    models: tuple[str, ...] = tuple(MODELS)
    populations: tuple[str, ...] = POPULATIONS
    learners: int = 16  # per model and population, at the middle setting
    grid_learners: int = 6  # per model, population and each low or high setting


def jobs(plan: Plan) -> list[Job]:
    out = []
    for name in plan.models:
        model = MODELS[name]
        for s, (label, params) in enumerate(settings(model)):
            count = plan.learners if s == 0 else plan.grid_learners
            for population in plan.populations:
                if population not in model.populations:
                    continue
                for index in range(count):
                    key = (list(MODELS).index(name), s, POPULATIONS.index(population), index)
                    out.append(Job(name, label, params, population, index, key))
    return out


def run_job(
    http: httpx.Client,
    token: str,
    lessons: Sequence[tuple[LoadedLesson, Renderer, Facts]],
    job: Job,
    seed: int,
    unfaded: tuple[httpx.Client, str] | None = None,
) -> Result:
    """One learner through every condition of every lesson; ``unfaded``, the client of a
    server with fading off and the learner's token there, adds that condition."""
    model = MODELS[job.model]
    results = []
    for number, (lesson, renderer, facts) in enumerate(lessons):
        seeds = np.random.SeedSequence([seed, *job.key, number]).spawn(11)
        rngs = [np.random.default_rng(s) for s in seeds]
        # The same hidden knowledge in every condition: each learner starts from seeds[0].
        learner = partial(_learner, model, facts, job, seeds[0])

        items = conditions.held_out(lesson, rngs[1])
        probe = learner(rngs[2])
        result = LessonResult(
            lesson.id, len(facts.skills), len(probe.known), conditions.test(probe, renderer, items)
        )
        runs = []
        adaptive_learner = learner(rngs[3])
        run = conditions.adaptive(http, token, lesson, renderer, adaptive_learner)
        runs.append((run, adaptive_learner))
        if unfaded is not None:
            other = learner(rngs[10])
            runs.append((conditions.adaptive(*unfaded, lesson, renderer, other, "unfaded"), other))
        count = run.items
        for name, behaviour, order in (
            ("fixed", rngs[4], rngs[5]),
            ("yoked", rngs[6], rngs[7]),
            ("random", rngs[8], rngs[9]),
        ):
            who = learner(behaviour)
            if name == "fixed":
                runs.append((conditions.fixed(lesson, renderer, who, order), who))
            elif name == "yoked":
                runs.append((conditions.yoked(lesson, renderer, who, order, count), who))
            else:
                runs.append((conditions.random_order(lesson, renderer, who, order, count), who))
        for run, who in runs:
            result.runs[run.condition] = run
            result.replays[run.condition] = replay(lesson, run.log)
            result.post[run.condition] = conditions.post_test(who, renderer, items)
        results.append(result)
    return Result(job, seed, results)


def _learner(model, facts: Facts, job: Job, start, behaviour: np.random.Generator):
    return model(
        facts, job.population, job.params, start=np.random.default_rng(start), rng=behaviour
    )


def simulate(
    http: httpx.Client,
    lessons: Sequence[LoadedLesson],
    plan: Plan,
    *,
    seed: int,
    workers: int = 3,
    progress=None,
    unfaded: httpx.Client | None = None,
) -> list[Result]:
    """Every job of ``plan`` against the server behind ``http`` (and, for the ``unfaded``
    condition, the one behind ``unfaded``)."""
    prepared = []
    for lesson in lessons:
        renderer = Renderer(lesson)
        prepared.append((lesson, renderer, Facts.of(lesson, renderer)))
    todo = jobs(plan)
    tokens = [conditions.call(http, "POST", "/api/learners", None, {})["token"] for _ in todo]
    others = [
        conditions.call(unfaded, "POST", "/api/learners", None, {})["token"] if unfaded else ""
        for _ in todo
    ]

    def work(job: tuple[Job, str, str]) -> Result:
        other = (unfaded, job[2]) if unfaded is not None else None
        return run_job(http, job[1], prepared, job[0], seed, other)

    out = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done, result in enumerate(pool.map(work, zip(todo, tokens, others, strict=True)), 1):
            out.append(result)
            if progress is not None:
                progress(done, len(todo))
    return out
