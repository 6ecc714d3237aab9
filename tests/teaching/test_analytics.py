"""Analytics on a hand-made attempt log whose right answers are known."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.lessons.catalog import load_catalog
from tutor.teaching import analytics

LESSON = load_catalog([Path(__file__).parents[1] / "data"]).lessons["mini"]
V = LESSON.content_hash
# In mini.yaml, what-loss-does's options are: 0 exactly, 1 not_quite, 2 close.
STEP = {
    "what-loss-does": "loss",
    "what-loss-does-again": "loss",
    "order": "loss",
    "mse-number": "compute",
}
SKILL = {
    "what-loss-does": "score",
    "what-loss-does-again": "score",
    "order": "score",
    "mse-number": "compute",
}


def log() -> list[dict]:
    rows = []

    def add(learner, question, grade, option=None, angle=None, role="main", version=V):
        rows.append(
            {
                "id": len(rows) + 1,
                "learner_id": learner,
                "lesson_hash": version,
                "question_id": question,
                "step_id": STEP[question],
                "skill_id": SKILL[question],
                "grade": grade,
                "option_index": option,
                "angle": angle,
                "role": role,
                "first_try": True,
            }
        )

    add("A", "what-loss-does", "exactly", 0)
    add("A", "order", "exactly", 0)
    add("A", "mse-number", "exactly")
    add("B", "what-loss-does", "not_quite", 1, angle="analogy")
    add("B", "what-loss-does-again", "exactly", 0, role="check")
    add("B", "order", "exactly", 0)
    add("B", "mse-number", "close", angle="formal")
    add("B", "mse-number", "not_quite", role="check")
    add("C", "what-loss-does", "not_sure", angle="numbers")
    add("C", "what-loss-does-again", "not_quite", 1, role="check")
    add("D", "what-loss-does", "exactly", 0)
    add("E", "what-loss-does", "exactly", 0)
    add("E", "order", "exactly", 0)
    add("E", "what-loss-does-again", "exactly", 0, role="review")
    add("E", "order", "exactly", 0, role="review")
    add("Z", "what-loss-does", "not_quite", 1, version="an-older-version")
    return rows


REPORT = analytics.report(LESSON, log())


def question(qid):
    return next(q for q in REPORT.questions if q.question_id == qid)


def test_only_the_requested_version_counts():
    assert REPORT.learners == 5 and REPORT.attempts == 15
    older = analytics.report(LESSON, log(), version="an-older-version")
    assert older.learners == 1 and question("what-loss-does") is not None


def test_first_try_rate_and_distractors():
    q = question("what-loss-does")
    assert (q.attempts, q.learners) == (5, 5)
    assert q.first_try_exactly == pytest.approx(3 / 5)
    assert q.picks == {"0": 3, "1": 1, "not_sure": 1}


def test_discrimination_against_the_rest_of_the_lesson():
    # First answers right: A1 B0 C0 D1 E1. Rest of the lesson: A 2/2, B 2/3, C 0/1,
    # D 0 (nothing else answered), E 2/2 (its review of the check counts as a first answer).
    flags = [1, 0, 0, 1, 1]
    rest = [1.0, 2 / 3, 0.0, 0.0, 1.0]
    expected = analytics.point_biserial(flags, rest)
    assert question("what-loss-does").discrimination == pytest.approx(expected)
    assert expected == pytest.approx(0.3612, abs=1e-3)
    # mse-number: A right, B wrong; their rest scores 1 and 2/3.
    assert question("mse-number").discrimination == pytest.approx(1.0)


def test_point_biserial_is_none_without_variation():
    assert analytics.point_biserial([1, 1, 1], [0.1, 0.5, 0.9]) is None
    assert analytics.point_biserial([1, 0], [0.5, 0.5]) is None


def test_skills_mastery_and_review():
    score = next(s for s in REPORT.skills if s.skill_id == "score")
    # Only E reaches P(known) >= 0.95: after its fourth Exactly.
    assert (score.learners, score.mastered, score.median_tries_to_mastery) == (5, 1, 4)
    assert score.review_share == pytest.approx(1 / 5)
    compute = next(s for s in REPORT.skills if s.skill_id == "compute")
    assert (compute.learners, compute.mastered, compute.median_tries_to_mastery) == (2, 0, None)


def test_tries_to_mastery_take_the_tutor_s_verdict_at_each_answer_where_it_was_kept():
    rows = [
        {**row, "solid": row["learner_id"] == "A" and row["question_id"] == "order"}
        for row in log()
        if row["learner_id"] in ("A", "B")
    ]
    score = next(s for s in analytics.report(LESSON, rows).skills if s.skill_id == "score")
    # A was held mastered at its second first try of the skill, B never: where the verdict
    # was kept, no replay from the skill's prior second-guesses it.
    assert (score.learners, score.mastered, score.median_tries_to_mastery) == (2, 1, 2)


def test_a_skill_held_mastered_now_counts_with_the_tries_it_took():
    # B was never held mastered at an answer, but is now (its own prior rose since).
    rows = [row for row in log() if row["learner_id"] == "B"]
    report = analytics.report(LESSON, rows, solid={"B": {"compute"}})
    compute = next(s for s in report.skills if s.skill_id == "compute")
    assert (compute.mastered, compute.median_tries_to_mastery) == (1, 2)
    score = next(s for s in report.skills if s.skill_id == "score")
    assert score.mastered == 0


def test_the_step_funnel():
    # Without stored states, a step counts as finished once a later one was reached.
    assert [(s.step_id, s.reached, s.finished, s.stopped_here) for s in REPORT.steps] == [
        ("loss", 5, 2, 3),
        ("compute", 2, 0, 2),
    ]
    # A finished the lesson: it did not stop anywhere.
    done = analytics.report(LESSON, log(), completed={"A": {"loss", "compute"}})
    assert [(s.step_id, s.reached, s.finished, s.stopped_here) for s in done.steps] == [
        ("loss", 5, 2, 3),
        ("compute", 2, 1, 1),
    ]


def test_a_skill_marked_for_review_counts_before_its_review_is_asked():
    marked = analytics.report(LESSON, log(), marked={"C": {"score"}})
    score = next(s for s in marked.skills if s.skill_id == "score")
    assert score.review_share == pytest.approx(2 / 5)


def test_angles_credit_the_next_answer():
    rates = {a.angle: (a.shown, a.next_right) for a in REPORT.angles}
    assert rates == {"analogy": (1, 1), "numbers": (1, 0), "picture": (0, 0), "formal": (1, 0)}


def test_csv_tables():
    rows = analytics.csv_rows(REPORT, "questions")
    assert rows[0][:4] == ["question_id", "step_id", "skill_id", "attempts"]
    assert rows[1][:6] == ["what-loss-does", "loss", "score", 5, 5, "0.6"]
    assert analytics.csv_rows(REPORT, "options")[1] == ["what-loss-does", "0", "", "", 3]
    labels = {"what-loss-does": {"0": ("exactly", "It scores the miss")}}
    assert analytics.csv_rows(REPORT, "options", labels)[1] == [
        "what-loss-does",
        "0",
        "exactly",
        "It scores the miss",
        3,
    ]
    # A numeric question's picks are the typical mistakes its answers matched.
    numeric = next(q for q in REPORT.questions if q.question_id == "mse-number")
    assert numeric.picks == {"right": 1, "unrecognised": 2}
    # The step funnel as the page and the JSON give it, finished steps included.
    assert analytics.csv_rows(REPORT, "steps") == [
        ["step_id", "reached", "finished", "stopped_here"],
        ["loss", 5, 2, 3],
        ["compute", 2, 0, 2],
    ]
    with pytest.raises(ValueError, match="table"):
        analytics.csv_rows(REPORT, "nope")


def test_a_problem_worked_part_by_part_has_a_row_for_each_part():
    ladder = load_catalog([Path(__file__).parents[1] / "data" / "ladder"]).lessons["ladder"]
    answered = [
        ("A", "mse-steps.first-error", "mse", "exactly", None),
        ("A", "mse-steps.first-square", "squaring", "not_quite", "doubled"),
        ("A", "mse-steps.mean", "mse", "exactly", None),
        ("B", "mse-steps", "mse", "exactly", None),
    ]
    attempts = [
        {
            "id": i,
            "learner_id": learner,
            "lesson_hash": ladder.content_hash,
            "question_id": question,
            "step_id": "compute",
            "skill_id": skill,
            "grade": grade,
            "option_index": None,
            "mistake": mistake,
            "angle": None,
            "role": "main",
            "first_try": True,
        }
        for i, (learner, question, skill, grade, mistake) in enumerate(answered, start=1)
    ]
    report = analytics.report(ladder, attempts)
    rows = {q.question_id: q for q in report.questions}
    ids = [q.question_id for q in report.questions]
    # Each part right after its problem, on the part's own skill.
    at = ids.index("mse-steps")
    assert ids[at : at + 4] == [
        "mse-steps",
        "mse-steps.first-error",
        "mse-steps.first-square",
        "mse-steps.mean",
    ]
    assert rows["mse-steps.first-square"].skill_id == "squaring"
    assert rows["mse-steps.first-square"].picks == {"doubled": 1}
    assert (rows["mse-steps"].attempts, rows["mse-steps.mean"].attempts) == (1, 1)
    # Every answer is in some row: the rows add up to the total.
    assert sum(q.attempts for q in report.questions) == report.attempts == 4
