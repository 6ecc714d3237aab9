"""The building blocks of the lesson format, shared by its models and the question kinds.

Every model forbids unknown fields, so that a misspelled key is an error with a "did you
mean", not a silently ignored line.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Slug = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        max_length=80,
        description="Lower-case letters, digits and hyphens, e.g. `loss-is-a-score`.",
    ),
]
Text = Annotated[
    str,
    Field(
        min_length=1,
        description="Markdown (raw HTML is shown as text) with `{{ ... }}` placeholders.",
    ),
]


class Model(BaseModel):
    """A part of a lesson: frozen, and no field it does not know."""

    model_config = ConfigDict(extra="forbid", frozen=True)
