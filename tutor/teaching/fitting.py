"""Fitting a skill's knowledge-tracing parameters to what learners actually answered.

Expectation-maximisation (Baum-Welch) on the two-state hidden Markov model that knowledge
tracing is: a learner does not know the skill or knows it; they start knowing it with
probability ``prior`` and learn it after each item with probability ``learn``; a learner
who knows it answers right unless they ``slip``, one who does not only by a ``guess``.
The data are, per learner, the first sights of the skill's items in order, right
(Exactly) or not: the same evidence the tutor counts in full (``teaching.answering``).

Our own, rather than pyBKT: pyBKT fits the same model by the same algorithm, but its
release on PyPI does not import beside current NumPy and scikit-learn, and the fit is
sixty lines. Guess and slip are capped at 0.3, as is usual for knowledge tracing: above
that, "knows it" and "does not" swap meanings and the fit explains the data with a
model that says nothing (the identifiability problem of Beck and Chang, 2007).

Pure: sequences in, parameters out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tutor.teaching.mastery import Params

MIN_LEARNERS = 30  # fewer learners than this and a fit says more about them than the skill
CAP = 0.3  # guess and slip above this make "knows it" and "does not" trade places
FLOOR = 0.001


@dataclass(frozen=True)
class Fit:
    params: Params
    learners: int
    answers: int
    log_likelihood: float  # per answer, under the fitted parameters
    default_log_likelihood: float  # per answer, under the starting ones


def fit(
    sequences: Sequence[Sequence[bool]],
    start: Params | None = None,
    *,
    iterations: int = 200,
    tolerance: float = 1e-7,
) -> Fit:
    """Fit prior, learn, guess and slip to ``sequences`` (one per learner, in order),
    starting from ``start`` (the defaults if not given)."""
    start = start or Params()
    data = [np.asarray(s, dtype=bool) for s in sequences if len(s)]
    answers = sum(len(s) for s in data)
    if not data:
        return Fit(start, 0, 0, math.nan, math.nan)
    current = start
    before = log_likelihood(data, start) / answers
    previous = -math.inf
    for _ in range(iterations):
        current, total = _step(data, current)
        if total - previous < tolerance * answers:
            break
        previous = total
    after = log_likelihood(data, current) / answers
    return Fit(current, len(data), answers, after, before)


def log_likelihood(sequences: Sequence[np.ndarray], params: Params) -> float:
    """The total log-likelihood of the sequences under ``params``."""
    return sum(_forward(s, params)[1] for s in sequences)


def _emissions(seq: np.ndarray, p: Params) -> np.ndarray:
    """P(answer | state) per answer: column 0 does not know it, column 1 knows it."""
    right = np.column_stack([np.full(len(seq), p.guess), np.full(len(seq), 1 - p.slip)])
    return np.where(seq[:, None], right, 1 - right)


def _forward(seq: np.ndarray, p: Params) -> tuple[np.ndarray, float]:
    """Scaled forward probabilities (P(state | answers so far)) and the log-likelihood."""
    emit = _emissions(seq, p)
    alpha = np.empty((len(seq), 2))
    belief = np.array([1 - p.prior, p.prior])
    total = 0.0
    for t in range(len(seq)):
        joint = belief * emit[t]
        scale = joint.sum()
        total += math.log(scale)
        alpha[t] = joint / scale
        belief = np.array([alpha[t, 0] * (1 - p.learn), alpha[t, 1] + alpha[t, 0] * p.learn])
    return alpha, total


def _step(data: list[np.ndarray], p: Params) -> tuple[Params, float]:
    """One expectation-maximisation step; returns the new parameters and the old fit."""
    first_known = 0.0
    learned = unknown_before = 0.0
    guessed = unknown = slipped = known = 0.0
    total = 0.0
    transition = np.array([[1 - p.learn, p.learn], [0.0, 1.0]])
    for seq in data:
        emit = _emissions(seq, p)
        alpha, ll = _forward(seq, p)
        total += ll
        # Backward pass, scaled to match: gamma is P(state at t | all answers).
        beta = np.ones((len(seq), 2))
        for t in range(len(seq) - 2, -1, -1):
            nxt = transition @ (emit[t + 1] * beta[t + 1])
            beta[t] = nxt / (alpha[t] @ nxt)
        gamma = alpha * beta
        gamma /= gamma.sum(axis=1, keepdims=True)
        first_known += gamma[0, 1]
        for t in range(len(seq) - 1):
            xi = alpha[t][:, None] * transition * (emit[t + 1] * beta[t + 1])[None, :]
            xi /= xi.sum()
            learned += xi[0, 1]
            unknown_before += gamma[t, 0]
        guessed += gamma[seq, 0].sum()
        unknown += gamma[:, 0].sum()
        slipped += gamma[~seq, 1].sum()
        known += gamma[:, 1].sum()
    new = Params(
        prior=_clip(first_known / len(data), FLOOR, 1 - FLOOR),
        learn=_clip(learned / unknown_before if unknown_before else p.learn, FLOOR, 1 - FLOOR),
        guess=_clip(guessed / unknown if unknown else p.guess, FLOOR, CAP),
        slip=_clip(slipped / known if known else p.slip, FLOOR, CAP),
    )
    return new, total


def _clip(value: float, low: float, high: float) -> float:
    return float(min(max(value, low), high))
