"""Charts and wide pages as Chromium lays them out: on a 360 px phone no chart label is cut
off, covers a marker or runs into another at the corner; instructor pages use the width.

Skipped when Debian's chromium is not installed, unless TUTOR_REQUIRE_BROWSER is set.
"""

from __future__ import annotations

import pytest
from helpers import live_server
from test_browser import ROOT  # skips without Chromium, as there

from tutor.app import create_app
from tutor.config import Settings

LESSONS = ROOT / "lessons"

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Each chart's labels and markers as laid out, in the chart's own units (getBBox).
LAYOUT = """
svg => {
  const box = e => { const b = e.getBBox(); return {x: b.x, y: b.y, r: b.x + b.width,
    b: b.y + b.height, text: e.textContent, cls: e.getAttribute('class') || ''}; };
  return {
    view: {x: svg.viewBox.baseVal.x, y: svg.viewBox.baseVal.y, width: svg.viewBox.baseVal.width},
    texts: [...svg.querySelectorAll('text')].map(box),
    marks: [...svg.querySelectorAll('circle, rect[class^=m], polygon, path.off')].map(box),
  };
}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path_factory.mktemp('db') / 'tutor.db'}",
        lessons_dir=LESSONS,
        secret_key="browser-test",
        instructor_token="chart-test-token",
    )
    with live_server(create_app(settings)) as url:
        yield url


@pytest.fixture
def phone(tabs):
    return tabs(width=360, height=800)


def overlap(a: dict, b: dict, slack: float = 0.5) -> bool:
    return (
        a["x"] + slack < b["r"]
        and b["x"] + slack < a["r"]
        and (a["y"] + slack < b["b"] and b["y"] + slack < a["b"])
    )


def layouts(page, url: str) -> list[dict]:
    page.goto(url)
    charts = page.locator("svg.chart")
    assert charts.count() > 0, url
    return [charts.nth(i).evaluate(LAYOUT) for i in range(charts.count())]


@pytest.mark.parametrize(
    "path",
    ["/lab/loss", "/lab/descent", "/lessons/how-a-network-learns/steps/4"],
)
def test_on_a_phone_no_chart_label_is_cut_off_or_covers_a_marker(server, phone, path: str):
    for chart in layouts(phone, server + path):
        view = chart["view"]
        for text in chart["texts"]:
            assert text["y"] >= view["y"] - 0.5, f"{text['text']!r} is cut off at the top"
            assert text["x"] >= view["x"] - 0.5, f"{text['text']!r} is cut off at the left"
            assert text["r"] <= view["x"] + view["width"] + 0.5, f"{text['text']!r} at the right"
        notes = [t for t in chart["texts"] if t["cls"] == "note"]
        for note in notes:
            covered = [m for m in chart["marks"] if overlap(note, m, slack=1.5)]
            assert not covered, f"{note['text']!r} covers a marker on {path}"


@pytest.mark.parametrize("path", ["/lab/loss", "/lab/descent"])
def test_on_a_phone_the_axes_labels_do_not_meet_at_the_corner(server, phone, path: str):
    for chart in layouts(phone, server + path):
        ticks = [t for t in chart["texts"] if t["cls"] in ("tick", "label")]
        for i, a in enumerate(ticks):
            for b in ticks[i + 1 :]:
                assert not overlap(a, b), f"{a['text']!r} and {b['text']!r} collide on {path}"


def test_the_instructor_dashboard_uses_the_width_of_the_window(server, tabs):
    page = tabs(width=1280, height=900)
    page.goto(f"{server}/instructor/sign-in?token=chart-test-token")
    assert page.locator("h1").inner_text() == "Instructor"
    wide = page.locator("main").bounding_box()["width"]
    page.goto(f"{server}/")
    narrow = page.locator("main").bounding_box()["width"]
    assert wide >= 1200 and narrow < 800


def _is_name(text: dict) -> bool:
    """A unit's short name, written inside its own circle (x1, h2, z, p)."""
    return text["cls"] == "label" and len(text["text"]) <= 3


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize(
    "path",
    [
        "/lessons/backpropagation/steps/1",
        "/lessons/backpropagation/steps/3",
        "/lessons/backpropagation/steps/4",
        "/lessons/how-a-network-learns/steps/1",
    ],
)
def test_no_label_of_a_network_picture_runs_into_another_or_into_a_unit(
    server, tabs, path: str, width: int
):
    page = tabs(width=width, height=900)
    page.goto(server + path)
    pictures = page.locator("svg.diagram")
    assert pictures.count() > 0, path
    for n in range(pictures.count()):
        picture = pictures.nth(n).evaluate(LAYOUT)
        view = picture["view"]
        texts = picture["texts"]
        for text in texts:
            assert text["x"] >= view["x"] - 0.5, f"{text['text']!r} is cut off at the left"
            assert text["r"] <= view["x"] + view["width"] + 0.5, f"{text['text']!r} at the right"
            if not _is_name(text):
                covered = [m for m in picture["marks"] if overlap(text, m, slack=1.5)]
                assert not covered, f"{text['text']!r} runs into a unit on {path}"
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                assert not overlap(a, b), f"{a['text']!r} and {b['text']!r} collide on {path}"
