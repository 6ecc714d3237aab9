"""The registry of question kinds: each kind whole, and the format built from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.engine import computations
from tutor.errors import BadAnswer
from tutor.lessons.catalog import load_catalog
from tutor.lessons.format import Question
from tutor.lessons.kinds import KINDS, Seat
from tutor.lessons.kinds.numeric import answer_args, parse_number
from tutor.lessons.variants import render_question

ROOT = Path(__file__).resolve().parents[2]
LESSON = load_catalog([ROOT / "tests" / "data"]).lessons["mini"]


def rendered(question_id: str, seed: int = 0):
    entry = LESSON.entries[question_id]
    return render_question(LESSON.lesson, entry.question, skill=entry.skill, seed=seed, topic=None)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_adds_its_fields_to_the_format_and_has_its_template(name: str):
    kind = KINDS[name]
    assert set(kind.fields.model_fields) <= set(Question.model_fields)
    template = (ROOT / "templates" / kind.template).read_text()
    for macro in ("answer_input", "not_sure_button", "answer_key"):
        assert f"macro {macro}(" in template


def test_a_field_of_another_kind_is_named_as_such():
    from test_loader import BASE, problems_of, swap

    source = swap("        prompt: What does", "        tolerance: 0.5\n        prompt: What does")
    assert any(
        "`tolerance` is for numeric questions; this question is `kind: choice`" in p
        for p in problems_of(source)
    )
    assert BASE  # the base lesson itself is valid (see test_loader)


def ids(question, seat) -> list[str]:
    return [i for i, _ in KINDS["choice"].served(question, seat)]


def test_option_ids_are_stable_for_a_learner_and_variant_and_differ_otherwise():
    ann, bob = Seat(b"key", "ann"), Seat(b"key", "bob")
    first, again, other = rendered("order", 3), rendered("order", 3), rendered("order", 4)
    assert ids(first, ann) == ids(again, ann)
    assert set(ids(first, ann)).isdisjoint(ids(other, ann))
    assert set(ids(first, ann)).isdisjoint(ids(first, bob))
    assert set(ids(first, ann)).isdisjoint(ids(first, Seat(b"another key", "ann")))


@pytest.mark.parametrize(
    ("typed", "value"),
    [("0.36", 0.36), (",36", 0.36), ("1e-3", 0.001), (" 12 ", 12.0), ("50%", 0.5), ("−2", -2.0)],
)
def test_numbers_are_read_as_learners_type_them(typed: str, value: float):
    assert parse_number(typed) == pytest.approx(value)


@pytest.mark.parametrize(
    ("typed", "wording"),
    [
        ("abc", "That does not read as a number."),
        ("1_0", "That does not read as a number."),
        ("1e999", "That number is too large"),
    ],
)
def test_a_number_that_is_not_one_is_worded_for_the_learner(typed: str, wording: str):
    with pytest.raises(BadAnswer) as caught:
        parse_number(typed)
    assert caught.value.message.startswith("value:") and caught.value.wording.startswith(wording)


def test_each_kind_grades_only_the_answers_that_fit_it():
    choice, numeric, seat = rendered("order"), rendered("mse-number"), Seat(b"key", "ann")
    with pytest.raises(BadAnswer, match="option_id: choose one"):
        KINDS["choice"].grade(choice, seat, option_id=None, value=None)
    with pytest.raises(BadAnswer, match="answered by choosing an option_id"):
        KINDS["choice"].grade(choice, seat, option_id=None, value="3")
    with pytest.raises(BadAnswer, match="is not an option of this question"):
        KINDS["choice"].grade(
            choice, Seat(b"key", "bob"), option_id=ids(choice, seat)[0], value=None
        )
    with pytest.raises(BadAnswer, match="a numeric question takes a value"):
        KINDS["numeric"].grade(numeric, seat, option_id=ids(choice, seat)[0], value=None)
    graded = KINDS["numeric"].grade(numeric, seat, option_id=None, value=numeric.answer)
    assert graded.grade == "exactly"


def test_one_angle_is_rendered_alone_and_reads_as_in_the_whole_set():
    entry = next(e for e in LESSON.entries.values() if len(e.question.another_way) >= 2)
    alone = render_question(LESSON.lesson, entry.question, skill=entry.skill, seed=3, topic=None)
    angle = entry.question.another_way[-1].angle
    text = alone.way(angle)
    assert "another_way" not in vars(alone)  # the other angles were not rendered for it
    whole = rendered(entry.question.id, seed=3)
    assert dict(whole.another_way)[angle] == text and text
    assert alone.way("no-such-angle") is None


def test_a_numeric_variants_mistakes_are_computed_when_read():
    entry = next(e for e in LESSON.entries.values() if e.question.mistakes)
    shown = rendered(entry.question.id, seed=5)
    mistake = shown.mistakes[0]
    assert "value" not in vars(mistake)
    value = mistake.value
    args = answer_args(entry.question, {**shown.params, "topic": {}})
    assert value == pytest.approx(
        computations.compute_mistake(entry.question.answer.compute, mistake.mistake, **args)
    )
