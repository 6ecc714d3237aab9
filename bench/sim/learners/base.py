"""What every learner model shares: its hidden state's life cycle and the usual answers.

A model is built for one lesson, one population (``nothing``, ``some``, ``everything``) and
one setting of its parameters, from two generators: ``start`` draws the hidden knowledge
(so one learner can be rebuilt identically for every condition) and ``rng`` drives its
behaviour. The conditions call, in any order they like:

- ``respond(item)``: the response, ``{"option_id": ...}`` or ``{"value": ...}``: the
  model's own ``answer(item)``, within what the learner can do of a multi-step problem;
- ``after_answer(item, shown)``: the learner has read the reply to that answer;
- ``explained(skill)``: the learner has read an explanation of a skill ("another way");
- ``worked(parts)``: the learner has read parts of a multi-step problem worked (a worked
  example, the worked sub-steps above an open one, a sub-step's answer after a miss);
- ``tick(minutes)``: simulated time passes (only forgetting models care);
- ``knows(skill)``: the truth, for false mastery; ``learning = False`` freezes the learner
  (pre-test and post-test).

Every model also holds the parts of multi-step problems (``items.part``: a sub-step of a
skill, such as "square the errors" of MSE), apart from the skill: a learner may know how to
square the errors and not how to take their mean. A learner who knows a skill at the start
knows its parts; otherwise each part is known with probability ``PART_KNOWN``. A sub-step is
answered right when its part is known (but for a slip of ``PART_SLIP``), else guessed; a
numeric item of a skill with multi-step problems comes out wrong whenever one of its parts
is missing, whatever the model would otherwise answer (nobody computes an MSE without the
mean). A part is learned only by seeing it worked, with probability ``PART_LEARN`` each time:
explanations of the skill and a bare right number do not teach it. This is not the tutor's
model, which traces skills, not parts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import numpy as np

from ..items import NOT_SURE_ANSWER, Facts, Item, Shown, wrong_number

POPULATIONS = ("nothing", "some", "everything")
KNOWS_SOME = 0.5  # in "knows some", the chance of knowing a skill whose prerequisites are known
PART_KNOWN = 0.5  # the chance of knowing a part of a multi-step problem of an unknown skill
PART_LEARN = 0.3  # the chance of learning a part from seeing it worked once
PART_SLIP = 0.05  # a known part answered wrong all the same


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
        self.parts = {
            p
            for p, skill in sorted(facts.parts.items())
            if skill in self.known or start.random() < PART_KNOWN
        }
        self.setup(population, start)

    @classmethod
    def middle(cls) -> dict[str, float]:
        return {name: values[1] for name, values in cls.GRID.items()}

    def setup(self, population: str, start: np.random.Generator) -> None:
        """Draw what else the model hides (misconceptions, abilities); ``start`` only."""

    # --- what the conditions call -------------------------------------------------------

    def respond(self, item: Item) -> dict:
        """The response to ``item``: the model's own answer, within the parts it can do."""
        if item.substep:
            if item.parts <= self.parts:
                return self.slip(item) if self.chance(PART_SLIP) else self.right_answer(item)
            return self.guess(item)
        response = self.answer(item)
        if item.parts and not item.parts <= self.parts and self.is_right(item, response):
            return self.slip(item)  # a part of the computation is missing
        return response

    def worked(self, parts) -> None:
        """Reading parts of a multi-step problem worked: each may be learned."""
        for found in sorted(set(parts) - self.parts):
            if self.learning and self.chance(PART_LEARN):
                self.parts.add(found)

    def answer(self, item: Item) -> dict:
        """The model's own answer, by what it knows of the item's skill."""
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

    def is_right(self, item: Item, response: dict) -> bool:
        if item.kind == "numeric":
            return response.get("value") == item.answer
        return item.right is not None and response.get("option_id") == item.right.id

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
