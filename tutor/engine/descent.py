"""Gradient descent on a one-weight loss curve, for the descent lab. Pure: numbers in, numbers out.

Two valleys, both computed by the loss engine:

* ``toy``: the mean binary cross-entropy of a one-input neuron, ``p = sigmoid(w x1 + b)``, on
  the engine's toy data set (:func:`tutor.engine.neuron.toy_dataset`), looking at the first feature
  only, with the bias held at :data:`TOY_BIAS`. A real, lopsided valley: steep on the left,
  nearly flat far to the right.
* ``bowl``: the squared error of a single prediction ``w`` against a truth of :data:`BOWL_TRUTH`,
  ``(w - 3)^2``. A perfectly symmetric bowl: past a learning rate of 1 every step lands
  further up the other side than it started, and the walk runs away.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from tutor.engine import losses, neuron

TOY_BIAS = -2.0
"""The bias held fixed in the ``toy`` valley; the best weight is then about 2."""

BOWL_TRUTH = 3.0
"""Where the ``bowl`` valley has its bottom."""

MAX_STEPS = 50
RUNAWAY = 1e6
"""A weight this far from 0 means the walk has run away; the lab stops there."""


@dataclass(frozen=True)
class Valley:
    """A one-weight loss: its value, its slope, a sentence about it, where to look."""

    key: str
    name: str
    about: str
    loss: Callable[[float], float]
    slope: Callable[[float], float]
    view: tuple[float, float]
    find_bottom: Callable[[], float]

    @property
    def bottom(self) -> float:
        """The weight with the lowest loss."""
        return self.find_bottom()


@lru_cache(maxsize=1)
def _toy() -> tuple[np.ndarray, np.ndarray]:
    X, y = neuron.toy_dataset()
    return X[:, 0].copy(), y


def _toy_loss(w: float) -> float:
    x, y = _toy()
    return losses.binary_cross_entropy(y, w * x + TOY_BIAS, from_logits=True)


def _toy_slope(w: float) -> float:
    x, y = _toy()
    # The engine gives the slope of the mean loss for each logit z_i = w x_i + b; the chain
    # rule multiplies each by dz_i/dw = x_i.
    dz = losses.binary_cross_entropy_grad(y, w * x + TOY_BIAS, from_logits=True)
    return float(np.dot(dz, x))


def _bowl_loss(w: float) -> float:
    return losses.mse([BOWL_TRUTH], [w])


def _bowl_slope(w: float) -> float:
    return float(losses.mse_grad([BOWL_TRUTH], [w])[0])


@lru_cache(maxsize=1)
def _toy_bottom() -> float:
    # The slope rises steadily with w (the valley is convex): bisect for where it is 0.
    lo, hi = -10.0, 10.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _toy_slope(mid) < 0 else (lo, mid)
    return (lo + hi) / 2


VALLEYS: dict[str, Valley] = {
    "toy": Valley(
        "toy",
        "The toy data set's loss",
        "The mean binary cross-entropy of one neuron, p = sigmoid(w × x + b), on the 40 examples "
        "of the toy data set the training step uses. It looks at the first feature only, and "
        f"its bias stays at b = {TOY_BIAS:g}, so w is the one weight left to learn.",
        _toy_loss,
        _toy_slope,
        (-2.0, 6.0),
        _toy_bottom,
    ),
    "bowl": Valley(
        "bowl",
        "A simple bowl",
        f"The squared error of one prediction w against a truth of {BOWL_TRUTH:g}: "
        f"loss = (w − {BOWL_TRUTH:g})². Its slope is 2 (w − {BOWL_TRUTH:g}), so the further "
        "from the bottom, the steeper.",
        _bowl_loss,
        _bowl_slope,
        (-1.0, 7.0),
        lambda: BOWL_TRUTH,
    ),
}


@dataclass(frozen=True)
class Step:
    """One step: from ``w`` with its ``loss`` and ``slope`` to ``w_next = w - lr * slope``."""

    n: int
    w: float
    loss: float
    slope: float
    w_next: float
    loss_next: float
    overshoot: bool  # the step jumped past the bottom (the slope changed sign)
    uphill: bool  # the loss after the step is higher than before it

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass(frozen=True)
class Walk:
    """A whole walk down a valley, and what happened on it."""

    valley: Valley
    lr: float
    start: float
    steps: tuple[Step, ...]
    ran_away: bool

    @property
    def end(self) -> float:
        return self.steps[-1].w_next if self.steps else self.start

    @property
    def overshoots(self) -> list[int]:
        return [s.n for s in self.steps if s.overshoot]

    @property
    def uphill(self) -> list[int]:
        return [s.n for s in self.steps if s.uphill]

    def as_dict(self) -> dict[str, Any]:
        return {
            "valley": self.valley.key,
            "about": self.valley.about,
            "lr": self.lr,
            "start": self.start,
            "bottom": self.valley.bottom,
            "steps": [s.as_dict() for s in self.steps],
            "overshoots": self.overshoots,
            "uphill": self.uphill,
            "ran_away": self.ran_away,
        }


def _finite(value: Any, name: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value!r}")
    return number


def walk(valley: str, *, lr: Any, start: Any, steps: Any) -> Walk:
    """Take up to ``steps`` gradient-descent steps from ``start`` with learning rate ``lr``.

    Raises ValueError, naming the argument, for an unknown valley or a value out of range.
    Stops early, with ``ran_away`` set, once the weight passes :data:`RUNAWAY`.
    """
    chosen = VALLEYS.get(valley)
    if chosen is None:
        raise ValueError(f"valley must be one of {', '.join(VALLEYS)}, got {valley!r}")
    rate = _finite(lr, "lr", 0.0, 100.0)
    if rate == 0.0:
        raise ValueError("lr must be greater than 0: a rate of 0 never moves")
    w = _finite(start, "start", -10.0, 10.0)
    count = int(_finite(steps, "steps", 1, MAX_STEPS))
    taken: list[Step] = []
    bottom = chosen.bottom
    # A crossing this close to the bottom is settling in, not overshooting.
    near = 1e-3 * (1.0 + abs(bottom))
    loss, slope = chosen.loss(w), chosen.slope(w)
    for n in range(1, count + 1):
        w_next = w - rate * slope
        if not abs(w_next) < RUNAWAY:
            return Walk(chosen, rate, float(start), tuple(taken), ran_away=True)
        loss_next, slope_next = chosen.loss(w_next), chosen.slope(w_next)
        taken.append(
            Step(
                n=n,
                w=w,
                loss=loss,
                slope=slope,
                w_next=w_next,
                loss_next=loss_next,
                overshoot=(w - bottom) * (w_next - bottom) < 0 and abs(w_next - bottom) > near,
                uphill=loss_next > loss + 1e-12 * (1.0 + loss),
            )
        )
        w, loss, slope = w_next, loss_next, slope_next
    return Walk(chosen, rate, float(start), tuple(taken), ran_away=False)
