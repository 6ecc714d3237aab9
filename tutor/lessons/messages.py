"""How a problem with a lesson is put into words for its author."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

from jinja2 import Environment, TemplateError, TemplateSyntaxError, UndefinedError


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A " (did you mean 'x'?)" suffix when a close match exists, else ""."""
    match = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def explain(exc: Exception, topic: str | None = None, context: Mapping | None = None) -> str:
    """A placeholder's or a computation's error, naming the topic it happened in; with the
    ``context`` the text was rendered in, a name it lacks is put in an author's words."""
    # A learner's own topic (tutor.lessons.topics.OwnTopic, not imported here: it needs the
    # format, which needs this module) carries its words.
    own = hasattr(topic, "as_words")
    if own:
        where = " (a learner's own topic, made of the examples in `topic_words`)"
    else:
        where = f" (topic {topic!r})" if topic else ""
    if isinstance(exc, TemplateSyntaxError):
        # Not about any topic: the text does not parse, whatever it is filled with.
        message = getattr(exc, "message", None) or str(exc)
        return (
            f"placeholder error: {message}; a placeholder is written {{{{ name }}}} (a "
            "statement {% ... %}), each opened brace closed and each bracket matched"
        )
    if isinstance(exc, TemplateError):
        message = getattr(exc, "message", None) or str(exc)
        if isinstance(exc, UndefinedError) and context is not None:
            message = _undefined(message, context)
        if own and isinstance(exc, UndefinedError):
            message += (
                "; every topic word a text uses must be declared in `topic_words`, "
                "so that a learner writing their own topic is asked for it"
            )
        return f"placeholder error{where}: {message}"
    return f"{exc}{where}"


def _undefined(message: str, context: Mapping) -> str:
    """Jinja's words for a missing name ("'dict object' has no attribute 'x'", "'x' is
    undefined") as an author's: which word or value is missing, and the nearest there is."""
    word = re.fullmatch(r"'dict object' has no attribute '(.+)'", message)
    if word:
        words = context.get("topic")
        known = list(words) if isinstance(words, Mapping) else []
        return f"the topic has no word {word[1]!r}{did_you_mean(word[1], known)}"
    name = re.fullmatch(r"'(.+)' is undefined", message)
    if name:
        missing = name[1]
        if did_you_mean(missing, ["topic"]):  # `topci.thing`: the topic itself misspelled
            return f"{missing!r} is not defined here (did you mean 'topic'?)"
        words = context.get("topic")
        if isinstance(words, Mapping) and missing in words:
            hint = f" (a topic's words are written {{{{ topic.{missing} }}}})"
        else:
            hint = did_you_mean(missing, [k for k in context if k != "topic"])
        return (
            f"{missing!r} is not defined here: not one of the question's `params` nor a "
            "function" + hint
        )
    return message


_SYNTAX = Environment()  # the placeholders' syntax alone, to find the one that breaks
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


def culprit(exc: Exception, source: str) -> str | None:
    """A regular expression for the placeholder in ``source`` that ``exc`` came from, so
    that the problem is shown on its own line of a long text: the one using a missing
    name, or the first that does not parse. None when it cannot be told."""
    if isinstance(exc, UndefinedError):
        message = getattr(exc, "message", None) or str(exc)
        attribute = re.fullmatch(r"'.+' has no attribute '(.+)'", message)
        if attribute:
            return rf"\{{[{{%][^}}]*?\.\s*{re.escape(attribute[1])}\b"
        name = re.fullmatch(r"'(.+)' is undefined", message)
        if name:
            return rf"\{{[{{%][^}}]*?(?<![\w.]){re.escape(name[1])}\b"
        return None
    if isinstance(exc, TemplateSyntaxError):
        for found in _PLACEHOLDER.finditer(source):
            try:
                _SYNTAX.parse(found[0])
            except TemplateSyntaxError:
                return re.escape(found[0].splitlines()[0])
        # One opened and never closed: the last opening with no closing after it.
        opened = [m.start() for m in re.finditer(r"\{[{%]", source)]
        for at in reversed(opened):
            if not re.search(r"[}%]\}", source[at:]):
                return re.escape(source[at:].splitlines()[0][:40])
    return None


_FORMULA = re.compile(r"formula (\$\$?)(.+?)\1: ", re.S)


def formula_at(message: str) -> str | None:
    """A regular expression for the formula a problem names (``formula $...$: why``), to show
    it on its own line of a long text; None for other problems. A formula with a placeholder
    in its first characters is not found in the file, and stays at the text's start."""
    if message.startswith("unopened formula "):
        # The dollar that failed to open, right after a letter, digit or placeholder.
        return r"(?<=[\w}])\$(?=[A-Za-z\\])"
    found = _FORMULA.match(message)
    if not found:
        return None
    unknown = _UNKNOWN_COMMAND.search(message, found.end())
    if unknown:  # the command itself, where the formula is long
        return re.escape(unknown[1]) + r"(?![A-Za-z])"
    first = found[2].strip().splitlines()[0][:30]
    return re.escape(first) if first else None


_UNKNOWN_COMMAND = re.compile(r"(\\[A-Za-z]+) is not a LaTeX command")
