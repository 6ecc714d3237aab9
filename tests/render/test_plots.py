"""Charts: well-formed accessible SVG whose numbers are the engine's, chosen from each example."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from tutor.engine import breakdown, descent, losses, neuron
from tutor.lessons.examples import compute_example
from tutor.lessons.format import Lesson
from tutor.render import plots

SVG = "{http://www.w3.org/2000/svg}"


def parsed(figure: plots.Figure) -> ET.Element:
    return ET.fromstring(str(figure.svg))


def training_runs() -> list[dict]:
    X, y = neuron.toy_dataset()
    return [
        neuron.train(X, y, lr=lr, epochs=neuron.DEMO_EPOCHS).as_dict()
        for lr in neuron.DEMO_LEARNING_RATES
    ]


def every_figure() -> list[plots.Figure]:
    return [
        plots.loss_curves("a", [plots.Marked("guess", 0.2), plots.Marked("zero", 0.0)]),
        plots.loss_curves("a2"),
        plots.mse_vs_mae("b", [260, 290, 200, 410], [500, 300, 180, 400], ["House 1"]),
        plots.training_curves("c", training_runs()),
        plots.slope_chart("d", [0.8, 0.3, 0.5], [-0.9, 0.4, -0.6], -0.5, 1, "ear shape"),
        plots.descent_chart("e", descent.walk("bowl", lr=1.1, start=2, steps=8)),
    ]


@pytest.mark.parametrize("figure", every_figure(), ids=lambda f: f.key)
def test_every_chart_is_an_image_with_a_name_a_description_and_no_fixed_size(figure):
    svg = parsed(figure)
    assert svg.get("role") == "img"
    assert svg.get("viewBox") == f"0 0 {plots.WIDTH} {plots.HEIGHT}"
    assert svg.get("width") is None and svg.get("height") is None  # scales with the page
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert svg.get("aria-labelledby") == title.get("id") == f"{figure.key}-title"
    assert title.text == figure.title and desc.text == figure.caption
    # Colours come from the stylesheet (light and dark), and lines differ by more than colour.
    text = str(figure.svg)
    assert "style=" not in text and 'fill="#' not in text and 'stroke="#' not in text
    styles = {style for _, style in figure.legend}
    assert len(styles) == len(figure.legend)
    dashes = {plots.DASHES[s] for s in styles}
    assert len(dashes) == len(styles)


def test_loss_curves_are_the_engines_losses_and_mark_each_prediction():
    figure = plots.loss_curves("a", [plots.Marked("guess", 0.2), plots.Marked("certain", 0.0)])
    half_bce = losses.binary_cross_entropy([1], [0.5])
    assert f"cross-entropy {plots.num(half_bce)}" in figure.caption
    assert figure.table.rows[0] == ("1. guess", "0.2", "0.64", "0.8", plots.num(-math.log(0.2)))
    # A prediction of 0 is clipped by the engine: 34.54, far off the top, shown with an arrow.
    assert figure.table.rows[1][-1] == plots.num(-math.log(losses.EPS))
    assert f"{plots.num(-math.log(losses.EPS))} ↑" in str(figure.svg)
    guides = [e for e in parsed(figure).iter(f"{SVG}line") if e.get("class") == "guide"]
    assert len(guides) == 2


def test_a_truth_of_0_is_marked_at_1_minus_p():
    items = breakdown.breakdown("bce", [1, 0], [0.9, 0.3]).as_dict()["items"]
    marked = plots.marks_for(items, ["spam", "normal"], cce=False)
    assert [(m.label, m.p) for m in marked] == [("spam", 0.9), ("normal", 0.7)]
    assert "1 − p" in marked[1].note


@pytest.mark.parametrize(
    ("truth", "pred", "outlier"),
    [
        ([260, 290, 200, 410], [500, 300, 180, 400], True),  # one error of 240 among 10s and 20s
        ([260, 290, 200, 410], [250, 300, 180, 400], False),  # 20 is only twice the others
        ([1, 2], [9, 2.5], False),  # too few items to call one an outlier
        ([1, 2, 3], [1, 2, 9], False),  # the others are exact: nothing typical to compare with
    ],
)
def test_an_outlier_is_three_times_the_median_of_the_other_errors(truth, pred, outlier):
    assert plots.has_outlier(truth, pred) is outlier


def test_mse_against_mae_follows_the_largest_error_with_the_engines_numbers():
    truth, wild = [260, 290, 200, 410], [500, 300, 180, 400]
    figure = plots.mse_vs_mae("b", truth, wild, ["House 1", "House 2", "House 3", "House 4"])
    calm = [260, 300, 180, 400]  # House 1 exact
    assert f"from {plots.num(losses.mse(truth, calm))} to {plots.num(losses.mse(truth, wild))}" in (
        figure.caption
    )
    assert f"from {plots.num(losses.mae(truth, calm))} to {plots.num(losses.mae(truth, wild))}" in (
        figure.caption
    )
    assert figure.table.rows[-1][:3] == ("240", "14550", "70")
    assert figure.table.rows[-1][3:] == ("×97", "×7")


def test_mse_against_mae_needs_other_errors_to_compare_with():
    assert plots.mse_vs_mae("b", [1, 2, 3], [1, 2, 9]) is None
    assert plots.mse_vs_mae("b", [1, 2], [1, 2]) is None


def test_the_training_chart_tells_which_rate_overshoots_and_marks_points_off_the_chart():
    runs = training_runs()
    figure = plots.training_curves("c", runs)
    small, good, large = neuron.DEMO_LEARNING_RATES
    assert f"with rate {plots.num(small)} it creeps down" in figure.caption
    assert f"with rate {plots.num(good)} it falls fast" in figure.caption
    peak = max(runs[2]["losses"])
    assert f"with rate {plots.num(large)} the loss overshoots: it jumps as high as " in (
        figure.caption
    )
    assert plots.num(peak) in figure.caption
    arrows = [e for e in parsed(figure).iter(f"{SVG}path") if e.get("class") == "off"]
    assert len(arrows) == sum(v > 2.0 for v in runs[2]["losses"])
    assert figure.table is None  # the example's own table already has the numbers


def test_the_slope_chart_draws_the_engines_gradient_as_the_tangent():
    x, w, b, y = [0.8, 0.3, 0.5], [-0.9, 0.4, -0.6], -0.5, 1
    figure = plots.slope_chart("d", x, w, b, y, "ear shape")
    slope = neuron.gradients(x, w, b, y).dw[0]
    h = 1e-6
    numeric = neuron.loss(x, [w[0] + h, *w[1:]], b, y) - neuron.loss(x, [w[0] - h, *w[1:]], b, y)
    assert slope == pytest.approx(numeric / (2 * h), rel=1e-5)
    assert f"the slope is {plots.num(slope)}" in figure.caption
    assert "turning this weight up lowers the loss" in figure.caption
    middle = figure.table.rows[2]
    assert middle[1] == middle[2] == plots.num(neuron.loss(x, w, b, y))


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [(0, 5, [0, 1, 2, 3, 4, 5]), (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]), (-4.9, 3.1, [-4, -2, 0, 2])],
)
def test_ticks_are_round_numbers_inside_the_range(low, high, ticks):
    assert plots.nice_ticks(low, high) == ticks


QUESTION = {
    "id": "q",
    "kind": "choice",
    "skill": "s",
    "prompt": "P",
    "not_sure": "N",
    "options": [{"text": "A", "grade": "exactly", "feedback": "F"}],
}


def figures_of(example: dict) -> list[str]:
    step = {"id": "x", "title": "X", "intro": "I", "takeaway": "T", "questions": [QUESTION]}
    lesson = Lesson.model_validate(
        {
            "id": "l",
            "title": "L",
            "summary": "S",
            "topics": {"t": {"label": "T"}},
            "skills": [{"id": "s", "name": "S"}],
            "steps": [{**step, "example": example}],
        }
    )
    return [f.title for f in compute_example(lesson, lesson.steps[0].example, "t").figures]


CURVES = "Loss against the prediction, for a truth of 1"
OUTLIER = "MSE against MAE as one error grows"


PICTURE = "The neuron of this example, with its numbers"
NETWORK = {
    "compute": "network",
    "x": [1.0, 2.0],
    "y": 1,
    "w1": [[0.5, -0.4], [0.3, 0.8]],
    "b1": [0.1, -0.2],
    "w2": [1.2, -0.7],
    "b2": 0.05,
}


@pytest.mark.parametrize(
    ("example", "titles"),
    [
        ({"compute": "bce", "y_true": [1, 0], "y_pred": [0.2, 0.4]}, [CURVES]),
        ({"compute": "cce", "y_true": [0], "y_pred": [[0.7, 0.2, 0.1]]}, [CURVES]),
        ({"compute": "mse", "y_true": [1, 0], "y_pred": [0.8, 0.1]}, [CURVES]),
        (
            {"compute": "mae", "y_true": [260, 290, 200, 410], "y_pred": [500, 300, 180, 400]},
            [OUTLIER],
        ),
        ({"compute": "mse", "y_true": [260, 290, 200, 410], "y_pred": [250, 300, 180, 400]}, []),
        (
            {
                "compute": "mse",
                "y_true": [260, 290, 200, 410],
                "y_pred": [250, 300, 180, 400],
                "plot": "mse-vs-mae",
            },
            [OUTLIER],
        ),
        ({"compute": "bce", "y_true": [1], "y_pred": [0.2], "plot": "none"}, []),
        (
            {"compute": "neuron", "x": [1], "w": [0.5], "b": 0, "y": 1, "show": ["forward"]},
            [PICTURE],
        ),
        (
            {"compute": "neuron", "x": [1], "w": [0.5], "b": 0, "y": 1, "show": ["gradient"]},
            [PICTURE, "The gradient is the slope of the loss"],
        ),
        (
            {"compute": "neuron", "x": [1], "w": [0.5], "b": 0, "y": 1, "plot": "slope"},
            [PICTURE, "The gradient is the slope of the loss"],
        ),
        ({"compute": "neuron", "x": [1], "w": [0.5], "b": 0, "y": 1, "plot": "none"}, []),
        ({**NETWORK, "show": ["forward"]}, ["The network of this example"]),
        (
            {**NETWORK, "show": ["backward"]},
            ["The network of this example, with the backward pass"],
        ),
        ({"compute": "overfitting"}, ["Training and validation loss per epoch"]),
        (
            {"compute": "training", "learning_rates": [0.05, 1.0]},
            ["Training loss per epoch, for each learning rate"],
        ),
        ({"compute": "training", "learning_rates": [1.0], "plot": "none"}, []),
    ],
)
def test_each_example_gets_the_chart_that_teaches_it(example, titles):
    assert figures_of(example) == titles


def test_mse_against_mae_cannot_be_asked_of_class_probabilities():
    with pytest.raises(ValueError, match="plot: mse-vs-mae needs one number per item"):
        figures_of({"compute": "cce", "y_true": [0], "y_pred": [[1.0, 0.0]], "plot": "mse-vs-mae"})
