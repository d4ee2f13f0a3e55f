"""Reference kernels: correct Numba kernels with numpy's semantics, for 1-D integer and float arrays.

Two ways to use several cores, never both at once:
- a serial ``@njit(nogil=True)`` kernel, run on chunks by Python threads (``run_in_threads``);
- one call of a ``@njit(parallel=True)`` kernel whose ``prange`` loops Numba spreads over its own
  thread pool. Wrapping Python threads around such a kernel is NBL003.
"""

from __future__ import annotations

import numpy as np
from numba import get_num_threads, njit, prange

from numbalint.reference.launch import chunk_bounds, run_in_threads


@njit(nogil=True)
def square_into(x, out):
    """Write ``x * x`` into ``out`` (same length), serially, without holding the GIL.

    Answers NBL004 (missing-nogil): ``nogil=True`` on the kernel the thread runs is what lets
    Python threads run it at the same time. Storing into ``out`` wraps integers like numpy.
    """
    for i in range(x.shape[0]):
        out[i] = x[i] * x[i]


def square(x: np.ndarray, n_threads: int | None = None) -> np.ndarray:
    """``x * x`` as a new array, computed by ``square_into`` on chunks in ``n_threads`` threads."""
    out = np.empty_like(x)
    run_in_threads(square_into, x, out, n_threads=n_threads)
    return out


@njit(parallel=True)
def _square_prange(x, out):
    for i in prange(x.shape[0]):
        out[i] = x[i] * x[i]


def square_parallel(x: np.ndarray) -> np.ndarray:
    """``x * x`` as a new array, in one call of a ``prange`` kernel.

    Answers NBL003 (threads-around-parallel): call it once, from one thread; Numba splits the
    loop over its own pool (``numba.set_num_threads``). numpy allocates the result: for large
    arrays its allocator (huge pages) makes first writes several times cheaper than an array
    allocated inside the kernel, which would dominate a memory-bound loop like this one.
    """
    out = np.empty_like(x)
    _square_prange(x, out)
    return out


def _block_bounds(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of one block per Numba thread, as arrays a kernel can read."""
    bounds = np.array(chunk_bounds(n, get_num_threads()), dtype=np.intp).reshape(-1, 2)
    return bounds[:, 0], bounds[:, 1]


def accumulator_dtypes(dtype: np.dtype) -> tuple[np.dtype, np.dtype]:
    """(dtype to add in, dtype of the result) for ``np.sum``/``np.cumsum`` of ``dtype``.

    The result dtype is numpy's own (small integers widen to the platform integer). Floats are
    added in float64 and rounded at the end: chunked sums add in a different order from numpy's,
    and the wider accumulator keeps the two within rounding of each other.
    """
    result = np.sum(np.zeros(0, dtype=dtype)).dtype
    working = np.dtype(np.float64) if result.kind == "f" else result
    return working, result


@njit(parallel=True)
def _sum_prange(x, zero):
    total = zero
    for i in prange(x.shape[0]):
        total += x[i]
    return total


def parallel_sum(x: np.ndarray):
    """``np.sum(x)`` (same value and dtype) by a ``prange`` reduction."""
    working, result = accumulator_dtypes(x.dtype)
    return result.type(_sum_prange(x, working.type(0)))


@njit(nogil=True)
def _bin_of(value, edges, scale):
    """The bin of ``value`` as np.histogram finds it, or -1 when outside the edges.

    ``value`` is already in the edges' dtype, where numpy also compares. The arithmetic guess
    can be one off for values on an edge; comparing with the edges themselves settles it.
    """
    last = edges.shape[0] - 2
    if not (value >= edges[0] and value <= edges[last + 1]):  # also rejects NaN
        return -1
    guess = min(int((value - edges[0]) * scale), last)
    if value < edges[guess]:
        return guess - 1
    if guess < last and value >= edges[guess + 1]:
        return guess + 1
    return guess


@njit(parallel=True)
def _histogram_chunks(values, edges, starts, ends):
    """Count per chunk into private rows (no two iterations write one counter), then merge."""
    n_bins = edges.shape[0] - 1
    scale = n_bins / (np.float64(edges[n_bins]) - np.float64(edges[0]))
    counts = np.zeros((starts.shape[0], n_bins), dtype=np.intp)
    for chunk in prange(starts.shape[0]):
        for i in range(starts[chunk], ends[chunk]):
            b = _bin_of(values[i], edges, scale)
            if b >= 0:
                counts[chunk, b] += 1
    merged = np.zeros(n_bins, dtype=np.intp)
    for chunk in range(starts.shape[0]):
        merged += counts[chunk]
    return merged


def histogram(
    x: np.ndarray, bins: int = 10, range: tuple[float, float] | None = None
) -> np.ndarray:
    """``np.histogram(x, bins, range)[0]``: equal-width bins, the last one closed on the right.

    Race-free: each chunk counts into its own row, rows are added after the parallel loop
    (the shared-counter ``counts[b] += 1`` in a prange is NBL012).
    """
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"bins must be a positive integer, got {bins!r}")
    edges = np.histogram_bin_edges(x, bins, range)  # numpy's edges, dtype and range checks
    values = x.astype(edges.dtype, copy=False)
    return _histogram_chunks(values, edges, *_block_bounds(x.shape[0]))


@njit(parallel=True)
def _blocked_scan(x, out, starts, ends):
    """Inclusive scan of ``x`` into ``out`` in two parallel passes over blocks.

    Pass 1 scans each block on its own; the block totals are scanned serially (one per block,
    cheap); pass 2 adds to each block the total of all blocks before it.
    """
    n_blocks = starts.shape[0]
    for b in prange(n_blocks):
        out[starts[b]] = x[starts[b]]
        for i in range(starts[b] + 1, ends[b]):
            out[i] = out[i - 1] + x[i]
    offsets = np.zeros(n_blocks, dtype=out.dtype)
    for b in range(1, n_blocks):
        offsets[b] = offsets[b - 1] + out[ends[b - 1] - 1]
    for b in prange(1, n_blocks):
        for i in range(starts[b], ends[b]):
            out[i] += offsets[b]


def prefix_sum(x: np.ndarray) -> np.ndarray:
    """``np.cumsum(x)`` (same values and dtype) by a blocked two-pass parallel scan."""
    working, result = accumulator_dtypes(x.dtype)
    out = np.empty(x.shape[0], dtype=working)
    _blocked_scan(x, out, *_block_bounds(x.shape[0]))
    return out.astype(result, copy=False)


@njit(parallel=True)
def _column_sums(a, zero):
    acc = np.full(a.shape[1], zero)
    for i in prange(a.shape[0]):
        acc += a[i]  # a whole local array: numba gives each thread its own and adds them up
    return acc


def column_sums(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=0)`` for a 2-d ``a`` (same values and dtype), by an array reduction.

    Answers NBL012 (prange-shared-write): ``sums[j] += a[i, j]`` in an inner loop races on
    ``sums``; reducing into a whole array variable is what numba privatises.
    """
    working, result = accumulator_dtypes(a.dtype)
    return _column_sums(a, working.type(0)).astype(result, copy=False)


@njit(parallel=True)
def _compress_blocks(x, keep, starts, ends):
    """Two parallel passes: count the kept items of each block; after a serial scan of the
    counts, each block writes its items from its own offset. No counter is shared."""
    n_blocks = starts.shape[0]
    counts = np.zeros(n_blocks, dtype=np.intp)
    for b in prange(n_blocks):
        for i in range(starts[b], ends[b]):
            if keep[i]:
                counts[b] += 1
    offsets = np.zeros(n_blocks + 1, dtype=np.intp)
    for b in range(n_blocks):
        offsets[b + 1] = offsets[b] + counts[b]
    out = np.empty(offsets[n_blocks], dtype=x.dtype)
    for b in prange(n_blocks):
        position = offsets[b]
        for i in range(starts[b], ends[b]):
            if keep[i]:
                out[position] = x[i]
                position += 1
    return out


def compress(x: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``x[keep]`` (in order, same dtype) by a parallel compaction.

    Answers NBL013 (a counter read and incremented in a prange) and NBL014 (appending to a
    list in a prange): count per block, scan the counts, then let each block write its
    items from its own offset.
    """
    if keep.shape != x.shape or keep.dtype != np.bool_:
        raise ValueError("keep must be a boolean array shaped like x")
    return _compress_blocks(x, keep, *_block_bounds(x.shape[0]))
