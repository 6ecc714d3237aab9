"""The loss engine: losses, their gradients and the registry of losses.

Every function here is pure NumPy and works in float64. Arguments come in the order
``(y_true, y_pred)``, as in scikit-learn. The losses return a Python ``float``:

* :func:`mse` and :func:`mae` - the mean over every element (2-D multi-output included);
* :func:`binary_cross_entropy` - the mean over every element of
  ``-[y ln p + (1 - y) ln(1 - p)]``;
* :func:`categorical_cross_entropy` - the mean over rows of ``-sum_j y_j ln p_j``.

Probabilities are clipped to ``[eps, 1 - eps]`` before any logarithm is taken. The default
:data:`EPS` is ``1e-15``, the value used in the code on the seed course page, so a true 1
predicted as exactly 0 costs ``-ln(1e-15) ~= 34.539`` instead of infinity.

Gradients are gradients of the *mean* loss with respect to ``y_pred`` and have the shape of
``y_pred``. For the cross-entropies they are the derivative of the *clipped* loss: where
clipping changed a probability the loss does not depend on that probability any more, so its
gradient is exactly 0 (this is also what finite differences show). With ``from_logits=True`` the
gradient is taken with respect to the logits and clipping never happens.

Bad input raises :class:`ValueError` whose message names the argument (``y_true``, ``y_pred``
or ``eps``) and says what is wrong (the checks are in :mod:`tutor.engine.inputs`). Checks are
cheap on the normal path: a result is computed first and the inputs are only examined in
detail when the result or a fast min/max check shows that something is off.

Worked-example breakdowns, item by item, are in :mod:`tutor.engine.breakdown`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from tutor.engine.arrays import QUIET, dot, gather, row_max, row_sums, stable_sigmoid
from tutor.engine.inputs import (
    ROW_SUM_TOLERANCE,
    cce_inputs,
    check_eps,
    check_logits,
    check_rows_sum_to_one,
    pair,
    raise_nonfinite,
    shaped,
    unit_bounds,
)

__all__ = [
    "EPS",
    "ROW_SUM_TOLERANCE",
    "LOSSES",
    "LossSpec",
    "mse",
    "mae",
    "binary_cross_entropy",
    "categorical_cross_entropy",
    "mse_grad",
    "mae_grad",
    "binary_cross_entropy_grad",
    "categorical_cross_entropy_grad",
]

EPS = 1e-15
"""Default clipping bound for probabilities: the value used by the seed course page's code."""

# --------------------------------------------------------------------------------------------
# Losses
# --------------------------------------------------------------------------------------------


def mse(y_true: Any, y_pred: Any) -> float:
    """Mean squared error: the mean over all elements of ``(y_pred - y_true) ** 2``.

    >>> mse([260, 290, 200, 410], [250, 300, 180, 400])
    175.0
    """
    t, p = pair(y_true, y_pred)
    with np.errstate(**QUIET):
        d = p - t
        np.multiply(d, d, out=d)
        value = float(np.add.reduce(d, axis=None)) / d.size
    if not math.isfinite(value):
        raise_nonfinite((t, "y_true"), (p, "y_pred"))
    return value


def mae(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error: the mean over all elements of ``|y_pred - y_true|``."""
    t, p = pair(y_true, y_pred)
    with np.errstate(**QUIET):
        d = p - t
        np.abs(d, out=d)
        value = float(np.add.reduce(d, axis=None)) / d.size
    if not math.isfinite(value):
        raise_nonfinite((t, "y_true"), (p, "y_pred"))
    return value


def binary_cross_entropy(
    y_true: Any, y_pred: Any, *, eps: float = EPS, from_logits: bool = False
) -> float:
    """Binary cross-entropy, the mean over all elements of ``-[y ln p + (1 - y) ln(1 - p)]``.

    ``y_true`` holds targets in [0, 1] (0/1 labels or soft labels). ``y_pred`` holds
    probabilities in [0, 1], which are clipped to ``[eps, 1 - eps]`` before the logs; the default
    ``eps`` is :data:`EPS` = 1e-15, the seed course page's value. With ``from_logits=True``
    ``y_pred`` holds logits ``z`` and the loss is computed as
    ``max(z, 0) - y z + ln(1 + e^-|z|)`` (stable softplus), with no clipping.

    >>> round(binary_cross_entropy([1, 0, 1, 0], [0.9, 0.1, 0.8, 0.3]), 4)
    0.1976
    """
    eps = check_eps(eps)
    t, p = pair(y_true, y_pred)
    unit_bounds(t, "y_true", "targets")
    if from_logits:
        with np.errstate(**QUIET):
            # max(z, 0) - y z and ln(1 + e^-|z|) are both >= 0, so their sums can be added
            # without losing the small terms (a true 1 at z = 40 costs e^-40, not 0).
            linear = np.maximum(p, 0.0)
            linear -= t * p
            soft = np.abs(p)
            np.negative(soft, out=soft)
            np.exp(soft, out=soft)
            np.log1p(soft, out=soft)
            total = float(np.add.reduce(linear, axis=None)) + float(np.add.reduce(soft, axis=None))
            value = total / p.size
        if not math.isfinite(value):
            raise_nonfinite((p, "y_pred"))
        return value
    lo, hi = unit_bounds(p, "y_pred", "probabilities")
    if lo < eps or hi > 1.0 - eps:
        p = np.clip(p, eps, 1.0 - eps)
    p = p.ravel()
    t = t.ravel()
    # Two buffers in all: ln p, reused for 1 - y, and ln(1 - p).
    buffer = np.log(p)
    total = dot(t, buffer)
    log_q = np.negative(p)
    np.log1p(log_q, out=log_q)
    np.subtract(1.0, t, out=buffer)
    total += dot(buffer, log_q)
    return -total / p.size


def categorical_cross_entropy(
    y_true: Any, y_pred: Any, *, eps: float = EPS, from_logits: bool = False
) -> float:
    """Categorical cross-entropy, the mean over rows of ``-sum_j y_j ln p_j``.

    ``y_pred`` is 2-D, one row per example. ``y_true`` is either a 1-D array of integer class
    labels (one per row) or a 2-D array of one-hot or probability rows with ``y_pred``'s shape.
    Rows of ``y_pred`` must be probability distributions (each sums to 1 within
    :data:`ROW_SUM_TOLERANCE`; they are never rescaled) and are clipped to ``[eps, 1 - eps]``
    before the log, the default ``eps`` being :data:`EPS` = 1e-15 as on the seed course page.
    With ``from_logits=True`` the rows are logits and ``ln softmax`` is computed with the
    log-sum-exp trick, with no clipping.
    """
    eps = check_eps(eps)
    p, labels, t = cce_inputs(y_true, y_pred)
    n = p.shape[0]
    if from_logits:
        check_logits(p, thorough=False)
        if labels is None:
            unit_bounds(t, "y_true", "targets")
        with np.errstate(**QUIET):
            # -sum_j y_j ln softmax_j = ln(sum_j e^s_j) sum_j y_j - sum_j y_j s_j, s = z - max z.
            # Both parts are >= 0 (s <= 0), so adding them up loses no precision.
            shifted = p - row_max(p)[:, None]
            if labels is not None:
                total = -float(np.add.reduce(gather(shifted, labels)))
            else:
                total = -dot(t.ravel(), shifted.ravel())
            np.exp(shifted, out=shifted)
            log_norm = row_sums(shifted)
            np.log(log_norm, out=log_norm)
            if labels is not None:
                total += float(np.add.reduce(log_norm))
            else:
                total += dot(row_sums(t), log_norm)
            value = total / n
        if not math.isfinite(value):
            raise_nonfinite((p, "y_pred"))
        return value
    lo, hi = unit_bounds(p, "y_pred", "probabilities")
    sums = check_rows_sum_to_one(p)
    clip = lo < eps or hi > 1.0 - eps
    if labels is not None:
        chosen = gather(p, labels, out=sums)
        if clip:
            np.clip(chosen, eps, 1.0 - eps, out=chosen)
        np.log(chosen, out=chosen)
        return -float(np.add.reduce(chosen)) / n
    del sums
    unit_bounds(t, "y_true", "targets")
    if clip:
        log_p = np.clip(p, eps, 1.0 - eps)
        np.log(log_p, out=log_p)
    else:
        log_p = np.log(p)
    return -dot(t.ravel(), log_p.ravel()) / n + 0.0  # + 0.0: targets all 0 give 0, not -0


# --------------------------------------------------------------------------------------------
# Gradients of the mean loss
# --------------------------------------------------------------------------------------------


def _difference(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t, p = pair(y_true, y_pred)
    with np.errstate(**QUIET):
        d = p - t
    if not np.isfinite(d).all():
        raise_nonfinite((t, "y_true"), (p, "y_pred"))
    return t, p, d


def mse_grad(y_true: Any, y_pred: Any) -> np.ndarray:
    """Gradient of :func:`mse` with respect to ``y_pred``: ``2 (y_pred - y_true) / n``."""
    _, p, d = _difference(y_true, y_pred)
    d *= 2.0 / p.size
    return shaped(d, y_pred)


def mae_grad(y_true: Any, y_pred: Any) -> np.ndarray:
    """Gradient of :func:`mae` w.r.t. ``y_pred``: ``sign(y_pred - y_true) / n`` (0 where equal).

    At an exact tie the absolute value has a kink; the subgradient 0 is used there.
    """
    _, p, d = _difference(y_true, y_pred)
    g = np.sign(d)
    g /= p.size
    return shaped(g, y_pred)


def binary_cross_entropy_grad(
    y_true: Any, y_pred: Any, *, eps: float = EPS, from_logits: bool = False
) -> np.ndarray:
    """Gradient of :func:`binary_cross_entropy` (the mean) with respect to ``y_pred``.

    For probabilities it is ``(p - y) / (p (1 - p)) / n``, and exactly 0 wherever clipping to
    ``[eps, 1 - eps]`` changed ``p`` (the clipped loss is flat there). With
    ``from_logits=True`` it is the gradient with respect to the logits,
    ``(sigmoid(z) - y) / n``.
    """
    eps = check_eps(eps)
    t, p = pair(y_true, y_pred)
    unit_bounds(t, "y_true", "targets")
    n = p.size
    if from_logits:
        check_logits(p, thorough=True)
        g = stable_sigmoid(p)
        g -= t
        g /= n
        return shaped(g, y_pred)
    unit_bounds(p, "y_pred", "probabilities")
    clipped = (p < eps) | (p > 1.0 - eps)
    with np.errstate(**QUIET):
        g = (p - t) / (p * (1.0 - p))
    g[clipped] = 0.0
    g /= n
    return shaped(g, y_pred)


def categorical_cross_entropy_grad(
    y_true: Any, y_pred: Any, *, eps: float = EPS, from_logits: bool = False
) -> np.ndarray:
    """Gradient of :func:`categorical_cross_entropy` (the mean over rows) w.r.t. ``y_pred``.

    For probabilities it is ``-y / (p n_rows)`` element by element, and exactly 0 wherever
    clipping to ``[eps, 1 - eps]`` changed ``p``. It is the plain partial derivative: it does not
    project onto rows summing to 1. With ``from_logits=True`` it is the gradient with respect to
    the logits, ``(softmax(z) - y) / n_rows`` (``softmax(z) sum_j(y_j) - y`` for targets whose
    rows do not sum to 1).
    """
    eps = check_eps(eps)
    p, labels, t = cce_inputs(y_true, y_pred)
    n = p.shape[0]
    rows = np.arange(n)
    if from_logits:
        check_logits(p, thorough=True)
        e = np.exp(p - row_max(p)[:, None])
        softmax = e / row_sums(e)[:, None]
        if labels is not None:
            softmax[rows, labels] -= 1.0
            g = softmax
        else:
            unit_bounds(t, "y_true", "targets")
            g = softmax * row_sums(t)[:, None] - t
        g /= n
        return g
    unit_bounds(p, "y_pred", "probabilities")
    check_rows_sum_to_one(p)
    if labels is not None:
        chosen = p[rows, labels]
        active = (chosen >= eps) & (chosen <= 1.0 - eps)
        g = np.zeros_like(p)
        g[rows[active], labels[active]] = -1.0 / (n * chosen[active])
        return g
    unit_bounds(t, "y_true", "targets")
    with np.errstate(**QUIET):
        g = -t / (n * p)
    g[(p < eps) | (p > 1.0 - eps)] = 0.0
    return g


# --------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LossSpec:
    """A loss as the rest of the app sees it."""

    key: str
    name: str
    loss: Callable[..., float]
    grad: Callable[..., np.ndarray]
    uses_eps: bool


LOSSES: Mapping[str, LossSpec] = MappingProxyType(
    {
        "mse": LossSpec("mse", "Mean squared error", mse, mse_grad, False),
        "mae": LossSpec("mae", "Mean absolute error", mae, mae_grad, False),
        "bce": LossSpec(
            "bce", "Binary cross-entropy", binary_cross_entropy, binary_cross_entropy_grad, True
        ),
        "cce": LossSpec(
            "cce",
            "Categorical cross-entropy",
            categorical_cross_entropy,
            categorical_cross_entropy_grad,
            True,
        ),
    }
)
