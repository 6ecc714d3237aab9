"""The two-layer network: forward, every local gradient, and one update, checked two ways."""

from __future__ import annotations

import importlib.util
from dataclasses import replace

import numpy as np
import pytest

from tutor.engine import network
from tutor.engine.network import Network

X = [1.0, 2.0]
NETS = {
    "sigmoid": Network.of([[0.5, -0.4], [0.3, 0.8]], [0.1, -0.2], [1.2, -0.7], 0.05),
    "relu": Network.of([[0.5, -0.4], [0.3, 0.8]], [0.1, -0.2], [1.2, -0.7], 0.05, "relu"),
}


def flat(net: Network) -> np.ndarray:
    return np.array([*np.ravel(net.w1), *net.b1, *net.w2, net.b2])


def unflat(net: Network, v: np.ndarray) -> Network:
    return replace(
        net,
        w1=((v[0], v[1]), (v[2], v[3])),
        b1=(v[4], v[5]),
        w2=(v[6], v[7]),
        b2=v[8],
    )


def grads(b: network.Backward) -> np.ndarray:
    return np.array([*np.ravel(b.dw1), *b.db1, *b.dw2, b.db2])


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize("y", [0, 1])
def test_every_gradient_matches_finite_differences(activation, y):
    net = NETS[activation]
    v, h = flat(net), 1e-6
    numeric = np.array(
        [
            (
                network.loss(unflat(net, v + h * e), X, y)
                - network.loss(unflat(net, v - h * e), X, y)
            )
            / (2 * h)
            for e in np.eye(len(v))
        ]
    )
    np.testing.assert_allclose(grads(network.backward(net, X, y)), numeric, atol=1e-7)


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_every_gradient_matches_pytorch_autograd(activation):
    import torch

    net = NETS[activation]
    w1 = torch.tensor(net.w1, dtype=torch.float64, requires_grad=True)
    b1 = torch.tensor(net.b1, dtype=torch.float64, requires_grad=True)
    w2 = torch.tensor(net.w2, dtype=torch.float64, requires_grad=True)
    b2 = torch.tensor(net.b2, dtype=torch.float64, requires_grad=True)
    x = torch.tensor(X, dtype=torch.float64)
    act = torch.sigmoid if activation == "sigmoid" else torch.relu
    z2 = w2 @ act(w1 @ x + b1) + b2
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        z2, torch.tensor(1.0, dtype=torch.float64)
    )
    loss.backward()
    b = network.backward(net, X, 1)
    assert loss.item() == pytest.approx(network.loss(net, X, 1), abs=1e-12)
    np.testing.assert_allclose(np.array(b.dw1), w1.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(np.array(b.db1), b1.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(np.array(b.dw2), w2.grad.numpy(), atol=1e-12)
    assert b.db2 == pytest.approx(b2.grad.item(), abs=1e-12)


def test_the_local_gradients_chain_into_the_weight_gradients():
    net = NETS["sigmoid"]
    f, b = network.forward(net, X), network.backward(net, X, 1)
    assert b.dl_dp * b.dp_dz2 == pytest.approx(b.dz2)
    assert b.dz2 == pytest.approx(f.p - 1)
    for j in range(2):
        assert b.dw2[j] == pytest.approx(b.dz2 * f.h[j])
        assert b.dh[j] == pytest.approx(b.dz2 * net.w2[j])
        assert b.dh_dz1[j] == pytest.approx(f.h[j] * (1 - f.h[j]))
        for i in range(2):
            assert b.dw1[j][i] == pytest.approx(b.dh[j] * b.dh_dz1[j] * X[i])


def test_a_relu_unit_that_is_off_passes_no_blame_back():
    net = Network.of([[-1.0, -1.0], [0.3, 0.8]], [0.0, 0.0], [1.2, -0.7], 0.0, "relu")
    f, b = network.forward(net, X), network.backward(net, X, 1)
    assert f.z1[0] < 0 and f.h[0] == 0
    assert b.dh_dz1[0] == 0 and b.dw1[0] == (0.0, 0.0)
    assert b.dh[0] != 0  # blame reaches the unit, but stops at its flat side


def test_one_update_lowers_the_loss_and_moves_the_output_towards_the_truth():
    step = network.update(NETS["sigmoid"], X, 1, lr=0.5)
    assert step.loss_after < step.loss_before
    assert step.p_after > step.p_before
    assert step.after.w2[0] == pytest.approx(
        step.before.w2[0] - 0.5 * network.backward(NETS["sigmoid"], X, 1).dw2[0]
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"w1": [[1, 2]]}, "w1: two rows"),
        ({"b1": [1, 2, 3]}, "b1: two numbers"),
        ({"activation": "tanh"}, "activation: 'tanh' is not one of sigmoid, relu"),
        ({"b2": float("nan")}, "b2"),
    ],
)
def test_bad_weights_are_refused_with_a_reason(kwargs, message):
    base = {"w1": [[0.5, -0.4], [0.3, 0.8]], "b1": [0, 0], "w2": [1, 1], "b2": 0}
    with pytest.raises(ValueError, match=message):
        Network.of(**{**base, **kwargs})


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize("y", [0, 1])
def test_the_backward_computations_are_the_networks_own_numbers(activation, y):
    """The lesson's computations read the same numbers as network.backward and update."""
    from tutor.engine.computations import compute

    net = NETS[activation]
    args = {"x": X, **net.as_dict()}
    b, f = network.backward(net, X, y), network.forward(net, X)
    after = network.update(net, X, y, lr=0.5).after
    for j in range(2):
        assert compute("net_hidden_delta", **args, y=y, j=j) == b.dz1[j]
        for i in range(2):
            assert compute("net_w1_after", **args, y=y, j=j, i=i, lr=0.5) == after.w1[j][i]
    # The output's local slopes multiply to the output's blame p - y.
    chain = compute("bce_slope", y=y, p=f.p) * compute("sigmoid_slope", s=f.p)
    assert chain == pytest.approx(b.dz2, rel=1e-12)
    assert compute("bce_slope", y=y, p=f.p) == pytest.approx(b.dl_dp, rel=1e-12)
    if activation == "sigmoid":
        assert [compute("sigmoid_slope", s=h) for h in f.h] == pytest.approx(b.dh_dz1, rel=1e-12)
