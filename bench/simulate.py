"""Does the adaptive tutor teach better than the same dose without adapting? Simulated learners.

Run from the repository root:  python bench/simulate.py  [options; --help lists them]

Each simulated learner works through every lesson through the tutor's JSON API on a running
server (one is started with a throwaway SQLite file unless --url is given), and again,
in-process, through three controls that do not adapt: ``fixed`` (every main question once,
in order), ``yoked`` (as many items and the same feedback and explanations after a miss as
the adaptive run of the same learner) and ``random`` (as many items, in random order). A
pre-test and a post-test ask held-out items (each skill's ``assessment`` items, never asked
in practice) with the same numbers in every condition.

Five learner models, each documented with its parameters in ``bench/sim/learners/``:
``bkt`` (the tutor's own model, the in-model reference), ``logistic`` (a performance-factor
learner who forgets), ``misconception`` (wrong ideas held as rules), ``memory`` (remembers
answers it was shown) and ``testwise`` (answers by surface cues). Three populations: knows
nothing, knows some, knows everything. Each model runs at the middle of its parameter grid
with ``--learners`` learners per population, and with each main parameter at its low and
its high value with ``--grid-learners``.

It prints, per model and population: pre-test and post-test accuracy (near and far
transfer), items used, explanations read, gain per item, false mastery (skills the tutor
labels solid that the learner does not know) and items to mastery; the gain of adaptive over
each control with a 95% interval; the sensitivity grid; how well the tutor's P(known)
predicts the next first answer, beside a per-skill base rate and pyBKT fitted on other
learners; and the targets, per seed. With --write it also writes docs/evaluation.md and its
charts. Exit status: 0 when every target is met on every seed, 1 otherwise, 2 on an error.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from sim import report  # noqa: E402
from sim.document import write  # noqa: E402
from sim.experiment import Plan, Result, simulate  # noqa: E402
from sim.learners import MODELS, POPULATIONS  # noqa: E402
from sim.tracing import Accuracy  # noqa: E402

from tutor.lessons.catalog import load_catalog  # noqa: E402
from tutor.lessons.loaded import LoadedLesson  # noqa: E402

DEFAULT_SEEDS = (1, 2, 3, 4)  # chosen before any run; the targets are judged per seed
# The server's throwaway database: in memory-backed storage where there is some (nothing
# simulated needs to survive a crash, and waiting for the disk would only slow the run).
SCRATCH = (
    "/dev/shm" if os.path.isdir("/dev/shm") else None
)  # chosen before any run; a run reports its targets per seed


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="The default run takes about eight minutes on two cores.",
    )
    parser.add_argument(
        "--seeds",
        default=",".join(map(str, DEFAULT_SEEDS)),
        help="comma-separated seeds, each a run of its own with its own server; the tables "
        "pool them, the targets are judged per seed (default: %(default)s)",
    )
    parser.add_argument(
        "--learners",
        type=int,
        default=6,
        help="learners per model and population at the middle setting, per seed (default: "
        "%(default)s)",
    )
    parser.add_argument(
        "--grid-learners",
        type=int,
        default=2,
        help="learners per model and population for each low or high parameter value, per "
        "seed; 0 skips the sensitivity grid (default: %(default)s)",
    )
    parser.add_argument(
        "--models",
        default=",".join(MODELS),
        help="comma-separated learner models (default: all: %(default)s)",
    )
    parser.add_argument(
        "--populations",
        default=",".join(POPULATIONS),
        help="comma-separated populations (default: %(default)s)",
    )
    parser.add_argument(
        "--lessons",
        type=Path,
        default=ROOT / "lessons",
        help="the lesson folder; its lessons must be the ones the server serves (default: "
        "lessons/)",
    )
    parser.add_argument(
        "--url",
        help="use this running tutor server instead of starting one (its learner ids are not "
        "seeded, so a run is not exactly reproducible; one server serves every seed)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=3,
        help="learners simulated at a time against one server (default: %(default)s)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="seeds run at once, each in a process of its own with its own server (default: "
        "the number of cores, %(default)s)",
    )
    parser.add_argument(
        "--write",
        type=Path,
        metavar="PATH",
        help="also write the figures into this Markdown file (docs/evaluation.md), between "
        "its generated-figures markers, and the charts into a folder beside it",
    )
    args = parser.parse_args(argv)
    try:
        args.seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--seeds: {args.seeds!r} is not a list of whole numbers")
    args.models = tuple(m for m in args.models.split(",") if m)
    args.populations = tuple(p for p in args.populations.split(",") if p)
    for name, given, known in (
        ("--models", args.models, MODELS),
        ("--populations", args.populations, POPULATIONS),
    ):
        unknown = [g for g in given if g not in known]
        if unknown or not given:
            given_text = ", ".join(unknown) or "none given"
            parser.error(f"{name}: {given_text}; choose from {', '.join(known)}")
    if not args.seeds:
        parser.error("--seeds: give at least one seed")
    if args.learners < 2 or args.grid_learners < 0 or min(args.workers, args.processes) < 1:
        parser.error(
            "--learners must be at least 2, --grid-learners at least 0, --workers and "
            "--processes at least 1"
        )
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    plan = Plan(args.models, args.populations, args.learners, args.grid_learners)
    started = time.monotonic()
    catalog = load_catalog([args.lessons])
    for problem in catalog.problems:
        print(f"left out: {problem}", file=sys.stderr)
    lessons = [lesson for lesson in catalog if any(s.assessment for s in lesson.lesson.skills)]
    if not lessons:
        print("no lesson with held-out assessment items to simulate", file=sys.stderr)
        return 2
    print(
        f"lessons {', '.join(lesson.id for lesson in lessons)}; seeds {args.seeds}; "
        f"{len(plan.models)} models; {plan.learners} learners per model and population "
        f"(grid: {plan.grid_learners})",
        flush=True,
    )
    runs: dict[int, SeedRun] = {}
    work = partial(run_seed, args.lessons, lessons, plan, args.url, args.workers)
    processes = min(args.processes, len(args.seeds))
    try:
        if processes > 1:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(processes, mp_context=context) as pool:
                runs = dict(zip(args.seeds, pool.map(work, args.seeds), strict=True))
        else:
            runs = {seed: work(seed) for seed in args.seeds}
    except (RuntimeError, httpx.HTTPError) as exc:
        print(f"simulate: {exc}", file=sys.stderr)
        return 2
    everything = [r for seed in args.seeds for r in runs[seed].results]
    accuracy = {
        m: report.mean_accuracy([runs[seed].accuracy[m] for seed in args.seeds])
        for m in plan.models
    }
    per_seed = {seed: report.targets(runs[seed].results, runs[seed].accuracy) for seed in runs}
    pooled = report.targets(everything, accuracy)
    tables = [
        *report.main_tables(everything),
        report.gain_table(everything),
        *([fading] if (fading := report.fading_table(everything)) else []),
        *([report.sensitivity_table(everything)] if plan.grid_learners else []),
        report.tracing_table(accuracy),
        report.target_table(per_seed),
    ]
    for table in tables:
        print()
        print(table.text())
    print()
    print("Targets, all seeds pooled:")
    for target in pooled:
        print(f"  {report.mark(target.met):<10} {target.text}")
    elapsed = time.monotonic() - started
    print(f"\n({elapsed:.0f} s)")
    if args.write:
        command = "python bench/simulate.py " + " ".join(sys.argv[1:] if argv is None else argv)
        write(args.write, everything, tables, pooled, command=command.strip(), seconds=elapsed)
        print(f"wrote {args.write}")
    met = all(t.met for targets in per_seed.values() for t in targets)
    return 0 if met else 1


@dataclass
class SeedRun:
    results: list[Result]
    accuracy: dict[str, Accuracy]  # per learner model


def run_seed(
    lessons_dir: Path,
    lessons: list[LoadedLesson],
    plan: Plan,
    url: str | None,
    workers: int,
    seed: int,
) -> SeedRun:
    """One seed: its own server (unless ``url``), its learners, and the tracing scores."""
    if multiprocessing.parent_process() is not None:
        threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    # With multi-step problems, a second server with fading off runs the `unfaded` condition.
    compare = url is None and any(e.question.steps for x in lessons for e in x.entries.values())
    with contextlib.ExitStack() as stack:
        base = stack.enter_context(server(lessons_dir, seed) if url is None else _given(url))
        http = stack.enter_context(client(base))
        check_served(http, lessons)
        unfaded = None
        if compare:
            other = stack.enter_context(server(lessons_dir, seed, fading=False))
            unfaded = stack.enter_context(client(other))
        results = simulate(
            http,
            lessons,
            plan,
            seed=seed,
            workers=workers,
            progress=partial(_progress, seed),
            unfaded=unfaded,
        )
    accuracy = {m: report.tracing_accuracy(results, m, seed) for m in plan.models}
    return SeedRun(results, accuracy)


def _exit_with_parent(parent: int) -> None:
    """A seed's process ends when the run that started it does (killed, or interrupted):
    its server then ends with it, rather than simulating on for nobody."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _progress(seed: int, done: int, total: int) -> None:
    if done == total or done % max(total // 5, 1) == 0:
        print(f"  seed {seed}: {done}/{total} learners", flush=True)


# --- the server -------------------------------------------------------------------------

# Learner ids come from a seeded generator so that a run is reproducible: the tutor seeds
# each learner's variants and angle sampling from the learner's id.
LAUNCH = """
import os, random, sys, threading, time, uuid
import uvicorn
from tutor.store import learners
from tutor.app import create_app

def exit_with_parent(parent=os.getppid()):
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)

threading.Thread(target=exit_with_parent, daemon=True).start()
ids = random.Random(int(sys.argv[2]))
learners.new_learner_id = lambda: uuid.UUID(int=ids.getrandbits(128)).hex
uvicorn.run(create_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(lessons_dir: Path, seed: int, *, fading: bool = True) -> Iterator[str]:
    """A tutor server on a free port with a throwaway SQLite file; yields its URL."""
    with tempfile.TemporaryDirectory(prefix="tutor-sim-", dir=SCRATCH) as tmp:
        port = free_port()
        env = {
            **os.environ,
            "TUTOR_DATABASE_URL": f"sqlite:///{Path(tmp) / 'sim.db'}",
            "TUTOR_LESSONS_DIR": str(lessons_dir),
            "TUTOR_SECRET_KEY": uuid.UUID(int=random.Random(seed).getrandbits(128)).hex,
            "TUTOR_INSTRUCTOR_TOKEN": uuid.uuid4().hex,
            "TUTOR_WATCH_LESSONS": "false",
            "TUTOR_FADING": "true" if fading else "false",
            "TUTOR_LEARNERS_PER_MINUTE": "0",  # the simulated class shares one address
            "TUTOR_PAGE_LEARNERS_PER_MINUTE": "0",
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


def client(base: str) -> httpx.Client:
    """A client for one server. It drops a connection idle for 2 s, well before the server's
    keep-alive timeout (5 s): reusing one the server is closing at that moment fails with a
    reset, the likely cause of the one reset seen (a 20-minute run on a starved machine)."""
    return httpx.Client(base_url=base, timeout=60, limits=httpx.Limits(keepalive_expiry=2.0))


def check_served(http: httpx.Client, lessons: Sequence[LoadedLesson]) -> None:
    """The server must serve these very lessons: same ids, same versions."""
    for lesson in lessons:
        served = http.get(f"/api/lessons/{lesson.id}")
        if served.status_code != 200 or served.json()["version"] != lesson.content_hash:
            raise RuntimeError(
                f"the server does not serve lesson {lesson.id!r} in the version of "
                f"{lesson.file}; point --lessons at the folder it serves"
            )


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url.rstrip("/")


if __name__ == "__main__":
    sys.exit(main())
