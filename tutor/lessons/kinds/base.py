"""What a kind of question is: the contract every entry of the registry keeps."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel

# A kind's checks are handed the lesson's Locator (``locate.problem(path, message)`` makes a
# LessonProblem) and ``add``, which collects problems; ``report(sub_path, message)`` records
# one problem of a variant, once.
Locator = Any
LessonProblem = Any
Add = Callable[[Any], None]
Report = Callable[..., None]


@dataclass(frozen=True)
class Seat:
    """One learner's view of questions: the order options are served in, and their ids.

    Both come from an HMAC of the server's secret key, the learner, the question, the
    variant and the option's place in the lesson file: an id says nothing a client could
    work out (unkeyed, the right option's id could be recomputed), and the order is a
    permutation drawn from the same keyed hash, the same on every reload, uniform over the
    options for every learner. ``learner`` is "" for what is served to anyone (a step's
    questions as a preview).
    """

    key: bytes
    learner: str = ""

    def _digest(self, *parts: object) -> bytes:
        message = "\x1f".join(str(p) for p in (self.learner, *parts)).encode()
        return hmac.new(self.key, message, hashlib.sha256).digest()

    def option_id(self, question_id: str, seed: int, index: int) -> str:
        return "o" + self._digest("id", question_id, seed, index)[:8].hex()

    def served(self, question_id: str, seed: int, count: int) -> tuple[tuple[int, str], ...]:
        """Each of ``count`` options as (its place in the lesson file, its id), in the order
        served."""
        return _served(self, question_id, seed, count)


@lru_cache(maxsize=4096)
def _served(seat: Seat, question_id: str, seed: int, count: int) -> tuple[tuple[int, str], ...]:
    # Kept: an item is served for `next`, graded and shown on its page again, and seeding
    # a generator (15 us) and an HMAC per option cost more than the rest of an option list.
    entropy = int.from_bytes(seat._digest("order", question_id, seed)[:8], "big")
    order = np.random.default_rng(entropy).permutation(count)
    return tuple((int(i), seat.option_id(question_id, seed, int(i))) for i in order)


@dataclass(frozen=True)
class Graded:
    """One answer, graded: what the learner reads, and what is kept of it."""

    grade: str  # a Grade
    feedback: str
    answer: str  # what the learner gave, as stored: an option id or the number typed
    said: str  # what the learner gave, as shown back to them
    option_index: int | None = None
    misconception: str | None = None
    mistake: str | None = None


class Kind:
    """A kind of question, whole: its fields in the lesson format, its checks, how one
    variant is drawn, how an answer is graded, and how a page asks it and keys it.

    Subclasses set ``name``, ``fields`` (a model of the fields this kind adds to a question)
    and ``template`` (the file under ``templates/`` whose macros ask the question,
    ``answer_input``, and show its answer key, ``answer_key``), and implement the methods.
    """

    name: ClassVar[str]
    fields: ClassVar[type[BaseModel]]
    template: ClassVar[str]
    # Whether a learner who does not know the skill can hardly hit the answer by chance
    # (a typed number): a right answer then weighs more as evidence.
    hard_to_guess: ClassVar[bool] = False

    # --- authoring ---------------------------------------------------------------------

    def texts(self, question: Any) -> Iterator[tuple[tuple, str]]:
        """This kind's own texts of a question, each with its path relative to it."""
        return iter(())

    def check(self, question: Any, path: tuple, locate: Locator, add: Add) -> bool:
        """Problems of this kind's fields; False when the question cannot be rendered."""
        return True

    def check_variant(self, question: Any, context: dict[str, Any], seed: int, report: Report):
        """Problems of one variant's values (``context`` holds its params); False stops."""
        return True

    def lint(self, question: Any, path: tuple, locate: Locator) -> Iterator[LessonProblem]:
        """Advice beyond validity on this kind's fields."""
        return iter(())

    # --- one variant ---------------------------------------------------------------------

    def render(self, question: Any, *, seed: int, context: dict[str, Any]) -> dict[str, Any]:
        """This kind's parts of one variant, as attributes of the rendered question; may add
        to ``context`` what its texts can use (a numeric question's ``answer``)."""
        raise NotImplementedError

    def grade(self, rendered: Any, seat: Seat, *, option_id: str | None, value: Any) -> Graded:
        """Grade an answer other than "not sure" (raises BadAnswer when it does not fit);
        option ids are ``seat``'s."""
        raise NotImplementedError

    def shown(self, rendered: Any, seat: Seat) -> list[dict[str, str]]:
        """The options ``seat`` is shown, in its order, "not sure" aside."""
        return []

    def right_answer(self, rendered: Any) -> str:
        """The right answer one variant shows, as text: two variants that show the same one
        are the same item to a learner who has seen either."""
        raise NotImplementedError

    def revealed(self, rendered: Any, *, graded: Graded, solution: bool) -> dict[str, Any]:
        """What the reply to an answer reveals of the right answer (``solution``: the tutor
        is moving on, or the answer was wrong)."""
        return {"solution": None, "answer": None}
