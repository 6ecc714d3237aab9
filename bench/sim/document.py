"""Writing a run into ``docs/evaluation.md``: its tables, targets and charts.

Only the part between the two markers is replaced, so the hand-written method and
discussion around it stay; the charts go into a folder named after the file
(``docs/evaluation/``).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

from .charts import grouped_bars
from .conditions import CONDITIONS
from .experiment import Result
from .learners import MODELS, POPULATIONS
from .report import MIDDLE, TARGET_FALSE_MASTERY, Table, Target, cells, mark

START = "<!-- generated figures: start (bench/simulate.py --write replaces what follows) -->"
END = "<!-- generated figures: end -->"


def charts(results: Sequence[Result]) -> dict[str, tuple[str, str]]:
    """File name -> (alt text, SVG) for each chart."""
    table = cells(results)
    models = [m for m in MODELS if any(r.job.model == m for r in results)]
    out = {}
    for population in ("nothing", "some"):
        values = [
            [_value(table.get(((m, MIDDLE, population), c)), "post") for c in CONDITIONS]
            for m in models
        ]
        title = f"Post-test accuracy on held-out items, learners who know {population} at first"
        out[f"post-{population}.svg"] = (
            title,
            grouped_bars(
                title,
                "Per learner model, the share of held-out items answered right after practice "
                "under each condition (percent).",
                models,
                CONDITIONS,
                values,
                y_label="% right",
            ),
        )
    values = []
    for m in models:
        row = []
        for c in CONDITIONS:
            solid = false = 0
            for p in POPULATIONS:
                cell = table.get(((m, MIDDLE, p), c))
                if cell:
                    solid, false = solid + cell.solid, false + cell.false_solid
            row.append(100 * false / solid if solid else None)
        values.append(row)
    top = max([v for row in values for v in row if v is not None] + [10.0])
    title = "False mastery: skills labelled solid that the learner does not know"
    out["false-mastery.svg"] = (
        title,
        grouped_bars(
            title,
            "Per learner model and condition, the share of solid labels that are false, over "
            f"every population (percent); the dashed line is the {TARGET_FALSE_MASTERY:.0f}% "
            "target.",
            models,
            CONDITIONS,
            values,
            y_label="% of solid labels",
            top=_round_up(top),
            target=(TARGET_FALSE_MASTERY, f"target {TARGET_FALSE_MASTERY:.0f}%"),
        ),
    )
    return out


def _value(cell, name: str) -> float | None:
    return None if cell is None else getattr(cell, name)


def _round_up(value: float) -> float:
    for top in (10, 20, 25, 50, 75, 100):
        if value <= top:
            return float(top)
    return float(value)


def write(
    path: Path,
    results: Sequence[Result],
    tables: Sequence[Table],
    pooled: Sequence[Target],
    *,
    command: str,
    seconds: float,
) -> None:
    folder = path.with_suffix("")
    folder.mkdir(parents=True, exist_ok=True)
    figures = charts(results)
    for name, (_, svg) in figures.items():
        (folder / name).write_text(svg + "\n", encoding="utf-8")
    lines = [
        START,
        "",
        f"Run on {datetime.date.today().isoformat()} with `{command}` "
        f"({seconds / 60:.1f} minutes on this machine).",
        "",
        "Targets, all seeds pooled:",
        "",
        *(f"- **{mark(t.met)}**: {t.text}" for t in pooled),
        "",
    ]
    for name, (alt, _) in figures.items():
        lines += [f"![{alt}]({folder.name}/{name})", ""]
    for table in tables:
        lines += [table.markdown(), ""]
    lines.append(END)
    generated = "\n".join(lines)
    old = path.read_text(encoding="utf-8") if path.exists() else f"# Evaluation\n\n{START}\n{END}\n"
    if START in old and END in old:
        before, rest = old.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + generated + after
    else:
        text = old.rstrip() + "\n\n" + generated + "\n"
    path.write_text(text, encoding="utf-8")
