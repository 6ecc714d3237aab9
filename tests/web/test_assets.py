"""What travels: pages, JSON and static files gzipped above a small size, static files under
hashed names that browsers keep for a year."""

from __future__ import annotations

import hashlib
import re
import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tutor.app import SWAGGER_UI, create_app
from tutor.config import ROOT, Settings
from tutor.web import assets

GZIP = {"Accept-Encoding": "gzip"}
PLAIN = {"Accept-Encoding": "identity"}


def test_pages_and_json_are_gzipped_for_clients_that_accept_it(client: TestClient):
    page = client.get("/lessons/mini/steps/1", headers=GZIP)
    assert page.status_code == 200
    assert page.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in page.headers["vary"]
    assert page.num_bytes_downloaded < len(page.content) / 2
    assert "A tiny lesson" in page.text  # the client unzips what it was sent

    step = client.get("/api/lessons/mini/steps/1", headers=GZIP)
    assert step.headers["content-encoding"] == "gzip"
    assert step.json()["title"]

    plain = client.get("/lessons/mini/steps/1", headers=PLAIN)
    assert "content-encoding" not in plain.headers
    assert plain.num_bytes_downloaded == len(plain.content)


def test_small_replies_are_sent_as_they_are(client: TestClient):
    health = client.get("/api/health", headers=GZIP)
    assert health.json() == {"status": "ok"}
    assert "content-encoding" not in health.headers


def test_the_api_docs_viewer_is_served_from_here_and_compressed(client: TestClient):
    page = client.get("/docs", headers=GZIP)
    urls = re.findall(r"""(?:src|href)=["']([^"']+)""", page.text)
    bundle = next(u for u in urls if u.startswith(SWAGGER_UI + "/swagger-ui-bundle."))
    viewer = ROOT / SWAGGER_UI.lstrip("/")
    plain_size = (viewer / "swagger-ui-bundle.js").stat().st_size
    sent = client.get(bundle, headers=GZIP)
    assert sent.status_code == 200
    assert sent.headers["content-encoding"] == "gzip"
    assert sent.headers["content-type"].startswith("text/javascript")
    assert len(sent.content) == plain_size > 1_500_000
    assert sent.num_bytes_downloaded < plain_size / 3
    again = client.get(bundle, headers={**GZIP, "If-None-Match": sent.headers["etag"]})
    assert again.status_code == 304 and not again.content
    css = next(u for u in urls if u.endswith(".css"))
    assert client.get(css, headers=GZIP).headers["content-encoding"] == "gzip"
    # Without JavaScript the viewer is blank: the page says where the description is.
    noscript = re.search(r"<noscript>(.*?)</noscript>", page.text, re.S)
    assert noscript and 'href="/openapi.json"' in noscript[1]


@pytest.fixture
def static_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "static"
    shutil.copytree(ROOT / "static", folder, ignore=shutil.ignore_patterns("vendor"))
    return folder


def test_static_files_have_hashed_names_cached_for_a_year(
    settings: Settings, static_copy: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(assets, "RECHECK_URLS", 0.2)
    app = create_app(settings.model_copy(update={"static_dir": static_copy}))
    with TestClient(app) as client:
        home = client.get("/")
        css = re.search(r'href="(/static/tutor\.([0-9a-f]{12})\.css)"', home.text)
        assert css, home.text
        digest = hashlib.sha256((static_copy / "tutor.css").read_bytes()).hexdigest()[:12]
        assert css.group(2) == digest
        assert re.search(r'src="/static/tutor\.[0-9a-f]{12}\.js"', home.text)

        kept = client.get(css.group(1), headers=PLAIN)
        assert kept.status_code == 200
        assert kept.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert kept.content == (static_copy / "tutor.css").read_bytes()
        zipped = client.get(css.group(1), headers=GZIP)
        assert zipped.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.content == kept.content

        # The plain name still works, but is checked again on every use.
        assert client.get("/static/tutor.css").headers["cache-control"] == "no-cache"

        # A new version of the file: a new name once the file is looked at again (pages
        # do not look at every use); the old name is no longer served.
        (static_copy / "tutor.css").write_text("body { color: black }\n" * 80)
        time.sleep(0.3)
        newer = re.search(r'href="(/static/tutor\.[0-9a-f]{12}\.css)"', client.get("/").text)
        assert newer and newer.group(1) != css.group(1)
        assert client.get(newer.group(1)).text.startswith("body { color: black }")
        assert client.get(css.group(1)).status_code == 404
        assert client.get("/static/tutor.000000000000.css").status_code == 404


def test_a_browser_asking_for_favicon_ico_is_sent_to_the_icon(client: TestClient):
    asked = client.get("/favicon.ico", follow_redirects=False)
    assert asked.status_code == 302
    assert re.fullmatch(r"/static/favicon\.[0-9a-f]{12}\.svg", asked.headers["location"])
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert "/favicon.ico" not in client.get("/openapi.json").json()["paths"]


def test_head_is_answered_as_get_without_the_body(client: TestClient):
    for path in ("/api/health", "/", "/docs", "/lessons/mini"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.content == b""
    health = client.head("/api/health")
    assert int(health.headers["content-length"]) == len(client.get("/api/health").content)
