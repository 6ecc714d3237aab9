"""A step's reading in parts: `lead_in` on a step's own questions, checked like any text."""

from __future__ import annotations

from test_loader import BASE, problems_of, swap

from tutor.lessons.catalog import load_text
from tutor.teaching.conversation import lead_in_for

WHAT = "      - id: what\n        kind: choice\n"
CHECK = """\
        checks:
          - id: what-again
            kind: choice
            lead_in: More reading.
            prompt: Which is a loss?
            options:
              - {text: A score, grade: exactly, feedback: Yes.}
              - {text: A fix, grade: not_quite, feedback: No.}
              - {text: A verdict, grade: not_quite, feedback: No.}
            not_sure: A score.
"""


def test_a_lead_in_is_rendered_in_the_learners_topic():
    source = swap(WHAT, WHAT + "        lead_in: Now, {{ topic.thing }} by $x^2$.\n")
    loaded, problems = load_text(source, "broken.yaml")
    assert problems == [] and loaded is not None
    assert lead_in_for(loaded, "what", 0, "spam") == "Now, an email by $x^2$."
    assert lead_in_for(loaded, "mse-number", 0, "cats") is None


def test_a_lead_in_with_an_unknown_word_is_a_problem_where_it_is():
    source = swap(WHAT, WHAT + "        lead_in: Now {{ topic.colour }}.\n")
    problems = problems_of(source)
    assert any(
        p.startswith("broken.yaml:20:22: steps[0].questions[0].lead_in: placeholder error")
        for p in problems
    ), problems


def test_a_check_cannot_have_a_lead_in():
    source = swap(
        "        another_way:\n          - {angle: analogy",
        CHECK + "        another_way:\n          - {angle: analogy",
    )
    problems = problems_of(source)
    assert any(
        p.startswith("broken.yaml:")
        and "steps[0].questions[0].checks[0].lead_in: `lead_in` is for a step's own questions" in p
        for p in problems
    ), problems
    assert BASE.count("lead_in") == 0
