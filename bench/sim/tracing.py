"""How well the tutor's knowledge tracing predicts a learner's next answer.

``replay`` runs the tutor's own per-skill knowledge tracing (``tutor.teaching.answering``'s
``count_evidence``, with each skill's parameters) over a log of answers, counting evidence as
the tutor does (full for the first sight of an item, a little for an item seen before), and
yields its prediction for each first sight before it is answered: P(right) = P(known) (1 -
slip) + (1 - P(known)) guess. The same replay gives a control condition the labels the tutor
would have given it (per skill; the tutor's own labels also re-base each skill on the
learner's record across skills).

The prediction is scored by the AUC and the log loss over the answers of learners held out
from fitting, beside two references fitted on the other learners of the same logs:

- a per-skill base rate (the share of right first answers on that skill);
- pyBKT's standard model (prior, learn, guess, slip per skill, no forgetting), fitted by
  expectation-maximisation from five random starts, keeping the most likely fit, as
  ``pyBKT.models.Model.fit`` does by default. ``pyBKT.models`` itself cannot be imported next
  to a current scikit-learn (its table of metrics calls a private scikit-learn function),
  and its EM loop trips over NumPy 2, so this runs pyBKT's own E-step, M-step and one-step
  prediction (``pyBKT.fit``) in a loop of the same shape.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from tutor.lessons.loaded import LoadedLesson
from tutor.teaching import mastery
from tutor.teaching.answering import Evidence, count_evidence

CLIP = 1e-6


@dataclass
class Replay:
    p_known: dict[str, float]
    solid: set[str]
    # For each answer counted as evidence: (skill, predicted P(right), right).
    predictions: list[tuple[str, float, bool]] = field(default_factory=list)
    # Per skill that became solid: how many of its items had been answered by then.
    items_to_solid: dict[str, int] = field(default_factory=dict)


def replay(lesson: LoadedLesson, log: Iterable) -> Replay:
    """The tutor's per-skill knowledge tracing over ``log`` (attempts with skill, grade,
    first_try and hard_to_guess), counted by the tutor's own rule (``count_evidence``)."""
    params = mastery.skill_params(lesson)
    records: dict[str, Evidence] = {}
    answered: Counter[str] = Counter()
    out = Replay({}, set())
    for attempt in log:
        skill = attempt.skill
        answered[skill] += 1
        before = records.get(skill)
        if attempt.first_try:
            known = before.p_known if before else params[skill].prior
            used = mastery.for_numbers(params[skill]) if attempt.hard_to_guess else params[skill]
            predicted = known * (1 - used.slip) + (1 - known) * used.guess
            out.predictions.append((skill, predicted, attempt.grade == "exactly"))
        after = count_evidence(
            params[skill],
            before,
            attempt.grade,
            first_sight=attempt.first_try,
            hard_to_guess=attempt.hard_to_guess,
        )
        records[skill] = after
        if mastery.is_mastered(after.p_known, after.firsts_right):
            out.items_to_solid.setdefault(skill, answered[skill])
    out.p_known = {s: params[s].prior for s in params} | {s: r.p_known for s, r in records.items()}
    out.solid = {
        s
        for s, r in records.items()
        if r.attempts and mastery.is_mastered(r.p_known, r.firsts_right)
    }
    return out


# --- scores ------------------------------------------------------------------------------


def auc(right: Sequence[bool], predicted: Sequence[float]) -> float:
    """The area under the ROC curve (the Mann-Whitney statistic, ties counted half)."""
    y = np.asarray(right, dtype=bool)
    p = np.asarray(predicted, dtype=float)
    positives, negatives = int(y.sum()), int((~y).sum())
    if positives == 0 or negatives == 0:
        return float("nan")
    order = np.argsort(p, kind="mergesort")
    ranks = np.empty(len(p))
    sorted_p = p[order]
    start = 0
    while start < len(p):  # average ranks over ties
        end = start
        while end + 1 < len(p) and sorted_p[end + 1] == sorted_p[start]:
            end += 1
        ranks[order[start : end + 1]] = (start + end) / 2 + 1
        start = end + 1
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def log_loss(right: Sequence[bool], predicted: Sequence[float]) -> float:
    y = np.asarray(right, dtype=float)
    p = np.clip(np.asarray(predicted, dtype=float), CLIP, 1 - CLIP)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


# --- the references, fitted on training learners ----------------------------------------

Sequences = dict[str, list[list[bool]]]  # per skill, one list of first answers per learner


def base_rates(train: Sequences) -> dict[str, float]:
    overall = [r for seqs in train.values() for seq in seqs for r in seq]
    default = float(np.mean(overall)) if overall else 0.5
    return {
        skill: float(np.mean([r for seq in seqs for r in seq])) if any(seqs) else default
        for skill, seqs in train.items()
    }


def _pybkt_data(sequences: list[list[bool]]) -> dict:
    flat = [2 if r else 1 for seq in sequences for r in seq]  # pyBKT: 1 wrong, 2 right
    lengths = np.array([len(seq) for seq in sequences], dtype=np.int64)
    starts = np.cumsum(np.concatenate([[0], lengths[:-1]])) + 1  # 1-based
    return {
        "data": np.array([flat], dtype=np.int32),
        "starts": starts.astype(np.int64),
        "lengths": lengths,
        "resources": np.ones(len(flat), dtype=np.int64),
    }


def fit_pybkt(sequences: list[list[bool]], seed: int, restarts: int = 5) -> dict:
    """pyBKT's standard model for one skill: the most likely of ``restarts`` EM fits."""
    from pyBKT.generate import random_model_uni

    data = _pybkt_data([s for s in sequences if s])
    rand = np.random.RandomState(seed)
    best, best_likelihood = None, -np.inf
    for _ in range(restarts):
        model, likelihood = _em(random_model_uni.random_model_uni(1, 1, rand=rand), data)
        if np.isfinite(likelihood) and likelihood > best_likelihood:
            best, best_likelihood = model, likelihood
    assert best is not None
    best["learns"] = best["As"][:, 1, 0]
    best["forgets"] = best["As"][:, 0, 1]
    best["prior"] = best["pi_0"][1][0]
    return best


def _em(model: dict, data: dict, tol: float = 0.005, iterations: int = 100):
    """pyBKT's E-step and M-step, alternated until the log likelihood settles.

    This is the loop of ``pyBKT.fit.EM_fit.EM_fit`` (same tolerance and cap), written out
    because pyBKT 1.4.3 stores each step's likelihood in a way NumPy 2 refuses.
    """
    from pyBKT.fit import EM_fit, M_step

    previous = None
    likelihood = -np.inf
    for i in range(iterations):
        counts = (np.zeros((1, 2, 2)), np.zeros((1, 2, 2)), np.zeros((2, 1)))
        # A start that puts a zero in the emissions makes some steps divide 0 by 0; that
        # fit's likelihood is then not finite, and a better start wins.
        with np.errstate(invalid="ignore", divide="ignore"):
            result = EM_fit.run(data, model, *counts, 1, parallel=False)
        trans = np.stack([m.transpose() for m in result["all_trans_softcounts"]])
        emission = np.stack([m.transpose() for m in result["all_emission_softcounts"]])
        likelihood = float(np.asarray(result["total_loglike"]).item())
        if i > 1 and previous is not None and abs(likelihood - previous) <= tol:
            break
        previous = likelihood
        model = M_step.run(model, trans, emission, result["all_initial_softcounts"])
    return model, likelihood


def predict_pybkt(model: dict, sequences: list[list[bool]]) -> list[float]:
    """P(right) for every answer of ``sequences``, each before that answer is seen."""
    from pyBKT.fit import predict_onestep

    sequences = [s for s in sequences if s]
    if not sequences:
        return []
    with np.errstate(invalid="ignore", divide="ignore"):
        predicted, _ = predict_onestep.run(model, _pybkt_data(sequences), parallel=False)
    return [float(p) for p in predicted]


@dataclass(frozen=True)
class Accuracy:
    """AUC and log loss of each predictor on the same held-out answers."""

    answers: int
    scores: dict[str, tuple[float, float]]  # predictor -> (AUC, log loss)
    pybkt_error: str | None = None


def compare(
    runs: Sequence[tuple[str, list[tuple[str, float, bool]]]], seed: int, train_share=0.7
) -> Accuracy:
    """Score the tutor, the base rate and pyBKT on held-out learners.

    ``runs`` holds one entry per learner (a key, then that learner's predictions from
    ``replay``); learners are split at random into training and test sets.
    """
    rng = np.random.default_rng(seed)
    keys = sorted({key for key, _ in runs})
    test_keys = set(rng.permutation(keys)[int(len(keys) * train_share) :].tolist())
    train: Sequences = defaultdict(list)
    test: Sequences = defaultdict(list)
    tutor_pred: list[float] = []
    tutor_right: list[bool] = []
    for key, predictions in runs:
        per_skill: dict[str, list[bool]] = defaultdict(list)
        for skill, p, right in predictions:
            per_skill[skill].append(right)
            if key in test_keys:
                tutor_pred.append(p)
                tutor_right.append(right)
        target = test if key in test_keys else train
        for skill, seq in per_skill.items():
            target[skill].append(seq)
    rates = base_rates(train)
    base_pred, bkt_pred, bkt_right, ordered_right = [], [], [], []
    error = None
    for skill, seqs in sorted(test.items()):
        for seq in seqs:
            base_pred.extend([rates.get(skill, 0.5)] * len(seq))
            ordered_right.extend(seq)
        if error is None:
            try:
                if train.get(skill):
                    fitted = fit_pybkt(train[skill], seed)
                    bkt_pred.extend(predict_pybkt(fitted, seqs))
                    bkt_right.extend(r for seq in seqs for r in seq)
            except ImportError as exc:
                error = f"pyBKT is not installed ({exc})"
    scores = {
        "tutor": (auc(tutor_right, tutor_pred), log_loss(tutor_right, tutor_pred)),
        "base rate": (auc(ordered_right, base_pred), log_loss(ordered_right, base_pred)),
    }
    if error is None:
        scores["pyBKT"] = (auc(bkt_right, bkt_pred), log_loss(bkt_right, bkt_pred))
    return Accuracy(len(tutor_right), scores, error)
