"""The shipped lessons: they load cleanly and meet the content bar set for them.

The validator (tutor.checks) already proves that a lesson is well formed. These tests check
what a lesson author promised on top of that: the shape of each lesson, the quality bar of
every main question, that every text renders for every topic, and that no sentence is
borrowed from the source texts.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tutor.engine import computations
from tutor.lessons import templates, variants
from tutor.lessons.catalog import lesson_files, load_catalog
from tutor.lessons.format import Lesson, Question, Sampled
from tutor.lessons.kinds import numeric
from tutor.render.markdown import to_html

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "lessons"
SEED_OVERLAP = ROOT.parent / "shared" / "tools" / "seed_overlap.py"

LESSON_1 = "how-a-network-learns"
LESSON_2 = "loss-functions"
LESSON_1_STEPS = ["forward-pass", "loss", "gradient", "update", "validation"]
LESSON_1_SKILLS = {
    "forward-pass",
    "weighted-sum",
    "random-start",
    "loss-is-a-score",
    "loss-grows-with-distance",
    "loss-is-a-target",
    "gradient-sign",
    "gradient-size",
    "backprop-role",
    "update-rule",
    "learning-rate",
    "training-curve",
    "spot-overfitting",
    "early-stopping",
}
RENDER_SEEDS = range(5)


def _catalog():
    return load_catalog([LESSONS])


CATALOG = _catalog()
LESSON_IDS = sorted(CATALOG.lessons)


def _lesson(lesson_id: str) -> Lesson:
    return CATALOG.lessons[lesson_id].lesson


def _main_questions() -> list[tuple[str, str, Question]]:
    return [
        (lesson_id, step.id, question)
        for lesson_id in LESSON_IDS
        for step in _lesson(lesson_id).steps
        for question in step.questions
    ]


def _all_questions() -> list[tuple[str, Question, str]]:
    """Every question and check, with the skill it is asked for."""
    found = []
    for lesson_id in LESSON_IDS:
        for step in _lesson(lesson_id).steps:
            for question in step.questions:
                found.append((lesson_id, question, question.skill))
                found.extend(
                    (lesson_id, check, question.skill) for check, _ in question.walk_checks()
                )
    return found


MAIN = _main_questions()
ALL = _all_questions()


def _main_id(item) -> str:
    return f"{item[0]}:{item[2].id}"


def _any_id(item) -> str:
    return f"{item[0]}:{item[1].id}"


# --- loading -------------------------------------------------------------------------------------


def test_every_lesson_file_loads_without_problems():
    catalog = _catalog()
    assert [str(p) for p in catalog.problems] == []
    assert len(catalog.lessons) == len(lesson_files([LESSONS]))
    assert {LESSON_1, LESSON_2} <= set(catalog.lessons)


def test_the_shipped_lessons_get_no_lint_advice():
    # In strict mode lint advice counts as a problem, as `tutor validate --strict` reports it.
    catalog = load_catalog([LESSONS], strict=True)
    assert [str(p) for p in catalog.problems] == []
    assert {LESSON_1, LESSON_2} <= set(catalog.lessons)


@pytest.mark.parametrize("path", lesson_files([LESSONS]), ids=lambda p: p.name)
def test_lesson_files_start_with_the_schema_modeline(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../docs/lesson.schema.json"


# --- the shape of each lesson --------------------------------------------------------------------


def test_lesson_1_has_its_steps_in_order():
    assert [s.id for s in _lesson(LESSON_1).steps] == LESSON_1_STEPS


def test_lesson_1_declares_its_skills():
    assert {s.id for s in _lesson(LESSON_1).skills} == LESSON_1_SKILLS


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_skill_names_write_a_minus_as_the_texts_do(lesson_id):
    # The lesson page lists them beside texts that write "w − learning rate × slope".
    for skill in _lesson(lesson_id).skills:
        assert " - " not in skill.name and not HYPHEN_NUMBER.search(skill.name), skill.name


def test_lesson_1_later_skills_build_on_earlier_ones():
    skills = {s.id: set(s.requires) for s in _lesson(LESSON_1).skills}
    loss = {"loss-is-a-score", "loss-grows-with-distance", "loss-is-a-target"}
    gradient = {"gradient-sign", "gradient-size", "backprop-role"}

    def ancestors(skill: str) -> set[str]:
        seen: set[str] = set()
        todo = list(skills[skill])
        while todo:
            nxt = todo.pop()
            if nxt not in seen:
                seen.add(nxt)
                todo.extend(skills[nxt])
        return seen

    for skill in loss:
        assert "forward-pass" in ancestors(skill), skill
    for skill in gradient:
        assert ancestors(skill) & loss, skill
    for skill in ("update-rule", "learning-rate", "training-curve"):
        assert ancestors(skill) & gradient, skill
    for skill in ("spot-overfitting", "early-stopping"):
        assert "training-curve" in ancestors(skill), skill


def test_lesson_2_has_seven_steps():
    assert len(_lesson(LESSON_2).steps) == 7


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_every_step_has_an_intro_a_takeaway_and_a_teaser(lesson_id):
    steps = _lesson(lesson_id).steps
    for i, step in enumerate(steps):
        assert step.intro.strip(), step.id
        assert step.takeaway.strip(), step.id
        if i < len(steps) - 1:
            assert step.next and step.next.strip(), f"{step.id} needs a `next` teaser"


def test_every_step_of_lesson_1_has_a_worked_example_and_three_questions():
    for step in _lesson(LESSON_1).steps:
        assert step.example is not None, step.id
        assert len(step.questions) >= 3, step.id


def test_every_step_of_lesson_2_has_two_questions():
    for step in _lesson(LESSON_2).steps:
        assert len(step.questions) >= 2, step.id


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_numeric_questions_exist(lesson_id):
    kinds = [q.kind for lid, q, _ in ALL if lid == lesson_id]
    assert "numeric" in kinds


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_every_skill_can_be_checked_again(lesson_id):
    lesson = _lesson(lesson_id)
    items = Counter(skill for lid, _, skill in ALL if lid == lesson_id)
    sampled = {skill for lid, q, skill in ALL if lid == lesson_id and q.sampled}
    for skill in lesson.skills:
        assert items[skill.id] >= 2 or skill.id in sampled, skill.id


# --- the quality bar of every main question ------------------------------------------------------


@pytest.mark.parametrize("item", MAIN, ids=_main_id)
def test_main_question_meets_the_quality_bar(item):
    _, _, q = item
    if q.kind == "choice":
        grades = Counter(o.grade for o in q.options)
        assert len(q.options) >= 3
        assert grades["exactly"] == 1
        assert grades["not_quite"] >= 1  # Close only where an option is honestly half right
        for option in q.options:
            assert option.feedback.strip()
            if option.grade == "not_quite":
                assert option.misconception, f"option {option.text!r} needs a misconception"
    else:
        assert q.answer is not None
        assert len(q.mistakes) >= 2
        assert all(m.feedback.strip() for m in q.mistakes)
        assert q.solution and q.solution.strip()
        assert q.sampled, "a numeric question should regenerate with new numbers"
    assert q.not_sure.strip()
    angles = [w.angle for w in q.another_way]
    assert len(angles) >= 2
    assert len(set(angles)) == len(angles), "each `another_way` needs its own angle"
    assert q.bridge and q.bridge.strip()


@pytest.mark.parametrize("item", ALL, ids=_any_id)
def test_every_option_of_every_question_has_feedback(item):
    _, q, _ = item
    assert q.not_sure.strip()
    for option in q.options:
        assert option.feedback.strip()
        if option.grade != "exactly":
            assert option.misconception


# --- rendering -----------------------------------------------------------------------------------

LEFTOVER = re.compile(r"\{\{|\}\}|\{%|%\}|built-in method|bound method|<function")


HYPHEN_NUMBER = re.compile(r"(?<![\w-])-\d")
MATH_OR_CODE = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`", re.S)


def _rendered_texts(rq: variants.RenderedQuestion) -> list[str]:
    texts = [rq.prompt, rq.not_sure, *(t for _, t in rq.another_way)]
    texts += [t for o in rq.options for t in (o.text, o.feedback)]
    texts += [m.feedback for m in rq.mistakes]
    texts += [t for t in (rq.bridge, rq.solution) if t]
    return texts


def _part_texts(part: variants.RenderedSubStep) -> list[str]:
    texts = [part.prompt, part.not_sure, *part.hints, *(m.feedback for m in part.mistakes)]
    texts += [t for o in part.options for t in (o.text, o.feedback)]
    return texts + ([part.solution] if part.solution else [])


@pytest.mark.parametrize("item", ALL, ids=_any_id)
def test_every_question_renders_for_every_topic_and_seed(item):
    lesson_id, q, skill = item
    lesson = _lesson(lesson_id)
    for topic in lesson.topics:
        for seed in RENDER_SEEDS:
            rq = variants.render_question(lesson, q, skill=skill, seed=seed, topic=topic)
            parts = variants.render_substeps(lesson, q, skill=skill, seed=seed, topic=topic)
            for rendered in _rendered_texts(rq) + [t for p in parts for t in _part_texts(p)]:
                assert rendered.strip()
                assert not LEFTOVER.search(rendered), (topic, seed, rendered)
                # "p − y = 0.35 − 1 = −0.65": a number filled in takes the text's minus sign.
                assert not HYPHEN_NUMBER.search(MATH_OR_CODE.sub("", rendered)), rendered
            if q.kind == "numeric":
                assert rq.answer is not None


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_step_texts_render_for_every_topic(lesson_id):
    lesson = _lesson(lesson_id)
    for topic in lesson.topics:
        for step in lesson.steps:
            rendered = variants.render_step(lesson, step, topic)
            for value in (rendered.title, rendered.intro, rendered.takeaway, rendered.next):
                if value is not None:
                    assert not LEFTOVER.search(value), (topic, step.id, value)


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_topic_words_do_not_shadow_mapping_methods(lesson_id):
    # `topic.items` in a placeholder would find the dict method, not the word.
    for topic_id, topic in _lesson(lesson_id).topics.items():
        for word in topic.words:
            assert not hasattr({}, word), f"topic {topic_id!r}: rename the word {word!r}"


def _choice_draws(q: Question):
    """Every possible params of a question whose sampled params are all single choices."""
    names, pools = [], []
    for name, spec in q.params.items():
        if isinstance(spec, Sampled):
            if spec.choice is None or spec.size is not None:
                return None
            names.append(name)
            pools.append(spec.choice)
    fixed = {n: v for n, v in q.params.items() if not isinstance(v, Sampled)}
    return [
        {**fixed, **dict(zip(names, combo, strict=True))} for combo in itertools.product(*pools)
    ]


NUMERIC = [item for item in ALL if item[1].kind == "numeric"]


@pytest.mark.parametrize("item", NUMERIC, ids=_any_id)
def test_every_possible_draw_keeps_mistakes_distinguishable(item):
    """The validator tries a few seeds; a learner may get any of the listed choices."""
    lesson_id, q, _ = item
    draws = _choice_draws(q)
    if draws is None:
        pytest.skip("params are not all choices")
    lesson = _lesson(lesson_id)
    tolerance = q.tolerance or numeric.DEFAULT_TOLERANCE
    for params in draws:
        context = {**params, "topic": variants.topic_words(lesson, None)}
        args = numeric.answer_args(q, context)
        value = computations.compute(q.answer.compute, **args)
        context["answer"] = value
        for m in q.mistakes:
            wrong = computations.compute_mistake(q.answer.compute, m.mistake, **args)
            assert abs(wrong - value) > tolerance, (params, m.mistake, wrong, value)
            templates.render(m.feedback, context)
        templates.render(q.solution, context)


# --- content the curriculum asks for -------------------------------------------------------------


def _question(lesson_id: str, question_id: str) -> Question:
    return CATALOG.lessons[lesson_id].entries[question_id].question


def test_loss_ordering_regenerates_with_truth_one_and_truth_zero():
    q = _question(LESSON_1, "order-by-loss")
    truths = {case["y"] for case in q.params["case"].choice}
    assert truths == {0, 1}
    for case in q.params["case"].choice:
        costs = [
            computations.compute("bce_term", y=case["y"], p=case[k]) for k in ("near", "mid", "far")
        ]
        assert costs == sorted(costs) and len(set(costs)) == 3, case


def test_the_update_question_includes_the_curriculum_numbers():
    q = _question(LESSON_1, "one-update")
    cases = q.params["case"].choice
    assert {"w": 0.5, "gradient": 2, "lr": 0.1} in cases
    assert computations.compute("update", w=0.5, gradient=2, lr=0.1) == pytest.approx(0.3)
    assert {"added_gradient", "forgot_learning_rate"} <= {m.mistake for m in q.mistakes}


def test_the_weighted_sum_question_is_numeric_and_regenerates():
    q = _question(LESSON_1, "compute-z")
    assert q.kind == "numeric" and q.answer.compute == "weighted_sum" and q.sampled


@pytest.mark.parametrize(
    ("lesson_id", "step_id"),
    [
        (LESSON_1, "forward-pass"),
        (LESSON_1, "gradient"),
        (LESSON_1, "update"),
        (LESSON_2, "mse"),
        (LESSON_2, "mae-and-outliers"),
        (LESSON_2, "binary-cross-entropy"),
        (LESSON_2, "categorical-cross-entropy"),
    ],
)
def test_steps_that_define_a_rule_show_it_as_a_formula(lesson_id, step_id):
    step = next(s for s in _lesson(lesson_id).steps if s.id == step_id)
    assert "$$" in step.intro, f"{step_id}: set the rule apart as a $$...$$ formula"
    rendered = str(to_html(variants.render_step(_lesson(lesson_id), step, None).intro))
    assert "<math" in rendered and "math-error" not in rendered


def test_the_house_price_example_gives_175():
    example = _lesson(LESSON_2).steps[0].example
    assert example.compute == "mse"
    assert computations.compute("mse", y_true=example.y_true, y_pred=example.y_pred) == 175


@pytest.mark.parametrize(
    ("computation", "mistakes"),
    [
        ("mse", {"sum_instead_of_mean", "rmse", "mae_instead", "square_of_mean_error"}),
        ("bce_term", {"missing_minus", "log10", "wrong_class"}),
        ("cce", {"all_classes", "log10"}),
    ],
)
def test_lesson_2_diagnoses_the_typical_mistakes(computation, mistakes):
    found = set()
    for lesson_id, q, _ in NUMERIC:
        if lesson_id == LESSON_2 and q.answer.compute == computation:
            found |= {m.mistake for m in q.mistakes}
    assert mistakes <= found


# --- no borrowed sentences -----------------------------------------------------------------------


def test_no_run_of_eight_words_is_shared_with_the_source_texts():
    if not SEED_OVERLAP.exists():
        pytest.skip(f"{SEED_OVERLAP} is not available")
    result = subprocess.run(
        [sys.executable, str(SEED_OVERLAP), str(LESSONS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.strip().endswith("0 shared runs of 8+ words"), result.stdout
    assert result.returncode == 0


def test_the_shipped_lessons_share_one_misconception_catalogue():
    catalog = _catalog()
    known = catalog.misconceptions
    assert known is not None and known.file.endswith("misconceptions.yaml")
    # Every idea is written out for people, and its skill is a skill a lesson teaches.
    skills = {skill.id for lesson in catalog for skill in lesson.lesson.skills}
    for entry in known.by_id.values():
        assert len(entry.idea.split()) >= 5 and "TODO" not in entry.idea, entry.id
        assert entry.skill in skills, entry.id
    # Ideas met in both lessons are one id: the first lesson's learners carry them over.
    tags = {
        lesson.lesson.id: {
            o.misconception for q, _ in lesson.lesson.every_question() for o in q.options
        }
        for lesson in catalog
    }
    assert {"hedging-is-cheapest", "decisiveness-rewarded"} <= tags[LESSON_1] & tags[LESSON_2]


def test_the_learning_rate_demo_tells_the_story_its_caption_tells():
    """Too small creeps, the middle rate falls fast, too large overshoots and never does
    better than the middle one: from the engine's own numbers for the lesson's rates."""
    from tutor.engine import neuron

    lesson = _lesson(LESSON_1)
    example = next(
        s.example for s in lesson.steps if getattr(s.example, "compute", "") == "training"
    )
    small, good, large = sorted(example.learning_rates)
    assert tuple(sorted(example.learning_rates)) == neuron.DEMO_LEARNING_RATES
    data = neuron.toy_dataset(seed=example.seed)
    runs = {
        lr: neuron.train(*data, lr=lr, epochs=example.epochs, seed=example.seed).losses
        for lr in (small, good, large)
    }
    assert all(b < a for a, b in zip(runs[good], runs[good][1:], strict=False))  # falls every epoch
    assert all(b < a for a, b in zip(runs[small], runs[small][1:], strict=False))
    assert runs[good][-1] < runs[small][-1] - 0.2  # fast against slow
    assert max(runs[large]) > 5 * runs[large][0]  # the overshoot
    assert all(big > mid for big, mid in zip(runs[large][1:], runs[good][1:], strict=True))


def test_outlying_truths_teach_mean_against_median_with_the_engine_numbers():
    from tutor.engine.computations import compute

    truths = [2, 3, 4, 5, 31]
    mean, median = compute("mean", values=truths), compute("median", values=truths)
    assert (mean, median) == (9.0, 4.0)
    assert compute("mse", y_true=truths, y_pred=[mean] * 5) < compute(
        "mse", y_true=truths, y_pred=[median] * 5
    )
    assert compute("mae", y_true=truths, y_pred=[median] * 5) < compute(
        "mae", y_true=truths, y_pred=[mean] * 5
    )
    text = (LESSONS / "loss-functions.yaml").read_text()
    assert "2, 3, 4, 5" in text and "31" in text
