"""Runtime proof for the prange rules (NBL011-NBL015): each bad fixture's bug really happens,
and each good fixture computes what its serial version computes.

The serial version of a good fixture is the same program run with ``NUMBA_DISABLE_JIT=1``
(plain Python: ``prange`` is ``range``), in a subprocess. Races need two threads to show:
those tests skip, saying why, on a machine with fewer than 2 cores. The nested-parallel abort
runs in a subprocess with ``NUMBA_THREADING_LAYER=workqueue``, since it ends the process.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
numba = pytest.importorskip("numba")

from numbalint import reference  # noqa: E402  (needs numba, hence after the skips)
from tests.test_runtime_proof import load  # noqa: E402  (one import of each fixture per session)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# How often a race is given the chance to show before the test gives up on it. Two threads
# collide only while both run at once: on a loaded 2-core machine one attempt in five may.
ATTEMPTS = 30


def _threads() -> int:
    return min(os.cpu_count() or 1, numba.config.NUMBA_NUM_THREADS)


needs_two_threads = pytest.mark.skipif(
    _threads() < 2,
    reason="a race needs two threads running at once; this machine gives numba fewer than 2 cores",
)


def _run(code: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300,
        env=env, cwd=str(FIXTURES),
    )


def _module_snippet(rel: str) -> str:
    return textwrap.dedent(f"""
        import importlib.util
        spec = importlib.util.spec_from_file_location("fixture", {str(FIXTURES / rel)!r})
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    """)


def _serial_main(rel: str, tmp_path: Path) -> np.ndarray:
    """What the fixture's main() returns when run as plain Python (no JIT, no threads)."""
    saved = tmp_path / "serial.npy"
    proc = _run(
        _module_snippet(rel) + f"import numpy as np\nnp.save({str(saved)!r}, np.asarray(mod.main()))\n",
        {"NUMBA_DISABLE_JIT": "1"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return np.load(saved)


GOOD = sorted(
    p.relative_to(FIXTURES).as_posix()
    for code in ("NBL011", "NBL012", "NBL013", "NBL014", "NBL015")
    for p in (FIXTURES / code).glob("good_*.py")
)


@pytest.mark.slow
@pytest.mark.parametrize("rel", GOOD)
def test_good_fixture_equals_its_serial_version(rel: str, tmp_path: Path) -> None:
    parallel = np.asarray(load(rel).main(), dtype=np.float64)
    serial = _serial_main(rel, tmp_path).astype(np.float64)
    np.testing.assert_allclose(parallel, serial, rtol=1e-9, atol=1e-12)  # sums in another order


def _some_attempt(attempt) -> bool:
    """True as soon as one of a few runs of `attempt()` returns True."""
    return any(attempt() for _ in range(ATTEMPTS))


# ---------------------------------------------------------------------------------------------
# NBL011 parallel-without-prange: numba finds nothing to parallelise.


@pytest.mark.slow
def test_nbl011_parallel_true_without_prange_runs_on_one_thread() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bad = load("NBL011/bad_range_only.py")
        steps, owners = bad.main()
    said = [str(w.message) for w in caught if isinstance(w.message, numba.NumbaPerformanceWarning)]
    assert sum("no transformation for parallel execution was possible" in m for m in said) >= 1
    assert set(owners.ravel().tolist()) == {0}  # every cell filled by numba's thread 0
    good = load("NBL011/good_parallel_work.py")
    np.testing.assert_array_equal(good.collatz_steps(1000), steps)  # same values, from prange


# ---------------------------------------------------------------------------------------------
# NBL012 prange-shared-write: updates get lost.


@pytest.mark.slow
@needs_two_threads
def test_nbl012_shared_updates_lose_counts() -> None:
    bad = load("NBL012/bad_racy_updates.py")
    n = 4_000_000
    ones = np.ones(n)
    assert _some_attempt(lambda: bad.striped_sums(ones).sum() < n)  # `sums[i % 4] += x[i]`
    assert _some_attempt(lambda: (bad.broadcast_total(ones, 3) < n).any())  # `y[:] += x[i]`
    block = np.ones((n // 4, 4))
    assert _some_attempt(lambda: bad.column_sums(block).sum() < n)  # `sums[j] += a[i, j]`
    unsorted = np.random.default_rng(0).random(n)  # `weights[0, b] = weights[0, b] + w[i]`
    assert _some_attempt(lambda: bad.binned_weights(unsorted, ones, 10).sum() < n)
    # Longer loops: these threads collide less often per iteration.
    bins = np.arange(5 * n, dtype=np.int32) % 10
    assert _some_attempt(lambda: bad.histogram(bins, 10).sum() < 5 * n)  # `counts[bins[i]] += 1`
    # LLVM keeps `total[0]` in a register for a thread's whole chunk: the threads then collide
    # once, at the end, and only when their chunks overlap in time.
    many = np.lib.stride_tricks.as_strided(np.ones(1), shape=(5 * n,), strides=(0,))
    assert _some_attempt(lambda: bad.counted(many) < 5 * n)  # `total[0] += x[i]`

    # The fixes count everything.
    np.testing.assert_array_equal(reference.column_sums(block), block.sum(axis=0))
    np.testing.assert_array_equal(
        reference.histogram(bins.astype(np.float64), 10, (0, 10)), np.bincount(bins, minlength=10)
    )


@pytest.mark.slow
@needs_two_threads
def test_nbl012_shared_scratch_mixes_rows() -> None:
    bad = load("NBL012/bad_shared_scratch.py")
    a = np.random.default_rng(1).random((100_000, 128))  # long enough for the threads to overlap
    serial = (0.5 * a + 0.5 * np.roll(a, -1, axis=1)).sum(axis=1)
    assert _some_attempt(lambda: not np.allclose(bad.smoothed_row_sums(a), serial, rtol=1e-12))


# ---------------------------------------------------------------------------------------------
# NBL013 prange-loop-carried: values depend on which iteration ran first.


@pytest.mark.slow
@needs_two_threads
def test_nbl013_loop_carried_reads_differ_from_the_serial_loop() -> None:
    bad = load("NBL013/bad_carried_values.py")
    ones = np.ones(4_000_000)  # long enough that the second thread starts before the first ends
    assert _some_attempt(lambda: not np.array_equal(bad.running_sum(ones), np.cumsum(ones)))
    np.testing.assert_array_equal(reference.prefix_sum(ones), np.cumsum(ones))  # the fix

    x = np.sin(np.arange(1_000_000.0))
    assert _some_attempt(lambda: bad.largest(x) != x.max())  # `if x[i] > m: m = x[i]`
    kept, count = bad.positives(x)
    assert not np.array_equal(kept[:count], x[x > 0])  # positions from per-thread counters collide
    np.testing.assert_array_equal(reference.compress(x, x > 0), x[x > 0])  # the fix
    assert load("NBL013/good_independent_iterations.py").largest(x) == x.max()


# ---------------------------------------------------------------------------------------------
# NBL014 prange-container-mutation: containers are not thread-safe.


@pytest.mark.slow
@needs_two_threads
def test_nbl014_appends_from_threads_come_out_of_order_or_crash() -> None:
    code = _module_snippet("NBL014/bad_shared_containers.py") + textwrap.dedent("""
        squares = mod.squares_in_order(1_000_000)
        print("IN ORDER", list(squares) == [float(i) for i in range(1_000_000)])
    """)
    proc = _run(code)
    # Appending from several threads either corrupts the list (the process dies) or
    # interleaves the items: never the serial list.
    assert proc.returncode != 0 or "IN ORDER False" in proc.stdout, proc.stdout + proc.stderr[-2000:]


# ---------------------------------------------------------------------------------------------
# NBL015 nested-parallel: the workqueue layer aborts.


@pytest.mark.slow
def test_nbl015_nested_parallel_kernel_aborts_the_workqueue_layer() -> None:
    code = _module_snippet("NBL015/bad_nested_kernels.py") + textwrap.dedent("""
        import numpy as np
        for _ in range(5):
            mod.row_totals(np.ones((64, 100_000)))
        print("survived")
    """)
    proc = _run(code, {"NUMBA_THREADING_LAYER": "workqueue"})
    if "No threading layer could be loaded" in proc.stderr:
        pytest.skip("the workqueue threading layer cannot be loaded here: " + proc.stderr[-300:])
    if _threads() < 2:
        pytest.skip("with one numba thread the inner launch never overlaps the outer one")
    assert proc.returncode != 0, "a nested parallel kernel survived the workqueue layer"
    assert "Concurrent access has been detected" in proc.stderr
    assert "survived" not in proc.stdout

    good = _module_snippet("NBL015/good_one_level.py") + "print(mod.main().sum())\n"
    proc = _run(good, {"NUMBA_THREADING_LAYER": "workqueue"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert float(proc.stdout) == 128 * 1000.0
