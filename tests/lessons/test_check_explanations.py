"""What the shipped lessons explain after a miss, and what they ask next.

Three promises of the lesson content, each once broken in a shipped lesson:

- every step teaches a skill of its own, so a learner who has mastered the earlier steps is
  still shown it (the tutor skips questions of skills it holds mastered);
- a check explains its own idea after a miss, instead of borrowing an explanation of another
  idea from the question it was written under;
- the explanation shown after a miss on a worked problem teaches the method without handing
  over the numbers its sub-steps then ask for.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tutor.lessons.catalog import load_catalog
from tutor.lessons.format import Question
from tutor.lessons.variants import VARIANTS, render_question, render_substeps
from tutor.teaching.angles import quotes_numbers

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
CATALOG = load_catalog([LESSONS])

# Checks that ask the very idea of the question they are written under, so that the
# question's own explanations, borrowed after a miss, explain them too. Every other check
# has explanations of its own.
SAME_IDEA_AS_PARENT = {
    ("how-a-network-learns", "which-change-to-keep"),
    ("how-a-network-learns", "rate-too-small"),
    ("backpropagation", "same-weight-sign"),
    ("loss-functions", "when-mse"),
    ("loss-functions", "reward-hacking"),
    ("loss-functions", "which-gets-gamed"),
    ("loss-functions", "kl-strength"),
    ("loss-functions", "kl-fix"),
}


def _checks():
    found = []
    for lesson in CATALOG:
        for step in lesson.lesson.steps:
            for question in step.questions:
                for check, _ in question.walk_checks():
                    found.append((lesson.id, question, check))
    return found


def _worked_problems():
    return [
        (lesson, question_id, entry)
        for lesson in CATALOG
        for question_id, entry in lesson.entries.items()
        if entry.question.steps
    ]


@pytest.mark.parametrize("lesson", list(CATALOG), ids=lambda lesson: lesson.id)
def test_every_step_teaches_a_skill_no_earlier_step_teaches(lesson):
    taught: set[str] = set()
    for step in lesson.lesson.steps:
        skills = {q.skill for q in step.questions}
        assert skills - taught, (
            f"{lesson.id}/{step.id}: every skill it asks about ({sorted(skills)}) is an earlier "
            "step's, so a learner who mastered those never sees this step"
        )
        taught |= skills


def test_the_validation_step_teaches_two_skills_of_its_own():
    lesson = CATALOG.lessons["how-a-network-learns"]
    by_step = {s.id: {q.skill for q in s.questions} for s in lesson.lesson.steps}
    assert by_step["validation"] == {"spot-overfitting", "early-stopping"}
    assert "training-curve" in by_step["update"]
    assert lesson.entries["spot-the-memorising"].skill == "spot-overfitting"
    requires = {s.id: set(s.requires) for s in lesson.lesson.skills}
    assert requires["spot-overfitting"] == {"training-curve"}
    assert requires["early-stopping"] == {"spot-overfitting"}
    catalogue = CATALOG.misconceptions
    assert catalogue is not None
    for idea, skill in {
        "only-training-loss-matters": "spot-overfitting",
        "symptom-without-cause": "spot-overfitting",
        "stop-where-losses-meet": "early-stopping",
        "validation-only-at-end": "early-stopping",
    }.items():
        assert catalogue.by_id[idea].skill == skill, idea


@pytest.mark.parametrize(
    ("lesson_id", "question", "check"),
    _checks(),
    ids=lambda x: x.id if isinstance(x, Question) else x,
)
def test_a_check_explains_its_own_idea_after_a_miss(lesson_id, question, check):
    if (lesson_id, check.id) in SAME_IDEA_AS_PARENT:
        assert not check.another_way, f"{check.id}: remove it from SAME_IDEA_AS_PARENT"
        # Borrowed explanations must not quote the numbers of the question they were written
        # for, or the tutor passes them over; two angles, so a second miss meets a new one.
        names = {*question.params, "answer", "steps"}
        fitting = {w.angle for w in question.another_way if not quotes_numbers(w.text, names)}
        assert len(fitting) >= 2, (check.id, fitting)
        return
    angles = [w.angle for w in check.another_way]
    assert len(angles) >= 2, f"{lesson_id}/{check.id} needs explanations of its own idea"
    assert len(set(angles)) == len(angles), f"{check.id}: each `another_way` needs its own angle"


def test_the_same_idea_list_names_real_checks():
    checks = {(lesson_id, check.id) for lesson_id, _, check in _checks()}
    assert checks >= SAME_IDEA_AS_PARENT


_NUMBER = re.compile(r"(?<![\w.])([-−]?)(\d+(?:\.(\d+))?)(?![\w])")


def _numbers(text: str) -> list[tuple[float, int]]:
    """Every number written in a text, with its sign and its count of decimals."""
    return [
        (float(m.group(2)) * (-1 if m.group(1) else 1), len(m.group(3) or ""))
        for m in _NUMBER.finditer(text)
    ]


def _gives_away(text: str, value: float, shown: str) -> bool:
    """Whether ``text`` writes ``value`` out, to as many decimals as it is shown with."""
    places = min(len(shown.split(".")[1]) if "." in shown else 0, 2)
    if places == 0 and (abs(value) < 2 or value != int(value)):
        return False  # a small whole number is too common in prose to tell
    return any(
        decimals >= places and abs(number - round(value, decimals)) < 1e-9
        for number, decimals in _numbers(text)
    )


@pytest.mark.parametrize(
    ("lesson", "question_id", "entry"),
    _worked_problems(),
    ids=lambda x: x if isinstance(x, str) else None,
)
def test_an_explanation_after_a_miss_leaves_the_sub_steps_to_the_learner(
    lesson, question_id, entry
):
    """After a miss on a problem with sub-steps, its explanation is shown and the sub-steps
    are asked next: no explanation may work out a value a sub-step (or the problem) asks
    for, unless the learner already has it in front of them."""
    question = entry.question
    for seed in range(VARIANTS):  # every variant a learner can be given
        rendered = render_question(
            lesson.lesson, question, skill=entry.skill, seed=seed, topic=None
        )
        subs = render_substeps(lesson.lesson, question, skill=entry.skill, seed=seed, topic=None)
        asked = [(sub.answer, sub.value_text, sub.prompt) for sub in subs if sub.answer is not None]
        asked.append((rendered.answer, rendered.answer_text, ""))
        for angle, text in rendered.another_way:
            for value, shown, prompt in asked:
                if value is None or _gives_away(rendered.prompt + " " + prompt, value, shown):
                    continue  # the learner is given this number when it is asked
                assert not _gives_away(text, value, shown), (
                    f"{lesson.id}/{question_id} seed {seed}: the {angle} explanation gives "
                    f"away {shown}: {text}"
                )
