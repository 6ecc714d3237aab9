"""Cross checks: what only a whole lesson can tell, each problem located in its file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from jinja2 import TemplateError

from tutor.engine import computations
from tutor.lessons import examples, templates, variants
from tutor.lessons.format import AssessmentItem, Lesson, Question
from tutor.lessons.kinds import KINDS, numeric, steps
from tutor.lessons.messages import culprit, did_you_mean, explain, formula_at
from tutor.lessons.problems import LessonProblem, Locator
from tutor.lessons.topics import CUSTOM, example_topic
from tutor.render.markdown import math_problems

# Every variant a learner can be given, for questions whose numbers are drawn.
CHECK_SEEDS = range(variants.VARIANTS)

Observer = Callable[[tuple, str, "int | None"], None]
"""Told each text as it reads in the lesson's default topic, once rendered here: its path,
the text, and the variant (None for a text whose numbers are not drawn). The lint reads
them (``lint.Operands``) instead of rendering every variant again."""


def _ignore(path: tuple, text: str, seed: int | None) -> None:
    pass


def cross_check(
    lesson: Lesson, locate: Locator, observe: Observer = _ignore
) -> list[LessonProblem]:
    """Every problem of a lesson that the models alone cannot see (``observe`` is told every
    text rendered in the default topic)."""
    problems: list[LessonProblem] = []
    add = problems.append
    _check_topics(lesson, locate, add)
    _check_skills(lesson, locate, add)
    _check_ids(lesson, locate, add)
    for s, step in enumerate(lesson.steps):
        if step.next is None and s < len(lesson.steps) - 1:
            add(locate.problem(("steps", s), "every step but the last needs a `next` teaser"))
        wrong: set[str] = set()  # a text's problem is reported in the first topic it shows in
        for topic in _topics(lesson):
            context = {"topic": variants.topic_words(lesson, topic)}
            for name in variants.STEP_TEXTS:
                source = getattr(step, name)
                if not source or name in wrong:
                    continue
                near = None
                try:
                    text = templates.render(source, context)
                    problems_in = math_problems(text)
                except (TemplateError, ValueError, TypeError, ArithmeticError) as exc:
                    problems_in, near = [explain(exc, topic, context)], culprit(exc, source)
                else:
                    if topic == lesson.default_topic:
                        observe(("steps", s, name), text, None)
                if problems_in:
                    wrong.add(name)
                for message in problems_in:
                    at = near or formula_at(message)
                    add(locate.problem(("steps", s, name), message, near=at))
        if step.example is not None:
            for topic in _topics(lesson):
                try:
                    examples.compute_example(lesson, step.example, topic)
                except (ValueError, TemplateError) as exc:
                    add(locate.problem(("steps", s, "example"), explain(exc, topic)))
                    break
    for question, path, main in _questions(lesson):
        _check_question(lesson, question, path, main, locate, add, observe)
    _check_assessment(lesson, locate, add, observe)
    _check_checkable(lesson, locate, add)
    return problems


def _topics(lesson: Lesson) -> list[str]:
    """Every topic a text is rendered in: the ready ones and, when the lesson declares its
    topic words, a learner's own topic made of their examples (so a text that uses a word
    no learner is asked for fails here, not on a learner's page)."""
    ready: list[str] = list(lesson.topics)
    return [*ready, example_topic(lesson)] if lesson.topic_words else ready


def _questions(lesson: Lesson) -> Iterator[tuple[Question, tuple, bool]]:
    for s, step in enumerate(lesson.steps):
        for q, question in enumerate(step.questions):
            path = ("steps", s, "questions", q)
            yield question, path, True
            for check, sub in question.walk_checks(path):
                yield check, sub, False


def assessment_items(lesson: Lesson) -> Iterator[tuple[AssessmentItem, tuple, str]]:
    """Every held-out item with its path and the skill it is listed under."""
    for i, skill in enumerate(lesson.skills):
        for a, item in enumerate(skill.assessment):
            yield item, ("skills", i, "assessment", a), skill.id


def _check_assessment(lesson: Lesson, locate: Locator, add, observe: Observer) -> None:
    """Held-out items are checked as questions, and must stay out of practice."""
    practice = {" ".join(q.prompt.split()): q.id for q, _, _ in _questions(lesson)}
    for item, path, skill in assessment_items(lesson):
        if item.skill is not None and item.skill != skill:
            add(
                locate.problem(
                    (*path, "skill"),
                    f"an assessment item takes the skill it is listed under ({skill!r}); "
                    "leave `skill` out or make it the same",
                )
            )
        if item.checks:
            add(
                locate.problem(
                    (*path, "checks"),
                    "an assessment item is asked once, in the post-test: it has no `checks`",
                    at_key=True,
                )
            )
        twin = practice.get(" ".join(item.prompt.split()))
        if twin is not None:
            add(
                locate.problem(
                    (*path, "prompt"),
                    f"this prompt is also practice question {twin!r}: a held-out item must "
                    "never be reachable in practice; ask it in new words or a new framing",
                )
            )
        _check_question(lesson, item, path, False, locate, add, observe)


def _check_topics(lesson: Lesson, locate: Locator, add) -> None:
    default = lesson.default_topic
    if CUSTOM in lesson.topics:
        add(
            locate.problem(
                ("topics", CUSTOM),
                f"the topic id {CUSTOM!r} is kept for a learner's own topic; choose another",
                at_key=True,
            )
        )
    declared = [w.name for w in lesson.topic_words]
    for name, count in Counter(declared).items():
        if count > 1:
            where = len(declared) - 1 - declared[::-1].index(name)
            add(locate.problem(("topic_words", where, "name"), f"{name!r} is declared twice"))
    if "label" in declared:
        where = declared.index("label")
        add(
            locate.problem(
                ("topic_words", where, "name"),
                "`label` names a ready topic in the menu; a learner is not asked for it",
            )
        )
    if declared:
        expected, against = {"label", *declared}, "`topic_words` declares"
    else:
        expected, against = set(lesson.topics[default].words), f"topic {default!r} defines"
    for topic_id, topic in lesson.topics.items():
        words = set(topic.words)
        for missing in sorted(expected - words):
            add(
                locate.problem(
                    ("topics", topic_id),
                    f"missing the word {missing!r} that {against}",
                )
            )
        for extra in sorted(words - expected):
            add(
                locate.problem(
                    ("topics", topic_id, extra),
                    f"the word {extra!r} is not one that {against}"
                    + (": declare it there, or leave it out" if declared else ""),
                    at_key=True,
                )
            )


def _check_skills(lesson: Lesson, locate: Locator, add) -> None:
    declared = [s.id for s in lesson.skills]
    for i, skill in enumerate(lesson.skills):
        for j, required in enumerate(skill.requires):
            if required not in declared:
                add(
                    locate.problem(
                        ("skills", i, "requires", j),
                        f"unknown skill {required!r}" + did_you_mean(required, declared),
                    )
                )
            elif required == skill.id:
                add(locate.problem(("skills", i, "requires", j), "a skill cannot require itself"))
    cycle = _cycle({s.id: [r for r in s.requires if r != s.id] for s in lesson.skills})
    if cycle:
        i = declared.index(cycle[0])
        add(
            locate.problem(
                ("skills", i, "requires"),
                "prerequisites form a cycle: " + " -> ".join([*cycle, cycle[0]]),
            )
        )
    for question, path, main in _questions(lesson):
        if question.skill is None:
            if main:
                add(locate.problem((*path, "skill"), "this required field is missing"))
        elif question.skill not in declared:
            add(
                locate.problem(
                    (*path, "skill"),
                    f"unknown skill {question.skill!r}" + did_you_mean(question.skill, declared),
                )
            )
    for s, step in enumerate(lesson.steps):
        for q, question in enumerate(step.questions):
            for check, sub in question.walk_checks(("steps", s, "questions", q)):
                if check.skill is not None and check.skill != question.skill:
                    add(
                        locate.problem(
                            (*sub, "skill"),
                            f"a check asks about the same skill "
                            f"as its question ({question.skill!r}); leave it out "
                            "or make it the same",
                        )
                    )


def _cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """One cycle of the prerequisite graph, in order, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :]
            if nxt in graph and nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state and (found := visit(node)):
            return found
    return None


def _check_ids(lesson: Lesson, locate: Locator, add) -> None:
    def duplicates(ids: list[tuple[str, tuple]], what: str) -> None:
        seen: dict[str, tuple] = {}
        for ident, path in ids:
            if ident in seen:
                first = locate.doc.mark_of(seen[ident])
                add(
                    locate.problem(
                        (*path, "id"),
                        f"{what} id {ident!r} is already used at line {first.line}; "
                        "give one of them another id",
                    )
                )
            else:
                seen[ident] = path

    duplicates([(s.id, ("skills", i)) for i, s in enumerate(lesson.skills)], "skill")
    duplicates([(s.id, ("steps", i)) for i, s in enumerate(lesson.steps)], "step")
    duplicates(
        [(q.id, path) for q, path, _ in _questions(lesson)]
        + [(q.id, path) for q, path, _ in assessment_items(lesson)],
        "question",
    )


def _check_question(
    lesson: Lesson,
    question: Question,
    path: tuple,
    main: bool,
    locate: Locator,
    add,
    observe: Observer,
) -> None:
    kind = KINDS[question.kind]
    for other in KINDS.values():
        if other is kind:
            continue
        for name, field in other.fields.model_fields.items():
            if getattr(question, name) != field.get_default(call_default_factory=True):
                add(
                    locate.problem(
                        (*path, name),
                        f"`{name}` is for {other.name} questions; "
                        f"this question is `kind: {kind.name}`",
                        at_key=True,
                    )
                )
    if not kind.check(question, path, locate, add):
        return
    if question.steps or question.explain:
        if question.kind != "numeric":
            add(
                locate.problem(
                    (*path, "steps" if question.steps else "explain"),
                    "sub-steps are for numeric questions: the last one gives the number",
                    at_key=True,
                )
            )
        elif not question.steps:
            add(locate.problem((*path, "explain"), "`explain` goes with `steps`", at_key=True))
        elif not _check_substeps(lesson, question, path, locate, add, observe):
            return
    if question.lead_in and not main:
        add(
            locate.problem(
                (*path, "lead_in"),
                "`lead_in` is for a step's own questions: a check or a held-out item is "
                "asked apart from the step's reading",
                at_key=True,
            )
        )
    if main and not question.another_way:
        add(
            locate.problem(
                (*path, "another_way"),
                "give at least one `another_way` explanation to show after a miss",
            )
        )
    _check_rendering(lesson, question, path, locate, add, observe)


def _check_rendering(
    lesson: Lesson, question: Question, path: tuple, locate: Locator, add, observe: Observer
) -> None:
    """Render every text for every topic and every variant; compute numeric answers."""
    seeds = CHECK_SEEDS if question.sampled else range(1)
    report = _once(path, locate, add)

    for seed in seeds:
        params = variants.draw_params(question, seed)
        for topic in _topics(lesson):
            context: dict[str, Any] = {**params, "topic": variants.topic_words(lesson, topic)}
            if not KINDS[question.kind].check_variant(question, context, seed, report):
                return
            for sub, source in question.texts():
                try:
                    text = templates.render(source, context)
                    for message in math_problems(text):
                        report(sub, message, near=formula_at(message))
                except (TemplateError, ValueError, TypeError, ArithmeticError) as exc:
                    report(sub, explain(exc, topic, context), near=culprit(exc, source))
                else:
                    if topic == lesson.default_topic:
                        observe((*path, *sub), text, seed if question.sampled else None)


def _once(path: tuple, locate: Locator, add):
    """A ``report(sub, message, at_key=, near=)`` that adds each part's first problem only:
    a text broken in one variant is broken in all, and one line says so."""
    reported: set[tuple] = set()

    def report(sub: tuple, message: str, *, at_key: bool = False, near: str | None = None) -> None:
        if sub not in reported:
            reported.add(sub)
            add(locate.problem((*path, *sub), message, at_key=at_key, near=near))

    return report


def _check_substeps(
    lesson: Lesson, question: Question, path: tuple, locate: Locator, add, observe: Observer
) -> bool:
    """Each sub-step valid and renderable for every topic and seed, the last one numeric
    and giving the question's answer."""
    skills = {s.id for s in lesson.skills}
    ok = True
    seen: set[str] = set()
    for k, sub in enumerate(question.steps):
        where = (*path, "steps", k)
        if sub.id in seen:
            add(locate.problem((*where, "id"), f"sub-step id {sub.id!r} is used twice"))
            ok = False
        seen.add(sub.id)
        if sub.skill is not None and sub.skill not in skills:
            add(
                locate.problem(
                    (*where, "skill"),
                    f"unknown skill {sub.skill!r}" + did_you_mean(sub.skill, sorted(skills)),
                )
            )
            ok = False
        ok = KINDS[sub.kind].check(sub, where, locate, add) and ok
    if question.steps[-1].kind != "numeric":
        add(
            locate.problem(
                (*path, "steps", len(question.steps) - 1, "kind"),
                "the last sub-step must be numeric: its value is the question's answer",
            )
        )
        ok = False
    if not ok:
        return False
    report = _once(path, locate, add)

    for seed in CHECK_SEEDS if question.sampled else range(1):
        params = variants.draw_params(question, seed)
        for topic in _topics(lesson):
            context: dict[str, Any] = {**params, "topic": variants.topic_words(lesson, topic)}
            try:
                answer = computations.compute(
                    question.answer.compute, **numeric.answer_args(question, context)
                )
            except (TemplateError, ValueError, TypeError, ArithmeticError):
                return False  # the question's own check reports it
            values: dict[str, Any] = {}
            for k, sub in enumerate(question.steps):
                here = steps.values_context(context, values)

                def report_sub(part: tuple, message: str, k: int = k, **kw: Any) -> None:
                    report(("steps", k, *part), message, **kw)

                if not KINDS[sub.kind].check_variant(sub, here, seed, report_sub):
                    return False
                values[sub.id] = here.get("answer")
                for part, source in sub.texts():
                    try:
                        text = templates.render(source, here)
                        for message in math_problems(text):
                            report_sub(part, message, near=formula_at(message))
                    except (TemplateError, ValueError, TypeError, ArithmeticError) as exc:
                        report_sub(part, explain(exc, topic, here), near=culprit(exc, source))
                    else:
                        if topic == lesson.default_topic:
                            where = (*path, "steps", k, *part)
                            observe(where, text, seed if question.sampled else None)
            last = len(question.steps) - 1
            problem = steps.chain_problem(
                values[question.steps[last].id], answer, question.tolerance, seed
            )
            if problem:
                report(("steps", last, "answer"), problem)
                return False
    return True


def _check_checkable(lesson: Lesson, locate: Locator, add) -> None:
    """Every skill can be checked again: a second question, or numbers drawn anew."""
    count: Counter[str] = Counter()
    regenerable: set[str] = set()
    for step in lesson.steps:
        for question in step.questions:
            skill = question.skill or ""
            for q in [question, *(c for c, _ in question.walk_checks())]:
                count[skill] += 1
                if q.sampled:
                    regenerable.add(skill)
                for sub in q.steps:  # a sub-step with a skill of its own checks that skill
                    if sub.skill:
                        count[sub.skill] += 1
                        if q.sampled:
                            regenerable.add(sub.skill)
    for i, skill in enumerate(lesson.skills):
        if count[skill.id] == 0:
            add(locate.problem(("skills", i), f"no question checks the skill {skill.id!r}"))
        elif count[skill.id] < 2 and skill.id not in regenerable:
            add(
                locate.problem(
                    ("skills", i),
                    f"the skill {skill.id!r} can be asked only once: "
                    "add a check question, or give its question sampled params "
                    "so it can be asked again with new numbers",
                )
            )
