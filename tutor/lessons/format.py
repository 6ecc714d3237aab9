"""The lesson format: Pydantic models that are the single source of truth.

Lesson YAML is validated against these models, the JSON Schema for editors is
exported from them (``tutor schema``) and the authoring guide is checked against
them. Every model forbids unknown fields so that a misspelled key is an error
with a "did you mean", not a silently ignored line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from tutor.lessons.fields import Model as _Model
from tutor.lessons.fields import Slug, Text
from tutor.lessons.kinds import KINDS
from tutor.lessons.kinds.steps import SubStep
from tutor.vocabulary import AngleName

LossName = Literal["mse", "mae", "bce", "cce"]
KindName = Literal[tuple(KINDS)]  # type: ignore[valid-type]


# --- params: fixed values or values sampled per variant --------------------


class Sampled(_Model):
    """A parameter drawn anew for each variant from a seeded generator.

    Give exactly one of ``uniform``, ``integers`` or ``choice``.
    """

    uniform: tuple[float, float] | None = Field(
        None, description="Draw a real number between the two bounds."
    )
    integers: tuple[int, int] | None = Field(
        None, description="Draw a whole number between the two bounds, both included."
    )
    choice: list[Any] | None = Field(
        None, min_length=1, description="Pick one of these values (numbers, lists or mappings)."
    )
    round: int | None = Field(
        None, ge=0, le=10, description="Round drawn numbers to this many decimals."
    )
    size: int | None = Field(
        None, ge=1, le=1000, description="Draw a list of this many values instead of one."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Sampled:
        given = [k for k in ("uniform", "integers", "choice") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of uniform, integers or choice"
                + (f" (found {', '.join(given)})" if given else "")
            )
        bounds = self.uniform or self.integers
        if bounds is not None and bounds[0] > bounds[1]:
            raise ValueError(f"the lower bound {bounds[0]} is above the upper bound {bounds[1]}")
        return self


Fixed = float | int | bool | str | list[Any]


def _param_kind(value: Any) -> str:
    return "sampled" if isinstance(value, dict) else "fixed"


ParamValue = Annotated[
    Annotated[Sampled, Tag("sampled")] | Annotated[Fixed, Tag("fixed")],
    Discriminator(_param_kind),
]


# --- live worked examples ---------------------------------------------------


class LossExample(_Model):
    """A loss computed live, shown item by item."""

    compute: LossName = Field(description="Which loss: mse, mae, bce or cce.")
    y_true: list[Any] = Field(
        min_length=1, description="The truths: numbers, class labels or one-hot rows."
    )
    y_pred: list[Any] = Field(
        min_length=1, description="The predictions: numbers or probability rows."
    )
    eps: float | None = Field(
        None, description="Clipping for cross-entropy; the engine's default when absent."
    )
    labels: list[Text] | None = Field(
        None, description="A name for each item, e.g. `{{ topic.thing }} 1`."
    )
    caption: Text | None = Field(None, description="A sentence shown above the table.")
    plot: Literal["auto", "loss-curves", "mse-vs-mae", "none"] = Field(
        "auto",
        description="The chart beside the table: `auto` picks one from the numbers, "
        "`loss-curves` (loss against the prediction), `mse-vs-mae` (one error growing) "
        "or `none`.",
    )


class NeuronExample(_Model):
    """One neuron, p = sigmoid(w·x + b): its forward pass, gradient and update."""

    compute: Literal["neuron"]
    x: list[float] = Field(min_length=1, description="The inputs.")
    w: list[float] = Field(min_length=1, description="One weight per input.")
    b: float = Field(description="The bias.")
    y: float = Field(ge=0, le=1, description="The truth, 0 or 1.")
    lr: float | None = Field(None, gt=0, description="Learning rate for the update.")
    features: list[Text] | None = Field(None, description="A name for each input.")
    show: list[Literal["forward", "loss", "gradient", "update"]] = Field(
        default_factory=lambda: ["forward"], min_length=1, description="Which parts to show."
    )
    caption: Text | None = Field(None, description="A sentence shown above the table.")
    plot: Literal["auto", "slope", "none"] = Field(
        "auto",
        description="The chart beside the table: `auto` draws the slope when `show` has "
        "`gradient`, `slope` always draws it, `none` never.",
    )


class TrainingExample(_Model):
    """The one-neuron model trained on a small made-up data set (two features): loss per
    epoch per learning rate."""

    compute: Literal["training"]
    learning_rates: list[Annotated[float, Field(gt=0)]] = Field(min_length=1, max_length=5)
    epochs: int = Field(30, ge=1, le=500)
    seed: int = Field(0, ge=0)
    caption: Text | None = None
    plot: Literal["auto", "none"] = Field(
        "auto", description="`auto` draws the loss per epoch for each rate; `none` does not."
    )


class NetworkExample(_Model):
    """A two-layer network (two inputs, two hidden units, one output) worked by hand."""

    compute: Literal["network"]
    x: list[float] = Field(min_length=2, max_length=2, description="The two inputs.")
    y: float = Field(ge=0, le=1, description="The truth, 0 or 1.")
    w1: list[list[float]] = Field(
        min_length=2, max_length=2, description="Two rows of two weights, one per hidden unit."
    )
    b1: list[float] = Field(min_length=2, max_length=2)
    w2: list[float] = Field(min_length=2, max_length=2)
    b2: float
    activation: Literal["sigmoid", "relu"] = "sigmoid"
    lr: float | None = Field(None, gt=0, description="Learning rate for the update.")
    features: list[Text] | None = Field(None, description="A name for each input.")
    show: list[Literal["forward", "backward", "update"]] = Field(
        default_factory=lambda: ["forward"], min_length=1, description="Which parts to show."
    )
    caption: Text | None = None
    plot: Literal["auto", "none"] = Field(
        "auto", description="`auto` draws the network with its numbers; `none` does not."
    )


class OverfittingExample(_Model):
    """A model trained on a few made-up examples, scored on held-out ones, epoch by epoch."""

    compute: Literal["overfitting"]
    seed: int = Field(2, ge=0)
    epochs: int = Field(120, ge=1, le=1000)
    lr: float = Field(0.1, gt=0, le=10)
    caption: Text | None = None
    plot: Literal["auto", "none"] = Field(
        "auto", description="`auto` draws training and validation loss per epoch."
    )


Example = Annotated[
    LossExample | NeuronExample | TrainingExample | NetworkExample | OverfittingExample,
    Field(discriminator="compute"),
]


# --- questions ----------------------------------------------------------------


class AnotherWay(_Model):
    """An alternative explanation shown after a miss."""

    angle: AngleName = Field(description="analogy, numbers, picture or formal.")
    text: Text


class _QuestionBase(_Model):
    id: Slug
    kind: KindName = Field(description="What the learner does: " + ", ".join(KINDS) + ".")
    skill: Slug | None = Field(
        None, description="The skill it checks; questions under `checks` inherit it."
    )
    prompt: Text
    params: dict[str, ParamValue] = Field(default_factory=dict)
    not_sure: Text = Field(description='The feedback for "I\'m not sure".')
    another_way: list[AnotherWay] = Field(default_factory=list)
    bridge: Text | None = Field(None, description="The line that leads into what comes next.")
    lead_in: Text | None = Field(
        None,
        description="A step's own questions: the part of the step's reading shown just before "
        "this question, after the one before it is answered. A long intro comes in parts.",
    )


class Question(*(kind.fields for kind in KINDS.values()), _QuestionBase):  # type: ignore[misc]
    """A question: its kind's fields (see :mod:`tutor.lessons.kinds`: graded options for
    ``choice``, a number the engine computes for ``numeric``) and what every question has."""

    checks: list[Question] = Field(
        default_factory=list, description="Further questions on the same skill, asked after a miss."
    )
    steps: list[SubStep] = Field(
        default_factory=list,
        description="Numeric: the sub-steps that make the answer, the last giving it. A miss "
        "opens them one at a time; as the learner masters the skill, fewer are worked for them.",
    )
    explain: Text | None = Field(
        None,
        description="Numeric with steps: the self-explanation prompt shown under the fully "
        "worked example (a default one is used when absent).",
    )

    @field_validator("params")
    @classmethod
    def _param_names(cls, params: dict[str, Any]) -> dict[str, Any]:
        for name in params:
            if not name.isidentifier() or name.startswith("_") or name == "topic":
                raise ValueError(
                    f"{name!r} cannot be a param name: use letters, digits and underscores, "
                    "not starting with an underscore, and not `topic`"
                )
        return params

    def walk_checks(self, path: tuple = ()) -> Iterator[tuple[Question, tuple]]:
        """Its checks, nested ones included, each with its path relative to this question."""
        for i, check in enumerate(self.checks):
            sub = (*path, "checks", i)
            yield check, sub
            yield from check.walk_checks(sub)

    def texts(self) -> Iterator[tuple[tuple, str]]:
        """Every text of this question (not its checks), each with its relative path."""
        yield ("prompt",), self.prompt
        yield from KINDS[self.kind].texts(self)
        yield ("not_sure",), self.not_sure
        for i, way in enumerate(self.another_way):
            yield ("another_way", i, "text"), way.text
        if self.bridge:
            yield ("bridge",), self.bridge
        if self.lead_in:
            yield ("lead_in",), self.lead_in

    @property
    def sampled(self) -> bool:
        """True when a new variant gets new numbers."""
        return any(isinstance(v, Sampled) for v in self.params.values())


# --- lessons --------------------------------------------------------------------


class Mastery(_Model):
    """Knowledge-tracing parameters for one skill (the tutor's defaults when absent)."""

    prior: float | None = Field(None, gt=0, lt=1)
    learn: float | None = Field(None, gt=0, lt=1)
    guess: float | None = Field(None, gt=0, lt=1)
    slip: float | None = Field(None, gt=0, lt=1)


class AssessmentItem(Question):
    """A held-out question on one skill: never asked in practice, only in a post-test.

    It takes the skill of the skill it is listed under. ``near`` transfer asks the
    same idea with new numbers or wording; ``far`` transfer asks it in a new framing.
    """

    transfer: Literal["near", "far"] = Field(
        description="`near`: the same kind of problem, new numbers; `far`: a new framing."
    )


class Skill(_Model):
    id: Slug
    name: Text
    requires: list[Slug] = Field(default_factory=list, description="Prerequisite skill ids.")
    mastery: Mastery | None = None
    assessment: list[AssessmentItem] = Field(
        default_factory=list,
        description="Held-out questions on this skill for the post-test; never asked in practice.",
    )


class Step(_Model):
    id: Slug
    title: Text
    intro: Text
    example: Example | None = None
    questions: list[Question] = Field(min_length=1)
    takeaway: Text
    next: Text | None = Field(None, description="The teaser for the next step.")


class Topic(BaseModel):
    """The words that re-skin a lesson: a `label` plus words such as `thing`."""

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, str] = Field(init=False)

    label: str = Field(min_length=1, description="The name learners choose from.")

    @property
    def words(self) -> dict[str, str]:
        return {"label": self.label, **(self.model_extra or {})}


class TopicWord(_Model):
    """One word a learner writes to make the lesson about their own topic."""

    name: str = Field(
        max_length=40,
        description="The word's name, as texts use it: `{{ topic.<name> }}`: lower-case "
        "letters, digits and underscores, starting with a letter.",
    )
    hint: str = Field(min_length=1, max_length=200, description="What to write: the field's label.")
    example: str = Field(
        min_length=1,
        max_length=60,
        description="An example, shown beside the field; every text is checked with it.",
    )
    group: str | None = Field(
        None,
        min_length=1,
        max_length=80,
        description="The heading of the part of the form this word is in; words in a row "
        "with the same group are shown together.",
    )

    @field_validator("name")
    @classmethod
    def _plain_name(cls, name: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ValueError(
                f"{name!r} is not a word name: use lower-case letters, digits and "
                "underscores, starting with a letter (texts write it as `topic.<name>`)"
            )
        return name


class Lesson(_Model):
    """A lesson: topics to re-skin it, skills, and steps of questions."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"title": "tutor lesson"},
    )

    id: Slug
    title: Text
    summary: Text
    order: int | None = Field(
        None,
        ge=0,
        le=10_000,
        description="Where the lesson comes among the lessons (lower first): the home page "
        "lists them in this order and a lesson's end offers the next one. Lessons without "
        "it follow, by file name.",
    )
    topics: dict[Slug, Topic] = Field(
        min_length=1, description="Topic id to its words; the first one is the default."
    )
    topic_words: list[TopicWord] = Field(
        default_factory=list,
        description="The words a learner writes to make the lesson about their own topic; "
        "every `topic.<word>` a text uses must be one of them. Without it, learners choose "
        "among the ready topics only.",
    )
    skills: list[Skill] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)

    @property
    def default_topic(self) -> str:
        return next(iter(self.topics))

    def every_question(self) -> Iterator[tuple[Question, tuple]]:
        """Every question, check and held-out item, in file order, with its path."""
        for s, step in enumerate(self.steps):
            for q, question in enumerate(step.questions):
                path = ("steps", s, "questions", q)
                yield question, path
                yield from question.walk_checks(path)
        for i, skill in enumerate(self.skills):
            for a, item in enumerate(skill.assessment):
                yield item, ("skills", i, "assessment", a)


def json_schema() -> dict:
    """The JSON Schema editors use to autocomplete and check lesson files."""
    schema = Lesson.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
