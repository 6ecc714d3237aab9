"""Time each loss of tutor.losses beside a bare NumPy expression computing the same value.

Run from the repository root:  python bench/losses.py  [--quick]

For n = 4 and n = 1,000,000 every loss is timed (best of several repeats, timeit, engine and
bare expression measured alternately) and the ratio engine / bare is printed with its target:
within 1.3x at n = 1,000,000 and within 4x at n = 4. For the categorical cross-entropy n is the
number of rows (3 classes each), and the bare expression also reads every probability once, as
the engine must to check that the rows sum to 1. Inputs are float64 NumPy arrays.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tutor.engine import losses as L  # noqa: E402

EPS = L.EPS
TARGETS = {4: 4.0, 1_000_000: 1.3}
CLASSES = 3


def cases(n: int, seed: int = 0) -> list[tuple[str, Callable[[], float], Callable[[], float]]]:
    """(label, engine call, bare NumPy call) for inputs of size n."""
    rng = np.random.default_rng(seed)
    a = rng.normal(300.0, 50.0, n)
    b = a + rng.normal(0.0, 10.0, n)
    y = (rng.random(n) < 0.5).astype(np.float64)
    p = np.clip(np.abs(y - rng.random(n) * 0.9), 0.001, 0.999)
    z = rng.normal(0.0, 3.0, n)
    probs = rng.dirichlet(np.ones(CLASSES), n)
    labels = rng.integers(0, CLASSES, n)
    onehot = np.eye(CLASSES)[labels]
    logits = rng.normal(0.0, 3.0, (n, CLASSES))

    def bare_bce() -> float:
        q = np.clip(p, EPS, 1 - EPS)
        return -np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))

    def bare_bce_logits() -> float:
        return np.mean(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z))))

    def bare_cce_labels() -> float:
        np.add.reduce(probs, axis=None)  # one read of every probability
        return -np.mean(np.log(np.clip(probs[np.arange(n), labels], EPS, 1 - EPS)))

    def bare_cce_onehot() -> float:
        return -np.sum(onehot * np.log(np.clip(probs, EPS, 1 - EPS))) / n

    def bare_cce_logits() -> float:
        m = logits.max(axis=1, keepdims=True)
        lse = np.log(np.exp(logits - m).sum(axis=1)) + m[:, 0]
        return np.mean(lse - logits[np.arange(n), labels])

    return [
        ("mse", lambda: L.mse(a, b), lambda: np.mean((a - b) ** 2)),
        ("mae", lambda: L.mae(a, b), lambda: np.mean(np.abs(a - b))),
        ("bce", lambda: L.binary_cross_entropy(y, p), bare_bce),
        ("cce (labels)", lambda: L.categorical_cross_entropy(labels, probs), bare_cce_labels),
        ("cce (one-hot)", lambda: L.categorical_cross_entropy(onehot, probs), bare_cce_onehot),
        (
            "bce from_logits",
            lambda: L.binary_cross_entropy(y, z, from_logits=True),
            bare_bce_logits,
        ),
        (
            "cce from_logits",
            lambda: L.categorical_cross_entropy(labels, logits, from_logits=True),
            bare_cce_logits,
        ),
    ]


def best_of(engine: Callable[[], float], bare: Callable[[], float], number: int, repeat: int):
    """Best time per call in seconds for each, measuring the two alternately."""
    t_engine, t_bare = [], []
    for _ in range(repeat):
        t_engine.append(timeit.timeit(engine, number=number) / number)
        t_bare.append(timeit.timeit(bare, number=number) / number)
    return min(t_engine), min(t_bare)


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:9.2f} us"
    return f"{seconds * 1e3:9.3f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    repeat = 5 if args.quick else 9
    numbers = {4: 5_000 if args.quick else 20_000, 1_000_000: 3 if args.quick else 10}

    header = f"{'loss':<16} {'n':>9} {'engine':>12} {'bare numpy':>12} {'ratio':>7} {'target':>7}"
    print(header)
    print("-" * (len(header) + 6))
    misses = []
    for n, target in TARGETS.items():
        for label, engine, bare in cases(n):
            mine, theirs = engine(), float(bare())
            if not np.isclose(mine, theirs, rtol=1e-9, atol=1e-12):
                raise SystemExit(f"{label} n={n}: engine {mine!r} != bare {theirs!r}")
            t_engine, t_bare = best_of(engine, bare, numbers[n], repeat)
            ratio = t_engine / t_bare
            ok = ratio <= target
            if not ok:
                misses.append(f"{label} at n={n}")
            print(
                f"{label:<16} {n:>9,} {fmt_time(t_engine)} {fmt_time(t_bare)} "
                f"{ratio:>6.2f}x {target:>6.1f}x  {'ok' if ok else 'MISSED'}"
            )
        print()
    print(
        "all targets met" if not misses else "targets missed: " + ", ".join(misses),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
