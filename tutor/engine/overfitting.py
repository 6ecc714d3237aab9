"""Overfitting, measured: a model trained on a few examples, scored on examples it never saw.

The data are made up, and say so: each example has twelve features drawn at random, of
which only the first two decide its label (through a sigmoid, so some labels go against
them), as in many real data sets where most measurements are noise. Twenty examples train
a logistic-regression model (one neuron) by full-batch gradient descent on binary
cross-entropy; two hundred more are held out for validation. With more features than the
twenty examples can pin down, the model soon starts fitting their noise: the training loss
keeps falling while the validation loss turns and climbs. The epoch where validation is
lowest is where to stop.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from tutor.engine.arrays import stable_sigmoid
from tutor.engine.inputs import learning_rate, number
from tutor.engine.losses import binary_cross_entropy

FEATURES = 12
TRAIN, HELD_OUT = 20, 200
DEMO_SEED, DEMO_EPOCHS, DEMO_RATE = 2, 120, 0.1


@dataclass(frozen=True)
class Run:
    train: tuple[float, ...]  # training loss after each epoch (index 0: before training)
    validation: tuple[float, ...]
    lr: float
    seed: int

    @property
    def best_epoch(self) -> int:
        """The epoch with the lowest validation loss: where early stopping stops."""
        return int(np.argmin(self.validation))

    def as_dict(self) -> dict[str, Any]:
        return {
            "train": list(self.train),
            "validation": list(self.validation),
            "lr": self.lr,
            "seed": self.seed,
            "best_epoch": self.best_epoch,
            "features": FEATURES,
            "train_examples": TRAIN,
            "held_out_examples": HELD_OUT,
        }


def data(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(training inputs, labels, held-out inputs, labels) of the made-up set for ``seed``."""
    rng = np.random.default_rng(seed)
    truth = np.zeros(FEATURES)
    truth[:2] = (1.5, -1.5)
    x = rng.normal(size=(TRAIN + HELD_OUT, FEATURES))
    y = (rng.random(TRAIN + HELD_OUT) < stable_sigmoid(x @ truth)).astype(float)
    return x[:TRAIN], y[:TRAIN], x[TRAIN:], y[TRAIN:]


@lru_cache(maxsize=32)
def run(seed: Any = DEMO_SEED, epochs: Any = DEMO_EPOCHS, lr: Any = DEMO_RATE) -> Run:
    """Train for ``epochs`` and record both losses after each one."""
    seed_n, epochs_n = int(number(seed, "seed")), int(number(epochs, "epochs"))
    if not 1 <= epochs_n <= 1000:
        raise ValueError("epochs: from 1 to 1000")
    rate = learning_rate(lr)
    x, y, x_val, y_val = data(seed_n)
    w, b = np.zeros(FEATURES), 0.0
    train, validation = [], []
    for epoch in range(epochs_n + 1):
        p = stable_sigmoid(x @ w + b)
        train.append(binary_cross_entropy(y, p))
        validation.append(binary_cross_entropy(y_val, stable_sigmoid(x_val @ w + b)))
        if epoch < epochs_n:
            error = p - y
            w = w - rate * x.T @ error / TRAIN
            b = b - rate * float(error.mean())
    return Run(tuple(train), tuple(validation), rate, seed_n)


def best_epoch(seed: Any = DEMO_SEED, epochs: Any = DEMO_EPOCHS) -> float:
    """The epoch of lowest validation loss (a computation, for questions)."""
    return float(run(seed, epochs).best_epoch)


def trained_to_the_end(seed: Any = DEMO_SEED, epochs: Any = DEMO_EPOCHS) -> float:
    """Trained to the end, where the training loss is lowest but validation has climbed."""
    return float(int(number(epochs, "epochs")))


def never_trained(seed: Any = DEMO_SEED, epochs: Any = DEMO_EPOCHS) -> float:
    """Stopped before the first epoch, where the two losses are closest."""
    return 0.0
