"""Worked examples: a loss broken down item by item, with the mean and the gradient.

:func:`breakdown` gives each item's prediction, truth, error and term, whether clipping changed
it, the loss (the mean of the terms) and the gradient of the mean loss. The loss and the
gradient are those :mod:`tutor.engine.losses` computes, and the inputs pass the same checks;
the values are plain Python floats, ready for a page or ``json.dumps``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tutor.engine.arrays import F64
from tutor.engine.inputs import cce_inputs, check_eps, pair
from tutor.engine.losses import EPS, LOSSES

__all__ = ["Breakdown", "BreakdownItem", "breakdown"]


def _plain(value: float) -> float:
    """A Python float with negative zero turned into zero (it reads oddly on a page)."""
    return float(value) + 0.0


def _nested(arr: np.ndarray) -> tuple:
    if arr.ndim == 1:
        return tuple(_plain(v) for v in arr.tolist())
    return tuple(_nested(row) for row in arr)


def _listify(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_listify(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class BreakdownItem:
    """One item of a worked example.

    For MSE, MAE and BCE an item is one element (flattened order for 2-D inputs):
    ``error = prediction - truth`` and ``term`` is its squared error, absolute error or
    ``-[y ln p + (1 - y) ln(1 - p)]``. For CCE an item is a row: ``truth`` is the true class
    index (the largest target for soft-label rows), ``prediction`` the probability given to that
    class, ``error = prediction - target`` (``prediction - 1`` for one-hot and label targets)
    and ``term = -sum_j y_j ln p_j``. ``clipped`` tells whether clipping changed a probability
    that enters the term, and ``clipped_to`` is then the value used for ``prediction``.
    """

    index: int
    prediction: float
    truth: float | int
    error: float
    term: float
    clipped: bool
    clipped_to: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "prediction": self.prediction,
            "truth": self.truth,
            "error": self.error,
            "term": self.term,
            "clipped": self.clipped,
            "clipped_to": self.clipped_to,
        }


@dataclass(frozen=True, slots=True)
class Breakdown:
    """A worked example: every item's term, the mean (the loss) and the gradient.

    ``loss`` is the value the loss function returns; ``eps`` is ``None`` for losses that do not
    clip; ``clipped`` is true when any item was clipped; ``gradient`` is the gradient of the
    mean loss with respect to ``y_pred`` as nested tuples of floats.
    """

    loss_name: str
    items: tuple[BreakdownItem, ...]
    loss: float
    eps: float | None
    clipped: bool
    gradient: tuple

    def as_dict(self) -> dict[str, Any]:
        """Plain dicts, lists, floats, ints, bools and None, ready for ``json.dumps``."""
        return {
            "loss_name": self.loss_name,
            "items": [item.as_dict() for item in self.items],
            "loss": self.loss,
            "eps": self.eps,
            "clipped": self.clipped,
            "gradient": _listify(self.gradient),
        }


def breakdown(name: str, y_true: Any, y_pred: Any, *, eps: float = EPS) -> Breakdown:
    """Break the loss ``name`` (a key of :data:`LOSSES`) down item by item.

    ``y_pred`` holds predictions or probabilities (not logits). ``eps`` (default :data:`EPS`,
    1e-15 as on the seed course page) is used by the cross-entropies and ignored otherwise.
    """
    spec = LOSSES.get(name) if isinstance(name, str) else None
    if spec is None:
        raise ValueError(f"name must be one of {', '.join(LOSSES)}, got {name!r}")
    if spec.uses_eps:
        eps = check_eps(eps)
        value = spec.loss(y_true, y_pred, eps=eps)
        gradient = spec.grad(y_true, y_pred, eps=eps)
    else:
        value = spec.loss(y_true, y_pred)
        gradient = spec.grad(y_true, y_pred)
    if name == "cce":
        items = _cce_items(y_true, y_pred, eps)
    else:
        t, p = pair(y_true, y_pred)
        items = _elementwise_items(name, t.ravel(), p.ravel(), eps)
    return Breakdown(
        loss_name=spec.name,
        items=items,
        loss=_plain(value),
        eps=eps if spec.uses_eps else None,
        clipped=any(item.clipped for item in items),
        gradient=_nested(np.atleast_1d(gradient)),
    )


def _elementwise_items(
    name: str, t: np.ndarray, p: np.ndarray, eps: float
) -> tuple[BreakdownItem, ...]:
    errors = p - t
    clipped = np.zeros(p.shape, dtype=bool)
    used = p
    if name == "mse":
        terms = errors * errors
    elif name == "mae":
        terms = np.abs(errors)
    else:
        clipped = (p < eps) | (p > 1.0 - eps)
        used = np.clip(p, eps, 1.0 - eps)
        terms = -(t * np.log(used) + (1.0 - t) * np.log1p(-used))
    return tuple(
        BreakdownItem(
            index=i,
            prediction=_plain(p[i]),
            truth=_plain(t[i]),
            error=_plain(errors[i]),
            term=_plain(terms[i]),
            clipped=bool(clipped[i]),
            clipped_to=_plain(used[i]) if clipped[i] else None,
        )
        for i in range(p.size)
    )


def _cce_items(y_true: Any, y_pred: Any, eps: float) -> tuple[BreakdownItem, ...]:
    p, labels, t = cce_inputs(y_true, y_pred)
    n, k = p.shape
    if labels is not None:
        t = np.zeros_like(p)
        t[np.arange(n), labels] = 1.0
    else:
        t = t.astype(F64, copy=False)
        labels = np.argmax(t, axis=1)
    used = np.clip(p, eps, 1.0 - eps)
    changed = (p < eps) | (p > 1.0 - eps)
    log_used = np.log(used)
    items = []
    for i in range(n):
        c = int(labels[i])
        weights = t[i]
        row_clipped = bool((changed[i] & (weights > 0)).any())
        items.append(
            BreakdownItem(
                index=i,
                prediction=_plain(p[i, c]),
                truth=c,
                error=_plain(p[i, c] - weights[c]),
                term=_plain(-float(np.dot(weights, log_used[i]))),
                clipped=row_clipped,
                clipped_to=_plain(used[i, c]) if row_clipped else None,
            )
        )
    return tuple(items)
