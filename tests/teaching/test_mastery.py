"""Knowledge tracing with graded evidence: pure tables."""

from __future__ import annotations

import pytest

from tutor.teaching import mastery
from tutor.teaching.mastery import Params, likelihood, update


@pytest.mark.parametrize("known", [True, False])
def test_the_grade_likelihoods_sum_to_one(known: bool):
    assert sum(likelihood(g, known=known) for g in mastery.GRADES) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("grade", "direction"),
    [("exactly", "up"), ("close", "up"), ("not_quite", "down"), ("not_sure", "down")],
)
def test_each_grade_moves_belief_the_documented_way(grade: str, direction: str):
    # Without the learning step, only the evidence moves P(known).
    params = Params(learn=1e-9)
    after = update(0.5, grade, params)
    assert (after > 0.5) if direction == "up" else (after < 0.5)


def test_exactly_is_strong_evidence_and_close_weak():
    params = Params(learn=1e-9)
    assert update(0.5, "exactly", params) - 0.5 > 3 * (update(0.5, "close", params) - 0.5)


def test_not_sure_is_not_counted_as_a_lucky_guess():
    # Not sure is evidence against knowing, at least as strongly as Not quite.
    params = Params(learn=1e-9)
    assert update(0.5, "not_sure", params) <= update(0.5, "not_quite", params)


def test_the_documented_first_update_from_the_prior():
    # 0.1 * 0.9 / (0.1 * 0.9 + 0.9 * 0.2) = 1/3, then + (2/3) * 0.1 = 0.4
    assert update(mastery.PRIOR, "exactly") == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("grades", "mastered"),
    [
        (["exactly"] * 3, False),
        (["exactly"] * 4, True),
        (["exactly", "exactly", "not_quite", "exactly"], False),
        (["not_sure"] * 5, False),
        (["close"] * 6, False),
    ],
)
def test_mastery_needs_consistent_evidence(grades: list[str], mastered: bool):
    p = mastery.PRIOR
    for grade in grades:
        p = update(p, grade)
    assert mastery.is_mastered(p) is mastered


def test_lessons_may_override_the_parameters():
    class Override:
        prior, learn, guess, slip = 0.5, None, None, 0.05

    params = Params.of(Override())
    assert (params.prior, params.learn, params.guess, params.slip) == (0.5, 0.1, 0.2, 0.05)
    assert Params.of(None) == Params()


def test_an_unknown_grade_is_refused():
    with pytest.raises(ValueError, match="grade"):
        update(0.5, "maybe")


@pytest.mark.parametrize(
    ("p", "attempts", "review", "label"),
    [
        (0.1, 0, False, "not started"),
        (0.4, 1, False, "getting there"),
        (0.97, 4, False, "solid"),
        (0.97, 4, True, "review"),
    ],
)
def test_labels(p: float, attempts: int, review: bool, label: str):
    assert mastery.label(p, attempts=attempts, review=review) == label


# --- this learner's own prior --------------------------------------------------------


def test_with_no_record_the_learner_prior_is_the_lessons():
    assert mastery.learner_prior([]) == pytest.approx(mastery.PRIOR)
    assert mastery.learner_prior([], Params(prior=0.3)) == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ([["exactly"]] * 8, 0.866),
        ([["not_quite"]] * 8, 0.012),
        ([["exactly", "exactly"]] * 4, 0.807),  # two right on four skills
        ([["exactly"]] * 8 + [["not_quite"]], 0.788),
    ],
)
def test_the_learner_prior_follows_their_first_answers(records, expected):
    assert mastery.learner_prior(records) == pytest.approx(expected, abs=0.001)


def test_each_right_opening_raises_the_learner_prior_and_each_miss_lowers_it():
    rising = [mastery.learner_prior([["exactly"]] * n) for n in range(10)]
    falling = [mastery.learner_prior([["not_sure"]] * n) for n in range(10)]
    assert rising == sorted(rising) and falling == sorted(falling, reverse=True)


@pytest.mark.parametrize("grade", mastery.GRADES)
@pytest.mark.parametrize("own", [0.02, 0.1, 0.5, 0.9])
def test_re_basing_one_attempt_is_exact(grade: str, own: float):
    tracked = update(mastery.PRIOR, grade)
    again = mastery.individual(tracked, learner_prior=own, attempted=True)
    assert again == pytest.approx(update(own, grade))


def test_a_skill_not_attempted_is_at_the_learner_prior():
    assert mastery.individual(mastery.PRIOR, learner_prior=0.7, attempted=False) == 0.7


@pytest.mark.parametrize(
    ("records", "p_after_one_exactly"),
    [([], 0.40), ([["exactly"]] * 8, 0.97), ([["not_quite"]] * 8, 0.15)],
)
def test_the_documented_effect_of_a_record(records, p_after_one_exactly):
    own = mastery.learner_prior(records)
    p = mastery.individual(update(mastery.PRIOR, "exactly"), learner_prior=own, attempted=True)
    assert p == pytest.approx(p_after_one_exactly, abs=0.005)
