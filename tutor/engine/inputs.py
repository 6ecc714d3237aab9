"""Checks on the loss engine's inputs, and the messages that explain what is wrong.

Every failure raises :class:`ValueError` whose message names the argument (``y_true``,
``y_pred`` or ``eps``), says what is wrong and where (``index 3``, ``row 1, column 2``), and
where it helps, what to do about it. The checks are cheap on the normal path: a fast min/max
test comes first and the inputs are only examined in detail once something is known to be off.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from tutor.engine.arrays import (
    F64,
    NUMERIC_KINDS,
    QUIET,
    as_array,
    kind_text,
    row_sums,
    why_unreadable,
)

ROW_SUM_TOLERANCE = 1e-6
"""How far a row of predicted probabilities may sum away from 1 before it is rejected."""


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


def raise_nonfinite(*named: tuple[np.ndarray, str]) -> None:
    """Explain a non-finite result: name the argument holding NaN/inf, else report overflow."""
    for arr, name in named:
        message = _nonfinite_message(arr, name)
        if message is not None:
            raise ValueError(message)
    names = " and ".join(name for _, name in named)
    verb = "hold" if len(named) > 1 else "holds"
    raise ValueError(f"{names} {verb} values so large that the loss overflows float64")


def pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Convert and check two same-shaped, non-empty arrays (single numbers become length 1)."""
    t = as_array(y_true, "y_true")
    p = as_array(y_pred, "y_pred")
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


def shaped(g: np.ndarray, y_pred: Any) -> np.ndarray:
    """Give a gradient computed on length-1 arrays the 0-d shape of a single-number y_pred."""
    if g.shape == (1,) and np.ndim(y_pred) == 0:
        return g.reshape(())
    return g


MIN_EPS = 1e-16
"""The smallest clip: below about 5.6e-17, ``1 - eps`` is 1 in float64, so a probability of
1 would stay 1 and ``ln(1 - p)`` would be minus infinity (a loss of NaN, not a number)."""


def check_eps(eps: Any) -> float:
    if type(eps) is float and MIN_EPS <= eps < 0.5:
        return eps
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real):
        raise ValueError(f"eps must be a number from 1e-16 up to (not including) 0.5, got {eps!r}")
    value = float(eps)
    if not 0.0 < value < 0.5:
        raise ValueError(f"eps must be from 1e-16 up to (not including) 0.5, got {eps!r}")
    if value < MIN_EPS:
        raise ValueError(
            f"eps must be at least 1e-16, got {eps!r}: with less, 1 - eps is 1 in float64 "
            "and clipping could not keep ln(1 - p) finite"
        )
    return value


def unit_bounds(arr: np.ndarray, name: str, role: str) -> tuple[float, float]:
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


def check_rows_sum_to_one(p: np.ndarray) -> np.ndarray:
    """Reject rows of ``p`` not summing to 1; returns the row sums (a fresh array)."""
    sums = row_sums(p)
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


def cce_inputs(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Convert CCE inputs into ``(y_pred, labels, targets)``.

    ``labels`` is an integer vector when ``y_true`` is 1-D (class labels) and ``targets`` is
    then ``None``; otherwise ``labels`` is ``None`` and ``targets`` is the 2-D float64 array of
    one-hot or probability rows (not yet range-checked).
    """
    p = as_array(y_pred, "y_pred")
    if p.ndim != 2:
        raise ValueError(
            f"y_pred must be 2-D (one row of class probabilities or logits per example), "
            f"but it has shape {p.shape}"
        )
    n, k = p.shape
    if n == 0 or k == 0:
        raise ValueError(f"y_pred is empty (shape {p.shape}); a loss needs at least one row")
    if type(y_true) is np.ndarray and y_true.dtype == F64 and y_true.ndim == 2:
        t = y_true
    else:
        try:
            t = np.asarray(y_true)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                "y_true must be a 1-D array of class labels or a 2-D array of target "
                "probabilities; it could not be read as an array of numbers "
                f"({why_unreadable(exc)})"
            ) from None
        if t.dtype.kind not in NUMERIC_KINDS:
            raise ValueError(f"y_true must hold numbers, but it holds {kind_text(t)}")
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
    return p, None, t.astype(F64, copy=False)


def _labels(t: np.ndarray, k: int) -> np.ndarray:
    if t.dtype.kind == "f":
        with np.errstate(**QUIET):
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
            f"y_true[{i}] = {value!r} is not a class label for y_pred's {k} "
            f"class{'' if k == 1 else 'es'}; "
            f"labels must be whole numbers from 0 to {k - 1}"
        )
    return t.astype(np.intp, copy=False)


def check_logits(z: np.ndarray, thorough: bool) -> None:
    """Reject NaN/inf logits; the quick form only catches what a result check would miss."""
    # Quick form: +inf and NaN already make the loss NaN; -inf may hide behind exp(-inf) = 0.
    if thorough:
        if not np.isfinite(z).all():
            raise_nonfinite((z, "y_pred"))
    elif not math.isfinite(np.minimum.reduce(z, axis=None)):
        raise_nonfinite((z, "y_pred"))


# --- one neuron's arguments -----------------------------------------------------------


def number(value: Any, name: str) -> float:
    """A finite real number (not a bool) as a float, else ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
            value = value.item()
        else:
            raise ValueError(f"{name} must be a single number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return result


def vector(value: Any, name: str) -> np.ndarray:
    """A non-empty 1-D float64 array of finite numbers (a single number becomes length 1)."""
    arr = as_array(value, name)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D list of numbers, but it has shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; it needs at least one value")
    if not np.isfinite(arr).all():
        i = int(np.flatnonzero(~np.isfinite(arr))[0])
        raise ValueError(f"{name} must hold finite numbers, but {name}[{i}] = {arr[i]!r}")
    return arr


def neuron_inputs(x: Any, w: Any, b: Any) -> tuple[np.ndarray, np.ndarray, float]:
    xs = vector(x, "x")
    ws = vector(w, "w")
    if xs.size != ws.size:
        raise ValueError(
            f"x and w must have the same length (one weight per input), but x has {xs.size} "
            f"values and w has {ws.size}"
        )
    return xs, ws, number(b, "b")


def unit_number(value: Any, name: str) -> float:
    """A number in [0, 1] (a probability or a target), else ValueError naming ``name``."""
    result = number(value, name)
    if not 0.0 <= result <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
    return result


def target(y: Any) -> float:
    value = number(y, "y")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"y must be a target in [0, 1] (usually 0 or 1), got {y!r}")
    return value


def learning_rate(lr: Any) -> float:
    value = number(lr, "lr")
    if value <= 0.0:
        raise ValueError(f"lr (the learning rate) must be greater than 0, got {lr!r}")
    return value
