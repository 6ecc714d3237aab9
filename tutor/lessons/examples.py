"""Live worked examples: a step's `example` computed by the engine for one topic."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from tutor.engine import breakdown, losses, network, neuron, overfitting
from tutor.lessons import templates
from tutor.lessons.format import (
    Example,
    Lesson,
    LossExample,
    NetworkExample,
    NeuronExample,
    OverfittingExample,
)
from tutor.lessons.variants import topic_words
from tutor.render import diagrams, plots
from tutor.render.numbers import counted


@dataclass(frozen=True)
class WorkedExample:
    """What a step's example shows: every number straight from the engine."""

    kind: str  # "loss", "neuron", "training", "network" or "overfitting"
    caption: str | None
    data: dict[str, Any] = field(default_factory=dict)
    plot: str = "auto"
    inputs: dict[str, Any] = field(default_factory=dict)  # what the example was computed from

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "caption": self.caption, **self.data}

    @cached_property
    def figures(self) -> list[plots.Figure]:
        """The charts that go with this example (drawn once, when first asked for)."""
        return example_figures(self)


def compute_example(lesson: Lesson, example: Example, topic: str | None) -> WorkedExample:
    """Compute ``example`` and render its texts; raises ValueError on bad inputs."""
    context = {"topic": topic_words(lesson, topic)}
    caption = templates.render(example.caption, context) if example.caption else None
    if isinstance(example, LossExample):
        kwargs = {} if example.eps is None else {"eps": example.eps}
        result = breakdown.breakdown(example.compute, example.y_true, example.y_pred, **kwargs)
        labels = [templates.render(label, context) for label in example.labels or []]
        if labels and len(labels) != len(result.items):
            raise ValueError(
                f"labels: {counted(len(labels), 'label')} for "
                f"{counted(len(result.items), 'item')}; "
                "give one per item or none"
            )
        data = {
            "loss": example.compute,
            "loss_name": losses.LOSSES[example.compute].name,
            "labels": labels,
            "breakdown": result.as_dict(),
        }
        if example.plot == "mse-vs-mae" and example.compute == "cce":
            raise ValueError("plot: mse-vs-mae needs one number per item, not class probabilities")
        inputs = {"y_true": example.y_true, "y_pred": example.y_pred, "eps": example.eps}
        return WorkedExample("loss", caption, data, example.plot, inputs)
    if isinstance(example, NeuronExample):
        return WorkedExample("neuron", caption, _neuron(example, context), example.plot)
    if isinstance(example, NetworkExample):
        return WorkedExample("network", caption, _network(example, context), example.plot)
    if isinstance(example, OverfittingExample):
        run = overfitting.run(example.seed, example.epochs, example.lr)
        return WorkedExample("overfitting", caption, run.as_dict(), example.plot)
    runs = [
        neuron.train(
            *neuron.toy_dataset(seed=example.seed), lr=lr, epochs=example.epochs, seed=example.seed
        )
        for lr in example.learning_rates
    ]
    data = {
        "epochs": example.epochs,
        "runs": [{"lr": run.lr, "losses": list(run.losses)} for run in runs],
    }
    return WorkedExample("training", caption, data, example.plot)


def example_figures(example: WorkedExample) -> list[plots.Figure]:
    """The charts for a worked example, chosen by its `plot` field (`auto`: from its numbers).

    A loss example on probabilities gets the loss curves with its predictions marked; one on
    amounts with an outlier gets MSE against MAE; a neuron example showing its gradient gets the
    slope; a training example gets the loss per epoch.
    """
    choice, data = example.plot, example.data
    if choice == "none":
        return []
    key = f"fig-{example.kind}"
    if example.kind == "training":
        return [plots.training_curves(key, data["runs"])]
    if example.kind == "overfitting":
        return [plots.overfitting_curves(key, data)]
    if example.kind == "network":
        backward = data.get("backward")
        return [
            diagrams.network_diagram(key, data["forward"], data["net"], backward, data["features"])
        ]
    if example.kind == "neuron":
        f = data["forward"]
        picture = diagrams.neuron_diagram(
            f"{key}-picture", f["x"], f["w"], f["b"], f["z"], f["p"], data["features"]
        )
        if choice == "slope" or "gradient" in data["show"]:
            name = data["features"][0] if data["features"] else "x1"
            return [picture, plots.slope_chart(key, f["x"], f["w"], f["b"], data["y"], name)]
        return [picture]
    items = data["breakdown"]["items"]
    truths = [item["truth"] for item in items]
    preds = [item["prediction"] for item in items]
    if choice == "auto":
        on_probabilities = all(0 <= v <= 1 for v in truths + preds)
        if data["loss"] in ("bce", "cce") or on_probabilities:
            choice = "loss-curves"
        elif plots.has_outlier(truths, preds):
            choice = "mse-vs-mae"
    if choice == "loss-curves":
        marked = plots.marks_for(items, data["labels"], cce=data["loss"] == "cce")
        return [plots.loss_curves(key, marked)]
    if choice == "mse-vs-mae":
        figure = plots.mse_vs_mae(key, truths, preds, data["labels"])
        return [figure] if figure else []
    return []


def _network(example: NetworkExample, context: dict[str, Any]) -> dict[str, Any]:
    net = network.Network.of(example.w1, example.b1, example.w2, example.b2, example.activation)
    features = [templates.render(f, context) for f in example.features or []]
    if features and len(features) != 2:
        raise ValueError(f"features: {counted(len(features), 'name')} for 2 inputs")
    data: dict[str, Any] = {
        "show": list(example.show),
        "features": features,
        "y": example.y,
        "net": net.as_dict(),
        "forward": network.forward(net, example.x).as_dict(),
        "loss": network.loss(net, example.x, example.y),
    }
    if {"backward", "update"} & set(example.show):
        data["backward"] = network.backward(net, example.x, example.y).as_dict()
    if "update" in example.show:
        if example.lr is None:
            raise ValueError("lr: an update needs a learning rate")
        data["update"] = network.update(net, example.x, example.y, lr=example.lr).as_dict()
    return data


def _neuron(example: NeuronExample, context: dict[str, Any]) -> dict[str, Any]:
    if len(example.x) != len(example.w):
        raise ValueError(
            f"w: {counted(len(example.w), 'weight')} for {counted(len(example.x), 'input')}"
        )
    features = [templates.render(f, context) for f in example.features or []]
    if features and len(features) != len(example.x):
        raise ValueError(
            f"features: {counted(len(features), 'name')} for {counted(len(example.x), 'input')}"
        )
    data: dict[str, Any] = {
        "show": list(example.show),
        "features": features,
        "y": example.y,
        "forward": neuron.forward(example.x, example.w, example.b).as_dict(),
        "loss": neuron.loss(example.x, example.w, example.b, example.y),
    }
    if {"gradient", "update"} & set(example.show):
        data["gradients"] = neuron.gradients(example.x, example.w, example.b, example.y).as_dict()
    if "update" in example.show:
        if example.lr is None:
            raise ValueError("lr: an update needs a learning rate")
        data["update"] = neuron.update(
            example.x, example.w, example.b, example.y, lr=example.lr
        ).as_dict()
    return data
