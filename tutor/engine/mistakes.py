"""Typical mistakes: what a learner gets when they compute something the wrong way.

Numeric questions use these to recognise a wrong answer and explain it. Each function takes the
same arguments as the right computation and returns a Python float. Inputs are checked as
strictly as the right computation checks them (ValueError naming the argument), so a mistake is
never confused with bad input. Errors are ``y_pred - y_true`` (prediction minus truth), the sign
used in the worked examples.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tutor.engine.inputs import (
    cce_inputs,
    check_eps,
    check_rows_sum_to_one,
    learning_rate,
    neuron_inputs,
    number,
    pair,
    raise_nonfinite,
    unit_bounds,
    unit_number,
)
from tutor.engine.losses import EPS

__all__ = [
    "bce_log10",
    "bce_missing_minus",
    "bce_no_clipping",
    "bce_only_positive_term",
    "bce_sum_instead_of_mean",
    "bce_wrong_class",
    "cce_all_classes",
    "cce_log10",
    "cce_missing_minus",
    "cce_sum_instead_of_mean",
    "gradient_extra_sigmoid_derivative",
    "gradient_forgot_input",
    "gradient_sign_flipped",
    "gradient_z_sign_flipped",
    "mae_as_mse",
    "mae_forgot_absolute",
    "mae_sum_instead_of_mean",
    "mse_as_mae",
    "mse_forgot_to_square",
    "mse_sum_instead_of_mean",
    "mse_with_half",
    "rmse_instead_of_mse",
    "sigmoid_forgot_minus",
    "sigmoid_returned_z",
    "square_of_mean_error",
    "update_added_gradient",
    "update_forgot_learning_rate",
    "update_only_step",
    "weighted_sum_added_instead_of_multiplied",
    "weighted_sum_forgot_bias",
]


def _errors(y_true: Any, y_pred: Any) -> np.ndarray:
    t, p = pair(y_true, y_pred)
    d = p - t
    if not np.isfinite(d).all():
        raise_nonfinite((t, "y_true"), (p, "y_pred"))
    return d


def _bce_inputs(y_true: Any, y_pred: Any, eps: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Checked targets, raw probabilities and probabilities clipped to [eps, 1 - eps]."""
    eps = check_eps(eps)
    t, p = pair(y_true, y_pred)
    unit_bounds(t, "y_true", "targets")
    unit_bounds(p, "y_pred", "probabilities")
    return t, p, np.clip(p, eps, 1.0 - eps)


def _bce_terms(t: np.ndarray, p: np.ndarray, log: Any = np.log) -> np.ndarray:
    return -(t * log(p) + (1.0 - t) * log(1.0 - p))


def _cce_targets(y_true: Any, y_pred: Any, eps: Any) -> tuple[np.ndarray, np.ndarray]:
    """Checked (rows x classes) targets and probabilities clipped to [eps, 1 - eps]."""
    eps = check_eps(eps)
    p, labels, t = cce_inputs(y_true, y_pred)
    unit_bounds(p, "y_pred", "probabilities")
    check_rows_sum_to_one(p)
    if labels is not None:
        t = np.zeros_like(p)
        t[np.arange(p.shape[0]), labels] = 1.0
    else:
        unit_bounds(t, "y_true", "targets")
    return t, np.clip(p, eps, 1.0 - eps)


# --------------------------------------------------------------------------------------------
# Mean squared and mean absolute error
# --------------------------------------------------------------------------------------------


def mse_sum_instead_of_mean(y_true: Any, y_pred: Any) -> float:
    """Added up the squared errors and forgot to divide by the number of items."""
    d = _errors(y_true, y_pred)
    return float(np.sum(d * d))


def mse_as_mae(y_true: Any, y_pred: Any) -> float:
    """Computed the mean absolute error when the mean squared error was asked for."""
    return float(np.mean(np.abs(_errors(y_true, y_pred))))


def mae_as_mse(y_true: Any, y_pred: Any) -> float:
    """Computed the mean squared error when the mean absolute error was asked for."""
    d = _errors(y_true, y_pred)
    return float(np.mean(d * d))


def rmse_instead_of_mse(y_true: Any, y_pred: Any) -> float:
    """Took the square root of the mean squared error (RMSE) instead of stopping at the mean."""
    d = _errors(y_true, y_pred)
    return math.sqrt(float(np.mean(d * d)))


def square_of_mean_error(y_true: Any, y_pred: Any) -> float:
    """Averaged the signed errors first and squared the average, so errors cancelled out."""
    return float(np.mean(_errors(y_true, y_pred))) ** 2


def mse_forgot_to_square(y_true: Any, y_pred: Any) -> float:
    """Averaged the signed errors without squaring them (mean of y_pred - y_true)."""
    return float(np.mean(_errors(y_true, y_pred)))


def mse_with_half(y_true: Any, y_pred: Any) -> float:
    """Used the half-MSE convention, the mean of (y_pred - y_true)^2 / 2."""
    d = _errors(y_true, y_pred)
    return float(np.mean(d * d)) / 2.0


def mae_forgot_absolute(y_true: Any, y_pred: Any) -> float:
    """Averaged the signed errors without taking absolute values (mean of y_pred - y_true)."""
    return float(np.mean(_errors(y_true, y_pred)))


def mae_sum_instead_of_mean(y_true: Any, y_pred: Any) -> float:
    """Added up the absolute errors and forgot to divide by the number of items."""
    return float(np.sum(np.abs(_errors(y_true, y_pred))))


# --------------------------------------------------------------------------------------------
# Binary cross-entropy
# --------------------------------------------------------------------------------------------


def bce_missing_minus(y_true: Any, y_pred: Any, *, eps: Any = EPS) -> float:
    """Left out the leading minus sign, so the loss came out negative."""
    t, _, q = _bce_inputs(y_true, y_pred, eps)
    return -float(np.mean(_bce_terms(t, q)))


def bce_log10(y_true: Any, y_pred: Any, *, eps: Any = EPS) -> float:
    """Used the base-10 logarithm instead of the natural logarithm ln."""
    t, _, q = _bce_inputs(y_true, y_pred, eps)
    return float(np.mean(_bce_terms(t, q, np.log10)))


def bce_no_clipping(y_true: Any, y_pred: Any) -> float:
    """Took the logs without clipping, so a confident wrong prediction made the loss infinite.

    As when writing the loss class by class, a log whose weight is 0 is not evaluated (a true 1
    predicted at exactly 1 costs 0); a log of 0 that is needed makes the result ``inf``.
    """
    t, p = pair(y_true, y_pred)
    unit_bounds(t, "y_true", "targets")
    unit_bounds(p, "y_pred", "probabilities")
    with np.errstate(divide="ignore", invalid="ignore"):
        positive = np.where(t > 0.0, t * np.log(p), 0.0)
        negative = np.where(t < 1.0, (1.0 - t) * np.log(1.0 - p), 0.0)
    return -float(np.mean(positive + negative)) + 0.0  # no negative zero


def bce_wrong_class(y_true: Any, y_pred: Any, *, eps: Any = EPS) -> float:
    """Used -ln p for every item, also for true 0s, forgetting the (1 - y) ln(1 - p) branch."""
    _, _, q = _bce_inputs(y_true, y_pred, eps)
    return -float(np.mean(np.log(q)))


def bce_only_positive_term(y_true: Any, y_pred: Any, *, eps: Any = EPS) -> float:
    """Kept only -y ln p and dropped the (1 - y) ln(1 - p) term, so true 0s cost nothing."""
    t, _, q = _bce_inputs(y_true, y_pred, eps)
    return -float(np.mean(t * np.log(q)))


def bce_sum_instead_of_mean(y_true: Any, y_pred: Any, *, eps: Any = EPS) -> float:
    """Added up the per-item cross-entropies and forgot to divide by the number of items."""
    t, _, q = _bce_inputs(y_true, y_pred, eps)
    return float(np.sum(_bce_terms(t, q)))


# --------------------------------------------------------------------------------------------
# Categorical cross-entropy
# --------------------------------------------------------------------------------------------


def cce_all_classes(y_true: Any, y_pred: Any, *, eps: Any = EPS) -> float:
    """Summed -ln p over every class of a row, not only the true class (mean over rows)."""
    _, q = _cce_targets(y_true, y_pred, eps)
    return -float(np.mean(np.sum(np.log(q), axis=1)))


def cce_log10(y_true: Any, y_pred: Any, *, eps: Any = EPS) -> float:
    """Used the base-10 logarithm instead of the natural logarithm ln."""
    t, q = _cce_targets(y_true, y_pred, eps)
    return -float(np.mean(np.sum(t * np.log10(q), axis=1)))


def cce_missing_minus(y_true: Any, y_pred: Any, *, eps: Any = EPS) -> float:
    """Left out the leading minus sign, so the loss came out negative."""
    t, q = _cce_targets(y_true, y_pred, eps)
    return float(np.mean(np.sum(t * np.log(q), axis=1)))


def cce_sum_instead_of_mean(y_true: Any, y_pred: Any, *, eps: Any = EPS) -> float:
    """Added up the rows' cross-entropies and forgot to divide by the number of rows."""
    t, q = _cce_targets(y_true, y_pred, eps)
    return -float(np.sum(t * np.log(q)))


# --------------------------------------------------------------------------------------------
# The neuron: weighted sum, sigmoid, gradients and the update
# --------------------------------------------------------------------------------------------


def weighted_sum_forgot_bias(x: Any, w: Any, b: Any) -> float:
    """Computed w . x and forgot to add the bias b."""
    xs, ws, _ = neuron_inputs(x, w, b)
    return math.fsum((xs * ws).tolist())


def weighted_sum_added_instead_of_multiplied(x: Any, w: Any, b: Any) -> float:
    """Added inputs and weights, sum(x) + sum(w) + b, instead of multiplying them pairwise."""
    xs, ws, b = neuron_inputs(x, w, b)
    return math.fsum(xs.tolist()) + math.fsum(ws.tolist()) + b


def sigmoid_forgot_minus(z: Any) -> float:
    """Computed 1 / (1 + e^z), dropping the minus sign in the exponent (gives 1 - sigmoid)."""
    z = number(z, "z")
    if z <= 0.0:
        return 1.0 / (1.0 + math.exp(z))
    e = math.exp(-z)
    return e / (1.0 + e)


def sigmoid_returned_z(z: Any) -> float:
    """Stopped at the weighted sum z and never applied the sigmoid."""
    return number(z, "z")


def gradient_z_sign_flipped(p: Any, y: Any) -> float:
    """Wrote dL/dz as y - p instead of p - y."""
    return unit_number(y, "y") - unit_number(p, "p")


def gradient_extra_sigmoid_derivative(p: Any, y: Any) -> float:
    """Multiplied p - y by the sigmoid's derivative p (1 - p) again, as for a squared error."""
    p = unit_number(p, "p")
    return (p - unit_number(y, "y")) * p * (1.0 - p)


def gradient_sign_flipped(p: Any, y: Any, x: Any) -> float:
    """Wrote dL/dw as (y - p) x instead of (p - y) x."""
    return (unit_number(y, "y") - unit_number(p, "p")) * number(x, "x")


def gradient_forgot_input(p: Any, y: Any, x: Any) -> float:
    """Gave dL/dz = p - y as dL/dw, forgetting to multiply by the input x."""
    number(x, "x")
    return unit_number(p, "p") - unit_number(y, "y")


def update_added_gradient(w: Any, gradient: Any, lr: Any) -> float:
    """Stepped up the gradient, w + lr * gradient, instead of down it."""
    return number(w, "w") + learning_rate(lr) * number(gradient, "gradient")


def update_forgot_learning_rate(w: Any, gradient: Any, lr: Any) -> float:
    """Subtracted the whole gradient, w - gradient, without scaling it by the learning rate."""
    learning_rate(lr)
    return number(w, "w") - number(gradient, "gradient")


def update_only_step(w: Any, gradient: Any, lr: Any) -> float:
    """Gave the step lr * gradient instead of the new weight w - lr * gradient."""
    number(w, "w")
    return learning_rate(lr) * number(gradient, "gradient")
