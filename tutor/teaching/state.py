"""A learner's state in one lesson, as the tutor stores it (JSON in the positions table).

The adaptive policy reads and returns these; the service stores them. Stored states
from older versions still load: new fields have defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any, TypeVar

import numpy as np

from tutor.lessons.variants import VARIANTS
from tutor.vocabulary import Phase


@dataclass(frozen=True)
class Item:
    question: str
    variant: int
    role: str  # a Role: main, check, review or revisit


@dataclass(frozen=True)
class Offer:
    """After repeated misses: another angle, a step back, or going on."""

    skill: str
    fault_step: str | None  # the earlier step that seems to be the trouble
    fault_skill: str | None


@dataclass(frozen=True)
class Ladder:
    """Inside a multi-step problem (teaching.ladders): which sub-step is asked, and how.

    ``mode`` is ``example`` (every sub-step worked: nothing to answer but a prompt to
    explain it), ``faded`` (the sub-steps before ``first_open`` worked, the rest left to
    the learner) or ``ladder`` (after a miss on the whole problem: every sub-step, one at a
    time). Sub-steps before ``at`` are shown worked, with their values.
    """

    question: str
    variant: int
    mode: str
    at: int
    first_open: int
    hints: int = 0  # hint rungs shown on the current sub-step
    slips: int = 0  # open sub-steps answered other than Exactly, or with hints


@dataclass(frozen=True)
class State:
    """Where a learner is in one lesson and what the tutor remembers of the way there.

    Positions are kept by ids, never by index, so a lesson edit cannot point a
    learner at the wrong question.
    """

    step: str
    main: str | None
    item: Item | None
    phase: str = Phase.QUESTIONS  # a Phase: questions, step_review, lesson_review or done
    checks: int = 0
    loop_misses: int = 0
    # Question ids asked in this pass, each once, most recently asked last; and how many
    # items were taken in (answered, or worked examples studied), repeats included.
    asked: tuple[str, ...] = ()
    answered: int = 0
    # Per question whose explanations were shown: the angles shown, each once, latest last.
    angles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pending_angle: str | None = None
    angle_stats: dict[str, tuple[int, int]] = field(default_factory=dict)
    missed: tuple[str, ...] = ()
    review: tuple[str, ...] = ()
    reviewed: tuple[str, ...] = ()  # skills already reviewed in this phase
    completed: tuple[str, ...] = ()  # step ids
    offer: Offer | None = None
    revisit: tuple[str, ...] = ()  # question ids still to ask on a step back
    return_to: dict[str, Any] | None = None
    # Per skill, the grades of its attempts before the learner was first taught it: in this
    # pass, and in the passes before it (kept through a restart: what the learner showed
    # then still says how they learn, while this pass's record decides what to skip).
    untaught: dict[str, tuple[str, ...]] = field(default_factory=dict)
    earlier_untaught: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The variant each question was last asked in, so an explanation can use the numbers
    # the learner saw; and the question answered last (for "show me another angle").
    seen_variants: dict[str, int] = field(default_factory=dict)
    last: str | None = None
    # The items whose right answer the learner has been shown (teaching.items.item_key),
    # kept through a restart: only a first sight is full evidence, and no check repeats one.
    seen: tuple[str, ...] = ()
    # A practice run or review under way (teaching.sessions): the items still to ask, and
    # the skills it has already given a second item after a miss.
    session: tuple[str, ...] = ()
    session_missed: tuple[str, ...] = ()
    # Inside a multi-step problem, and how much of such problems each skill's learner is
    # left to do (teaching.fading: 0 a worked example ... sub-steps + 1 the whole problem).
    ladder: Ladder | None = None
    fade: dict[str, int] = field(default_factory=dict)
    # The worked example studied just before the current item, and that item: (example's
    # question, its variant, the item's question, its variant). Shown beside the item to
    # look back at, and only beside it.
    studied: tuple[str, int, str, int] | None = None
    # The last worked example gone on from: (its question, its variant, the reason the
    # next item was chosen, as teaching.payloads.REASONS names it, and the position's
    # version that write made). A retry of that request, with nothing written since, is
    # told the same again (service.writes.study).
    went_on: tuple[str, int, str | None, int] | None = None
    # The last answer before this pass through the lesson began (a restart): the step
    # pages show the conversation of this pass only.
    since: int = 0

    @property
    def done(self) -> bool:
        return self.item is None

    @property
    def first_tries(self) -> dict[str, tuple[str, ...]]:
        """Per skill, its untaught record from the first pass that tried it: the evidence
        of the learner's own prior (``adaptive.estimate``)."""
        if not self.earlier_untaught:
            return self.untaught
        return {**self.untaught, **self.earlier_untaught}

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data as stored: a field at its default is left out (``from_json``
        puts the default back), so a state carries only what a learner has done."""
        data = self.plain()
        return {k: v for k, v in data.items() if k in _REQUIRED or _EMPTY.get(k, _NO_DEFAULT) != v}

    def plain(self) -> dict[str, Any]:
        """Every field as plain JSON data; written by hand because dataclasses.asdict
        deep-copies slowly."""
        data: dict[str, Any] = {name: getattr(self, name) for name in _FIELDS}
        data["item"] = (
            None
            if self.item is None
            else {
                "question": self.item.question,
                "variant": self.item.variant,
                "role": self.item.role,
            }
        )
        data["offer"] = (
            None
            if self.offer is None
            else {
                "skill": self.offer.skill,
                "fault_step": self.offer.fault_step,
                "fault_skill": self.offer.fault_skill,
            }
        )
        for name in _TUPLES:
            data[name] = list(data[name])
        for name in _MAPS_OF_TUPLES:
            data[name] = {k: list(v) for k, v in data[name].items()}
        data["ladder"] = None if self.ladder is None else dict(vars(self.ladder))
        data["studied"] = None if self.studied is None else list(self.studied)
        data["went_on"] = None if self.went_on is None else list(self.went_on)
        data["fade"] = dict(self.fade)
        data["return_to"] = None if self.return_to is None else dict(self.return_to)
        data["seen_variants"] = dict(self.seen_variants)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> State:
        data = dict(data)
        if "answered" not in data and data.get("asked"):
            _from_growing_lists(data)
        item = data.pop("item", None)
        offer = data.pop("offer", None)
        ladder = data.pop("ladder", None)
        for name in _TUPLES:
            data[name] = tuple(data.get(name, ()))
        for name in _MAPS_OF_TUPLES:
            data[name] = {k: tuple(v) for k, v in data.get(name, {}).items()}
        for name in ("studied", "went_on"):
            if data.get(name) is not None:
                data[name] = tuple(data[name])
        # Fields a newer version added take their defaults; unknown ones are dropped.
        return cls(
            item=Item(**item) if item else None,
            offer=Offer(**offer) if offer else None,
            ladder=Ladder(**ladder) if ladder else None,
            **{k: v for k, v in data.items() if k in _FIELDS},
        )


_FIELDS = frozenset(f.name for f in fields(State)) - {"item", "offer", "ladder"}
_REQUIRED = frozenset({"step", "main", "item"})  # always written, even when None
_NO_DEFAULT = object()
_TUPLES = (
    "asked",
    "missed",
    "review",
    "reviewed",
    "completed",
    "revisit",
    "seen",
    "session",
    "session_missed",
)
_MAPS_OF_TUPLES = ("angles", "angle_stats", "untaught", "earlier_untaught")
_EMPTY = {
    k: v for k, v in State(step="", main=None, item=None).plain().items() if k not in _REQUIRED
}
"""Each field's default as ``plain`` writes it (tuples as lists)."""


# A learner's place in the loop of a lesson: what a step back or a practice run keeps, to
# return the learner to afterwards.
PLACE = (
    "step",
    "main",
    "item",
    "phase",
    "checks",
    "loop_misses",
    "pending_angle",
    "reviewed",
    "ladder",
)


def recent(values: tuple[str, ...], value: str) -> tuple[str, ...]:
    """``values`` with ``value`` last and nowhere else: a record of what was done, in order
    of when each was last done, that grows only with what is new (every record here is read
    for membership and that order alone)."""
    if values and values[-1] == value:
        return values
    return (*(v for v in values if v != value), value)


def _from_growing_lists(data: dict[str, Any]) -> None:
    """A state stored before ``answered``: its ``asked`` and ``angles`` held every repeat,
    so they grew with every answer. Kept to each value's last place, with the count."""
    asked = list(data["asked"])
    data["answered"] = len(asked)
    data["asked"] = _latest_once(asked)
    data["angles"] = {k: _latest_once(v) for k, v in data.get("angles", {}).items()}


def _latest_once(values: list[str]) -> list[str]:
    last = {v: i for i, v in enumerate(values)}
    return sorted(last, key=last.__getitem__)


R = TypeVar("R")


def replace(record: R, /, **changes: Any) -> R:
    """``dataclasses.replace`` for the policy's frozen records (states, items, decisions),
    without running ``__init__``: it checks nothing for them, and an answer makes a dozen
    copies of a state of some thirty fields."""
    unknown = changes.keys() - _field_names(type(record))
    if unknown:
        raise TypeError(f"{type(record).__name__} has no field {sorted(unknown)[0]!r}")
    copy = object.__new__(type(record))
    copy.__dict__.update(record.__dict__)
    copy.__dict__.update(changes)
    return copy


@cache
def _field_names(kind: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(kind))


def place_of(state: State, keys: tuple[str, ...] = PLACE) -> dict[str, Any]:
    """The learner's place as plain data (without an offer: choosing one moves on)."""
    data = state.plain()
    data["offer"] = None
    return {k: data[k] for k in keys}


def back_to(state: State, saved: Mapping[str, Any], **changes: Any) -> State:
    """``state`` with the place ``saved`` by ``place_of`` put back, and ``changes``."""
    place = dict(saved)
    item, ladder = place.pop("item", None), place.pop("ladder", None)
    restored = {k: tuple(v) if isinstance(v, list) else v for k, v in place.items()}
    return replace(
        state,
        item=Item(**item) if item else None,
        ladder=Ladder(**ladder) if ladder else None,
        **{**restored, **changes},
    )


def new_variant(rng: np.random.Generator) -> int:
    """One of a question's variants, at random (``lessons.variants.VARIANTS``)."""
    return int(rng.integers(0, VARIANTS))
