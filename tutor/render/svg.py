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

from tutor.render.numbers import text_num as num

WIDTH, HEIGHT = 480, 280
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 36, 50
ROW = 16  # the height of a row of guide labels above the plot area
# Labels are placed for the largest text the stylesheet sets (on a narrow screen): a font of
# NOTE_SIZE user units, each character about CHAR of it wide.
NOTE_SIZE, CHAR = 16.0, 0.6
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
    scrolls: bool = False
    """On a narrow screen the picture keeps a readable width and scrolls in its own box
    (a diagram: its labels are many and small) rather than shrink with the page."""

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


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@dataclass(frozen=True)
class _Note:
    """A label beside a point, placed once every marker is known (see Chart.note)."""

    px: float
    py: float
    label: str


class Chart:
    """One pair of axes in a fixed viewBox; data outside the ranges is clipped, not dropped.

    ``guide_rows`` rows of guide labels fit above the plot area, which starts lower to make
    room for them, so none is cut off at the top of the picture.
    """

    def __init__(
        self,
        key: str,
        x_range: tuple[float, float],
        y_range: tuple[float, float],
        x_label: str,
        y_label: str,
        guide_rows: int = 1,
    ):
        self.key = key
        self.x0, self.x1 = x_range
        self.y0, self.y1 = y_range
        self.x_label, self.y_label = x_label, y_label
        self.top = TOP + ROW * max(guide_rows - 1, 0)
        self.parts: list[str | _Note] = []
        self._taken: list[Box] = []  # markers and arrows, which no label may cover

    def x(self, value: float) -> float:
        return LEFT + (value - self.x0) / (self.x1 - self.x0) * (WIDTH - LEFT - RIGHT)

    def y(self, value: float) -> float:
        # Clamp far-away values so the path stays a sensible size; the clip hides them.
        span = self.y1 - self.y0
        value = min(max(value, self.y0 - 10 * span), self.y1 + 10 * span)
        inner = HEIGHT - self.top - BOTTOM
        return HEIGHT - BOTTOM - (value - self.y0) / (self.y1 - self.y0) * inner

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
            top = self.top + 2
            self.parts.append(f'<path class="off" d="M{px:.1f},{top:.1f} l-5,8 h10 z"/>')
            self._taken.append((px - 5, top, px + 5, top + 8))
            if value:
                self.note(px, top + 15, f"{num(y)} ↑")
            return
        py = self.y(y)
        self.parts.append(_marker(style, px, py))
        self._taken.append((px - 6, py - 6, px + 6, py + 6))
        if label:
            self.note(px, py, label)

    def note(self, px: float, py: float, label: str) -> None:
        """A short label beside the point (px, py), placed when the chart is drawn: to its
        right, left, above or below, wherever it covers no marker and stays in the picture."""
        self.parts.append(_Note(px, py, label))

    def _place(self, note: _Note) -> str:
        width, size = CHAR * NOTE_SIZE * len(note.label), NOTE_SIZE
        px, py = note.px, note.py
        # (x of the text's left edge, baseline, anchor): right, left, above, below.
        spots = [
            (px + 8, py - 6, "start"),
            (px - 8 - width, py - 6, "end"),
            (px - width / 2, py - 10, "middle"),
            (px - width / 2, py + 8 + size, "middle"),
        ]
        if px > WIDTH - 70:  # near the right edge: the left first
            spots[0], spots[1] = spots[1], spots[0]

        def box(spot: tuple[float, float, str]) -> Box:
            left, baseline, _ = spot
            return (left, baseline - 0.8 * size, left + width, baseline + 0.2 * size)

        inside = [s for s in spots if box(s)[0] >= 0 and box(s)[2] <= WIDTH and box(s)[1] >= 0]
        free = [s for s in inside if not any(_overlaps(box(s), t) for t in self._taken)]
        left, baseline, anchor = (free or inside or spots)[0]
        self._taken.append(box((left, baseline, anchor)))
        x = {"start": left, "end": left + width, "middle": left + width / 2}[anchor]
        where = f'x="{x:.1f}"' + ("" if anchor == "start" else f' text-anchor="{anchor}"')
        return f'<text class="note" {where} y="{baseline:.1f}">{escape(note.label)}</text>'

    def guide(self, x: float, label: str, row: int = 0) -> None:
        """A dotted vertical line at ``x`` with a short label above the plot area, in row
        ``row`` (0 nearest the plot; give the chart ``guide_rows`` to fit the others)."""
        px = self.x(x)
        self.parts.append(
            f'<line class="guide" x1="{px:.1f}" y1="{self.top:.1f}" x2="{px:.1f}" '
            f'y2="{HEIGHT - BOTTOM:.1f}" stroke-dasharray="1 3"/>'
            f'<text class="note" text-anchor="middle" x="{px:.1f}" '
            f'y="{self.top - 6 - ROW * row:.1f}">{escape(label)}</text>'
        )

    def _axes(self) -> str:
        parts = []
        bottom, right = HEIGHT - BOTTOM, WIDTH - RIGHT
        for t in nice_ticks(self.y0, self.y1):
            py = self.y(t)
            # The lowest sits just above the corner, clear of the x axis's first label.
            baseline = py - 2 if py >= bottom - 0.5 else py + 4
            parts.append(
                f'<line class="grid" x1="{LEFT}" y1="{py:.1f}" x2="{right}" y2="{py:.1f}"/>'
                f'<text class="tick" x="{LEFT - 6}" y="{baseline:.1f}" text-anchor="end">'
                f"{escape(num(t))}</text>"
            )
        for t in nice_ticks(self.x0, self.x1, 6):
            px = self.x(t)
            # The first, at the corner, starts there rather than reaching under the y axis.
            anchor = (
                f'x="{px - 3:.1f}"' if px <= LEFT + 0.5 else (f'x="{px:.1f}" text-anchor="middle"')
            )
            parts.append(
                f'<line class="axis" x1="{px:.1f}" y1="{bottom}" x2="{px:.1f}" y2="{bottom + 5}"/>'
                f'<text class="tick" {anchor} y="{bottom + 20}">{escape(num(t))}</text>'
            )
        parts.append(
            f'<path class="axis" d="M{LEFT},{self.top:.1f} V{bottom} H{right}"/>'
            f'<text class="label" x="{(LEFT + right) / 2:.1f}" y="{HEIGHT - 5}" '
            f'text-anchor="middle">{escape(self.x_label)}</text>'
            f'<text class="label" x="4" y="17">{escape(self.y_label)}</text>'
        )
        return "".join(parts)

    def svg(self, title: str, desc: str) -> Markup:
        k = escape(self.key)
        inner = WIDTH - LEFT - RIGHT, HEIGHT - self.top - BOTTOM
        drawn = "".join(p if isinstance(p, str) else self._place(p) for p in self.parts)
        return Markup(
            f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-labelledby="{k}-title" aria-describedby="{k}-desc" '
            f'xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{k}-title">{escape(title)}</title>'
            f'<desc id="{k}-desc">{escape(desc)}</desc>'
            f'<defs><clipPath id="{k}-clip"><rect x="{LEFT}" y="{self.top:.1f}" '
            f'width="{inner[0]}" height="{inner[1]:.1f}"/></clipPath></defs>'
            f"{self._axes()}{drawn}</svg>"
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
