"""Computations for questions on the two-layer network (``engine.network``), each with the
mistakes a learner makes in the backward pass: a factor of the chain left out, or the sign.

Every one takes the network and the example as keywords: ``x`` (two inputs), ``w1`` (two
rows of two), ``b1``, ``w2`` (two each), ``b2``, ``activation`` (``sigmoid`` or ``relu``)
and, for gradients, the truth ``y``; ``j`` names a hidden unit and ``i`` an input (from 0).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tutor.engine import network
from tutor.engine.arrays import stable_sigmoid
from tutor.engine.inputs import learning_rate, number, target

NET = ("x", "w1", "b1", "w2", "b2", "activation")


def _net(w1: Any, b1: Any, w2: Any, b2: Any, activation: Any) -> network.Network:
    return network.Network.of(w1, b1, w2, b2, activation)


def _index(value: Any, name: str) -> int:
    index = number(value, name)
    if index not in (0, 1):
        raise ValueError(f"{name}: 0 or 1 (the network has two of each)")
    return int(index)


def output(x: Any, w1: Any, b1: Any, w2: Any, b2: Any, activation: Any) -> float:
    """The network's output p for ``x``."""
    return network.forward(_net(w1, b1, w2, b2, activation), x).p


def output_forgot_hidden_activation(x, w1, b1, w2, b2, activation) -> float:
    """Fed the hidden units' weighted sums on without their activation."""
    net = _net(w1, b1, w2, b2, activation)
    z1 = network.forward(net, x).z1
    return float(stable_sigmoid(np.dot(net.w2, z1) + net.b2))


def output_forgot_output_sigmoid(x, w1, b1, w2, b2, activation) -> float:
    """Stopped at the output's weighted sum z2, before the sigmoid."""
    return network.forward(_net(w1, b1, w2, b2, activation), x).z2


def grad_w2(x, w1, b1, w2, b2, activation, y, j) -> float:
    """dL/dw2_j = (p - y) h_j: the output's blame times the hidden unit's output."""
    return network.backward(_net(w1, b1, w2, b2, activation), x, y).dw2[_index(j, "j")]


def grad_w2_forgot_input(x, w1, b1, w2, b2, activation, y, j) -> float:
    """Left out h_j: gave the output's blame p - y alone."""
    return network.backward(_net(w1, b1, w2, b2, activation), x, y).dz2


def grad_w2_sign_flipped(x, w1, b1, w2, b2, activation, y, j) -> float:
    """Got the sign the wrong way round: (y - p) h_j."""
    return -grad_w2(x, w1, b1, w2, b2, activation, y, j)


def grad_w1(x, w1, b1, w2, b2, activation, y, j, i) -> float:
    """dL/dW1_ji = (p - y) w2_j act'(z1_j) x_i: the whole chain back to one first-layer weight."""
    b = network.backward(_net(w1, b1, w2, b2, activation), x, y)
    return b.dw1[_index(j, "j")][_index(i, "i")]


def _parts(x, w1, b1, w2, b2, activation, y, j, i):
    net = _net(w1, b1, w2, b2, activation)
    f, b = network.forward(net, x), network.backward(net, x, y)
    return net, f, b, _index(j, "j"), _index(i, "i")


def grad_w1_forgot_activation_slope(x, w1, b1, w2, b2, activation, y, j, i) -> float:
    """Left out the hidden activation's slope act'(z1_j)."""
    net, f, b, j, i = _parts(x, w1, b1, w2, b2, activation, y, j, i)
    return b.dz2 * net.w2[j] * f.x[i]


def grad_w1_forgot_output_weight(x, w1, b1, w2, b2, activation, y, j, i) -> float:
    """Left out the weight w2_j that carries the blame back to the hidden unit."""
    net, f, b, j, i = _parts(x, w1, b1, w2, b2, activation, y, j, i)
    return b.dz2 * b.dh_dz1[j] * f.x[i]


def grad_w1_forgot_input(x, w1, b1, w2, b2, activation, y, j, i) -> float:
    """Left out the input x_i: gave the hidden unit's blame dL/dz1_j."""
    net, f, b, j, i = _parts(x, w1, b1, w2, b2, activation, y, j, i)
    return b.dz1[j]


def grad_w1_sign_flipped(x, w1, b1, w2, b2, activation, y, j, i) -> float:
    """Got the sign of the whole chain the wrong way round."""
    return -grad_w1(x, w1, b1, w2, b2, activation, y, j, i)


def w2_after(x, w1, b1, w2, b2, activation, y, j, lr) -> float:
    """w2_j after one gradient-descent step: w2_j - lr dL/dw2_j."""
    step = network.update(_net(w1, b1, w2, b2, activation), x, y, lr=learning_rate(lr))
    return step.after.w2[_index(j, "j")]


def w2_after_added(x, w1, b1, w2, b2, activation, y, j, lr) -> float:
    """Added the step instead of subtracting it: moved uphill."""
    before = _net(w1, b1, w2, b2, activation).w2[_index(j, "j")]
    return 2 * before - w2_after(x, w1, b1, w2, b2, activation, y, j, lr)


def w2_after_forgot_rate(x, w1, b1, w2, b2, activation, y, j, lr) -> float:
    """Subtracted the whole gradient, without the learning rate."""
    before = _net(w1, b1, w2, b2, activation).w2[_index(j, "j")]
    return before - grad_w2(x, w1, b1, w2, b2, activation, y, j)


def loss_after(x, w1, b1, w2, b2, activation, y, lr) -> float:
    """The loss on the same example after one step of every weight."""
    return network.update(_net(w1, b1, w2, b2, activation), x, y, lr=learning_rate(lr)).loss_after


def loss_after_unchanged(x, w1, b1, w2, b2, activation, y, lr) -> float:
    """Gave the loss before the step."""
    return network.loss(_net(w1, b1, w2, b2, activation), x, y)


def loss_after_uphill(x, w1, b1, w2, b2, activation, y, lr) -> float:
    """Stepped every weight with the gradient instead of against it."""
    net = _net(w1, b1, w2, b2, activation)
    uphill = network.stepped(net, network.backward(net, x, y), -learning_rate(lr))
    return network.loss(uphill, x, y)


def hidden_delta(x, w1, b1, w2, b2, activation, y, j) -> float:
    """dL/dz1_j = (p - y) w2_j act'(z1_j): the blame that reaches hidden unit j's sum."""
    return network.backward(_net(w1, b1, w2, b2, activation), x, y).dz1[_index(j, "j")]


def hidden_delta_forgot_activation_slope(x, w1, b1, w2, b2, activation, y, j) -> float:
    """Stopped at dL/dh_j = (p - y) w2_j, without the hidden activation's slope."""
    return network.backward(_net(w1, b1, w2, b2, activation), x, y).dh[_index(j, "j")]


def hidden_delta_forgot_output_weight(x, w1, b1, w2, b2, activation, y, j) -> float:
    """Left out the weight w2_j that carries the blame back: (p - y) act'(z1_j)."""
    b = network.backward(_net(w1, b1, w2, b2, activation), x, y)
    return b.dz2 * b.dh_dz1[_index(j, "j")]


def hidden_delta_sign_flipped(x, w1, b1, w2, b2, activation, y, j) -> float:
    """Started from y - p instead of p - y, so the blame points the wrong way."""
    return -hidden_delta(x, w1, b1, w2, b2, activation, y, j)


def w1_after(x, w1, b1, w2, b2, activation, y, j, i, lr) -> float:
    """W1_ji after one gradient-descent step: W1_ji - lr dL/dW1_ji."""
    step = network.update(_net(w1, b1, w2, b2, activation), x, y, lr=learning_rate(lr))
    return step.after.w1[_index(j, "j")][_index(i, "i")]


def w1_after_added(x, w1, b1, w2, b2, activation, y, j, i, lr) -> float:
    """Added the step instead of subtracting it: moved uphill."""
    before = _net(w1, b1, w2, b2, activation).w1[_index(j, "j")][_index(i, "i")]
    return 2 * before - w1_after(x, w1, b1, w2, b2, activation, y, j, i, lr)


def w1_after_forgot_rate(x, w1, b1, w2, b2, activation, y, j, i, lr) -> float:
    """Subtracted the whole gradient, without the learning rate."""
    before = _net(w1, b1, w2, b2, activation).w1[_index(j, "j")][_index(i, "i")]
    return before - grad_w1(x, w1, b1, w2, b2, activation, y, j, i)


def _unit(value: Any, name: str) -> float:
    found = number(value, name)
    if not 0 < found < 1:
        raise ValueError(f"{name}: a sigmoid's output, between 0 and 1")
    return found


def sigmoid_slope(s: Any) -> float:
    """The sigmoid's local slope s (1 - s), read off its output s: near 0 when s is near 0 or 1."""
    out = _unit(s, "s")
    return out * (1 - out)


def sigmoid_slope_returned_output(s: Any) -> float:
    """Gave the unit's output s instead of its slope."""
    return _unit(s, "s")


def sigmoid_slope_steepest(s: Any) -> float:
    """Used the sigmoid's steepest slope, 0.25, whatever the output."""
    return 0.25 + 0 * _unit(s, "s")


def bce_slope(y: Any, p: Any) -> float:
    """dL/dp for cross-entropy: -1/p when the truth is 1, 1/(1 - p) when it is 0."""
    truth, prob = target(y), _unit(p, "p")
    return (prob - truth) / (prob * (1 - prob))


def bce_slope_sign_flipped(y: Any, p: Any) -> float:
    """Got the sign the wrong way round."""
    return -bce_slope(y, p)


def bce_slope_wrong_class(y: Any, p: Any) -> float:
    """Used the other class's term, as if the truth were 1 - y."""
    return bce_slope(1 - target(y), p)
