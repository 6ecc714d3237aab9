"""Tests of tutor.losses: values, gradients, validation, the registry and breakdowns."""

from __future__ import annotations

import dataclasses
import json
import math
import warnings

import numpy as np
import pytest
from sklearn.metrics import log_loss, mean_absolute_error, mean_squared_error

from tutor.engine.breakdown import Breakdown, BreakdownItem, breakdown
from tutor.engine.losses import (
    EPS,
    LOSSES,
    binary_cross_entropy,
    binary_cross_entropy_grad,
    categorical_cross_entropy,
    categorical_cross_entropy_grad,
    mae,
    mae_grad,
    mse,
    mse_grad,
)

RNG = np.random.default_rng(12345)
LN_EPS = -math.log(1e-15)  # 34.538776...

HOUSE_TRUE = [260, 290, 200, 410]
HOUSE_PRED = [250, 300, 180, 400]
SPAM_TRUE = [1, 0, 1, 0]
SPAM_PRED = [0.9, 0.1, 0.8, 0.3]


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _probs(n, k, floor=0.02):
    """Rows of probabilities bounded away from 0 (no clipping, smooth log)."""
    p = RNG.dirichlet(np.ones(k), n) * (1 - floor * k) + floor
    return p / p.sum(axis=1, keepdims=True)


def _onehot(labels, k):
    return np.eye(k)[labels]


# --------------------------------------------------------------------------------------------
# Seed figures
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected", "rel"),
    [
        pytest.param(lambda: mse(HOUSE_TRUE, HOUSE_PRED), 175.0, 0.0, id="house-mse-175"),
        pytest.param(lambda: mse(HOUSE_PRED, HOUSE_TRUE), 175.0, 0.0, id="house-mse-symmetric"),
        pytest.param(lambda: mae(HOUSE_TRUE, HOUSE_PRED), 12.5, 0.0, id="house-mae"),
        pytest.param(
            lambda: binary_cross_entropy(SPAM_TRUE, SPAM_PRED),
            -(2 * math.log(0.9) + math.log(0.8) + math.log(0.7)) / 4,
            1e-14,
            id="spam-bce",
        ),
        pytest.param(lambda: binary_cross_entropy([1], [0.7]), -math.log(0.7), 1e-15, id="cat-bce"),
        pytest.param(
            lambda: categorical_cross_entropy([0], [[0.7, 0.2, 0.1]]),
            -math.log(0.7),
            1e-15,
            id="cat-cce-label",
        ),
        pytest.param(
            lambda: categorical_cross_entropy([[1, 0, 0]], [[0.7, 0.2, 0.1]]),
            -math.log(0.7),
            1e-15,
            id="cat-cce-onehot",
        ),
        pytest.param(
            lambda: binary_cross_entropy([1], [0.0]), LN_EPS, 1e-15, id="true1-pred0-clipped"
        ),
        pytest.param(
            lambda: binary_cross_entropy([0], [1.0]),
            -math.log(1.0 - (1.0 - 1e-15)),  # 1 - eps is rounded in float64
            1e-15,
            id="true0-pred1-clipped",
        ),
        pytest.param(
            lambda: categorical_cross_entropy([1], [[1.0, 0.0]]),
            LN_EPS,
            1e-15,
            id="cce-true-class-0-clipped",
        ),
        pytest.param(
            lambda: binary_cross_entropy([[1, 0], [0, 1]], [[0.9, 0.2], [0.1, 0.6]]),
            -(math.log(0.9) + math.log(0.8) + math.log(0.9) + math.log(0.6)) / 4,
            1e-14,
            id="bce-2d-mean-over-all",
        ),
        pytest.param(
            lambda: mse([[1, 2], [3, 4]], [[1, 4], [6, 4]]), (0 + 4 + 9 + 0) / 4, 0.0, id="mse-2d"
        ),
    ],
)
def test_seed_figures(value, expected, rel):
    result = value()
    assert type(result) is float
    assert result == pytest.approx(expected, rel=rel, abs=0.0)


def test_spam_bce_rounded():
    assert round(binary_cross_entropy(SPAM_TRUE, SPAM_PRED), 4) == 0.1976


def test_cat_costs_0357():
    assert round(binary_cross_entropy([1], [0.7]), 3) == 0.357
    assert round(categorical_cross_entropy([0], [[0.7, 0.3]]), 4) == 0.3567


def test_eps_is_the_seed_value():
    assert EPS == 1e-15
    assert round(binary_cross_entropy([1], [0]), 2) == 34.54


@pytest.mark.parametrize(
    ("y_true", "y_pred"),
    [([1, 0], [1.0, 0.0]), ([1, 0, 1], [0.0, 1.0, 1.0]), ([0.3], [1.0]), ([0.3], [0.0])],
)
def test_exact_zero_and_one_predictions_stay_finite(y_true, y_pred):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = binary_cross_entropy(y_true, y_pred)
        grad = binary_cross_entropy_grad(y_true, y_pred)
    assert math.isfinite(value)
    assert np.isfinite(grad).all()


def test_perfect_predictions_cost_about_eps():
    assert binary_cross_entropy([1, 0], [1.0, 0.0]) == pytest.approx(1e-15, rel=0.2)


def test_custom_eps_changes_the_clip():
    assert binary_cross_entropy([1], [0.0], eps=1e-7) == pytest.approx(-math.log(1e-7))
    assert categorical_cross_entropy([0], [[0.0, 1.0]], eps=1e-3) == pytest.approx(-math.log(1e-3))


def test_the_smallest_clip_still_keeps_every_log_finite():
    # 1 - 1e-16 is still below 1 in float64; with a smaller eps a prediction of 1 stayed 1.
    perfect = ([1, 0], [1.0, 0.0])
    assert 0 < binary_cross_entropy(*perfect, eps=1e-16) < 1e-15
    assert np.isfinite(binary_cross_entropy_grad(*perfect, eps=1e-16)).all()
    b = breakdown("bce", *perfect, eps=1e-16)
    assert math.isfinite(b.loss) and all(math.isfinite(item.term) for item in b.items)
    for smaller in (5e-17, 1e-300, 5e-324):
        with pytest.raises(ValueError, match=r"eps must be at least 1e-16, got .*float64"):
            binary_cross_entropy(*perfect, eps=smaller)


@pytest.mark.parametrize("k", [2, 3, 5, 20])
def test_integer_labels_and_onehot_give_equal_cce(k):
    labels = RNG.integers(0, k, 12)
    p = _probs(12, k)
    a = categorical_cross_entropy(labels, p)
    b = categorical_cross_entropy(_onehot(labels, k), p)
    c = categorical_cross_entropy(labels.astype(float), p)  # whole-number floats are labels too
    assert a == pytest.approx(b, rel=1e-14)
    assert a == pytest.approx(c, rel=1e-15)
    ga = categorical_cross_entropy_grad(labels, p)
    gb = categorical_cross_entropy_grad(_onehot(labels, k), p)
    np.testing.assert_allclose(ga, gb, rtol=1e-14)


# --------------------------------------------------------------------------------------------
# Agreement with scikit-learn
# --------------------------------------------------------------------------------------------

REGRESSION = [
    pytest.param(HOUSE_TRUE, HOUSE_PRED, id="house"),
    pytest.param(RNG.normal(size=50), RNG.normal(size=50), id="1d-50"),
    pytest.param(RNG.normal(size=(20, 3)), RNG.normal(size=(20, 3)), id="2d-multi-output"),
    pytest.param([3.0], [-1.5], id="single"),
]


@pytest.mark.parametrize(("y_true", "y_pred"), REGRESSION)
def test_mse_mae_match_sklearn(y_true, y_pred):
    assert mse(y_true, y_pred) == pytest.approx(mean_squared_error(y_true, y_pred), rel=1e-13)
    assert mae(y_true, y_pred) == pytest.approx(mean_absolute_error(y_true, y_pred), rel=1e-13)


BINARY = [
    pytest.param(np.array(SPAM_TRUE), np.array(SPAM_PRED), id="spam"),
    pytest.param(
        (RNG.random(200) < 0.4).astype(float), RNG.uniform(0.01, 0.99, 200), id="random-200"
    ),
    pytest.param(np.array([0.0, 1.0]), np.array([1e-9, 1 - 1e-9]), id="near-edges"),
]


@pytest.mark.parametrize(("y_true", "y_pred"), BINARY)
def test_bce_matches_sklearn_log_loss(y_true, y_pred):
    # log_loss clips to float64's machine epsilon; these inputs are never clipped by either.
    expected = log_loss(y_true, y_pred, labels=[0, 1])
    assert binary_cross_entropy(y_true, y_pred) == pytest.approx(expected, rel=1e-12)


def test_bce_2d_matches_sklearn_per_column():
    y = (RNG.random((30, 4)) < 0.5).astype(float)
    p = RNG.uniform(0.02, 0.98, (30, 4))
    expected = np.mean([log_loss(y[:, j], p[:, j], labels=[0, 1]) for j in range(4)])
    assert binary_cross_entropy(y, p) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("n", "k"), [(1, 3), (8, 2), (40, 4), (25, 20)])
def test_cce_matches_sklearn_log_loss(n, k):
    labels = RNG.integers(0, k, n)
    p = _probs(n, k)
    expected = log_loss(labels, p, labels=list(range(k)))
    assert categorical_cross_entropy(labels, p) == pytest.approx(expected, rel=1e-12)
    assert categorical_cross_entropy(_onehot(labels, k), p) == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------------------------
# Agreement with PyTorch (skipped when torch is not installed)
# --------------------------------------------------------------------------------------------


def _torch_value_and_grad(fn, y_pred, *args):
    torch = pytest.importorskip("torch")
    x = torch.tensor(np.asarray(y_pred, dtype=np.float64), requires_grad=True)
    out = fn(x, *args)
    out.backward()
    return float(out.detach()), x.grad.numpy()


@pytest.mark.parametrize(("y_true", "y_pred"), REGRESSION)
def test_mse_mae_and_gradients_match_torch(y_true, y_pred):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    t = torch.tensor(np.asarray(y_true, dtype=np.float64))
    value, grad = _torch_value_and_grad(F.mse_loss, y_pred, t)
    assert mse(y_true, y_pred) == pytest.approx(value, rel=1e-13)
    np.testing.assert_allclose(mse_grad(y_true, y_pred), grad, rtol=1e-13)
    value, grad = _torch_value_and_grad(F.l1_loss, y_pred, t)
    assert mae(y_true, y_pred) == pytest.approx(value, rel=1e-13)
    np.testing.assert_allclose(mae_grad(y_true, y_pred), grad, rtol=1e-13)


def test_mae_grad_is_zero_at_ties_like_torch():
    np.testing.assert_array_equal(mae_grad([1.0, 2.0, 3.0], [1.0, 3.0, 2.0]), [0, 1 / 3, -1 / 3])


BINARY_SOFT = [
    *BINARY,
    pytest.param(RNG.random(30), RNG.uniform(0.05, 0.95, 30), id="soft-labels"),
    pytest.param(
        (RNG.random((6, 3)) < 0.5).astype(float), RNG.uniform(0.05, 0.95, (6, 3)), id="2d"
    ),
]


@pytest.mark.parametrize(("y_true", "y_pred"), BINARY_SOFT)
def test_bce_and_gradient_match_torch(y_true, y_pred):
    torch = pytest.importorskip("torch")
    t = torch.tensor(y_true, dtype=torch.float64)
    value, grad = _torch_value_and_grad(torch.nn.functional.binary_cross_entropy, y_pred, t)
    assert binary_cross_entropy(y_true, y_pred) == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(binary_cross_entropy_grad(y_true, y_pred), grad, rtol=1e-9)


@pytest.mark.parametrize(("y_true", "y_pred"), BINARY_SOFT)
def test_bce_from_logits_and_gradient_match_torch(y_true, y_pred):
    torch = pytest.importorskip("torch")
    z = np.log(y_pred) - np.log1p(-np.asarray(y_pred)) * 1.5  # some logits
    t = torch.tensor(y_true, dtype=torch.float64)
    fn = torch.nn.functional.binary_cross_entropy_with_logits
    value, grad = _torch_value_and_grad(fn, z, t)
    assert binary_cross_entropy(y_true, z, from_logits=True) == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(
        binary_cross_entropy_grad(y_true, z, from_logits=True), grad, rtol=1e-11, atol=1e-17
    )


@pytest.mark.parametrize(("n", "k"), [(1, 3), (10, 2), (16, 5), (9, 20)])
@pytest.mark.parametrize("targets", ["labels", "onehot", "soft"])
def test_cce_and_gradients_match_torch(n, k, targets):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    labels = RNG.integers(0, k, n)
    if targets == "labels":
        y, ty = labels, torch.tensor(labels)
    elif targets == "onehot":
        y = _onehot(labels, k)
        ty = torch.tensor(y)
    else:
        y = _probs(n, k, floor=0.0)
        ty = torch.tensor(y)
    p = _probs(n, k)
    z = RNG.normal(0.0, 3.0, (n, k))

    if targets == "labels":
        value, grad = _torch_value_and_grad(lambda x: F.nll_loss(torch.log(x), ty), p)
    else:
        value, grad = _torch_value_and_grad(lambda x: -(ty * torch.log(x)).sum(1).mean(), p)
    assert categorical_cross_entropy(y, p) == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(categorical_cross_entropy_grad(y, p), grad, rtol=1e-11)

    value, grad = _torch_value_and_grad(lambda x: F.cross_entropy(x, ty), z)
    assert categorical_cross_entropy(y, z, from_logits=True) == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(
        categorical_cross_entropy_grad(y, z, from_logits=True), grad, rtol=1e-10, atol=1e-17
    )


# --------------------------------------------------------------------------------------------
# Logits against probabilities
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(7,), (4, 3)])
def test_bce_from_logits_equals_probability_version(shape):
    z = RNG.normal(0.0, 2.0, shape)
    y = (RNG.random(shape) < 0.5).astype(float)
    p = _sigmoid(z)
    assert binary_cross_entropy(y, z, from_logits=True) == pytest.approx(
        binary_cross_entropy(y, p), rel=1e-12
    )
    # Chain rule: d/dz = d/dp * p (1 - p).
    np.testing.assert_allclose(
        binary_cross_entropy_grad(y, z, from_logits=True),
        binary_cross_entropy_grad(y, p) * p * (1 - p),
        rtol=1e-10,
    )
    np.testing.assert_allclose(
        binary_cross_entropy_grad(y, z, from_logits=True), (p - y) / y.size, rtol=1e-12
    )


@pytest.mark.parametrize("k", [2, 3, 20])
def test_cce_from_logits_equals_probability_version(k):
    z = RNG.normal(0.0, 2.0, (6, k))
    labels = RNG.integers(0, k, 6)
    p = _softmax(z)
    for y in (labels, _onehot(labels, k)):
        assert categorical_cross_entropy(y, z, from_logits=True) == pytest.approx(
            categorical_cross_entropy(y, p), rel=1e-12
        )
    np.testing.assert_allclose(
        categorical_cross_entropy_grad(labels, z, from_logits=True),
        (p - _onehot(labels, k)) / 6,
        rtol=1e-12,
        atol=1e-17,
    )


@pytest.mark.parametrize(
    ("fn", "y_true", "logits", "expected"),
    [
        (binary_cross_entropy, [1], [1000.0], 0.0),
        (binary_cross_entropy, [0], [1000.0], 1000.0),
        (binary_cross_entropy, [1], [-800.0], 800.0),
        (binary_cross_entropy, [1], [40.0], math.exp(-40.0)),
        (categorical_cross_entropy, [0], [[1000.0, 0.0]], 0.0),
        (categorical_cross_entropy, [1], [[1000.0, 0.0]], 1000.0),
        (categorical_cross_entropy, [[0, 1]], [[-900.0, 900.0]], 0.0),
    ],
)
def test_extreme_logits_are_stable(fn, y_true, logits, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = fn(y_true, logits, from_logits=True)
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-300)


# --------------------------------------------------------------------------------------------
# Gradients against central finite differences
# --------------------------------------------------------------------------------------------


def _finite_difference(f, x, h):
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        g[i] = (f(up) - f(down)) / (2 * h)
    return g


def _regression_pair(shape):
    y = RNG.normal(size=shape)
    # keep every error at least 0.1 away from 0, the kink of |e|
    e = RNG.uniform(0.1, 1.0, shape) * RNG.choice([-1.0, 1.0], shape)
    return y, y + e


FD_CASES = [
    pytest.param("mse", (5,), {}, id="mse-1d"),
    pytest.param("mse", (3, 2), {}, id="mse-2d"),
    pytest.param("mae", (6,), {}, id="mae-1d"),
    pytest.param("mae", (2, 3), {}, id="mae-2d"),
]


@pytest.mark.parametrize(("name", "shape", "kw"), FD_CASES)
def test_regression_gradients_match_finite_differences(name, shape, kw):
    y, p = _regression_pair(shape)
    spec = LOSSES[name]
    numeric = _finite_difference(lambda q: spec.loss(y, q), p, 1e-6)
    np.testing.assert_allclose(spec.grad(y, p), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("shape", [(6,), (3, 4)])
@pytest.mark.parametrize("soft", [False, True])
@pytest.mark.parametrize("from_logits", [False, True])
def test_bce_gradient_matches_finite_differences(shape, soft, from_logits):
    y = RNG.random(shape) if soft else (RNG.random(shape) < 0.5).astype(float)
    x = RNG.normal(0.0, 2.0, shape) if from_logits else RNG.uniform(0.05, 0.95, shape)
    numeric = _finite_difference(
        lambda q: binary_cross_entropy(y, q, from_logits=from_logits), x, 1e-6
    )
    analytic = binary_cross_entropy_grad(y, x, from_logits=from_logits)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("targets", ["labels", "onehot", "soft"])
@pytest.mark.parametrize("k", [3, 20])
@pytest.mark.parametrize("from_logits", [False, True])
def test_cce_gradient_matches_finite_differences(targets, k, from_logits):
    n = 4
    labels = RNG.integers(0, k, n)
    y = {
        "labels": labels,
        "onehot": _onehot(labels, k),
        "soft": _probs(n, k, floor=0.0),
    }[targets]
    # h = 1e-7 keeps perturbed probability rows within the 1e-6 row-sum tolerance.
    x = RNG.normal(0.0, 2.0, (n, k)) if from_logits else _probs(n, k, floor=0.03)
    numeric = _finite_difference(
        lambda q: categorical_cross_entropy(y, q, from_logits=from_logits), x, 1e-7
    )
    analytic = categorical_cross_entropy_grad(y, x, from_logits=from_logits)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_gradient_is_zero_where_clipping_is_active():
    # Deep inside the clipped region the clipped loss is flat: finite differences give 0 too.
    y, p = np.array([1.0, 0.0, 1.0]), np.array([1e-17, 0.5, 0.0])
    grad = binary_cross_entropy_grad(y, p)
    flat = _finite_difference(lambda q: binary_cross_entropy(y[:1], q), p[:1], 1e-18)
    assert grad[0] == 0.0 and flat[0] == 0.0
    assert grad[2] == 0.0  # exactly 0: clipped
    assert grad[1] == pytest.approx(2 / 3, rel=1e-15)  # (p - y) / (p (1 - p)) / n, unclipped
    assert binary_cross_entropy_grad([0.0], [1.0])[0] == 0.0
    g = categorical_cross_entropy_grad([0, 1], [[1.0, 0.0], [0.5, 0.5]])
    np.testing.assert_array_equal(g, [[0.0, 0.0], [0.0, -1.0]])
    g = categorical_cross_entropy_grad([[0, 1]], [[1.0, 0.0]])
    np.testing.assert_array_equal(g, [[0.0, 0.0]])


@pytest.mark.parametrize("name", ["mse", "mae", "bce"])
@pytest.mark.parametrize("shape", [(4,), (2, 3), ()])
def test_gradient_has_the_shape_of_y_pred(name, shape):
    y = np.full(shape, 0.0)
    p = np.full(shape, 0.25)
    g = LOSSES[name].grad(y, p)
    assert g.shape == np.shape(p) and g.dtype == np.float64


# --------------------------------------------------------------------------------------------
# Inputs: types, layouts, no mutation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("y_true", "y_pred"),
    [
        (HOUSE_TRUE, HOUSE_PRED),
        (tuple(HOUSE_TRUE), tuple(HOUSE_PRED)),
        (np.array(HOUSE_TRUE, dtype=np.int32), np.array(HOUSE_PRED, dtype=np.float32)),
        (np.array(HOUSE_TRUE, dtype=np.uint16), np.array(HOUSE_PRED, dtype=np.int64)),
    ],
)
def test_lists_tuples_and_other_dtypes(y_true, y_pred):
    assert mse(y_true, y_pred) == 175.0
    assert mae(y_true, y_pred) == 12.5


def test_scalars_are_one_item():
    assert mse(3, 1) == 4.0
    assert binary_cross_entropy(1, 0.7) == pytest.approx(-math.log(0.7))
    assert binary_cross_entropy(True, 0.7) == pytest.approx(-math.log(0.7))


def test_non_contiguous_inputs():
    big = _probs(10, 6)
    p = big[::2, :3] / big[::2, :3].sum(axis=1, keepdims=True)
    p_view = np.asfortranarray(p)
    labels = np.array([0, 2, 1, 1, 0])
    assert categorical_cross_entropy(labels, p_view) == pytest.approx(
        categorical_cross_entropy(labels, np.ascontiguousarray(p)), rel=1e-15
    )
    y = (RNG.random((4, 5)) < 0.5).astype(float)
    q = RNG.uniform(0.1, 0.9, (5, 4)).T
    assert binary_cross_entropy(y, q) == pytest.approx(binary_cross_entropy(y, q.copy()), rel=1e-15)


@pytest.mark.parametrize("from_logits", [False, True])
def test_inputs_are_never_modified(from_logits):
    y1 = np.array([1.0, 0.0, 1.0, 0.5])
    p1 = np.array([0.0, 1.0, 0.3, 0.5])
    labels = np.array([0, 1, 2])
    p2 = np.array([[1.0, 0.0, 0.0], [0.2, 0.3, 0.5], [0.0, 0.0, 1.0]])
    y2 = _onehot(labels, 3)
    originals = [a.copy() for a in (y1, p1, labels, p2, y2)]
    for fn in (binary_cross_entropy, binary_cross_entropy_grad):
        fn(y1, p1, from_logits=from_logits)
    for fn in (categorical_cross_entropy, categorical_cross_entropy_grad):
        fn(labels, p2, from_logits=from_logits)
        fn(y2, p2, from_logits=from_logits)
    for name in ("mse", "mae"):
        LOSSES[name].loss(y1, p1)
        LOSSES[name].grad(y1, p1)
    for before, after in zip(originals, (y1, p1, labels, p2, y2), strict=True):
        np.testing.assert_array_equal(before, after)


def test_large_inputs_use_the_same_formula():
    n = 20_000
    y = (RNG.random(n) < 0.5).astype(float)
    p = RNG.uniform(0.001, 0.999, n)
    assert binary_cross_entropy(y, p) == pytest.approx(log_loss(y, p), rel=1e-11)
    labels = RNG.integers(0, 3, n)
    probs = _probs(n, 3, floor=0.0)
    assert categorical_cross_entropy(_onehot(labels, 3), probs) == pytest.approx(
        log_loss(labels, probs, labels=[0, 1, 2]), rel=1e-11
    )


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------

P2 = [[0.5, 0.5], [0.2, 0.8]]

# (call, argument name the message must contain, words saying what is wrong)
BAD_INPUTS = [
    ("mse", ([1, 2, 3], [1, 2]), {}, "y_pred", "shape"),
    ("mae", ([[1, 2]], [1, 2]), {}, "y_true", "shape"),
    ("mse", ([], []), {}, "y_pred", "empty"),
    ("mae", (np.zeros((0, 3)), np.zeros((0, 3))), {}, "y_pred", "empty"),
    ("mse", ([1, np.nan], [1, 2]), {}, "y_true", "NaN"),
    ("mae", ([1, 2], [1, np.inf]), {}, "y_pred", "infinity"),
    ("mse", ([1, 2], [-np.inf, 1]), {}, "y_pred", "infinity"),
    ("mse", ([np.inf], [np.inf]), {}, "y_true", "infinity"),
    ("mse", ([1e308], [-1e308]), {}, "y_pred", "overflow"),
    ("mse", (["a", "b"], [1, 2]), {}, "y_true", "number"),
    ("mae", ([1, 2], ["1", "2"]), {}, "y_pred", "number"),
    ("mse", ([[1, 2], [3]], [1, 2]), {}, "y_true", "regular"),
    ("mae", ([1, 2], [1, None]), {}, "y_pred", "number"),
    ("mse", (None, [1.0]), {}, "y_true", "number"),
    ("mse", ([1, 2], [1 + 2j, 2]), {}, "y_pred", "complex"),
    ("mse", ({"a": 1}, [1]), {}, "y_true", "number"),
    ("bce", ([1, 0], [1.2, 0.5]), {}, "y_pred", "[0, 1]"),
    ("bce", ([1, 0], [0.5, -0.1]), {}, "y_pred", "from_logits"),
    ("bce", ([2, 0], [0.5, 0.5]), {}, "y_true", "[0, 1]"),
    ("bce", ([-1, 0], [0.5, 0.5]), {}, "y_true", "[0, 1]"),
    ("bce", ([1, 0], [np.nan, 0.5]), {}, "y_pred", "NaN"),
    ("bce", ([1, np.nan], [0.5, 0.5]), {}, "y_true", "NaN"),
    ("bce", ([1, 0], [0.5]), {}, "y_pred", "shape"),
    ("bce", ([], []), {}, "y_pred", "empty"),
    ("bce", ([1, 0], ["x", 0.5]), {}, "y_pred", "number"),
    ("bce", ([1, 0], [np.inf, 0.5]), {"from_logits": True}, "y_pred", "infinity"),
    ("bce", ([1, 0], [-np.inf, 0.5]), {"from_logits": True}, "y_pred", "infinity"),
    ("bce", ([0, 0], [-np.inf, 0.5]), {"from_logits": True}, "y_pred", "infinity"),
    ("bce", ([1, 0], [np.nan, 0.5]), {"from_logits": True}, "y_pred", "NaN"),
    ("bce", ([1.5, 0], [3.0, 0.5]), {"from_logits": True}, "y_true", "[0, 1]"),
    ("bce", ([1], [0.5]), {"eps": 0}, "eps", "0.5"),
    ("bce", ([1], [0.5]), {"eps": 0.5}, "eps", "0.5"),
    ("bce", ([1], [0.5]), {"eps": -1e-3}, "eps", "0.5"),
    ("bce", ([1], [0.5]), {"eps": float("nan")}, "eps", "0.5"),
    ("bce", ([1], [0.5]), {"eps": "1e-3"}, "eps", "number"),
    ("bce", ([1], [0.5]), {"eps": True}, "eps", "number"),
    ("bce", ([1], [0.5]), {"eps": None}, "eps", "number"),
    ("cce", ([0, 2], P2), {}, "y_true", "class label"),
    ("cce", ([0, -1], P2), {}, "y_true", "class label"),
    ("cce", ([0, 1.5], P2), {}, "y_true", "whole number"),
    ("cce", ([0, np.nan], P2), {}, "y_true", "finite"),
    ("cce", ([0, 1, 1], P2), {}, "y_true", "rows"),
    ("cce", ([[1, 0, 0], [0, 1, 0]], P2), {}, "y_true", "shape"),
    ("cce", ([[1.5, -0.5], [0, 1]], P2), {}, "y_true", "[0, 1]"),
    ("cce", (["a", "b"], P2), {}, "y_true", "number"),
    ("cce", ([0, 1], [[0.5, 0.4], [0.2, 0.8]]), {}, "y_pred", "sums to"),
    ("cce", ([0, 1], [[0.6, 0.6], [0.2, 0.8]]), {}, "y_pred", "not rescaled"),
    ("cce", ([0, 1], [[1.5, -0.5], [0.2, 0.8]]), {}, "y_pred", "[0, 1]"),
    ("cce", ([0, 1], [[np.nan, 0.5], [0.2, 0.8]]), {}, "y_pred", "NaN"),
    ("cce", ([0], [0.5, 0.5]), {}, "y_pred", "2-D"),
    ("cce", ([0], [[]]), {}, "y_pred", "empty"),
    ("cce", ([], np.zeros((0, 2))), {}, "y_pred", "empty"),
    ("cce", ([0, 1], [[0.5, 0.5], [0.5]]), {}, "y_pred", "regular"),
    ("cce", ([0, 1], [[2.0, np.inf], [0.0, 1.0]]), {"from_logits": True}, "y_pred", "infinity"),
    ("cce", ([0, 1], [[2.0, -np.inf], [0.0, 1.0]]), {"from_logits": True}, "y_pred", "infinity"),
    ("cce", ([0, 1], [[np.nan, 1.0], [0.0, 1.0]]), {"from_logits": True}, "y_pred", "NaN"),
    ("cce", ([0, 5], [[2.0, 1.0], [0.0, 1.0]]), {"from_logits": True}, "y_true", "class label"),
    ("cce", ([0, 1], P2), {"eps": 1.0}, "eps", "0.5"),
]


@pytest.mark.parametrize("which", ["loss", "grad"])
@pytest.mark.parametrize(
    ("name", "args", "kwargs", "argument", "words"),
    BAD_INPUTS,
    ids=[f"{b[0]}-{i}-{b[3]}" for i, b in enumerate(BAD_INPUTS)],
)
def test_bad_input_raises_value_error_naming_the_argument(
    which, name, args, kwargs, argument, words
):
    fn = getattr(LOSSES[name], which)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning on the way to the error either
        with pytest.raises(ValueError) as info:
            fn(*args, **kwargs)
    message = str(info.value)
    assert argument in message
    assert words in message


@pytest.mark.parametrize("name", ["bce", "cce"])
def test_breakdown_rejects_what_the_loss_rejects(name):
    args = ([1, 0], [1.2, 0.5]) if name == "bce" else ([0, 1], [[0.5, 0.4], [0.2, 0.8]])
    with pytest.raises(ValueError, match="y_pred"):
        breakdown(name, *args)
    with pytest.raises(ValueError, match="eps"):
        breakdown(name, [1], [0.5] if name == "bce" else [[0.5, 0.5]], eps=0.7)


def test_row_sum_tolerance_is_one_in_a_million():
    ok = [[0.5 + 4e-7, 0.5], [0.3, 0.7 - 9e-7]]
    assert math.isfinite(categorical_cross_entropy([0, 1], ok))
    with pytest.raises(ValueError, match="y_pred row 1"):
        categorical_cross_entropy([0, 1], [[0.5, 0.5], [0.3, 0.7 - 2e-6]])


# --------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------


def test_losses_registry():
    assert list(LOSSES) == ["mse", "mae", "bce", "cce"]
    assert LOSSES["mse"].name == "Mean squared error"
    assert LOSSES["mae"].name == "Mean absolute error"
    assert LOSSES["bce"].name == "Binary cross-entropy"
    assert LOSSES["cce"].name == "Categorical cross-entropy"
    assert LOSSES["mse"].loss is mse and LOSSES["mse"].grad is mse_grad
    assert LOSSES["cce"].loss is categorical_cross_entropy
    assert [s.uses_eps for s in LOSSES.values()] == [False, False, True, True]
    with pytest.raises(dataclasses.FrozenInstanceError):
        LOSSES["mse"].name = "x"
    with pytest.raises(TypeError):
        LOSSES["x"] = LOSSES["mse"]


# --------------------------------------------------------------------------------------------
# Breakdowns
# --------------------------------------------------------------------------------------------


def _plain_json(value):
    """True if value is made only of JSON's own Python types."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain_json(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain_json(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


BREAKDOWNS = [
    pytest.param("mse", HOUSE_TRUE, HOUSE_PRED, id="mse-house"),
    pytest.param("mae", HOUSE_TRUE, HOUSE_PRED, id="mae-house"),
    pytest.param("mse", [[1, 2], [3, 4]], [[1.5, 2], [2, 5]], id="mse-2d"),
    pytest.param("bce", SPAM_TRUE, SPAM_PRED, id="bce-spam"),
    pytest.param("bce", [1, 0, 1, 0], [1.0, 0.0, 0.0, 1.0], id="bce-clipped"),
    pytest.param("bce", [[1, 0], [0.3, 1]], [[0.9, 0.2], [0.4, 0.6]], id="bce-2d-soft"),
    pytest.param("cce", [0, 2], [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]], id="cce-labels"),
    pytest.param("cce", [[1, 0, 0], [0, 0, 1]], [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]], id="onehot"),
    pytest.param("cce", [[0.2, 0.8], [0.6, 0.4]], [[0.3, 0.7], [0.5, 0.5]], id="cce-soft"),
    pytest.param("cce", [0, 1], [[1.0, 0.0], [1.0, 0.0]], id="cce-clipped"),
]


@pytest.mark.parametrize(("name", "y_true", "y_pred"), BREAKDOWNS)
def test_breakdown_matches_the_loss(name, y_true, y_pred):
    spec = LOSSES[name]
    b = breakdown(name, y_true, y_pred)
    assert isinstance(b, Breakdown)
    assert b.loss_name == spec.name
    expected = spec.loss(y_true, y_pred)
    assert b.loss == expected
    assert math.fsum(item.term for item in b.items) / len(b.items) == pytest.approx(
        expected, rel=1e-12, abs=1e-300
    )
    np.testing.assert_array_equal(np.array(b.gradient), spec.grad(y_true, y_pred))
    assert b.eps == (EPS if spec.uses_eps else None)
    assert b.clipped == any(item.clipped for item in b.items)
    rows = len(y_true) if name == "cce" else np.size(y_pred)
    assert [item.index for item in b.items] == list(range(rows))
    for item in b.items:
        assert isinstance(item, BreakdownItem)
        assert item.clipped == (item.clipped_to is not None)
    data = b.as_dict()
    assert _plain_json(data)
    assert json.loads(json.dumps(data)) == data
    assert data["loss"] == expected and len(data["items"]) == rows


def test_breakdown_items_of_the_house_example():
    b = breakdown("mse", HOUSE_TRUE, HOUSE_PRED)
    assert [i.error for i in b.items] == [-10.0, 10.0, -20.0, -10.0]
    assert [i.term for i in b.items] == [100.0, 100.0, 400.0, 100.0]
    assert [i.prediction for i in b.items] == [250.0, 300.0, 180.0, 400.0]
    assert [i.truth for i in b.items] == [260.0, 290.0, 200.0, 410.0]
    assert b.loss == 175.0 and not b.clipped
    assert b.gradient == (-5.0, 5.0, -10.0, -5.0)
    assert [i.term for i in breakdown("mae", HOUSE_TRUE, HOUSE_PRED).items] == [10, 10, 20, 10]


def test_breakdown_flags_clipping_on_exact_zero_and_one():
    b = breakdown("bce", [1, 0, 1], [0.0, 1.0, 0.8])
    assert b.clipped
    first, second, third = b.items
    assert first.clipped and first.clipped_to == 1e-15 and first.prediction == 0.0
    assert first.term == pytest.approx(LN_EPS, rel=1e-15)
    assert second.clipped and second.clipped_to == 1.0 - 1e-15
    assert not third.clipped and third.clipped_to is None
    assert third.term == pytest.approx(-math.log(0.8))
    assert b.gradient[0] == 0.0 and b.gradient[1] == 0.0
    assert not breakdown("bce", SPAM_TRUE, SPAM_PRED).clipped


def test_breakdown_cce_items():
    b = breakdown("cce", [0, 2], [[0.7, 0.2, 0.1], [1.0, 0.0, 0.0]])
    first, second = b.items
    assert (first.truth, first.prediction, first.clipped) == (0, 0.7, False)
    assert first.error == pytest.approx(-0.3)
    assert first.term == pytest.approx(-math.log(0.7))
    assert (second.truth, second.prediction, second.clipped, second.clipped_to) == (
        2,
        0.0,
        True,
        1e-15,
    )
    assert second.term == pytest.approx(LN_EPS)
    assert b.clipped and b.eps == EPS
    # a clipped probability the target ignores does not count as clipping
    assert not breakdown("cce", [0], [[0.5, 0.5, 0.0]]).items[0].clipped
    soft = breakdown("cce", [[0.2, 0.8]], [[0.3, 0.7]]).items[0]
    assert (soft.truth, soft.prediction) == (1, 0.7)
    assert soft.error == pytest.approx(0.7 - 0.8)
    assert soft.term == pytest.approx(-(0.2 * math.log(0.3) + 0.8 * math.log(0.7)))


def test_breakdown_2d_items_are_flattened():
    b = breakdown("bce", [[1, 0], [0, 1]], [[0.9, 0.2], [0.1, 0.6]])
    assert [i.prediction for i in b.items] == [0.9, 0.2, 0.1, 0.6]
    assert [i.truth for i in b.items] == [1.0, 0.0, 0.0, 1.0]
    assert np.array(b.gradient).shape == (2, 2)


def test_breakdown_custom_eps_and_unknown_name():
    b = breakdown("bce", [1], [0.0], eps=1e-7)
    assert b.eps == 1e-7 and b.items[0].clipped_to == 1e-7
    assert breakdown("mse", [1], [2], eps=0.1).eps is None
    with pytest.raises(ValueError, match="name"):
        breakdown("rmse", [1], [2])
    with pytest.raises(ValueError, match="name"):
        breakdown(None, [1], [2])


def test_breakdown_is_frozen():
    b = breakdown("mse", [1], [2])
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.loss = 0.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.items[0].term = 0.0


def test_a_loss_of_zero_is_never_negative_zero():
    # Rows of targets that are all 0 score nothing: 0, written as "-0.0" it read oddly.
    for value in (
        categorical_cross_entropy([[0, 0]], [[0.5, 0.5]]),
        breakdown("cce", [[0, 0]], [[0.5, 0.5]]).loss,
    ):
        assert value == 0 and math.copysign(1.0, value) == 1.0
