"""``misconception``: wrong ideas held as rules, which only feedback aimed at them clears.

The lessons tag wrong options and numeric mistakes with the misconception behind them
(``misconception: sum-not-mean``). This learner holds some of those misconceptions and
applies each as a rule: on any item, of any skill, that offers the answer a held
misconception produces, they give that answer. Only reading feedback aimed at that very
misconception (the feedback of the option or mistake it produced) can clear it, with
probability ``clear``; general explanations do not.

Apart from their misconceptions they know a skill or not. Knowing it, they answer right
with probability 0.9; not knowing it, they guess among the options and "not sure". Any
explanation of the skill teaches it with probability 0.15 (learning the skill does not
clear a misconception).

Coming in, a learner holds each misconception that shows up in the items of a skill they do
not know with probability ``prevalence``. The truth for false mastery: a skill is not
mastered while it is unknown or while the learner holds a misconception that its items can
trigger.

Parameters (low, middle, high):
- ``prevalence`` (0.3, 0.6, 0.9): the chance of holding each misconception of an unknown skill;
- ``clear`` (0.2, 0.5, 0.8): the chance that feedback aimed at a misconception clears it.
"""

from __future__ import annotations

import numpy as np

from ..items import Item, Shown
from .base import Learner

SLIP = 0.1
LEARN = 0.15


class Misconceptions(Learner):
    name = "misconception"
    GRID = {"prevalence": (0.3, 0.6, 0.9), "clear": (0.2, 0.5, 0.8)}

    def setup(self, population: str, start: np.random.Generator) -> None:
        self.held: set[str] = set()
        for skill in self.facts.skills:
            for tag in sorted(self.facts.misconceptions[skill]):
                draw = start.random()  # drawn for every tag, so the stream never shifts
                if skill not in self.known and draw < self.params["prevalence"]:
                    self.held.add(tag)

    def answer(self, item: Item) -> dict:
        applied = self._applied(item)
        if applied is not None:
            return applied
        if self.knows_skill(item.skill):
            return self.slip(item) if self.chance(SLIP) else self.right_answer(item)
        return self.guess(item)

    def _applied(self, item: Item) -> dict | None:
        """The answer a held misconception gives on this item, if it offers one."""
        options = [o for o in item.options if o.misconception in self.held]
        if options:
            return {"option_id": self.pick(options).id}
        mistakes = [m for m in item.mistakes if m.misconception in self.held]
        if mistakes:
            return {"value": self.pick(mistakes).value}
        return None

    def after_answer(self, item: Item, shown: Shown) -> None:
        tag = shown.misconception
        if self.learning and tag in self.held and self.chance(self.params["clear"]):
            self.held.discard(tag)
        super().after_answer(item, shown)

    def explained(self, skill: str) -> None:
        if self.learning and not self.knows_skill(skill) and self.chance(LEARN):
            self.known.add(skill)

    def knows_skill(self, skill: str) -> bool:
        return skill in self.known

    def knows(self, skill: str) -> bool:
        return self.knows_skill(skill) and not (self.facts.misconceptions[skill] & self.held)
