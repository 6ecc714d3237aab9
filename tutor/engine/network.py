"""A small network worked by hand: two inputs, two hidden units, one output.

``h = act(W1 x + b1)``, ``p = sigmoid(w2 . h + b2)``, trained with binary cross-entropy;
``act`` is the sigmoid or ReLU. Every intermediate number is kept, forward and backward, so
a lesson can show (and ask for) each local gradient and the chain that multiplies them:

    dL/dp    = (p - y) / (p (1 - p))          the loss, for the output
    dp/dz2   = p (1 - p)                      the output sigmoid
    dL/dz2   = p - y                          their product
    dL/dw2_j = dL/dz2 * h_j                   a weight's gradient needs its input
    dL/dh_j  = dL/dz2 * w2_j                  blame passed back along the weight
    dh_j/dz1_j = h_j (1 - h_j), or 1 / 0      the hidden activation's slope
    dL/dz1_j = dL/dh_j * dh_j/dz1_j
    dL/dW1_ji = dL/dz1_j * x_i

Pure NumPy; results are frozen dataclasses of floats and tuples with ``as_dict()``. The
gradients are checked in the tests against finite differences and PyTorch's autograd.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from tutor.engine.arrays import stable_sigmoid
from tutor.engine.inputs import learning_rate, number, target, vector
from tutor.engine.losses import EPS

ACTIVATIONS = ("sigmoid", "relu")


@dataclass(frozen=True)
class Network:
    """The weights: ``w1[j][i]`` from input i to hidden unit j, ``w2[j]`` from hidden unit j."""

    w1: tuple[tuple[float, float], tuple[float, float]]
    b1: tuple[float, float]
    w2: tuple[float, float]
    b2: float
    activation: str = "sigmoid"

    @classmethod
    def of(cls, w1: Any, b1: Any, w2: Any, b2: Any, activation: Any = "sigmoid") -> Network:
        """A network from plain numbers, each checked (a 2x2 ``w1``, two of ``b1`` and ``w2``)."""
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation: {activation!r} is not one of {', '.join(ACTIVATIONS)}")
        rows = list(w1) if isinstance(w1, (list, tuple)) else None
        if rows is None or len(rows) != 2:
            raise ValueError("w1: two rows of two weights, one row per hidden unit")
        matrix = tuple(_pair(row, f"w1[{j}]") for j, row in enumerate(rows))
        return cls(
            matrix,  # type: ignore[arg-type]
            _pair(b1, "b1"),
            _pair(w2, "w2"),
            number(b2, "b2"),
            activation,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "w1": [list(row) for row in self.w1],
            "b1": list(self.b1),
            "w2": list(self.w2),
            "b2": self.b2,
            "activation": self.activation,
        }


def _pair(values: Any, name: str) -> tuple[float, float]:
    found = vector(values, name)
    if len(found) != 2:
        raise ValueError(f"{name}: two numbers, got {len(found)}")
    return (float(found[0]), float(found[1]))


def _act(z: np.ndarray, activation: str) -> np.ndarray:
    return stable_sigmoid(z) if activation == "sigmoid" else np.maximum(z, 0.0)


def _act_slope(z: np.ndarray, h: np.ndarray, activation: str) -> np.ndarray:
    # ReLU's slope at exactly 0 is taken as 0, as the frameworks do.
    return h * (1 - h) if activation == "sigmoid" else (z > 0).astype(float)


@dataclass(frozen=True)
class Forward:
    x: tuple[float, float]
    z1: tuple[float, float]  # each hidden unit's weighted sum
    h: tuple[float, float]  # each hidden unit's output
    z2: float
    p: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "x": list(self.x),
            "z1": list(self.z1),
            "h": list(self.h),
            "z2": self.z2,
            "p": self.p,
        }


def forward(net: Network, x: Any) -> Forward:
    """The forward pass for one input ``x`` (two numbers)."""
    xs = np.array(_pair(x, "x"))
    z1 = np.array(net.w1) @ xs + np.array(net.b1)
    h = _act(z1, net.activation)
    z2 = float(np.dot(net.w2, h) + net.b2)
    p = float(stable_sigmoid(z2))
    return Forward(_floats(xs), _floats(z1), _floats(h), z2, p)


def loss(net: Network, x: Any, y: Any) -> float:
    """Binary cross-entropy of the network's output for one example (``p`` clipped)."""
    p = min(max(forward(net, x).p, EPS), 1 - EPS)
    truth = target(y)
    return float(-(truth * math.log(p) + (1 - truth) * math.log(1 - p)))


@dataclass(frozen=True)
class Backward:
    """Every local gradient of the backward pass, and the gradients they chain into."""

    dl_dp: float
    dp_dz2: float
    dz2: float  # dL/dz2 = dl_dp * dp_dz2 = p - y
    dw2: tuple[float, float]
    db2: float
    dh: tuple[float, float]  # dL/dh_j: the blame passed back to each hidden unit
    dh_dz1: tuple[float, float]  # the hidden activation's slope
    dz1: tuple[float, float]
    dw1: tuple[tuple[float, float], tuple[float, float]]
    db1: tuple[float, float]

    def as_dict(self) -> dict[str, Any]:
        return {
            "dl_dp": self.dl_dp,
            "dp_dz2": self.dp_dz2,
            "dz2": self.dz2,
            "dw2": list(self.dw2),
            "db2": self.db2,
            "dh": list(self.dh),
            "dh_dz1": list(self.dh_dz1),
            "dz1": list(self.dz1),
            "dw1": [list(row) for row in self.dw1],
            "db1": list(self.db1),
        }


def backward(net: Network, x: Any, y: Any) -> Backward:
    """The backward pass for one example: each local gradient, then the chain."""
    f = forward(net, x)
    truth = target(y)
    p = min(max(f.p, EPS), 1 - EPS)
    dl_dp = (p - truth) / (p * (1 - p))
    dp_dz2 = f.p * (1 - f.p)
    dz2 = f.p - truth  # the product, without the rounding of dividing and multiplying back
    h = np.array(f.h)
    dw2 = dz2 * h
    dh = dz2 * np.array(net.w2)
    slope = _act_slope(np.array(f.z1), h, net.activation)
    dz1 = dh * slope
    dw1 = np.outer(dz1, np.array(f.x))
    return Backward(
        float(dl_dp),
        float(dp_dz2),
        float(dz2),
        _floats(dw2),
        float(dz2),
        _floats(dh),
        _floats(slope),
        _floats(dz1),
        (_floats(dw1[0]), _floats(dw1[1])),  # type: ignore[arg-type]
        _floats(dz1),
    )


@dataclass(frozen=True)
class Update:
    lr: float
    before: Network
    after: Network
    p_before: float
    p_after: float
    loss_before: float
    loss_after: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "lr": self.lr,
            "before": self.before.as_dict(),
            "after": self.after.as_dict(),
            "p_before": self.p_before,
            "p_after": self.p_after,
            "loss_before": self.loss_before,
            "loss_after": self.loss_after,
        }


def stepped(net: Network, g: Backward, rate: float) -> Network:
    """Every weight moved by ``-rate`` times its gradient in ``g``."""
    w1 = np.array(net.w1) - rate * np.array(g.dw1)
    return replace(
        net,
        w1=(_floats(w1[0]), _floats(w1[1])),  # type: ignore[arg-type]
        b1=_floats(np.array(net.b1) - rate * np.array(g.db1)),  # type: ignore[arg-type]
        w2=_floats(np.array(net.w2) - rate * np.array(g.dw2)),  # type: ignore[arg-type]
        b2=float(net.b2 - rate * g.db2),
    )


def update(net: Network, x: Any, y: Any, *, lr: Any) -> Update:
    """One gradient-descent step on one example: every weight moves against its gradient."""
    rate = learning_rate(lr)
    after = stepped(net, backward(net, x, y), rate)
    return Update(
        rate,
        net,
        after,
        forward(net, x).p,
        forward(after, x).p,
        loss(net, x, y),
        loss(after, x, y),
    )


def _floats(values: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) + 0.0 for v in np.asarray(values).tolist())
