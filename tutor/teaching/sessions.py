"""Short sessions outside a lesson's path: practice on weak skills, and review of due ones.

A practice run asks a few items of the learner's weakest skills (or of one skill or step
they chose); a review asks the skills whose memory is due (``teaching.memory``). Either can
start at any time: the learner's place is kept and they return to it at the end, as after
a step back. Items the learner has not met yet come first, so that practice is evidence
and not a memory test; then questions with new numbers; then the least recently asked.
A miss is explained as anywhere else, and its skill gets one fresh item later in the run.
Pure, like the policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from tutor.lessons.loaded import LoadedLesson
from tutor.teaching import items
from tutor.teaching.state import PLACE, Item, State, back_to, new_variant, place_of, replace
from tutor.vocabulary import Role

PRACTICE_ITEMS = 5
PRACTICE_SKILLS = 3
REVIEW_SKILLS = 6
SESSION_ROLES = (Role.PRACTICE, Role.RECALL)
# A step back under way is kept too (its queue and its own way back), and carries on after.
_KEPT = (*PLACE, "revisit", "return_to")


@dataclass(frozen=True)
class Plan:
    """What a session will ask: its skills, and its items in order."""

    skills: tuple[str, ...]
    questions: tuple[str, ...]


def weakest(
    lesson: LoadedLesson, state: State, p_known: Mapping[str, float], mastered: Iterable[str]
) -> list[str]:
    """The skills to practise: those tried and not mastered, weakest first; if every skill
    tried is mastered, the weakest tried; before any, the lesson's first skills."""
    done = set(mastered)
    tried = [s.id for s in lesson.lesson.skills if s.id in state.first_tries]
    pool = [s for s in tried if s not in done] or tried
    if not pool:
        return [s.id for s in lesson.lesson.skills][:PRACTICE_SKILLS]
    return sorted(pool, key=lambda s: p_known.get(s, 0.0))[:PRACTICE_SKILLS]


def practice_plan(
    lesson: LoadedLesson, state: State, skills: list[str], prefer: Iterable[str] = ()
) -> Plan:
    """Up to ``PRACTICE_ITEMS`` items, taking the skills in turn; the questions in
    ``prefer`` (a step's own, when the learner asked for that step) first."""
    first = list(prefer)
    queues = {
        skill: sorted(_ordered(lesson, state, skill), key=lambda q: q not in first)
        for skill in skills
    }
    chosen: list[str] = []
    while len(chosen) < PRACTICE_ITEMS and any(queues.values()):
        for skill in skills:
            if queues[skill] and len(chosen) < PRACTICE_ITEMS:
                chosen.append(queues[skill].pop(0))
    return Plan(tuple(skills), tuple(chosen))


def review_plan(lesson: LoadedLesson, state: State, due: list[str]) -> Plan:
    """One item for each due skill (up to ``REVIEW_SKILLS``), the skills in lesson order."""
    order = [s.id for s in lesson.lesson.skills]
    skills = sorted((s for s in set(due) if s in order), key=order.index)[:REVIEW_SKILLS]
    picks = [(skill, _ordered(lesson, state, skill)) for skill in skills]
    return Plan(
        tuple(skill for skill, queue in picks if queue),
        tuple(queue[0] for _, queue in picks if queue),
    )


def step_skills(lesson: LoadedLesson, step_index: int) -> list[str]:
    """The skills a step's questions practise, in order."""
    return list(dict.fromkeys(q.skill or "" for q in lesson.step(step_index).questions))


def step_questions(lesson: LoadedLesson, step_index: int) -> list[str]:
    """A step's own questions, in order."""
    return [q.id for q in lesson.step(step_index).questions]


def _ordered(lesson: LoadedLesson, state: State, skill: str) -> list[str]:
    """A skill's practice items: never asked first, then those with new numbers to give,
    then the rest, least recently asked first."""
    last_asked = {q: i for i, q in enumerate(state.asked)}
    pool = lesson.questions_for_skill(skill)

    def rank(question_id: str) -> tuple[int, int]:
        if question_id not in last_asked:
            return (0, 0)
        sampled = lesson.entries[question_id].question.sampled
        return (1 if sampled else 2, last_asked[question_id])

    return sorted(pool, key=rank)


def start(
    lesson: LoadedLesson, state: State, plan: Plan, role: Role, rng: np.random.Generator
) -> State:
    """The state with the session's first item current and the learner's place kept."""
    if not plan.questions:
        raise ValueError("there is nothing to ask in that session")
    in_session = state.item is not None and state.item.role in SESSION_ROLES
    # Starting a session from inside another replaces it, keeping the original place.
    kept = state.return_to if in_session else _place(state)
    first, rest = plan.questions[0], plan.questions[1:]
    return replace(
        state,
        item=Item(first, fresh_variant(lesson, state, first, rng), role),
        session=rest,
        session_missed=(),
        return_to=kept,
        revisit=(),
        offer=None,
        pending_angle=None,
        ladder=None,
    )


def _place(state: State) -> dict:
    return place_of(state, _KEPT)


def after_item(
    lesson: LoadedLesson, state: State, *, skill: str, right: bool, rng: np.random.Generator
) -> tuple[State, bool]:
    """The state after a session item was answered; True when the session is over."""
    item = state.item
    assert item is not None
    queue = state.session
    if not right and skill not in state.session_missed:
        # One fresh item of a missed skill, asked after the others (spacing helps it stick):
        # another question, or this one again with new numbers.
        again = next(
            (
                q
                for q in _ordered(lesson, state, skill)
                if q not in queue and (q != item.question or lesson.entries[q].question.sampled)
            ),
            None,
        )
        if again is not None:
            queue = (*queue, again)
        state = replace(state, session_missed=(*state.session_missed, skill))
    if queue:
        following = queue[0]
        variant = fresh_variant(lesson, state, following, rng)
        return replace(state, item=Item(following, variant, item.role), session=queue[1:]), False
    return finish(state), True


def finish(state: State) -> State:
    """Back to where the learner was before the session (a lesson done stays done)."""
    saved = {"return_to": None, "revisit": [], **(state.return_to or {})}
    return back_to(state, saved, session=(), session_missed=())


def fresh_variant(
    lesson: LoadedLesson, state: State, question_id: str, rng: np.random.Generator
) -> int:
    """A variant whose right answer the learner has not been shown, when there is one."""
    found = items.unseen_variant(lesson, question_id, state.seen, rng)
    return new_variant(rng) if found is None else found
