"""Named computations for numeric lesson questions, each with its typical mistakes.

A lesson's numeric question names a computation (a key of :data:`COMPUTATIONS`) and gives its
keyword arguments; the right answer is ``compute(name, **kwargs)`` and a wrong answer can be
matched against ``compute_mistake(name, mistake, **kwargs)`` for each of the computation's
mistakes. The keyword names are part of the lesson format:

=================  ======================  ==================================================
name               keywords                value
=================  ======================  ==================================================
mse                y_true, y_pred          mean squared error
mae                y_true, y_pred          mean absolute error
bce                y_true, y_pred          mean binary cross-entropy (eps 1e-15)
cce                y_true, y_pred          mean categorical cross-entropy (eps 1e-15)
bce_term           y, p                    -[y ln p + (1 - y) ln(1 - p)] for one item
weighted_sum       x, w, b                 z = w . x + b
sigmoid            z                       1 / (1 + e^-z)
neuron_output      x, w, b                 sigmoid(w . x + b)
gradient_z         p, y                    dL/dz = p - y
gradient_w         p, y, x                 dL/dw = (p - y) x
update             w, gradient, lr         w - lr * gradient
chain              slopes                  the product of the local slopes (the chain rule)
softmax            logits, k               e^(z_k) / sum_j e^(z_j)
cce_logits         logits, k               -ln softmax_k, straight from the logits
weighted_bce       y_true, y_pred,         the mean of -[w y ln p + (1 - y) ln(1 - p)]
                   pos_weight
mean, median       values                  the best constant guess under MSE, under MAE
net_output         x, w1, b1, w2, b2,      a two-layer network's output p
                   activation
net_grad_w2        ... y, j                dL/dw2_j = (p - y) h_j
net_grad_w1        ... y, j, i             dL/dW1_ji = (p - y) w2_j act'(z1_j) x_i
net_w2_after       ... y, j, lr            w2_j after one gradient-descent step
net_loss_after     ... y, lr               the loss after one step of every weight
net_hidden_delta   ... y, j                dL/dz1_j = (p - y) w2_j act'(z1_j)
net_w1_after       ... y, j, i, lr         W1_ji after one gradient-descent step
sigmoid_slope      s                       s (1 - s), the sigmoid's slope from its output
bce_slope          y, p                    dL/dp = (p - y) / (p (1 - p))
best_epoch         seed, epochs            where validation loss is lowest (overfitting run)
difference         a, b                    a - b (for sub-steps: an error)
square             v                       v squared
absolute           v                       |v| (for sub-steps: an error's size)
ln                 p                       ln p (the log, before its sign is flipped)
neg_ln             p                       -ln p
true_class_prob    y, p                    p when y is 1, 1 - p when y is 0
class_prob         p, k                    the probability a row gives class k
step_size          gradient, lr            lr * gradient
=================  ======================  ==================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from tutor.engine import backprop_items as net
from tutor.engine import loss_items, losses, mistakes, neuron, overfitting, step_items
from tutor.engine.inputs import learning_rate, number, unit_number

__all__ = ["COMPUTATIONS", "Computation", "Mistake", "compute", "compute_mistake"]


@dataclass(frozen=True, slots=True)
class Mistake:
    """A wrong way to do a computation; ``fn`` takes the computation's keyword arguments."""

    name: str
    description: str
    fn: Callable[..., float]


@dataclass(frozen=True, slots=True)
class Computation:
    """A named computation: ``fn(**kwargs)`` with exactly the keywords in ``params``."""

    name: str
    description: str
    params: tuple[str, ...]
    fn: Callable[..., float]
    mistakes: Mapping[str, Mistake] = field(default_factory=lambda: MappingProxyType({}))


def _mistakes(*items: tuple[str, Callable[..., float]]) -> Mapping[str, Mistake]:
    """Mistakes keyed by name; each description is the first line of the function's docstring."""
    table = {}
    for name, fn in items:
        doc = (fn.__doc__ or "").strip().splitlines()
        table[name] = Mistake(name=name, description=doc[0] if doc else name, fn=fn)
    return MappingProxyType(table)


# The right computations ---------------------------------------------------------------------


def _mse(y_true: Any, y_pred: Any) -> float:
    return losses.mse(y_true, y_pred)


def _mae(y_true: Any, y_pred: Any) -> float:
    return losses.mae(y_true, y_pred)


def _bce(y_true: Any, y_pred: Any) -> float:
    return losses.binary_cross_entropy(y_true, y_pred)


def _cce(y_true: Any, y_pred: Any) -> float:
    return losses.categorical_cross_entropy(y_true, y_pred)


def _bce_term(y: Any, p: Any) -> float:
    return losses.binary_cross_entropy(unit_number(y, "y"), unit_number(p, "p"))


def _weighted_sum(x: Any, w: Any, b: Any) -> float:
    return neuron.forward(x, w, b).z


def _sigmoid(z: Any) -> float:
    return neuron.sigmoid(number(z, "z"))


def _neuron_output(x: Any, w: Any, b: Any) -> float:
    return neuron.forward(x, w, b).p


def _gradient_z(p: Any, y: Any) -> float:
    return unit_number(p, "p") - unit_number(y, "y")


def _gradient_w(p: Any, y: Any, x: Any) -> float:
    return (unit_number(p, "p") - unit_number(y, "y")) * number(x, "x")


def _update(w: Any, gradient: Any, lr: Any) -> float:
    return number(w, "w") - learning_rate(lr) * number(gradient, "gradient")


# Mistakes with the computations' keyword names ---------------------------------------------


def _loss_mistake(wrong: Callable[..., float]) -> Callable[..., float]:
    def fn(y_true: Any, y_pred: Any) -> float:
        return wrong(y_true, y_pred)

    fn.__doc__ = wrong.__doc__
    return fn


def _bce_term_mistake(wrong: Callable[..., float]) -> Callable[..., float]:
    def fn(y: Any, p: Any) -> float:
        return wrong(unit_number(y, "y"), unit_number(p, "p"))

    fn.__doc__ = wrong.__doc__
    return fn


def _neuron_output_forgot_bias(x: Any, w: Any, b: Any) -> float:
    """Applied the sigmoid to w . x and forgot to add the bias b first."""
    return neuron.sigmoid(mistakes.weighted_sum_forgot_bias(x, w, b))


def _neuron_output_returned_z(x: Any, w: Any, b: Any) -> float:
    """Stopped at the weighted sum z = w . x + b and never applied the sigmoid."""
    return neuron.forward(x, w, b).z


def _neuron_output_forgot_minus(x: Any, w: Any, b: Any) -> float:
    """Computed 1 / (1 + e^z), dropping the minus sign in the exponent (gives 1 - sigmoid)."""
    return mistakes.sigmoid_forgot_minus(neuron.forward(x, w, b).z)


def _gradient_w_extra_sigmoid_derivative(p: Any, y: Any, x: Any) -> float:
    """Multiplied (p - y) x by the sigmoid's derivative p (1 - p) again, as for a squared error."""
    return mistakes.gradient_extra_sigmoid_derivative(p, y) * number(x, "x")


def _computation(
    name: str,
    description: str,
    params: tuple[str, ...],
    fn: Callable[..., float],
    *wrong: tuple[str, Callable[..., float]],
) -> Computation:
    return Computation(name, description, params, fn, _mistakes(*wrong))


_LOSS = ("y_true", "y_pred")

COMPUTATIONS: dict[str, Computation] = {
    c.name: c
    for c in (
        _computation(
            "mse",
            "Mean squared error: the mean of (y_pred - y_true)^2.",
            _LOSS,
            _mse,
            ("sum_instead_of_mean", mistakes.mse_sum_instead_of_mean),
            ("mae_instead", mistakes.mse_as_mae),
            ("rmse", mistakes.rmse_instead_of_mse),
            ("square_of_mean_error", mistakes.square_of_mean_error),
            ("forgot_to_square", mistakes.mse_forgot_to_square),
            ("half", mistakes.mse_with_half),
        ),
        _computation(
            "mae",
            "Mean absolute error: the mean of |y_pred - y_true|.",
            _LOSS,
            _mae,
            ("sum_instead_of_mean", mistakes.mae_sum_instead_of_mean),
            ("mse_instead", mistakes.mae_as_mse),
            ("forgot_absolute", mistakes.mae_forgot_absolute),
        ),
        _computation(
            "bce",
            "Binary cross-entropy: the mean of -[y ln p + (1 - y) ln(1 - p)], p clipped to "
            "[1e-15, 1 - 1e-15].",
            _LOSS,
            _bce,
            ("sum_instead_of_mean", _loss_mistake(mistakes.bce_sum_instead_of_mean)),
            ("missing_minus", _loss_mistake(mistakes.bce_missing_minus)),
            ("log10", _loss_mistake(mistakes.bce_log10)),
            ("no_clipping", _loss_mistake(mistakes.bce_no_clipping)),
            ("wrong_class", _loss_mistake(mistakes.bce_wrong_class)),
            ("only_positive_term", _loss_mistake(mistakes.bce_only_positive_term)),
        ),
        _computation(
            "cce",
            "Categorical cross-entropy: the mean over rows of -sum_j y_j ln p_j, p clipped to "
            "[1e-15, 1 - 1e-15].",
            _LOSS,
            _cce,
            ("all_classes", _loss_mistake(mistakes.cce_all_classes)),
            ("log10", _loss_mistake(mistakes.cce_log10)),
            ("missing_minus", _loss_mistake(mistakes.cce_missing_minus)),
            ("sum_instead_of_mean", _loss_mistake(mistakes.cce_sum_instead_of_mean)),
        ),
        _computation(
            "bce_term",
            "One item's binary cross-entropy -[y ln p + (1 - y) ln(1 - p)], p clipped to "
            "[1e-15, 1 - 1e-15].",
            ("y", "p"),
            _bce_term,
            ("missing_minus", _bce_term_mistake(mistakes.bce_missing_minus)),
            ("log10", _bce_term_mistake(mistakes.bce_log10)),
            ("no_clipping", _bce_term_mistake(mistakes.bce_no_clipping)),
            ("wrong_class", _bce_term_mistake(mistakes.bce_wrong_class)),
        ),
        _computation(
            "weighted_sum",
            "The weighted sum z = w . x + b.",
            ("x", "w", "b"),
            _weighted_sum,
            ("forgot_bias", mistakes.weighted_sum_forgot_bias),
            ("added_instead_of_multiplied", mistakes.weighted_sum_added_instead_of_multiplied),
        ),
        _computation(
            "sigmoid",
            "The sigmoid 1 / (1 + e^-z).",
            ("z",),
            _sigmoid,
            ("forgot_minus", mistakes.sigmoid_forgot_minus),
            ("returned_z", mistakes.sigmoid_returned_z),
        ),
        _computation(
            "neuron_output",
            "The neuron's output p = sigmoid(w . x + b).",
            ("x", "w", "b"),
            _neuron_output,
            ("forgot_bias", _neuron_output_forgot_bias),
            ("returned_z", _neuron_output_returned_z),
            ("forgot_minus", _neuron_output_forgot_minus),
        ),
        _computation(
            "gradient_z",
            "The gradient of the cross-entropy with respect to z: dL/dz = p - y.",
            ("p", "y"),
            _gradient_z,
            ("sign_flipped", mistakes.gradient_z_sign_flipped),
            ("extra_sigmoid_derivative", mistakes.gradient_extra_sigmoid_derivative),
        ),
        _computation(
            "gradient_w",
            "The gradient of the cross-entropy with respect to a weight: dL/dw = (p - y) x.",
            ("p", "y", "x"),
            _gradient_w,
            ("sign_flipped", mistakes.gradient_sign_flipped),
            ("forgot_input", mistakes.gradient_forgot_input),
            ("extra_sigmoid_derivative", _gradient_w_extra_sigmoid_derivative),
        ),
        _computation(
            "update",
            "One gradient-descent step: w - lr * gradient.",
            ("w", "gradient", "lr"),
            _update,
            ("added_gradient", mistakes.update_added_gradient),
            ("forgot_learning_rate", mistakes.update_forgot_learning_rate),
            ("only_step", mistakes.update_only_step),
        ),
        _computation(
            "chain",
            "The chain rule: the product of the local slopes along the path.",
            ("slopes",),
            loss_items.chain,
            ("added", loss_items.chain_added),
            ("sign_flipped", loss_items.chain_sign_flipped),
            ("dropped_middle", loss_items.chain_dropped_middle),
        ),
        _computation(
            "softmax",
            "The softmax probability of class k: e^(z_k) / sum_j e^(z_j).",
            ("logits", "k"),
            loss_items.softmax,
            ("no_exponent", loss_items.softmax_no_exponent),
            ("not_normalised", loss_items.softmax_not_normalised),
        ),
        _computation(
            "cce_logits",
            "Cross-entropy straight from logits: -ln softmax_k = logsumexp(z) - z_k.",
            ("logits", "k"),
            loss_items.cce_logits,
            ("missing_minus", loss_items.cce_logits_missing_minus),
            ("top_class", loss_items.cce_logits_top_class),
            ("log10", loss_items.cce_logits_log10),
        ),
        _computation(
            "weighted_bce",
            "Binary cross-entropy with the positive class weighted: the mean of "
            "-[w y ln p + (1 - y) ln(1 - p)], p clipped to [1e-15, 1 - 1e-15].",
            ("y_true", "y_pred", "pos_weight"),
            loss_items.weighted_bce,
            ("unweighted", loss_items.weighted_bce_unweighted),
            ("weight_on_negatives", loss_items.weighted_bce_on_negatives),
        ),
        _computation(
            "mean",
            "The mean of the values: the best single guess under squared error.",
            ("values",),
            loss_items.mean,
            ("median_instead", loss_items.median_instead_of_mean),
            ("mid_range", loss_items.mid_range),
        ),
        _computation(
            "median",
            "The median of the values: the best single guess under absolute error.",
            ("values",),
            loss_items.median,
            ("mean_instead", loss_items.mean_instead_of_median),
            ("mid_range", loss_items.mid_range),
        ),
        _computation(
            "net_output",
            "A two-layer network's output p = sigmoid(w2 . act(W1 x + b1) + b2).",
            net.NET,
            net.output,
            ("forgot_hidden_activation", net.output_forgot_hidden_activation),
            ("forgot_output_sigmoid", net.output_forgot_output_sigmoid),
        ),
        _computation(
            "net_grad_w2",
            "dL/dw2_j = (p - y) h_j for the network's output weight from hidden unit j.",
            (*net.NET, "y", "j"),
            net.grad_w2,
            ("forgot_input", net.grad_w2_forgot_input),
            ("sign_flipped", net.grad_w2_sign_flipped),
        ),
        _computation(
            "net_grad_w1",
            "dL/dW1_ji = (p - y) w2_j act'(z1_j) x_i for the weight from input i to unit j.",
            (*net.NET, "y", "j", "i"),
            net.grad_w1,
            ("forgot_activation_slope", net.grad_w1_forgot_activation_slope),
            ("forgot_output_weight", net.grad_w1_forgot_output_weight),
            ("forgot_input", net.grad_w1_forgot_input),
            ("sign_flipped", net.grad_w1_sign_flipped),
        ),
        _computation(
            "net_w2_after",
            "The output weight w2_j after one gradient-descent step on one example.",
            (*net.NET, "y", "j", "lr"),
            net.w2_after,
            ("added_gradient", net.w2_after_added),
            ("forgot_learning_rate", net.w2_after_forgot_rate),
        ),
        _computation(
            "net_loss_after",
            "The network's loss on the example after one step of every weight.",
            (*net.NET, "y", "lr"),
            net.loss_after,
            ("unchanged", net.loss_after_unchanged),
            ("uphill", net.loss_after_uphill),
        ),
        _computation(
            "net_hidden_delta",
            "dL/dz1_j = (p - y) w2_j act'(z1_j): the blame that reaches hidden unit j's sum.",
            (*net.NET, "y", "j"),
            net.hidden_delta,
            ("forgot_activation_slope", net.hidden_delta_forgot_activation_slope),
            ("forgot_output_weight", net.hidden_delta_forgot_output_weight),
            ("sign_flipped", net.hidden_delta_sign_flipped),
        ),
        _computation(
            "net_w1_after",
            "The first-layer weight W1_ji after one gradient-descent step on one example.",
            (*net.NET, "y", "j", "i", "lr"),
            net.w1_after,
            ("added_gradient", net.w1_after_added),
            ("forgot_learning_rate", net.w1_after_forgot_rate),
        ),
        _computation(
            "sigmoid_slope",
            "The sigmoid's local slope s (1 - s), from its output s.",
            ("s",),
            net.sigmoid_slope,
            ("returned_output", net.sigmoid_slope_returned_output),
            ("steepest", net.sigmoid_slope_steepest),
        ),
        _computation(
            "bce_slope",
            "dL/dp for binary cross-entropy: (p - y) / (p (1 - p)).",
            ("y", "p"),
            net.bce_slope,
            ("sign_flipped", net.bce_slope_sign_flipped),
            ("wrong_class", net.bce_slope_wrong_class),
        ),
        _computation(
            "best_epoch",
            "The epoch of lowest validation loss in the overfitting run: where to stop.",
            ("seed", "epochs"),
            overfitting.best_epoch,
            ("trained_to_the_end", overfitting.trained_to_the_end),
            ("never_trained", overfitting.never_trained),
        ),
        _computation(
            "difference",
            "a - b: for an error, the prediction minus the truth.",
            ("a", "b"),
            step_items.difference,
            ("reversed", step_items.difference_reversed),
            ("added", step_items.difference_added),
        ),
        _computation(
            "square",
            "v squared.",
            ("v",),
            step_items.square,
            ("doubled", step_items.square_doubled),
            ("not_squared", step_items.square_forgotten),
        ),
        _computation(
            "absolute",
            "|v|: an error's size, its sign dropped.",
            ("v",),
            step_items.absolute,
            ("kept_sign", step_items.absolute_kept_sign),
            ("squared", step_items.absolute_squared),
        ),
        _computation(
            "ln",
            "ln p: the natural log of a probability, before the loss flips its sign.",
            ("p",),
            step_items.ln,
            ("log10", step_items.ln_log10),
            ("sign_flipped", step_items.ln_sign_flipped),
        ),
        _computation(
            "neg_ln",
            "-ln p: the loss of giving the true class probability p.",
            ("p",),
            step_items.neg_ln,
            ("missing_minus", step_items.neg_ln_missing_minus),
            ("log10", step_items.neg_ln_log10),
        ),
        _computation(
            "true_class_prob",
            "The probability given to the true class: p when y is 1, 1 - p when y is 0.",
            ("y", "p"),
            step_items.true_class_prob,
            ("wrong_class", step_items.true_class_prob_wrong_class),
            ("always_p", step_items.true_class_prob_always_p),
        ),
        _computation(
            "class_prob",
            "The probability a row of class probabilities gives class k (from 0).",
            ("p", "k"),
            step_items.class_prob,
            ("rest", step_items.class_prob_rest),
            ("top_class", step_items.class_prob_top_class),
        ),
        _computation(
            "step_size",
            "The size of a gradient-descent step: lr * gradient.",
            ("gradient", "lr"),
            step_items.step_size,
            ("forgot_learning_rate", step_items.step_size_forgot_rate),
            ("divided", step_items.step_size_divided),
        ),
    )
}


def _lookup(name: Any) -> Computation:
    computation = COMPUTATIONS.get(name) if isinstance(name, str) else None
    if computation is None:
        raise ValueError(
            f"unknown computation {name!r}; known computations: {', '.join(COMPUTATIONS)}"
        )
    return computation


def _check_arguments(computation: Computation, kwargs: Mapping[str, Any], what: str) -> None:
    missing = [p for p in computation.params if p not in kwargs]
    unexpected = sorted(k for k in kwargs if k not in computation.params)
    problems = []
    if missing:
        problems.append(f"missing argument(s) {', '.join(missing)}")
    if unexpected:
        problems.append(f"unexpected argument(s) {', '.join(unexpected)}")
    if problems:
        raise ValueError(
            f"{what} takes exactly the arguments {', '.join(computation.params)}: "
            + "; ".join(problems)
        )


def _as_float(value: Any, what: str) -> float:
    result = float(value)
    if result != result:  # NaN
        raise ValueError(f"{what} produced NaN")
    return result


_PROBABILITIES = frozenset(
    {"sigmoid", "neuron_output", "softmax", "net_output", "class_prob", "true_class_prob"}
)
_LOSSES = frozenset(
    {"mse", "mae", "bce", "cce", "bce_term", "weighted_bce", "cce_logits", "net_loss_after"}
)


def impossible(name: str, value: float) -> str | None:
    """Why ``value`` cannot be what the computation ``name`` gives, whatever its inputs (a
    probability outside 0 to 1, a negative loss), in a learner's words; None if it can be."""
    if name in _PROBABILITIES and not 0 <= value <= 1:
        return "a probability is never below 0 or above 1"
    if name in _LOSSES and value < 0:
        return "a loss is never negative"
    return None


def compute(name: str, **kwargs: Any) -> float:
    """The right value of the computation ``name`` for the given keyword arguments."""
    computation = _lookup(name)
    _check_arguments(computation, kwargs, f"computation {name!r}")
    return _as_float(computation.fn(**kwargs), f"computation {name!r}")


def compute_mistake(name: str, mistake: str, **kwargs: Any) -> float:
    """The value a learner gets when making ``mistake`` in the computation ``name``."""
    computation = _lookup(name)
    wrong = computation.mistakes.get(mistake) if isinstance(mistake, str) else None
    if wrong is None:
        known = ", ".join(computation.mistakes) or "none"
        raise ValueError(
            f"unknown mistake {mistake!r} for computation {name!r}; known mistakes: {known}"
        )
    _check_arguments(computation, kwargs, f"computation {name!r}")
    return _as_float(wrong.fn(**kwargs), f"mistake {mistake!r} of computation {name!r}")
