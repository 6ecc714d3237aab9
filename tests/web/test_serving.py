"""How the server holds connections: slow request heads and bodies are cut off, the
connection limit answers 503, running out of files is logged once, the instructor token
stays out of the access log, and CSV downloads carry a clean file name."""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from helpers import file_settings, free_port

from tutor.app import create_app
from tutor.web.instructor import attachment
from tutor.web.serving import OncePerEpisode, install_log_filters, uvicorn_options


@contextmanager
def served(tmp_path: Path, *, with_app=None, **options) -> Iterator[int]:
    """The app behind uvicorn with the tutor's connection settings; yields the port.
    ``with_app`` is called with the app before it is served (to add a route, say)."""
    settings = file_settings(tmp_path, instructor_token="the-instructor-token", **options)
    app = create_app(settings)
    if with_app is not None:
        with_app(app)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="info",
        **uvicorn_options(settings),
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def read_all(sock: socket.socket, seconds: float) -> bytes:
    sock.settimeout(seconds)
    data = b""
    try:
        while chunk := sock.recv(4096):
            data += chunk
    except TimeoutError:
        pass
    return data


def read_response(sock: socket.socket, seconds: float) -> bytes:
    """One whole response (its head and Content-Length bytes of body), read as it comes;
    b"" if the connection is closed first."""
    sock.settimeout(seconds)
    data = b""
    while (end := data.find(b"\r\n\r\n")) < 0 or len(data) < end + 4 + _length(data[:end]):
        chunk = sock.recv(4096)
        if not chunk:
            return b""
        data += chunk
    return data


def _length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def test_a_half_sent_request_head_is_closed_after_the_header_timeout(tmp_path: Path):
    with served(tmp_path, header_timeout=0.5) as port:
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        assert read_all(slow, 5) == b""  # closed, with nothing said
        assert time.monotonic() - started < 3
        slow.close()
        assert httpx.get(f"http://127.0.0.1:{port}/api/health").status_code == 200


def test_a_response_slower_than_the_header_timeout_is_delivered_whole(tmp_path: Path):
    """The head timer runs only while a connection waits for a request head: a request
    still being answered is not cut off, and the connection then serves the next one."""

    async def slow() -> dict:
        await asyncio.sleep(1.2)
        return {"took": "long"}

    def add_slow(app) -> None:
        app.add_api_route("/slow", slow)

    with served(tmp_path, header_timeout=0.5, with_app=add_slow) as port:
        conn = socket.create_connection(("127.0.0.1", port))
        started = time.monotonic()
        conn.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        first = read_response(conn, 2.5)
        assert first.startswith(b"HTTP/1.1 200") and first.endswith(b'{"took":"long"}')
        assert time.monotonic() - started >= 1.2
        conn.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")  # the same connection
        assert read_response(conn, 3).startswith(b"HTTP/1.1 200")
        conn.close()


def test_a_half_sent_body_gets_408(tmp_path: Path):
    with served(tmp_path, header_timeout=0.5) as port:
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(
            b"POST /api/losses/mse HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"y_true": [1'
        )
        reply = read_all(slow, 5)
        slow.close()
        assert reply.startswith(b"HTTP/1.1 408")
        assert b"stopped arriving" in reply


def test_connections_past_the_limit_get_503(tmp_path: Path):
    with served(tmp_path, max_connections=2, header_timeout=5) as port:
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
        try:
            time.sleep(0.2)
            response = httpx.get(f"http://127.0.0.1:{port}/api/health")
            assert response.status_code == 503
        finally:
            for sock in idle:
                sock.close()
        time.sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{port}/api/health").status_code == 200


def test_the_sign_in_token_never_reaches_the_access_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    access = logging.getLogger("uvicorn.access")
    with served(tmp_path) as port:
        access.addHandler(caplog.handler)
        try:
            url = f"http://127.0.0.1:{port}/instructor/sign-in?token=the-instructor-token&x=1"
            assert httpx.get(url).status_code == 303
        finally:
            access.removeHandler(caplog.handler)
    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert any("/instructor/sign-in?token=[redacted]&x=1" in line for line in lines), lines
    assert not any("the-instructor-token" in line for line in lines)


def test_running_out_of_files_is_logged_once(caplog: pytest.LogCaptureFixture):
    install_log_filters()
    logger = logging.getLogger("asyncio")
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        for _ in range(1000):
            error = OSError(errno.EMFILE, "Too many open files")
            logger.error("socket.accept() out of system resource", exc_info=error)
        logger.error("something else went wrong")
    messages = [r.getMessage() for r in caplog.records if r.name == "asyncio"]
    assert messages == ["socket.accept() out of system resource", "something else went wrong"]


def test_after_a_quiet_spell_it_is_logged_again_with_a_count():
    once = OncePerEpisode(quiet=0.05)
    record = logging.LogRecord("asyncio", logging.ERROR, "", 0, "Too many open files", (), None)
    assert [once.filter(record) for _ in range(3)] == [True, False, False]
    time.sleep(0.1)
    assert once.filter(record) and "(2 more like it were not logged)" in record.getMessage()


def test_the_csv_file_name_cannot_inject_header_parameters(tmp_path: Path):
    settings = file_settings(tmp_path, instructor_token="tok")
    with TestClient(create_app(settings)) as client:
        staff = {"Authorization": "Bearer tok"}
        url = "/instructor/lessons/mini/analytics/questions.csv"
        for version in ['a";x=y', "a\r\nSet-Cookie: y"]:
            # No such version: refused, and nothing of it reaches a header.
            response = client.get(url, params={"version": version}, headers=staff)
            assert response.status_code == 404
            assert "content-disposition" not in response.headers
            assert "set-cookie" not in {k.lower() for k in response.headers}
            # And were a name ever made of such text, it could not add a parameter.
            disposition = attachment(f"mini-{version}-questions.csv")
            assert disposition.count('"') == 2 and ";" not in disposition.split("filename=")[1]
            assert "\r" not in disposition and "\n" not in disposition
        served = client.get(url, headers=staff).headers["content-disposition"]
        live = client.app.state.tutor.lesson("mini").content_hash
        assert served == f'attachment; filename="mini-{live}-questions.csv"'
