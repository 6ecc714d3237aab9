"""Several server processes on one port, each with a fair share of the connections.

Where the system allows it (Linux), every worker listens on a socket of its own,
bound to the same port with ``SO_REUSEPORT``, and the kernel spreads new connections
evenly across them. With one shared socket, whichever worker wakes first accepts a
whole burst of new connections and keep-alive holds them there: one worker busy, the
others idle. Elsewhere, the workers share one socket (uvicorn's supervisor).

Either way the sockets are made here, as TCP sockets proper: a socket whose protocol
is left unset keeps asyncio from turning off Nagle's algorithm on its connections, and
every keep-alive response then waits ~40 ms for a delayed ACK.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
import time

APP = "tutor.app:create_served_app"
# A worker that dies sooner than this after starting is failing to start, not crashing:
# starting it again would only loop.
SETTLING_SECONDS = 5.0

log = logging.getLogger("tutor.workers")


def serve(host: str, port: int, workers: int) -> int:
    """Run ``workers`` processes until interrupted; the exit status."""
    if not hasattr(socket, "SO_REUSEPORT") or not sys.platform.startswith("linux"):
        return _serve_shared(host, port, workers)
    _listening_socket(host, port).close()  # the port is free: say so now, not in every worker
    context = multiprocessing.get_context("spawn")

    def start() -> multiprocessing.process.BaseProcess:
        process = context.Process(target=_worker, args=(host, port), name="tutor-worker")
        process.start()
        started[process.pid] = time.monotonic()
        return process

    started: dict[int | None, float] = {}
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    processes = [start() for _ in range(workers)]
    status = 0
    while not stop.wait(0.5):
        for i, process in enumerate(processes):
            if process.is_alive():
                continue
            if time.monotonic() - started[process.pid] < SETTLING_SECONDS:
                log.error("a worker exited with status %s while starting", process.exitcode)
                stop.set()
                status = 1
                break
            log.warning("worker %s exited (%s); starting another", process.pid, process.exitcode)
            processes[i] = start()
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn finishes the requests under way
    for process in processes:
        process.join(30)
        if process.is_alive():
            process.kill()
    return status


def _worker(host: str, port: int) -> None:
    import uvicorn

    sock = _listening_socket(host, port)
    config = uvicorn.Config(APP, factory=True, log_level="info")
    uvicorn.Server(config).run(sockets=[sock])


def _listening_socket(host: str, port: int, *, shared: bool = False) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if not shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SystemExit(f"tutor: cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def _serve_shared(host: str, port: int, workers: int) -> int:
    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    sock = _listening_socket(host, port, shared=True)
    sock.set_inheritable(True)
    config = Config(APP, factory=True, host=host, port=port, workers=workers, log_level="info")
    Multiprocess(config, sockets=[sock]).run()
    return 0
