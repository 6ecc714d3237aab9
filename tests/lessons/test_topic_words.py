"""Topic words: a lesson declares what a learner writes for a topic of their own, the
validator holds every text to it, and a learner's words are checked one by one."""

from __future__ import annotations

import pytest
from test_loader import BASE, problems_of

from tutor.lessons.catalog import load_text
from tutor.lessons.topics import MAX_WORD, OwnTopic, Switch, own_topic, stored_topic
from tutor.lessons.variants import render_question, render_step

DECLARED = BASE.replace(
    "skills:\n",
    "topic_words:\n  - {name: thing, hint: What the network looks at, example: a photo}\nskills:\n",
    1,
)


def lesson_of(source: str):
    loaded, problems = load_text(source, "topic.yaml")
    assert not problems, problems
    return loaded.lesson


def test_a_lesson_that_declares_its_words_is_valid():
    assert problems_of(DECLARED) == []


def test_a_text_using_a_word_no_learner_is_asked_for_is_located():
    source = DECLARED.replace(
        "    intro: A loss scores {{ topic.thing }}.",
        "    intro: A loss scores {{ topic.thing }}, or {{ topic.other }}.",
    ).replace("thing: a photo}\n  spam", "thing: a photo, other: a video}\n  spam")
    source = source.replace(
        "{label: Spam, thing: an email}", "{label: Spam, thing: an email, other: a fax}"
    )
    problems = problems_of(source)
    assert any(
        p.startswith("broken.yaml:18:48: steps[0].intro: placeholder error (a learner's own topic")
        and "'other'" in p
        and "must be declared in `topic_words`" in p
        for p in problems
    ), problems
    # The ready topics define a word the declaration leaves out: said where it is written.
    assert "broken.yaml:5:45: topics.cats.other: the word 'other' is not one that " in "\n".join(
        problems
    )


def test_a_ready_topic_missing_a_declared_word_is_located():
    source = DECLARED.replace(
        "example: a photo}\n",
        "example: a photo}\n  - {name: things, hint: More, example: photos}\n",
    )
    problems = problems_of(source)
    assert (
        "broken.yaml:5:9: topics.cats: missing the word 'things' that `topic_words` declares"
        in (problems)
    )


def test_a_word_declared_twice_or_the_id_custom_are_refused():
    twice = DECLARED.replace(
        "example: a photo}\n", "example: a photo}\n  - {name: thing, hint: Again, example: a cat}\n"
    )
    assert any("'thing' is declared twice" in p for p in problems_of(twice))
    custom = DECLARED.replace("  spam: {label: Spam", "  custom: {label: Spam")
    assert any(
        "topics.custom: the topic id 'custom' is kept for a learner's own topic" in p
        for p in problems_of(custom)
    )


def test_a_word_name_must_be_a_plain_name():
    bad = DECLARED.replace("{name: thing,", "{name: Thing-1,")
    assert any(p.startswith("broken.yaml:8:12: topic_words[0].name:") for p in problems_of(bad))


def test_a_learners_words_re_skin_every_text_and_are_tidied():
    lesson = lesson_of(DECLARED)
    mine, problems = own_topic(lesson, {"thing": "  a   so\u0301ng "})
    assert problems == {} and isinstance(mine, OwnTopic)
    assert mine.as_stored() == {"thing": "a s\u00f3ng"}  # spaces collapsed, NFC
    assert render_step(lesson, lesson.steps[0], mine).intro == "A loss scores a s\u00f3ng."
    question = render_question(
        lesson, lesson.steps[0].questions[0], skill="score", seed=0, topic=mine
    )
    assert question.prompt == "What does a loss do with a s\u00f3ng?"
    assert question.topic == "custom" or question.topic is mine


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "cannot be left empty"),
        ("   ", "cannot be left empty"),
        ("x" * (MAX_WORD + 1), f"at most; this one has {MAX_WORD + 1}"),
        ("a *bold* cat", "Leave out *"),
        ("$x$ and {{ p }}", "Leave out $ { }"),
        ("a\u202ecat", "no control or text-direction characters"),
        ("a\x00cat", "no control or text-direction characters"),
        ("<https://example.com>", "would become links"),
    ],
)
def test_each_word_that_does_not_fit_gets_its_own_message(text: str, message: str):
    lesson = lesson_of(DECLARED)
    mine, problems = own_topic(lesson, {"thing": text})
    assert mine is None and message in problems["thing"]


def test_unknown_and_missing_words_are_named():
    lesson = lesson_of(DECLARED)
    mine, problems = own_topic(lesson, {"colour": "red"})
    assert mine is None
    assert problems["colour"] == "'colour' is not one of this lesson's topic words: thing"
    assert "cannot be left empty" in problems["thing"]


def test_html_and_emoji_are_kept_as_written():
    lesson = lesson_of(DECLARED)
    mine, _ = own_topic(lesson, {"thing": "<b>a 🐈‍⬛</b> & co"})
    assert mine is not None and mine.as_stored() == {"thing": "<b>a 🐈‍⬛</b> & co"}


def test_two_learners_words_are_never_the_same_topic():
    a, b = OwnTopic({"thing": "a song"}), OwnTopic({"thing": "a film"})
    assert a != b and hash(a) != hash(b) and a == OwnTopic({"thing": "a song"})
    assert a != "custom" and str(a) == "custom"


@pytest.mark.parametrize(
    ("now", "to", "unchanged"),
    [
        ("cats", "cats", True),
        ("cats", "spam", False),
        ("cats", OwnTopic({"thing": "a song"}), False),
        (OwnTopic({"thing": "a song"}), "cats", False),
        (OwnTopic({"thing": "a song"}), "custom", False),
        (OwnTopic({"thing": "a song"}), OwnTopic({"thing": "a song"}), True),
        (OwnTopic({"thing": "a song"}), OwnTopic({"thing": "a film"}), False),
    ],
)
def test_a_switch_to_the_topic_in_use_changes_nothing(now, to, unchanged: bool):
    assert Switch(now=now, to=to).unchanged is unchanged


def test_a_word_declared_later_falls_back_to_the_default_topic():
    lesson = lesson_of(DECLARED)
    assert stored_topic(lesson, {}) is None
    assert stored_topic(lesson, {"old": "x"}).as_stored() == {"thing": "a photo"}
    assert stored_topic(lesson, {"thing": "a song"}).as_stored() == {"thing": "a song"}


def test_a_lesson_without_topic_words_is_advised_to_declare_them():
    def advice(source: str) -> list[str]:
        loaded, problems = load_text(source, "lesson.yaml")
        assert loaded is not None, problems
        return [str(p) for p in loaded.advice]

    assert "lesson.yaml:4:1: topics: lint: no `topic_words`: learners can only choose among " in (
        "\n".join(advice(BASE))
    )
    assert not any("topic_words" in p for p in advice(DECLARED))
