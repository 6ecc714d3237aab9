"""Charts as server-side SVG, every number from the engine.

Each chart is a :class:`Figure`: the SVG (``role="img"`` with a ``<title>`` and ``<desc>``), a
legend, a caption that says what it shows with the key numbers, and, where the page does not
already show them, a table of the numbers behind it. Lines differ by dash pattern and marker
as well as by colour, and colours come from CSS variables, so the charts read in light and dark
mode and without colour. The SVG has a viewBox and no fixed size: it scales to any width.
The axes, lines and markers are drawn by :mod:`tutor.render.svg`; this module decides what each
chart shows and says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tutor.engine import losses, neuron
from tutor.engine.breakdown import breakdown
from tutor.render.numbers import text_num as num
from tutor.render.svg import (
    DASHES,
    HEIGHT,
    WIDTH,
    Chart,
    Figure,
    Table,
    nice_ticks,
    nice_top,
    swatch,
)

__all__ = [
    "CURVES",
    "Marked",
    "loss_curves",
    "marks_for",
    "has_outlier",
    "mse_vs_mae",
    "training_curves",
    "slope_chart",
    "descent_chart",
    # The drawing kit's names that pages and tests reach through this module.
    "DASHES",
    "HEIGHT",
    "WIDTH",
    "Figure",
    "Table",
    "nice_ticks",
    "swatch",
]


# --------------------------------------------------------------------------------------------
# (a) Loss against the prediction, for a truth of 1
# --------------------------------------------------------------------------------------------

CURVES = (("mse", "Squared error (MSE)"), ("mae", "Absolute error (MAE)"), ("bce", "Cross-entropy"))
"""The losses drawn against the prediction, in line-style order."""


def _terms(name: str, ps: Sequence[float]) -> list[float]:
    """Each prediction's loss for a truth of 1, item by item, from the engine."""
    result = breakdown(name, [1.0] * len(ps), list(ps))
    return [item.term for item in result.items]


def _stagger(positions: Sequence[float], gap: float = 0.06) -> list[int]:
    """Label rows for guides so that labels closer than ``gap`` (of the range) do not collide."""
    rows: list[int] = []
    for i, x in enumerate(positions):
        taken = {rows[j] for j in range(i) if abs(positions[j] - x) < gap}
        rows.append(next(r for r in range(len(positions) + 1) if r not in taken))
    return rows


@dataclass(frozen=True)
class Marked:
    """A prediction to mark on the loss curves: its label and the probability it gave the truth."""

    label: str
    p: float
    note: str = ""


def loss_curves(key: str, marked: Sequence[Marked] = ()) -> Figure:
    """Chart (a): MSE, MAE and cross-entropy for a truth of 1 as the prediction runs 0 to 1."""
    ps = [float(v) for v in np.linspace(0.002, 1.0, 125)]
    top = 5.0
    rows = _stagger([m.p for m in marked])
    chart = Chart(
        key,
        (0.0, 1.0),
        (0.0, top),
        "probability p given to the true answer",
        "loss",
        guide_rows=max(rows, default=0) + 1,
    )
    curves = {name: _terms(name, ps) for name, _ in CURVES}
    for style, (name, _) in enumerate(CURVES):
        chart.line(zip(ps, curves[name], strict=True), style)
    values = {name: _terms(name, [m.p for m in marked]) for name, _ in CURVES} if marked else {}
    for i, m in enumerate(marked):
        chart.guide(m.p, str(i + 1), rows[i])
        for style, (name, _) in enumerate(CURVES):
            chart.mark(m.p, values[name][i], style)
    half, low = ({name: _terms(name, [p])[0] for name, _ in CURVES} for p in (0.5, 0.01))
    caption = (
        "How much each loss charges when the probability given to the true answer is p (for a "
        "truth of 1, the prediction itself). At p = 0.5 "
        f"squared error charges {num(half['mse'])}, absolute error {num(half['mae'])} and "
        f"cross-entropy {num(half['bce'])}; at p = 0.01 they charge {num(low['mse'])}, "
        f"{num(low['mae'])} and {num(low['bce'])}. Squared and absolute error never pass 1, "
        "but cross-entropy climbs without limit as p falls to 0."
    )
    if marked:
        caption += (
            " The dotted lines mark the example's predictions, numbered in the order of its table."
        )
        table_rows = tuple(
            (
                f"{i + 1}. {m.label}",
                num(m.p) + (f" ({m.note})" if m.note else ""),
                *(num(values[name][i]) for name, _ in CURVES),
            )
            for i, m in enumerate(marked)
        )
        what = "Each marked prediction and what each loss charges for it"
    else:
        refs = [0.01, 0.1, 0.5, 0.9, 0.99]
        ref_values = {name: _terms(name, refs) for name, _ in CURVES}
        table_rows = tuple(
            (num(p), num(p), *(num(ref_values[name][i]) for name, _ in CURVES))
            for i, p in enumerate(refs)
        )
        what = "What each loss charges at a few predictions"
    table = Table(
        what,
        ("Prediction", "p for a truth of 1", *(label for _, label in CURVES)),
        table_rows,
    )
    legend = [(label, style) for style, (_, label) in enumerate(CURVES)]
    return chart.figure("Loss against the prediction, for a truth of 1", caption, legend, table)


def marks_for(items: Sequence[dict[str, Any]], labels: Sequence[str], cce: bool) -> list[Marked]:
    """The predictions of a breakdown to mark on chart (a), as the probability given to the truth.

    A truth of 0 is marked at 1 − p: every loss on the chart is the mirror image for it. Soft
    targets (neither 0 nor 1) have no place on a chart for a truth of 1 and are left out.
    """
    marked = []
    for i, item in enumerate(items):
        label = labels[i] if i < len(labels) else f"item {i + 1}"
        p, truth = item["prediction"], item["truth"]
        if cce or truth == 1:
            marked.append(Marked(label, p))
        elif truth == 0:
            marked.append(Marked(label, 1.0 - p, f"truth 0, p = {num(p)}, so 1 − p"))
    return marked


# --------------------------------------------------------------------------------------------
# (b) MSE against MAE as one error grows
# --------------------------------------------------------------------------------------------


def has_outlier(y_true: Sequence[float], y_pred: Sequence[float]) -> bool:
    """True when one error is at least three times the typical (median) size of the others."""
    errors = np.abs(np.asarray(y_pred, float) - np.asarray(y_true, float))
    if errors.size < 3:
        return False
    i = int(np.argmax(errors))
    others = np.delete(errors, i)
    typical = float(np.median(others))
    return bool(typical > 0 and errors[i] >= 3 * typical)


def mse_vs_mae(
    key: str, y_true: Sequence[float], y_pred: Sequence[float], labels: Sequence[str] = ()
) -> Figure | None:
    """Chart (b): how many times MSE and MAE grow as the largest error grows from 0.

    None when there is nothing to compare: no error at all, or no error but the largest one
    (both losses would start from 0).
    """
    truth = [float(v) for v in y_true]
    pred = [float(v) for v in y_pred]
    errors = [p - t for t, p in zip(truth, pred, strict=True)]
    i = max(range(len(errors)), key=lambda j: abs(errors[j]))
    size, sign = abs(errors[i]), (1.0 if errors[i] >= 0 else -1.0)
    label = labels[i] if i < len(labels) else f"item {i + 1}"

    def both(error: float) -> tuple[float, float]:
        moved = pred.copy()
        moved[i] = truth[i] + sign * error
        return losses.mse(truth, moved), losses.mae(truth, moved)

    base = both(0.0)
    if size == 0 or min(base) == 0:
        return None
    xs = [float(v) for v in np.linspace(0.0, size * 1.25, 61)]
    grown = [both(x) for x in xs]
    now = both(size)
    times = (now[0] / base[0], now[1] / base[1])
    chart = Chart(
        key,
        (0.0, xs[-1]),
        (0.0, nice_top(max(g[0] / base[0] for g in grown))),
        f"size of the error on {label}",
        "× the loss without this error",
    )
    for style in (0, 1):
        chart.line(((x, g[style] / base[style]) for x, g in zip(xs, grown, strict=True)), style)
        chart.mark(size, times[style], style, f"×{num(round(times[style], 1))}")
    chart.guide(size, f"now: {num(size)}")
    caption = (
        f"As the error on {label} grows from 0 to {num(size)}, the MSE grows from "
        f"{num(base[0])} to {num(now[0])}, {num(round(times[0], 1))} times as much, while the "
        f"MAE grows from {num(base[1])} to {num(now[1])}, {num(round(times[1], 1))} times as "
        "much. Squaring lets one big miss take over the MSE."
    )
    steps = [0.0, size / 4, size / 2, 3 * size / 4, size]
    rows = tuple(
        (
            num(round(e, 6)),
            num(m),
            num(a),
            f"×{num(round(m / base[0], 2))}",
            f"×{num(round(a / base[1], 2))}",
        )
        for e, (m, a) in ((e, both(e)) for e in steps)
    )
    table = Table(
        f"MSE and MAE of the whole example as the error on {label} grows",
        (f"Error on {label}", "MSE", "MAE", "MSE, times", "MAE, times"),
        rows,
    )
    legend = [("MSE: mean squared error", 0), ("MAE: mean absolute error", 1)]
    return chart.figure("MSE against MAE as one error grows", caption, legend, table)


# --------------------------------------------------------------------------------------------
# (c) Training loss per epoch for several learning rates
# --------------------------------------------------------------------------------------------


def _run_story(lr: float, values: Sequence[float], best: bool) -> str:
    start, end, peak = values[0], values[-1], max(values)
    if peak > start * 1.001:
        return (
            f"with rate {num(lr)} the loss overshoots: it jumps as high as {num(peak)} and "
            f"swings up and down, ending at {num(end)}"
        )
    verb = "falls fast" if best else "creeps down"
    return f"with rate {num(lr)} it {verb} from {num(start)} to {num(end)}"


def training_curves(key: str, runs: Sequence[dict[str, Any]]) -> Figure:
    """Chart (c): loss per epoch of training runs of the neuron, one line per learning rate."""
    epochs = len(runs[0]["losses"]) - 1
    start = max(r["losses"][0] for r in runs)
    peak = max(max(r["losses"]) for r in runs)
    top = nice_top(min(peak, 2.5 * start))
    chart = Chart(key, (0.0, float(epochs)), (0.0, top), "epoch", "loss")
    steady = [r for r in runs if max(r["losses"]) <= r["losses"][0] * 1.001]
    best = min(steady, key=lambda r: r["losses"][-1]) if steady else None
    off: list[str] = []
    for style, run in enumerate(runs):
        values = run["losses"]
        chart.line(enumerate(values), style)
        chart.mark(epochs, values[-1], style)
        high = [e for e, v in enumerate(values) if v > top]
        for e in high:
            chart.mark(e, values[e], style, value=values[e] == max(values))
        if high:
            where = ", ".join(str(e) for e in high[:-1]) + (" and " if len(high) > 1 else "")
            off.append(
                f"rate {num(run['lr'])} leaves the top of the chart at epoch"
                f"{'s' if len(high) > 1 else ''} {where}{high[-1]}"
            )
    stories = [_run_story(r["lr"], r["losses"], r is best) for r in runs]
    caption = (
        f"The loss of the neuron trained on a small made-up data set (two features) over "
        f"{epochs} epochs, once per learning rate: "
        + "; ".join(stories)
        + "."
        + (" " + "; ".join(off).capitalize() + " (marked with arrows)." if off else "")
    )
    legend = [(f"rate {num(r['lr'])}", style) for style, r in enumerate(runs)]
    return chart.figure("Training loss per epoch, for each learning rate", caption, legend)


def overfitting_curves(key: str, run: dict[str, Any]) -> Figure:
    """Training and validation loss per epoch, with the validation minimum marked."""
    train, validation = run["train"], run["validation"]
    epochs, best = len(train) - 1, run["best_epoch"]
    top = nice_top(max(max(train), max(validation)))
    chart = Chart(key, (0.0, float(epochs)), (0.0, top), "epoch", "loss")
    chart.line(enumerate(train), 0)
    chart.line(enumerate(validation), 1)
    chart.guide(best, f"lowest validation loss: epoch {best}")
    chart.mark(best, validation[best], 1)
    chart.mark(epochs, validation[-1], 1)
    chart.mark(epochs, train[-1], 0)
    caption = (
        f"A model trained for {epochs} epochs on {run['train_examples']} made-up examples "
        f"({run['features']} features each, only two of which matter), and scored after every "
        f"epoch on {run['held_out_examples']} examples it never trained on. The training loss "
        f"falls all the way, from {num(train[0])} to {num(train[-1])}. The validation loss "
        f"falls to {num(validation[best])} at epoch {best}, then climbs to "
        f"{num(validation[-1])}: from there on the model learns the noise of its few "
        "examples, not the pattern."
    )
    shown = sorted({0, best // 2, best, (best + epochs) // 2, epochs})
    table = Table(
        "Training and validation loss at some epochs",
        ("Epoch", "training loss", "validation loss"),
        tuple((str(e), num(train[e]), num(validation[e])) for e in shown),
    )
    legend = [("training loss", 0), ("validation loss", 1)]
    return chart.figure("Training and validation loss per epoch", caption, legend, table)


# --------------------------------------------------------------------------------------------
# (d) The gradient as the slope of the loss curve
# --------------------------------------------------------------------------------------------


def slope_chart(
    key: str, x: Sequence[float], w: Sequence[float], b: float, y: float, feature: str
) -> Figure:
    """Chart (d): the loss as one weight turns, and the tangent whose slope is the gradient."""
    w0 = float(w[0])
    rest = [float(v) for v in w[1:]]
    grid = [float(v) for v in np.linspace(w0 - 4, w0 + 4, 81)]
    curve = [neuron.loss(x, [v, *rest], b, y) for v in grid]
    here = neuron.loss(x, w, b, y)
    slope = neuron.gradients(x, w, b, y).dw[0]
    chart = Chart(
        key, (grid[0], grid[-1]), (0.0, nice_top(max(curve))), f"weight of {feature}", "loss"
    )
    chart.line(zip(grid, curve, strict=True), 0)
    reach = 1.5
    chart.line(((w0 - reach, here - slope * reach), (w0 + reach, here + slope * reach)), 1)
    chart.mark(w0, here, 0, f"slope {num(slope)}")
    way = "falls" if slope < 0 else "rises"
    turn = "up" if slope < 0 else "down"
    caption = (
        f"The loss as the weight of {feature} turns, everything else held still. At its "
        f"current value, {num(w0)}, the loss is {num(here)} and the slope is {num(slope)}: the "
        f"tangent line {way} to the right, so turning this weight {turn} lowers the loss."
    )
    if slope == 0:
        caption = (
            f"The loss as the weight of {feature} turns. At {num(w0)} the slope is 0: the "
            "bottom of the curve, where turning the weight either way would not lower the loss."
        )
    points = [w0 - 2, w0 - 1, w0, w0 + 1, w0 + 2]
    table = Table(
        f"The loss at a few values of the weight of {feature}",
        ("Weight", "Loss", "Tangent line"),
        tuple(
            (
                num(round(v, 6)),
                num(neuron.loss(x, [v, *rest], b, y)),
                num(round(here + slope * (v - w0), 6)),
            )
            for v in points
        ),
    )
    legend = [("loss", 0), (f"tangent, slope {num(slope)}", 1)]
    return chart.figure("The gradient is the slope of the loss", caption, legend, table)


# --------------------------------------------------------------------------------------------
# The descent lab's walk
# --------------------------------------------------------------------------------------------


def descent_chart(key: str, walk: Any) -> Figure:
    """The valley of a :class:`tutor.engine.descent.Walk` and each step taken down it."""
    valley = walk.valley
    visited = [walk.start, *(s.w_next for s in walk.steps)]
    low = min(valley.view[0], *visited)
    high = max(valley.view[1], *visited)
    low, high = max(low, valley.bottom - 40), min(high, valley.bottom + 40)
    grid = [float(v) for v in np.linspace(low, high, 161)]
    curve = [valley.loss(v) for v in grid]
    view_top = max(valley.loss(valley.view[0]), valley.loss(valley.view[1]))
    top = nice_top(max(view_top, walk.steps[0].loss if walk.steps else 0.0) * 1.05)
    chart = Chart(key, (low, high), (0.0, top), "weight w", "loss")
    chart.line(zip(grid, curve, strict=True), 0)
    path = [(walk.start, valley.loss(walk.start))] + [(s.w_next, s.loss_next) for s in walk.steps]
    chart.line(path, 2, "walk")
    labelled: list[tuple[float, float]] = []
    for n, (wv, lv) in enumerate(path):
        if low <= wv <= high:
            # Number a step only where its label has room: late steps crowd at the bottom.
            px, py = chart.x(wv), chart.y(lv)
            room = all(abs(px - x) > 16 or abs(py - y) > 14 for x, y in labelled)
            if room:
                labelled.append((px, py))
            chart.parts.append(f'<g class="step" data-step="{n}">')
            chart.mark(wv, lv, 2, str(n) if room else "")
            chart.parts.append("</g>")
    caption = (
        f"Gradient descent on {valley.name.lower()}, from w = {num(walk.start)} with learning "
        f"rate {num(walk.lr)}: each numbered triangle is the weight after that many steps. "
        f"After {len(walk.steps)} steps w = {num(walk.end)}"
        + (f" and the loss is {num(walk.steps[-1].loss_next)}" if walk.steps else "")
        + f"; the bottom of the valley is at w = {num(round(valley.bottom, 4))}."
    )
    legend = [("the loss for each weight", 0), ("the steps taken", 2)]
    return chart.figure("Gradient descent, step by step", caption, legend)
