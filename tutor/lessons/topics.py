"""A learner's own topic: their words for the topic words a lesson declares.

A lesson's ready topics each give every word; a learner may instead write their own, one
text per word the lesson declares in `topic_words`. Their words are checked here, per word,
with a message a learner can act on. Words are only ever filled into texts as values (never
read as placeholders), and every page escapes them, so what a learner writes shows as
written; the characters refused are the few that would change how the text around a word
is set (emphasis, code, a formula, a link).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from tutor.lessons.format import Lesson

CUSTOM = "custom"
"""The id a learner's own topic goes by, wherever a ready topic's id would stand."""
OWN_LABEL = "Your own topic"
MAX_WORD = 60
"""The longest word a learner may write, in characters: a few words, not a paragraph."""
REFUSED = frozenset("*_`$\\[]{}|#~")
"""Characters a word may not contain: Markdown or formula syntax in the lesson's text."""
_UNPRINTABLE = frozenset(("Cc", "Cs", "Co", "Cn"))
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Direction overrides: they would turn the lesson's text around the word backwards."""
_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:|<[^<>\s]+@[^<>\s]+>")
"""What Markdown would turn into a link: ``<scheme:...>`` or ``<name@host>``."""


class OwnTopic(str):
    """A learner's own topic: the id ``custom``, carrying the learner's words.

    It stands wherever a ready topic's id does (stored with an answer, sent to API clients)
    and renders with its own words. It equals and hashes by its words, not by its id, so
    the caches of rendered texts, keyed by topic, never give one learner's words to another.
    """

    words: tuple[tuple[str, str], ...]

    def __new__(cls, words: Mapping[str, str]) -> OwnTopic:
        self = super().__new__(cls, CUSTOM)
        self.words = tuple(words.items())
        return self

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OwnTopic) and self.words == other.words

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((CUSTOM, self.words))

    def __repr__(self) -> str:
        return f"OwnTopic({dict(self.words)!r})"

    def as_stored(self) -> dict[str, str]:
        """The learner's words, name to text."""
        return dict(self.words)

    def as_words(self) -> dict[str, str]:
        """The words as texts see them: the learner's, and the label of the topic menu."""
        return {"label": OWN_LABEL, **dict(self.words)}


def offers_own(lesson: Lesson) -> bool:
    """Whether learners may write their own topic: the lesson declares its topic words."""
    return bool(lesson.topic_words)


def example_topic(lesson: Lesson) -> OwnTopic:
    """The topic the declared examples make: the validator renders every text in it."""
    return OwnTopic({w.name: w.example for w in lesson.topic_words})


def word_problem(text: str) -> str | None:
    """What is wrong with one word a learner wrote (already tidied), or None."""
    if not text:
        return "Write a word or a few here; it cannot be left empty."
    if len(text) > MAX_WORD:
        return f"Keep it to {MAX_WORD} characters at most; this one has {len(text)}."
    refused = sorted({c for c in text if c in REFUSED})
    if refused:
        return (
            "Leave out " + " ".join(refused) + ": these characters would change how the "
            "lesson's sentences around your word are set."
        )
    if any(unicodedata.category(c) in _UNPRINTABLE or c in _BIDI for c in text):
        return "Use printable characters only (no control or text-direction characters)."
    if _AUTOLINK.search(text):
        return "Leave out web and mail addresses in angle brackets: they would become links."
    return None


def tidy(text: str) -> str:
    """A word as it is kept: one form per character (NFC), spaces collapsed and trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def own_topic(lesson: Lesson, given: Mapping[str, object]) -> tuple[OwnTopic | None, dict]:
    """The learner's topic from what they wrote, or None and a message per word that does
    not fit (unknown words included), keyed by the word's name. Only for a lesson that
    declares its topic words (:func:`offers_own`)."""
    declared = [w.name for w in lesson.topic_words]
    problems: dict[str, str] = {}
    for name in given:
        if name not in declared:
            problems[str(name)[:80]] = (
                f"{str(name)[:80]!r} is not one of this lesson's topic words: "
                + ", ".join(declared)
            )
    words: dict[str, str] = {}
    for name in declared:
        raw = given.get(name)
        if raw is not None and not isinstance(raw, str):
            problems[name] = "Write text here."
            continue
        text = tidy(raw or "")
        problem = word_problem(text)
        if problem:
            problems[name] = problem
        words[name] = text
    return (None, problems) if problems else (OwnTopic(words), {})


def stored_topic(lesson: Lesson, stored: Mapping[str, str] | None) -> OwnTopic | None:
    """A learner's own topic as it was stored, fitted to the lesson as it is now: a word
    the lesson declares since is taken from its default topic until the learner writes it."""
    if not stored or not offers_own(lesson):
        return None
    fallback = lesson.topics[lesson.default_topic].words
    return OwnTopic(
        {
            w.name: str(stored[w.name]) if w.name in stored else fallback.get(w.name, w.example)
            for w in lesson.topic_words
        }
    )


@dataclass(frozen=True)
class Switch:
    """A change of topic a learner asked for: the topic the lesson is about now, and the
    one it would be about (a ready topic's id, or an own topic with its words)."""

    now: str
    to: str

    @property
    def unchanged(self) -> bool:
        """Whether the lesson is about that topic already: nothing to confirm. Own topics
        are the same only with the same words (see :class:`OwnTopic`)."""
        return self.now == self.to
