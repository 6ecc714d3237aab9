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
from tutor.engine.inputs import learning_rate, number

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
