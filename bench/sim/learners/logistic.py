"""``logistic``: a performance-factor learner who forgets; not the tutor's model.

There is no "known" or "unknown" here. The chance of recalling how to answer an item is a
logistic function of the learner's ability on its skill, the item's difficulty and the
practice the skill has had (as in additive-factor and performance-factor models):

    recall = sigmoid(ability[skill] - difficulty[item]
                     + gain * (0.3 * successes + 0.15 * failures + 0.3 * explanations))

where each count is weighted by how long ago it happened: a practice event ``t`` minutes ago
counts ``0.5 ** (t / half_life)``, so practice fades over simulated time (an answer takes a
minute, reading an explanation another). When recall fails the learner guesses: any option
or "not sure" alike, and on a number "not sure", a wrong number or a known mistake's value.

Abilities are drawn per skill: about +2 (recall 0.88 on an average item) for a skill known
coming in and about -2 (0.12) otherwise, with a spread of 0.5. An item's difficulty is fixed
by its id (normal, spread 0.5); a far-transfer post-test item is 0.5 harder.

The truth for false mastery: the skill is not mastered while recall on an average item
(difficulty 0) is under 0.8.

Parameters (low, middle, high):
- ``gain`` (0.5, 1, 2): scales what each success, failure and explanation adds;
- ``half_life`` (60, 240, 1000): minutes for a practice event to count half as much.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from ..items import Item
from .base import Learner

SUCCESS, FAILURE, EXPLANATION = 0.3, 0.15, 0.3
KNOWN, UNKNOWN, SPREAD = 2.0, -2.0, 0.5
FAR = 0.5
MASTERED = 0.8


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def difficulty(item: Item) -> float:
    """Fixed per question: the same item is as hard for every learner and condition."""
    digest = hashlib.blake2s(item.question_id.encode(), digest_size=8).digest()
    draw = np.random.default_rng(int.from_bytes(digest, "big")).normal(0, SPREAD)
    return float(draw) + (FAR if item.transfer == "far" else 0.0)


class Logistic(Learner):
    name = "logistic"
    GRID = {"gain": (0.5, 1.0, 2.0), "half_life": (60.0, 240.0, 1000.0)}

    def setup(self, population: str, start: np.random.Generator) -> None:
        self.ability = {
            s: float(start.normal(KNOWN if s in self.known else UNKNOWN, SPREAD))
            for s in self.facts.skills
        }
        # Per skill, the times of each kind of practice event.
        self.events: dict[str, dict[str, list[float]]] = {
            s: {"success": [], "failure": [], "explanation": []} for s in self.facts.skills
        }

    def recall(self, skill: str, hardness: float = 0.0) -> float:
        events = self.events[skill]
        half_life = self.params["half_life"]

        def count(kind: str) -> float:
            return sum(0.5 ** ((self.clock - t) / half_life) for t in events[kind])

        practice = (
            SUCCESS * count("success")
            + FAILURE * count("failure")
            + EXPLANATION * count("explanation")
        )
        return sigmoid(self.ability[skill] - hardness + self.params["gain"] * practice)

    def answer(self, item: Item) -> dict:
        if self.chance(self.recall(item.skill, difficulty(item))):
            return self.right_answer(item)
        return self.guess(item)

    def after_answer(self, item, shown) -> None:
        if self.learning:
            kind = "success" if shown.grade == "exactly" else "failure"
            self.events[item.skill][kind].append(self.clock)
        super().after_answer(item, shown)

    def explained(self, skill: str) -> None:
        if self.learning:
            self.events[skill]["explanation"].append(self.clock)

    def knows(self, skill: str) -> bool:
        return self.recall(skill) >= MASTERED
