"""Startup: how long `tutor serve` takes from launch to its first 200.

    python bench/startup.py              # 5 starts on one SQLite file
    python bench/startup.py --rounds 10 --path /lessons/how-a-network-learns

Each round launches `python -m tutor serve` on a free port and asks for ``--path``
(the home page by default) every 5 ms until it answers 200. It prints, per round, the
seconds to the first 200 and to the line "serving on ...", and then the median of the
rounds after the first: the first start also creates and migrates the database, which
happens once per installation, every later one finds it ready (a restart, a deploy).
The line must come no earlier than the port accepts connections: a round where a
request was refused after the line was printed is reported as such. The first start after
a change to the lessons or to the code also validates the lessons (seconds; later starts
find the result kept, see tutor.lessons.kept). On a busy machine the wall-clock figures
include the wait for a core; the CPU seconds do not.
"""

from __future__ import annotations

import argparse
import http.client
import os
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = 1.5  # seconds, from the issue that asked for this bench


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_of(port: int, path: str) -> int | None:
    """The status of GET ``path``, or None while nothing listens."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def cpu_seconds(pid: int) -> float | None:
    """The CPU time a process has used so far (Linux's /proc; None elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_start(database_url: str, path: str) -> tuple[float, float | None, bool, float | None]:
    """Seconds to the first 200, seconds to "serving on", whether a request was refused
    after that line was printed, and the CPU seconds the server had used by its first 200
    (on a busy machine the wall-clock time also counts the time it waited for a core)."""
    port = free_port()
    env = {**os.environ, "TUTOR_DATABASE_URL": database_url, "TUTOR_SECRET_KEY": "bench"}
    env["PYTHONPATH"] = os.pathsep.join([ROOT, env.get("PYTHONPATH", "")])
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tutor", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), False)
    watch = selectors.DefaultSelector()
    watch.register(proc.stdout, selectors.EVENT_READ)
    printed: float | None = None
    refused_after_line = False
    output = b""
    try:
        while time.perf_counter() - start < 60:
            for _ in watch.select(timeout=0.005):
                output += proc.stdout.read() or b""
                if printed is None and b"serving on" in output:
                    printed = time.perf_counter() - start
            if proc.poll() is not None:
                raise SystemExit(f"the server exited with status {proc.returncode}")
            status = status_of(port, path)
            if status is None and printed is not None:
                refused_after_line = True
            if status == 200:
                elapsed = time.perf_counter() - start
                return elapsed, printed, refused_after_line, cpu_seconds(proc.pid)
        raise SystemExit("no 200 within 60 s")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--path", default="/", help="what to ask for (default: the home page)")
    args = parser.parse_args()
    database_url = f"sqlite:///{tempfile.mkdtemp()}/startup.db"
    times: list[float] = []
    cpu: list[float] = []
    wrong = 0
    print(f"`tutor serve` to the first 200 of GET {args.path} (target {TARGET:g} s)")
    for round_no in range(1, args.rounds + 1):
        first_200, printed, refused, used = one_start(database_url, args.path)
        note = " (new database: created and migrated)" if round_no == 1 else ""
        # The line follows the port's opening, so a quick first 200 can come before it.
        line = f"{printed:.2f} s" if printed is not None else "not yet read (the 200 came first)"
        if refused:
            wrong += 1
            line += ", BEFORE the port accepted connections"
        used_text = f", {used:.2f} s of CPU" if used is not None else ""
        print(
            f"  round {round_no}: first 200 after {first_200:.2f} s{used_text}; "
            f"'serving on' {line}{note}"
        )
        if round_no > 1:
            times.append(first_200)
            if used is not None:
                cpu.append(used)
    if times:
        median = statistics.median(times)
        verdict = "within" if median < TARGET else "OVER"
        print(f"median of a restart: {median:.2f} s, {verdict} the target of {TARGET:g} s")
    if cpu:
        print(f"median CPU of a restart: {statistics.median(cpu):.2f} s")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
