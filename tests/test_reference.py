"""The reference suite: launchers split and run work correctly; kernels equal numpy."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numbalint.reference import (
    REFERENCES,
    accumulator_dtypes,
    chunk_bounds,
    column_sums,
    compress,
    histogram,
    parallel_sum,
    prefix_sum,
    run_in_threads,
    square,
    square_into,
    square_parallel,
)

DTYPES = [np.dtype(name) for name in ("int32", "int64", "float32", "float64")]
AWKWARD_SIZES = [0, 1, 2, 3, 4, 5, 1009, 200_003]


@given(n=st.integers(0, 10_000), k=st.integers(1, 64))
def test_chunk_bounds_cover_range_contiguously_in_near_equal_parts(n: int, k: int) -> None:
    bounds = chunk_bounds(n, k)
    assert len(bounds) == min(n, k)
    starts = [start for start, _ in bounds]
    ends = [end for _, end in bounds]
    assert starts == ([0] + ends[:-1] if bounds else [])
    assert ends[-1:] == ([n] if n else [])
    sizes = [end - start for start, end in bounds]
    assert all(size >= 1 for size in sizes)
    assert not sizes or max(sizes) - min(sizes) <= 1
    assert sizes == sorted(sizes, reverse=True)  # the remainder goes to the first parts


def test_chunk_bounds_of_nothing_is_empty() -> None:
    assert chunk_bounds(0, 4) == []


@pytest.mark.parametrize("k", [0, -1])
def test_chunk_bounds_rejects_fewer_than_one_part(k: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        chunk_bounds(10, k)


def test_run_in_threads_passes_each_chunk_its_own_slices_and_returns_results_in_order() -> None:
    x = np.arange(10)
    assert [list(part) for part in run_in_threads(np.copy, x, n_threads=3)] == [
        [0, 1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
    ]


def test_run_in_threads_waits_for_every_worker_then_reraises_the_first_exception() -> None:
    finished = []
    lock = threading.Lock()

    def fail_on_second_chunk(part: np.ndarray) -> None:
        if part[0] == 4:
            raise TypeError("too many arguments")
        with lock:
            finished.append(int(part[0]))

    with pytest.raises(TypeError, match="too many arguments"):
        run_in_threads(fail_on_second_chunk, np.arange(10), n_threads=3)
    assert sorted(finished) == [0, 7]


def test_run_in_threads_rejects_arrays_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="first dimension"):
        run_in_threads(np.add, np.zeros(3), np.zeros(4), n_threads=2)


def _values(n: int, dtype: np.dtype) -> np.ndarray:
    rng = np.random.default_rng(n)
    if dtype.kind == "f":
        return (rng.standard_normal(n) * 3).astype(dtype)
    return rng.integers(-1000, 1000, n).astype(dtype)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n", AWKWARD_SIZES)
def test_kernels_equal_numpy(n: int, dtype: np.dtype) -> None:
    x = _values(n, dtype)
    out = np.empty_like(x)
    square_into(x, out)
    np.testing.assert_array_equal(out, x * x)
    np.testing.assert_array_equal(square(x, n_threads=3), x * x)
    np.testing.assert_array_equal(square_parallel(x), x * x)
    # Floats are added in float64 (numpy's own float32 running sum drifts), then rounded.
    working, result = accumulator_dtypes(x.dtype)
    total = parallel_sum(x)
    assert total.dtype == result == np.sum(x).dtype
    np.testing.assert_allclose(total, np.sum(x, dtype=working).astype(result), rtol=1e-6)
    running = prefix_sum(x)
    assert running.dtype == result == np.cumsum(x).dtype
    np.testing.assert_allclose(running, np.cumsum(x, dtype=working).astype(result), rtol=1e-6)
    for value_range in [(-2.0, 2.0), (-50, 50), None]:
        np.testing.assert_array_equal(
            histogram(x, 7, value_range), np.histogram(x, 7, value_range)[0]
        )


@pytest.mark.slow
def test_square_wraps_small_integers_like_numpy() -> None:
    x = np.array([200, 16, 255], dtype=np.uint8)
    np.testing.assert_array_equal(square(x, n_threads=2), x * x)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [np.dtype("float32"), np.dtype("float64")], ids=str)
def test_histogram_puts_values_on_edges_where_numpy_does(dtype: np.dtype) -> None:
    edges = np.histogram_bin_edges(np.zeros(0, dtype), 10, (0, 0.1))
    x = np.concatenate([edges, np.nextafter(edges, np.inf), [np.nan, -1.0]]).astype(dtype)
    np.testing.assert_array_equal(histogram(x, 10, (0, 0.1)), np.histogram(x, 10, (0, 0.1))[0])


def test_histogram_rejects_bins_that_are_not_a_count() -> None:
    with pytest.raises(ValueError, match="positive integer"):
        histogram(np.zeros(3), [0.0, 1.0], (0, 1))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_every_registered_reference_matches_its_numpy_equivalent(name: str) -> None:
    reference = REFERENCES[name]
    rng = np.random.default_rng(0)
    for dtype in DTYPES:
        inputs = reference.make_inputs(1009, dtype, rng)
        expected = reference.numpy_equivalent(*inputs)
        np.testing.assert_allclose(
            reference.compute(*inputs), expected, rtol=reference.rtol(np.asarray(expected).dtype)
        )


@pytest.mark.slow
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n", AWKWARD_SIZES)
def test_compress_and_column_sums_equal_numpy(n: int, dtype: np.dtype) -> None:
    x = _values(n, dtype)
    for keep in (x > 0, np.zeros(n, dtype=bool), np.ones(n, dtype=bool)):
        kept = compress(x, keep)
        assert kept.dtype == x.dtype
        np.testing.assert_array_equal(kept, x[keep])
    a = np.stack([x, -x, x // 2 if dtype.kind != "f" else x * 0.5], axis=1)
    sums = column_sums(a)
    assert sums.dtype == a.sum(axis=0).dtype
    np.testing.assert_allclose(sums, a.sum(axis=0, dtype=accumulator_dtypes(dtype)[0]), rtol=1e-6)


def test_compress_rejects_a_mask_that_is_not_boolean_or_not_shaped_like_x() -> None:
    with pytest.raises(ValueError, match="boolean array shaped like x"):
        compress(np.zeros(3), np.ones(3, dtype=np.int64))
    with pytest.raises(ValueError, match="boolean array shaped like x"):
        compress(np.zeros(3), np.ones(4, dtype=bool))


def test_registry_names_the_references_verify_offers() -> None:
    assert {"square", "sum", "histogram", "prefix_sum", "compress"} <= set(REFERENCES)
    assert all(reference.description for reference in REFERENCES.values())
