"""Mastery per skill: Bayesian knowledge tracing with graded, calibrated evidence.

The model. For each learner and skill the tutor keeps P(known), the probability
that the learner knows the skill. It starts at ``prior`` (0.1). An answer is evidence,
weighed by how likely its grade is in each state:

    grade        P(grade | knows it)       P(grade | does not yet)
    exactly      1 - slip        = 0.90    guess               = 0.20 (a number: 0.02)
    close        slip * 0.50     = 0.05    (1 - guess) * 0.05  = 0.04
    not_quite    slip * 0.35     = 0.035   (1 - guess) * 0.60  = 0.48
    not_sure     slip * 0.15     = 0.015   (1 - guess) * 0.35  = 0.28

(the numbers are for the defaults guess 0.2 and slip 0.1). Exactly is strong evidence
for knowing (a likelihood ratio of 4.5 on a choice question; 45 on a number, which is
hard to hit by chance: ``NUMERIC_GUESS``). Close means the right idea, imperfectly put,
or the right answer for a wrong reason (see docs/authoring.md): weak evidence (1.25),
and never enough on its own to reach solid (below). Not quite is evidence against
(1/14), Not sure too (1/19), without being counted as a lucky guess. Bayes' rule gives
the posterior; then the learning transition lets practice help: P(known) = posterior +
(1 - posterior) * learn, with learn 0.1. The defaults sit in the ranges OATutor and
pyBKT use; a lesson may override them per skill, and ``tutor fit-mastery`` fits them
from the attempt log.

Only the first sight of an item is full evidence. An item is seen once its right answer
has been in front of the learner (the same question with the same right option, or the
same numbers): answering it again says more about memory than about the skill, so it
counts for little: its likelihoods are tempered (raised to ``RESEEN``, 0.25) and so is
its learning step.

Solid. A skill is mastered at P(known) >= 0.95 and only once at least one of its items
was answered Exactly at first sight (``firsts_right``): Close answers, re-seen items
and practice alone never make it solid. A learner who answers every item of a skill
right the first time, on at least two items, reaches solid (with the learner's own
prior below, soon after).

The learner's own starting point. The prior 0.1 is about learners in general,
and learners differ: some meet a lesson knowing most of it. So each learner is
taken to have their own chance theta of knowing a skill before being taught it,
drawn from Beta(prior * w, (1 - prior) * w) with w = 1: mean 0.1 and the weight
of a single answer (a unit-information prior), so a learner's own record soon
outweighs it. The record is, for each skill tried, the grades of its attempts
before the learner was first taught it (up to and including the first miss),
weighed by the likelihoods above. Its posterior mean of theta is this learner's
prior, and ``individual`` re-bases a skill's P(known) on it, keeping the evidence
the skill itself has had. One Exactly on the first try at a choice question gives
0.40 for a learner the tutor knows nothing else about; 0.97 for one who was right
the first time on eight other skills; 0.15 for one who missed all eight. The tutor
acts on these (what to skip, what to review), and so do the labels learners see: a
skill the tutor skips as mastered is shown as solid.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from tutor.lessons.loaded import LoadedLesson
from tutor.vocabulary import Grade, Label, Standing

PRIOR = 0.1
LEARN = 0.1
GUESS = 0.2
SLIP = 0.1
NUMERIC_GUESS = 0.02  # the chance of typing the right number without knowing how
RESEEN = 0.25  # the weight of an answer to an item already seen
MASTERED = 0.95
SHAKY = 0.5  # short of solid, but the evidence leans towards knowing
LEARNER_WEIGHT = 1.0  # how many answers the population prior weighs for one learner

GRADES = tuple(Grade)

# How a slip (knows it, answers wrong) and a miss without knowing are spread over
# the three grades that are not Exactly.
_SLIP_SHARES = {Grade.CLOSE: 0.5, Grade.NOT_QUITE: 0.35, Grade.NOT_SURE: 0.15}
_MISS_SHARES = {Grade.CLOSE: 0.05, Grade.NOT_QUITE: 0.60, Grade.NOT_SURE: 0.35}


@dataclass(frozen=True)
class Params:
    """Knowledge-tracing parameters for one skill."""

    prior: float = PRIOR
    learn: float = LEARN
    guess: float = GUESS
    slip: float = SLIP

    @classmethod
    def of(cls, overrides: object | None, base: Mapping[str, float] | None = None) -> Params:
        """``base`` (fitted values) over the defaults, then any of prior/learn/guess/slip
        a lesson sets for a skill."""
        values = {name: float(base[name]) for name in _NAMES if base and name in base}
        values |= {
            name: getattr(overrides, name)
            for name in _NAMES
            if getattr(overrides, name, None) is not None
        }
        return cls(**values)


_NAMES = ("prior", "learn", "guess", "slip")


@lru_cache(maxsize=64)
def skill_params(lesson: LoadedLesson) -> dict[str, Params]:
    """Each skill's parameters: the lesson's own settings, else those fitted from the
    attempt log (``tutor fit-mastery``), else the defaults. A loaded lesson is never
    edited in place, so they are worked out once per lesson."""
    return {
        skill.id: Params.of(skill.mastery, lesson.fitted.get(skill.id))
        for skill in lesson.lesson.skills
    }


def p_known_by_skill(lesson: LoadedLesson, records: Mapping[str, Any]) -> dict[str, float]:
    """Every skill's P(known): from its record (anything with ``p_known``), else the prior."""
    return {
        skill: records[skill].p_known if skill in records else params.prior
        for skill, params in skill_params(lesson).items()
    }


def for_numbers(params: Params) -> Params:
    """The parameters for a numeric item: a typed number is hard to guess."""
    return replace(params, guess=min(params.guess, NUMERIC_GUESS))


def likelihood(grade: str, *, known: bool, params: Params = Params()) -> float:
    """P(grade | known) or P(grade | not known)."""
    if grade not in GRADES:
        raise ValueError(f"grade: {grade!r} is not one of {', '.join(GRADES)}")
    if known:
        return 1 - params.slip if grade == Grade.EXACTLY else params.slip * _SLIP_SHARES[grade]
    return params.guess if grade == Grade.EXACTLY else (1 - params.guess) * _MISS_SHARES[grade]


def update(p_known: float, grade: str, params: Params = Params(), *, weight: float = 1.0) -> float:
    """P(known) after one answer graded ``grade``, including the learning step.

    ``weight`` tempers the evidence and the learning step: 1 for the first sight of an
    item, ``RESEEN`` for an item seen before.
    """
    yes = p_known * likelihood(grade, known=True, params=params) ** weight
    no = (1 - p_known) * likelihood(grade, known=False, params=params) ** weight
    posterior = yes / (yes + no)
    return posterior + (1 - posterior) * params.learn * weight


def learner_prior(records: Iterable[Sequence[str]], params: Params = Params()) -> float:
    """See ``_learner_prior``; records are made hashable so results can be kept."""
    return _learner_prior(tuple(tuple(grades) for grades in records), params)


@lru_cache(maxsize=4096)
def _learner_prior(records: tuple[tuple[str, ...], ...], params: Params) -> float:
    """This learner's chance of knowing a skill (with ``params``) before being taught it.

    ``records`` holds, for each of the other skills tried so far, the grades of
    its first attempts up to the first miss (after a miss the learner is taught,
    and what they answer next is no longer about what they knew). Exact: the
    likelihood of the records is a polynomial in theta, so the posterior is a
    mixture of Betas whose mean is a weighted sum.
    """
    alpha, beta = params.prior * LEARNER_WEIGHT, (1 - params.prior) * LEARNER_WEIGHT
    # coefficients[j]: the records' likelihood summed over the ways j of the skills were known
    coefficients = [1.0]
    for grades in records:
        known = math.prod(likelihood(g, known=True, params=params) for g in grades)
        unknown = math.prod(likelihood(g, known=False, params=params) for g in grades)
        grown = [0.0] * (len(coefficients) + 1)
        for j, c in enumerate(coefficients):
            grown[j] += c * unknown
            grown[j + 1] += c * known
        coefficients = grown
    n = len(coefficients) - 1
    logs = [
        math.log(c) + math.lgamma(alpha + j) + math.lgamma(beta + n - j) if c > 0 else -math.inf
        for j, c in enumerate(coefficients)
    ]
    top = max(logs)
    weights = [math.exp(v - top) for v in logs]
    return sum(w * (alpha + j) for j, w in enumerate(weights)) / (sum(weights) * (n + alpha + beta))


def individual(
    p_known: float, *, learner_prior: float, attempted: bool, params: Params = Params()
) -> float:
    """``p_known``, tracked from ``params.prior``, re-based on this learner's own prior.

    A skill not yet attempted is at the learner's prior. Otherwise the evidence
    the skill has had is kept as an odds ratio and only the starting odds
    change: the last learning step is taken off first and put back after, so
    this is exact after one attempt and a close approximation after more.
    """
    if not attempted:
        return learner_prior
    learn = params.learn
    posterior = (p_known - learn) / (1 - learn) if learn < 1 else p_known
    odds = _odds(posterior) * _odds(learner_prior) / _odds(params.prior)
    posterior = odds / (1 + odds)
    return posterior + (1 - posterior) * learn


def _odds(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return p / (1 - p)


def is_mastered(p_known: float, firsts_right: int = 1) -> bool:
    """Mastered: P(known) of at least 0.95, on at least one item right at first sight."""
    return p_known >= MASTERED and firsts_right >= 1


def label(p_known: float, *, attempts: int, review: bool, firsts_right: int = 1) -> str:
    """What the learner sees for a skill: not started, getting there, solid or review."""
    if review:
        return Label.REVIEW
    if attempts == 0:
        return Label.NOT_STARTED
    return Label.SOLID if is_mastered(p_known, firsts_right) else Label.GETTING_THERE


def standing(p_known: float, *, attempts: int, firsts_right: int) -> str:
    """Where a skill stands at the end of a lesson: solid, shaky or not yet."""
    if is_mastered(p_known, firsts_right):
        return Standing.SOLID
    if attempts and (firsts_right or p_known >= SHAKY):
        return Standing.SHAKY
    return Standing.NOT_YET
