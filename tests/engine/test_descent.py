"""The descent lab's walks: pure functions of the valley, the learning rate and the start."""

from __future__ import annotations

import math

import pytest

from tutor.engine import descent, losses


@pytest.mark.parametrize("valley", sorted(descent.VALLEYS))
def test_the_slope_is_the_derivative_of_the_loss(valley: str):
    v = descent.VALLEYS[valley]
    for w in (-1.5, 0.0, 1.3, 4.0):
        h = 1e-6
        numeric = (v.loss(w + h) - v.loss(w - h)) / (2 * h)
        assert v.slope(w) == pytest.approx(numeric, rel=1e-5, abs=1e-8)


@pytest.mark.parametrize(
    ("valley", "bottom"), [("bowl", descent.BOWL_TRUTH), ("toy", pytest.approx(2.0096, abs=1e-3))]
)
def test_the_bottom_is_where_the_slope_is_zero(valley: str, bottom):
    v = descent.VALLEYS[valley]
    assert v.bottom == bottom
    assert abs(v.slope(v.bottom)) < 1e-9


def test_the_toy_valley_is_the_engines_loss_of_a_one_input_neuron():
    from tutor.engine import neuron

    X, y = neuron.toy_dataset()
    w = 1.5
    expected = losses.binary_cross_entropy(y, w * X[:, 0] + descent.TOY_BIAS, from_logits=True)
    assert descent.VALLEYS["toy"].loss(w) == expected


def test_each_step_is_the_weight_minus_rate_times_slope():
    walk = descent.walk("bowl", lr=0.1, start=-1, steps=5)
    assert len(walk.steps) == 5
    for step in walk.steps:
        assert step.w_next == pytest.approx(step.w - 0.1 * step.slope)
        assert step.slope == pytest.approx(2 * (step.w - 3))
    assert [s.w for s in walk.steps[1:]] == [s.w_next for s in walk.steps[:-1]]


@pytest.mark.parametrize(
    ("valley", "lr", "overshoots", "uphill", "ran_away"),
    [
        ("bowl", 0.1, False, False, False),  # small steps: always downhill, never past
        ("bowl", 0.9, True, False, False),  # zigzags in
        ("bowl", 1.1, True, True, False),  # zigzags out: each step lands higher
        ("bowl", 5.0, True, True, True),  # runs away fast and is stopped
        ("toy", 1.0, False, False, False),
        ("toy", 6.0, True, False, False),  # leaps past the bottom, then comes back
    ],
)
def test_what_a_walk_does(valley, lr, overshoots, uphill, ran_away):
    walk = descent.walk(valley, lr=lr, start=-1, steps=20)
    assert bool(walk.overshoots) is overshoots
    assert bool(walk.uphill) is uphill
    assert walk.ran_away is ran_away
    if ran_away:
        assert len(walk.steps) < 20 and all(math.isfinite(s.w_next) for s in walk.steps)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"valley": "cliff"}, "valley must be one of toy, bowl"),
        ({"lr": "fast"}, "lr must be a number"),
        ({"lr": 0}, "lr must be greater than 0"),
        ({"lr": -1}, "lr must be between 0 and 100"),
        ({"start": "nan"}, "start must be between -10 and 10"),
        ({"steps": 51}, "steps must be between 1 and 50"),
    ],
)
def test_bad_settings_are_named(kwargs, message):
    args = {"valley": "toy", "lr": 1, "start": 0, "steps": 5, **kwargs}
    valley = args.pop("valley")
    with pytest.raises(ValueError, match=message):
        descent.walk(valley, **args)
