"""The figures of a run: per learner model and population, per condition; the targets.

Every rate is over simulated learners, each of whom took every lesson: a learner's
post-test accuracy is their right answers over all held-out items of all lessons. Gains
are paired: the same learner under two conditions, averaged, with a 95% interval
(1.96 standard errors of the paired differences).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .conditions import CONDITIONS
from .experiment import Result
from .learners import MODELS, POPULATIONS
from .tracing import Accuracy, compare

TARGET_GAIN = 10.0  # points over yoked, for "knows nothing" and "knows some"
TARGET_MODELS = 4  # ... under at least this many of the five learner models
TARGET_FALSE_MASTERY = 5.0  # percent, under every learner model
TARGET_ITEMS_SHARE = 0.5  # "knows everything": at most this share of the fixed sequence
TARGET_AUC_GAP = 0.02  # the tutor's AUC at most this far below pyBKT's
MIDDLE = "middle"


@dataclass(frozen=True)
class Cell:
    """One learner model, setting, population and condition, over its learners."""

    learners: int
    known: float  # share of skills known at the start
    pre: float  # pre-test accuracy, percent
    post: float  # post-test accuracy, percent
    near: float
    far: float
    items: float  # items per learner, all lessons
    explanations: float
    gain_per_item: float  # (post - pre) points per item of practice
    solid: int  # skills labelled solid, all learners
    false_solid: int  # ... that the learner did not in fact know
    to_mastery: float | None  # items of a skill answered when it was first labelled solid

    @property
    def false_mastery(self) -> float | None:
        return 100 * self.false_solid / self.solid if self.solid else None


Key = tuple[str, str, str]  # model, setting, population


def _percent(right: int, items: int) -> float:
    return 100 * right / items if items else float("nan")


def per_learner(result: Result, condition: str) -> dict[str, float]:
    """One learner's figures under one condition, over every lesson."""
    post = [r.post[condition] for r in result.lessons]
    near = [s.by_transfer["near"] for s in post]
    far = [s.by_transfer["far"] for s in post]
    runs = [r.runs[condition] for r in result.lessons]
    pre = [r.pre for r in result.lessons]
    return {
        "pre": _percent(sum(s.right for s in pre), sum(s.items for s in pre)),
        "post": _percent(sum(s.right for s in post), sum(s.items for s in post)),
        "near": _percent(sum(n[0] for n in near), sum(n[1] for n in near)),
        "far": _percent(sum(f[0] for f in far), sum(f[1] for f in far)),
        "items": sum(run.items for run in runs),
        "explanations": sum(run.explanations for run in runs),
        "known": sum(r.known_at_start for r in result.lessons)
        / sum(r.skills for r in result.lessons),
    }


def cells(results: Iterable[Result]) -> dict[tuple[Key, str], Cell]:
    grouped: dict[Key, list[Result]] = defaultdict(list)
    for result in results:
        grouped[(result.job.model, result.job.setting, result.job.population)].append(result)
    out = {}
    for key, group in grouped.items():
        for condition in CONDITIONS:
            rows = [per_learner(r, condition) for r in group]
            runs = [(lr.runs[condition], lr.replays[condition]) for r in group for lr in r.lessons]
            solid = sum(len(run.solid) for run, _ in runs)
            false_solid = sum(len(run.solid & run.not_known) for run, _ in runs)
            reached = [n for _, rep in runs for n in rep.items_to_solid.values()]
            mean = {k: float(np.nanmean([row[k] for row in rows])) for k in rows[0]}
            items = mean["items"]
            out[(key, condition)] = Cell(
                learners=len(group),
                known=100 * mean["known"],
                pre=mean["pre"],
                post=mean["post"],
                near=mean["near"],
                far=mean["far"],
                items=items,
                explanations=mean["explanations"],
                gain_per_item=(mean["post"] - mean["pre"]) / items if items else float("nan"),
                solid=solid,
                false_solid=false_solid,
                to_mastery=float(np.mean(reached)) if reached else None,
            )
    return out


def paired_gain(
    results: Iterable[Result], key: Key, a: str = "adaptive", b: str = "yoked"
) -> tuple[float, float, int]:
    """Mean post-test difference a - b over the same learners, its 95% half-width, and n."""
    diffs = [
        per_learner(r, a)["post"] - per_learner(r, b)["post"]
        for r in results
        if (r.job.model, r.job.setting, r.job.population) == key
    ]
    if not diffs:
        return float("nan"), float("nan"), 0
    half = 1.96 * float(np.std(diffs, ddof=1)) / math.sqrt(len(diffs)) if len(diffs) > 1 else 0.0
    return float(np.mean(diffs)), half, len(diffs)


def tracing_accuracy(results: Sequence[Result], model: str, seed: int) -> Accuracy:
    """The tutor's next-answer predictions for one learner model's adaptive runs (middle
    setting, every population), beside the base rate and pyBKT fitted on other learners."""
    runs = []
    for r in results:
        if r.job.model != model or r.job.setting != MIDDLE:
            continue
        predictions = [
            (f"{lr.lesson}/{skill}", p, right)
            for lr in r.lessons
            for skill, p, right in lr.replays["adaptive"].predictions
        ]
        runs.append((f"{r.seed}/{r.job.key}", predictions))
    return compare(runs, seed)


def mean_accuracy(per_seed: Sequence[Accuracy]) -> Accuracy:
    """Each predictor's AUC and log loss averaged over seeds (each seed fitted on its own)."""
    names = [n for n in per_seed[0].scores if all(n in a.scores for a in per_seed)]
    scores = {
        n: (
            float(np.nanmean([a.scores[n][0] for a in per_seed])),
            float(np.nanmean([a.scores[n][1] for a in per_seed])),
        )
        for n in names
    }
    errors = [a.pybkt_error for a in per_seed if a.pybkt_error]
    return Accuracy(sum(a.answers for a in per_seed), scores, errors[0] if errors else None)


# --- targets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    detail: str
    met: bool | None  # None: could not be judged (no pyBKT)

    @property
    def text(self) -> str:
        return f"{self.name}: {self.detail}"


def targets(results: Sequence[Result], accuracy: dict[str, Accuracy]) -> list[Target]:
    table = cells(results)
    models = sorted({r.job.model for r in results}, key=list(MODELS).index)
    out = []
    for population in ("nothing", "some"):
        gains = {m: paired_gain(results, (m, MIDDLE, population)) for m in models}
        met = [m for m, (g, _, n) in gains.items() if n and g >= TARGET_GAIN]
        shown = ", ".join(f"{m} {g:+.1f}" for m, (g, _, _) in gains.items())
        out.append(
            Target(
                f"knows {population}: adaptive - yoked >= {TARGET_GAIN:.0f} pt",
                f"under {len(met)} of {len(models)} models (target: {TARGET_MODELS}); {shown}",
                len(met) >= min(TARGET_MODELS, len(models)),
            )
        )
    # Judged per population, among learners who did not know everything: a learner who
    # knows every skill cannot be labelled solid falsely, so pooling their (true) labels in
    # would only dilute the rate and flatter the tutor.
    rates = {}
    for m in models:
        for p in ("nothing", "some"):
            cell = table.get(((m, MIDDLE, p), "adaptive"))
            if cell is not None:
                rates[(m, p)] = (cell.false_solid, cell.solid)
    worst = max([(100 * f / s if s else 0.0) for f, s in rates.values()], default=0.0)
    out.append(
        Target(
            f"false mastery < {TARGET_FALSE_MASTERY:.0f}% under every model and population",
            ", ".join(
                f"{m} ({p}) {f}/{s} = {100 * f / s if s else 0:.1f}%"
                for (m, p), (f, s) in rates.items()
            ),
            worst < TARGET_FALSE_MASTERY,
        )
    )
    shares = {}
    for m in models:
        key = (m, MIDDLE, "everything")
        if (key, "adaptive") in table:
            shares[m] = table[(key, "adaptive")].items / table[(key, "fixed")].items
    if shares:
        out.append(
            Target(
                f"knows everything: items <= {TARGET_ITEMS_SHARE:.0%} of fixed",
                ", ".join(f"{m} {v:.0%}" for m, v in shares.items()),
                max(shares.values()) <= TARGET_ITEMS_SHARE,
            )
        )
    gaps = {}
    for m, acc in accuracy.items():
        if "pyBKT" in acc.scores:
            gaps[m] = acc.scores["pyBKT"][0] - acc.scores["tutor"][0]
    out.append(
        Target(
            f"next-answer AUC >= pyBKT's - {TARGET_AUC_GAP}",
            "tutor minus pyBKT: "
            + (", ".join(f"{m} {-g:+.3f}" for m, g in gaps.items()) or "pyBKT not available"),
            None if not gaps else max(gaps.values()) <= TARGET_AUC_GAP,
        )
    )
    return out


def mark(met: bool | None) -> str:
    return "met" if met else ("NOT MET" if met is False else "not judged")


# --- tables -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    title: str
    head: tuple[str, ...]
    rows: list[tuple[str, ...]]

    def text(self) -> str:
        widths = [max(len(r[i]) for r in [self.head, *self.rows]) for i in range(len(self.head))]

        def line(cells: tuple[str, ...]) -> str:
            # The first column is left-aligned, the figures right-aligned.
            return "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )

        return "\n".join([self.title, line(self.head), *(line(r) for r in self.rows)])

    def markdown(self) -> str:
        out = [f"**{self.title}**", "", "| " + " | ".join(self.head) + " |"]
        out.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(self.head))) + "|")
        out += ["| " + " | ".join(r) + " |" for r in self.rows]
        return "\n".join(out)


def _f(value: float | None, digits: int = 1, suffix: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}{suffix}"


def main_tables(results: Sequence[Result]) -> list[Table]:
    """Per learner model: every population and condition at the middle setting."""
    table = cells(results)
    out = []
    head = (
        "population",
        "condition",
        "learners",
        "known",
        "pre",
        "post",
        "near",
        "far",
        "items",
        "expl.",
        "gain/item",
        "false mastery",
        "to solid",
    )
    for model in MODELS:
        rows = []
        for population in POPULATIONS:
            for condition in CONDITIONS:
                cell = table.get(((model, MIDDLE, population), condition))
                if cell is None:
                    continue
                fm = cell.false_mastery
                rows.append(
                    (
                        population if condition == "adaptive" else "",
                        condition,
                        str(cell.learners),
                        _f(cell.known, 0, "%"),
                        _f(cell.pre, 1, "%"),
                        _f(cell.post, 1, "%"),
                        _f(cell.near, 1, "%"),
                        _f(cell.far, 1, "%"),
                        _f(cell.items, 1),
                        _f(cell.explanations, 1),
                        _f(cell.gain_per_item, 2),
                        f"{_f(fm, 1, '%')} ({cell.false_solid}/{cell.solid})",
                        _f(cell.to_mastery, 1),
                    )
                )
        if rows:
            out.append(Table(f"{model} (middle setting)", head, rows))
    return out


def gain_table(results: Sequence[Result]) -> Table:
    rows = []
    for model in MODELS:
        for population in POPULATIONS:
            key = (model, MIDDLE, population)
            cols = []
            for other in ("yoked", "fixed", "random"):
                gain, half, n = paired_gain(results, key, "adaptive", other)
                cols.append(f"{gain:+.1f} ± {half:.1f}" if n else "–")
            if any(c != "–" for c in cols):
                rows.append((model, population, *cols))
    return Table(
        "Post-test gain of adaptive over each control (points, paired, 95% interval)",
        ("model", "population", "vs yoked", "vs fixed", "vs random"),
        rows,
    )


def fading_table(results: Sequence[Result]) -> Table | None:
    """The tutor with and without worked-example fading, the same learners (middle
    setting): the post-test, the items used (worked examples studied included), the
    paired post-test difference. None when the run had no ``unfaded`` condition."""
    if not any("unfaded" in lr.runs for r in results for lr in r.lessons):
        return None
    rows = []
    for model in MODELS:
        for population in POPULATIONS:
            key = (model, MIDDLE, population)
            group = [r for r in results if (r.job.model, r.job.setting, r.job.population) == key]
            if not group:
                continue
            mean = {
                c: {
                    k: float(np.mean([per_learner(r, c)[k] for r in group]))
                    for k in ("post", "items")
                }
                for c in ("adaptive", "unfaded")
            }
            studied = float(
                np.mean([sum(lr.runs["adaptive"].studied for lr in r.lessons) for r in group])
            )
            gain, half, n = paired_gain(results, key, "adaptive", "unfaded")
            rows.append(
                (
                    model,
                    population,
                    _f(mean["adaptive"]["post"], 1, "%"),
                    _f(mean["unfaded"]["post"], 1, "%"),
                    f"{gain:+.1f} ± {half:.1f}" if n else "–",
                    _f(mean["adaptive"]["items"], 1),
                    _f(studied, 1),
                    _f(mean["unfaded"]["items"], 1),
                )
            )
    return Table(
        "Worked-example fading: the tutor with it and without it (middle setting)",
        (
            "model",
            "population",
            "post, fading",
            "post, no fading",
            "difference",
            "items, fading",
            "of which examples",
            "items, no fading",
        ),
        rows,
    )


def sensitivity_table(results: Sequence[Result]) -> Table:
    table = cells(results)
    rows = []
    settings_seen: dict[str, list[str]] = defaultdict(list)
    for r in results:
        if r.job.setting not in settings_seen[r.job.model]:
            settings_seen[r.job.model].append(r.job.setting)
    for model in MODELS:
        for setting in settings_seen.get(model, []):
            cols = []
            for population in ("nothing", "some"):
                gain, half, n = paired_gain(results, (model, setting, population))
                cols.append(f"{gain:+.1f} ± {half:.1f}" if n else "–")
            solid = false = 0
            for population in POPULATIONS:
                cell = table.get(((model, setting, population), "adaptive"))
                if cell:
                    solid, false = solid + cell.solid, false + cell.false_solid
            everything = table.get(((model, setting, "everything"), "adaptive"))
            fixed = table.get(((model, setting, "everything"), "fixed"))
            share = everything.items / fixed.items if everything and fixed else None
            learners = table.get(((model, setting, "nothing"), "adaptive"))
            rows.append(
                (
                    model,
                    setting,
                    str(learners.learners if learners else 0),
                    *cols,
                    f"{_f(100 * false / solid if solid else None, 1, '%')} ({false}/{solid})",
                    _f(None if share is None else 100 * share, 0, "%"),
                )
            )
    return Table(
        "Sensitivity: each main parameter low and high, the others at the middle",
        (
            "model",
            "setting",
            "learners",
            "gain vs yoked, nothing",
            "gain vs yoked, some",
            "false mastery",
            "items, everything (of fixed)",
        ),
        rows,
    )


def tracing_table(accuracy: dict[str, Accuracy]) -> Table:
    rows = []
    for model, acc in accuracy.items():
        for predictor in ("tutor", "pyBKT", "base rate"):
            if predictor in acc.scores:
                a, loss = acc.scores[predictor]
                name = model if predictor == "tutor" else ""
                rows.append((name, predictor, _f(a, 3), _f(loss, 3), str(acc.answers)))
            elif predictor == "pyBKT":
                rows.append(("", predictor, "–", "–", acc.pybkt_error or ""))
    return Table(
        "Predicting the next first answer on a skill (held-out learners; AUC and log loss "
        "averaged over seeds, each seed split and fitted on its own)",
        ("model", "predictor", "AUC", "log loss", "answers"),
        rows,
    )


def target_table(per_seed: dict[int, list[Target]]) -> Table:
    seeds = sorted(per_seed)
    first = per_seed[seeds[0]]
    rows = []
    for i, target in enumerate(first):
        rows.append((target.name, *(mark(per_seed[s][i].met) for s in seeds)))
    return Table("Targets, per seed", ("target", *(f"seed {s}" for s in seeds)), rows)
