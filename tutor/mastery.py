"""Mastery per skill: Bayesian knowledge tracing with graded evidence.

The model. For each learner and skill the tutor keeps P(known), the probability
that the learner knows the skill. It starts at ``prior`` (0.1). A first attempt at
an item is evidence, weighed by how likely its grade is in each state:

    grade        P(grade | knows it)       P(grade | does not yet)
    exactly      1 - slip        = 0.90    guess               = 0.20
    close        slip * 0.6      = 0.06    (1 - guess) * 0.05  = 0.04
    not_quite    slip * 0.3      = 0.03    (1 - guess) * 0.60  = 0.48
    not_sure     slip * 0.1      = 0.01    (1 - guess) * 0.35  = 0.28

(the numbers are for the defaults guess 0.2 and slip 0.1). So Exactly is strong
evidence for knowing (a likelihood ratio of 4.5), Close weak evidence for it
(1.5), Not quite evidence against (1/16) and Not sure evidence against too (1/28)
without being counted as a lucky guess. Bayes' rule gives the posterior; then the
learning transition lets practice help: P(known) = posterior + (1 - posterior) *
learn, with learn 0.1. A skill is mastered at P(known) >= 0.95. The defaults sit
in the ranges OATutor and pyBKT use; a lesson may override them per skill.

Only a first attempt at an item counts: answering the same variant again (after
seeing its feedback) says little about what the learner knows.
"""

from __future__ import annotations

from dataclasses import dataclass

PRIOR = 0.1
LEARN = 0.1
GUESS = 0.2
SLIP = 0.1
MASTERED = 0.95

GRADES = ("exactly", "close", "not_quite", "not_sure")

# How a slip (knows it, answers wrong) and a miss without knowing are spread over
# the three grades that are not Exactly.
_SLIP_SHARES = {"close": 0.6, "not_quite": 0.3, "not_sure": 0.1}
_MISS_SHARES = {"close": 0.05, "not_quite": 0.60, "not_sure": 0.35}


@dataclass(frozen=True)
class Params:
    """Knowledge-tracing parameters for one skill."""

    prior: float = PRIOR
    learn: float = LEARN
    guess: float = GUESS
    slip: float = SLIP

    @classmethod
    def of(cls, overrides: object | None) -> Params:
        """The defaults, with any of prior/learn/guess/slip a lesson sets for a skill."""
        if overrides is None:
            return cls()
        values = {
            name: getattr(overrides, name)
            for name in ("prior", "learn", "guess", "slip")
            if getattr(overrides, name, None) is not None
        }
        return cls(**values)


def likelihood(grade: str, *, known: bool, params: Params = Params()) -> float:
    """P(grade | known) or P(grade | not known)."""
    if grade not in GRADES:
        raise ValueError(f"grade: {grade!r} is not one of {', '.join(GRADES)}")
    if known:
        return 1 - params.slip if grade == "exactly" else params.slip * _SLIP_SHARES[grade]
    return params.guess if grade == "exactly" else (1 - params.guess) * _MISS_SHARES[grade]


def update(p_known: float, grade: str, params: Params = Params()) -> float:
    """P(known) after one first attempt graded ``grade``, including the learning step."""
    yes = p_known * likelihood(grade, known=True, params=params)
    no = (1 - p_known) * likelihood(grade, known=False, params=params)
    posterior = yes / (yes + no)
    return posterior + (1 - posterior) * params.learn


def is_mastered(p_known: float) -> bool:
    return p_known >= MASTERED


def label(p_known: float, *, attempts: int, review: bool) -> str:
    """What the learner sees for a skill: not started, getting there, solid or review."""
    if review:
        return "review"
    if attempts == 0:
        return "not started"
    return "solid" if is_mastered(p_known) else "getting there"
