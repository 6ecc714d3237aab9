"""One neuron, ``p = sigmoid(w . x + b)``, trained with binary cross-entropy.

It powers the forward-pass, gradient and update steps of the course and their loss curves.
Results are small frozen dataclasses of Python floats and tuples, with ``as_dict()`` for
templates and the JSON API.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from tutor.engine.arrays import as_array, stable_sigmoid
from tutor.engine.inputs import learning_rate, neuron_inputs, number, target, vector
from tutor.engine.losses import EPS, binary_cross_entropy

__all__ = [
    "DEMO_EPOCHS",
    "DEMO_LEARNING_RATES",
    "Forward",
    "Gradients",
    "TrainingRun",
    "Update",
    "forward",
    "gradients",
    "loss",
    "sigmoid",
    "toy_dataset",
    "train",
    "update",
]

DEMO_LEARNING_RATES = (0.05, 1.0, 50.0)
"""Learning rates for the loss-curve demo on :func:`toy_dataset`: too small (the loss falls
slowly), good (it falls fast and steadily) and too large (it overshoots: the loss jumps far above
its starting value and goes up and down from epoch to epoch)."""

DEMO_EPOCHS = 30
"""Number of epochs the loss-curve demo trains for."""

_CENTRE_0 = np.array([0.5, 1.0])
_CENTRE_1 = np.array([2.0, 2.5])


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def _floats(arr: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) + 0.0 for v in arr.tolist())


# --------------------------------------------------------------------------------------------
# Sigmoid and the forward pass
# --------------------------------------------------------------------------------------------


def sigmoid(z: Any) -> Any:
    """The logistic function ``1 / (1 + e^-z)``, computed without overflow.

    A single number gives a Python float; an array (or list) gives a float64 ndarray.
    ``z = +-inf`` gives 1 or 0; NaN is rejected with ValueError.
    """
    if isinstance(z, numbers.Real) and not isinstance(z, bool):
        value = float(z)
        if math.isnan(value):
            raise ValueError("z must be a number, got NaN")
        if value >= 0.0:
            return 1.0 / (1.0 + math.exp(-value))
        e = math.exp(value)
        return e / (1.0 + e)
    arr = as_array(z, "z")
    if np.isnan(arr).any():
        raise ValueError("z contains NaN; sigmoid needs numbers")
    return stable_sigmoid(arr)


@dataclass(frozen=True, slots=True)
class Forward:
    """A forward pass: inputs ``x``, weights ``w``, bias ``b``, ``z = w . x + b``, ``p``."""

    x: tuple[float, ...]
    w: tuple[float, ...]
    b: float
    z: float
    p: float

    def as_dict(self) -> dict[str, Any]:
        return {"x": list(self.x), "w": list(self.w), "b": self.b, "z": self.z, "p": self.p}


def _forward(xs: np.ndarray, ws: np.ndarray, b: float) -> tuple[float, float]:
    z = math.fsum((xs * ws).tolist()) + b
    return z, sigmoid(z)


def forward(x: Any, w: Any, b: Any) -> Forward:
    """Weighted sum ``z = w . x + b`` and output ``p = sigmoid(z)`` for one example."""
    xs, ws, b = neuron_inputs(x, w, b)
    z, p = _forward(xs, ws, b)
    return Forward(x=_floats(xs), w=_floats(ws), b=b, z=z, p=p)


def loss(x: Any, w: Any, b: Any, y: Any, *, eps: float = EPS) -> float:
    """Binary cross-entropy of the neuron's output for one example with target ``y``.

    ``-[y ln p + (1 - y) ln(1 - p)]`` with ``p`` clipped to ``[eps, 1 - eps]``; the default
    ``eps`` is 1e-15, the seed course page's value.
    """
    xs, ws, b = neuron_inputs(x, w, b)
    y = target(y)
    _, p = _forward(xs, ws, b)
    return binary_cross_entropy(y, p, eps=eps)


@dataclass(frozen=True, slots=True)
class Gradients:
    """Gradients of one example's BCE: ``dz = p - y``, ``dw_i = (p - y) x_i``, ``db = p - y``."""

    dz: float
    dw: tuple[float, ...]
    db: float

    def as_dict(self) -> dict[str, Any]:
        return {"dz": self.dz, "dw": list(self.dw), "db": self.db}


def _gradients(xs: np.ndarray, p: float, y: float) -> Gradients:
    dz = p - y
    return Gradients(dz=dz, dw=_floats(dz * xs), db=dz)


def gradients(x: Any, w: Any, b: Any, y: Any) -> Gradients:
    """Gradients of the BCE loss of one example with respect to z, each weight and the bias.

    These are the exact derivatives of the unclipped loss (sigmoid and cross-entropy combine to
    ``dL/dz = p - y``).
    """
    xs, ws, b = neuron_inputs(x, w, b)
    y = target(y)
    _, p = _forward(xs, ws, b)
    return _gradients(xs, p, y)


@dataclass(frozen=True, slots=True)
class Update:
    """One gradient-descent step on one example: ``w <- w - lr dw``, ``b <- b - lr db``."""

    w_before: tuple[float, ...]
    b_before: float
    w_after: tuple[float, ...]
    b_after: float
    lr: float
    loss_before: float
    loss_after: float
    gradients: Gradients
    p_before: float = math.nan  # the prediction before and after: did it move to the truth?
    p_after: float = math.nan

    def as_dict(self) -> dict[str, Any]:
        return {
            "p_before": self.p_before,
            "p_after": self.p_after,
            "w_before": list(self.w_before),
            "b_before": self.b_before,
            "w_after": list(self.w_after),
            "b_after": self.b_after,
            "lr": self.lr,
            "loss_before": self.loss_before,
            "loss_after": self.loss_after,
            "gradients": self.gradients.as_dict(),
        }


def update(x: Any, w: Any, b: Any, y: Any, *, lr: Any) -> Update:
    """One gradient-descent update of ``w`` and ``b`` on a single example ``(x, y)``."""
    xs, ws, b = neuron_inputs(x, w, b)
    y = target(y)
    lr = learning_rate(lr)
    _, p = _forward(xs, ws, b)
    grads = _gradients(xs, p, y)
    w_after = ws - lr * np.asarray(grads.dw)
    b_after = b - lr * grads.db
    _, p_after = _forward(xs, w_after, b_after)
    return Update(
        w_before=_floats(ws),
        b_before=b,
        w_after=_floats(w_after),
        b_after=b_after,
        lr=lr,
        loss_before=binary_cross_entropy(y, p),
        loss_after=binary_cross_entropy(y, p_after),
        gradients=grads,
        p_before=p,
        p_after=p_after,
    )


# --------------------------------------------------------------------------------------------
# Training on a data set
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrainingRun:
    """A full-batch gradient-descent run.

    ``losses`` has ``epochs + 1`` values: the mean BCE before any update, then after each
    epoch's update. ``w`` and ``b`` are the final parameters.
    """

    lr: float
    losses: tuple[float, ...]
    w: tuple[float, ...]
    b: float

    @property
    def epochs(self) -> int:
        return len(self.losses) - 1

    def as_dict(self) -> dict[str, Any]:
        return {"lr": self.lr, "losses": list(self.losses), "w": list(self.w), "b": self.b}


def train(
    X: Any,
    y: Any,
    *,
    lr: Any,
    epochs: Any,
    seed: int = 0,
    w0: Any = None,
    b0: Any = 0.0,
) -> TrainingRun:
    """Train the neuron on ``X`` (n_samples x n_features) and targets ``y`` in [0, 1].

    Each epoch is one full-batch gradient-descent step on the mean BCE. The weights start from
    ``w0`` if given, else from small random values drawn from ``numpy.random.default_rng(seed)``;
    the bias starts at ``b0``. The loss is computed from ``z`` with the stable softplus form, so
    a saturated ``p`` shows its true cost rather than the clipping floor.
    """
    features = as_array(X, "X")
    if features.ndim != 2:
        raise ValueError(
            f"X must be 2-D (one row of features per example), but it has shape {features.shape}"
        )
    n, k = features.shape
    if n == 0 or k == 0:
        raise ValueError(f"X is empty (shape {features.shape}); it needs examples and features")
    if not np.isfinite(features).all():
        i = int(np.flatnonzero(~np.isfinite(features))[0])
        raise ValueError(
            f"X must hold finite numbers, but X has {features.flat[i]!r} at row {i // k}, "
            f"column {i % k}"
        )
    targets = vector(y, "y")
    if targets.size != n:
        raise ValueError(f"y must have one target per row of X ({n}), but it has {targets.size}")
    if targets.min() < 0.0 or targets.max() > 1.0:
        raise ValueError("y must hold targets in [0, 1] (usually 0 or 1)")
    rate = learning_rate(lr)
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
        raise ValueError(f"epochs must be a whole number of at least 1, got {epochs!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(f"seed must be a whole number, got {seed!r}")
    if w0 is None:
        weights = np.random.default_rng(seed).normal(0.0, 0.1, k)
    else:
        weights = vector(w0, "w0").copy()
        if weights.size != k:
            raise ValueError(
                f"w0 must have one weight per feature ({k}), but it has {weights.size}"
            )
    bias = number(b0, "b0")

    losses = []
    for epoch in range(int(epochs) + 1):
        z = features @ weights + bias
        losses.append(binary_cross_entropy(targets, z, from_logits=True))
        if epoch == epochs:
            break
        error = stable_sigmoid(z) - targets
        weights = weights - rate * (features.T @ error) / n
        bias = bias - rate * float(error.mean())
        if not (np.isfinite(weights).all() and math.isfinite(bias)):
            raise ValueError(f"lr = {rate!r} is so large that the weights overflowed")
    return TrainingRun(lr=rate, losses=tuple(losses), w=_floats(weights), b=float(bias))


def toy_dataset(seed: int = 0, n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """A small two-feature problem for loss curves: two overlapping clusters, labels 0 and 1.

    Returns ``X`` of shape (n, 2) and ``y`` of shape (n,) (floats 0.0 and 1.0). The first half
    is class 0 scattered (standard deviation 0.8) around (0.5, 1.0), the second half class 1
    around (2.0, 2.5): a line separates them except for a few points, so the best loss is small
    but not zero. The clusters sit away from the origin, which is what makes a large learning
    rate overshoot (see :data:`DEMO_LEARNING_RATES`).
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 2:
        raise ValueError(f"n must be a whole number of at least 2, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(f"seed must be a whole number, got {seed!r}")
    rng = np.random.default_rng(seed)
    is_one = np.arange(n) >= n // 2
    centres = np.where(is_one[:, None], _CENTRE_1, _CENTRE_0)
    X = centres + rng.normal(0.0, 0.8, (n, 2))
    return X, is_one.astype(np.float64)
