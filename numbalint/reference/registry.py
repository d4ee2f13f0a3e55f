"""What ``numbalint verify --against NAME`` compares a user's function with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from numbalint.reference import kernels

MakeInputs = Callable[[int, np.dtype, np.random.Generator], tuple[Any, ...]]


@dataclass(frozen=True)
class Reference:
    """A computation the suite does correctly, and how to exercise it.

    ``parameters``: what ``make_inputs`` returns and ``compute`` takes, in order; the first is
    the array a parallel implementation splits into chunks.

    ``per_element``: result ``i`` comes from input element ``i`` (square, prefix sum), so a
    wrong result can be located by index; otherwise the result adds up the chunks' parts (sum,
    histogram). ``float32_rtol``: how far an implementation that adds in another order, in
    float32, may drift from the reference.
    """

    name: str
    description: str
    parameters: tuple[str, ...]
    compute: Callable[..., Any]
    numpy_equivalent: Callable[..., Any]
    make_inputs: MakeInputs
    per_element: bool
    float32_rtol: float = 1e-6

    def rtol(self, dtype: np.dtype) -> float:
        """Relative tolerance for results of ``dtype``: integers (and counts) must be exact."""
        if dtype.kind != "f":
            return 0.0
        return self.float32_rtol if dtype.itemsize <= 4 else 1e-9


def _signed_values(n: int, dtype: np.dtype, rng: np.random.Generator) -> np.ndarray:
    """Values of both signs; ints small enough that squares fit every dtype verify uses."""
    if dtype.kind == "f":
        return (rng.standard_normal(n) * 100).astype(dtype)
    return rng.integers(-1000, 1000, n).astype(dtype)


def _positive_values(n: int, dtype: np.dtype, rng: np.random.Generator) -> np.ndarray:
    """Values whose running sums neither cancel nor overflow, so float sums compare well."""
    if dtype.kind == "f":
        return rng.uniform(0.5, 1.5, n).astype(dtype)
    return rng.integers(0, 100, n).astype(dtype)


HISTOGRAM_BINS = 16
HISTOGRAM_RANGE = (-2.0, 2.0)


def _histogram_inputs(n: int, dtype: np.dtype, rng: np.random.Generator) -> tuple[Any, ...]:
    """Values inside and outside the range, some exactly on the right edge (which counts)."""
    if dtype.kind == "f":
        x = (rng.standard_normal(n) * 1.5).astype(dtype)
    else:
        x = rng.integers(-3, 4, n).astype(dtype)
    x[::50] = HISTOGRAM_RANGE[1]
    return x, HISTOGRAM_BINS, HISTOGRAM_RANGE


def _compress_inputs(n: int, dtype: np.dtype, rng: np.random.Generator) -> tuple[Any, ...]:
    """Values and a mask keeping about half of them, with runs of kept and dropped items."""
    keep = rng.random(n) < 0.5
    keep[: n // 10] = True
    return _signed_values(n, dtype, rng), keep


def _numpy_compress(x: np.ndarray, keep: np.ndarray) -> np.ndarray:
    return x[keep]


def _numpy_square(x: np.ndarray) -> np.ndarray:
    return x * x


def _numpy_histogram(x: np.ndarray, bins: int, range: tuple[float, float]) -> np.ndarray:
    return np.histogram(x, bins, range)[0]


def _one_array(values: Callable[[int, np.dtype, np.random.Generator], np.ndarray]) -> MakeInputs:
    return lambda n, dtype, rng: (values(n, dtype, rng),)


REFERENCES: dict[str, Reference] = {
    reference.name: reference
    for reference in (
        Reference(
            name="square",
            parameters=("x",),
            description="elementwise x * x, same dtype (threads running a nogil kernel)",
            compute=kernels.square,
            numpy_equivalent=_numpy_square,
            make_inputs=_one_array(_signed_values),
            per_element=True,
        ),
        Reference(
            name="sum",
            parameters=("x",),
            description="np.sum(x): total with numpy's accumulator dtype (prange reduction)",
            compute=kernels.parallel_sum,
            numpy_equivalent=np.sum,
            make_inputs=_one_array(_positive_values),
            per_element=False,
            float32_rtol=1e-4,
        ),
        Reference(
            name="histogram",
            parameters=("x", "bins", "range"),
            description=(
                f"np.histogram(x, bins, range)[0], called with bins={HISTOGRAM_BINS}, "
                f"range={HISTOGRAM_RANGE} (race-free prange, private counts per chunk)"
            ),
            compute=kernels.histogram,
            numpy_equivalent=_numpy_histogram,
            make_inputs=_histogram_inputs,
            per_element=False,
        ),
        Reference(
            name="prefix_sum",
            parameters=("x",),
            description="np.cumsum(x): running total, numpy's dtype (blocked two-pass scan)",
            compute=kernels.prefix_sum,
            numpy_equivalent=np.cumsum,
            make_inputs=_one_array(_positive_values),
            per_element=True,
            float32_rtol=1e-4,
        ),
        Reference(
            name="compress",
            parameters=("x", "keep"),
            description="x[keep]: the kept items in order (parallel compaction, no shared counter)",
            compute=kernels.compress,
            numpy_equivalent=_numpy_compress,
            make_inputs=_compress_inputs,
            per_element=False,
        ),
    )
}
