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
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from sim import report  # noqa: E402
from sim.conditions import call  # noqa: E402
from sim.document import write  # noqa: E402
from sim.experiment import Plan, Result, simulate  # noqa: E402
from sim.learners import MODELS, POPULATIONS  # noqa: E402

from tutor.lessons import LoadedLesson, load_catalog  # noqa: E402

DEFAULT_SEEDS = (1, 2, 3)  # chosen before any run; a run reports its targets per seed


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
        default=8,
        help="learners per model and population at the middle setting, per seed (default: "
        "%(default)s)",
    )
    parser.add_argument(
        "--grid-learners",
        type=int,
        default=3,
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
        help="learners simulated at a time (default: %(default)s)",
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
    if args.learners < 2 or args.grid_learners < 0 or args.workers < 1:
        parser.error(
            "--learners must be at least 2, --grid-learners at least 0, --workers at least 1"
        )
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    plan = Plan(args.models, args.populations, args.learners, args.grid_learners)
    started = time.monotonic()
    results: dict[int, list[Result]] = {}
    for seed in args.seeds:
        running = server(args.lessons, seed) if args.url is None else _given(args.url)
        with running as url, httpx.Client(base_url=url, timeout=60) as http:
            lessons = shared_lessons(http, args.lessons)
            if not lessons:
                print("no lesson to simulate", file=sys.stderr)
                return 2
            print(
                f"seed {seed}: lessons {', '.join(lesson.id for lesson in lessons)}; "
                f"{len(plan.models)} models; {plan.learners} learners per population "
                f"(grid: {plan.grid_learners})",
                flush=True,
            )
            results[seed] = simulate(
                http, lessons, plan, seed=seed, workers=args.workers, progress=_progress
            )
        print(f"  done in {time.monotonic() - started:.0f} s", flush=True)
    everything = [r for seed in args.seeds for r in results[seed]]
    accuracy = {m: report.tracing_accuracy(everything, m, args.seeds[0]) for m in plan.models}
    per_seed = {
        seed: report.targets(
            results[seed], {m: report.tracing_accuracy(results[seed], m, seed) for m in plan.models}
        )
        for seed in args.seeds
    }
    pooled = report.targets(everything, accuracy)
    tables = [
        *report.main_tables(everything),
        report.gain_table(everything),
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


def _progress(done: int, total: int) -> None:
    if done == total or done % max(total // 10, 1) == 0:
        print(f"  {done}/{total} learners", flush=True)


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
            "TUTOR_SECRET_KEY": uuid.UUID(int=random.Random(seed).getrandbits(128)).hex,
            "TUTOR_INSTRUCTOR_TOKEN": uuid.uuid4().hex,
            "TUTOR_WATCH_LESSONS": "false",
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
    for summary in call(http, "GET", "/api/lessons", None):
        local = catalog.get(summary["id"])
        if local is None:
            continue
        served = call(http, "GET", f"/api/lessons/{summary['id']}", None)
        if served["version"] != local.content_hash:
            print(f"left out: {local.id}: the server has another version", file=sys.stderr)
            continue
        if not any(skill.assessment for skill in local.lesson.skills):
            print(f"left out: {local.id}: it has no held-out assessment items", file=sys.stderr)
            continue
        chosen.append(local)
    return chosen


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url.rstrip("/")


if __name__ == "__main__":
    sys.exit(main())
