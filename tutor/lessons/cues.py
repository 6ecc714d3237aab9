"""Surface cues: what gives a choice question's answer away without knowing the skill.

A test-wise learner picks the longest option, or the one that repeats the prompt's words.
Option order and ids are each learner's own (see ``kinds.base.Seat``), so what is left to
check is the text: lint advice, located at each question that carries the cue.

Length is a cue only across a lesson: any one question may have its right option longest.
If options were written without the cue, a learner who always picks the longest is right in
about sum(1/k) of the questions (k options each), with binomial spread; more than two
standard deviations above that is more than a fair share, and each question where the pick
is usually right is pointed out. An echo of the prompt is a cue in any one question.

Drawn numbers and topic words change the texts, so each question is judged over every
variant in every ready topic, as learners meet it, not only its first rendering: by how
often the length pick is right (ties broken at random, as a learner would), and an echo
where it is a cue in at least half of them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from statistics import fmean

from tutor.lessons.format import Lesson, Question
from tutor.lessons.problems import LessonProblem, Locator
from tutor.lessons.variants import VARIANTS, render_question
from tutor.vocabulary import Grade

_WORD = re.compile(r"[a-z][a-z'-]+")
_MARKUP = re.compile(r"\$[^$]*\$|`[^`]*`|[*_#>\[\]()]")
# Grammar words are never a cue; any other shared word of four letters or more is.
_COMMON_WORDS = """
    about above after again also because been before being below both but can cannot
    could does doing down each even every from have having here into its itself just
    less like make makes many more most much must only other over same should since some
    such than that their them then there these they this those through under until very
    were what when where which while will with would your yours it's that's there's
    doesn't don't isn't
"""
_COMMON = frozenset(_COMMON_WORDS.split())
ECHO_WORDS = 2  # the right option repeats at least this many of the prompt's words ...
# ... and more of them than any wrong option does.


@dataclass(frozen=True)
class Seen:
    """One choice question over all its renderings (every variant in every ready topic):
    how often picking by length is right, and the prompt's words the right option echoes
    where that is a cue in at least half of them (empty where it is not)."""

    question: Question
    path: tuple
    options: int
    by_longest: float
    by_shortest: float
    echoed: frozenset[str]


def cue_problems(
    lesson: Lesson, questions: list[tuple[Question, tuple, str]], locate: Locator
) -> Iterator[LessonProblem]:
    """Advice on length and wording cues; ``questions`` are (question, path, skill)."""
    seen = [s for s in (_seen(lesson, q, path, skill) for q, path, skill in questions) if s]
    if not seen:
        return
    fair = fair_share([s.options for s in seen])
    for which, scores in (
        ("longest", [s.by_longest for s in seen]),
        ("shortest", [s.by_shortest for s in seen]),
    ):
        expected = sum(scores)
        if expected <= fair:
            continue
        # The questions where the pick is usually right; if none is, the likeliest ones.
        worst = min(0.5, max(scores))
        for s, score in zip(seen, scores, strict=True):
            if score < worst:
                continue
            yield locate.problem(
                (*s.path, "options"),
                f"lint: the right option is the {which} here, and a learner who always "
                f"picks the {which} option is right in {_count(expected)} of the lesson's "
                f"{len(seen)} choice questions (a fair share is at most {fair}), scoring "
                f"without the skill: make a wrong option the {which} or reword this one",
            )
    for s in seen:
        if s.echoed:
            yield locate.problem(
                (*s.path, "options"),
                "lint: the right option repeats the prompt's words ("
                + ", ".join(sorted(s.echoed))
                + ") and no wrong option does as much; reword it, or let a wrong option "
                "echo the prompt too",
            )


def fair_share(option_counts: list[int], deviations: float = 2) -> int:
    """The most questions whose right option may be the longest without it being a cue:
    ``deviations`` standard deviations above what blind guessing gets."""
    mean = sum(1 / k for k in option_counts)
    spread = math.sqrt(sum((1 / k) * (1 - 1 / k) for k in option_counts))
    return math.floor(mean + deviations * spread)


def echo(prompt: str, option: str) -> set[str]:
    """The prompt's content words that ``option`` repeats (plural and singular alike)."""
    return _content(prompt) & _content(option)


def _content(text: str) -> set[str]:
    words = _WORD.findall(_MARKUP.sub(" ", text.lower()))
    return {_stem(w) for w in words if len(w) >= 4 and w not in _COMMON}


def _stem(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith(("ss", "us", "is")) else word


def _count(expected: float) -> str:
    """A count of questions, or an average one when variants differ: "6", "8.8"."""
    return f"{expected:.0f}" if abs(expected - round(expected)) < 0.05 else f"{expected:.1f}"


def _seen(lesson: Lesson, question: Question, path: tuple, skill: str) -> Seen | None:
    if question.kind != "choice":
        return None
    renderings = [
        _texts(render_question(lesson, question, skill=skill, seed=seed, topic=topic))
        for topic in lesson.topics  # the default topic first
        for seed in (range(VARIANTS) if question.sampled else range(1))
    ]
    echoes = [words for words in (_echo_cue(*r) for r in renderings) if words]
    return Seen(
        question,
        path,
        options=1 + len(renderings[0][2]),
        by_longest=fmean(by_length(r, w, max) for _, r, w in renderings),
        by_shortest=fmean(by_length(r, w, min) for _, r, w in renderings),
        echoed=echoes[0] if 2 * len(echoes) >= len(renderings) else frozenset(),
    )


def _echo_cue(prompt: str, right: str, wrong: tuple[str, ...]) -> frozenset[str]:
    """The prompt's words the right option repeats, if enough of them and more than any
    wrong option does (a cue); else nothing."""
    echoed = echo(prompt, right)
    if len(echoed) >= ECHO_WORDS and all(len(echo(prompt, w)) < len(echoed) for w in wrong):
        return frozenset(echoed)
    return frozenset()


def by_length(right: str, wrong: tuple[str, ...], pick) -> float:
    """How often a learner who picks the ``pick`` (max or min) length is right, breaking
    ties at random: 1 when only the right option has that length, 1/n when n share it."""
    lengths = [len(right), *(len(w) for w in wrong)]
    chosen = pick(lengths)
    return 1 / lengths.count(chosen) if lengths[0] == chosen else 0.0


def _texts(rendered) -> tuple[str, str, tuple[str, ...]]:
    texts = [(o.grade, " ".join(_MARKUP.sub(" ", o.text).split())) for o in rendered.options]
    right = next(t for g, t in texts if g == Grade.EXACTLY)
    wrong = tuple(t for g, t in texts if g != Grade.EXACTLY)
    return rendered.prompt, right, wrong
