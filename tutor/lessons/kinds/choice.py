"""``kind: choice``: pick one option; every option is graded and has feedback of its own."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from jinja2 import TemplateError
from pydantic import Field

from tutor.errors import BadAnswer
from tutor.lessons import templates
from tutor.lessons.fields import Model, Slug, Text
from tutor.lessons.kinds.base import Add, Graded, Kind, Seat
from tutor.lessons.templates import LazyTexts
from tutor.vocabulary import Grade, OptionGrade

CHOOSE = "Choose one of the answers, or I'm not sure."
MIN_FEEDBACK_WORDS = 6


class Option(Model):
    """One answer of a choice question, graded with its own feedback."""

    text: Text
    grade: OptionGrade = Field(description="exactly, close or not_quite.")
    feedback: Text = Field(description="What the learner reads after choosing this option.")
    misconception: Slug | None = Field(
        None, description="The mistaken idea behind this option, for analytics and tracing."
    )


class ChoiceFields(Model):
    """What a choice question adds to a question."""

    options: list[Option] = Field(default_factory=list, description="Choice questions only.")


class RenderedOption(LazyTexts):
    """An option of one variant. It has no id: ids and order are each learner's (Seat)."""

    def __init__(self, option: Option, *, index: int, context: dict[str, Any]):
        super().__init__(context)
        self._option = option
        self.index = index  # its place in the lesson file, stable across variants
        self.grade = option.grade
        self.misconception = option.misconception

    @cached_property
    def text(self) -> str:
        # Lazy too: telling items apart reads only the right option's text, and it does so
        # for variants that are then never shown.
        return self.render_text(self._option.text)

    @cached_property
    def feedback(self) -> str:
        return self.render_text(self._option.feedback)


class Choice(Kind):
    name = "choice"
    fields = ChoiceFields
    template = "kinds/choice.html"

    def texts(self, question) -> Iterator[tuple[tuple, str]]:
        for i, option in enumerate(question.options):
            yield ("options", i, "text"), option.text
            yield ("options", i, "feedback"), option.feedback

    def check(self, question, path: tuple, locate, add: Add) -> bool:
        grades = Counter(o.grade for o in question.options)
        if not question.options:
            add(locate.problem((*path, "options"), "a choice question needs options"))
        elif grades[Grade.EXACTLY] != 1:
            add(
                locate.problem(
                    (*path, "options"),
                    "a choice question needs exactly one "
                    f"option graded `exactly` (found {grades[Grade.EXACTLY]})",
                )
            )
        if question.options and len(question.options) - grades[Grade.EXACTLY] < 2:
            add(
                locate.problem(
                    (*path, "options"),
                    "a choice question needs at least two options besides the `exactly` one",
                )
            )
        return True

    def lint(self, question, path: tuple, locate) -> Iterator:
        for i, option in enumerate(question.options):
            label = Grade(option.grade).label
            if option.feedback.lstrip().lower().startswith(label.lower()):
                # The grade is shown just above its feedback: "✗ Not quite / Not quite. ..."
                yield locate.problem(
                    (*path, "options", i, "feedback"),
                    f"lint: this feedback starts with {label!r}, which the grade above it "
                    "already says; start with what the learner should take from it",
                )
            if option.grade == Grade.EXACTLY:
                continue
            if option.grade == Grade.NOT_QUITE and not option.misconception:
                yield locate.problem(
                    (*path, "options", i),
                    "lint: this wrong option names no "
                    "`misconception`; naming the mistaken idea lets analytics and "
                    "fault tracing use it",
                )
            if len(option.feedback.split()) < MIN_FEEDBACK_WORDS:
                yield locate.problem(
                    (*path, "options", i, "feedback"),
                    "lint: this feedback is too "
                    "short to explain the mistake; say what is wrong and what the "
                    "right idea is",
                )

    def check_variant(self, question, context: dict[str, Any], seed: int, report) -> bool:
        """Options read differently: a learner (and a client) tells them apart by their text."""
        try:
            texts = [" ".join(templates.render(o.text, context).split()) for o in question.options]
        except (TemplateError, ValueError, TypeError, ArithmeticError):
            return True  # an option that does not render is reported at its text, by topic
        repeated = sorted({t for t in texts if texts.count(t) > 1})
        if repeated:
            report(("options",), f"two options read the same ({repeated[0]!r}); reword one")
        return True

    def render(self, question, *, seed: int, context: dict[str, Any]) -> dict[str, Any]:
        """The options in lesson order; each learner's order and ids come from a Seat."""
        options = tuple(
            RenderedOption(option, index=i, context=context)
            for i, option in enumerate(question.options)
        )
        return {"options": options}

    def served(self, rendered, seat: Seat) -> list[tuple[str, RenderedOption]]:
        """(id, option) pairs in the order ``seat`` is shown them."""
        served = seat.served(rendered.id, rendered.seed, len(rendered.options))
        return [(option_id, rendered.options[i]) for i, option_id in served]

    def grade(self, rendered, seat: Seat, *, option_id: str | None, value: Any) -> Graded:
        if value is not None:
            raise BadAnswer(
                "value: this question is answered by choosing an option_id", wording=CHOOSE
            )
        if option_id is None:
            raise BadAnswer("option_id: choose one of the options, or not_sure", wording=CHOOSE)
        option = next((o for i, o in self.served(rendered, seat) if i == option_id), None)
        if option is None:
            raise BadAnswer(
                f"option_id: {option_id[:40]!r} is not an option of this question", wording=CHOOSE
            )
        return Graded(
            option.grade,
            option.feedback,
            option_id,
            option.text,
            option_index=option.index,
            misconception=option.misconception,
        )

    def right_answer(self, rendered) -> str:
        return next(" ".join(o.text.split()) for o in rendered.options if o.grade == Grade.EXACTLY)

    def shown(self, rendered, seat: Seat) -> list[dict[str, str]]:
        return [{"id": i, "text": o.text} for i, o in self.served(rendered, seat)]
