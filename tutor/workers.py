"""Several server processes on one port, each with a fair share of the connections.

Where the system allows it (Linux), every worker listens on a socket of its own,
bound to the same port with ``SO_REUSEPORT``, and the kernel spreads new connections
evenly across them. With one shared socket, whichever worker wakes first accepts a
whole burst of new connections and keep-alive holds them there: one worker busy, the
others idle. Elsewhere, the workers share one socket (uvicorn's supervisor).

Either way the sockets are made here, as TCP sockets proper: a socket whose protocol
is left unset keeps asyncio from turning off Nagle's algorithm on its connections, and
every keep-alive response then waits ~40 ms for a delayed ACK.

What a socket per worker gives, measured with ``python bench/load.py --ablate reuseport
--workers 2 --concurrency 16,64 --database-url postgresql+psycopg://...`` (five interleaved
rounds, two-core machine, December 2026): with 16 learners at once, 427 answers per second
against 276 with one shared socket (1.55x; the shared socket left one worker idle); with 64,
the same (432 and 442).
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import sys
import time

APP = "tutor.app:create_served_app"
# A worker that dies this soon after the server starts is failing to start (a bad
# setting, say), not crashing: the server stops rather than start it again and again.
SETTLING_SECONDS = 5.0

log = logging.getLogger("tutor.workers")


def serve(host: str, port: int, workers: int, *, shared: bool = False) -> int:
    """Run ``workers`` processes until interrupted; the exit status. With ``shared``, or
    where SO_REUSEPORT is missing, the workers share one socket (uvicorn's supervisor)."""
    if shared or not hasattr(socket, "SO_REUSEPORT") or not sys.platform.startswith("linux"):
        return _serve_shared(host, port, workers)
    # The port is free, even of another server's SO_REUSEPORT sockets: say so now, once.
    _listening_socket(host, port, shared=True).close()
    context = multiprocessing.get_context("spawn")
    supervisor = os.getpid()

    def start() -> multiprocessing.process.BaseProcess:
        process = context.Process(
            target=_worker, args=(host, port, supervisor), name="tutor-worker"
        )
        process.start()
        return process

    # The handler only notes the signal: anything that takes a lock could deadlock
    # with the code it interrupted.
    stopping: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda sig, _frame: stopping.append(sig))
    processes = [start() for _ in range(workers)]
    settled_at = time.monotonic() + SETTLING_SECONDS
    due: dict[int, float] = {}  # a dead worker's slot, and when its replacement starts
    pause = 1.0
    status = 0
    while not stopping:
        time.sleep(0.5)
        now = time.monotonic()
        for i, process in enumerate(processes):
            if process.is_alive() or i in due:
                continue
            if now < settled_at:
                # Dying at the start is failing to start (a bad setting, say): stop.
                log.error("a worker exited with status %s while starting", process.exitcode)
                stopping.append(0)
                status = 1
                break
            log.warning(
                "worker %s exited (%s); another in %.0f s", process.pid, process.exitcode, pause
            )
            due[i] = now + pause
            pause = min(pause * 2, 30.0)  # one that keeps dying is not restarted in a loop
        for i, when in list(due.items()):
            if now >= when and not stopping:
                processes[i] = start()
                del due[i]
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn finishes the requests under way
    deadline = time.monotonic() + 30
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
    return status


def _worker(host: str, port: int, supervisor: int) -> None:
    import uvicorn

    _end_with(supervisor)
    sock = _listening_socket(host, port)
    from tutor.config import Settings
    from tutor.web.serving import uvicorn_options

    options = uvicorn_options(Settings())
    config = uvicorn.Config(APP, factory=True, log_level="info", **options)
    uvicorn.Server(config).run(sockets=[sock])


def _end_with(supervisor: int) -> None:
    """Have the kernel send SIGTERM to this worker if the supervisor dies, even by SIGKILL:
    a worker left behind would go on answering on the port, perhaps with old code."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != supervisor:  # it died before the request took effect
        raise SystemExit(0)


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
    from tutor.config import Settings
    from tutor.web.serving import uvicorn_options

    options = uvicorn_options(Settings())
    config = Config(
        APP, factory=True, host=host, port=port, workers=workers, log_level="info", **options
    )
    Multiprocess(config, sockets=[sock]).run()
    return 0
