"""Tests of tutor.neuron: sigmoid, forward pass, loss, gradients, update and training."""

from __future__ import annotations

import dataclasses
import json
import math
import warnings

import numpy as np
import pytest

from tutor.engine.losses import binary_cross_entropy
from tutor.engine.neuron import (
    DEMO_EPOCHS,
    DEMO_LEARNING_RATES,
    Forward,
    Gradients,
    TrainingRun,
    Update,
    forward,
    gradients,
    loss,
    sigmoid,
    toy_dataset,
    train,
    update,
)

# --------------------------------------------------------------------------------------------
# sigmoid
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        (0, 0.5),
        (0.0, 0.5),
        (2.0, 1 / (1 + math.exp(-2.0))),
        (-2.0, 1 / (1 + math.exp(2.0))),
        (800.0, 1.0),
        (-800.0, 0.0),
        (-40.0, math.exp(-40.0) / (1 + math.exp(-40.0))),
        (math.inf, 1.0),
        (-math.inf, 0.0),
    ],
)
def test_sigmoid_of_a_number(z, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = sigmoid(z)
    assert type(value) is float
    assert value == pytest.approx(expected, rel=1e-15, abs=0.0)


def test_sigmoid_of_an_array():
    z = np.array([[-1000.0, -3.0, 0.0], [0.5, 3.0, 1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(z)
        s_list = sigmoid(z.tolist())
    assert isinstance(s, np.ndarray) and s.shape == z.shape
    np.testing.assert_array_equal(s, s_list)
    moderate = np.array([-3.0, 0.0, 0.5, 3.0])
    np.testing.assert_allclose(sigmoid(moderate), 1 / (1 + np.exp(-moderate)), rtol=1e-15)
    np.testing.assert_allclose(sigmoid(-z), 1 - s, atol=1e-16)
    assert s[0, 0] == 0.0 and s[1, 2] == 1.0


@pytest.mark.parametrize("bad", [math.nan, [0.0, math.nan], "1.0", None])
def test_sigmoid_rejects_non_numbers(bad):
    with pytest.raises(ValueError, match="z"):
        sigmoid(bad)


# --------------------------------------------------------------------------------------------
# One example: forward, loss, gradients, update
# --------------------------------------------------------------------------------------------

X1 = [1.0, 2.0]
W1 = [0.5, -0.25]
B1 = 0.1


def test_forward_pass():
    f = forward(X1, W1, B1)
    assert isinstance(f, Forward)
    assert f.x == (1.0, 2.0) and f.w == (0.5, -0.25) and f.b == 0.1
    assert f.z == pytest.approx(0.1, abs=1e-16)
    assert f.p == pytest.approx(1 / (1 + math.exp(-0.1)), rel=1e-15)
    data = f.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data == {"x": [1.0, 2.0], "w": [0.5, -0.25], "b": 0.1, "z": f.z, "p": f.p}
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.z = 0.0


def test_forward_accepts_numpy_and_single_numbers():
    assert forward(np.array([2]), np.array([0.5]), np.float64(1.0)).z == 2.0
    assert forward(2, 0.5, 1).z == 2.0


@pytest.mark.parametrize("y", [0, 1, 0.3])
def test_loss_is_bce_of_the_output(y):
    p = forward(X1, W1, B1).p
    assert loss(X1, W1, B1, y) == pytest.approx(
        -(y * math.log(p) + (1 - y) * math.log(1 - p)), rel=1e-14
    )
    assert loss(X1, W1, B1, y) == binary_cross_entropy([y], [p])


def test_loss_clips_with_eps():
    assert loss([1.0], [1000.0], 0.0, 0) == pytest.approx(-math.log(1e-15), rel=1e-3)
    assert loss([1.0], [1000.0], 0.0, 0, eps=1e-7) == pytest.approx(-math.log(1e-7), rel=1e-6)


def _numeric_gradients(x, w, b, y, h=1e-6):
    dw = []
    for i in range(len(w)):
        up, down = list(w), list(w)
        up[i] += h
        down[i] -= h
        dw.append((loss(x, up, b, y) - loss(x, down, b, y)) / (2 * h))
    db = (loss(x, w, b + h, y) - loss(x, w, b - h, y)) / (2 * h)
    return dw, db


@pytest.mark.parametrize(
    ("x", "w", "b", "y"),
    [
        (X1, W1, B1, 1),
        (X1, W1, B1, 0),
        ([0.3, -1.2, 2.5], [1.0, 0.4, -0.7], -0.2, 1),
        ([0.3, -1.2, 2.5], [1.0, 0.4, -0.7], -0.2, 0.25),
        ([4.0], [0.8], 0.5, 0),
    ],
)
def test_gradients_match_finite_differences(x, w, b, y):
    g = gradients(x, w, b, y)
    assert isinstance(g, Gradients)
    p = forward(x, w, b).p
    assert g.dz == pytest.approx(p - y, rel=1e-15) and g.db == g.dz
    assert g.dw == pytest.approx(tuple((p - y) * xi for xi in x), rel=1e-15)
    dw, db = _numeric_gradients(x, w, b, y)
    assert g.dw == pytest.approx(tuple(dw), rel=1e-6, abs=1e-9)
    assert g.db == pytest.approx(db, rel=1e-6, abs=1e-9)
    # dL/dz equals dL/db because dz/db = 1
    assert g.dz == pytest.approx(db, rel=1e-6, abs=1e-9)
    assert json.loads(json.dumps(g.as_dict())) == g.as_dict()


@pytest.mark.parametrize("lr", [0.01, 0.1, 0.5])
@pytest.mark.parametrize("y", [0, 1])
def test_update_takes_a_gradient_step_and_lowers_the_loss(lr, y):
    u = update(X1, W1, B1, y, lr=lr)
    assert isinstance(u, Update)
    g = gradients(X1, W1, B1, y)
    assert u.gradients == g
    assert u.w_before == tuple(W1) and u.b_before == B1 and u.lr == lr
    assert u.w_after == pytest.approx(tuple(w - lr * d for w, d in zip(W1, g.dw, strict=True)))
    assert u.b_after == pytest.approx(B1 - lr * g.db)
    assert u.loss_before == pytest.approx(loss(X1, W1, B1, y), rel=1e-15)
    assert u.loss_after == pytest.approx(loss(X1, u.w_after, u.b_after, y), rel=1e-15)
    assert u.loss_after < u.loss_before
    data = u.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["gradients"] == g.as_dict()


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


def test_toy_dataset():
    X, y = toy_dataset()
    assert X.shape == (40, 2) and y.shape == (40,)
    assert set(y.tolist()) == {0.0, 1.0} and y.sum() == 20
    X2, y2 = toy_dataset()
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, toy_dataset(seed=1)[0])
    assert toy_dataset(n=10)[0].shape == (10, 2)


def test_training_run_shape_and_determinism():
    X, y = toy_dataset()
    run = train(X, y, lr=0.5, epochs=5)
    assert isinstance(run, TrainingRun)
    assert len(run.losses) == 6 and run.epochs == 5 and run.lr == 0.5
    assert all(type(v) is float for v in run.losses)
    assert len(run.w) == 2 and isinstance(run.b, float)
    assert train(X, y, lr=0.5, epochs=5) == run
    assert train(X, y, lr=0.5, epochs=5, seed=1) != run
    data = run.as_dict()
    assert json.loads(json.dumps(data)) == data
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.lr = 1.0


def test_training_starts_from_w0_and_b0_and_reports_the_mean_bce():
    X, y = toy_dataset()
    run = train(X, y, lr=0.3, epochs=3, w0=[0.2, -0.1], b0=0.05)
    p0 = 1 / (1 + np.exp(-(X @ np.array([0.2, -0.1]) + 0.05)))
    assert run.losses[0] == pytest.approx(binary_cross_entropy(y, p0), rel=1e-12)
    p_end = 1 / (1 + np.exp(-(X @ np.array(run.w) + run.b)))
    assert run.losses[-1] == pytest.approx(binary_cross_entropy(y, p_end), rel=1e-12)


def test_one_epoch_is_the_mean_of_per_example_gradients():
    X, y = toy_dataset(n=6)
    w0, b0, lr = [0.3, -0.2], 0.1, 0.7
    per_example = [gradients(X[i], w0, b0, y[i]) for i in range(6)]
    dw = np.mean([g.dw for g in per_example], axis=0)
    db = np.mean([g.db for g in per_example])
    run = train(X, y, lr=lr, epochs=1, w0=w0, b0=b0)
    assert run.w == pytest.approx(tuple(np.array(w0) - lr * dw), rel=1e-12)
    assert run.b == pytest.approx(b0 - lr * db, rel=1e-12)


def test_default_weights_are_small_and_seeded():
    X, y = toy_dataset()
    first = train(X, y, lr=1e-12, epochs=1)
    assert all(abs(w) < 0.5 for w in first.w)
    assert first.losses[0] == pytest.approx(math.log(2), abs=0.05)


def test_demo_learning_rates_behave_as_claimed():
    small, good, too_large = DEMO_LEARNING_RATES
    assert small < good < too_large
    X, y = toy_dataset()
    slow = np.array(train(X, y, lr=small, epochs=DEMO_EPOCHS).losses)
    fast = np.array(train(X, y, lr=good, epochs=DEMO_EPOCHS).losses)
    wild = np.array(train(X, y, lr=too_large, epochs=DEMO_EPOCHS).losses)
    start = slow[0]
    assert fast[0] == start and wild[0] == start
    # too small: decreases at every epoch, but slowly
    assert (np.diff(slow) < 0).all()
    assert slow[-1] > 0.7 * start
    # good: decreases at every epoch and fast
    assert (np.diff(fast) < 0).all()
    assert fast[-1] < 0.4 * start
    assert fast[5] < slow[-1]  # 5 good epochs beat all the small ones
    # too large: overshoots, the loss goes up at some epochs and rises above the start
    assert (np.diff(wild) > 0).sum() >= 5
    assert wild.max() > 2 * start
    assert wild[1] > start


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------

X, Y = toy_dataset(n=6)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: forward([1, 2, 3], [1, 2], 0), "w"),
        (lambda: forward([], [], 0), "x"),
        (lambda: forward([1, math.nan], [1, 2], 0), "x"),
        (lambda: forward([1, 2], [1, math.inf], 0), "w"),
        (lambda: forward([1, 2], [1, 2], math.nan), "b"),
        (lambda: forward([1, 2], [1, 2], [0.1, 0.2]), "b"),
        (lambda: forward(["a"], [1], 0), "x"),
        (lambda: forward([[1, 2]], [1, 2], 0), "x"),
        (lambda: loss([1], [1], 0, 1.5), "y"),
        (lambda: loss([1], [1], 0, math.nan), "y"),
        (lambda: loss([1], [1], 0, 1, eps=0.0), "eps"),
        (lambda: gradients([1], [1], 0, -0.1), "y"),
        (lambda: gradients([1, 2], [1], 0, 1), "w"),
        (lambda: update([1], [1], 0, 1, lr=0), "lr"),
        (lambda: update([1], [1], 0, 1, lr=-0.1), "lr"),
        (lambda: update([1], [1], 0, 1, lr=math.nan), "lr"),
        (lambda: update([1], [1], 0, 1, lr="fast"), "lr"),
        (lambda: train(X, Y[:-1], lr=0.1, epochs=1), "y"),
        (lambda: train(X, Y * 2, lr=0.1, epochs=1), "y"),
        (lambda: train(X, np.where(Y > 0, math.nan, 0), lr=0.1, epochs=1), "y"),
        (lambda: train(np.where(X > 0, math.nan, X), Y, lr=0.1, epochs=1), "X"),
        (lambda: train(X[:, 0], Y, lr=0.1, epochs=1), "X"),
        (lambda: train(np.zeros((0, 2)), [], lr=0.1, epochs=1), "X"),
        (lambda: train(X, Y, lr=0, epochs=1), "lr"),
        (lambda: train(X, Y, lr=0.1, epochs=0), "epochs"),
        (lambda: train(X, Y, lr=0.1, epochs=2.5), "epochs"),
        (lambda: train(X, Y, lr=0.1, epochs=1, w0=[1.0]), "w0"),
        (lambda: train(X, Y, lr=0.1, epochs=1, b0=math.inf), "b0"),
        (lambda: train(X, Y, lr=0.1, epochs=1, seed="x"), "seed"),
        (lambda: toy_dataset(n=1), "n"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, argument):
    with pytest.raises(ValueError) as info:
        call()
    assert argument in str(info.value)
