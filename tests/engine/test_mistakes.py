"""Tests of tutor.mistakes: each mistake's documented value, and that it is wrong."""

from __future__ import annotations

import inspect
import math
import warnings

import pytest

from tutor.engine import mistakes as M
from tutor.engine.losses import binary_cross_entropy, categorical_cross_entropy, mae, mse
from tutor.engine.neuron import sigmoid

HOUSE = ([260, 290, 200, 410], [250, 300, 180, 400])  # errors -10, 10, -20, -10
SPAM = ([1, 0, 1, 0], [0.9, 0.1, 0.8, 0.3])
CLIPPED = ([1, 0], [0.0, 0.2])
THREE = ([0, 1], [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]])
THREE_ONEHOT = ([[1, 0, 0], [0, 1, 0]], THREE[1])
LN10 = math.log(10)
SPAM_BCE = -(2 * math.log(0.9) + math.log(0.8) + math.log(0.7)) / 4
THREE_CCE = -(math.log(0.7) + math.log(0.6)) / 2

# (mistake, arguments, the value the learner gets, the right value)
CASES = [
    (M.mse_sum_instead_of_mean, HOUSE, 700.0, 175.0),
    (M.mse_as_mae, HOUSE, 12.5, 175.0),
    (M.mae_as_mse, HOUSE, 175.0, 12.5),
    (M.rmse_instead_of_mse, HOUSE, math.sqrt(175.0), 175.0),
    (M.square_of_mean_error, HOUSE, 56.25, 175.0),
    (M.mse_forgot_to_square, HOUSE, -7.5, 175.0),
    (M.mse_with_half, HOUSE, 87.5, 175.0),
    (M.mae_forgot_absolute, HOUSE, -7.5, 12.5),
    (M.mae_sum_instead_of_mean, HOUSE, 50.0, 12.5),
    (M.bce_missing_minus, SPAM, -SPAM_BCE, SPAM_BCE),
    (M.bce_log10, SPAM, SPAM_BCE / LN10, SPAM_BCE),
    (M.bce_sum_instead_of_mean, SPAM, 4 * SPAM_BCE, SPAM_BCE),
    (
        M.bce_wrong_class,
        SPAM,
        -(math.log(0.9) + math.log(0.1) + math.log(0.8) + math.log(0.3)) / 4,
        SPAM_BCE,
    ),
    (M.bce_only_positive_term, SPAM, -(math.log(0.9) + math.log(0.8)) / 4, SPAM_BCE),
    (M.bce_no_clipping, CLIPPED, math.inf, (-math.log(1e-15) - math.log(0.8)) / 2),
    (M.cce_missing_minus, THREE, -THREE_CCE, THREE_CCE),
    (M.cce_log10, THREE, THREE_CCE / LN10, THREE_CCE),
    (M.cce_sum_instead_of_mean, THREE, 2 * THREE_CCE, THREE_CCE),
    (
        M.cce_all_classes,
        THREE,
        -(math.log(0.7 * 0.2 * 0.1) + math.log(0.1 * 0.6 * 0.3)) / 2,
        THREE_CCE,
    ),
    (M.cce_all_classes, THREE_ONEHOT, M.cce_all_classes(*THREE), THREE_CCE),
    (M.cce_log10, THREE_ONEHOT, THREE_CCE / LN10, THREE_CCE),
    (M.weighted_sum_forgot_bias, ([1.0, 2.0], [0.5, -0.25], 0.1), 0.0, 0.1),
    (M.weighted_sum_added_instead_of_multiplied, ([1.0, 2.0], [0.5, -0.25], 0.1), 3.35, 0.1),
    (M.sigmoid_forgot_minus, (0.5,), 1 / (1 + math.exp(0.5)), sigmoid(0.5)),
    (M.sigmoid_returned_z, (0.5,), 0.5, sigmoid(0.5)),
    (M.gradient_z_sign_flipped, (0.8, 1), 0.2, -0.2),
    (M.gradient_extra_sigmoid_derivative, (0.8, 1), -0.2 * 0.8 * 0.2, -0.2),
    (M.gradient_sign_flipped, (0.8, 1, 2.0), 0.4, -0.4),
    (M.gradient_forgot_input, (0.8, 1, 2.0), -0.2, -0.4),
    (M.update_added_gradient, (0.5, 0.2, 0.1), 0.52, 0.48),
    (M.update_forgot_learning_rate, (0.5, 0.2, 0.1), 0.3, 0.48),
    (M.update_only_step, (0.5, 0.2, 0.1), 0.02, 0.48),
]


@pytest.mark.parametrize(
    ("mistake", "args", "wrong", "right"),
    CASES,
    ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)],
)
def test_mistake_gives_its_documented_value_and_differs_from_the_right_one(
    mistake, args, wrong, right
):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = mistake(*args)
    assert type(value) is float
    assert value == pytest.approx(wrong, rel=1e-12, abs=1e-15)
    assert not math.isclose(value, right, rel_tol=1e-6, abs_tol=1e-9)


def test_right_values_in_the_table_are_the_engine_values():
    assert mse(*HOUSE) == 175.0 and mae(*HOUSE) == 12.5
    assert binary_cross_entropy(*SPAM) == pytest.approx(SPAM_BCE, rel=1e-14)
    assert binary_cross_entropy(*CLIPPED) == pytest.approx(CASES[14][3], rel=1e-14)
    assert categorical_cross_entropy(*THREE) == pytest.approx(THREE_CCE, rel=1e-14)


def test_every_public_mistake_is_in_the_table_and_documented():
    tested = {case[0].__name__ for case in CASES}
    assert set(M.__all__) == tested
    for name in M.__all__:
        fn = getattr(M, name)
        doc = inspect.getdoc(fn)
        assert doc and doc.splitlines()[0].endswith("."), name


def test_no_clipping_is_finite_when_no_log_of_zero_is_needed():
    assert M.bce_no_clipping(*SPAM) == pytest.approx(SPAM_BCE, rel=1e-14)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert M.bce_no_clipping([1, 0], [1.0, 0.0]) == 0.0
        assert M.bce_no_clipping([0], [1.0]) == math.inf


def test_wrong_class_is_right_for_true_ones():
    assert M.bce_wrong_class([1, 1], [0.9, 0.8]) == pytest.approx(
        binary_cross_entropy([1, 1], [0.9, 0.8])
    )


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: M.mse_sum_instead_of_mean([1, 2], [1]), "y_pred"),
        (lambda: M.mse_as_mae([1, float("nan")], [1, 2]), "y_true"),
        (lambda: M.bce_log10([1, 0], [1.5, 0.5]), "y_pred"),
        (lambda: M.bce_no_clipping([2, 0], [0.5, 0.5]), "y_true"),
        (lambda: M.bce_missing_minus([1], [0.5], eps=0.9), "eps"),
        (lambda: M.cce_all_classes([0, 3], THREE[1]), "y_true"),
        (lambda: M.cce_log10([0, 1], [[0.5, 0.4], [0.5, 0.5]]), "y_pred"),
        (lambda: M.weighted_sum_forgot_bias([1, 2], [1], 0), "w"),
        (lambda: M.sigmoid_forgot_minus("z"), "z"),
        (lambda: M.gradient_sign_flipped(1.5, 1, 2), "p"),
        (lambda: M.gradient_forgot_input(0.5, 1, None), "x"),
        (lambda: M.update_only_step(0.5, 0.2, 0), "lr"),
        (lambda: M.update_added_gradient(0.5, "g", 0.1), "gradient"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, argument):
    with pytest.raises(ValueError) as info:
        call()
    assert argument in str(info.value)
