"""The words of an offer after repeated misses: a heading and a message, varied.

A learner stuck on a hard idea may see the offer many times; the same sentence every time
reads as a machine. The wording turns with a counter (how many answers the learner has
given in the lesson), so it is the same on a reload and different at the next offer. The
message names only the ways on that are offered. Pure.
"""

from __future__ import annotations

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

GO_ON = "go on for now (it will come back for a short review)"
WAYS_ON = f"You can see it from yet another angle, or {GO_ON}."
WITH_STEP_BACK = f"You can see it from yet another angle, {GO_ON}, or step back to an earlier idea."


def wording(count: int, *, step_back: bool) -> tuple[str, str]:
    """The heading and message of the offer shown at ``count`` (any counter that moves)."""
    heading = HEADINGS[count % len(HEADINGS)]
    lead = LEADS[count % len(LEADS)]
    return heading, f"{lead} {WITH_STEP_BACK if step_back else WAYS_ON}"
