"""Page weight: every page under 100 KB on a cold load, and no request to another host.

Each page is loaded in a fresh browser context (an empty cache) and every request is
recorded; the bytes transferred are the response headers and bodies. The figure for each
page is printed (run with -s to see it). The API docs page carries the vendored Swagger UI,
so it is weighed and printed but kept out of the budget; it too must stay on this host.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from test_browser import ROOT, page, server  # noqa: F401

from tutor.lessons.catalog import load_catalog

pytestmark = [pytest.mark.browser, pytest.mark.slow]
BUDGET = 100 * 1024


def pages() -> list[str]:
    paths = ["/", "/lessons/no-such-lesson", "/lab/loss", "/lab/descent"]
    paths += ["/lab/loss?y_true=260,290,200,410&y_pred=500,300,180,400"]
    for loaded in load_catalog([ROOT / "lessons"]):
        paths.append(f"/lessons/{loaded.id}")
        paths += [f"/lessons/{loaded.id}/steps/{n}" for n in range(1, len(loaded.lesson.steps) + 1)]
    return paths


def weigh(browser, url: str) -> tuple[int, list[str]]:
    """Bytes transferred for a cold load of ``url``, and every URL requested."""
    context = browser.new_context()  # a fresh context has an empty cache
    tab = context.new_page()
    requests = []
    tab.on("request", lambda r: requests.append(r))
    tab.goto(url, wait_until="networkidle")
    total = 0
    for request in requests:
        sizes = request.sizes()
        total += sizes["responseHeadersSize"] + sizes["responseBodySize"]
    context.close()
    return total, [r.url for r in requests]


def test_every_page_is_light_and_stays_on_this_host(server, page):  # noqa: F811
    url, _ = server
    host = urlparse(url).netloc
    weights: dict[str, int] = {}
    foreign: list[str] = []
    for path in [*pages(), "/docs"]:
        weights[path], asked = weigh(page.context.browser, url + path)
        foreign += [a for a in asked if urlparse(a).netloc != host]
    print("\npage weight, cold load (KB transferred):")
    for path, size in weights.items():
        print(f"  {size / 1024:8.1f}  {path}")
    assert foreign == []
    docs = weights.pop("/docs")
    assert docs > BUDGET  # the viewer really loaded, from here
    heavy = {path: size for path, size in weights.items() if size > BUDGET}
    assert heavy == {}, f"over {BUDGET // 1024} KB: {heavy}"
