"""Five learner models, each documented with its parameters in its own module.

``bkt`` is the tutor's own model (the in-model reference); ``logistic``, ``misconception``,
``memory`` and ``testwise`` each break one of its assumptions. Every model has a grid of its
main parameters (low, middle, high): :func:`settings` gives the middle setting and, for each
main parameter, its low and high values with the others at the middle.
"""

from __future__ import annotations

from .base import POPULATIONS, Learner, initial_knowledge
from .bkt import BKT
from .logistic import Logistic
from .memory import Memory
from .misconception import Misconceptions
from .testwise import Testwise

MODELS: dict[str, type[Learner]] = {
    model.name: model for model in (BKT, Logistic, Misconceptions, Memory, Testwise)
}


def settings(model: type[Learner]) -> list[tuple[str, dict[str, float]]]:
    """(label, params): the middle setting first, then one parameter at a time low and high."""
    out = [("middle", model.middle())]
    for name, (low, _, high) in model.GRID.items():
        out.append((f"{name} low ({low:g})", {**model.middle(), name: low}))
        out.append((f"{name} high ({high:g})", {**model.middle(), name: high}))
    return out


__all__ = ["MODELS", "POPULATIONS", "Learner", "initial_knowledge", "settings"]
