"""What every learner model shares: its hidden state's life cycle and the usual answers.

A model is built for one lesson, one population (``nothing``, ``some``, ``everything``) and
one setting of its parameters, from two generators: ``start`` draws the hidden knowledge
(so one learner can be rebuilt identically for every condition) and ``rng`` drives its
behaviour. The conditions call, in any order they like:

- ``answer(item)``: the response, ``{"option_id": ...}`` or ``{"value": ...}``;
- ``after_answer(item, shown)``: the learner has read the reply to that answer;
- ``explained(skill)``: the learner has read an explanation of a skill ("another way");
- ``tick(minutes)``: simulated time passes (only forgetting models care);
- ``knows(skill)``: the truth, for false mastery; ``learning = False`` freezes the learner
  (pre-test and post-test).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import numpy as np

from ..items import NOT_SURE_ANSWER, Facts, Item, Shown, wrong_number

POPULATIONS = ("nothing", "some", "everything")
KNOWS_SOME = 0.5  # in "knows some", the chance of knowing a skill whose prerequisites are known


class Learner:
    """The base of every learner model; subclasses set ``name``, ``GRID`` and behaviour."""

    name: ClassVar[str]
    # The main parameters, each with its low, middle and high value.
    GRID: ClassVar[Mapping[str, tuple[float, float, float]]]
    populations: ClassVar[tuple[str, ...]] = POPULATIONS

    def __init__(
        self,
        facts: Facts,
        population: str,
        params: Mapping[str, float],
        *,
        start: np.random.Generator,
        rng: np.random.Generator,
    ):
        self.facts = facts
        self.params = {**self.middle(), **params}
        self.rng = rng
        self.learning = True
        self.clock = 0.0
        self.known = initial_knowledge(facts, population, start)
        self.setup(population, start)

    @classmethod
    def middle(cls) -> dict[str, float]:
        return {name: values[1] for name, values in cls.GRID.items()}

    def setup(self, population: str, start: np.random.Generator) -> None:
        """Draw what else the model hides (misconceptions, abilities); ``start`` only."""

    # --- what the conditions call -------------------------------------------------------

    def answer(self, item: Item) -> dict:
        raise NotImplementedError

    def after_answer(self, item: Item, shown: Shown) -> None:
        """Reading the reply: a miss's feedback is a chance to learn the skill."""
        if shown.grade != "exactly":
            self.explained(item.skill)

    def explained(self, skill: str) -> None:
        """Reading an explanation of ``skill``."""

    def tick(self, minutes: float) -> None:
        self.clock += minutes

    def knows(self, skill: str) -> bool:
        return skill in self.known

    # --- the usual answers ---------------------------------------------------------------

    def right_answer(self, item: Item) -> dict:
        if item.kind == "numeric":
            return {"value": item.answer}
        right = item.right
        assert right is not None
        return {"option_id": right.id}

    def slip(self, item: Item) -> dict:
        """Knowing the skill and answering wrong all the same: a wrong option, a known
        mistake's number, or another wrong number."""
        if item.kind == "numeric":
            if item.mistakes:
                return {"value": self.pick(item.mistakes).value}
            return {"value": wrong_number(item, self.rng)}
        return {"option_id": self.pick(item.wrong).id}

    def guess(self, item: Item) -> dict:
        """Not knowing: any option or "not sure" alike; on a number, "not sure", a wrong
        number or a known mistake's value (a guess never lands on the answer)."""
        if item.kind == "numeric":
            choices: list = [None, "wrong", *item.mistakes]
            chosen = choices[int(self.rng.integers(len(choices)))]
            if chosen is None:
                return NOT_SURE_ANSWER
            if chosen == "wrong":
                return {"value": wrong_number(item, self.rng)}
            return {"value": chosen.value}
        ids = [o.id for o in item.options]
        index = int(self.rng.integers(len(ids) + 1))
        return NOT_SURE_ANSWER if index == len(ids) else {"option_id": ids[index]}

    def pick(self, values):
        return values[int(self.rng.integers(len(values)))]

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def prerequisites_known(self, skill: str) -> bool:
        return all(r in self.known for r in self.facts.requires.get(skill, ()))


def initial_knowledge(facts: Facts, population: str, start: np.random.Generator) -> set[str]:
    """The skills known before the lesson. In "knows some", a skill is known with chance
    ``KNOWS_SOME`` when all its prerequisites are known, and never otherwise."""
    if population not in POPULATIONS:
        raise ValueError(f"population: {population!r} is not one of {', '.join(POPULATIONS)}")
    known: set[str] = set()
    for skill in facts.skills:  # prerequisites come first in a valid lesson
        draw = start.random()
        if population == "everything" or (
            population == "some"
            and draw < KNOWS_SOME
            and all(r in known for r in facts.requires[skill])
        ):
            known.add(skill)
    return known
