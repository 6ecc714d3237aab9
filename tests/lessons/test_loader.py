"""The loader and validator: every broken lesson yields its message at its line and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutor.lessons.catalog import load_catalog, load_text
from tutor.lessons.format import json_schema
from tutor.lessons.variants import VARIANTS, draw_params

BASE = """\
id: broken
title: A lesson to break
summary: Each test breaks one thing.
topics:
  cats: {label: Cat photos, thing: a photo}
  spam: {label: Spam, thing: an email}
skills:
  - id: score
    name: A loss is a score
  - id: compute
    name: Computing a loss
    requires: [score]
steps:
  - id: loss
    title: Loss
    intro: A loss scores {{ topic.thing }}.
    questions:
      - id: what
        kind: choice
        skill: score
        prompt: What does a loss do with {{ topic.thing }}?
        params: {p: {uniform: [0.1, 0.4], round: 2}}
        options:
          - text: It scores the miss
            grade: exactly
            feedback: Yes, {{ p }} is scored.
          - text: It fixes it
            grade: not_quite
            feedback: Not yet.
          - text: True or false
            grade: close
            feedback: Graded, not pass or fail.
        not_sure: It scores the miss.
        another_way:
          - {angle: analogy, text: Darts.}
    takeaway: One number.
    next: Next, compute.
  - id: compute
    title: Compute
    intro: Squares, then the mean.
    questions:
      - id: mse-number
        kind: numeric
        skill: compute
        prompt: MSE of {{ t }} and {{ p }}?
        params:
          t: [1, 2]
          p: {choice: [[2, 4], [3, 3]]}
        answer: {compute: mse, args: {y_true: t, y_pred: p}}
        mistakes:
          - {mistake: sum_instead_of_mean, grade: close, feedback: Divide by two.}
        solution: It is {{ answer }}.
        not_sure: Square, then average.
        another_way:
          - {angle: formal, text: The mean of squares.}
    takeaway: MSE averages squares.
"""


def problems_of(source: str) -> list[str]:
    loaded, problems = load_text(source, "broken.yaml")
    assert (loaded is None) == bool(problems)
    return [str(p) for p in problems]


def test_the_base_lesson_is_valid():
    assert problems_of(BASE) == []


def swap(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


BROKEN = [
    pytest.param(
        swap("    title: Loss\n", "    title: Loss\n  bad: [\n"),
        "broken.yaml:16:3: YAML syntax:",
        id="syntax-error",
    ),
    pytest.param(
        swap("    title: Loss\n", "\ttitle: Loss\n"),
        "broken.yaml:15:1: YAML syntax: a tab; indent with spaces",
        id="a-tab",
    ),
    pytest.param(
        swap(
            "        skill: score\n        prompt: What", "      skill: score\n        prompt: What"
        ),
        "broken.yaml:20:7: YAML syntax: this line is not lined up with the block it is in",
        id="under-indented",
    ),
    pytest.param(
        swap("title: A lesson to break", "title: A \x00lesson"),
        "broken.yaml:2:10: YAML: a character YAML does not allow (#x0000) is here; remove it",
        id="nul-character",
    ),
    pytest.param(
        swap(
            "summary: Each test breaks one thing.", "summary: !!python/object/apply:os.system [ls]"
        ),
        "broken.yaml:3:10: summary: the tag 'tag:yaml.org,2002:python/object/apply:os.system' "
        "is not allowed",
        id="object-tag",
    ),
    pytest.param(
        swap("    title: Loss\n", "    title: Loss\n    title: Again\n"),
        "broken.yaml:16:5: steps[0].title: duplicate key 'title' (first written at line 15)",
        id="duplicate-key",
    ),
    pytest.param(
        swap("        prompt: What does", "        promt: What does"),
        "broken.yaml:21:9: steps[0].questions[0].promt: unknown field 'promt' "
        "(did you mean 'prompt'?)",
        id="unknown-field",
    ),
    pytest.param(
        swap("            grade: close\n", "            grade: closish\n"),
        "broken.yaml:31:20: steps[0].questions[0].options[2].grade: 'closish' is not allowed; "
        "use one of 'exactly', 'close' or 'not_quite' (did you mean 'close'?)",
        id="bad-grade",
    ),
    pytest.param(
        swap("            grade: exactly\n", "            grade: close\n"),
        "broken.yaml:24:11: steps[0].questions[0].options: a choice question needs exactly one "
        "option graded `exactly` (found 0)",
        id="no-exactly-option",
    ),
    pytest.param(
        swap("        skill: score\n", "        skill: scor\n"),
        "broken.yaml:20:16: steps[0].questions[0].skill: unknown skill 'scor' "
        "(did you mean 'score'?)",
        id="unknown-skill",
    ),
    pytest.param(
        swap(
            "  - id: score\n    name: A loss is a score\n",
            "  - id: score\n    name: A loss is a score\n    requires: [compute]\n",
        ),
        "broken.yaml:10:15: skills[0].requires: prerequisites form a cycle: "
        "score -> compute -> score",
        id="prerequisite-cycle",
    ),
    pytest.param(
        swap("What does a loss do with {{ topic.thing }}?", "What of {{ topic.thingz }}?"),
        "broken.yaml:21:25: steps[0].questions[0].prompt: placeholder error (topic 'cats'): "
        "the topic has no word 'thingz' (did you mean 'thing'?)",
        id="unknown-placeholder",
    ),
    pytest.param(
        swap("          - text: It fixes it\n", "          - text: It fixes {{ topic.thingy }}\n"),
        "broken.yaml:27:28: steps[0].questions[0].options[1].text: placeholder error "
        "(topic 'cats'): the topic has no word 'thingy' (did you mean 'thing'?)",
        id="unknown-placeholder-in-an-option",
    ),
    pytest.param(
        swap(
            "        answer: {compute: mse, args: {y_true: t, y_pred: p}}\n",
            "        answer: {compute: mse, args: {y_true: t, y_pred: p}}\n        tolerance: 5\n",
        ),
        "broken.yaml:49:17: steps[1].questions[0].answer: for seed 0 the answer is 2.5, within "
        "the tolerance 5.0 of 0, so a learner who types 0 is graded Exactly",
        id="tolerance-that-takes-in-zero",
    ),
    pytest.param(
        swap(
            "        answer: {compute: mse, args: {y_true: t, y_pred: p}}\n",
            "        answer: {compute: mse, args: {y_true: t, y_pred: p}}\n"
            "        tolerance: 0.6\n",
        ),
        "broken.yaml:50:20: steps[1].questions[0].tolerance: for seed 0 the answer is 2.5, and "
        "the tolerance 0.6 accepts answers 24% off it; give a smaller `tolerance`",
        id="tolerance-far-too-wide",
    ),
    pytest.param(
        swap("feedback: Yes, {{ p }} is scored.", "feedback: Yes, {{ q }} is scored."),
        "broken.yaml:26:28: steps[0].questions[0].options[0].feedback: placeholder error "
        "(topic 'cats'): 'q' is not defined here: not one of the question's `params` nor a "
        "function",
        id="undefined-param",
    ),
    pytest.param(
        swap("feedback: Yes, {{ p }} is scored.", "feedback: Yes, {{ thing }} is scored."),
        "broken.yaml:26:28: steps[0].questions[0].options[0].feedback: placeholder error "
        "(topic 'cats'): 'thing' is not defined here: not one of the question's `params` nor "
        "a function (a topic's words are written {{ topic.thing }})",
        id="topic-word-without-topic",
    ),
    pytest.param(
        swap("feedback: Yes, {{ p }} is scored.", "feedback: Yes, {{ topci.thing }} is scored."),
        "broken.yaml:26:28: steps[0].questions[0].options[0].feedback: placeholder error "
        "(topic 'cats'): 'topci' is not defined here (did you mean 'topic'?)",
        id="topic-misspelled",
    ),
    pytest.param(
        swap(
            "answer: {compute: mse, args: {y_true: t, y_pred: p}}",
            "answer: {compute: mse, args: {y_true: t, y_pred: '[1, 2, 3]'}}",
        ),
        "broken.yaml:49:17: steps[1].questions[0].answer: the engine cannot compute this answer "
        "(seed 0):",
        id="answer-the-engine-rejects",
    ),
    pytest.param(
        swap(
            "answer: {compute: mse, args: {y_true: t, y_pred: p}}",
            "answer: {compute: mse, args: {y_true: t, y_pred: pp}}",
        ),
        "broken.yaml:49:58: steps[1].questions[0].answer.args.y_pred: the argument 'y_pred' (pp) "
        "cannot be worked out (seed 0): placeholder error: 'pp' is not defined here",
        id="answer-argument-that-cannot-be-worked-out",
    ),
    pytest.param(
        swap(
            "answer: {compute: mse, args: {y_true: t, y_pred: p}}",
            "answer: {compute: msq, args: {y_true: t, y_pred: p}}",
        ),
        "broken.yaml:49:27: steps[1].questions[0].answer.compute: unknown computation 'msq' "
        "(did you mean 'mse'?)",
        id="unknown-computation",
    ),
    pytest.param(
        swap("{mistake: sum_instead_of_mean,", "{mistake: sum_of_squares,"),
        "broken.yaml:51:23: steps[1].questions[0].mistakes[0].mistake: mse has no mistake "
        "'sum_of_squares'",
        id="unknown-mistake",
    ),
    pytest.param(
        swap(
            "        answer: {compute: mse, args: {y_true: t, y_pred: p}}\n        mistakes:\n"
            "          - {mistake: sum_instead_of_mean, grade: close, feedback: Divide by two.}\n",
            "        answer: {compute: update, args: {w: 1e308, gradient: -1e308, lr: 10}}\n",
        ),
        "broken.yaml:49:17: steps[1].questions[0].answer: the answer is not a finite number",
        id="non-finite-answer",
    ),
    pytest.param(
        swap("  spam: {label: Spam, thing: an email}", "  spam: {label: Spam}"),
        "broken.yaml:6:9: topics.spam: missing the word 'thing' that topic 'cats' defines",
        id="topic-missing-a-word",
    ),
    pytest.param(
        swap(
            "          - text: It fixes it\n            grade: not_quite\n"
            "            feedback: Not yet.\n",
            "",
        ),
        "broken.yaml:24:11: steps[0].questions[0].options: a choice question needs at least two "
        "options besides the `exactly` one",
        id="too-few-options",
    ),
    pytest.param(
        swap("            feedback: Not yet.\n", ""),
        "broken.yaml:27:13: steps[0].questions[0].options[1].feedback: the required field "
        "'feedback' (What the learner reads after choosing this option) is missing: add it here",
        id="missing-feedback",
    ),
    pytest.param(
        swap("            feedback: Not yet.\n", "            feedback: No\n"),
        "broken.yaml:29:23: steps[0].questions[0].options[1].feedback: expected text, but YAML "
        "read this as the boolean False; put the text in quotes",
        id="yaml-boolean-as-text",
    ),
    pytest.param(
        swap("      - id: mse-number\n", "      - id: what\n"),
        "broken.yaml:42:13: steps[1].questions[0].id: question id 'what' is already used at "
        "line 18",
        id="duplicate-question-id",
    ),
    pytest.param(
        swap("    next: Next, compute.\n", ""),
        "broken.yaml:14:5: steps[0]: every step but the last needs a `next` teaser",
        id="missing-teaser",
    ),
    pytest.param(
        swap(
            "        params: {p: {uniform: [0.1, 0.4], round: 2}}\n", "        params: {p: 0.2}\n"
        ),
        "broken.yaml:8:5: skills[0]: the skill 'score' can be asked only once",
        id="skill-not-checkable",
    ),
    pytest.param(
        swap("{p: {uniform: [0.1, 0.4], round: 2}}", "{p: {uniform: [0.4, 0.1]}}"),
        "broken.yaml:22:21: steps[0].questions[0].params.p: the lower bound 0.4 is above the "
        "upper bound 0.1",
        id="bad-sampling-bounds",
    ),
]


HELD_OUT = """\
    assessment:
      - id: held-out
        kind: choice
        transfer: far
        prompt: Which of two guesses with losses 0.2 and 1.4 missed by more?
        options:
          - {text: The first, grade: not_quite, feedback: A smaller loss is a nearer miss.}
          - {text: The second, grade: exactly, feedback: A bigger loss is a bigger miss.}
          - {text: Neither of them, grade: not_quite, feedback: Losses are graded.}
        not_sure: A bigger loss means a bigger miss.
"""


def with_held_out(text: str = HELD_OUT) -> str:
    return swap("    name: A loss is a score\n", "    name: A loss is a score\n" + text)


def test_a_held_out_item_is_valid_and_never_in_practice():
    loaded, problems = load_text(with_held_out(), "held.yaml")
    assert problems == [] and loaded is not None
    assert "held-out" not in loaded.entries
    assert "held-out" not in loaded.questions_for_skill("score")
    assert [q.id for q in loaded.assessment("score")] == ["held-out"]


BROKEN += [
    pytest.param(
        with_held_out(
            HELD_OUT.replace(
                "Which of two guesses with losses 0.2 and 1.4 missed by more?",
                "What does a loss do with {{ topic.thing }}?",
            )
        ),
        "broken.yaml:14:17: skills[0].assessment[0].prompt: this prompt is also practice "
        "question 'what': a held-out item must never be reachable in practice",
        id="held-out-item-asked-in-practice",
    ),
    pytest.param(
        with_held_out(
            HELD_OUT.replace(
                "        transfer: far\n", "        skill: compute\n        transfer: far\n"
            )
        ),
        "broken.yaml:13:16: skills[0].assessment[0].skill: an assessment item takes the skill "
        "it is listed under ('score')",
        id="held-out-item-of-another-skill",
    ),
    pytest.param(
        with_held_out(HELD_OUT.replace("        transfer: far\n", "")),
        "broken.yaml:11:9: skills[0].assessment[0].transfer: the required field 'transfer'",
        id="held-out-item-without-transfer",
    ),
    pytest.param(
        with_held_out(
            HELD_OUT + "        checks:\n          - {id: again, kind: choice, prompt: Again, "
            "not_sure: Fine, options: []}\n"
        ),
        "broken.yaml:20:9: skills[0].assessment[0].checks: an assessment item is asked once",
        id="held-out-item-with-checks",
    ),
    pytest.param(
        with_held_out(HELD_OUT.replace("      - id: held-out\n", "      - id: what\n")),
        "broken.yaml:11:13: skills[0].assessment[0].id: question id 'what' is already used",
        id="held-out-item-reusing-a-practice-id",
    ),
]


@pytest.mark.parametrize(("source", "expected"), BROKEN)
def test_each_broken_lesson_names_the_problem_where_it_is(source: str, expected: str):
    problems = problems_of(source)
    assert any(p.startswith(expected) for p in problems), "\n".join(problems)


def test_a_broken_placeholder_in_a_step_text_is_reported_once_not_per_topic():
    source = swap("intro: A loss scores {{ topic.thing }}.", "intro: A loss scores {{ topic.t }.")
    assert problems_of(source) == [
        "broken.yaml:16:26: steps[0].intro: placeholder error: unexpected '}'; a placeholder "
        "is written {{ name }} (a statement {% ... %}), each opened brace closed and each "
        "bracket matched"
    ]


@pytest.mark.parametrize("style", ["|-", ">-"])
def test_a_placeholder_mistake_inside_a_long_text_is_shown_on_its_own_line(style: str):
    """In a text of many lines, the problem's line and column are the placeholder's own,
    not the text's first line: for a missing topic word, a missing name and a placeholder
    that does not parse, in a literal and in a folded text."""
    long = (
        f"intro: {style}\n"
        "      A loss scores {{ topic.thing }}.\n"
        "      It is one number for the whole batch,\n"
        "      and {{ topic.thign }} is what it scores.\n"
    )
    word = problems_of(swap("intro: A loss scores {{ topic.thing }}.\n", long))
    assert word == [
        "broken.yaml:19:11: steps[0].intro: placeholder error (topic 'cats'): the topic has "
        "no word 'thign' (did you mean 'thing'?)"
    ]
    feedback = (
        f"feedback: {style}\n"
        "              Yes: the miss is scored,\n"
        "              and the score is {{ q }}.\n"
    )
    name = problems_of(swap("feedback: Yes, {{ p }} is scored.\n", feedback))
    assert len(name) == 1 and name[0].startswith(
        "broken.yaml:28:32: steps[0].questions[0].options[0].feedback: placeholder error"
    ), name
    broken = long.replace("{{ topic.thign }}", "{{ topic.thing }")
    syntax = problems_of(swap("intro: A loss scores {{ topic.thing }}.\n", broken))
    assert len(syntax) == 1 and syntax[0].startswith("broken.yaml:19:11: steps[0].intro: "), syntax


def test_an_option_that_does_not_render_hides_no_other_problem():
    source = swap("          - text: It fixes it\n", "          - text: It fixes {{ topic.x }}\n")
    source = source.replace("solution: It is {{ answer }}.", "solution: It is {{ answr }}.")
    problems = problems_of(source)
    assert any("options[1].text: placeholder error" in p for p in problems), problems
    assert any("steps[1].questions[0].solution: placeholder error" in p for p in problems)
    assert not any("could not be checked" in p for p in problems), problems


def test_every_problem_is_reported_in_one_run():
    source = BASE.replace("grade: close\n", "grade: closish\n").replace("promt", "prompt")
    source = source.replace("        prompt: What does", "        promt: What does")
    source = source.replace(
        "  spam: {label: Spam, thing: an email}", "  spam: {label: Spam, thing: 3}"
    )
    problems = problems_of(source)
    assert len(problems) == 3, problems


def test_problems_in_several_files_are_all_reported(tmp_path: Path):
    (tmp_path / "a.yaml").write_text(BASE.replace("grade: close\n", "grade: closish\n"))
    (tmp_path / "b.yaml").write_text("id: [unclosed\n")
    (tmp_path / "c.yaml").write_text(BASE.replace("id: broken", "id: fine"))
    catalog = load_catalog([tmp_path])
    files = {p.file.rsplit("/", 1)[-1] for p in catalog.problems}
    assert files == {"a.yaml", "b.yaml"}
    assert list(catalog.lessons) == ["fine"]


def test_lessons_come_in_their_order_then_by_file_name(tmp_path: Path):
    def lesson(name: str, order: str) -> str:
        text = BASE.replace("id: broken", f"id: {name}")
        return text.replace("topics:\n", f"{order}topics:\n", 1)

    (tmp_path / "a.yaml").write_text(lesson("unordered", ""))
    (tmp_path / "b.yaml").write_text(lesson("second", "order: 2\n"))
    (tmp_path / "c.yaml").write_text(lesson("first", "order: 1\n"))
    (tmp_path / "d.yaml").write_text(lesson("also-unordered", ""))
    catalog = load_catalog([tmp_path])
    assert not catalog.problems
    assert list(catalog.lessons) == ["first", "second", "unordered", "also-unordered"]


def test_object_tags_are_refused_without_side_effects(tmp_path: Path):
    marker = tmp_path / "touched"
    source = BASE.replace(
        "summary: Each test breaks one thing.",
        f"summary: !!python/object/apply:os.system ['touch {marker}']",
    )
    assert problems_of(source)
    assert not marker.exists()


def test_a_lesson_id_used_twice_is_a_problem_at_the_second_file_s_id(tmp_path: Path):
    (tmp_path / "a.yaml").write_text(BASE)
    (tmp_path / "b.yaml").write_text(BASE)
    catalog = load_catalog([tmp_path])
    assert [str(p) for p in catalog.problems] == [
        f"{tmp_path / 'b.yaml'}:1:5: id: lesson id 'broken' is already used by "
        f"{tmp_path / 'a.yaml'}; give this lesson an id of its own"
    ]
    assert catalog.lessons["broken"].file == str(tmp_path / "a.yaml")


def test_an_id_copied_into_another_file_never_takes_the_lesson_its_file_is_named_for(
    tmp_path: Path,
):
    # "another.yaml" sorts first, and says it is "broken": the file named broken.yaml keeps it.
    (tmp_path / "another.yaml").write_text("# a copy\n" + BASE)
    (tmp_path / "broken.yaml").write_text(BASE.replace("title: A lesson to break", "title: Mine"))
    catalog = load_catalog([tmp_path])
    assert catalog.lessons["broken"].lesson.title == "Mine"
    assert [str(p) for p in catalog.problems] == [
        f"{tmp_path / 'another.yaml'}:2:5: id: lesson id 'broken' is already used by "
        f"{tmp_path / 'broken.yaml'}; give this lesson an id of its own"
    ]


def test_the_committed_json_schema_is_up_to_date():
    committed = json.loads((Path(__file__).parents[2] / "docs/lesson.schema.json").read_text())
    assert committed == json_schema(), "run: tutor schema > docs/lesson.schema.json"


def test_a_formula_that_cannot_be_shown_is_a_problem():
    source = swap(
        "        not_sure: It scores the miss.\n",
        "        not_sure: 'It is $\\frac{1}{$ and so on.'\n",
    )
    problems = problems_of(source)
    assert any(
        p.startswith("broken.yaml:33:27: steps[0].questions[0].not_sure: formula $")
        for p in problems
    ), problems
    # Inside a text of many lines, at the formula's own line.
    long = swap(
        "        not_sure: It scores the miss.\n",
        "        not_sure: |-\n          It scores the miss.\n\n          $$\\frac{1}{$$\n",
    )
    assert any(
        p.startswith("broken.yaml:36:13: steps[0].questions[0].not_sure: formula $$")
        for p in problems_of(long)
    ), problems_of(long)


def test_an_unknown_latex_command_is_a_problem_at_the_command():
    source = swap(
        "        not_sure: It scores the miss.\n",
        "        not_sure: |-\n          It scores the miss:\n"
        "          $$h = 0.5 + \\sigmoid(z)$$\n",
    )
    found = [p for p in problems_of(source) if "not a LaTeX command" in p]
    # The command's own column, not the formula's start (column 13).
    assert found, problems_of(source)
    assert found[0].startswith("broken.yaml:35:23: steps[0].questions[0].not_sure:"), found


def test_a_formula_that_never_opens_is_a_problem_at_its_dollar():
    """`{{ k }}$e$` shows its dollars as typed: a formula opens only after a space or
    punctuation. Found once rendered, and shown at the dollar in the file."""
    source = swap(
        "        not_sure: It scores the miss.\n",
        "        not_sure: 'An error of $e$ becomes {{ 3 }}$e$.'\n",
    )
    problems = problems_of(source)
    assert any(
        p.startswith("broken.yaml:33:51: steps[0].questions[0].not_sure: unopened formula $e$")
        for p in problems
    ), problems


@pytest.mark.parametrize(
    "source",
    [
        "a: &a [*a]\n",  # an alias inside itself
        "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n",  # laughs, nested
        "id: &name broken\ntitle: *name\n",
    ],
)
def test_aliases_are_refused_where_they_are_used(source: str):
    problems = problems_of(source)
    assert problems and all("the alias *" in p for p in problems)
    first_alias = next(
        (i + 1, line.index("*") + 1) for i, line in enumerate(source.splitlines()) if "*" in line
    )
    assert problems[0].startswith(f"broken.yaml:{first_alias[0]}:{first_alias[1]}: ")


def test_an_unexpected_failure_is_a_problem_of_that_file(monkeypatch):
    from tutor.lessons import checks

    def boom(*_args, **_told):
        raise RecursionError("too deep")

    monkeypatch.setattr(checks, "cross_check", boom)
    loaded, problems = load_text(BASE, "broken.yaml")
    assert loaded is None
    assert [str(p) for p in problems] == [
        "broken.yaml:1:1: the file could not be checked: RecursionError: too deep"
    ]


def test_every_variant_a_learner_can_be_given_is_checked():
    """A text that fails only for the last of a question's variants is still a problem."""
    source = BASE.replace(
        "params: {p: {uniform: [0.1, 0.4], round: 2}}",
        "params: {p: {uniform: [0.1, 0.4], round: 2}, n: {integers: [0, 1000000]}}",
    )
    loaded, _ = load_text(source, "broken.yaml")
    question = loaded.entries["what"].question
    drawn = [draw_params(question, seed)["n"] for seed in range(VARIANTS)]
    assert drawn[-1] not in drawn[:-1]
    broken = source.replace(
        "feedback: Yes, {{ p }} is scored.", f"feedback: Yes, {{{{ 1 / (n - {drawn[-1]}) }}}}."
    )
    assert problems_of(broken) == [
        "broken.yaml:26:23: steps[0].questions[0].options[0].feedback: division by zero "
        "(topic 'cats')"
    ]
