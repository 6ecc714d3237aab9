"""``testwise``: learns nothing, and answers what it does not know by surface cues.

On a choice question about a skill it does not know, this learner follows a cue with
probability ``reliance``, each time one of three alike: the longest option, the first option
as served, or the option that repeats most of the prompt's words (words of four letters or
more). Ties are broken at random; without a cue they pick any option at random. A number
cannot be read off the page: they answer "not sure" half the time and a wrong number
otherwise. Skills known coming in are answered right with probability 0.9. Nothing they read
teaches them anything, so every skill they did not know stays unknown: any "solid" label on
one is false mastery, and no tutor can raise their post-test.

Parameters (low, middle, high):
- ``reliance`` (0.4, 0.7, 1.0): the chance of answering by a cue rather than at random.
"""

from __future__ import annotations

import re

from ..items import NOT_SURE_ANSWER, Item, Option, wrong_number
from .base import Learner

SLIP = 0.1
CUES = ("longest", "first", "echo")
_WORD = re.compile(r"[a-z]{4,}")


def words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


class Testwise(Learner):
    name = "testwise"
    GRID = {"reliance": (0.4, 0.7, 1.0)}

    def answer(self, item: Item) -> dict:
        if self.knows(item.skill):
            return self.slip(item) if self.chance(SLIP) else self.right_answer(item)
        if item.kind == "numeric":
            return NOT_SURE_ANSWER if self.chance(0.5) else {"value": wrong_number(item, self.rng)}
        if self.chance(self.params["reliance"]):
            return {"option_id": self.by_cue(item, self.pick(CUES)).id}
        return {"option_id": self.pick(item.options).id}

    def by_cue(self, item: Item, cue: str) -> Option:
        if cue == "first":
            return item.options[0]
        if cue == "longest":
            score = {o.id: len(o.text) for o in item.options}
        else:
            prompt = words(item.prompt)
            score = {o.id: len(words(o.text) & prompt) for o in item.options}
        best = max(score.values())
        return self.pick([o for o in item.options if score[o.id] == best])

    def after_answer(self, item, shown) -> None:
        """Reads the reply and learns nothing from it."""

    def explained(self, skill: str) -> None:
        """Reads the explanation and learns nothing from it."""
