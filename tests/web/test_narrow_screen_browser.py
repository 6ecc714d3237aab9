"""A phone-width screen (360 px) in Chromium: the neuron and network pictures keep labels a
learner can read, and a formula wider than the screen shows that it scrolls.

Every step of the shipped lessons is opened as a learner first sees it. Skipped when
Debian's chromium is not installed, unless TUTOR_REQUIRE_BROWSER is set.
"""

from __future__ import annotations

import pytest
from test_browser import ROOT, server  # noqa: F401  (skips without Chromium)

from tutor.lessons.catalog import load_catalog

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTH = 360
READABLE = 11  # px: the smallest label height a learner reads comfortably on a phone

MEASURE = """() => ({
  page: document.scrollingElement.scrollWidth,
  screen: window.innerWidth,
  labels: [...document.querySelectorAll('svg.diagram')].map(svg =>
    [...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect().height)),
  formulas: [...document.querySelectorAll('.math-wrap')]
    .filter(m => m.scrollWidth > m.clientWidth)
    .map(m => {
      const style = getComputedStyle(m);
      return {overflow: style.overflowX, background: style.backgroundImage,
              attachment: style.backgroundAttachment};
    }),
})"""


def steps() -> list[str]:
    return [
        f"/lessons/{loaded.id}/steps/{n}"
        for loaded in load_catalog([ROOT / "lessons"])
        for n in range(1, len(loaded.lesson.steps) + 1)
    ]


def test_pictures_are_readable_and_wide_formulas_scroll_at_360_px(server, tabs):  # noqa: F811
    url, _ = server
    tab = tabs(width=WIDTH, height=800)
    pictures = formulas = 0
    for path in steps():
        tab.goto(url + path)
        seen = tab.evaluate(MEASURE)
        assert seen["page"] <= seen["screen"], f"{path} scrolls sideways: {seen['page']} px"
        for heights in seen["labels"]:
            pictures += 1
            shown = [h for h in heights if h > 0]
            assert shown and min(shown) >= READABLE, f"{path}: labels {min(shown):.1f} px tall"
        for formula in seen["formulas"]:
            formulas += 1
            assert formula["overflow"] in ("auto", "scroll"), path
            # The affordance: a shadow fixed at the box's edge ("scroll"), hidden by covers
            # that move with the formula ("local") once that edge is reached.
            assert "gradient" in formula["background"], f"{path}: no sign the formula scrolls"
            assert {"local", "scroll"} <= set(formula["attachment"].replace(",", " ").split())
    assert pictures, "no step of the lessons shows a neuron or network picture"
    assert formulas, "no formula of the lessons is wider than a 360 px screen"


def test_a_long_formula_in_a_line_of_text_scrolls_in_place_at_360_px(serve, tabs, tmp_path):  # noqa: F811
    """A formula inside a sentence cannot break across lines: a long one (numbers drawn for
    an explanation, say) widened the whole page on a phone."""
    from helpers import editable_lessons

    folder = editable_lessons(tmp_path)
    lesson = folder / "mini.yaml"
    terms = " + ".join(f"{w} \\\\times ({w + 10})" for w in range(1, 9))
    lesson.write_text(
        lesson.read_text().replace(
            'prompt: "The network said {{ p }} for',
            f'prompt: "Here $z = {terms}$. The network said {{{{ p }}}} for',
        )
    )
    url, _ = serve(folder)
    tab = tabs(width=WIDTH, height=800)
    tab.goto(url + "/lessons/mini/steps/1")
    seen = tab.evaluate(
        """() => {
          const box = document.querySelector('.math-inline');
          return {page: document.scrollingElement.scrollWidth, screen: window.innerWidth,
                  inner: box.scrollWidth, outer: box.clientWidth};
        }"""
    )
    assert seen["inner"] > seen["outer"]  # the formula is wider than the screen...
    assert seen["page"] <= seen["screen"], seen  # ...and scrolls in its box, not the page
