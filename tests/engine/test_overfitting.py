"""The overfitting run tells the story its lesson tells: training falls, validation turns."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.engine import overfitting
from tutor.engine.computations import compute


def test_training_loss_only_falls_while_validation_turns_and_climbs():
    run = overfitting.run()
    train, validation = np.array(run.train), np.array(run.validation)
    assert (np.diff(train) < 0).all()
    best = run.best_epoch
    assert 5 < best < 0.5 * len(validation)
    assert validation[best] < validation[0] - 0.05  # it did learn something real first
    assert validation[-1] > validation[best] + 0.1  # then fitted the noise
    assert train[-1] < train[best] - 0.1  # while the training loss kept falling


def test_the_run_is_the_same_every_time_and_the_computation_reads_it():
    assert overfitting.run(2, 120) is overfitting.run(2, 120)
    assert compute("best_epoch", seed=2, epochs=120) == overfitting.run().best_epoch == 19


def test_the_data_say_what_the_caption_says():
    x, y, x_val, y_val = overfitting.data(2)
    assert x.shape == (20, 12) and x_val.shape == (200, 12)
    assert set(np.unique(y)) <= {0.0, 1.0} and 0.2 < y_val.mean() < 0.8


@pytest.mark.parametrize("epochs", [0, 5000])
def test_a_run_of_no_or_too_many_epochs_is_refused(epochs):
    with pytest.raises(ValueError, match="epochs: from 1 to 1000"):
        overfitting.run(2, epochs)
