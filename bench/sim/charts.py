"""Grouped bar charts as standalone SVG files, drawn as the app draws its charts.

Server-side SVG with ``role="img"``, a ``<title>`` and a ``<desc>``; every bar carries its
value, and the series differ by fill pattern as well as by colour, so a chart reads in
grey. The axis ticks come from the app's own :func:`tutor.render.svg.nice_ticks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from tutor.render.svg import nice_ticks

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 40, 44
COLOURS = ("#1f5f8b", "#c0641a", "#4f7f3a", "#7a4f96")
STYLE = (
    "text{font:12px system-ui,sans-serif;fill:#222}.tick{fill:#555}.grid{stroke:#ddd}"
    ".axis{stroke:#444;fill:none}.value{font-size:10px}.target{stroke:#b00;stroke-dasharray:6 4}"
)


def _patterns() -> str:
    """A solid fill, hatching, dots and cross-hatching, one per series."""
    marks = (
        "",
        '<path d="M0,6 L6,0" stroke="#fff" stroke-width="1.5"/>',
        '<circle cx="3" cy="3" r="1.3" fill="#fff"/>',
        '<path d="M0,0 L6,6 M0,6 L6,0" stroke="#fff" stroke-width="1.2"/>',
    )
    return "".join(
        f'<pattern id="p{i}" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{COLOURS[i]}"/>{mark}</pattern>'
        for i, mark in enumerate(marks)
    )


def grouped_bars(
    title: str,
    description: str,
    groups: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[float | None]],  # values[group][series], in percent
    *,
    y_label: str = "%",
    top: float = 100.0,
    target: tuple[float, str] | None = None,
) -> str:
    """One group of bars per entry of ``groups``, one bar per series; None draws no bar."""
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    band = inner_w / len(groups)
    bar = band * 0.8 / len(series)

    def y(value: float) -> float:
        return TOP + inner_h * (1 - min(max(value, 0.0), top) / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="t d"><title id="t">{escape(title)}</title>'
        f'<desc id="d">{escape(description)}</desc><style>{STYLE}</style>'
        f"<defs>{_patterns()}</defs>"
    ]
    for tick in nice_ticks(0, top):
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}"/><text class="tick" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end">{tick:g}</text>'
        )
    for g, group in enumerate(groups):
        x0 = LEFT + g * band + band * 0.1
        for s, value in enumerate(values[g]):
            if value is None:
                continue
            x = x0 + s * bar
            parts.append(
                f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{bar - 1:.1f}" '
                f'height="{y(0) - y(value):.1f}" fill="url(#p{s % 4})">'
                f"<title>{escape(group)}, {escape(series[s])}: {value:.0f}</title></rect>"
                f'<text class="value" x="{x + bar / 2:.1f}" y="{y(value) - 3:.1f}" '
                f'text-anchor="middle">{value:.0f}</text>'
            )
        parts.append(
            f'<text x="{LEFT + g * band + band / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" '
            f'text-anchor="middle">{escape(group)}</text>'
        )
    if target is not None:  # the line across the plot, named in the legend
        value, label = target
        x = LEFT + len(series) * 130
        parts.append(
            f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" '
            f'y2="{y(value):.1f}"/><line class="target" x1="{x}" x2="{x + 24}" y1="10" '
            f'y2="10"/><text x="{x + 29}" y="14">{escape(label)}</text>'
        )
    parts.append(
        f'<path class="axis" d="M{LEFT},{TOP} V{y(0):.1f} H{WIDTH - RIGHT}"/>'
        f'<text class="tick" x="4" y="{TOP - 8}">{escape(y_label)}</text>'
    )
    for s, name in enumerate(series):  # the legend, along the top
        x = LEFT + s * 130
        parts.append(
            f'<rect x="{x}" y="4" width="14" height="12" fill="url(#p{s % 4})"/>'
            f'<text x="{x + 19}" y="14">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
