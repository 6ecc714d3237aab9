"""Surface cues: `--strict` points at questions a test-wise learner could answer unread."""

from __future__ import annotations

import pytest

from tutor.lessons.catalog import load_text
from tutor.lessons.cues import echo, fair_share

HEAD = """\
id: cues
title: Cues
summary: Options that give themselves away.
topics:
  cats: {label: Cat photos, thing: a photo}
skills:
  - id: score
    name: A loss is a score
steps:
  - id: loss
    title: Loss
    intro: A loss scores a guess.
    takeaway: One number.
    questions:
"""


def question(n: int, prompt: str, right: str, wrong: tuple[str, str]) -> str:
    return f"""\
      - id: q{n}
        kind: choice
        skill: score
        prompt: {prompt}
        options:
          - {{text: {right}, grade: exactly, feedback: Yes that is it.}}
          - text: {wrong[0]}
            grade: not_quite
            feedback: No, that is another idea; the loss scores the miss.
            misconception: wrong-{n}a
          - text: {wrong[1]}
            grade: not_quite
            feedback: No, that is another idea; the loss scores the miss.
            misconception: wrong-{n}b
        not_sure: A loss scores the miss.
        another_way:
          - {{angle: analogy, text: Darts.}}
          - {{angle: numbers, text: Zero is perfect.}}
"""


def cue_advice(questions: list[str]) -> list[str]:
    loaded, problems = load_text(HEAD + "".join(questions), "cues.yaml")
    assert loaded is not None, problems
    return [str(p) for p in loaded.advice if "the right option" in p.message]


LONG = "A number that grows with the size of the miss"
MID = ("A yes or a no", "The next weight")


def test_the_right_option_longest_everywhere_is_flagged_at_each_question():
    found = cue_advice([question(i, f"Question {i}?", LONG, MID) for i in range(6)])
    assert len(found) == 6
    assert found[0].startswith("cues.yaml:")
    assert (
        "steps[0].questions[0].options: lint: the right option is the longest here, and a "
        "learner who always picks the longest option is right in 6 of the lesson's 6 choice "
        "questions (a fair share is at most 4)" in found[0]
    )


THREE_TOPICS = HEAD.replace(
    "  cats: {label: Cat photos, thing: a photo}\n",
    "  cats: {label: Cat photos, thing: a photo}\n"
    "  songs: {label: Songs, thing: a recording of a song with its lyrics}\n"
    "  mail: {label: Mail, thing: an email message from a stranger abroad}\n",
)


def test_lengths_count_in_every_topic_not_only_the_first():
    """Right options that are long only once a topic's words are in: not the longest in the
    default topic, the longest in the other two, so a learner in those topics gains."""
    right = "'It scores {{ topic.thing }}'"
    wrong = ("A yes or a no for each one", "The weight that is changed")
    found = [
        str(p)
        for p in load_text(
            THREE_TOPICS + "".join(question(i, f"Question {i}?", right, wrong) for i in range(8)),
            "cues.yaml",
        )[0].advice
        if "the right option" in p.message
    ]
    assert len(found) == 8
    assert (
        "is right in 5.3 of the lesson's 8 choice questions (a fair share is at most 5)"
        in (found[0])
    )


def test_an_echo_counts_in_every_topic_not_only_the_first():
    """The right option echoes the prompt's topic words only where the topic names them
    in the prompt: not in the default topic, in the other two."""
    prompt = "'Why is {{ topic.thing }} given a single number?'"
    right = "'Because {{ topic.thing }} gets one score'"
    wrong = ("It is a habit of the field", "Nobody ever checked")
    other = question(1, "What is a loss?", "A score", ("A weight", "A step"))
    source = THREE_TOPICS + question(0, prompt, right, wrong) + other
    found = [
        str(p)
        for p in load_text(source, "cues.yaml")[0].advice
        if "repeats the prompt" in p.message
    ]
    assert len(found) == 1 and "(lyric, recording, song)" in found[0]


def test_a_tie_for_longest_counts_as_a_share_of_a_pick():
    """Two options of the same length: a learner picking the longest is right half the time."""
    from tutor.lessons.cues import by_length

    assert by_length("abcd", ("wxyz", "ab"), max) == 0.5
    assert by_length("abcd", ("wxyz", "ab"), min) == 0.0
    assert by_length("ab", ("wxyz", "abcd"), min) == 1.0


def test_a_fair_share_of_longest_right_options_is_fine():
    balanced = [
        question(i, f"Question {i}?", *((LONG, MID) if i < 2 else (MID[0], (LONG, MID[1]))))
        for i in range(6)
    ]
    assert cue_advice(balanced) == []


def test_the_right_option_shortest_everywhere_is_flagged_too():
    found = cue_advice(
        [question(i, f"Question {i}?", "Zero", (LONG, LONG + "!")) for i in range(6)]
    )
    assert len(found) == 6 and "is the shortest here" in found[0]


def test_an_option_echoing_the_prompt_is_flagged_unless_a_wrong_one_echoes_as_much():
    prompt = "Why does the learning rate decide the size of each step?"
    echoing = question(0, prompt, "The learning rate scales the step", ("Noise", "The data"))
    other = question(1, "What is a loss?", "A score", ("A weight", "A step"))
    found = cue_advice([echoing, other])
    assert len(found) == 1
    assert "repeats the prompt's words (learning, rate, step)" in found[0]
    fair = question(0, prompt, "It scales the step", ("The learning rate is ignored", "Noise"))
    assert cue_advice([fair, other]) == []


@pytest.mark.parametrize(
    ("counts", "expected"),
    [([3] * 6, 4), ([4] * 20, 8), ([2] * 10, 8)],
)
def test_a_fair_share_is_two_standard_deviations_above_chance(counts, expected):
    assert fair_share(counts) == expected


def test_echo_ignores_grammar_words_and_plurals():
    assert echo("What do the weights do?", "Each weight scales an input") == {"weight"}
    assert echo("Which is it?", "It is this one") == set()
