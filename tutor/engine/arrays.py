"""Float64 arrays for the loss engine: reading numbers in, and the fast kernels it runs on.

:func:`as_array` turns anything array-like into float64 without copying what already is, and
raises :class:`ValueError` naming the argument when the input is not numbers. The kernels
(row sums and maxima, a gather by label, an inner product, the logistic function) are tuned for
the engine's shapes: they are what keeps a loss close to the cost of a bare NumPy expression.
They are shared inside the engine by :mod:`tutor.engine.losses`, :mod:`tutor.engine.inputs`
and :mod:`tutor.engine.neuron`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

F64 = np.dtype(np.float64)
NUMERIC_KINDS = "biuf"
QUIET = {"all": "ignore"}
# Row sums and row maxima over a short last axis are much faster column by column.
_COLUMN_LOOP_MAX = 16
# Above this length np.dot may hand the work to BLAS threads, which costs more than it saves
# on freshly computed data; einsum's single-threaded loop is then faster.
_DOT_BLAS_MAX = 8192


def why_unreadable(exc: Exception) -> str:
    """Why NumPy could not make an array of a value, in a user's words, not NumPy's."""
    if "inhomogeneous" in str(exc) or "sequence" in str(exc):
        return "its rows are not all the same length"
    return "it holds something that is not a number"


def as_array(value: Any, name: str) -> np.ndarray:
    """Return ``value`` as a float64 array, without copying when it already is one."""
    if type(value) is np.ndarray and value.dtype == F64:
        return value
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be a number or a regular (rectangular) array of numbers; "
            f"it could not be read as one ({why_unreadable(exc)})"
        ) from None
    if arr.dtype.kind not in NUMERIC_KINDS:
        raise ValueError(
            f"{name} must hold numbers, but it holds {kind_text(arr)}; "
            "convert the values to numbers first"
        )
    return arr.astype(F64, copy=False)


def kind_text(arr: np.ndarray) -> str:
    kind = arr.dtype.kind
    if kind in "US":
        return "text (strings)"
    if kind == "c":
        return "complex numbers"
    if kind == "O":
        return "Python objects (for example None, nested sequences of different lengths or text)"
    return f"values of type {arr.dtype}"


def row_sums(a: np.ndarray) -> np.ndarray:
    k = a.shape[1]
    if k == 1:
        return a[:, 0].copy()
    if k > _COLUMN_LOOP_MAX:
        return np.add.reduce(a, axis=1)
    s = a[:, 0] + a[:, 1]
    for j in range(2, k):
        s += a[:, j]
    return s


def row_max(a: np.ndarray) -> np.ndarray:
    k = a.shape[1]
    if k == 1 or k > _COLUMN_LOOP_MAX:
        return np.maximum.reduce(a, axis=1)
    m = np.maximum(a[:, 0], a[:, 1])
    for j in range(2, k):
        np.maximum(m, a[:, j], out=m)
    return m


def gather(p: np.ndarray, labels: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The entry of each row of ``p`` at that row's (valid) label, written to ``out`` if given."""
    n, k = p.shape
    if not p.flags.c_contiguous:
        return p[np.arange(n), labels]
    flat = np.arange(0, n * k, k)
    flat += labels
    return np.take(p.ravel(), flat, out=out, mode="clip")


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """Inner product of two 1-D float64 arrays of equal length."""
    if a.size <= _DOT_BLAS_MAX:
        return float(np.dot(a, b))
    return float(np.einsum("i,i->", a, b))


def stable_sigmoid(z: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function of a float64 array (no overflow warnings)."""
    e = np.exp(-np.abs(z))
    r = 1.0 / (1.0 + e)
    return np.where(z >= 0, r, e * r)
