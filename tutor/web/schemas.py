"""JSON API payloads. These names and fields are a contract with API clients."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from tutor.engine.inputs import MIN_EPS
from tutor.lessons.format import KindName
from tutor.lessons.topics import MAX_WORD
from tutor.vocabulary import NOT_SURE, Choice, Grade, Label, Role, Standing, StepStatus


def _not_true_or_false(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


# Whole numbers, as JSON writes one (`2`, or `2.0`), but not `true` or `false`. The bounds
# come before the validator: after it, pydantic would write them into the OpenAPI as `ge` and
# `le`, words JSON Schema does not know, and clients would be told that any number goes.
Variant = Annotated[int, Field(ge=0, le=2**31 - 1), BeforeValidator(_not_true_or_false)]
StepNumber = Annotated[int, Field(ge=1, le=1000), BeforeValidator(_not_true_or_false)]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TopicOut(_Out):
    id: str
    label: str


class TopicWordOut(_Out):
    name: str = Field(description="The word's name: a key of `custom` in PUT .../topic.")
    hint: str = Field(description="What to write.")
    example: str = Field(description="An example of it.")
    group: str | None = Field(description="The part of the form it belongs to.")


class SkillOut(_Out):
    id: str
    name: str
    requires: list[str]


class StepRefOut(_Out):
    n: int = Field(description="1-based step number.")
    of: int
    id: str
    title: str


class LessonSummary(_Out):
    id: str
    title: str
    summary: str
    steps: int
    topics: list[TopicOut]


class LessonOut(_Out):
    id: str
    title: str
    summary: str
    version: str = Field(description="A hash of the lesson file; changes with every edit.")
    topics: list[TopicOut]
    default_topic: str
    topic_words: list[TopicWordOut] = Field(
        description="The words a learner writes for a topic of their own (PUT .../topic "
        'with `{"custom": {...}}`); empty when the lesson offers only its ready topics.'
    )
    skills: list[SkillOut]
    steps: list[StepRefOut]


class OptionOut(_Out):
    id: str
    text: str


class QuestionOut(_Out):
    id: str
    kind: KindName
    prompt: str = Field(description="Markdown, placeholders filled in.")
    n: int = Field(description="Which question of the step (checks share their question's n).")
    of: int
    options: list[OptionOut] = Field(
        description="For numeric questions, only the `not_sure` option (beside the number field)."
    )
    lead_in: str | None = Field(
        None,
        description="A step's own question: the part of the step's reading to show just "
        "before it (Markdown), when the lesson gives its reading in parts.",
    )


class CurrentQuestionOut(QuestionOut):
    kind: KindName | Literal["example"] = Field(  # type: ignore[assignment]
        description="choice, numeric, or example: a worked example to study (no answer; "
        "go on with POST /api/lessons/{id}/continue)."
    )
    role: Role = Field(
        description="main, a check after a miss, a review, a step back to an earlier idea, "
        "a practice run's item or a review of a skill due (recall)."
    )


class ExampleOut(_Out):
    model_config = ConfigDict(extra="allow")
    kind: Literal["loss", "neuron", "training", "network", "overfitting"]
    caption: str | None


class StepOut(_Out):
    n: int
    of: int
    id: str
    title: str
    intro: str
    example: ExampleOut | None
    questions: list[QuestionOut] = Field(
        description="The step's questions in a fixed variant; never grades or feedback."
    )
    takeaway: str
    next: str | None
    topic: str


class ChoiceOut(_Out):
    id: Choice
    text: str


class FaultOut(_Out):
    n: int
    id: str
    title: str
    message: str


class OfferOut(_Out):
    heading: str = Field(description="A short heading; its wording varies between offers.")
    message: str = Field(description="What the learner may do; names only the choices offered.")
    fault: FaultOut | None = Field(description="The earlier step that seems to be the trouble.")
    choices: list[ChoiceOut]


class SessionStateOut(_Out):
    kind: Literal["practice", "recall"] = Field(
        description="practice: a practice run; recall: a review of skills due."
    )
    left: int = Field(description="Items still to come after this one (more after a miss).")


class WorkedOut(_Out):
    id: str = Field(description="The sub-step's id within its problem.")
    prompt: str
    value: str = Field(description="Its value, as worked.")
    text: str | None = Field(description="The worked line.")


class LadderOut(_Out):
    question_id: str = Field(description="The multi-step problem this item belongs to.")
    prompt: str = Field(description="The whole problem, as asked.")
    mode: Literal["example", "faded", "ladder"] = Field(
        description="example: every sub-step worked (answer with POST .../continue); faded: "
        "the first ones worked, the rest yours; ladder: after a miss, every sub-step in turn."
    )
    step: int = Field(description="The sub-step asked (1-based).")
    of: int
    worked: list[WorkedOut] = Field(description="The sub-steps before it, with their values.")
    hints: list[str] = Field(description="The hints shown so far for this sub-step.")
    hints_left: int = Field(
        description="Hints still to ask for (POST .../hint); the last one is the worked value."
    )


class StudiedExampleOut(_Out):
    question_id: str = Field(description="The multi-step problem of the worked example.")
    variant: int
    prompt: str = Field(description="The problem, as the example set it.")
    worked: list[WorkedOut] = Field(description="Every sub-step, worked, with its value.")


class NextOut(_Out):
    done: bool
    step: StepRefOut | None
    question: CurrentQuestionOut | None
    variant: int | None = Field(description="Send it back with the answer.")
    topic: str
    offer: OfferOut | None = Field(
        None, description="After repeated misses: choices to make with POST .../choices."
    )
    session: SessionStateOut | None = Field(
        None, description="A practice run or review under way; the lesson resumes after it."
    )
    ladder: LadderOut | None = Field(
        None,
        description="Inside a multi-step problem: the question is one of its sub-steps (or, "
        "for a worked example, the prompt to explain it).",
    )
    studied: StudiedExampleOut | None = Field(
        None,
        description="The worked example studied just before this item (POST .../continue), "
        "to look back at while doing it; null once the item is answered.",
    )


class HintIn(_In):
    """Which hint is asked for. Every field may be left out (or no body sent at all): the
    next rung of the sub-step being asked. Sent, they make a retry safe: a rung already
    shown is shown again and counts nothing more, and a hint for a sub-step that is no
    longer asked is refused."""

    question_id: str | None = Field(
        None,
        max_length=170,
        description="The part's id: `next.question.id` (not `next.ladder.question_id`, the "
        "problem's).",
    )
    variant: Variant | None = Field(None, description="`next.variant`.")
    rung: Annotated[int, Field(ge=1, le=50), BeforeValidator(_not_true_or_false)] | None = Field(
        None,
        description="The rung wanted, from 1. The next one, `len(next.ladder.hints) + 1`, "
        "is taken; one already shown is shown again, and counts nothing more.",
    )


class HintOut(_Out):
    rung: int = Field(description="Which hint this is: a nudge, the formula, the worked value.")
    of: int
    hint: str
    next: NextOut


class StudiedIn(_In):
    question_id: str = Field(max_length=170, description="The worked example's id, from `next`.")
    variant: Variant


class StudiedOut(_Out):
    message: str | None
    next: NextOut


class PracticeIn(_In):
    """What to practise: one skill, or one step's skills (not both); neither, the skills
    the learner is weakest at."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"not": {"required": ["skill", "step"]}}
    )

    skill: str | None = Field(None, max_length=80, description="Practise this skill only.")
    step: StepNumber | None = Field(None, description="Practise this step's skills.")

    @model_validator(mode="after")
    def _not_both(self) -> PracticeIn:
        if self.skill is not None and self.step is not None:
            raise PydanticCustomError("skill_or_step", "give `skill` or `step`, not both")
        return self


class SkillNameOut(_Out):
    id: str
    name: str


class SessionOut(_Out):
    kind: Literal["practice", "recall"]
    skills: list[SkillNameOut] = Field(description="The skills the session asks about.")
    items: int = Field(description="How many items it has planned (one more per missed skill).")
    next: NextOut


class SummarySkillOut(_Out):
    id: str
    name: str
    standing: Standing
    p_known: float
    due: bool
    due_at: str | None


class FirstTryOut(_Out):
    right: int = Field(description="Items answered right the first time they were seen.")
    of: int = Field(description="Items seen.")


class NextStepOut(_Out):
    kind: Literal["practice", "review", "lab", "lesson"]
    text: str
    skills: list[str] = Field(description="For practice and review: the skills concerned.")
    href: str | None = Field(description="For a lab or lesson: the page.")


class SummaryOut(_Out):
    lesson_id: str
    title: str
    finished: bool = Field(description="The learner has been through every step.")
    mastered: bool = Field(description="Every skill of the lesson is solid.")
    first_try: FirstTryOut
    skills: list[SummarySkillOut]
    message: str
    next_steps: list[NextStepOut]


class DueSkillOut(_Out):
    lesson_id: str
    lesson_title: str
    skill_id: str
    skill_name: str
    due_at: str


class ReviewListOut(_Out):
    learner_id: str
    due: list[DueSkillOut] = Field(description="Due now: POST /api/lessons/{id}/review.")
    upcoming: list[DueSkillOut] = Field(description="Not due yet, soonest first.")


class AnswerIn(_In):
    question_id: Annotated[str, Field(min_length=1, max_length=170)]
    variant: Variant = Field(description="From `next`.")
    option_id: Annotated[str | None, Field(max_length=64)] = Field(
        None, description="The chosen option's id, or `not_sure`."
    )
    value: Annotated[float, Field(strict=True)] | Annotated[str, Field(max_length=40)] | None = (
        Field(
            None,
            description="For numeric questions: the number, or text as a learner types it: "
            "`0.36`, `0,36` (a decimal comma), `36%`, `1e-3`, a minus as - or \u2212. Text "
            "such as `1,000` is refused as ambiguous (a thousand, or one). JSON `true` is not "
            "a number.",
        )
    )
    idempotency_key: Annotated[str | None, Field(min_length=1, max_length=128)] = Field(
        None, description="Send the same key when retrying: the answer is recorded once."
    )

    @model_validator(mode="after")
    def _not_sure_alone(self) -> AnswerIn:
        # "Not sure" with a number beside it: which was meant? Said, not guessed.
        if self.option_id == NOT_SURE and self.value is not None:
            said = "`not_sure` is sent alone: leave out `value`"
            raise PydanticCustomError("not_sure_alone", said)
        return self


class AnotherWayOut(_Out):
    angle: Literal["analogy", "numbers", "picture", "formal"]
    text: str


class AnswerOut(_Out):
    question_id: str
    variant: int
    said: str = Field(
        description="The answer as the learner gave it, as the tutor says it back: the chosen "
        "option's text, or the number read from `value` (a minus written as \u2212)."
    )
    grade: Grade
    label: str = Field(description="Exactly, Close, Not quite or Not sure.")
    feedback: str
    mistake: str | None = Field(description="The typical mistake the number matched, if any.")
    another_way: AnotherWayOut | None
    bridge: str | None
    message: str | None = Field(description="Why the next item is what it is.")
    solution: str | None
    answer: str | None = Field(description="A numeric question's answer, once it is revealed.")
    right: str | None = Field(
        None, description="A choice question answered other than Exactly: its right option."
    )
    step_finished: bool
    takeaway: str | None
    next_step: str | None = Field(description="The teaser for the next step.")
    next: NextOut


class ChoiceIn(_In):
    choice: Choice


class ChoiceResultOut(_Out):
    another_way: AnotherWayOut | None
    message: str | None
    next: NextOut


class TopicIn(_In):
    """A ready topic by id, or the learner's own: a text for each of the lesson's
    `topic_words` (`custom` is then the own topic as last written)."""

    # Exactly one of the two, said in the schema too (the validator below enforces it).
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {"required": ["topic"], "properties": {"topic": {"type": "string"}}},
                {"required": ["custom"], "properties": {"custom": {"type": "object"}}},
            ]
        },
    )

    topic: Annotated[str, Field(min_length=1, max_length=80)] | None = Field(
        None, description="A ready topic's id, or `custom` to go back to your own topic."
    )
    custom: (
        Annotated[
            dict[
                Annotated[str, Field(max_length=80)],
                Annotated[str, Field(max_length=MAX_WORD)],
            ],
            Field(max_length=50),
        ]
        | None
    ) = Field(
        None,
        description=f"Your own topic: word name to your text (at most {MAX_WORD} characters "
        "each; the lesson checks the words themselves too).",
        examples=[{"thing": "a song", "positive": "a hit"}],
    )

    @model_validator(mode="after")
    def _one_of(self) -> TopicIn:
        if (self.topic is None) == (self.custom is None):
            raise PydanticCustomError(
                "topic_or_custom",
                "give either `topic` (a ready topic's id) or `custom` (your words)",
            )
        return self


class NothingIn(_In):
    """This request takes no fields: send no body, or an empty object. Anything else is
    refused, so a client that meant to send something learns that it was not read."""


class LearnerIn(NothingIn):
    """A new learner takes no fields: send no body, or an empty object."""


class LearnerOut(_Out):
    learner_id: str
    token: str = Field(description="Send as `Authorization: Bearer <token>`; shown only once.")


class SkillProgressOut(_Out):
    id: str
    name: str
    p_known: float = Field(description="The tutor's estimate that the learner knows it.")
    attempts: int = Field(description="Answers counted as evidence: first sights of items.")
    firsts_right: int = Field(description="Items answered right the first time they were seen.")
    label: Label
    standing: Standing = Field(
        description="solid (mastered: P(known) >= 0.95 with an item right at first sight), "
        "shaky, or not yet."
    )
    due: bool = Field(description="Due for review: its memory has had time to fade.")
    due_at: str | None = Field(description="When it is next due for review (ISO 8601).")


class LessonProgressOut(_Out):
    lesson_id: str
    title: str
    started: bool
    done: bool
    topic: str
    steps: list[StepStatus]
    position: StepRefOut | None
    question_id: str | None
    skills: list[SkillProgressOut]


class ProgressOut(_Out):
    learner_id: str
    lessons: list[LessonProgressOut]


class KeyOptionOut(_Out):
    index: int = Field(
        description="Its place in the lesson file (learners each see their own order)."
    )
    text: str
    grade: Literal["exactly", "close", "not_quite"]
    feedback: str
    misconception: str | None
    idea: str | None = Field(description="The misconception's idea, from the shared catalogue.")


class KeyMistakeOut(_Out):
    mistake: str
    value: float = Field(description="The number this mistake gives for this variant.")
    grade: Literal["close", "not_quite"]
    feedback: str
    misconception: str | None
    idea: str | None


class QuestionFiguresOut(_Out):
    question_id: str
    step_id: str
    skill_id: str
    attempts: int
    learners: int
    first_try_exactly: float | None = Field(
        description="The share of learners whose first answer to it was Exactly."
    )
    picks: dict[str, int] = Field(
        description="Times each answer was picked: an option's place in the lesson file (as "
        "text), not_sure, or for a number the mistake's name, right or unrecognised."
    )
    discrimination: float | None = Field(
        description="Point-biserial correlation of a right first answer with the learner's "
        "score on the rest of the lesson; none when either does not vary."
    )


class SkillFiguresOut(_Out):
    skill_id: str
    learners: int
    mastered: int = Field(description="Learners the tutor has held to master it.")
    median_tries_to_mastery: float | None = Field(
        description="Their median first tries at it until then."
    )
    review_share: float | None = Field(description="The share the tutor sent to review.")


class StepFiguresOut(_Out):
    step_id: str
    reached: int
    finished: int
    stopped_here: int = Field(description="Reached it, went no further, and have not finished it.")


class AngleFiguresOut(_Out):
    angle: str
    shown: int
    next_right: int = Field(description="Times the check that followed it was Exactly.")
    rate: float | None


class VersionOut(_Out):
    version: str
    attempts: int
    first: str = Field(description="The first answer to it (ISO 8601).")
    last: str = Field(description="The latest answer to it (ISO 8601).")


class AnalyticsOut(_Out):
    lesson_id: str
    version: str
    learners: int
    attempts: int
    questions: list[QuestionFiguresOut]
    skills: list[SkillFiguresOut]
    steps: list[StepFiguresOut]
    angles: list[AngleFiguresOut]
    versions: list[VersionOut] = Field(description="Every version with answers, newest first.")


class KeySubStepOut(_Out):
    id: str
    kind: KindName
    prompt: str
    options: list[KeyOptionOut]
    answer: float | None
    answer_text: str | None
    tolerance: float | None
    mistakes: list[KeyMistakeOut]
    solution: str | None
    hints: list[str] = Field(description="The hints a learner may ask for, in order.")


class AnotherWayKeyOut(_Out):
    angle: str
    text: str


class KeyStepOut(_Out):
    n: int
    id: str


class AnswerKeyOut(_Out):
    lesson_id: str
    version: str
    question_id: str
    kind: KindName
    skill: str
    role: Literal["main", "check", "assessment"]
    step: KeyStepOut | None = Field(description="Where it is asked; none for a held-out item.")
    parent: str | None = Field(description="For a check: the question it checks.")
    transfer: Literal["near", "far"] | None = Field(description="For a held-out item.")
    variant: int
    sampled: bool = Field(description="Whether other variants have other numbers.")
    topic: str
    params: dict[str, Any]
    prompt: str
    options: list[KeyOptionOut] = Field(description="In lesson order, each with its grade.")
    answer: float | None
    answer_text: str | None
    tolerance: float | None
    mistakes: list[KeyMistakeOut]
    solution: str | None
    not_sure: str
    another_way: list[AnotherWayKeyOut]
    bridge: str | None
    checks: list[str]
    steps: list[KeySubStepOut] = Field(
        description="A multi-step problem's sub-steps in order (id `<question id>.<sub-step "
        "id>`, as learners are asked them), each with what grades it; empty otherwise."
    )


LOSS_ITEMS = 60
"""The most items (numbers, or rows of class probabilities) a loss request may hold, as in
the loss lab; a row holds at most as many classes. Larger arrays cost memory out of all
proportion to what a learner can read."""

LOSS_MAGNITUDE = 1e100
"""The largest size of a number in a loss request: far past any a learner meets, and small
enough that no loss or gradient of 60 of them overflows."""

# Strict: JSON `true` is not the number 1, and "0.5" is text, not a number.
Number = Annotated[float, Field(strict=True, ge=-LOSS_MAGNITUDE, le=LOSS_MAGNITUDE)]
Row = Annotated[list[Number], Field(min_length=1, max_length=LOSS_ITEMS)]
Values = (
    Annotated[list[Number], Field(min_length=1, max_length=LOSS_ITEMS)]
    | Annotated[list[Row], Field(min_length=1, max_length=LOSS_ITEMS)]
)


class LossIn(_In):
    y_true: Values = Field(
        description=f"Truths: numbers, class labels or one-hot rows (1 to {LOSS_ITEMS} of them, "
        "as many as y_pred, rows as long as its rows; for cce, one class label per row of "
        "y_pred will do)."
    )
    y_pred: Values = Field(
        description=f"Predictions: probabilities or numbers, or rows of class probabilities "
        f"(1 to {LOSS_ITEMS}, as many as y_true, rows all as long). For cce, a flat list is "
        "two classes: each p is the row [1 − p, p]."
    )
    eps: Annotated[float, Field(strict=True, ge=MIN_EPS, lt=0.5)] | None = Field(
        None,
        description="Clipping for cross-entropy (bce, cce only): from 1e-16 (with less, "
        "1 − eps is 1 in float64) up to, not including, 0.5.",
    )


class LossItemOut(_Out):
    index: int
    prediction: float
    truth: float
    error: float
    term: float
    clipped: bool
    clipped_to: float | None


class LossOut(_Out):
    loss: float
    eps: float | None
    items: list[LossItemOut]
    gradient: list[Any] = Field(
        description="d loss / d y_pred, in y_pred's shape (for cce on a flat y_pred, with "
        "respect to each p)."
    )
    note: str | None = Field(
        default=None,
        description="Why part of the gradient is 0, when clipping made it so; for cce on a "
        "flat y_pred, how its predictions became rows of two classes.",
    )


class LabLossOut(_Out):
    key: Literal["mse", "mae", "bce", "cce"]
    name: str
    applies: bool = Field(description="False when the numbers do not suit this loss.")
    loss: float | None
    why: str | None = Field(description="Why the loss does not apply, when it does not.")
    note: str | None
    breakdown: dict[str, Any] | None = Field(
        description="Item by item, as POST /api/losses/{name} gives it."
    )


class LossLabOut(_Out):
    y_true: str = Field(description="The truths, as typed.")
    y_pred: str = Field(description="The predictions, as typed.")
    eps: str | None
    error: None = Field(description="Always null here: bad input is a 422.")
    losses: list[LabLossOut]
    figures: list[dict[str, Any]] = Field(description="The charts: their data and SVG.")


class DescentLabOut(_Out):
    valley: str
    lr: str = Field(description="The learning rate, as typed.")
    start: str
    steps: str
    error: None = Field(description="Always null here: bad settings are a 422.")
    walk: dict[str, Any] = Field(description="Every step of gradient descent.")
    story: list[str] = Field(description="What happened, in words.")
    figures: list[dict[str, Any]]


class HealthOut(_Out):
    status: Literal["ok"]


class ReadyOut(_Out):
    status: Literal["ready", "unavailable"]
    database: str = Field(description="`ok`, or why the database is not answering.")


class ErrorOut(_Out):
    detail: str


class FieldErrorOut(_Out):
    loc: list[str | int]
    msg: str
    type: str | None


class UnprocessableOut(_Out):
    detail: str | list[FieldErrorOut] = Field(
        description="What was wrong: a sentence, or one entry per field that failed to parse."
    )
