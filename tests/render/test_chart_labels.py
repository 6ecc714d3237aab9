"""Labels on charts stay readable: clear of markers, inside the picture, apart at the corner,
and worded plainly."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from tutor.render import plots
from tutor.render.svg import BOTTOM, CHAR, HEIGHT, LEFT, NOTE_SIZE, WIDTH, Chart

SVG = "{http://www.w3.org/2000/svg}"


def note_boxes(svg: ET.Element) -> list[tuple[float, float, float, float, str]]:
    """Each note's box as placed, for the largest font the stylesheet sets."""
    boxes = []
    for text in svg.iter(f"{SVG}text"):
        if text.get("class") != "note":
            continue
        width = CHAR * NOTE_SIZE * len(text.text or "")
        x, y = float(text.get("x")), float(text.get("y"))
        left = {"end": x - width, "middle": x - width / 2}.get(text.get("text-anchor"), x)
        boxes.append((left, y - 0.8 * NOTE_SIZE, left + width, y + 0.2 * NOTE_SIZE, text.text))
    return boxes


def arrow_boxes(svg: ET.Element) -> list[tuple[float, float, float, float]]:
    boxes = []
    for path in svg.iter(f"{SVG}path"):
        if path.get("class") == "off":
            x, y = map(float, re.match(r"M([\d.]+),([\d.]+)", path.get("d")).groups())
            boxes.append((x - 5, y, x + 5, y + 8))
    return boxes


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_a_value_beside_a_row_of_arrows_covers_none_of_them():
    chart = Chart("t", (0.0, 30.0), (0.0, 2.0), "epoch", "loss")
    for epoch in range(1, 8):
        chart.mark(epoch, 20.0 + epoch, 2, value=epoch == 4)
    svg = ET.fromstring(str(chart.svg("t", "t")))
    (note,) = note_boxes(svg)
    assert note[4] == "24 ↑"
    assert not any(overlaps(note, arrow) for arrow in arrow_boxes(svg))
    assert note[0] >= 0 and note[2] <= WIDTH


def test_the_training_curves_keep_their_values_off_the_arrows():
    runs = [
        {"lr": 0.5, "losses": [0.7, 0.6, 0.55, 0.52, 0.5, 0.5]},
        {"lr": 9.0, "losses": [0.7, 5.0, 9.0, 20.9, 8.0, 4.0]},
    ]
    svg = ET.fromstring(str(plots.training_curves("c", runs).svg))
    notes, arrows = note_boxes(svg), arrow_boxes(svg)
    assert sorted(n[4] for n in notes) == ["20.9 ↑", "4 ↑"] and len(arrows) >= 5
    assert not any(overlaps(n, a) for n in notes for a in arrows)
    assert not overlaps(notes[0], notes[1])


def test_stacked_guide_labels_all_fit_inside_the_picture():
    close = [plots.Marked(f"item {i}", p) for i, p in enumerate([0.9, 0.91, 0.92, 0.8, 0.7])]
    svg = ET.fromstring(str(plots.loss_curves("a", close).svg))
    guides = [t for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]
    tops = [float(t.get("y")) - 0.8 * NOTE_SIZE for t in guides if t.get("class") == "note"]
    assert len(tops) == 5 and min(tops) >= 0
    assert len({round(t) for t in tops}) == 3  # three rows: 0.9, 0.91 and 0.92 are close


def test_the_corner_labels_of_the_two_axes_stay_apart():
    chart = Chart("t", (-2.0, 6.0), (0.0, 4.0), "weight w", "loss")
    svg = ET.fromstring(str(chart.svg("t", "t")))
    ticks = [t for t in svg.iter(f"{SVG}text") if t.get("class") == "tick"]
    bottom = HEIGHT - BOTTOM
    y_zero = next(t for t in ticks if t.text == "0" and t.get("text-anchor") == "end")
    x_first = next(t for t in ticks if t.text == "\u22122")  # with the minus sign
    assert float(y_zero.get("y")) < bottom  # above the x axis
    assert x_first.get("text-anchor") is None and float(x_first.get("x")) >= LEFT - 3
    y_box = (LEFT - 6 - 18 * CHAR, float(y_zero.get("y")) - 14.4, LEFT - 6, float(y_zero.get("y")))
    x_box = (
        float(x_first.get("x")),
        bottom + 20 - 14.4,
        float(x_first.get("x")) + 36 * CHAR,
        bottom + 24,
    )
    assert not overlaps(y_box, x_box)


def test_the_second_loss_chart_says_plainly_what_its_axis_counts():
    figure = plots.mse_vs_mae("b", [260, 290, 200, 410], [500, 300, 180, 400], ["item 4"])
    labels = [t.text for t in ET.fromstring(str(figure.svg)).iter(f"{SVG}text")]
    assert "× the loss without this error" in labels
    assert not any("exact" in (label or "") for label in labels)
