"""Tests of tutor.computations: the registry, its values, its mistakes and its errors."""

from __future__ import annotations

import dataclasses
import inspect
import math
import re

import pytest

from tutor.engine import losses, neuron
from tutor.engine.computations import COMPUTATIONS, Computation, Mistake, compute, compute_mistake

HOUSE = {"y_true": [260, 290, 200, 410], "y_pred": [250, 300, 180, 400]}
SPAM = {"y_true": [1, 0, 1, 0], "y_pred": [0.9, 0.1, 0.8, 0.3]}
CLIPPED = {"y_true": [1, 0], "y_pred": [0.0, 0.2]}
THREE = {"y_true": [0, 1], "y_pred": [[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]]}
NEURON = {"x": [1.0, 2.0], "w": [0.5, -0.25], "b": 0.1}
SPAM_BCE = -(2 * math.log(0.9) + math.log(0.8) + math.log(0.7)) / 4
THREE_CCE = -(math.log(0.7) + math.log(0.6)) / 2
S01 = 1 / (1 + math.exp(-0.1))
LOGITS = {"logits": [2.0, 1.0, 0.1], "k": 1}
SOFT = [math.exp(v) / (math.exp(2.0) + math.exp(1.0) + math.exp(0.1)) for v in (2.0, 1.0, 0.1)]
WEIGHTED = {"y_true": [1, 0], "y_pred": [0.6, 0.2], "pos_weight": 3}
TRUTHS = {"values": [2, 3, 4, 30]}
SLOPES = {"slopes": [-2.0, 0.25, 3.0]}


def _sig(z: float) -> float:
    return 1 / (1 + math.exp(-z))


# The network of the backpropagation lesson's tests, worked by hand below.
NET = {
    "x": [1.0, 2.0],
    "w1": [[0.5, -0.4], [0.3, 0.8]],
    "b1": [0.1, -0.2],
    "w2": [1.2, -0.7],
    "b2": 0.05,
    "activation": "sigmoid",
}
H = [_sig(0.5 - 0.8 + 0.1), _sig(0.3 + 1.6 - 0.2)]
Z2 = 1.2 * H[0] - 0.7 * H[1] + 0.05
P = _sig(Z2)
DZ2 = P - 1  # truth 1
DZ1_1 = DZ2 * -0.7 * H[1] * (1 - H[1])  # the blame at unit 1's sum
G_W1_10 = DZ1_1 * 1.0  # unit 1, input 0


def _loss_after_step(rate: float) -> float:
    """The hand-worked network's loss after moving every weight by -rate * its gradient."""
    x, w1, b1, w2, b2 = NET["x"], NET["w1"], NET["b1"], NET["w2"], NET["b2"]
    dz1 = [DZ2 * w2[j] * H[j] * (1 - H[j]) for j in range(2)]
    w1 = [[w1[j][i] - rate * dz1[j] * x[i] for i in range(2)] for j in range(2)]
    b1 = [b1[j] - rate * dz1[j] for j in range(2)]
    w2 = [w2[j] - rate * DZ2 * H[j] for j in range(2)]
    b2 = b2 - rate * DZ2
    h = [_sig(w1[j][0] * x[0] + w1[j][1] * x[1] + b1[j]) for j in range(2)]
    return -math.log(_sig(w2[0] * h[0] + w2[1] * h[1] + b2))


CONTRACT = {
    "mse": ("y_true", "y_pred"),
    "mae": ("y_true", "y_pred"),
    "bce": ("y_true", "y_pred"),
    "cce": ("y_true", "y_pred"),
    "bce_term": ("y", "p"),
    "weighted_sum": ("x", "w", "b"),
    "sigmoid": ("z",),
    "neuron_output": ("x", "w", "b"),
    "gradient_z": ("p", "y"),
    "gradient_w": ("p", "y", "x"),
    "update": ("w", "gradient", "lr"),
    "chain": ("slopes",),
    "softmax": ("logits", "k"),
    "cce_logits": ("logits", "k"),
    "weighted_bce": ("y_true", "y_pred", "pos_weight"),
    "mean": ("values",),
    "median": ("values",),
    "net_output": ("x", "w1", "b1", "w2", "b2", "activation"),
    "net_grad_w2": ("x", "w1", "b1", "w2", "b2", "activation", "y", "j"),
    "net_grad_w1": ("x", "w1", "b1", "w2", "b2", "activation", "y", "j", "i"),
    "net_w2_after": ("x", "w1", "b1", "w2", "b2", "activation", "y", "j", "lr"),
    "net_loss_after": ("x", "w1", "b1", "w2", "b2", "activation", "y", "lr"),
    "net_hidden_delta": ("x", "w1", "b1", "w2", "b2", "activation", "y", "j"),
    "net_w1_after": ("x", "w1", "b1", "w2", "b2", "activation", "y", "j", "i", "lr"),
    "sigmoid_slope": ("s",),
    "bce_slope": ("y", "p"),
    "best_epoch": ("seed", "epochs"),
    "difference": ("a", "b"),
    "square": ("v",),
    "absolute": ("v",),
    "ln": ("p",),
    "neg_ln": ("p",),
    "true_class_prob": ("y", "p"),
    "class_prob": ("p", "k"),
    "step_size": ("gradient", "lr"),
}


def test_registry_names_and_keywords_are_the_contract():
    assert {name: c.params for name, c in COMPUTATIONS.items()} == CONTRACT


@pytest.mark.parametrize("name", list(CONTRACT))
def test_computation_shape(name):
    c = COMPUTATIONS[name]
    assert isinstance(c, Computation) and c.name == name and c.description
    assert tuple(inspect.signature(c.fn).parameters) == c.params
    assert len(c.mistakes) >= 2
    for key, mistake in c.mistakes.items():
        assert isinstance(mistake, Mistake) and mistake.name == key
        assert re.fullmatch(r"[a-z][a-z0-9_]*", key)
        assert mistake.description and mistake.description != key
        assert tuple(inspect.signature(mistake.fn).parameters) == c.params, key
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.name = "other"
    with pytest.raises(TypeError):
        c.mistakes["new"] = next(iter(c.mistakes.values()))


@pytest.mark.parametrize(
    ("name", "kwargs", "expected"),
    [
        ("mse", HOUSE, 175.0),
        ("mae", HOUSE, 12.5),
        ("bce", SPAM, SPAM_BCE),
        ("bce", CLIPPED, (-math.log(1e-15) - math.log(0.8)) / 2),
        ("cce", THREE, THREE_CCE),
        ("bce_term", {"y": 1, "p": 0.7}, -math.log(0.7)),
        ("bce_term", {"y": 0, "p": 0.3}, -math.log(0.7)),
        ("bce_term", {"y": 1, "p": 0.0}, -math.log(1e-15)),
        ("weighted_sum", NEURON, 0.1),
        ("sigmoid", {"z": 0.1}, S01),
        ("sigmoid", {"z": 0}, 0.5),
        ("neuron_output", NEURON, S01),
        ("gradient_z", {"p": 0.8, "y": 1}, -0.2),
        ("gradient_w", {"p": 0.8, "y": 1, "x": 2.0}, -0.4),
        ("update", {"w": 0.5, "gradient": 0.2, "lr": 0.1}, 0.48),
        ("chain", SLOPES, -1.5),
        ("softmax", LOGITS, SOFT[1]),
        ("cce_logits", LOGITS, -math.log(SOFT[1])),
        ("cce_logits", {"logits": [1000.0, 0.0], "k": 1}, 1000.0),  # no overflow
        ("weighted_bce", WEIGHTED, -(3 * math.log(0.6) + math.log(0.8)) / 2),
        ("mean", TRUTHS, 9.75),
        ("median", TRUTHS, 3.5),
        ("net_output", NET, P),
        ("net_grad_w2", {**NET, "y": 1, "j": 0}, DZ2 * H[0]),
        ("net_grad_w1", {**NET, "y": 1, "j": 1, "i": 0}, G_W1_10),
        ("net_w2_after", {**NET, "y": 1, "j": 0, "lr": 0.5}, 1.2 - 0.5 * DZ2 * H[0]),
        ("net_loss_after", {**NET, "y": 1, "lr": 0.5}, _loss_after_step(0.5)),
        ("net_hidden_delta", {**NET, "y": 1, "j": 1}, DZ1_1),
        ("net_w1_after", {**NET, "y": 1, "j": 1, "i": 0, "lr": 0.5}, 0.3 - 0.5 * G_W1_10),
        ("sigmoid_slope", {"s": 0.8}, 0.16),
        ("sigmoid_slope", {"s": 0.995}, 0.995 * 0.005),
        ("bce_slope", {"y": 1, "p": 0.8}, -1 / 0.8),
        ("bce_slope", {"y": 0, "p": 0.8}, 1 / 0.2),
        ("difference", {"a": 250, "b": 260}, -10.0),
        ("square", {"v": -10}, 100.0),
        ("absolute", {"v": -10}, 10.0),
        ("absolute", {"v": 4}, 4.0),
        ("ln", {"p": 0.7}, math.log(0.7)),
        ("ln", {"p": 1}, 0.0),
        ("neg_ln", {"p": 0.7}, -math.log(0.7)),
        ("true_class_prob", {"y": 0, "p": 0.3}, 0.7),
        ("class_prob", {"p": [0.6, 0.3, 0.1], "k": 1}, 0.3),
        ("step_size", {"gradient": -0.4, "lr": 0.5}, -0.2),
    ],
)
def test_compute(name, kwargs, expected):
    value = compute(name, **kwargs)
    assert type(value) is float
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_loss_computations_are_the_engine_losses():
    assert compute("mse", **HOUSE) == losses.mse(**HOUSE)
    assert compute("bce", **SPAM) == losses.binary_cross_entropy(**SPAM)
    assert compute("cce", **THREE) == losses.categorical_cross_entropy(**THREE)
    assert compute("neuron_output", **NEURON) == neuron.forward(**NEURON).p


# (computation, mistake, arguments, the value the learner gets)
MISTAKES = [
    ("mse", "sum_instead_of_mean", HOUSE, 700.0),
    ("mse", "mae_instead", HOUSE, 12.5),
    ("mse", "rmse", HOUSE, math.sqrt(175.0)),
    ("mse", "square_of_mean_error", HOUSE, 56.25),
    ("mse", "forgot_to_square", HOUSE, -7.5),
    ("mse", "half", HOUSE, 87.5),
    ("mae", "sum_instead_of_mean", HOUSE, 50.0),
    ("mae", "mse_instead", HOUSE, 175.0),
    ("mae", "forgot_absolute", HOUSE, -7.5),
    ("bce", "sum_instead_of_mean", SPAM, 4 * SPAM_BCE),
    ("bce", "missing_minus", SPAM, -SPAM_BCE),
    ("bce", "log10", SPAM, SPAM_BCE / math.log(10)),
    ("bce", "no_clipping", CLIPPED, math.inf),
    ("bce", "wrong_class", SPAM, -math.log(0.9 * 0.1 * 0.8 * 0.3) / 4),
    ("bce", "only_positive_term", SPAM, -math.log(0.9 * 0.8) / 4),
    ("cce", "all_classes", THREE, -math.log(0.7 * 0.2 * 0.1 * 0.1 * 0.6 * 0.3) / 2),
    ("cce", "log10", THREE, THREE_CCE / math.log(10)),
    ("cce", "missing_minus", THREE, -THREE_CCE),
    ("cce", "sum_instead_of_mean", THREE, 2 * THREE_CCE),
    ("bce_term", "missing_minus", {"y": 1, "p": 0.7}, math.log(0.7)),
    ("bce_term", "log10", {"y": 1, "p": 0.7}, -math.log10(0.7)),
    ("bce_term", "no_clipping", {"y": 1, "p": 0.0}, math.inf),
    ("bce_term", "wrong_class", {"y": 0, "p": 0.3}, -math.log(0.3)),
    ("weighted_sum", "forgot_bias", NEURON, 0.0),
    ("weighted_sum", "added_instead_of_multiplied", NEURON, 3.35),
    ("sigmoid", "forgot_minus", {"z": 0.1}, 1 - S01),
    ("sigmoid", "returned_z", {"z": 0.1}, 0.1),
    ("neuron_output", "forgot_bias", NEURON, 0.5),
    ("neuron_output", "returned_z", NEURON, 0.1),
    ("neuron_output", "forgot_minus", NEURON, 1 - S01),
    ("gradient_z", "sign_flipped", {"p": 0.8, "y": 1}, 0.2),
    ("gradient_z", "extra_sigmoid_derivative", {"p": 0.8, "y": 1}, -0.032),
    ("gradient_w", "sign_flipped", {"p": 0.8, "y": 1, "x": 2.0}, 0.4),
    ("gradient_w", "forgot_input", {"p": 0.8, "y": 1, "x": 2.0}, -0.2),
    ("gradient_w", "extra_sigmoid_derivative", {"p": 0.8, "y": 1, "x": 2.0}, -0.064),
    ("update", "added_gradient", {"w": 0.5, "gradient": 0.2, "lr": 0.1}, 0.52),
    ("update", "forgot_learning_rate", {"w": 0.5, "gradient": 0.2, "lr": 0.1}, 0.3),
    ("update", "only_step", {"w": 0.5, "gradient": 0.2, "lr": 0.1}, 0.02),
    ("chain", "added", SLOPES, 1.25),
    ("chain", "sign_flipped", SLOPES, 1.5),
    ("chain", "dropped_middle", SLOPES, -6.0),
    ("softmax", "no_exponent", LOGITS, 1.0 / 3.1),
    ("softmax", "not_normalised", LOGITS, math.exp(1.0)),
    ("cce_logits", "missing_minus", LOGITS, math.log(SOFT[1])),
    ("cce_logits", "top_class", LOGITS, -math.log(SOFT[0])),
    ("cce_logits", "log10", LOGITS, -math.log10(SOFT[1])),
    ("weighted_bce", "unweighted", WEIGHTED, -(math.log(0.6) + math.log(0.8)) / 2),
    ("weighted_bce", "weight_on_negatives", WEIGHTED, -(math.log(0.6) + 3 * math.log(0.8)) / 2),
    ("mean", "median_instead", TRUTHS, 3.5),
    ("mean", "mid_range", TRUTHS, 16.0),
    ("median", "mean_instead", TRUTHS, 9.75),
    ("median", "mid_range", TRUTHS, 16.0),
    ("net_output", "forgot_hidden_activation", NET, _sig(1.2 * -0.2 - 0.7 * 1.7 + 0.05)),
    ("net_output", "forgot_output_sigmoid", NET, Z2),
    ("net_grad_w2", "forgot_input", {**NET, "y": 1, "j": 0}, DZ2),
    ("net_grad_w2", "sign_flipped", {**NET, "y": 1, "j": 0}, -DZ2 * H[0]),
    ("net_grad_w1", "forgot_activation_slope", {**NET, "y": 1, "j": 1, "i": 0}, DZ2 * -0.7),
    (
        "net_grad_w1",
        "forgot_output_weight",
        {**NET, "y": 1, "j": 1, "i": 0},
        DZ2 * H[1] * (1 - H[1]),
    ),
    ("net_grad_w1", "forgot_input", {**NET, "y": 1, "j": 1, "i": 1}, G_W1_10),
    ("net_grad_w1", "sign_flipped", {**NET, "y": 1, "j": 1, "i": 0}, -G_W1_10),
    ("net_w2_after", "added_gradient", {**NET, "y": 1, "j": 0, "lr": 0.5}, 1.2 + 0.5 * DZ2 * H[0]),
    ("net_w2_after", "forgot_learning_rate", {**NET, "y": 1, "j": 0, "lr": 0.5}, 1.2 - DZ2 * H[0]),
    ("net_loss_after", "unchanged", {**NET, "y": 1, "lr": 0.5}, -math.log(P)),
    ("net_loss_after", "uphill", {**NET, "y": 1, "lr": 0.5}, _loss_after_step(-0.5)),
    ("net_hidden_delta", "forgot_activation_slope", {**NET, "y": 1, "j": 1}, DZ2 * -0.7),
    ("net_hidden_delta", "forgot_output_weight", {**NET, "y": 1, "j": 1}, DZ2 * H[1] * (1 - H[1])),
    ("net_hidden_delta", "sign_flipped", {**NET, "y": 1, "j": 1}, -DZ1_1),
    (
        "net_w1_after",
        "added_gradient",
        {**NET, "y": 1, "j": 1, "i": 0, "lr": 0.5},
        0.3 + 0.5 * G_W1_10,
    ),
    (
        "net_w1_after",
        "forgot_learning_rate",
        {**NET, "y": 1, "j": 1, "i": 0, "lr": 0.5},
        0.3 - G_W1_10,
    ),
    ("sigmoid_slope", "returned_output", {"s": 0.8}, 0.8),
    ("sigmoid_slope", "steepest", {"s": 0.8}, 0.25),
    ("bce_slope", "sign_flipped", {"y": 1, "p": 0.8}, 1 / 0.8),
    ("bce_slope", "wrong_class", {"y": 1, "p": 0.8}, 1 / 0.2),
    ("best_epoch", "trained_to_the_end", {"seed": 2, "epochs": 120}, 120.0),
    ("best_epoch", "never_trained", {"seed": 2, "epochs": 120}, 0.0),
    ("difference", "reversed", {"a": 250, "b": 260}, 10.0),
    ("difference", "added", {"a": 250, "b": 260}, 510.0),
    ("square", "doubled", {"v": -10}, -20.0),
    ("square", "not_squared", {"v": -10}, -10.0),
    ("absolute", "kept_sign", {"v": -10}, -10.0),
    ("absolute", "squared", {"v": -10}, 100.0),
    ("ln", "log10", {"p": 0.7}, math.log10(0.7)),
    ("ln", "sign_flipped", {"p": 0.7}, -math.log(0.7)),
    ("neg_ln", "missing_minus", {"p": 0.7}, math.log(0.7)),
    ("neg_ln", "log10", {"p": 0.7}, -math.log10(0.7)),
    ("true_class_prob", "wrong_class", {"y": 0, "p": 0.3}, 0.3),
    ("true_class_prob", "always_p", {"y": 0, "p": 0.2}, 0.2),
    ("class_prob", "rest", {"p": [0.6, 0.3, 0.1], "k": 1}, 0.7),
    ("class_prob", "top_class", {"p": [0.6, 0.3, 0.1], "k": 1}, 0.6),
    ("step_size", "forgot_learning_rate", {"gradient": -0.4, "lr": 0.5}, -0.4),
    ("step_size", "divided", {"gradient": -0.4, "lr": 0.5}, -0.8),
]


@pytest.mark.parametrize(
    ("name", "mistake", "kwargs", "wrong"), MISTAKES, ids=[f"{m[0]}-{m[1]}" for m in MISTAKES]
)
def test_compute_mistake(name, mistake, kwargs, wrong):
    value = compute_mistake(name, mistake, **kwargs)
    assert type(value) is float
    assert value == pytest.approx(wrong, rel=1e-12, abs=1e-15)
    assert not math.isclose(value, compute(name, **kwargs), rel_tol=1e-6, abs_tol=1e-9)
    assert COMPUTATIONS[name].mistakes[mistake].fn(**kwargs) == value


def test_every_mistake_is_in_the_table():
    registered = {(n, m) for n, c in COMPUTATIONS.items() for m in c.mistakes}
    assert registered == {(m[0], m[1]) for m in MISTAKES}


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: compute("rmse", y_true=[1], y_pred=[1]), ["'rmse'", "mse"]),
        (lambda: compute(None), ["None"]),
        (lambda: compute("mse", y_true=[1]), ["missing", "y_pred"]),
        (lambda: compute("mse", y_true=[1], y_pred=[1], eps=0.1), ["unexpected", "eps"]),
        (lambda: compute("update", w=1, gradient=1), ["missing", "lr"]),
        (lambda: compute_mistake("mse", "typo", **HOUSE), ["'typo'", "sum_instead_of_mean"]),
        (lambda: compute_mistake("nope", "rmse", **HOUSE), ["'nope'"]),
        (lambda: compute_mistake("mse", "rmse", y_true=[1]), ["missing", "y_pred"]),
        (lambda: compute_mistake("sigmoid", "returned_z", z=1, x=2), ["unexpected", "x"]),
        (lambda: compute("mse", y_true=[1, 2], y_pred=[1]), ["y_pred", "shape"]),
        (lambda: compute("bce", y_true=[1], y_pred=[1.5]), ["y_pred", "[0, 1]"]),
        (lambda: compute("bce_term", y=1, p=[0.5, 0.5]), ["p"]),
        (lambda: compute("bce_term", y=2, p=0.5), ["y"]),
        (lambda: compute("sigmoid", z="big"), ["z"]),
        (lambda: compute("sigmoid", z=math.nan), ["z"]),
        (lambda: compute("weighted_sum", x=[1, 2], w=[1], b=0), ["w"]),
        (lambda: compute("gradient_z", p=1.2, y=1), ["p"]),
        (lambda: compute("gradient_w", p=0.5, y=1, x=[1, 2]), ["x"]),
        (lambda: compute("update", w=1, gradient=1, lr=0), ["lr"]),
        (lambda: compute_mistake("update", "only_step", w=1, gradient=1, lr=-1), ["lr"]),
        (lambda: compute("ln", p=0), ["p"]),
        (lambda: compute("absolute", v="far"), ["v"]),
        (lambda: compute("class_prob", p=[0.6, 0.4], k=2), ["k", "0 to 1"]),
        (lambda: compute("class_prob", p=[0.6, 0.4], k=0.5), ["k"]),
        (lambda: compute("class_prob", p=[1.5, -0.5], k=0), ["p", "0 to 1"]),
        (lambda: compute("sigmoid_slope", s=1.0), ["s", "between 0 and 1"]),
        (lambda: compute("bce_slope", y=1, p=0), ["p"]),
        (lambda: compute("net_hidden_delta", **NET, y=1, j=2), ["j", "0 or 1"]),
    ],
)
def test_errors_are_value_errors_that_say_what_is_wrong(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for word in words:
        assert word in str(info.value)
