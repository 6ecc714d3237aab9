"""The loss engine: losses, their gradients, input checks and worked-example breakdowns.

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
or ``eps``) and says what is wrong. Checks are cheap on the normal path: a result is computed
first and the inputs are only examined in detail when the result or a fast min/max check
shows that something is off.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

__all__ = [
    "EPS",
    "ROW_SUM_TOLERANCE",
    "LOSSES",
    "LossSpec",
    "Breakdown",
    "BreakdownItem",
    "breakdown",
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

ROW_SUM_TOLERANCE = 1e-6
"""How far a row of predicted probabilities may sum away from 1 before it is rejected."""

_F64 = np.dtype(np.float64)
_NUMERIC_KINDS = "biuf"
_QUIET = {"all": "ignore"}
# Row sums and row maxima over a short last axis are much faster column by column.
_COLUMN_LOOP_MAX = 16
# Above this length np.dot may hand the work to BLAS threads, which costs more than it saves
# on freshly computed data; einsum's single-threaded loop is then faster.
_DOT_BLAS_MAX = 8192


# --------------------------------------------------------------------------------------------
# Input conversion and diagnostics
# --------------------------------------------------------------------------------------------


def _array(value: Any, name: str) -> np.ndarray:
    """Return ``value`` as a float64 array, without copying when it already is one."""
    if type(value) is np.ndarray and value.dtype == _F64:
        return value
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be a number or a regular (rectangular) array of numbers; "
            f"it could not be read as one ({exc})"
        ) from None
    if arr.dtype.kind not in _NUMERIC_KINDS:
        raise ValueError(
            f"{name} must hold numbers, but it holds {_kind_text(arr)}; "
            "convert the values to numbers first"
        )
    return arr.astype(_F64, copy=False)


def _kind_text(arr: np.ndarray) -> str:
    kind = arr.dtype.kind
    if kind in "US":
        return "text (strings)"
    if kind == "c":
        return "complex numbers"
    if kind == "O":
        return "Python objects (for example None, nested sequences of different lengths or text)"
    return f"values of type {arr.dtype}"


def _where(arr: np.ndarray, flat_index: int) -> str:
    if arr.ndim <= 1:
        return f"index {flat_index}"
    position = np.unravel_index(flat_index, arr.shape)
    if arr.ndim == 2:
        return f"row {position[0]}, column {position[1]}"
    return "index (" + ", ".join(str(int(i)) for i in position) + ")"


def _nonfinite_message(arr: np.ndarray, name: str) -> str | None:
    bad = ~np.isfinite(arr)
    if not bad.any():
        return None
    i = int(np.flatnonzero(bad)[0])
    value = arr.flat[i]
    what = "NaN (not a number)" if np.isnan(value) else f"{float(value)} (infinity)"
    return f"{name} contains {what} at {_where(arr, i)}; every value must be a finite number"


def _raise_nonfinite(*named: tuple[np.ndarray, str]) -> None:
    """Explain a non-finite result: name the argument holding NaN/inf, else report overflow."""
    for arr, name in named:
        message = _nonfinite_message(arr, name)
        if message is not None:
            raise ValueError(message)
    names = " and ".join(name for _, name in named)
    verb = "hold" if len(named) > 1 else "holds"
    raise ValueError(f"{names} {verb} values so large that the loss overflows float64")


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Convert and check two same-shaped, non-empty arrays (single numbers become length 1)."""
    t = _array(y_true, "y_true")
    p = _array(y_pred, "y_pred")
    if t.shape != p.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape, but y_true has shape {t.shape} "
            f"and y_pred has shape {p.shape}"
        )
    if p.size == 0:
        raise ValueError("y_true and y_pred are empty; a loss needs at least one prediction")
    if p.ndim == 0:
        return t.reshape(1), p.reshape(1)
    return t, p


def _shaped(g: np.ndarray, y_pred: Any) -> np.ndarray:
    """Give a gradient computed on length-1 arrays the 0-d shape of a single-number y_pred."""
    if g.shape == (1,) and np.ndim(y_pred) == 0:
        return g.reshape(())
    return g


def _check_eps(eps: Any) -> float:
    if type(eps) is float and 0.0 < eps < 0.5:
        return eps
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real):
        raise ValueError(f"eps must be a number strictly between 0 and 0.5, got {eps!r}")
    value = float(eps)
    if not 0.0 < value < 0.5:
        raise ValueError(f"eps must be strictly between 0 and 0.5, got {eps!r}")
    return value


def _unit_bounds(arr: np.ndarray, name: str, role: str) -> tuple[float, float]:
    """Fast check that every value is in [0, 1] (NaN fails it too); returns (min, max)."""
    lo = np.minimum.reduce(arr, axis=None)
    hi = np.maximum.reduce(arr, axis=None)
    if lo >= 0.0 and hi <= 1.0:
        return lo, hi
    message = _nonfinite_message(arr, name)
    if message is None:
        bad = (arr < 0.0) | (arr > 1.0)
        i = int(np.flatnonzero(bad)[0])
        value = float(arr.flat[i])
        if role == "probabilities":
            message = (
                f"{name} must hold probabilities in [0, 1], but {name} has {value!r} at "
                f"{_where(arr, i)}; if these are raw scores (logits), pass from_logits=True"
            )
        else:
            message = (
                f"{name} must hold targets in [0, 1] (hard labels 0 and 1, or soft labels such "
                f"as 0.7), but {name} has {value!r} at {_where(arr, i)}"
            )
    raise ValueError(message)


def _row_sums(a: np.ndarray) -> np.ndarray:
    k = a.shape[1]
    if k == 1:
        return a[:, 0].copy()
    if k > _COLUMN_LOOP_MAX:
        return np.add.reduce(a, axis=1)
    s = a[:, 0] + a[:, 1]
    for j in range(2, k):
        s += a[:, j]
    return s


def _row_max(a: np.ndarray) -> np.ndarray:
    k = a.shape[1]
    if k == 1 or k > _COLUMN_LOOP_MAX:
        return np.maximum.reduce(a, axis=1)
    m = np.maximum(a[:, 0], a[:, 1])
    for j in range(2, k):
        np.maximum(m, a[:, j], out=m)
    return m


def _check_rows_sum_to_one(p: np.ndarray) -> np.ndarray:
    """Reject rows of ``p`` not summing to 1; returns the row sums (a fresh array)."""
    sums = _row_sums(p)
    lo = np.minimum.reduce(sums)
    hi = np.maximum.reduce(sums)
    if lo >= 1.0 - ROW_SUM_TOLERANCE and hi <= 1.0 + ROW_SUM_TOLERANCE:
        return sums
    i = int(np.argmax(np.abs(sums - 1.0)))
    raise ValueError(
        f"y_pred row {i} sums to {float(sums[i])!r}, not 1 (tolerance {ROW_SUM_TOLERANCE:g}): "
        "each row of y_pred must be a probability distribution over the classes. "
        "It is not rescaled for you; apply softmax to raw scores first, or pass "
        "from_logits=True"
    )


def _cce_inputs(
    y_true: Any, y_pred: Any
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Convert CCE inputs into ``(y_pred, labels, targets)``.

    ``labels`` is an integer vector when ``y_true`` is 1-D (class labels) and ``targets`` is
    then ``None``; otherwise ``labels`` is ``None`` and ``targets`` is the 2-D float64 array of
    one-hot or probability rows (not yet range-checked).
    """
    p = _array(y_pred, "y_pred")
    if p.ndim != 2:
        raise ValueError(
            f"y_pred must be 2-D (one row of class probabilities or logits per example), "
            f"but it has shape {p.shape}"
        )
    n, k = p.shape
    if n == 0 or k == 0:
        raise ValueError(f"y_pred is empty (shape {p.shape}); a loss needs at least one row")
    if type(y_true) is np.ndarray and y_true.dtype == _F64 and y_true.ndim == 2:
        t = y_true
    else:
        try:
            t = np.asarray(y_true)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                "y_true must be a 1-D array of class labels or a 2-D array of target "
                f"probabilities; it could not be read as an array of numbers ({exc})"
            ) from None
        if t.dtype.kind not in _NUMERIC_KINDS:
            raise ValueError(f"y_true must hold numbers, but it holds {_kind_text(t)}")
    if t.ndim == 1:
        if t.shape[0] != n:
            raise ValueError(
                f"y_true holds {t.shape[0]} class labels but y_pred has {n} rows; "
                "give one label per row"
            )
        return p, _labels(t, k), None
    if t.shape != p.shape:
        raise ValueError(
            f"y_true must be 1-D class labels of length {n} or 2-D targets with the shape of "
            f"y_pred {p.shape}, but y_true has shape {t.shape}"
        )
    return p, None, t.astype(_F64, copy=False)


def _labels(t: np.ndarray, k: int) -> np.ndarray:
    if t.dtype.kind == "f":
        with np.errstate(**_QUIET):
            whole = t == np.floor(t)  # False for NaN and infinity
        if not whole.all():
            i = int(np.flatnonzero(~whole)[0])
            value = float(t[i])
            what = "is not a whole number" if math.isfinite(value) else "is not a finite number"
            raise ValueError(
                f"y_true holds class labels (it is 1-D), but y_true[{i}] = {value!r} {what}; "
                "labels are class indices 0, 1, 2, ..."
            )
    lo = np.minimum.reduce(t)
    hi = np.maximum.reduce(t)
    if not (lo >= 0 and hi < k):
        bad = (t < 0) | (t >= k)
        i = int(np.flatnonzero(bad)[0])
        value = t[i].item()
        raise ValueError(
            f"y_true[{i}] = {value!r} is not a class label for y_pred's {k} classes; "
            f"labels must be whole numbers from 0 to {k - 1}"
        )
    return t.astype(np.intp, copy=False)


def _gather(p: np.ndarray, labels: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The entry of each row of ``p`` at that row's (valid) label, written to ``out`` if given."""
    n, k = p.shape
    if not p.flags.c_contiguous:
        return p[np.arange(n), labels]
    flat = np.arange(0, n * k, k)
    flat += labels
    return np.take(p.ravel(), flat, out=out, mode="clip")


def _check_logits(z: np.ndarray, thorough: bool) -> None:
    """Reject NaN/inf logits; the quick form only catches what a result check would miss."""
    # Quick form: +inf and NaN already make the loss NaN; -inf may hide behind exp(-inf) = 0.
    if thorough:
        if not np.isfinite(z).all():
            _raise_nonfinite((z, "y_pred"))
    elif not math.isfinite(np.minimum.reduce(z, axis=None)):
        _raise_nonfinite((z, "y_pred"))


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Inner product of two 1-D float64 arrays of equal length."""
    if a.size <= _DOT_BLAS_MAX:
        return float(np.dot(a, b))
    return float(np.einsum("i,i->", a, b))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function of a float64 array (no overflow warnings)."""
    e = np.exp(-np.abs(z))
    r = 1.0 / (1.0 + e)
    return np.where(z >= 0, r, e * r)


# --------------------------------------------------------------------------------------------
# Losses
# --------------------------------------------------------------------------------------------


def mse(y_true: Any, y_pred: Any) -> float:
    """Mean squared error: the mean over all elements of ``(y_pred - y_true) ** 2``.

    >>> mse([260, 290, 200, 410], [250, 300, 180, 400])
    175.0
    """
    t, p = _pair(y_true, y_pred)
    with np.errstate(**_QUIET):
        d = p - t
        np.multiply(d, d, out=d)
        value = float(np.add.reduce(d, axis=None)) / d.size
    if not math.isfinite(value):
        _raise_nonfinite((t, "y_true"), (p, "y_pred"))
    return value


def mae(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error: the mean over all elements of ``|y_pred - y_true|``."""
    t, p = _pair(y_true, y_pred)
    with np.errstate(**_QUIET):
        d = p - t
        np.abs(d, out=d)
        value = float(np.add.reduce(d, axis=None)) / d.size
    if not math.isfinite(value):
        _raise_nonfinite((t, "y_true"), (p, "y_pred"))
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
    eps = _check_eps(eps)
    t, p = _pair(y_true, y_pred)
    _unit_bounds(t, "y_true", "targets")
    if from_logits:
        with np.errstate(**_QUIET):
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
            _raise_nonfinite((p, "y_pred"))
        return value
    lo, hi = _unit_bounds(p, "y_pred", "probabilities")
    if lo < eps or hi > 1.0 - eps:
        p = np.clip(p, eps, 1.0 - eps)
    p = p.ravel()
    t = t.ravel()
    # Two buffers in all: ln p, reused for 1 - y, and ln(1 - p).
    buffer = np.log(p)
    total = _dot(t, buffer)
    log_q = np.negative(p)
    np.log1p(log_q, out=log_q)
    np.subtract(1.0, t, out=buffer)
    total += _dot(buffer, log_q)
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
    eps = _check_eps(eps)
    p, labels, t = _cce_inputs(y_true, y_pred)
    n = p.shape[0]
    if from_logits:
        _check_logits(p, thorough=False)
        if labels is None:
            _unit_bounds(t, "y_true", "targets")
        with np.errstate(**_QUIET):
            # -sum_j y_j ln softmax_j = ln(sum_j e^s_j) sum_j y_j - sum_j y_j s_j, s = z - max z.
            # Both parts are >= 0 (s <= 0), so adding them up loses no precision.
            shifted = p - _row_max(p)[:, None]
            if labels is not None:
                total = -float(np.add.reduce(_gather(shifted, labels)))
            else:
                total = -_dot(t.ravel(), shifted.ravel())
            np.exp(shifted, out=shifted)
            log_norm = _row_sums(shifted)
            np.log(log_norm, out=log_norm)
            if labels is not None:
                total += float(np.add.reduce(log_norm))
            else:
                total += _dot(_row_sums(t), log_norm)
            value = total / n
        if not math.isfinite(value):
            _raise_nonfinite((p, "y_pred"))
        return value
    lo, hi = _unit_bounds(p, "y_pred", "probabilities")
    sums = _check_rows_sum_to_one(p)
    clip = lo < eps or hi > 1.0 - eps
    if labels is not None:
        chosen = _gather(p, labels, out=sums)
        if clip:
            np.clip(chosen, eps, 1.0 - eps, out=chosen)
        np.log(chosen, out=chosen)
        return -float(np.add.reduce(chosen)) / n
    del sums
    _unit_bounds(t, "y_true", "targets")
    if clip:
        log_p = np.clip(p, eps, 1.0 - eps)
        np.log(log_p, out=log_p)
    else:
        log_p = np.log(p)
    return -_dot(t.ravel(), log_p.ravel()) / n


# --------------------------------------------------------------------------------------------
# Gradients of the mean loss
# --------------------------------------------------------------------------------------------


def _difference(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t, p = _pair(y_true, y_pred)
    with np.errstate(**_QUIET):
        d = p - t
    if not np.isfinite(d).all():
        _raise_nonfinite((t, "y_true"), (p, "y_pred"))
    return t, p, d


def mse_grad(y_true: Any, y_pred: Any) -> np.ndarray:
    """Gradient of :func:`mse` with respect to ``y_pred``: ``2 (y_pred - y_true) / n``."""
    _, p, d = _difference(y_true, y_pred)
    d *= 2.0 / p.size
    return _shaped(d, y_pred)


def mae_grad(y_true: Any, y_pred: Any) -> np.ndarray:
    """Gradient of :func:`mae` w.r.t. ``y_pred``: ``sign(y_pred - y_true) / n`` (0 where equal).

    At an exact tie the absolute value has a kink; the subgradient 0 is used there.
    """
    _, p, d = _difference(y_true, y_pred)
    g = np.sign(d)
    g /= p.size
    return _shaped(g, y_pred)


def binary_cross_entropy_grad(
    y_true: Any, y_pred: Any, *, eps: float = EPS, from_logits: bool = False
) -> np.ndarray:
    """Gradient of :func:`binary_cross_entropy` (the mean) with respect to ``y_pred``.

    For probabilities it is ``(p - y) / (p (1 - p)) / n``, and exactly 0 wherever clipping to
    ``[eps, 1 - eps]`` changed ``p`` (the clipped loss is flat there). With
    ``from_logits=True`` it is the gradient with respect to the logits,
    ``(sigmoid(z) - y) / n``.
    """
    eps = _check_eps(eps)
    t, p = _pair(y_true, y_pred)
    _unit_bounds(t, "y_true", "targets")
    n = p.size
    if from_logits:
        _check_logits(p, thorough=True)
        g = _sigmoid(p)
        g -= t
        g /= n
        return _shaped(g, y_pred)
    _unit_bounds(p, "y_pred", "probabilities")
    clipped = (p < eps) | (p > 1.0 - eps)
    with np.errstate(**_QUIET):
        g = (p - t) / (p * (1.0 - p))
    g[clipped] = 0.0
    g /= n
    return _shaped(g, y_pred)


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
    eps = _check_eps(eps)
    p, labels, t = _cce_inputs(y_true, y_pred)
    n = p.shape[0]
    rows = np.arange(n)
    if from_logits:
        _check_logits(p, thorough=True)
        e = np.exp(p - _row_max(p)[:, None])
        softmax = e / _row_sums(e)[:, None]
        if labels is not None:
            softmax[rows, labels] -= 1.0
            g = softmax
        else:
            _unit_bounds(t, "y_true", "targets")
            g = softmax * _row_sums(t)[:, None] - t
        g /= n
        return g
    _unit_bounds(p, "y_pred", "probabilities")
    _check_rows_sum_to_one(p)
    if labels is not None:
        chosen = p[rows, labels]
        active = (chosen >= eps) & (chosen <= 1.0 - eps)
        g = np.zeros_like(p)
        g[rows[active], labels[active]] = -1.0 / (n * chosen[active])
        return g
    _unit_bounds(t, "y_true", "targets")
    with np.errstate(**_QUIET):
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


# --------------------------------------------------------------------------------------------
# Per-item breakdown for worked examples
# --------------------------------------------------------------------------------------------


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
        eps = _check_eps(eps)
        value = spec.loss(y_true, y_pred, eps=eps)
        gradient = spec.grad(y_true, y_pred, eps=eps)
    else:
        value = spec.loss(y_true, y_pred)
        gradient = spec.grad(y_true, y_pred)
    if name == "cce":
        items = _cce_items(y_true, y_pred, eps)
    else:
        t, p = _pair(y_true, y_pred)
        items = _elementwise_items(name, t.ravel(), p.ravel(), eps)
    return Breakdown(
        loss_name=spec.name,
        items=items,
        loss=value,
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
    p, labels, t = _cce_inputs(y_true, y_pred)
    n, k = p.shape
    if labels is not None:
        t = np.zeros_like(p)
        t[np.arange(n), labels] = 1.0
    else:
        t = t.astype(_F64, copy=False)
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
