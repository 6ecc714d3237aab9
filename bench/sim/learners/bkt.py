"""``bkt``: the learner of the tutor's own model, kept as the in-model reference.

Each skill is known or not. Knowing it, the learner answers right with probability
``1 - slip`` (a slip picks a wrong option, or a known mistake's number). Not knowing it, they
hold a wrong idea about it with probability ``MISCONCEPTION`` (drawn once per skill) and then
give the same wrong answer every time (an option carrying a misconception, or the same known
mistake); otherwise they guess among the options and "not sure". Each explanation read (a
miss's feedback, "another way to see it") teaches the skill with probability ``learn``,
halved while a prerequisite is still unknown (``PREREQUISITE``). Nothing is forgotten.

This is the world the tutor's knowledge tracing assumes, so its figures are the best the
tutor can hope for; the other models are there to check that they are not only that.

Parameters (low, middle, high):
- ``learn`` (0.1, 0.2, 0.35): the chance that one explanation teaches the skill;
- ``slip`` (0.05, 0.1, 0.2): the chance of a wrong answer while knowing the skill.
"""

from __future__ import annotations

import numpy as np

from ..items import Item
from .base import Learner

MISCONCEPTION = 0.3
PREREQUISITE = 0.5


class BKT(Learner):
    name = "bkt"
    GRID = {"learn": (0.1, 0.2, 0.35), "slip": (0.05, 0.1, 0.2)}

    def setup(self, population: str, start: np.random.Generator) -> None:
        self.misconceived = {
            s for s in self.facts.skills if start.random() < MISCONCEPTION and s not in self.known
        }
        self.stuck_on: dict[str, int] = {}  # question id -> the option index always chosen

    def answer(self, item: Item) -> dict:
        if self.knows(item.skill):
            return self.slip(item) if self.chance(self.params["slip"]) else self.right_answer(item)
        if item.skill in self.misconceived:
            return self._same_wrong_answer(item)
        return self.guess(item)

    def _same_wrong_answer(self, item: Item) -> dict:
        if item.kind == "numeric":
            if not item.mistakes:
                return self.guess(item)
            index = self.stuck_on.setdefault(
                item.question_id, int(self.rng.integers(len(item.mistakes)))
            )
            return {"value": item.mistakes[index % len(item.mistakes)].value}
        tagged = [o for o in item.wrong if o.misconception] or list(item.wrong)
        index = self.stuck_on.setdefault(item.question_id, self.pick(tagged).index)
        chosen = next((o for o in item.wrong if o.index == index), tagged[0])
        return {"option_id": chosen.id}

    def explained(self, skill: str) -> None:
        if not self.learning or self.knows(skill):
            return
        chance = self.params["learn"] * (1 if self.prerequisites_known(skill) else PREREQUISITE)
        if self.chance(chance):
            self.known.add(skill)
            self.misconceived.discard(skill)
