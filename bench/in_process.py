"""In process: the app's CPU per request, with no server, HTTP parsing or access log.

    python bench/in_process.py                      # floor, lessons, next, step, page, answers
    python bench/in_process.py next page --requests 4000

It builds the app as `tutor serve` does (on a new SQLite file, with the bench floor) and
calls it as an ASGI application directly, 16 requests at a time, as the event loop of a
server would. Per kind it prints the process's CPU per request, the least and the median of
five runs. ``next`` and ``page`` are asked for by learners who have answered three items
(through the API, and through the pages' forms). ``answers`` runs 16 learners through 40
answers each (with their learner, first ``next`` and worked examples counted in) and
prints CPU per answer.

The figures say where a request's time goes inside the app: the floor (an ``async``
route that does no work) is what any request costs through the middleware; ``lessons``
(a ``def`` route with almost no work) adds the hand-off to a worker thread and back.
`bench/load.py` measures the same routes through a real server, against the same floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tutor.app import create_served_app  # noqa: E402
from tutor.config import Settings  # noqa: E402

LESSON = "how-a-network-learns"
KINDS = ("floor", "lessons", "next", "step", "page", "answers")
RUNS = 5
AT_ONCE = 16
ANSWERS_EACH = 40
STARTED = 3
"""Answers the learner of ``next`` and ``page`` has given: most reads are of a learner
with a stored state, whose item costs more to work out than a new learner's."""

_FIELD = re.compile(rb'name="(csrf|question_id|variant)" value="([^"]*)"')
_OPTION = re.compile(rb'name="option_id" value="(o[0-9a-f]+)"')


class Caller:
    """Calls an ASGI app with one request and collects its reply."""

    def __init__(self, app):
        self.app = app

    async def __call__(
        self,
        method: str,
        path: str,
        body: object = None,
        headers: list[tuple[str, str]] = (),
        form: dict[str, str] | None = None,
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        if form is not None:
            data = urlencode(form).encode()
        else:
            data = b"" if body is None else json.dumps(body).encode()
        raw = [(b"host", b"bench"), (b"content-length", str(len(data)).encode())]
        raw += [(k.encode(), v.encode()) for k, v in headers]
        if form is not None:
            raw.append((b"content-type", b"application/x-www-form-urlencoded"))
        elif body is not None:
            raw.append((b"content-type", b"application/json"))
        path, _, query = path.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": raw,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
            "state": {},
        }
        sent = False

        async def receive() -> dict:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": data, "more_body": False}
            await asyncio.Event().wait()  # the client never goes away
            return {}

        status, head, out = 0, [], []

        async def send(message: dict) -> None:
            nonlocal status, head
            if message["type"] == "http.response.start":
                status, head = message["status"], message["headers"]
            elif message["type"] == "http.response.body":
                out.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, head, b"".join(out)

    async def json(self, method: str, path: str, body: object = None, headers=()) -> dict:
        status, _, data = await self(method, path, body, headers)
        if status >= 400:
            raise SystemExit(f"{method} {path}: {status} {data[:300]!r}")
        return json.loads(data)


async def answers(
    call: Caller, seed: int, most: int = ANSWERS_EACH, auth: list[tuple[str, str]] | None = None
) -> int:
    """A learner (a new one, or the one of ``auth``) answering up to ``most`` items; the
    number answered."""
    if auth is None:
        made = await call.json("POST", "/api/learners", {})
        auth = [("authorization", f"Bearer {made['token']}")]
    nxt = await call.json("GET", f"/api/lessons/{LESSON}/next", headers=auth)
    rng, count = random.Random(seed), 0
    while not nxt["done"] and count < most:
        question = nxt["question"]
        item = {"question_id": question["id"], "variant": nxt["variant"]}
        if question["kind"] == "example":
            went = await call.json("POST", f"/api/lessons/{LESSON}/continue", item, auth)
            nxt = went["next"]
            continue
        body = {**item, "idempotency_key": uuid.uuid4().hex}
        if question["kind"] == "numeric" and rng.random() < 0.8:
            body["value"] = round(rng.uniform(0, 2), 2)
        else:
            body["option_id"] = rng.choice(question["options"])["id"]
        reply = await call.json("POST", f"/api/lessons/{LESSON}/answers", body, auth)
        nxt, count = reply["next"], count + 1
    return count


async def started_on_pages(call: Caller) -> str:
    """The cookie of a browser learner who has answered STARTED items through the step
    pages' forms."""
    _, head, _ = await call("GET", f"/lessons/{LESSON}")
    cookie = "; ".join(v.decode().split(";")[0] for k, v in head if k == b"set-cookie")
    browser = [("cookie", cookie)]
    for _ in range(STARTED):
        _, _, html = await call("GET", f"/lessons/{LESSON}", headers=browser)
        here = re.search(rb'href="/lessons/[^/]+/steps/(\d+)(?:#question)?"', html)
        _, _, page = await call(
            "GET", f"/lessons/{LESSON}/steps/{here[1].decode()}", headers=browser
        )
        fields = {k.decode(): v.decode() for k, v in _FIELD.findall(page)}
        if b'class="continue-example"' in page:
            action, form = "continue", fields
        else:
            options = _OPTION.findall(page)
            action = "answer"
            form = {
                **fields,
                **({"option_id": options[0].decode()} if options else {"value": "0.5"}),
            }
        status, _, _ = await call("POST", f"/lessons/{LESSON}/{action}", headers=browser, form=form)
        if status != 303:
            raise SystemExit(f"a page's form was not taken ({status})")
    return cookie


async def measure(app, kinds: list[str], requests: int) -> None:
    call = Caller(app)
    made = await call.json("POST", "/api/learners", {})
    auth = [("authorization", f"Bearer {made['token']}")]
    await answers(call, 0, STARTED, auth)
    cookie = await started_on_pages(call)
    requests_of: dict[str, Callable[[int], Awaitable]] = {
        "floor": lambda i: call("GET", "/api/bench/floor"),
        "lessons": lambda i: call("GET", "/api/lessons"),
        "next": lambda i: call("GET", f"/api/lessons/{LESSON}/next", headers=auth),
        "step": lambda i: call("GET", f"/api/lessons/{LESSON}/steps/{i % 5 + 1}"),
        "page": lambda i: call(
            "GET", f"/lessons/{LESSON}/steps/{i % 5 + 1}", headers=[("cookie", cookie)]
        ),
    }
    print(f"{'kind':8s} {'least':>9s} {'median':>9s}  CPU ms per request, {RUNS} runs")
    for kind in kinds:
        per: list[float] = []
        for run in range(RUNS):
            start = time.process_time()
            if kind == "answers":
                counts = await asyncio.gather(
                    *(answers(call, run * AT_ONCE + n) for n in range(AT_ONCE))
                )
                per.append((time.process_time() - start) * 1000 / sum(counts))
                continue
            for first in range(0, requests, AT_ONCE):
                replies = await asyncio.gather(
                    *(requests_of[kind](i) for i in range(first, first + AT_ONCE))
                )
                if any(status != 200 for status, _, _ in replies):
                    raise SystemExit(f"{kind}: a request failed")
            per.append((time.process_time() - start) * 1000 / requests)
        unit = "per answer" if kind == "answers" else ""
        print(f"{kind:8s} {min(per):9.3f} {statistics.median(per):9.3f}  {unit}".rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kinds", nargs="*", help=f"any of {', '.join(KINDS)} (default: all)")
    parser.add_argument("--requests", type=int, default=2000, help="per run of a kind")
    args = parser.parse_args()
    unknown = [kind for kind in args.kinds if kind not in KINDS]
    if unknown:
        parser.error(f"unknown kind {unknown[0]!r}: choose from {', '.join(KINDS)}")
    folder = tempfile.mkdtemp()
    settings = Settings(
        database_url=f"sqlite:///{folder}/in_process.db",
        secret_key="bench",
        bench_floor=True,
        learners_per_minute=0,
        page_learners_per_minute=0,
    )
    app = create_served_app(settings)

    async def run() -> None:
        async with app.router.lifespan_context(app):
            await measure(app, args.kinds or list(KINDS), args.requests)

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
