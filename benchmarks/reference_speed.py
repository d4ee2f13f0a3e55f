"""One thread vs N Python threads (nogil) vs prange vs numpy, for a memory-bound kernel (square)
and a compute-bound one (transcendental math per element).

Speed-ups are relative to the one-thread time measured in the same run, so they compare like
with like on whatever machine runs this. Usage: python benchmarks/reference_speed.py [N_THREADS]
"""

from __future__ import annotations

import math
import sys
from typing import Any, Callable

import numba
import numpy as np
from numba import njit, prange

from numbalint.reference import default_thread_count, run_in_threads, square_into, square_parallel
from numbalint.reference.check import best_time

REPEATS = 9


@njit(nogil=True, inline="always")
def _heavy(v):
    return math.sin(v) * math.exp(-v * v) + math.log1p(abs(v)) * math.cos(3.0 * v)


@njit(nogil=True)
def heavy_into(x, out):
    for i in range(x.shape[0]):
        out[i] = _heavy(x[i])


@njit(parallel=True)
def _heavy_prange(x, out):
    for i in prange(x.shape[0]):
        out[i] = _heavy(x[i])


def heavy_parallel(x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)  # allocated by numpy, like square_parallel's result
    _heavy_prange(x, out)
    return out


def heavy_numpy(x: np.ndarray) -> np.ndarray:
    return np.sin(x) * np.exp(-x * x) + np.log1p(np.abs(x)) * np.cos(3.0 * x)


def best_seconds(call: Callable[[], Any]) -> float:
    call()  # compiles on the first call (numba is lazy), and warms caches
    return best_time(call, REPEATS)


def measure(
    serial: Callable[..., None], parallel: Callable[..., np.ndarray],
    numpy_version: Callable[..., np.ndarray], x: np.ndarray, n_threads: int,
) -> dict[str, float]:
    """Best time of each way; every way allocates its result, as prange and numpy must."""

    def one_thread() -> None:
        serial(x, np.empty_like(x))

    def threads() -> None:
        run_in_threads(serial, x, np.empty_like(x), n_threads=n_threads)

    return {
        "one thread": best_seconds(one_thread),
        f"{n_threads} threads (nogil)": best_seconds(threads),
        "prange": best_seconds(lambda: parallel(x)),
        "numpy": best_seconds(lambda: numpy_version(x)),
    }


def main() -> None:
    n_threads = int(sys.argv[1]) if len(sys.argv) > 1 else default_thread_count()
    rng = np.random.default_rng(0)
    kernels = {
        "square, 8M float64 (memory-bound)": (
            square_into, square_parallel, lambda x: x * x, rng.standard_normal(8_000_000),
        ),
        "sin/exp/log1p/cos, 2M float64 (compute-bound)": (
            heavy_into, heavy_parallel, heavy_numpy, rng.standard_normal(2_000_000),
        ),
    }
    print(
        f"cores available: {default_thread_count()}, numba threads: {numba.get_num_threads()}, "
        f"Python threads: {n_threads}; best of {REPEATS}; time (speed-up over one thread)\n"
    )
    rows = {name: measure(*spec, n_threads=n_threads) for name, spec in kernels.items()}
    columns = list(next(iter(rows.values())))
    print("| kernel | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for name, seconds in rows.items():
        baseline = seconds["one thread"]
        cells = [f"{t * 1e3:.1f} ms ({baseline / t:.2f}x)" for t in seconds.values()]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
