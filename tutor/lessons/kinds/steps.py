"""Sub-steps: a numeric question broken into the small items that make its answer.

A numeric question may list ``steps``: for an MSE, the error, its square, the mean of the
squares; each a small numeric or choice item with its own prompt, computation, tolerance,
mistakes and worked line (``solution``), and up to two hints (a nudge, then the formula;
the third rung of the hint ladder is the worked value itself). The last sub-step must be
numeric and its value the question's answer: the sub-steps chain to it, which the
validator checks for every sampled variant. A sub-step may name a skill of its own, where
it exercises one the question does not.

Sub-steps are rendered with the question's params and topic, and texts of later sub-steps
can use the values of earlier ones as ``{{ steps.<id> }}``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field

from tutor.lessons.fields import Model, Slug, Text
from tutor.lessons.kinds.choice import ChoiceFields
from tutor.lessons.kinds.numeric import DEFAULT_TOLERANCE, NumericFields

MAX_HINTS = 2  # a nudge, then the formula; the worked value is the last rung, always there


class SubStep(NumericFields, ChoiceFields, Model):
    """One sub-step of a multi-step numeric question."""

    id: Slug
    kind: Literal["numeric", "choice"] = Field(
        "numeric", description="numeric (type a number) or choice (pick an option)."
    )
    prompt: Text
    skill: Slug | None = Field(
        None, description="The skill this sub-step exercises, where it is not the question's."
    )
    hints: list[Text] = Field(
        default_factory=list,
        max_length=MAX_HINTS,
        description="Up to two hints, asked for one at a time: a nudge, then the formula. "
        "The last rung, the worked value, is the sub-step's `solution`.",
    )

    def texts(self) -> Iterator[tuple[tuple, str]]:
        from tutor.lessons.kinds import KINDS

        yield ("prompt",), self.prompt
        yield from KINDS[self.kind].texts(self)
        for i, hint in enumerate(self.hints):
            yield ("hints", i), hint


def chain_problem(
    last_value: float, answer: float, tolerance: float | None, seed: int
) -> str | None:
    """Why the last sub-step does not give the question's answer for ``seed``, if it does not."""
    allowed = tolerance or DEFAULT_TOLERANCE
    if math.isfinite(last_value) and abs(last_value - answer) <= allowed:
        return None
    return (
        f"the sub-steps must chain to the answer: the last sub-step gives {last_value:.6g} "
        f"for seed {seed}, the question's answer is {answer:.6g}"
    )


def values_context(context: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """``context`` with the sub-step values so far as ``steps``."""
    return {**context, "steps": dict(values)}
