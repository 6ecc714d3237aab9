"""Lint: advice beyond validity, located like every other problem."""

from __future__ import annotations

from pathlib import Path

from test_loader import BASE, swap
from typer.testing import CliRunner

from tutor.cli import app
from tutor.lessons.catalog import load_text


def advice(source: str) -> list[str]:
    loaded, problems = load_text(source, "lesson.yaml")
    assert loaded is not None, problems
    return [str(p) for p in loaded.advice]


def test_each_kind_of_advice_is_given_where_it_belongs():
    found = advice(BASE)
    assert (
        "lesson.yaml:27:13: steps[0].questions[0].options[1]: lint: this wrong option names "
        "no `misconception`" in "\n".join(found)
    )
    assert any(
        p.startswith(
            "lesson.yaml:29:23: steps[0].questions[0].options[1].feedback: "
            "lint: this feedback is too short"
        )
        for p in found
    )
    assert any(
        p.startswith(
            "lesson.yaml:35:11: steps[0].questions[0].another_way: lint: only one `another_way`"
        )
        for p in found
    )
    assert any(
        p.startswith("lesson.yaml:10:5: skills[1]: lint: the skill 'compute' has only one item")
        for p in found
    )


def test_typed_numbers_are_flagged_but_params_and_placeholders_are_not():
    source = swap(
        "        not_sure: It scores the miss.\n",
        "        not_sure: A guess of 0.7 costs 0.357, and {{ bce_term(1, 0.25) }}.\n",
    )
    found = [p for p in advice(source) if "typed in" in p]
    assert len(found) == 1 and "the number 0.357 is typed in" in found[0]


def test_a_typed_number_ending_a_sentence_is_flagged_on_its_own_line():
    source = swap(
        "        not_sure: It scores the miss.\n",
        "        not_sure: >-\n"
        "          It scores the miss.\n"
        "          A guess of 0.7 costs 0.357.\n",
    )
    found = [p for p in advice(source) if "typed in" in p]
    assert len(found) == 1 and "the number 0.357 is typed in" in found[0]
    line = source.splitlines().index("          A guess of 0.7 costs 0.357.") + 1
    assert found[0].startswith(f"lesson.yaml:{line}:32:"), found[0]


def test_two_signs_meeting_in_a_variant_are_flagged_at_their_text():
    # p is drawn from 0.1 to 0.4: "1 − p" is fine, "2 × −p" meets two signs in every
    # variant, and "({{ p }}) × 2" brackets a positive number. Each is shown at its
    # placeholder.
    source = swap(
        "        not_sure: It scores the miss.\n",
        "        not_sure: The miss is 1 − {{ p }}, and 2 × {{ -p }} is its double.\n"
        "        bridge: Here ({{ p }}) × 2 is the slope.\n",
    )
    found = [p for p in advice(source) if "beside an operator" in p]
    line = source.splitlines().index("        bridge: Here ({{ p }}) × 2 is the slope.") + 1
    assert len(found) == 2, found
    assert found[0].startswith(
        f"lesson.yaml:{line - 1}:52: steps[0].questions[0].not_sure: lint: reads '× \u2212"
    )
    assert "in variant 0; write a number beside an operator as `{{ w | paren }}`" in found[0]
    assert found[1].startswith(f"lesson.yaml:{line}:22: steps[0].questions[0].bridge: lint:")
    fixed = source.replace("{{ -p }}", "{{ -p | paren }}").replace("({{ p }})", "{{ p | paren }}")
    assert [p for p in advice(fixed) if "beside an operator" in p] == []


def test_feedback_that_repeats_its_grade_is_flagged():
    source = swap("            feedback: Not yet.\n", "            feedback: Not quite. Not yet.\n")
    found = [p for p in advice(source) if "which the grade above it already says" in p]
    assert len(found) == 1
    assert "options[1].feedback: lint: this feedback starts with 'Not quite'" in found[0]


def test_a_well_written_question_gets_no_advice():
    good = swap(
        "          - text: It fixes it\n            grade: not_quite\n"
        "            feedback: Not yet.\n",
        "          - text: It fixes it\n            grade: not_quite\n"
        "            feedback: Not yet; fixing the guess is the update step, later on.\n"
        "            misconception: loss-fixes\n",
    )
    found = [p for p in advice(good) if "questions[0].options[1]" in p]
    assert found == []


def test_validate_strict_reports_advice_and_fails(tmp_path: Path):
    (tmp_path / "lesson.yaml").write_text(BASE)
    runner = CliRunner()
    assert runner.invoke(app, ["validate", str(tmp_path)]).exit_code == 0
    strict = runner.invoke(app, ["validate", "--strict", str(tmp_path)])
    assert strict.exit_code == 1
    assert all(": lint: " in line for line in strict.stdout.strip().splitlines())


def test_each_skill_is_asked_for_a_near_and_a_far_held_out_item():
    from test_loader import HELD_OUT, with_held_out

    found = "\n".join(advice(BASE))
    assert (
        "lesson.yaml:8:5: skills[0]: lint: the skill 'score' needs held-out `assessment` items "
        "for the post-test, at least one `near` (new numbers) and one `far` (a new framing); "
        "it has none" in found
    )
    only_far = "\n".join(advice(with_held_out()))
    assert "the skill 'score' needs held-out `assessment` items" in only_far
    assert "it has far" in only_far
    near = HELD_OUT.replace("      - id: held-out\n", "      - id: held-out-2\n").replace(
        "transfer: far", "transfer: near"
    )
    near = near.replace("0.2 and 1.4", "0.3 and 2.1").replace("    assessment:\n", "")
    both = "\n".join(advice(with_held_out(HELD_OUT + near)))
    assert "the skill 'score' needs held-out" not in both
