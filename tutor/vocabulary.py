"""The tutor's words, each defined once: grades, item roles, phases, angles, choices, labels.

Every layer above the engine speaks these. They are ``StrEnum``s, so a member is its own
string: it compares equal to the text stored in the database and written in lesson files,
and serialises to it in JSON. The ``Literal`` aliases name the subsets the lesson format
accepts. The kinds of question are the registry in :mod:`tutor.lessons.kinds`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class Grade(StrEnum):
    """How an answer is graded: the four words a learner sees."""

    EXACTLY = "exactly"
    CLOSE = "close"
    NOT_QUITE = "not_quite"
    NOT_SURE = "not_sure"

    @property
    def label(self) -> str:
        """The word shown to the learner: Exactly, Close, Not quite, Not sure."""
        return _LABELS[self]


_LABELS = {
    Grade.EXACTLY: "Exactly",
    Grade.CLOSE: "Close",
    Grade.NOT_QUITE: "Not quite",
    Grade.NOT_SURE: "Not sure",
}

OptionGrade = Literal["exactly", "close", "not_quite"]
"""The grades an author gives an option (not sure is the learner's, never an option's)."""
MissGrade = Literal["close", "not_quite"]
"""The grades an author gives a known numeric mistake."""

NOT_SURE = "not_sure"
"""The id of the "I'm not sure" answer, offered with every question."""
NOT_SURE_TEXT = "I'm not sure"
"""What the learner reads on it, and what the tutor says back they said."""


class Role(StrEnum):
    """Why an item is being asked."""

    MAIN = "main"  # a step's own question, in order
    CHECK = "check"  # after a miss: the same skill again
    REVIEW = "review"  # a missed skill coming back at the end of a step or the lesson
    REVISIT = "revisit"  # a step back to an earlier skill the learner chose
    PRACTICE = "practice"  # a practice run the learner started, on weak or chosen skills
    RECALL = "recall"  # a review of skills whose memory is due, across visits


class Phase(StrEnum):
    """Where in a lesson a learner is."""

    QUESTIONS = "questions"
    STEP_REVIEW = "step_review"
    LESSON_REVIEW = "lesson_review"
    DONE = "done"


class Angle(StrEnum):
    """The angles an alternative explanation takes."""

    ANALOGY = "analogy"
    NUMBERS = "numbers"
    PICTURE = "picture"
    FORMAL = "formal"


AngleName = Literal["analogy", "numbers", "picture", "formal"]


class Choice(StrEnum):
    """What a learner may choose when the tutor offers a way on after repeated misses."""

    ANOTHER_ANGLE = "another_angle"
    REVISIT = "revisit"
    GO_ON = "go_on"


class StepStatus(StrEnum):
    """How far a learner is with a step."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class Label(StrEnum):
    """How a skill is going, as the learner sees it."""

    NOT_STARTED = "not started"
    GETTING_THERE = "getting there"
    SOLID = "solid"
    REVIEW = "review"


class Standing(StrEnum):
    """Where a skill stands at the end of a lesson."""

    SOLID = "solid"
    SHAKY = "shaky"
    NOT_YET = "not yet"
