"""How a problem with a lesson is put into words for its author."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from jinja2 import TemplateError, UndefinedError


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A " (did you mean 'x'?)" suffix when a close match exists, else ""."""
    match = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def explain(exc: Exception, topic: str | None = None) -> str:
    """A placeholder's or a computation's error, naming the topic it happened in."""
    # A learner's own topic (tutor.lessons.topics.OwnTopic, not imported here: it needs the
    # format, which needs this module) carries its words.
    own = hasattr(topic, "as_words")
    if own:
        where = " (a learner's own topic, made of the examples in `topic_words`)"
    else:
        where = f" (topic {topic!r})" if topic else ""
    if isinstance(exc, TemplateError):
        message = getattr(exc, "message", None) or str(exc)
        if own and isinstance(exc, UndefinedError):
            message += (
                "; every topic word a text uses must be declared in `topic_words`, "
                "so that a learner writing their own topic is asked for it"
            )
        return f"placeholder error{where}: {message}"
    return f"{exc}{where}"
