"""``kind: numeric``: type a number, graded against the engine's value within a tolerance.

Typical mistakes are recognised by computing what each one gives (forgetting to average,
to square, the minus sign...) and answered with feedback aimed at that mistake. A number
that matches none is Close when it is a near miss (:mod:`.nearness`: a rounding slip, or
within 5%), else Not quite, with feedback that says what to try.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from jinja2 import TemplateError
from pydantic import Field

from tutor.engine import computations
from tutor.errors import BadAnswer
from tutor.lessons import templates
from tutor.lessons.fields import Model, Slug, Text
from tutor.lessons.kinds.base import Add, Graded, Kind, Report, Seat
from tutor.lessons.kinds.nearness import (
    Nearness,
    engine_decimal,
    nearness,
    tolerance_decimal,
    typed_decimal,
    typed_text,
)
from tutor.lessons.messages import did_you_mean, explain
from tutor.lessons.templates import LazyTexts
from tutor.render.numbers import MINUS, num
from tutor.vocabulary import NOT_SURE_TEXT, Grade, MissGrade

DEFAULT_TOLERANCE = 0.01
TYPE_A_NUMBER = "Type a number, such as 0.36."
# What a learner reads after a number that matches no known mistake, by how near it is.
NEAR_MISS = {
    Nearness.ROUNDED: (
        "Nearly: that is the answer rounded too early. Keep every decimal while you work "
        "and round only at the very end, to {decimals}."
    ),
    Nearness.NEAR: (
        "Nearly: you are within a few percent, so the method looks right. One piece of "
        "arithmetic slipped; redo each part and keep its decimals until the end."
    ),
}
MISS = {
    Nearness.SIGN: (
        "The size is right but the sign is not. Follow each minus sign through the "
        "working: which parts are negative, and what happens when they combine?"
    ),
    Nearness.SCALE: (
        "The digits look right but the decimal point has moved. Check where a "
        "percentage, a division or a multiplication by ten crept in, and give a plain "
        "number such as 0.36."
    ),
    Nearness.FAR: (
        "That is not it yet. Write out the working with each number in its place and go "
        "through it one operation at a time. Check each result before you use it; if you are "
        f"unsure where to start, choose \u201c{NOT_SURE_TEXT}\u201d for a way in."
    ),
}


class NumericAnswer(Model):
    """How the engine computes a numeric question's answer from its params."""

    compute: str = Field(description="An engine computation, e.g. `mse` or `update`.")
    args: dict[str, Any] = Field(
        description="Its arguments: a text is an expression over params, a number is a value."
    )


class MistakeFeedback(Model):
    """A typical wrong answer, recognised by computing what the mistake gives."""

    mistake: str = Field(description="An engine mistake of the computation, e.g. `rmse`.")
    grade: MissGrade = Field(description="close or not_quite.")
    feedback: Text
    misconception: Slug | None = Field(
        None, description="The mistaken idea that gives this number, as on a choice option."
    )


class NumericFields(Model):
    """What a numeric question adds to a question."""

    answer: NumericAnswer | None = Field(None, description="Numeric questions only.")
    tolerance: float | None = Field(
        None, gt=0, description="Numeric: how far from the answer still counts (default 0.01)."
    )
    decimals: int = Field(2, ge=0, le=8, description="Numeric: decimals to show the answer with.")
    mistakes: list[MistakeFeedback] = Field(default_factory=list)
    solution: Text | None = Field(
        None,
        description="Numeric: the worked answer, shown after a right answer or once the "
        "tutor moves on. `{{ answer }}` is the engine's value.",
    )


class RenderedMistake(LazyTexts):
    """A typical mistake of one variant. Its value is computed when first read: only a
    wrong number is compared with it, and telling items apart renders variants whose
    mistakes are never asked for."""

    def __init__(
        self, mistake: MistakeFeedback, compute: str, args: dict[str, Any], context: dict[str, Any]
    ):
        super().__init__(context)
        self._source = mistake.feedback
        self._compute = compute
        self._args = args
        self.mistake = mistake.mistake
        self.grade = mistake.grade
        self.misconception = mistake.misconception

    @cached_property
    def value(self) -> float:
        return computations.compute_mistake(self._compute, self.mistake, **self._args)

    @cached_property
    def feedback(self) -> str:
        return self.render_text(self._source)


LOOSEST = 0.2
"""The largest tolerance, as a share of the answer, that validation lets pass: wider, and a
learner a fifth out is graded Exactly."""


def answer_args(question, context: dict[str, Any]) -> dict[str, Any]:
    """A numeric answer's arguments: texts are expressions over params, the rest values."""
    assert question.answer is not None
    return {name: _argument(value, context) for name, value in question.answer.args.items()}


def _argument(value: Any, context: dict[str, Any]) -> Any:
    return templates.evaluate(value, context) if isinstance(value, str) else value


# "1,000" or "12,500": a thousand with a separator, or a decimal comma? Asked, not guessed.
_THOUSANDS = re.compile(r"[-+\u2212]?[1-9]\d{0,2}(?:,\d{3})+")


def parse_number(raw: str | float | int) -> float:
    """A typed number: accepts 0.36, ,36 (comma decimals), 1e-3, spaces and a trailing %;
    refuses "1,000", which could be a thousand or one."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        value = float(raw)
    else:
        if _THOUSANDS.fullmatch(str(raw).strip().replace(" ", "").rstrip("%")):
            raise BadAnswer(
                f"value: {str(raw)[:40]!r} could be a number with a thousands separator or "
                "with a decimal comma; send it without the comma (1000) or with a point (1.0)",
                wording="Is that comma a thousands separator or a decimal point? Write the "
                "number without it (1000) or with a point (1.0).",
            )
        cleaned, percent = typed_text(raw)
        try:
            if "_" in cleaned:  # Python reads 1_0 as 10; a person does not write it
                raise ValueError(cleaned)
            value = float(cleaned)
        except ValueError:
            raise BadAnswer(
                f"value: {str(raw)[:40]!r} is not a number",
                wording="That does not read as a number. " + TYPE_A_NUMBER,
            ) from None
        if percent:
            value /= 100
    if math.isnan(value):
        raise BadAnswer(
            # (JSON's NaN arrives as a float, whose text would read 'nan'.)
            f"value: {'NaN' if isinstance(raw, float) else repr(str(raw)[:40])} is not a number",
            wording="That does not read as a number. " + TYPE_A_NUMBER,
        )
    if not math.isfinite(value):
        raise BadAnswer(
            "value: give a finite number",
            wording="That number is too large to work with. " + TYPE_A_NUMBER,
        )
    return value


def _decimals(n: int) -> str:
    return {0: "a whole number", 1: "one decimal"}.get(n, f"{n} decimals")


class Numeric(Kind):
    name = "numeric"
    fields = NumericFields
    template = "kinds/numeric.html"
    hard_to_guess = True

    def texts(self, question) -> Iterator[tuple[tuple, str]]:
        for i, mistake in enumerate(question.mistakes):
            yield ("mistakes", i, "feedback"), mistake.feedback
        if question.solution:
            yield ("solution",), question.solution

    def check(self, question, path: tuple, locate, add: Add) -> bool:
        if question.solution is None:
            add(
                locate.problem(
                    (*path, "solution"),
                    "a numeric question needs a `solution`: "
                    "the worked numbers, shown once the learner has answered",
                )
            )
        if question.answer is None:
            add(
                locate.problem(
                    (*path, "answer"),
                    "a numeric question needs an `answer` the "
                    "engine computes, e.g. {compute: mse, args: {...}}",
                )
            )
            return False
        return self._check_computation(question, path, locate, add)

    def _check_computation(self, question, path: tuple, locate, add: Add) -> bool:
        answer = question.answer
        comp = computations.COMPUTATIONS.get(answer.compute)
        if comp is None:
            add(
                locate.problem(
                    (*path, "answer", "compute"),
                    f"unknown computation {answer.compute!r}"
                    + did_you_mean(answer.compute, computations.COMPUTATIONS)
                    + "; known: "
                    + ", ".join(computations.COMPUTATIONS),
                )
            )
            return False
        ok = True
        for name in answer.args:
            if name not in comp.params:
                add(
                    locate.problem(
                        (*path, "answer", "args", name),
                        f"{answer.compute} takes no argument {name!r}"
                        + did_you_mean(name, comp.params)
                        + f"; it takes {', '.join(comp.params)}",
                        at_key=True,
                    )
                )
                ok = False
        for name in comp.params:
            if name not in answer.args:
                add(
                    locate.problem(
                        (*path, "answer", "args"), f"{answer.compute} needs the argument {name!r}"
                    )
                )
                ok = False
        for i, m in enumerate(question.mistakes):
            if m.mistake not in comp.mistakes:
                add(
                    locate.problem(
                        (*path, "mistakes", i, "mistake"),
                        f"{answer.compute} has no mistake {m.mistake!r}"
                        + did_you_mean(m.mistake, comp.mistakes)
                        + "; known: "
                        + ", ".join(comp.mistakes),
                    )
                )
                ok = False
        return ok

    def check_variant(self, question, context: dict[str, Any], seed: int, report: Report) -> bool:
        """The answer and each mistake computed for one seed: finite, and told apart."""
        answer = question.answer
        tolerance = question.tolerance or DEFAULT_TOLERANCE
        args: dict[str, Any] = {}
        for name, expression in answer.args.items():
            try:
                args[name] = _argument(expression, context)
            except (TemplateError, ValueError, TypeError, ArithmeticError) as exc:
                # Said at the argument that fails, not at `answer:` for all of them.
                report(
                    ("answer", "args", name),
                    f"the argument {name!r} ({expression}) cannot be worked out "
                    f"(seed {seed}): " + explain(exc, context=context),
                )
                return False
        try:
            value = computations.compute(answer.compute, **args)
        except (TemplateError, ValueError, TypeError, ArithmeticError) as exc:
            report(
                ("answer",),
                f"the engine cannot compute this answer (seed {seed}): " + explain(exc),
            )
            return False
        if not math.isfinite(value):
            report(
                ("answer",),
                f"the answer is not a finite number for seed {seed} ({value}); "
                "a learner could never type it",
            )
            return False
        context["answer"] = value
        if value != 0 and abs(value) <= tolerance:
            report(
                ("answer",),
                f"for seed {seed} the answer is {value:.6g}, within the tolerance {tolerance} "
                "of 0, so a learner who types 0 is graded Exactly; give a smaller `tolerance` "
                "(and enough `decimals` to show the answer), or change the params",
            )
        elif value != 0 and tolerance > LOOSEST * abs(value):
            report(
                ("tolerance",),
                f"for seed {seed} the answer is {value:.6g}, and the tolerance {tolerance} "
                f"accepts answers {100 * tolerance / abs(value):.0f}% off it; give a smaller "
                "`tolerance` (half a unit of the last decimal asked for is usual)",
            )
        for i, m in enumerate(question.mistakes):
            try:
                wrong = computations.compute_mistake(answer.compute, m.mistake, **args)
            except (ValueError, TypeError, ArithmeticError) as exc:
                report(("mistakes", i, "mistake"), f"cannot compute this mistake: {exc}")
                continue
            if not math.isfinite(wrong):
                report(
                    ("mistakes", i, "mistake"),
                    f"this mistake gives {wrong} for seed {seed}; "
                    "only finite values can be recognised",
                )
            elif abs(wrong - value) <= tolerance:
                report(
                    ("mistakes", i, "mistake"),
                    f"for seed {seed} this mistake gives "
                    f"{wrong:.6g}, within the tolerance {tolerance} of the answer "
                    f"{value:.6g}, so it cannot be told apart; give a smaller `tolerance`, "
                    "or change the params",
                )
        return True

    def render(self, question, *, seed: int, context: dict[str, Any]) -> dict[str, Any]:
        args = answer_args(question, context)
        answer = computations.compute(question.answer.compute, **args)
        context["answer"] = answer
        mistakes = tuple(
            RenderedMistake(m, question.answer.compute, args, context) for m in question.mistakes
        )
        return {
            "answer": answer,
            "tolerance": question.tolerance or DEFAULT_TOLERANCE,
            "decimals": question.decimals,
            "mistakes": mistakes,
            "computed": question.answer.compute,
        }

    def grade(self, rendered, seat: Seat, *, option_id: str | None, value: Any) -> Graded:
        if value is None or (isinstance(value, str) and not value.strip()):
            if option_id is not None:
                raise BadAnswer(
                    "option_id: a numeric question takes a value, or not_sure",
                    wording=TYPE_A_NUMBER,
                )
            raise BadAnswer("value: type a number, or choose not_sure", wording=TYPE_A_NUMBER)
        number = parse_number(value)
        kept = f"{number:g}"  # as stored, and compared with a retry's
        # Shown back as the lesson texts write numbers: "−0.4", whatever key was typed.
        said = MINUS + kept[1:] if kept.startswith("-") else kept
        typed = typed_decimal(value)
        assert typed is not None  # parse_number has read it
        answer = engine_decimal(rendered.answer)
        tolerance = tolerance_decimal(rendered.tolerance)
        where = nearness(typed, answer, tolerance)
        if where == Nearness.WITHIN:
            return Graded(Grade.EXACTLY, rendered.solution or "", kept, said)
        # The closest known mistake within tolerance names what went wrong.
        matches = [
            m
            for m in rendered.mistakes
            if math.isfinite(m.value) and abs(typed - engine_decimal(m.value)) <= tolerance
        ]
        if matches:
            best = min(matches, key=lambda m: abs(number - m.value))
            return Graded(
                best.grade,
                best.feedback,
                kept,
                said,
                misconception=best.misconception,
                mistake=best.mistake,
            )
        if where in NEAR_MISS:
            wording = NEAR_MISS[where].format(decimals=_decimals(rendered.decimals))
            return Graded(Grade.CLOSE, wording, kept, said)
        why = computations.impossible(rendered.computed, number)
        if why is not None:  # say first what can be seen without working anything out
            return Graded(
                Grade.NOT_QUITE, f"{said} cannot be right: {why}. {MISS[where]}", kept, said
            )
        return Graded(Grade.NOT_QUITE, MISS[where], kept, said)

    def right_answer(self, rendered) -> str:
        return f"{rendered.answer:.6g}"

    def revealed(self, rendered, *, graded: Graded, solution: bool) -> dict[str, Any]:
        return {
            "solution": rendered.solution if solution else None,
            "answer": num(rendered.answer, rendered.decimals)
            if graded.grade == Grade.EXACTLY or solution
            else None,
        }
