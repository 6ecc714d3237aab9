"""The backpropagation lesson: its key facts pinned to the engine, and one step over HTTP.

The validator proves the lesson well formed; these tests check that what it teaches is what
``engine.network`` computes (the worked example's gradients, the saturated unit, the zero
input, the loss after a step), that every skill is taught and tested, and that a learner
meets the first problem as the lesson intends: a worked example, then its last part.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from helpers import new_learner

from tutor.engine import network
from tutor.engine.computations import compute
from tutor.lessons.catalog import load_catalog
from tutor.lessons.examples import compute_example
from tutor.lessons.format import Lesson, NetworkExample, Question, Sampled
from tutor.teaching.items import substeps

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
LESSON_ID = "backpropagation"
SKILLS = {
    "network-forward",
    "output-delta",
    "blame-direction",
    "vanishing-slopes",
    "weight-gradient-needs-input",
    "which-weights-change",
    "network-update",
}
CATALOG = load_catalog([LESSONS])
LOADED = CATALOG.lessons[LESSON_ID]
LESSON: Lesson = LOADED.lesson


def _question(question_id: str) -> Question:
    return LOADED.entries[question_id].question


def _draws(question: Question) -> list[dict]:
    """Every params a learner can be given (the question's sampled params are choices)."""
    names = [n for n, v in question.params.items() if isinstance(v, Sampled)]
    fixed = {n: v for n, v in question.params.items() if not isinstance(v, Sampled)}
    pools = [question.params[n].choice for n in names]
    assert all(pool is not None for pool in pools), question.id
    return [
        {**fixed, **dict(zip(names, combo, strict=True))} for combo in itertools.product(*pools)
    ]


def _net(params: dict) -> dict:
    n = params["n"]
    return {
        "x": n["x"],
        "w1": n["w1"],
        "b1": n["b1"],
        "w2": n["w2"],
        "b2": n["b2"],
        "activation": "sigmoid",
    }


# --- the shape of the lesson --------------------------------------------------------------------


def test_the_lesson_has_its_skills_and_at_least_four_topics():
    assert {s.id for s in LESSON.skills} == SKILLS
    assert len(LESSON.topics) >= 4
    assert [s.id for s in LESSON.steps] == [
        "forward",
        "output-blame",
        "hidden-blame",
        "weight-gradients",
        "update",
    ]


def test_every_skill_has_two_practice_items_and_held_out_near_and_far_items():
    practice: dict[str, list[Question]] = {s: [] for s in SKILLS}
    for step in LESSON.steps:
        for question in step.questions:
            practice[question.skill].append(question)
            practice[question.skill].extend(check for check, _ in question.walk_checks())
    for skill in LESSON.skills:
        items = practice[skill.id]
        assert len(items) >= 2, skill.id
        # Structurally different: not the same question twice (another kind or another prompt).
        assert len({(q.kind, q.prompt) for q in items}) >= 2, skill.id
        assert {item.transfer for item in skill.assessment} == {"near", "far"}, skill.id


def test_the_numeric_problems_come_in_parts():
    for question_id in (
        "forward-by-hand",
        "output-blame-by-hand",
        "hidden-blame-by-hand",
        "first-layer-gradient",
        "output-weight-update",
    ):
        question = _question(question_id)
        assert question.kind == "numeric" and len(question.steps) >= 2, question_id
        assert question.explain, question_id


# --- what the lesson teaches is what the engine computes ------------------------------------------


def _example_network(example: NetworkExample) -> network.Network:
    return network.Network.of(example.w1, example.b1, example.w2, example.b2, example.activation)


def test_every_step_works_the_same_network_and_its_numbers_are_the_engines():
    examples = [step.example for step in LESSON.steps]
    assert all(isinstance(e, NetworkExample) for e in examples)
    first = examples[0]
    for example in examples:
        assert (example.x, example.w1, example.b1, example.w2, example.b2, example.y) == (
            first.x,
            first.w1,
            first.b1,
            first.w2,
            first.b2,
            first.y,
        )
    net = _example_network(first)
    for step in LESSON.steps[1:]:
        shown = compute_example(LESSON, step.example, "spam").data
        assert shown["backward"] == network.backward(net, first.x, first.y).as_dict()
    update = compute_example(LESSON, LESSON.steps[-1].example, None).data["update"]
    assert update == network.update(net, first.x, first.y, lr=LESSON.steps[-1].example.lr).as_dict()
    assert update["loss_after"] < update["loss_before"]


def test_the_example_has_one_saturated_hidden_unit_that_barely_learns():
    example = LESSON.steps[2].example
    b = network.backward(_example_network(example), example.x, example.y)
    # More blame reaches hidden unit 2's output, yet far less gets through to its sum.
    assert abs(b.dh[1]) > abs(b.dh[0])
    assert b.dh_dz1[1] < 0.02 < 0.2 < b.dh_dz1[0]
    assert abs(b.dz1[1]) < abs(b.dz1[0]) / 5
    # And its weights get the smaller gradients, as the lesson's question says.
    assert max(map(abs, b.dw1[1])) < min(map(abs, b.dw1[0]))


def test_the_saturated_sigmoid_items_slope_is_below_a_hundredth():
    for item_id, skill in (("saturated-slope", None), ("post-flat-sigmoid", "vanishing-slopes")):
        if skill is None:
            question = _question(item_id)
        else:
            found = next(s for s in LESSON.skills if s.id == skill).assessment
            question = next(q for q in found if q.id == item_id)
        assert question.answer.compute == "sigmoid_slope"
        for params in _draws(question):
            slope = compute("sigmoid_slope", s=params["s"])
            assert slope < 0.02, (item_id, params)
            if skill is None:
                assert slope < 0.01, params


def test_the_output_blames_parts_multiply_to_p_minus_y():
    question = _question("output-blame-by-hand")
    for params in _draws(question):
        p, y = params["p"], params["y"]
        parts = compute("bce_slope", y=y, p=p) * compute("sigmoid_slope", s=p)
        assert parts == pytest.approx(p - y, abs=1e-12)
        assert compute("gradient_z", p=p, y=y) == pytest.approx(p - y)


def test_the_hidden_blame_matches_the_networks_backward_pass_for_every_draw():
    question = _question("hidden-blame-by-hand")
    for params in _draws(question):
        args = _net(params)
        net = network.Network.of(args["w1"], args["b1"], args["w2"], args["b2"])
        b = network.backward(net, args["x"], params["n"]["y"])
        j = params["j"]
        got = compute("net_hidden_delta", **args, y=params["n"]["y"], j=j)
        assert got == b.dz1[j]
        # The question's parts: blame along the weight, then the unit's slope.
        assert b.dh[j] * b.dh_dz1[j] == pytest.approx(got, rel=1e-12)


def test_the_sign_of_the_blame_follows_the_output_weight():
    question = _question("which-way-blame-goes")
    for params in _draws(question):
        case = params["case"]
        d, v1, v2 = case["d"], case["v1"], case["v2"]
        assert v1 * v2 < 0  # one weight of each sign: the two units must get opposite blame
        assert compute("chain", slopes=[d, v1]) * compute("chain", slopes=[d, v2]) < 0


def test_a_zero_input_gives_zero_gradients_and_the_update_leaves_those_weights():
    example = LESSON.steps[0].example
    net = _example_network(example)
    for i in (0, 1):
        x = list(example.x)
        x[i] = 0.0
        after = network.update(net, x, example.y, lr=0.5).after
        for j in (0, 1):
            assert network.backward(net, x, example.y).dw1[j][i] == 0
            assert after.w1[j][i] == net.w1[j][i]
            assert after.w1[j][1 - i] != net.w1[j][1 - i]
        assert after.w2 != net.w2 and after.b1 != net.b1 and after.b2 != net.b2


def test_a_dead_relu_unit_keeps_every_weight_it_touches():
    # Hidden unit 1's sum is negative: ReLU hands on 0 and passes no blame back.
    net = network.Network.of([[-1.0, -0.5], [0.4, 0.6]], [0.1, 0.2], [0.9, -0.7], 0.1, "relu")
    x, y = [1.0, 2.0], 1
    assert network.forward(net, x).h[0] == 0
    after = network.update(net, x, y, lr=0.5).after
    assert after.w1[0] == net.w1[0] and after.b1[0] == net.b1[0] and after.w2[0] == net.w2[0]
    assert after.w1[1] != net.w1[1] and after.w2[1] != net.w2[1]


def test_the_update_items_go_downhill_and_a_bigger_rate_goes_further_here():
    question = _question("loss-after-the-step")
    for params in _draws(question):
        args = {
            "x": params["xs"],
            "w1": params["w1s"],
            "b1": params["b1s"],
            "w2": params["w2s"],
            "b2": params["b2s"],
            "activation": "sigmoid",
        }
        before = compute("net_output", **args)
        after = compute("net_loss_after", **args, y=1, lr=params["lr"])
        assert after < compute("bce_term", y=1, p=before)
    far = next(s for s in LESSON.skills if s.id == "network-update").assessment
    bigger = next(q for q in far if q.id == "post-bigger-rate")
    for params in _draws(bigger):
        args = {k: params[k + "s"] for k in ("x", "w1", "b1", "w2", "b2")}
        lo = compute("net_loss_after", **args, activation="sigmoid", y=1, lr=params["lo"])
        hi = compute("net_loss_after", **args, activation="sigmoid", y=1, lr=params["hi"])
        assert hi < lo


# --- one step over HTTP ---------------------------------------------------------------------------


@pytest.fixture
def lessons_dir() -> Path:
    return LESSONS


def test_the_first_problem_is_a_worked_example_then_its_last_part(client: TestClient):
    headers = new_learner(client)
    shown = client.get(f"/api/lessons/{LESSON_ID}/next", headers=headers).json()
    question, ladder = shown["question"], shown["ladder"]
    assert shown["step"]["id"] == "forward" and shown["step"]["of"] == 5
    assert question["kind"] == "example" and question["id"] == "forward-by-hand.worked"
    assert ladder["mode"] == "example"
    assert [w["id"] for w in ladder["worked"]] == ["sumone", "hone", "sumout", "pout"]

    # The worked values are the engine's, for the learner's own variant.
    lesson = client.app.state.tutor.lesson(LESSON_ID)
    parts = substeps(lesson, "forward-by-hand", shown["variant"], shown["topic"])
    assert [w["value"] for w in ladder["worked"]] == [p.value_text for p in parts]
    # The last part is the network's own output for one of the networks the problem draws.
    outputs = [compute("net_output", **_net(d)) for d in _draws(_question("forward-by-hand"))]
    assert any(parts[-1].answer == pytest.approx(p, abs=1e-12) for p in outputs)
    assert parts[0].answer != parts[-1].answer

    went = client.post(
        f"/api/lessons/{LESSON_ID}/continue",
        headers=headers,
        json={"question_id": question["id"], "variant": shown["variant"]},
    )
    assert went.status_code == 200, went.text
    faded = went.json()["next"]
    assert faded["question"]["id"] == "forward-by-hand.pout"
    assert faded["ladder"]["mode"] == "faded" and len(faded["ladder"]["worked"]) == 3
    last = substeps(lesson, "forward-by-hand", faded["variant"], faded["topic"])[-1]
    reply = client.post(
        f"/api/lessons/{LESSON_ID}/answers",
        headers=headers,
        json={
            "question_id": faded["question"]["id"],
            "variant": faded["variant"],
            "value": round(last.answer, 3),
        },
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["grade"] == "exactly"


def test_the_step_pages_show_the_networks_numbers(client: TestClient):
    example = LESSON.steps[2].example
    net = _example_network(example)
    f, b = network.forward(net, example.x), network.backward(net, example.x, example.y)
    data = client.get(f"/api/lessons/{LESSON_ID}/steps/3?topic=fraud").json()
    assert data["id"] == "hidden-blame"
    assert data["example"]["kind"] == "network"
    assert data["example"]["features"] == ["amount spent", "distance from home"]
    assert data["example"]["backward"]["dz1"] == list(b.dz1)

    page = client.get(f"/lessons/{LESSON_ID}/steps/3")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    rows = soup.select_one(".example table").select("tbody tr")
    assert [r.th.get_text() for r in rows] == ["hidden 1", "hidden 2", "output"]
    weights, bias, z, h, blame = (td.get_text() for td in rows[1].select("td"))
    # Hidden unit 2 as the learner sees it: a large sum, an output pinned near 1, and next
    # to no blame at its sum.
    assert weights == "ear shape: 2.5, whisker edges: 1.8" and bias == "0.9"
    assert float(z) == pytest.approx(f.z1[1], rel=1e-3)
    assert float(h) == pytest.approx(f.h[1], rel=1e-3) and float(h) > 0.98
    assert float(blame) == pytest.approx(b.dz1[1], rel=1e-3)
    results = dict(
        zip(
            (dt.get_text() for dt in soup.select(".example dl.results dt")),
            (dd.get_text() for dd in soup.select(".example dl.results dd")),
            strict=True,
        )
    )
    slopes = [float(v) for v in results["Hidden slopes: ∂h/∂z"].split(", ")]
    assert slopes == pytest.approx(list(b.dh_dz1), rel=1e-3) and slopes[1] < 0.02
    assert soup.select_one(".example figure svg") is not None  # the network, drawn
