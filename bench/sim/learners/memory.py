"""``memory``: learns the skill slowly, but remembers answers it has been shown.

Once the reply to an answer has shown an item's right answer, the learner remembers it with
probability ``remember``: for a choice question, the text of its right option; for a numeric
question, the number, for that question with those very numbers. Asked the question again,
they give the remembered answer whenever it is among what is offered (the same option text,
or the same numbers in the prompt), whatever they know. A choice question's reply counts as
showing the right answer after any answer (a right answer shows itself; the feedback on a
wrong one names or implies it); a numeric question's, when the reply gives the number.

Otherwise they know a skill or not, as in ``bkt`` (right with probability 0.9 when known, a
guess when not), but explanations teach the skill with probability ``learn`` only. The truth
for false mastery is whether they know the skill: remembered answers are not knowing it.

Parameters (low, middle, high):
- ``remember`` (0.5, 0.8, 1.0): the chance of remembering an answer once shown;
- ``learn`` (0.02, 0.05, 0.1): the chance that one explanation teaches the skill.
"""

from __future__ import annotations

import numpy as np

from ..items import Item, Shown
from .base import Learner

SLIP = 0.1


class Memory(Learner):
    name = "memory"
    GRID = {"remember": (0.5, 0.8, 1.0), "learn": (0.02, 0.05, 0.1)}

    def setup(self, population: str, start: np.random.Generator) -> None:
        self.options: dict[str, str] = {}  # question id -> the right option's text
        self.numbers: dict[tuple[str, str], float] = {}  # (question id, prompt) -> the answer

    def answer(self, item: Item) -> dict:
        remembered = self._remembered(item)
        if remembered is not None:
            return remembered
        if self.knows(item.skill):
            return self.slip(item) if self.chance(SLIP) else self.right_answer(item)
        return self.guess(item)

    def _remembered(self, item: Item) -> dict | None:
        if item.kind == "numeric":
            value = self.numbers.get((item.question_id, item.prompt))
            return None if value is None else {"value": value}
        text = self.options.get(item.question_id)
        match = next((o for o in item.options if o.text == text), None)
        return None if match is None else {"option_id": match.id}

    def after_answer(self, item: Item, shown: Shown) -> None:
        shows = shown.revealed or shown.grade == "exactly" or item.kind == "choice"
        if self.learning and shows and self.chance(self.params["remember"]):
            if item.kind == "numeric":
                assert item.answer is not None
                self.numbers[(item.question_id, item.prompt)] = item.answer
            elif item.right is not None:
                self.options[item.question_id] = item.right.text
        super().after_answer(item, shown)

    def explained(self, skill: str) -> None:
        if self.learning and not self.knows(skill) and self.chance(self.params["learn"]):
            self.known.add(skill)
