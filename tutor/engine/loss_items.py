"""Computations for the loss lesson's newer questions, and the mistakes each one invites:
softmax and the loss from logits, a weighted cross-entropy, the mean and the median (the
best constant guess under MSE and under MAE), and the chain rule's product."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tutor.engine.inputs import number, vector
from tutor.engine.losses import EPS


def _logits(logits: Any, k: Any) -> tuple[np.ndarray, int]:
    z = vector(logits, "logits")
    index = int(number(k, "k"))
    if index != number(k, "k") or not 0 <= index < len(z):
        raise ValueError(f"k: a class index from 0 to {len(z) - 1}")
    return z, index


def softmax(logits: Any, k: Any) -> float:
    """The softmax probability of class ``k``: e^(z_k) / sum_j e^(z_j), computed stably."""
    z, index = _logits(logits, k)
    shifted = np.exp(z - z.max())
    return float(shifted[index] / shifted.sum())


def softmax_no_exponent(logits: Any, k: Any) -> float:
    """Divided the logit by the sum of the logits, without exponentiating."""
    z, index = _logits(logits, k)
    total = float(z.sum())
    return float(z[index] / total) if total else math.inf


def softmax_not_normalised(logits: Any, k: Any) -> float:
    """Exponentiated the logit but did not divide by the sum."""
    z, index = _logits(logits, k)
    return float(math.exp(z[index]))


def cce_logits(logits: Any, k: Any) -> float:
    """Cross-entropy from logits: -ln softmax_k = logsumexp(z) - z_k (no clipping needed)."""
    z, index = _logits(logits, k)
    top = z.max()
    return float(top + math.log(np.exp(z - top).sum()) - z[index])


def cce_logits_missing_minus(logits: Any, k: Any) -> float:
    """Left out the minus sign: ln p of the true class, a negative number."""
    return -cce_logits(logits, k)


def cce_logits_top_class(logits: Any, k: Any) -> float:
    """Scored the class with the largest logit instead of the true class."""
    z, _ = _logits(logits, k)
    return cce_logits(logits, int(np.argmax(z)))


def cce_logits_log10(logits: Any, k: Any) -> float:
    """Used log base 10 instead of the natural log."""
    return cce_logits(logits, k) / math.log(10)


def _weighted(y_true: Any, y_pred: Any, pos_weight: Any) -> tuple[np.ndarray, np.ndarray, float]:
    t, p = vector(y_true, "y_true"), vector(y_pred, "y_pred")
    if len(t) != len(p):
        raise ValueError(f"y_true and y_pred: {len(t)} truths for {len(p)} predictions")
    if not np.isin(t, (0.0, 1.0)).all():
        raise ValueError("y_true: each truth is 0 or 1")
    if ((p < 0) | (p > 1)).any():
        raise ValueError("y_pred: each prediction is a probability from 0 to 1")
    weight = number(pos_weight, "pos_weight")
    if weight <= 0:
        raise ValueError("pos_weight: a positive number")
    return t, np.clip(p, EPS, 1 - EPS), weight


def weighted_bce(y_true: Any, y_pred: Any, pos_weight: Any) -> float:
    """Binary cross-entropy with the positive class's terms weighted by ``pos_weight``:
    the mean of -[w y ln p + (1 - y) ln(1 - p)]. A missed positive costs w times more."""
    t, p, w = _weighted(y_true, y_pred, pos_weight)
    return float(np.mean(-(w * t * np.log(p) + (1 - t) * np.log(1 - p))))


def weighted_bce_unweighted(y_true: Any, y_pred: Any, pos_weight: Any) -> float:
    """Left out the weight: the plain binary cross-entropy."""
    return weighted_bce(y_true, y_pred, 1.0)


def weighted_bce_on_negatives(y_true: Any, y_pred: Any, pos_weight: Any) -> float:
    """Weighted the negative class's terms instead of the positive class's."""
    t, p, w = _weighted(y_true, y_pred, pos_weight)
    return float(np.mean(-(t * np.log(p) + w * (1 - t) * np.log(1 - p))))


def mean(values: Any) -> float:
    """The mean: the single guess with the lowest mean squared error."""
    return float(np.mean(vector(values, "values")))


def median(values: Any) -> float:
    """The median: the single guess with the lowest mean absolute error."""
    return float(np.median(vector(values, "values")))


def mean_instead_of_median(values: Any) -> float:
    """Took the mean, which minimises the squared error, not the absolute error."""
    return mean(values)


def median_instead_of_mean(values: Any) -> float:
    """Took the median, which minimises the absolute error, not the squared error."""
    return median(values)


def mid_range(values: Any) -> float:
    """Took halfway between the smallest and the largest value."""
    v = vector(values, "values")
    return float((v.min() + v.max()) / 2)


def chain(slopes: Any) -> float:
    """The chain rule: the product of the local slopes along the path."""
    return float(np.prod(vector(slopes, "slopes")))


def chain_added(slopes: Any) -> float:
    """Added the local slopes instead of multiplying them."""
    return float(np.sum(vector(slopes, "slopes")))


def chain_sign_flipped(slopes: Any) -> float:
    """Got the product with the wrong sign."""
    return -chain(slopes)


def chain_dropped_middle(slopes: Any) -> float:
    """Left out the middle slope (the activation's), multiplying only the outer ones."""
    s = vector(slopes, "slopes")
    if len(s) < 3:
        raise ValueError("slopes: leaving out a middle slope needs at least three slopes")
    return float(np.prod(np.delete(s, len(s) // 2)))
