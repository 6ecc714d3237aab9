"""The small computations that sub-steps of a problem are made of, and their usual slips:
an error, its size, a square, a log, the probability given to the true class, a step's size."""

from __future__ import annotations

import math
from typing import Any

from tutor.engine.inputs import number, vector


def _prob(p: Any) -> float:
    value = number(p, "p")
    if not 0 < value <= 1:
        raise ValueError("p: a probability above 0 and at most 1")
    return value


def difference(a: Any, b: Any) -> float:
    """a - b: an error is the prediction minus the truth."""
    return number(a, "a") - number(b, "b")


def difference_reversed(a: Any, b: Any) -> float:
    """Subtracted the other way round: b - a."""
    return number(b, "b") - number(a, "a")


def difference_added(a: Any, b: Any) -> float:
    """Added the two instead of subtracting."""
    return number(a, "a") + number(b, "b")


def square(v: Any) -> float:
    """v squared."""
    return number(v, "v") ** 2


def square_doubled(v: Any) -> float:
    """Doubled instead of squaring: 2v."""
    return 2 * number(v, "v")


def square_forgotten(v: Any) -> float:
    """Did not square at all."""
    return number(v, "v")


def absolute(v: Any) -> float:
    """|v|: an error's size, its sign dropped."""
    return abs(number(v, "v"))


def absolute_kept_sign(v: Any) -> float:
    """Kept the sign: v as it is."""
    return number(v, "v")


def absolute_squared(v: Any) -> float:
    """Squared it, as for the squared error, instead of dropping the sign."""
    return number(v, "v") ** 2


def ln(p: Any) -> float:
    """ln p: the natural log of a probability, a negative number (0 at p = 1)."""
    return math.log(_prob(p))


def ln_log10(p: Any) -> float:
    """Used log base 10 instead of the natural log."""
    return math.log10(_prob(p))


def ln_sign_flipped(p: Any) -> float:
    """Flipped the sign already: -ln p, the loss, not the log."""
    return -math.log(_prob(p))


def neg_ln(p: Any) -> float:
    """-ln p: the loss of giving the true class probability p."""
    return -math.log(_prob(p))


def neg_ln_missing_minus(p: Any) -> float:
    """Left out the minus sign: ln p, a negative number."""
    return math.log(_prob(p))


def neg_ln_log10(p: Any) -> float:
    """Used log base 10 instead of the natural log."""
    return -math.log10(_prob(p))


def true_class_prob(y: Any, p: Any) -> float:
    """The probability the model gave the true class: p when y is 1, 1 - p when y is 0."""
    truth, value = number(y, "y"), number(p, "p")
    if truth not in (0.0, 1.0):
        raise ValueError("y: the truth is 0 or 1")
    return value if truth == 1 else 1 - value


def true_class_prob_wrong_class(y: Any, p: Any) -> float:
    """Took the probability of the wrong class."""
    return 1 - true_class_prob(y, p)


def true_class_prob_always_p(y: Any, p: Any) -> float:
    """Took p whatever the truth, even when the truth is 0."""
    return number(p, "p") + 0 * number(y, "y")


def _row(p: Any, k: Any) -> tuple[list[float], int]:
    row = [float(v) for v in vector(p, "p")]
    if any(not 0 <= v <= 1 for v in row):
        raise ValueError("p: each probability is from 0 to 1")
    index = number(k, "k")
    if index != int(index) or not 0 <= index < len(row):
        raise ValueError(f"k: a class index from 0 to {len(row) - 1}")
    return row, int(index)


def class_prob(p: Any, k: Any) -> float:
    """The probability a row gives class ``k`` (counting from 0): the true class's, for CCE."""
    row, index = _row(p, k)
    return row[index]


def class_prob_rest(p: Any, k: Any) -> float:
    """Took what the other classes got, 1 - p_k, instead of the class's own share."""
    row, index = _row(p, k)
    return 1 - row[index]


def class_prob_top_class(p: Any, k: Any) -> float:
    """Took the largest probability in the row, the model's favourite, whatever the truth."""
    row, _ = _row(p, k)
    return max(row)


def step_size(gradient: Any, lr: Any) -> float:
    """The size of a gradient-descent step: lr * gradient."""
    return number(lr, "lr") * number(gradient, "gradient")


def step_size_forgot_rate(gradient: Any, lr: Any) -> float:
    """Took the whole gradient as the step, without the learning rate."""
    return number(gradient, "gradient") + 0 * number(lr, "lr")


def step_size_divided(gradient: Any, lr: Any) -> float:
    """Divided the gradient by the learning rate instead of multiplying."""
    rate = number(lr, "lr")
    if rate == 0:
        raise ValueError("lr: not 0")
    return number(gradient, "gradient") / rate
