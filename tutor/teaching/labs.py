"""The labs' models: try the losses and gradient descent on numbers of your own.

Each lab is one function of its inputs (:func:`loss_lab`, :func:`descent_lab`) that an HTML
page, an HTML fragment (what the page's script swaps in as you type) and a JSON twin all
render (:mod:`tutor.web.labs`), so the three never drift apart. Bad input never raises: it
comes back as a message for the page to show beside the form, with a 422 status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import numpy as np

from tutor.engine import breakdown, descent, inputs, losses
from tutor.render import plots
from tutor.render.numbers import format_number

MAX_ITEMS = 60
LOSS_DEFAULTS = {"y_true": "1, 0, 1, 0", "y_pred": "0.9, 0.1, 0.8, 0.3", "eps": ""}
DESCENT_DEFAULTS = {"valley": "toy", "lr": "1", "start": "-1", "steps": "12"}
_SEPARATORS = re.compile(r"[,\s]+")


# --------------------------------------------------------------------------------------------
# Reading numbers typed by a person
# --------------------------------------------------------------------------------------------


def _number(token: str, name: str) -> float:
    try:
        value = float(token.replace("−", "-"))
    except ValueError:
        raise ValueError(f"{name}: {token[:20]!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{name}: {token[:20]!r} is not a finite number")
    return value


def is_number(token: str) -> bool:
    """Whether a person's ``token`` reads as one finite number (as ``parse_values`` reads it)."""
    try:
        _number(token, "")
    except ValueError:
        return False
    return True


def parse_values(source: str, name: str) -> list[float] | list[list[float]]:
    """Numbers separated by commas or spaces; `;` separates rows (class probabilities, say).

    Raises ValueError naming ``name`` for text that is not a number, ragged rows, no numbers
    at all or more than :data:`MAX_ITEMS`.
    """
    rows = source.split(";") if ";" in source else [source]
    values = [[_number(t, name) for t in _SEPARATORS.split(row.strip()) if t] for row in rows]
    values = [row for row in values if row]  # rows of nothing but spaces or commas are blank
    if not values:
        raise ValueError(f"{name}: type at least one number")
    if sum(len(row) for row in values) > MAX_ITEMS:
        raise ValueError(f"{name}: at most {MAX_ITEMS} numbers, please")
    if ";" not in source:
        return values[0]
    for i, row in enumerate(values[1:], start=2):
        if len(row) != len(values[0]):
            raise ValueError(
                f"{name}: row {i} has {len(row)} numbers but row 1 has {len(values[0])}; "
                "every row needs as many"
            )
    return values


def _text(values: Any) -> str:
    """Numbers back as a person would type them: "0.7, 0.2, 0.1; 0.1, 0.8, 0.1"."""
    if isinstance(values, list | tuple) and values and isinstance(values[0], list | tuple):
        return "; ".join(_text(row) for row in values)
    if isinstance(values, list | tuple):
        return ", ".join(format_number(v) for v in values)
    return format_number(values)


def loss_lab_url(y_true: Any, y_pred: Any, eps: float | None = None) -> str:
    """The loss lab pre-filled with these numbers."""
    query = {"y_true": _text(y_true), "y_pred": _text(y_pred)}
    if eps is not None:
        query["eps"] = format_number(eps)
    return "/lab/loss?" + urlencode(query)


def descent_lab_url(**values: Any) -> str:
    """The descent lab with these settings (the others at their defaults)."""
    return "/lab/descent?" + urlencode({**DESCENT_DEFAULTS, **values})


# --------------------------------------------------------------------------------------------
# The loss lab
# --------------------------------------------------------------------------------------------

TWO_CLASSES = (
    "Two classes: each prediction p is the row [1 − p, p] and each truth is the class, 0 or 1. "
    "With two classes, categorical cross-entropy is binary cross-entropy."
)
TWO_CLASSES_API = (
    f"{TWO_CLASSES} Each item's prediction is the probability its row gives the true class; "
    "the gradient is with respect to each p, one number per prediction."
)


@dataclass
class LossResult:
    """One loss on the lab's numbers: its breakdown, or why it does not apply."""

    key: str
    name: str
    breakdown: dict[str, Any] | None = None
    why: str | None = None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "applies": self.breakdown is not None,
            "loss": self.breakdown["loss"] if self.breakdown else None,
            "why": self.why,
            "note": self.note,
            "breakdown": self.breakdown,
        }


@dataclass
class LossLab:
    """The loss lab for one set of inputs."""

    form: dict[str, str]
    error: str | None = None
    results: list[LossResult] = field(default_factory=list)
    figures: list[plots.Figure] = field(default_factory=list)

    @property
    def status(self) -> int:
        return 422 if self.error else 200

    def summary(self) -> str:
        """One line for a screen reader after each change."""
        if self.error:
            return self.error
        return "; ".join(
            f"{r.key.upper()} {format_number(r.breakdown['loss'])}"
            if r.breakdown
            else f"{r.key.upper()} does not apply"
            for r in self.results
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "y_true": self.form["y_true"],
            "y_pred": self.form["y_pred"],
            "eps": self.form["eps"] or None,
            "error": self.error,
            "losses": [r.as_dict() for r in self.results],
            "figures": [f.as_dict() for f in self.figures],
        }


def two_classes(preds: list[float]) -> list[list[float]]:
    """Predictions p of class 1 as rows [1 − p, p] for categorical cross-entropy (see
    :data:`TWO_CLASSES`); raises ValueError, naming y_pred, for a p outside [0, 1]."""
    inputs.unit_bounds(np.asarray(preds, dtype=float), "y_pred", "probabilities")
    return [[1.0 - p, p] for p in preds]


def gradient_of_p(rows: list[list[float]]) -> list[float]:
    """The gradient for rows [1 − p, p] (see :func:`two_classes`) as one number per p, the
    shape the predictions came in: by the chain rule, d/dp = g[1] − g[0]."""
    return [second - first for first, second in rows]


# The engine's hints name its Python parameters; the labs and the API take probabilities.
_ENGINE_HINTS = {
    "; if these are raw scores (logits), pass from_logits=True": (
        "; if these are raw scores (logits), use their sigmoid (a probability) instead"
    ),
    ", or pass from_logits=True": "",
}


def in_api_words(message: str) -> str:
    """An engine message in the terms of the labs and the API: no parameter they lack."""
    for engine, api_words in _ENGINE_HINTS.items():
        message = message.replace(engine, api_words)
    return message


def _breakdown(key: str, y_true: Any, y_pred: Any, eps: float | None) -> LossResult:
    spec = losses.LOSSES[key]
    kwargs = {"eps": eps} if spec.uses_eps and eps is not None else {}
    try:
        return LossResult(
            key, spec.name, breakdown.breakdown(key, y_true, y_pred, **kwargs).as_dict()
        )
    except ValueError as exc:
        return LossResult(key, spec.name, why=in_api_words(str(exc)))


def loss_lab(y_true: str | None, y_pred: str | None, eps: str | None) -> LossLab:
    """MSE, MAE, BCE and CCE of the typed numbers, item by item, with their charts."""
    form = {
        "y_true": LOSS_DEFAULTS["y_true"] if y_true is None else y_true,
        "y_pred": LOSS_DEFAULTS["y_pred"] if y_pred is None else y_pred,
        "eps": (eps or "").strip(),
    }
    lab = LossLab(form)
    try:
        truths = parse_values(form["y_true"], "truths")
        preds = parse_values(form["y_pred"], "predictions")
        clip = _number(form["eps"], "eps") if form["eps"] else None
        if clip is not None:
            losses.binary_cross_entropy(1.0, 0.5, eps=clip)  # the engine checks eps
    except ValueError as exc:
        lab.error = str(exc)
        return lab
    flat = not isinstance(preds[0], list)
    for key in ("mse", "mae", "bce"):
        lab.results.append(_breakdown(key, truths, preds, clip))
    bce = lab.results[-1]
    if flat and bce.breakdown is None:
        lab.results.append(LossResult("cce", losses.LOSSES["cce"].name, why=bce.why))
    elif flat:
        cce = _breakdown("cce", truths, two_classes(preds), clip)
        cce.note = TWO_CLASSES
        lab.results.append(cce)
    else:
        lab.results.append(_breakdown("cce", truths, preds, clip))
    applying = [r for r in lab.results if r.breakdown]
    if not applying:
        # Rows of probabilities are meant for categorical cross-entropy: its reason is the one
        # that helps; otherwise the first loss's.
        why = lab.results[0].why if flat else lab.results[-1].why
        lab.error = f"None of the losses can score these numbers: {why}"
        return lab
    lab.figures = _loss_figures(lab.results, flat, truths, preds)
    return lab


def _loss_figures(
    results: list[LossResult], flat: bool, truths: Any, preds: Any
) -> list[plots.Figure]:
    by_key = {r.key: r for r in results}
    figures = []
    curves_from = by_key["bce"] if flat else by_key["cce"]
    if curves_from.breakdown:
        items = curves_from.breakdown["items"]
        marked = plots.marks_for(items, [], cce=curves_from.key == "cce")
        figures.append(plots.loss_curves("fig-curves", marked))
    if flat and by_key["mse"].breakdown:
        figure = plots.mse_vs_mae("fig-outlier", truths, preds)
        if figure:
            figures.append(figure)
    return figures


# --------------------------------------------------------------------------------------------
# The descent lab
# --------------------------------------------------------------------------------------------


@dataclass
class DescentLab:
    """The descent lab for one set of settings."""

    form: dict[str, str]
    error: str | None = None
    walk: descent.Walk | None = None
    figures: list[plots.Figure] = field(default_factory=list)

    @property
    def status(self) -> int:
        return 422 if self.error else 200

    @property
    def valley(self) -> descent.Valley:
        return descent.VALLEYS.get(self.form["valley"], descent.VALLEYS["toy"])

    def story(self) -> list[str]:
        """What happened, in words: overshoots, steps uphill, running away, or a calm walk."""
        walk = self.walk
        if walk is None:
            return []
        said = []
        if walk.overshoots:
            said.append(
                f"Overshoot: the learning rate {format_number(walk.lr)} is so large that "
                f"{_steps(walk.overshoots, len(walk.steps))} jumped right past the bottom of the "
                "valley, to "
                "the other side."
            )
        if walk.uphill:
            said.append(f"The loss went up, not down, on {_steps(walk.uphill, len(walk.steps))}.")
        if walk.ran_away:
            said.append(
                "The walk ran away: each step landed further from the bottom than the one "
                "before, so the lab stopped it. A smaller learning rate would settle."
            )
        elif not said:
            gap = abs(walk.end - walk.valley.bottom)
            said.append(
                "Every step went downhill without passing the bottom. "
                + (
                    "It has nearly arrived."
                    if gap < 0.05 * (1 + abs(walk.valley.bottom))
                    else "It is still some way off: a larger rate, or more steps, would get "
                    "there sooner."
                )
            )
        return said

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.form,
            "error": self.error,
            "walk": self.walk.as_dict() if self.walk else None,
            "story": self.story(),
            "figures": [f.as_dict() for f in self.figures],
        }


def _steps(numbers: list[int], total: int | None = None) -> str:
    if total is not None and len(numbers) == total and total > 1:
        return "every step"
    if len(numbers) > 8:
        return "steps " + ", ".join(str(n) for n in numbers[:7]) + f" and {len(numbers) - 7} more"
    shown = [str(n) for n in numbers]
    if len(shown) == 1:
        return f"step {shown[0]}"
    return "steps " + ", ".join(shown[:-1]) + " and " + shown[-1]


def descent_lab(
    valley: str | None, lr: str | None, start: str | None, steps: str | None
) -> DescentLab:
    """Gradient descent with the chosen settings, its story and its chart."""
    given = {"valley": valley, "lr": lr, "start": start, "steps": steps}
    form = {k: (v if v is not None else DESCENT_DEFAULTS[k]).strip() for k, v in given.items()}
    lab = DescentLab(form)
    try:
        lab.walk = descent.walk(
            form["valley"],
            lr=form["lr"].replace("−", "-"),
            start=form["start"].replace("−", "-"),
            steps=form["steps"],
        )
    except ValueError as exc:
        lab.error = str(exc)
        return lab
    lab.figures = [plots.descent_chart("fig-descent", lab.walk)]
    return lab
