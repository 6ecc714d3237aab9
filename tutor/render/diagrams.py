"""Pictures of a neuron and of a small network, drawn from a worked example's own numbers.

Inputs on the left, each connection labelled with its weight, each unit with what it
computes and its value, the output on the right; in a backward pass, each connection also
carries its gradient. Drawn server-side as SVG like the charts (``role="img"`` with a title
and a description that says everything the picture shows), with a table of the same
numbers. Meaning never rests on colour: a negative weight is drawn dashed and says its sign.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from markupsafe import Markup

from tutor.render.numbers import MINUS, paren
from tutor.render.numbers import text_num as num
from tutor.render.svg import Figure, Table

WIDTH, HEIGHT = 480, 260
RADIUS = 24


def _svg(
    key: str,
    title: str,
    desc: str,
    parts: Sequence[str],
    height: int = HEIGHT,
    width: int = WIDTH,
) -> Markup:
    k = escape(key)
    return Markup(
        f'<svg class="chart diagram" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{k}-title" aria-describedby="{k}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{k}-title">{escape(title)}</title>'
        f'<desc id="{k}-desc">{escape(desc)}</desc>'
        f'<defs><marker id="{k}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path class="head" d="M0,0 L10,5 L0,10 z"/>'
        f"</marker></defs>{''.join(parts)}</svg>"
    )


def _edge(key: str, a: tuple[float, float], b: tuple[float, float], weight: float) -> str:
    """A connection from ``a`` to ``b``, stopping at the circles, dashed when negative."""
    (x1, y1), (x2, y2) = a, b
    length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 or 1
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    start = (x1 + ux * RADIUS, y1 + uy * RADIUS)
    end = (x2 - ux * (RADIUS + 2), y2 - uy * (RADIUS + 2))
    dash = ' stroke-dasharray="6 4"' if weight < 0 else ""
    return (
        f'<line class="edge" x1="{start[0]:.1f}" y1="{start[1]:.1f}" x2="{end[0]:.1f}" '
        f'y2="{end[1]:.1f}"{dash} marker-end="url(#{escape(key)}-arrow)"/>'
    )


def _label(x: float, y: float, text: str, cls: str = "note", anchor: str = "middle") -> str:
    return (
        f'<text class="{cls}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(text)}</text>'
    )


def _weight(x: float, y: float, weight: str, gradient: str | None, anchor: str) -> str:
    """A connection's weight, and under it its gradient in a backward pass: two short lines
    rather than one long one, so that labels of nearby connections do not run together."""
    if not gradient:
        return _label(x, y, weight, "note", anchor)
    # The second line one line-height down, whatever size a small screen sets the text at.
    return (
        f'<text class="note" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(weight)}'
        f'<tspan x="{x:.1f}" dy="1.15em">∂ {escape(gradient)}</tspan></text>'
    )


def _node(x: float, y: float, name: str, above: str, below: str) -> str:
    """A unit as a circle with its short name inside, its value above and a caption below:
    values such as h1 = 0.6457 are wider than a circle, and written inside they ran over it."""
    return (
        f'<circle class="unit" cx="{x:.1f}" cy="{y:.1f}" r="{RADIUS}"/>'
        + _label(x, y + 5, name, "label")
        + _label(x, y - RADIUS - 8, f"{name} = {above}", "label")
        + _label(x, y + RADIUS + 17, below)
    )


def _along(
    a: tuple[float, float], b: tuple[float, float], t: float, lift: float
) -> tuple[float, float]:
    """A point a fraction ``t`` of the way from ``a`` to ``b``, lifted above the line."""
    return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t - lift


def neuron_diagram(
    key: str,
    x: Sequence[float],
    w: Sequence[float],
    b: float,
    z: float,
    p: float,
    features: Sequence[str] = (),
) -> Figure:
    """One neuron: each input on its weighted connection into the sum, then the sigmoid."""
    names = list(features) or [f"x{i + 1}" for i in range(len(x))]
    n = len(x)
    width = 640
    height = max(HEIGHT, 100 * n + 40)
    gap = (height - 40) / n
    inputs = [(90.0, 20 + gap * (i + 0.5)) for i in range(n)]
    sum_at, out_at = (330.0, height / 2), (540.0, height / 2)
    parts = []
    for i, (at, xi, wi) in enumerate(zip(inputs, x, w, strict=True)):
        parts.append(_edge(key, at, sum_at, wi))
        lx, ly = _along(at, sum_at, 0.5, 8)
        parts.append(_label(lx, ly, f"w = {num(wi)}"))
        parts.append(_node(at[0], at[1], f"x{i + 1}", num(xi), names[i][:16]))
    parts.append(_edge(key, sum_at, out_at, 1))
    parts.append(_label((sum_at[0] + out_at[0]) / 2, sum_at[1] - 10, "sigmoid"))
    parts.append(_node(sum_at[0], sum_at[1], "z", num(z), f"+ bias {num(b)}"))
    parts.append(_node(out_at[0], out_at[1], "p", num(p), "output"))
    # Negative operands after the first in brackets: "1.5 × 0.8 + (−2) × 0.3 + (−0.5)".
    terms = " + ".join(
        f"{num(wi) if i == 0 else paren(wi, minus=MINUS)} × {paren(xi, minus=MINUS)}"
        for i, (xi, wi) in enumerate(zip(x, w, strict=True))
    )
    desc = (
        f"{n} input{'s' if n != 1 else ''} flow into one neuron: "
        + "; ".join(
            f"{names[i]} is {num(x[i])}, on a connection of weight {num(w[i])}"
            + (" (negative, drawn dashed)" if w[i] < 0 else "")
            for i in range(n)
        )
        + f". The neuron adds the weighted inputs and the bias: z = {terms} + "
        f"{paren(b, minus=MINUS)} = "
        f"{num(z)}. The sigmoid turns z into the output p = {num(p)}."
    )
    table = Table(
        "The numbers in the picture",
        ("Input", "x", "weight w", "w × x"),
        tuple((names[i], num(x[i]), num(w[i]), num(x[i] * w[i])) for i in range(n)),
    )
    title = "The neuron of this example, with its numbers"
    return Figure(
        key, title, desc, _svg(key, title, desc, parts, int(height), width), (), table, scrolls=True
    )


def network_diagram(
    key: str,
    forward: dict[str, Any],
    net: dict[str, Any],
    backward: dict[str, Any] | None = None,
    features: Sequence[str] = (),
) -> Figure:
    """The two-layer network: inputs, two hidden units, the output; weights on the
    connections, and in a backward pass each weight's gradient beneath its weight."""
    names = list(features) or ["x1", "x2"]
    width, height = 680, 345
    inputs = [(90.0, 95.0), (90.0, 285.0)]
    hidden = [(400.0, 95.0), (400.0, 285.0)]
    out = (600.0, 190.0)
    act = net["activation"]
    parts = []
    lines = []
    for j, h_at in enumerate(hidden):
        for i, x_at in enumerate(inputs):
            weight = net["w1"][j][i]
            parts.append(_edge(key, x_at, h_at, weight))
            gradient = num(backward["dw1"][j][i]) if backward else None
            if i == j:  # straight across: above the line, clear of the crossing ones and
                # of the value over the unit it goes to (the lower one further along)
                lx, ly = x_at[0] + (h_at[0] - x_at[0]) * (0.55 if i == 0 else 0.64), x_at[1] - 24
            else:  # the two that cross: on the line itself, a third of the way along
                lx, ly = _along(x_at, h_at, 0.33, 2)
            parts.append(_weight(lx, ly, num(weight), gradient, "middle"))
            lines.append(
                f"the weight from {names[i]} to hidden unit {j + 1} is {num(weight)}"
                + (f", its gradient {num(backward['dw1'][j][i])}" if backward else "")
            )
        weight = net["w2"][j]
        parts.append(_edge(key, h_at, out, weight))
        lx, ly = _along(h_at, out, 0.42 if j == 0 else 0.55, 22 if j == 0 else -20)
        gradient = num(backward["dw2"][j]) if backward else None
        parts.append(_weight(lx, ly, num(weight), gradient, "middle"))
        lines.append(
            f"the weight from hidden unit {j + 1} to the output is {num(weight)}"
            + (f", its gradient {num(backward['dw2'][j])}" if backward else "")
        )
    for i, at in enumerate(inputs):
        parts.append(_node(at[0], at[1], f"x{i + 1}", num(forward["x"][i]), names[i][:16]))
    for j, at in enumerate(hidden):
        parts.append(
            _node(at[0], at[1], f"h{j + 1}", num(forward["h"][j]), f"z = {num(forward['z1'][j])}")
        )
    parts.append(_node(out[0], out[1], "p", num(forward["p"]), f"z = {num(forward['z2'])}"))
    given = ", ".join(f"{names[i]} = {num(forward['x'][i])}" for i in range(2))
    desc = (
        f"A network with two inputs ({given}), "
        f"two hidden units using {act} and one output using the sigmoid. "
        + _sentence("; ".join(lines))
        + _sentence(
            "; ".join(
                f"hidden unit {j + 1} adds its weighted inputs and bias {num(net['b1'][j])} to get "
                f"z = {num(forward['z1'][j])} and outputs {num(forward['h'][j])}"
                for j in range(2)
            )
            + f"; the output adds the hidden outputs, weighted, and bias {num(net['b2'])} to "
            f"get z = {num(forward['z2'])}, so p = {num(forward['p'])}"
        )
        + (
            f"Going backward, the output's blame is p − y = {num(backward['dz2'])}."
            if backward
            else ""
        )
    ).strip()
    rows = [
        (f"{names[i]} → hidden {j + 1}", num(net["w1"][j][i]))
        + ((num(backward["dw1"][j][i]),) if backward else ())
        for j in range(2)
        for i in range(2)
    ] + [
        (f"hidden {j + 1} → output", num(net["w2"][j]))
        + ((num(backward["dw2"][j]),) if backward else ())
        for j in range(2)
    ]
    columns = ("Connection", "weight") + (("gradient",) if backward else ())
    table = Table("The weights in the picture", columns, tuple(rows))
    title = "The network of this example" + (", with the backward pass" if backward else "")
    return Figure(
        key, title, desc, _svg(key, title, desc, parts, height, width), (), table, scrolls=True
    )


def _sentence(text: str) -> str:
    """``text`` as a sentence of a description: a capital first letter, a full stop."""
    return text[:1].upper() + text[1:] + ". "
