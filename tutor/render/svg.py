"""The drawing kit behind the charts: axes, lines, markers and the figure they make.

A :class:`Chart` is one pair of axes in a fixed viewBox of :data:`WIDTH` by :data:`HEIGHT`;
lines and markers are added in data coordinates and :meth:`Chart.figure` wraps the SVG
(``role="img"`` with a ``<title>`` and ``<desc>``) into a :class:`Figure` with its legend,
caption and table. Line styles differ by dash pattern and marker shape, not only by the CSS
class that colours them, so a chart reads without colour. The charts are in
:mod:`tutor.render.plots`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from markupsafe import Markup

from tutor.render.numbers import format_number as num

WIDTH, HEIGHT = 480, 280
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 28, 46
DASHES = ("", "9 5", "2 4", "12 4 2 4")
"""Dash pattern of each line style; the style number is also its CSS class, ``s0`` to ``s3``."""


@dataclass(frozen=True)
class Table:
    """The numbers behind a chart: a caption, column heads, rows (first cell heads the row)."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def as_dict(self) -> dict[str, Any]:
        return {"caption": self.caption, "columns": list(self.columns), "rows": self.rows}


@dataclass(frozen=True)
class Figure:
    """A chart, its legend (label and line style) and its text alternative."""

    key: str
    title: str
    caption: str
    svg: Markup
    legend: tuple[tuple[str, int], ...]
    table: Table | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "caption": self.caption,
            "svg": str(self.svg),
            "legend": [{"label": label, "style": style} for label, style in self.legend],
            "table": self.table.as_dict() if self.table else None,
        }


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) covering ``[low, high]``."""
    span = high - low if high > low else 1.0
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step + 1e-9) + 1)]


def nice_top(value: float) -> float:
    """The smallest tick value at or above ``value``."""
    ticks = nice_ticks(0.0, value)
    return ticks[-1] if ticks[-1] >= value else ticks[-1] + (ticks[1] - ticks[0])


def _marker(style: int, x: float, y: float, size: float = 4.5) -> str:
    cls = f'class="m{style}"'
    if style % 4 == 0:
        return f'<circle {cls} cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}"/>'
    if style % 4 == 1:
        s = size * 0.9
        side = f'width="{2 * s:.1f}" height="{2 * s:.1f}"'
        return f'<rect {cls} x="{x - s:.1f}" y="{y - s:.1f}" {side}/>'
    if style % 4 == 2:
        s = size * 1.2
        points = f"{x:.1f},{y - s:.1f} {x + s:.1f},{y + s * 0.8:.1f} {x - s:.1f},{y + s * 0.8:.1f}"
        return f'<polygon {cls} points="{points}"/>'
    s = size * 1.2
    points = f"{x:.1f},{y - s:.1f} {x + s:.1f},{y:.1f} {x:.1f},{y + s:.1f} {x - s:.1f},{y:.1f}"
    return f'<polygon {cls} points="{points}"/>'


def swatch(style: int) -> Markup:
    """A small picture of a line style, for legends."""
    dash = f' stroke-dasharray="{DASHES[style % 4]}"' if DASHES[style % 4] else ""
    return Markup(
        '<svg class="swatch" viewBox="0 0 40 14" width="40" height="14" aria-hidden="true" '
        f'focusable="false"><line class="s{style}" x1="2" y1="7" x2="38" y2="7"{dash}/>'
        f"{_marker(style, 20, 7, 3.5)}</svg>"
    )


class Chart:
    """One pair of axes in a fixed viewBox; data outside the ranges is clipped, not dropped."""

    def __init__(
        self,
        key: str,
        x_range: tuple[float, float],
        y_range: tuple[float, float],
        x_label: str,
        y_label: str,
    ):
        self.key = key
        self.x0, self.x1 = x_range
        self.y0, self.y1 = y_range
        self.x_label, self.y_label = x_label, y_label
        self.parts: list[str] = []

    def x(self, value: float) -> float:
        return LEFT + (value - self.x0) / (self.x1 - self.x0) * (WIDTH - LEFT - RIGHT)

    def y(self, value: float) -> float:
        # Clamp far-away values so the path stays a sensible size; the clip hides them.
        span = self.y1 - self.y0
        value = min(max(value, self.y0 - 10 * span), self.y1 + 10 * span)
        return HEIGHT - BOTTOM - (value - self.y0) / (self.y1 - self.y0) * (HEIGHT - TOP - BOTTOM)

    def line(self, points: Iterable[tuple[float, float]], style: int, cls: str = "") -> None:
        coords = " L".join(f"{self.x(a):.1f},{self.y(b):.1f}" for a, b in points)
        dash = f' stroke-dasharray="{DASHES[style % 4]}"' if DASHES[style % 4] else ""
        classes = f"s{style} {cls}".strip()
        self.parts.append(
            f'<path class="{classes}" d="M{coords}"{dash} clip-path="url(#{self.key}-clip)"/>'
        )

    def mark(self, x: float, y: float, style: int, label: str = "", value: bool = True) -> None:
        """A marker; above the top of the chart it sits on the edge as an arrow, with its
        value unless ``value`` is false (several close together would overlap)."""
        px = self.x(x)
        if y > self.y1:
            top = TOP + 2
            self.parts.append(f'<path class="off" d="M{px:.1f},{top:.1f} l-5,8 h10 z"/>')
            if value:
                self.note(px, top + 9, f"{num(y)} ↑")
            return
        py = self.y(y)
        self.parts.append(_marker(style, px, py))
        if label:
            self.note(px, py - 7, label)

    def note(self, px: float, py: float, label: str) -> None:
        """A short label beside a point, kept inside the chart near its right edge."""
        near_edge = px > WIDTH - 70
        where = f'x="{px - 7:.1f}" text-anchor="end"' if near_edge else f'x="{px + 7:.1f}"'
        self.parts.append(f'<text class="note" {where} y="{py:.1f}">{escape(label)}</text>')

    def guide(self, x: float, label: str, row: int = 0) -> None:
        """A dotted vertical line at ``x`` with a short label above the plot area."""
        px = self.x(x)
        self.parts.append(
            f'<line class="guide" x1="{px:.1f}" y1="{TOP:.1f}" x2="{px:.1f}" '
            f'y2="{HEIGHT - BOTTOM:.1f}" stroke-dasharray="1 3"/>'
            f'<text class="note" text-anchor="middle" x="{px:.1f}" y="{TOP - 6 - 12 * row:.1f}">'
            f"{escape(label)}</text>"
        )

    def _axes(self) -> str:
        parts = []
        bottom, right = HEIGHT - BOTTOM, WIDTH - RIGHT
        for t in nice_ticks(self.y0, self.y1):
            py = self.y(t)
            parts.append(
                f'<line class="grid" x1="{LEFT}" y1="{py:.1f}" x2="{right}" y2="{py:.1f}"/>'
                f'<text class="tick" x="{LEFT - 6}" y="{py + 4:.1f}" text-anchor="end">'
                f"{escape(num(t))}</text>"
            )
        for t in nice_ticks(self.x0, self.x1, 6):
            px = self.x(t)
            parts.append(
                f'<line class="axis" x1="{px:.1f}" y1="{bottom}" x2="{px:.1f}" y2="{bottom + 5}"/>'
                f'<text class="tick" x="{px:.1f}" y="{bottom + 18}" text-anchor="middle">'
                f"{escape(num(t))}</text>"
            )
        parts.append(
            f'<path class="axis" d="M{LEFT},{TOP} V{bottom} H{right}"/>'
            f'<text class="label" x="{(LEFT + right) / 2:.1f}" y="{HEIGHT - 8}" '
            f'text-anchor="middle">{escape(self.x_label)}</text>'
            f'<text class="label" x="4" y="14">{escape(self.y_label)}</text>'
        )
        return "".join(parts)

    def svg(self, title: str, desc: str) -> Markup:
        k = escape(self.key)
        inner = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        return Markup(
            f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-labelledby="{k}-title" aria-describedby="{k}-desc" '
            f'xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{k}-title">{escape(title)}</title>'
            f'<desc id="{k}-desc">{escape(desc)}</desc>'
            f'<defs><clipPath id="{k}-clip"><rect x="{LEFT}" y="{TOP}" width="{inner[0]}" '
            f'height="{inner[1]}"/></clipPath></defs>'
            f"{self._axes()}{''.join(self.parts)}</svg>"
        )

    def figure(
        self,
        title: str,
        caption: str,
        legend: Sequence[tuple[str, int]],
        table: Table | None = None,
    ) -> Figure:
        """The chart as a :class:`Figure`, its caption doubling as the SVG's description."""
        return Figure(self.key, title, caption, self.svg(title, caption), tuple(legend), table)
