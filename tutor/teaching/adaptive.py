"""The tutor's next-item decision: one pure function of the lesson and the learner's state.

The loop for each main question of a step:

1. Ask it. Exactly on the first try moves straight on: a learner who knows the
   material is never slowed down.
2. After anything else: show another way to see it, from an angle this learner
   has not seen for this question (Thompson sampling over what has worked for
   them before), then check the same skill with another item: one of the
   question's checks, or the question regenerated with new numbers; never the
   identical item just answered.
3. A check answered Exactly moves on. After two misses the tutor says, kindly,
   that this is hard, and offers another angle, a step back to a weak
   prerequisite (fault tracing), or to go on. After three checks it moves on
   regardless, with the skill marked for review: nobody is ever trapped.
4. At the end of a step, skills that were missed and are still below mastery come
   back once as review questions; at the end of the lesson, once more. A review
   missed gets another angle and one fresh check, then the review goes on.
5. A main question on a skill the learner has already tried and now masters is
   skipped: practice stops once mastery is reached.
6. A practice run or a review (``sessions``) can interrupt any of this and returns the
   learner to where they were.

Mastery here is judged for this learner (``estimate``): each skill's P(known) is
re-based on how much of the lesson the learner's first answers show they knew
coming in (``mastery.learner_prior``). A learner who has been right the first
time all along is trusted after fewer answers; one who has missed is not.

Nothing here touches a request, a database or the clock: randomness arrives as a
seeded ``numpy.random.Generator``, mastery as a mapping of P(known) per skill.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from tutor.lessons.loaded import LoadedLesson
from tutor.teaching import angles, faults, items, ladders, mastery, offers, sessions
from tutor.teaching.state import Item, Offer, State, new_variant, recent, replace
from tutor.vocabulary import Choice, Grade, Phase, Role

MAX_CHECKS = 3
STUCK_AFTER = 2


class Known(Mapping[str, float]):
    """Each skill's P(known) for this learner (see ``estimate``), with how many of its
    items they answered right at first sight: mastery needs both (see
    ``mastery.is_mastered``).

    Worked out a skill at a time, when asked for: a decision asks about two or three
    skills of a lesson's dozen or more, and re-basing every one cost an answer a third of
    its decision."""

    def __init__(
        self,
        lesson: LoadedLesson,
        state: State,
        p_known: Mapping[str, float],
        firsts_right: Mapping[str, int] | None = None,
    ):
        self._lesson, self._raw = lesson, p_known
        self._own = _own_priors(lesson, tuple(state.first_tries.items()))
        self._worked: dict[str, float] = {}
        self.firsts_right = firsts_right or {}

    def __getitem__(self, skill: str) -> float:
        found = self._worked.get(skill)
        if found is None:
            at = _skill_index(self._lesson)[skill]  # (a KeyError for a skill not in the lesson)
            params = mastery.skill_params(self._lesson)[skill]
            p = self._raw.get(skill)
            if p is None:
                p = params.prior
            own, tried = self._own[at]
            found = self._worked[skill] = mastery.individual(
                p, learner_prior=own, attempted=p != params.prior or tried, params=params
            )
        return found

    def __iter__(self):
        return iter(_skill_index(self._lesson))

    def __len__(self) -> int:
        return len(_skill_index(self._lesson))

    def mastered(self, skill: str) -> bool:
        return mastery.is_mastered(self.get(skill, mastery.PRIOR), self.firsts_right.get(skill, 0))


@dataclass(frozen=True)
class Decision:
    """What to do after an answer: the new state and what to tell the learner."""

    state: State
    angle: str | None = None  # the another_way angle to show for the answered question
    reason: str | None = None  # why the next item is what it is (a key for a message)
    finished_step: str | None = None  # the step this answer completed
    solution: bool = False  # show the worked answer of the item just answered


def start(lesson: LoadedLesson, rng: np.random.Generator) -> State:
    """A learner's state before the first answer: the first question of the first step."""
    step = lesson.lesson.steps[0]
    first = step.questions[0].id
    state = State(step=step.id, main=first, item=Item(first, new_variant(rng), Role.MAIN))
    return ladders.present(lesson, state, p_known=mastery.PRIOR, mastered=False)


def present(
    lesson: LoadedLesson,
    state: State,
    p_known: Mapping[str, float],
    firsts_right: Mapping[str, int] | None = None,
) -> State:
    """``state`` with its current item, if a multi-step problem, at the fading level."""
    if state.item is None:
        return state
    known = Known(lesson, state, p_known, firsts_right or {})
    skill = lesson.entries[state.item.question].skill
    return ladders.present(
        lesson, state, p_known=known.get(skill, mastery.PRIOR), mastered=known.mastered(skill)
    )


# --- after an answer ----------------------------------------------------------------


def after_answer(
    lesson: LoadedLesson,
    state: State,
    grade: str,
    *,
    p_known: Mapping[str, float],
    firsts_right: Mapping[str, int] | None = None,
    misconception_skill: str | None = None,
    rng: np.random.Generator,
) -> Decision:
    """The next state after the current item was answered with ``grade``.

    ``p_known`` is every skill's P(known) after this answer was counted, and
    ``firsts_right`` its count of items answered right at first sight (mastery needs
    one); ``misconception_skill`` is the earlier skill the chosen option's misconception
    points at, if any. Inside a multi-step problem, the answer is to its current sub-step.
    """
    item = state.item
    assert item is not None, "the lesson is done: there is nothing to answer"
    firsts = firsts_right or {}
    if state.ladder is not None:
        decision = _in_problem(lesson, state, grade, p_known, firsts, misconception_skill, rng)
    else:
        state, known, angle = _take_in(lesson, state, item, grade, p_known, firsts, rng)
        if grade != Grade.EXACTLY and ladders.has_steps(lesson.entries[item.question]):
            # A miss on the whole problem: its sub-steps, one at a time, before a check.
            opened = ladders.open_after_miss(lesson, state, item)
            decision = Decision(opened, angle, "ladder")
        else:
            if ladders.has_steps(lesson.entries[item.question]):
                state = ladders.whole_right(lesson, state, item)
            decision = _continue(lesson, state, item, grade, known, angle, misconception_skill, rng)
    decision = _presented(lesson, decision, item, p_known, firsts)
    if decision.state.studied is not None and decision.state.item != item:
        # The item the example stood beside is done: the example is no longer shown.
        decision = replace(decision, state=replace(decision.state, studied=None))
    return decision


def after_example(
    lesson: LoadedLesson,
    state: State,
    *,
    p_known: Mapping[str, float],
    firsts_right: Mapping[str, int] | None = None,
    rng: np.random.Generator,
) -> Decision:
    """A worked example studied: the same kind of problem again, its last sub-step left to
    the learner (new numbers, or the question's next check); in a practice run or a review,
    the run's next item. The example stays to look back at beside that item (``studied``)."""
    item = state.item
    if state.ladder is None or state.ladder.mode != ladders.EXAMPLE or item is None:
        raise ValueError("there is no worked example to go on from")
    firsts = firsts_right or {}
    known = Known(lesson, state, p_known, firsts)
    state = ladders.after_example(lesson, state)
    state = replace(
        state,
        asked=recent(state.asked, item.question),
        answered=state.answered + 1,
        last=item.question,
        seen_variants={**state.seen_variants, item.question: item.variant},
        seen=_add(state.seen, items.item_key(lesson, item.question, item.variant)),
    )
    if item.role in sessions.SESSION_ROLES:
        # A practice run or a review goes on with its own items, all of its skills: the
        # example studied was one of them.
        skill = lesson.entries[item.question].skill
        following, over = sessions.after_item(lesson, state, skill=skill, right=True, rng=rng)
        decision = Decision(following, None, f"{item.role}_done" if over else None)
        return _beside(lesson, item, _presented(lesson, decision, item, p_known, firsts))
    # One like the example studied: of its own question (in a review at a step's end or a
    # step back, the lesson's main question is elsewhere), or of the main one for a check.
    of = state if item.role == Role.CHECK else replace(state, main=item.question)
    picked = _pick_check(lesson, of, item, rng)
    if picked is None:
        following, finished = _advance(lesson, state, known, rng)
        decision = Decision(following, None, None, finished)
    else:
        check, _ = picked
        role = item.role if item.role != Role.MAIN else Role.CHECK
        # "One like it, its last step yours" only when it is a problem of steps again.
        same_kind = ladders.has_steps(lesson.entries[check.question])
        reason = "after_example" if same_kind else "after_example_check"
        decision = Decision(replace(state, item=replace(check, role=role)), None, reason)
    return _beside(lesson, item, _presented(lesson, decision, item, p_known, firsts))


def _beside(lesson: LoadedLesson, example: Item, decision: Decision) -> Decision:
    """The decision with the example just studied kept beside its next item (``studied``),
    when that item is on the example's skill (a practice run may go on to another)."""
    following = decision.state.item
    studied = None
    skill = lesson.entries[example.question].skill
    if following is not None and lesson.entries[following.question].skill == skill:
        studied = (example.question, example.variant, following.question, following.variant)
    return replace(decision, state=replace(decision.state, studied=studied))


def _presented(
    lesson: LoadedLesson,
    decision: Decision,
    answered: Item,
    p_known: Mapping[str, float],
    firsts: Mapping[str, int],
) -> Decision:
    """A new current item that is a multi-step problem comes at the learner's fading level."""
    following = decision.state.item
    if following is None or following == answered or decision.state.ladder is not None:
        return decision
    skill = lesson.entries[following.question].skill
    known = Known(lesson, decision.state, p_known, firsts)
    shown = ladders.present(
        lesson,
        decision.state,
        p_known=known.get(skill, mastery.PRIOR),
        mastered=known.mastered(skill),
    )
    return replace(decision, state=shown)


def _take_in(
    lesson: LoadedLesson,
    state: State,
    item: Item,
    grade: str,
    p_known: Mapping[str, float],
    firsts: Mapping[str, int],
    rng: np.random.Generator,
) -> tuple[State, Known, str | None]:
    """What any answer to an item changes: asked, seen, the untaught record, the angle
    credited or shown. Returns the state, this learner's estimates and the angle shown."""
    skill = lesson.entries[item.question].skill
    right = grade == Grade.EXACTLY
    state = replace(
        state,
        asked=recent(state.asked, item.question),
        answered=state.answered + 1,
        offer=None,
        last=item.question,
        seen_variants={**state.seen_variants, item.question: item.variant},
        seen=_add(state.seen, items.item_key(lesson, item.question, item.variant)),
    )
    if skill not in state.missed:
        record = (*state.untaught.get(skill, ()), grade)
        state = replace(state, untaught={**state.untaught, skill: record})
    known = Known(lesson, state, p_known, firsts)
    if state.pending_angle and item.role == Role.CHECK:
        state = angles.credit_angle(state, state.pending_angle, right)
    state = replace(state, pending_angle=None)
    angle = None
    if not right:
        state = replace(state, missed=_add(state.missed, skill))
        state, angle = angles.show_angle(lesson, state, item.question, rng)
    return state, known, angle


def _in_problem(
    lesson: LoadedLesson,
    state: State,
    grade: str,
    p_known: Mapping[str, float],
    firsts: Mapping[str, int],
    misconception_skill: str | None,
    rng: np.random.Generator,
) -> Decision:
    """A sub-step answered: the next one, or the problem done and the loop going on."""
    item = state.item
    ladder = state.ladder
    assert item is not None and ladder is not None
    mode = ladder.mode
    state, finished, right = ladders.after_substep(lesson, state, grade)
    if not finished:
        return Decision(state, None, None, solution=grade != Grade.EXACTLY)
    if mode == ladders.LADDER:
        # The whole problem was missed and taken in then: the loop goes on from that miss.
        known = Known(lesson, state, p_known, firsts)
        parent = Grade.NOT_QUITE
        decision = _continue(lesson, state, item, parent, known, None, misconception_skill, rng)
    else:
        parent = Grade.EXACTLY if right else Grade.NOT_QUITE
        state, known, angle = _take_in(lesson, state, item, parent, p_known, firsts, rng)
        decision = _continue(lesson, state, item, parent, known, angle, misconception_skill, rng)
    # The last part missed shows how it works out, as every part before it does.
    return replace(decision, solution=True) if grade != Grade.EXACTLY else decision


def _continue(
    lesson: LoadedLesson,
    state: State,
    item: Item,
    grade: str,
    p_known: Known,
    angle: str | None,
    misconception_skill: str | None,
    rng: np.random.Generator,
) -> Decision:
    """Where the loop goes after an item was answered with ``grade``."""
    skill = lesson.entries[item.question].skill
    right = grade == Grade.EXACTLY
    if item.role in sessions.SESSION_ROLES:
        following, over = sessions.after_item(lesson, state, skill=skill, right=right, rng=rng)
        return Decision(following, angle, f"{item.role}_done" if over else None, solution=not right)
    if item.role == Role.REVISIT:
        back = faults.after_revisit(lesson, state, p_known, rng)
        reason = Choice.REVISIT if back.return_to else "return"
        return Decision(back, angle, reason, solution=not right)
    if item.role == Role.REVIEW and not right:
        # A review is a second pass, and a miss there is met as anywhere else: another
        # angle (above), then a fresh item of the skill, in the review question's loop. That
        # check is the only one (``checks`` spent): whatever its answer, the review goes on.
        picked = _pick_check(lesson, replace(state, main=item.question), item, rng)
        if picked is not None:
            check, reason = picked
            state = replace(
                state,
                main=item.question,
                item=check,
                checks=MAX_CHECKS,
                loop_misses=1,
                pending_angle=angle,
            )
            return Decision(state, angle, reason)
        # Nothing fresh left to check it with: on, saying the idea is still shaky.
        return _marked_and_on(lesson, state, skill, p_known, angle, "review_moving_on", rng)
    if item.role == Role.REVIEW or right:
        next_state, finished = _advance(lesson, state, p_known, rng)
        reason = "review" if next_state.item and next_state.item.role == Role.REVIEW else None
        return Decision(next_state, angle, reason, finished, solution=not right)

    # A miss on the main question or one of its checks.
    misses = state.loop_misses + 1
    if state.checks >= MAX_CHECKS:
        # A review's check missed: the idea's reviews in this lesson may be over.
        reason = "moving_on" if state.phase == Phase.QUESTIONS else "review_moving_on"
        return _marked_and_on(lesson, state, skill, p_known, angle, reason, rng)
    picked = _pick_check(lesson, state, item, rng)
    if picked is None:  # every item of the skill has shown its answer: come back later
        return _marked_and_on(lesson, state, skill, p_known, angle, "no_fresh_check", rng)
    check, reason = picked
    offer = None
    if misses >= STUCK_AFTER:
        fault_skill = faults.trace_fault(lesson, skill, p_known, misconception_skill)
        fault_step = faults.step_of_skill(lesson, fault_skill) if fault_skill else None
        offer = Offer(skill, fault_step, fault_skill)
        if fault_step and not faults.revisit_questions(lesson, state, offer):
            # The weak idea's questions all lie ahead of the learner: nothing to go back to.
            offer = Offer(skill, None, None)
        reason = "stuck"
    state = replace(
        state,
        item=check,
        checks=state.checks + 1,
        loop_misses=misses,
        pending_angle=angle,
        offer=offer,
    )
    return Decision(state, angle, reason)


def _marked_and_on(
    lesson: LoadedLesson,
    state: State,
    skill: str,
    p_known: Known,
    angle: str | None,
    reason: str,
    rng: np.random.Generator,
) -> Decision:
    """On to the next item with ``skill`` marked for review, the answer missed worked out."""
    state = replace(state, review=_add(state.review, skill))
    next_state, finished = _advance(lesson, state, p_known, rng)
    return Decision(next_state, angle, reason, finished, solution=True)


def _add(values: tuple[str, ...], value: str) -> tuple[str, ...]:
    return values if value in values else (*values, value)


def _pick_check(
    lesson: LoadedLesson, state: State, item: Item, rng: np.random.Generator
) -> tuple[Item, str] | None:
    """Another item on the same skill that the learner has not seen, or None.

    Never an item whose answer the learner has been shown (``state.seen``): in order,
    one of the main question's own checks, the one just answered last (its feedback has
    just spoken to that very question); the question with new numbers whose answer
    differs; a check written for another question of the skill, one the learner has
    reached (a check written for a later question may lean on what that question's lead-in
    has yet to teach).
    """
    main = lesson.entries[state.main or item.question]
    reached = (main.step_index, main.main_index)

    def fresh(question_id: str) -> int | None:
        return items.unseen_variant(lesson, question_id, state.seen, rng)

    own = [check.id for check, _ in main.question.walk_checks()]
    for check_id in sorted(own, key=lambda q: q == item.question):  # a stable sort
        if (variant := fresh(check_id)) is not None:
            reason = "new_numbers" if check_id == item.question else "another_question"
            return Item(check_id, variant, Role.CHECK), reason
    for question_id in dict.fromkeys((main.question.id, item.question)):
        sampled = lesson.entries[question_id].question.sampled
        if sampled and (variant := fresh(question_id)) is not None:
            return Item(question_id, variant, Role.CHECK), "new_numbers"
    for question_id in lesson.questions_for_skill(main.skill):
        entry = lesson.entries[question_id]
        borrowable = entry.parent is not None and (entry.step_index, entry.main_index) <= reached
        if borrowable and (variant := fresh(question_id)) is not None:
            return Item(question_id, variant, Role.CHECK), "another_question"
    return None


def _loop_reset(state: State, **changes: Any) -> State:
    return replace(state, checks=0, loop_misses=0, pending_angle=None, offer=None, **changes)


def _advance(
    lesson: LoadedLesson, state: State, p_known: Known, rng: np.random.Generator
) -> tuple[State, str | None]:
    """The next item after a loop ends; returns the state and the step it finished, if any.

    Main questions on a skill the learner has already shown they master are
    skipped: a learner who knows the material is not kept answering it.
    """
    finished = None
    steps = lesson.lesson.steps
    while True:
        step_index = lesson.step_index(state.step)
        if step_index is None:  # callers relocate states first (see relocate.py)
            raise ValueError(f"step {state.step!r} is no longer in the lesson")
        step = lesson.step(step_index)
        ids = [q.id for q in step.questions]
        if state.phase == Phase.QUESTIONS:
            after = (
                0
                if state.main is None
                else (ids.index(state.main) + 1 if state.main in ids else len(ids))
            )
            following = next(
                (q for q in ids[after:] if not _skippable(lesson, state, q, p_known)), None
            )
            if following is not None:
                item = Item(following, new_variant(rng), Role.MAIN)
                return _loop_reset(
                    state, main=following, item=item, phase=Phase.QUESTIONS
                ), finished
            state = replace(state, phase=Phase.STEP_REVIEW, reviewed=())
        if state.phase == Phase.STEP_REVIEW:
            skills = [lesson.entries[q].skill for q in ids]
            review = _review_item(lesson, state, skills, p_known, rng)
            if review is not None:
                return review, finished
            finished = finished or step.id
            state = replace(state, completed=_add(state.completed, step.id))
            if step_index + 1 < len(steps):
                state = _loop_reset(
                    state, step=steps[step_index + 1].id, main=None, phase=Phase.QUESTIONS
                )
                continue
            state = replace(state, phase=Phase.LESSON_REVIEW, reviewed=())
        review = _review_item(lesson, state, list(state.missed), p_known, rng)
        return (review, finished) if review else (_finish(state), finished)


def _skippable(lesson: LoadedLesson, state: State, question_id: str, p_known: Known) -> bool:
    """The question's skill has been tried in this lesson and is mastered by now."""
    skill = lesson.entries[question_id].skill
    return skill in state.untaught and p_known.mastered(skill)


def _finish(state: State) -> State:
    return _loop_reset(state, item=None, main=None, phase=Phase.DONE)


def estimate(lesson: LoadedLesson, state: State, p_known: Mapping[str, float]) -> dict[str, float]:
    """Each skill's P(known) re-based on this learner's own prior (see ``mastery``).

    The learner's prior for a skill comes from their first attempts at the other
    skills of the lesson, so a skill's own evidence is not counted twice.
    """
    return dict(Known(lesson, state, p_known))


@lru_cache(maxsize=64)
def _skill_index(lesson: LoadedLesson) -> dict[str, int]:
    """Each skill's place among the lesson's skills (and in ``_own_priors``)."""
    return {skill.id: at for at, skill in enumerate(lesson.lesson.skills)}


@lru_cache(maxsize=2048)
def _own_priors(
    lesson: LoadedLesson, untaught: tuple[tuple[str, tuple[str, ...]], ...]
) -> tuple[tuple[float, bool], ...]:
    """Per skill of the lesson: the learner's own prior for it (from the other skills'
    untaught records) and whether it has an untaught record itself.

    Kept apart from the P(known)s: nearly every answer moves one of those, while the
    untaught record grows only until each skill is first taught, so these, a prior per
    skill, are worked out once and shared by the answers after."""
    params_of = mastery.skill_params(lesson)
    return tuple(
        (
            mastery.learner_prior([g for s, g in untaught if s != skill.id], params_of[skill.id]),
            any(s == skill.id for s, _ in untaught),
        )
        for skill in lesson.lesson.skills
    )


def needs_review(skill: str, state: State, p_known: Known) -> bool:
    """A skill comes back when it was missed and is still below mastery, or was marked."""
    if skill in state.review:
        return True
    return skill in state.missed and not p_known.mastered(skill)


def _review_item(
    lesson: LoadedLesson,
    state: State,
    skills: list[str],
    p_known: Known,
    rng: np.random.Generator,
) -> State | None:
    for skill in dict.fromkeys(skills):
        if skill in state.reviewed or not needs_review(skill, state, p_known):
            continue
        here = lesson.step_index(state.step) or 0
        # Nothing from a step the learner has not reached yet.
        pool = [
            q for q in lesson.questions_for_skill(skill) if lesson.entries[q].step_index <= here
        ]
        if not pool:
            continue
        # The least recently asked item of the skill, with new numbers: one whose answer the
        # learner has not been shown where there is any (a re-seen item is weak evidence).
        last_asked = {q: i for i, q in enumerate(state.asked)}
        ordered = sorted(pool, key=lambda q: last_asked.get(q, -1))
        item = next(
            (
                Item(q, variant, Role.REVIEW)
                for q in ordered
                if (variant := items.unseen_variant(lesson, q, state.seen, rng)) is not None
            ),
            Item(ordered[0], new_variant(rng), Role.REVIEW),
        )
        return _loop_reset(
            state,
            item=item,
            reviewed=(*state.reviewed, skill),
            review=tuple(s for s in state.review if s != skill),
        )
    return None


# --- fault tracing and stepping back ------------------------------------------------


def choose(
    lesson: LoadedLesson,
    state: State,
    choice: str,
    *,
    p_known: Mapping[str, float],
    firsts_right: Mapping[str, int] | None = None,
    rng: np.random.Generator,
) -> Decision:
    """Act on the learner's answer to an offer: ``another_angle``, ``revisit`` or ``go_on``."""
    offer = state.offer
    if offer is None or state.item is None:
        raise ValueError("there is no offer to answer right now")
    raw, firsts = p_known, firsts_right or {}
    p_known = Known(lesson, state, p_known, firsts)
    if choice == Choice.GO_ON:
        state = replace(state, review=_add(state.review, offer.skill), ladder=None)
        next_state, finished = _advance(lesson, state, p_known, rng)
        decision = Decision(next_state, None, "moving_on", finished)
        return _presented(lesson, decision, state.item, raw, firsts)
    if choice == Choice.ANOTHER_ANGLE:
        state, angle = angles.show_on_screen(lesson, state, rng)
        if angle is None:
            raise ValueError("there is no other way to see this question to show")
        return Decision(
            replace(state, offer=None, pending_angle=angle), angle, Choice.ANOTHER_ANGLE
        )
    if choice == Choice.REVISIT and offer.fault_step and offer.fault_skill:
        return Decision(faults.start_revisit(lesson, state, offer, rng), None, Choice.REVISIT)
    offered = ", ".join(offers.choices(lesson, state))
    raise ValueError(f"choice: {str(choice)!r} is not one of the choices offered ({offered})")
