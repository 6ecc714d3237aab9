"""The words of an offer after repeated misses: a heading and a message, varied.

A learner stuck on a hard idea may see the offer many times; the same sentence every time
reads as a machine. The wording turns with a counter (how many answers the learner has
given in the lesson), so it is the same on a reload and different at the next offer. The
message names only the ways on that are offered. Pure.
"""

from __future__ import annotations

from tutor.lessons.loaded import LoadedLesson
from tutor.teaching import angles
from tutor.teaching.state import State
from tutor.vocabulary import Choice

HEADINGS = (
    "No shame in this",
    "A tricky one",
    "Let's pause on this",
    "This idea takes time",
    "Stuck is part of it",
)

# First sentences: none repeats a heading.
LEADS = (
    "Getting stuck here now is how the idea sticks later.",
    "Two misses in a row usually mean the idea needs another look, not more effort.",
    "Many learners trip on exactly this point.",
    "An idea like this often clicks after a different explanation.",
    "It is worth slowing down here rather than guessing.",
    "You are close to the heart of this step, and it is a hard part.",
)

ANGLE = "see it from yet another angle"
GO_ON = "go on for now (it will come back for a short review)"
STEP_BACK = "step back to an earlier idea"


def wording(count: int, *, step_back: bool, another_angle: bool = True) -> tuple[str, str]:
    """The heading and message of the offer shown at ``count`` (any counter that moves),
    naming another angle and a step back only when they are offered."""
    heading = HEADINGS[count % len(HEADINGS)]
    lead = LEADS[count % len(LEADS)]
    ways = [*([ANGLE] if another_angle else []), GO_ON, *([STEP_BACK] if step_back else [])]
    listed = " or ".join(ways) if len(ways) < 3 else ", ".join(ways[:-1]) + ", or " + ways[-1]
    return heading, f"{lead} You can {listed}."


def choices(lesson: LoadedLesson, state: State) -> list[Choice]:
    """The ways on an offer gives, in the order shown: another angle when one fits the
    question on screen, a step back when a weak earlier idea was found, and going on."""
    offer = state.offer
    if offer is None:
        return []
    found = [Choice.ANOTHER_ANGLE] if angles.on_screen(lesson, state) is not None else []
    if offer.fault_step and lesson.step_index(offer.fault_step) is not None:
        found.append(Choice.REVISIT)
    return [*found, Choice.GO_ON]
