"""The next-item policy, pure: sequences of answers and the decisions they must lead to."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tutor.lessons import variants
from tutor.lessons.catalog import load_catalog
from tutor.lessons.kinds import KINDS, Seat
from tutor.teaching import adaptive, angles, faults, items, mastery, sessions
from tutor.teaching.adaptive import State, after_answer, choose, start
from tutor.teaching.state import Item, Offer
from tutor.vocabulary import Role

DATA = Path(__file__).parents[1] / "data"
LESSON = load_catalog([DATA]).lessons["mini"]
WEAK = {"score": 0.3, "compute": 0.3}
STRONG = {"score": 0.99, "compute": 0.99}


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# Mastery needs an item right at first sight as well as a high P(known).
RIGHT_ONCE = {"score": 1, "compute": 1}


def play(grades: list[str], p_known=WEAK, state: State | None = None, firsts=RIGHT_ONCE):
    """Answer the current items with ``grades`` in turn; return the states and decisions."""
    state = state or start(LESSON, rng())
    trail = []
    for i, grade in enumerate(grades):
        decision = after_answer(
            LESSON, state, grade, p_known=p_known, firsts_right=firsts, rng=rng(i + 1)
        )
        trail.append((state, decision))
        state = decision.state
    return state, trail


def track(grades: list[str]):
    """Like ``play`` from the start, with P(known) tracked from the prior as the service does."""
    state = start(LESSON, rng())
    p_known = {"score": mastery.PRIOR, "compute": mastery.PRIOR}
    trail = []
    for i, grade in enumerate(grades):
        skill = LESSON.entries[state.item.question].skill
        p_known = {**p_known, skill: mastery.update(p_known[skill], grade)}
        decision = after_answer(LESSON, state, grade, p_known=p_known, rng=rng(i + 1))
        trail.append((state, decision))
        state = decision.state
    return state, trail


def asked(trail) -> list[tuple[str, str]]:
    return [(s.item.question, s.item.role) for s, _ in trail]


def test_a_learner_who_knows_it_all_sees_each_question_once():
    state, trail = track(["exactly"] * 3)
    assert asked(trail) == [("what-loss-does", "main"), ("order", "main"), ("mse-number", "main")]
    assert state.done and state.phase == "done"
    assert [d.angle for _, d in trail] == [None, None, None]
    assert trail[1][1].finished_step == "loss" and trail[2][1].finished_step == "compute"


def test_a_skill_already_mastered_is_not_asked_again():
    # "order" is on the skill just answered, which is mastered by now: on to the next step.
    state, trail = play(["exactly"], p_known=STRONG)
    assert state.item.question == "mse-number" and state.item.role == "main"
    assert trail[0][1].finished_step == "loss" and "loss" in state.completed


def test_a_skill_never_tried_is_asked_however_likely_it_seems():
    state = after_answer(
        LESSON,
        start(LESSON, rng()),
        "exactly",
        p_known=STRONG,
        firsts_right=RIGHT_ONCE,
        rng=rng(1),
    )
    assert state.state.item.question == "mse-number"  # compute is untried: asked, not skipped


def test_a_learner_who_knew_the_other_skills_is_trusted_sooner():
    right = State("loss", None, None, untaught={"compute": ("exactly", "exactly")})
    wrong = State("loss", None, None, untaught={"compute": ("not_quite",)})
    p_known = {"score": mastery.update(mastery.PRIOR, "exactly"), "compute": 0.5}
    here = adaptive.estimate(LESSON, right, p_known)["score"]
    there = adaptive.estimate(LESSON, wrong, p_known)["score"]
    alone = adaptive.estimate(LESSON, State("loss", None, None), p_known)["score"]
    assert alone == pytest.approx(p_known["score"])
    assert there < alone < here


def test_a_miss_shows_an_angle_then_checks_with_another_item():
    state, trail = track(["not_quite", "exactly"])
    first = trail[0][1]
    assert first.angle in ("analogy", "numbers") and first.reason == "another_question"
    assert asked(trail) == [("what-loss-does", "main"), ("what-loss-does-again", "check")]
    assert state.item.question == "order" and state.item.role == "main"


@pytest.mark.parametrize(
    ("grades", "reasons"),
    [
        (["close", "close"], ["another_question", "stuck"]),
        (["not_sure", "not_quite", "not_quite"], ["another_question", "stuck", "stuck"]),
    ],
)
def test_two_misses_offer_a_kind_way_out(grades, reasons):
    state, trail = play(grades)
    assert [d.reason for _, d in trail] == reasons
    assert state.offer is not None and state.offer.skill == "score"
    assert state.offer.fault_step is None  # score has no prerequisite to blame


def test_never_more_than_three_checks_then_move_on_marked_for_review():
    state, trail = play(["not_quite"] * 4)
    roles = [role for _, role in asked(trail)]
    assert roles == ["main", "check", "check", "check"]
    last = trail[-1][1]
    assert last.reason == "moving_on" and "score" in last.state.review
    assert state.item.question == "order"


def test_checks_are_never_the_identical_item():
    _, trail = play(["not_quite"] * 4)
    items = [(s.item.question, s.item.variant) for s, _ in trail]
    assert len(set(items)) == len(items)


def test_a_sampled_question_is_checked_with_new_numbers():
    state, _ = track(["exactly", "exactly"])
    before = state.item
    decision = after_answer(LESSON, state, "not_quite", p_known=WEAK, rng=rng(9))
    check = decision.state.item
    assert decision.reason == "new_numbers"
    assert check.question == before.question == "mse-number" and check.role == "check"
    question = LESSON.entries["mse-number"].question
    assert variants.draw_params(question, check.variant) != variants.draw_params(
        question, before.variant
    )


@pytest.mark.parametrize(("p_score", "reviewed"), [(0.5, True), (0.99, False)])
def test_missed_skills_below_mastery_come_back_at_the_end_of_the_step(p_score, reviewed):
    p_known = {"score": p_score, "compute": 0.5}
    # The main question, its check, then (while score is not mastered) "order".
    grades = ["not_quite", "exactly", "exactly"] if reviewed else ["not_quite", "exactly"]
    state, trail = play(grades, p_known=p_known)
    if reviewed:
        assert state.item.role == "review" and state.step == "loss"
        assert LESSON.entries[state.item.question].skill == "score"
        assert trail[-1][1].reason == "review"
        reviewed_question = state.item.question
        state, trail = play(["not_quite", "not_quite"], p_known=p_known, state=state)
        # A miss in review: another angle and one fresh check of the skill, then on,
        # whatever the check's answer: never trapped.
        missed, check = trail[0][1], trail[1][0].item
        assert missed.angle is not None and missed.reason in ("another_question", "new_numbers")
        assert check.role == "check" and LESSON.entries[check.question].skill == "score"
        assert (check.question, check.variant) != (reviewed_question, trail[0][0].item.variant)
        assert trail[1][1].reason == "review_moving_on" and "score" in trail[1][1].state.review
        assert state.item.question == "mse-number"
        assert trail[1][1].finished_step == "loss"
    else:
        assert state.item.question == "mse-number"


def test_a_review_check_answered_right_goes_on_with_the_review():
    p_known = {"score": 0.5, "compute": 0.5}
    state, _ = play(["not_quite", "exactly", "exactly"], p_known=p_known)
    assert state.item.role == "review"
    state, trail = play(["not_quite", "exactly"], p_known=p_known, state=state)
    assert trail[1][0].item.role == "check" and trail[1][0].main == trail[0][0].item.question
    assert trail[1][1].reason is None and trail[1][1].finished_step == "loss"
    assert state.item.question == "mse-number" and state.offer is None
    # The angle shown before the check is credited with the check's answer.
    angle, before = trail[0][1].angle, trail[0][0].angle_stats
    wins, losses = before.get(angle, (0, 0))
    assert state.angle_stats == {**before, angle: (wins + 1, losses)}


def test_a_review_missed_with_no_fresh_item_left_goes_on():
    p_known = {"score": 0.5, "compute": 0.5}
    state, _ = play(["not_quite", "exactly", "exactly"], p_known=p_known)
    seen = tuple(
        items.item_key(LESSON, q, v)
        for q in LESSON.questions_for_skill("score")
        for v in range(variants.VARIANTS)
    )
    decision = after_answer(
        LESSON, replace(state, seen=seen), "not_quite", p_known=p_known, rng=rng(3)
    )
    assert decision.state.item.question == "mse-number" and decision.finished_step == "loss"
    # Said as it is: the idea still looks shaky (not "a quick review" of what comes next).
    assert decision.reason == "review_moving_on" and "score" in decision.state.review
    assert decision.solution


def test_fault_tracing_points_at_the_weak_prerequisite_step():
    state, _ = track(["exactly", "exactly"])
    state, trail = play(
        ["not_quite", "not_quite"], p_known={"score": 0.2, "compute": 0.2}, state=state
    )
    assert trail[-1][1].reason == "stuck"
    assert state.offer.fault_step == "loss" and state.offer.fault_skill == "score"


def test_a_misconception_tied_to_an_earlier_skill_names_it():
    assert faults.trace_fault(LESSON, "compute", {"score": 0.99}, "score") == "score"
    assert faults.trace_fault(LESSON, "compute", {"score": 0.99}) is None


def test_going_back_to_the_weak_step_returns_to_the_same_item():
    state, _ = track(["exactly", "exactly"])
    state, _ = play(["not_quite", "not_quite"], p_known={"score": 0.2, "compute": 0.2}, state=state)
    waiting = state.item
    decision = choose(LESSON, state, "revisit", p_known=WEAK, rng=rng(3))
    back = decision.state
    assert back.item.role == "revisit" and LESSON.entries[back.item.question].skill == "score"
    for i in range(5):
        if back.item != waiting and back.item.role == "revisit":
            back = after_answer(LESSON, back, "exactly", p_known=WEAK, rng=rng(10 + i)).state
    assert back.item == waiting and back.return_to is None


def test_a_step_back_never_asks_a_question_the_learner_has_not_reached():
    offer = Offer("score", "loss", "score")
    at_second = State("loss", "order", Item("order", 1, "main"))
    assert faults.revisit_questions(LESSON, at_second, offer) == ["what-loss-does"]
    at_first = State("loss", "what-loss-does", Item("what-loss-does", 1, "main"))
    assert faults.revisit_questions(LESSON, at_first, offer) == []  # "order" lies ahead
    in_later_step = State("compute", "mse-number", Item("mse-number", 1, "main"))
    assert faults.revisit_questions(LESSON, in_later_step, offer) == ["what-loss-does", "order"]


def test_no_step_back_is_offered_into_questions_that_lie_ahead(monkeypatch):
    # Stuck on the step's first question, with the trouble traced to an idea whose questions
    # in this step all come after it: there is nothing the learner has met to go back to.
    monkeypatch.setattr(faults, "trace_fault", lambda *args: "score")
    state, trail = play(["not_quite", "not_quite"], p_known={"score": 0.2, "compute": 0.2})
    assert trail[-1][1].reason == "stuck" and state.main == "what-loss-does"
    assert state.offer is not None and state.offer.fault_step is None


def test_going_on_marks_the_skill_for_review():
    state, _ = play(["not_quite", "not_quite"])
    decision = choose(LESSON, state, "go_on", p_known=WEAK, rng=rng(4))
    assert "score" in decision.state.review or decision.state.item.role == "review"
    assert (
        decision.state.item.question != state.item.question or decision.state.item.role != "check"
    )


def test_a_check_that_borrows_explanations_never_repeats_one_in_a_row():
    state, trail = play(["not_quite", "not_quite"])
    # The check has no explanations of its own: both misses drew on its question's two.
    shown = [d.angle for _, d in trail]
    assert sorted(shown) == ["analogy", "numbers"]
    assert state.angles == {"what-loss-does": tuple(shown)}
    decision = choose(LESSON, state, "another_angle", p_known=WEAK, rng=rng(5))
    assert decision.state.item == state.item
    # Every angle has been shown: the one shown longest ago comes back, not the last one.
    assert decision.angle == shown[0]


def test_an_explanation_uses_the_numbers_the_learner_saw():
    state, _ = play(["exactly", "exactly"])
    asked = state.item  # the numeric question, in some variant
    decision = after_answer(LESSON, state, "not_quite", p_known=WEAK, rng=rng(9))
    source = angles.explanation_source(LESSON, decision.state, asked.question)
    assert source is not None and (source.owner, source.variant) == (
        asked.question,
        asked.variant,
    )


def test_an_offer_must_exist_to_be_answered():
    with pytest.raises(ValueError, match="no offer"):
        choose(LESSON, start(LESSON, rng()), "go_on", p_known=WEAK, rng=rng())


def test_angles_that_worked_before_are_preferred():
    state = replace(start(LESSON, rng()), angle_stats={"analogy": (30, 0), "numbers": (0, 30)})
    picks = [
        after_answer(LESSON, state, "not_quite", p_known=WEAK, rng=rng(i)).angle for i in range(40)
    ]
    assert picks.count("analogy") >= 38


def test_a_new_learner_still_sees_variety():
    state = start(LESSON, rng())
    picks = {
        after_answer(LESSON, state, "not_quite", p_known=WEAK, rng=rng(i)).angle for i in range(40)
    }
    assert picks == {"analogy", "numbers"}


def test_a_right_check_credits_the_angle_shown_before_it():
    state, trail = play(["not_quite", "exactly"])
    angle = trail[0][1].angle
    assert state.angle_stats == {angle: (1, 0)}


def test_the_state_survives_a_json_round_trip():
    state, _ = play(["not_quite", "not_quite"])
    assert state.untaught == {"score": ("not_quite",)}
    again = State.from_json(json.loads(json.dumps(state.to_json())))
    assert again == state


def test_a_state_stored_before_the_untaught_record_still_loads():
    state, _ = play(["exactly", "exactly"])
    stored = state.plain()  # every field, as states were stored then
    del stored["untaught"]
    old = State.from_json(json.loads(json.dumps(stored)))
    assert old.untaught == {} and old.item == state.item
    decision = after_answer(LESSON, old, "exactly", p_known=WEAK, rng=rng(7))
    assert decision.state.untaught == {"compute": ("exactly",)}


def test_with_every_answer_of_the_skill_shown_the_tutor_moves_on_and_says_so():
    # The learner has been shown the answers of every item of the skill "score".
    state = start(LESSON, rng())
    seen = tuple(items.item_key(LESSON, q, 0) for q in LESSON.questions_for_skill("score"))
    state = replace(state, seen=seen)
    decision = after_answer(LESSON, state, "not_quite", p_known=WEAK, firsts_right={}, rng=rng(1))
    assert decision.reason == "no_fresh_check"
    assert "score" in decision.state.review
    assert decision.state.item.question == "order" and decision.state.item.role == "main"
    assert decision.solution  # the worked answer is shown instead of a check


def test_a_practice_run_inside_a_step_back_carries_the_step_back_on_after():
    _, trail = play(["not_quite", "not_quite"])
    state = trail[-1][1].state
    inside = replace(state, revisit=("order",), return_to={"step": "loss", "item": None})
    plan = sessions.practice_plan(LESSON, inside, ["compute"])
    running = sessions.start(LESSON, inside, plan, Role.PRACTICE, rng(3))
    assert running.item.role == "practice" and running.revisit == ()
    after, over = sessions.after_item(LESSON, running, skill="compute", right=True, rng=rng(4))
    assert over
    assert after.revisit == ("order",) and after.return_to == {"step": "loss", "item": None}
    assert after.item == state.item and after.session == ()


def test_a_review_prefers_an_item_whose_answer_the_learner_has_not_been_shown():
    p_known = {"score": 0.5, "compute": 0.5}
    state, _ = play(["not_quite", "exactly", "exactly"], p_known=p_known)
    assert state.item.role == "review"
    before = state.item.question
    # Every variant of that question has been shown: the review goes to another item of the
    # skill whose answer is still unseen.
    pool = LESSON.questions_for_skill("score")
    shown = {items.item_key(LESSON, before, v) for v in range(variants.VARIANTS)}
    again = adaptive._review_item(
        LESSON,
        replace(state, seen=(*state.seen, *shown), reviewed=(), review=("score",)),
        ["score"],
        adaptive.Known(LESSON, state, p_known, RIGHT_ONCE),
        rng(7),
    )
    assert again is not None and again.item.question != before
    assert again.item.question in pool
    assert items.item_key(LESSON, again.item.question, again.item.variant) not in shown


def test_a_question_with_fixed_numbers_reads_the_same_for_every_seed():
    """Rendered once and copied for other seeds: the same texts and identity, while each
    seed still orders and names its options for itself."""
    lesson = LESSON
    fixed = next(
        e.question
        for e in lesson.entries.values()
        if not e.question.sampled and e.question.kind == "choice"
    )
    topic = lesson.lesson.default_topic
    first = items.rendered(lesson, fixed.id, 11, topic)
    other = items.rendered(lesson, fixed.id, 12, topic)
    fresh = variants.render_question(lesson.lesson, fixed, skill=first.skill, seed=12, topic=topic)
    assert (other.seed, first.seed) == (12, 11)
    assert other.prompt == fresh.prompt == first.prompt
    assert [o.text for o in other.options] == [o.text for o in fresh.options]
    assert items.item_key(lesson, fixed.id, 11) == items.item_key(lesson, fixed.id, 12)
    seat = Seat(key=b"k" * 32, learner="someone")
    ids = {kind_id for kind_id, _ in KINDS[fixed.kind].served(first, seat)}
    assert ids.isdisjoint(kind_id for kind_id, _ in KINDS[fixed.kind].served(other, seat))


def test_every_variant_the_policy_gives_is_one_the_validator_checked():
    """Variants are the seeds 0 to VARIANTS - 1, every one rendered by `tutor validate`."""
    _, trail = play(["not_quite", "exactly", "not_quite", "not_quite", "exactly", "exactly"])
    given = {state.item.variant for state, _ in trail}
    assert len(given) >= 2 and given <= set(range(variants.VARIANTS))


def test_an_unseen_variant_is_one_whose_answer_was_not_shown_until_none_is_left():
    question = "mse-number"
    keys = {v: items.item_key(LESSON, question, v) for v in range(variants.VARIANTS)}
    answers = sorted(set(keys.values()))
    assert len(answers) >= 2
    for left in answers:  # every answer shown but one: the variant given shows that one
        shown = [a for a in answers if a != left]
        assert keys[items.unseen_variant(LESSON, question, shown, rng(5))] == left
    assert items.unseen_variant(LESSON, question, answers, rng(5)) is None


def test_a_question_with_fixed_numbers_has_one_answer_for_every_variant():
    fixed = next(q for q, e in LESSON.entries.items() if not e.question.sampled)
    key = items.item_key(LESSON, fixed, 0)
    assert items.unseen_variant(LESSON, fixed, [key], rng(1)) is None
    assert items.unseen_variant(LESSON, fixed, [], rng(1)) in range(variants.VARIANTS)


SHIPPED = load_catalog([Path(__file__).resolve().parents[2] / "lessons"]).lessons


def test_a_check_is_borrowed_only_from_a_question_the_learner_has_reached():
    """A miss on `no-right-answer` once borrowed `kl-strength`, a check written for the
    question after it, which asks about the drift penalty before its lead-in teaches it."""
    lesson = SHIPPED["loss-functions"]
    step = lesson.lesson.steps[lesson.entries["no-right-answer"].step_index].id
    own = "needs-learned-reward"
    seen = tuple(items.item_key(lesson, own, v) for v in range(variants.VARIANTS))
    at_first = State(step=step, main="no-right-answer", item=Item("no-right-answer", 0, Role.MAIN))
    assert adaptive._pick_check(lesson, at_first, at_first.item, rng())[0].question == own
    # Its own check shown: nothing further on is borrowed, so there is no fresh check.
    done = replace(at_first, seen=seen)
    assert adaptive._pick_check(lesson, done, done.item, rng()) is None
    # From the later question, the earlier question's check may be borrowed.
    later_checks = ("kl-strength", "kl-fix")
    later = State(
        step=step,
        main="kl-penalty",
        item=Item("kl-penalty", 0, Role.MAIN),
        seen=tuple(items.item_key(lesson, q, 0) for q in later_checks),
    )
    assert adaptive._pick_check(lesson, later, later.item, rng())[0].question == own


def test_after_a_missed_check_the_next_is_another_check_before_the_same_one_again():
    """The feedback on a missed check has just spoken to that very question: the same one
    with new numbers would ask what it told. A question with two checks alternates them."""
    lesson = SHIPPED["how-a-network-learns"]
    step = lesson.lesson.steps[lesson.entries["compute-z"].step_index].id
    state = State(step=step, main="compute-z", item=Item("all-features-zero", 0, Role.CHECK))
    picked, reason = adaptive._pick_check(lesson, state, state.item, rng())
    assert (picked.question, reason) == ("one-feature-on", "another_question")
    state = replace(state, item=Item("one-feature-on", 0, Role.CHECK))
    picked, reason = adaptive._pick_check(lesson, state, state.item, rng())
    assert (picked.question, reason) == ("all-features-zero", "another_question")
    # Every variant of the other check seen: the same question with new numbers, said so.
    others = tuple(items.item_key(lesson, "all-features-zero", v) for v in range(variants.VARIANTS))
    picked, reason = adaptive._pick_check(lesson, replace(state, seen=others), state.item, rng())
    assert (picked.question, reason) == ("one-feature-on", "new_numbers")


def test_a_fault_is_traced_to_the_nearest_weak_prerequisite_first():
    """A weak direct prerequisite is named before a weaker one further back: the helper
    behind a miss on the KL penalty is the idea just before it, not MAE three steps back."""
    lesson = SHIPPED["loss-functions"]
    p_known = {s.id: 0.9 for s in lesson.lesson.skills}
    p_known |= {"misleading-objectives": 0.5, "mae-vs-mse": 0.1}
    skill = "reward-model-objectives"
    assert faults.trace_fault(lesson, skill, p_known) == "misleading-objectives"
    # With the direct one known, the weak one further back is still found.
    p_known["misleading-objectives"] = 0.9
    assert faults.trace_fault(lesson, skill, p_known) == "mae-vs-mse"
