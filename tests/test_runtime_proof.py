"""Runtime proof for the fixtures: each bad fixture really shows its bug, and each good one
computes what the reference suite computes.

The linter never runs code; these tests do, so that every ``# expect:`` marker in fixtures/
stands for a mistake with a visible cost (an exception the main thread never hears of, output
left at its sentinel, a GIL that serialises the threads, an aborted process), not for a style
preference. Fixtures are imported by path and their ``main()`` (or a ``run()`` with larger
inputs) is called. Fixtures that can abort the interpreter (NBL003 under the workqueue
threading layer) and the blog's verbatim example (no ``main``) run in a subprocess.
"""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import ast
import textwrap
import threading
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
numba = pytest.importorskip("numba")

from numbalint import reference  # noqa: E402  (needs numba, hence after the skips)
from numbalint.reference import worker_exceptions  # noqa: E402
from tests.conftest import FIXTURES  # noqa: E402

# Run only in a subprocess: they can abort the interpreter, need another process start
# method, or have no main().
SUBPROCESS_ONLY = {
    "NBL003/bad_thread_parallel_kernel.py",
    "NBL003/bad_executor_parallel_gufunc.py",
    "NBL003/bad_pool_worker_parallel.py",
    "NBL003/bad_pool_parallel_ufunc.py",
    "NBL004/good_process_pool.py",
    "NBL003/bad_joblib_threading_context.py",
    "NBL004/good_joblib_processes.py",  # loky's workers must import the fixture: run as __main__
    "NBL004/good_asyncio_process_pool.py",
    "blog/verbatim.py",
    "NBL018/bad_assigned_setter.py",  # rebinds numba.set_num_threads for the whole process
    "NBL017/good_env_before_import.py",  # sets NUMBA_* in os.environ (see test_runtime_config.py)
    "NBL017/good_env_for_child_processes.py",  # likewise
    "NBL014/bad_shared_containers.py",  # appends from threads can corrupt memory
    "NBL015/bad_nested_kernels.py",  # aborts under the workqueue layer
}


def _rel(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


def _all_fixtures() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*.py") if "__pycache__" not in p.parts)


_loaded: dict[Path, object] = {}


def load(rel: str):
    """Import a fixture by path, once per test session (so each kernel compiles once)."""
    path = FIXTURES / rel
    if path not in _loaded:
        name = "nbl_fixture_" + re.sub(r"\W", "_", rel[:-3])
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(path.parent))  # cross_module/driver.py imports its sibling
        try:
            spec.loader.exec_module(module)
        finally:
            sys.path.remove(str(path.parent))
        _loaded[path] = module
    return _loaded[path]


def run_python(code: str, env_extra: dict[str, str] | None = None, timeout: float = 120):
    env = dict(os.environ)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=str(FIXTURES),
    )


def _loader_snippet(rel: str) -> str:
    return textwrap.dedent(
        f"""
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("fixture", {str(FIXTURES / rel)!r})
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        """
    )


# ---------------------------------------------------------------------------------------------
# Every good fixture runs and computes without worker errors or unwritten output; every bad
# one has a test below that shows its bug (test_fixtures.py checks the markers and layout).


def _runtime_tests_text() -> str:
    return "".join(p.read_text() for p in Path(__file__).parent.glob("test_runtime*.py"))


def test_every_bad_fixture_has_a_runtime_proof():
    text = _runtime_tests_text()
    unproven = [_rel(p) for p in _all_fixtures() if p.name.startswith("bad_") and _rel(p) not in text]
    assert unproven == [], "bad fixtures whose bug no runtime test shows"


def _good_in_process_fixtures() -> list[str]:
    return [
        _rel(p)
        for p in _all_fixtures()
        if p.name.startswith(("good_", "fixed_")) and _rel(p) not in SUBPROCESS_ONLY
    ]


@pytest.mark.slow
@pytest.mark.parametrize("rel", _good_in_process_fixtures())
def test_good_fixture_runs_cleanly(rel):
    """A good fixture finishes without worker errors and leaves no output unwritten (NaN)."""
    with worker_exceptions() as caught:
        result = load(rel).main()
    assert caught == []
    values = np.asarray(result, dtype=np.float64)
    assert not np.isnan(values).any(), "a good fixture left part of its output unwritten"


# ---------------------------------------------------------------------------------------------
# NBL001 kernel-arity


@pytest.mark.slow
def test_nbl001_type_errors_die_in_the_workers():
    bad = load("NBL001/bad_thread_args_too_many.py")
    with worker_exceptions() as caught:
        out = bad.main()  # returns normally: the main thread never hears of the errors
    assert len(caught) == 4
    assert all(isinstance(e, TypeError) and "too many arguments" in str(e) for e in caught)
    assert np.isnan(out).all()

    good = load("NBL001/good_thread_args.py")
    with worker_exceptions() as caught:
        out = good.main()
    assert caught == []
    np.testing.assert_array_equal(out, reference.square(np.arange(1000, dtype=np.float64)))


@pytest.mark.slow
def test_nbl001_other_spellings_fail_too():
    with worker_exceptions() as caught:
        out = load("NBL001/bad_submit_missing_arg.py").main()  # errors sit in unread futures
    assert caught == [] and np.isnan(out).all()

    with worker_exceptions() as caught:
        out = load("NBL001/bad_lambda_kernel_call.py").main()
    assert len(caught) == 4 and all(isinstance(e, TypeError) for e in caught)
    assert np.isnan(out).all()

    with pytest.raises(TypeError):
        load("NBL001/bad_partial_keyword.py").main()
    forms = load("NBL001/bad_direct_call_forms.py")
    with pytest.raises(TypeError, match="too many arguments"):
        forms.main()
    with pytest.raises(TypeError):
        forms.clipped(np.linspace(0.0, 1.0, 10))
    with pytest.raises(TypeError):
        load("NBL001/bad_ufunc_arity.py").main()

    x = np.arange(1000, dtype=np.float64)
    np.testing.assert_array_equal(load("NBL001/good_arity_forms.py").main(), x)


# ---------------------------------------------------------------------------------------------
# NBL002 late-binding-closure: every thread is created before any runs, so all see the last
# loop values (deterministic, not a race).


@pytest.mark.slow
def test_nbl002_every_closure_sees_the_last_chunk():
    x = np.arange(1000, dtype=np.float64)
    out = load("NBL002/bad_lambda_in_loop.py").main()
    assert np.isnan(out[:750]).all()  # chunks 0..2 never written
    np.testing.assert_array_equal(out[750:], reference.square(x)[750:])  # last one 4 times

    out = load("NBL002/bad_comprehension.py").main()
    assert np.isnan(out[:600]).all() and (out[600:] == 1.0).all()

    out = load("NBL002/bad_def_in_loop.py").main()
    assert np.isnan(out[:400]).all()
    np.testing.assert_array_equal(out[400:], -np.arange(400.0, 600.0))

    for good in ("good_default_args.py", "good_same_iteration.py"):
        np.testing.assert_array_equal(load(f"NBL002/{good}").main(), reference.square(x))


class _PoolThatRunsLate:
    """A thread pool that gets to its tasks only when their results are asked for: one timing
    a real pool may have (the GIL decides), made certain so the test is deterministic."""

    def __init__(self, max_workers=None):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def submit(self, fn):
        return _LateFuture(fn)


class _LateFuture:
    def __init__(self, fn):
        self._fn = fn

    def result(self):
        return self._fn()


@pytest.mark.slow
def test_nbl002_a_lambda_run_after_the_loop_moved_on_sees_the_last_bounds(monkeypatch):
    bad = load("NBL002/bad_while_submit.py")
    monkeypatch.setattr(bad, "ThreadPoolExecutor", _PoolThatRunsLate)
    out = bad.main()  # every task reads start = stop = n: empty slices, nothing written
    assert np.isnan(out).all()


# ---------------------------------------------------------------------------------------------
# NBL003 threads-around-parallel


def _workqueue_or_skip(proc):
    if "No threading layer could be loaded" in proc.stderr:
        pytest.skip("the workqueue threading layer cannot be loaded here: " + proc.stderr[-300:])


@pytest.mark.slow
def test_nbl003_threads_around_parallel_abort_the_workqueue_layer():
    code = _loader_snippet("NBL003/bad_thread_parallel_kernel.py") + textwrap.dedent(
        """
        import numpy as np
        x = np.sin(np.linspace(0.0, 6.0, 200_000))
        for _ in range(10):  # one round almost always overlaps; ten make it certain
            mod.run(x, 4, 5)
        print("survived")
        """
    )
    proc = run_python(code, {"NUMBA_THREADING_LAYER": "workqueue"})
    _workqueue_or_skip(proc)
    assert proc.returncode != 0, "threads around a parallel kernel survived the workqueue layer"
    assert "Concurrent access has been detected" in proc.stderr
    assert "survived" not in proc.stdout

    # The same layer is fine with the parallel kernel called from one thread only.
    good = _loader_snippet("NBL003/good_parallel_main_thread.py") + textwrap.dedent(
        """
        import numba, numpy as np
        x = np.arange(1000, dtype=np.float64)
        for _ in range(50):
            whole = mod.total(x)
        print(numba.threading_layer(), float(whole))
        """
    )
    proc = run_python(good, {"NUMBA_THREADING_LAYER": "workqueue"})
    _workqueue_or_skip(proc)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["workqueue", "499500.0"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "rel",
    [
        "NBL003/bad_executor_parallel_gufunc.py",
        "NBL003/bad_pool_worker_parallel.py",
        "NBL003/bad_pool_parallel_ufunc.py",
    ],
)
def test_nbl003_other_launches_abort_too(rel):
    code = _loader_snippet(rel) + "for _ in range(20):\n    mod.main()\nprint('survived')\n"
    proc = run_python(code, {"NUMBA_THREADING_LAYER": "workqueue"})
    _workqueue_or_skip(proc)
    assert proc.returncode != 0 and "Concurrent access has been detected" in proc.stderr


@pytest.mark.slow
def test_nbl003_good_matches_reference():
    x = np.arange(1000, dtype=np.float64)
    whole, halves = load("NBL003/good_parallel_main_thread.py").main()
    assert whole == halves == reference.parallel_sum(x)


# ---------------------------------------------------------------------------------------------
# NBL004 missing-nogil: a probe thread counts its own progress while the kernel runs in
# another thread. A kernel that holds the GIL starves the probe; a nogil one does not.


def _probe_progress(work) -> int:
    """How far a probe thread counts while ``work()`` runs on another thread.

    The probe counts only while the worker is inside ``work``; a call that holds the GIL leaves
    it nothing but the hand-over windows at the start and the end.
    """
    state = {"in_kernel": False, "stop": False, "count": 0}
    probe_running = threading.Event()

    def probe():
        probe_running.set()
        while not state["stop"]:
            if state["in_kernel"]:
                state["count"] += 1

    def call():
        state["in_kernel"] = True
        work()
        state["in_kernel"] = False

    p = threading.Thread(target=probe)
    p.start()
    probe_running.wait()
    k = threading.Thread(target=call)
    k.start()
    k.join()
    state["stop"] = True
    p.join()
    return state["count"]


def _damped_probe(kernel, n=20_000, steps=800) -> int:
    x = np.linspace(0.0, 1.0, n)
    out = np.empty(n)
    kernel(x[:4], out[:4], 1)  # compile outside the measurement (compiling holds the GIL)
    return _probe_progress(lambda: kernel(x, out, steps))


def _damped_numpy(x, steps):
    v = x.copy()
    for _ in range(steps):
        v = 0.9 * v + 0.1 * np.cos(v)
    return v


@pytest.mark.slow
def test_nbl004_kernel_without_nogil_holds_the_gil():
    bad = load("NBL004/bad_bare_njit_thread.py")
    good = load("NBL004/good_nogil_forms.py")
    held = _damped_probe(bad.damped_into)
    released = _damped_probe(good.damped_into)
    # Measured here: ~1.4e5 (only the GIL hand-over windows) against ~2e6.
    assert released > 5 * held, (held, released)

    x = np.linspace(0.0, 1.0, 1000)
    expected = _damped_numpy(x, 20)
    np.testing.assert_allclose(good.run(x, 4, 20), expected, rtol=1e-12)
    np.testing.assert_allclose(bad.run(x, 4, 20), expected, rtol=1e-12)  # right, just serial
    shifted = np.concatenate([expected[:500] - 1.0, expected[500:]])
    np.testing.assert_allclose(good.main(), shifted, rtol=1e-12, atol=1e-12)


@pytest.mark.slow
def test_nbl004_nogil_on_the_callee_does_not_help():
    bad = load("NBL004/bad_nogil_on_callee.py")
    rows, cols = 100_000, 2_000
    # Stride-0 views: 2e8 additions per call without allocating 1.6 GB.
    block = np.lib.stride_tricks.as_strided(np.ones(cols), shape=(rows, cols), strides=(0, 8))
    line = np.lib.stride_tricks.as_strided(np.ones(1), shape=(rows * cols,), strides=(0,))
    out = np.empty(rows)
    bad.row_sums_into(block[:2], out[:2])
    bad._row_sum(line[:2])
    # The same additions: through the outer kernel (nogil only on its callee) and through the
    # nogil callee itself.
    held = _probe_progress(lambda: bad.row_sums_into(block, out))
    released = _probe_progress(lambda: bad._row_sum(line))
    assert (out == cols).all()
    assert released > 5 * held, (held, released)


def _stride0(length):
    """A `length`-element view of one float: a long kernel run without allocating `length` floats."""
    return np.lib.stride_tricks.as_strided(np.zeros(1), shape=(length,), strides=(0,))


@pytest.mark.slow
def test_nbl004_partial_and_wrapped_kernels_hold_the_gil_too():
    timer = load("NBL004/bad_timer_partial.py")
    wrapped = load("NBL004/bad_wrapped_starmap.py")
    long_run = _stride0(200_000_000)
    cases = [
        (timer.fill_ramp, (long_run, 0.0)),
        (wrapped.affine_into, (long_run, long_run, 2.0, 1.0)),
        (wrapped.squares_into, (long_run, long_run)),
    ]
    for kernel, args in cases:
        released_kernel = numba.njit(nogil=True)(kernel.py_func)
        short = tuple(a[:2] if isinstance(a, np.ndarray) else a for a in args)
        kernel(*short), released_kernel(*short)  # compile outside the measurement
        held = _probe_progress(lambda: kernel(*args))
        released = _probe_progress(lambda: released_kernel(*args))
        assert released > 5 * held, (kernel, held, released)


@pytest.mark.slow
def test_nbl004_process_pool_is_not_a_thread_pool():
    proc = run_python(
        "import runpy; runpy.run_path('NBL004/good_process_pool.py', run_name='__main__')"
    )
    assert proc.returncode == 0, proc.stderr
    assert float(proc.stdout) == reference.parallel_sum(np.arange(1000, dtype=np.float64))


# ---------------------------------------------------------------------------------------------
# NBL005 dropped-remainder: outputs start as NaN; the tail keeps it.


@pytest.mark.slow
def test_nbl005_the_last_n_mod_k_items_are_never_processed():
    bad = load("NBL005/bad_floor_chunks_threads.py")
    x = np.arange(1003, dtype=np.float64)
    out = bad.run(x, 4)
    assert np.isnan(out[1000:]).all()  # 1003 % 4 == 3 items
    np.testing.assert_array_equal(out[:1000], reference.square(x)[:1000])
    # The kernel is fine; the partition was not. The reference launcher covers every item.
    fixed = np.full_like(x, np.nan)
    reference.run_in_threads(bad.square_into, x, fixed, n_threads=4)
    np.testing.assert_array_equal(fixed, reference.square(x))
    assert reference.chunk_bounds(1003, 4)[-1][1] == 1003

    assert np.isnan(load("NBL005/bad_int_division.py").main()[996:]).all()  # 998 % 3
    assert np.isnan(load("NBL005/bad_plus_one.py").main()[1008:]).all()  # 4 * 252 = 1008
    nested = load("NBL005/bad_nested_comprehension_chunks.py").main()  # 4 * (1003 // 4) = 1000
    assert np.isnan(nested[1000:]).all() and not np.isnan(nested[:1000]).any()

    y = np.arange(1000, dtype=np.float64)
    blocked = load("NBL005/bad_prange_blocks.py").main()  # 7 blocks of 142 = 994
    assert blocked == y[:994].sum() != reference.parallel_sum(y)

    good = load("NBL005/good_chunking.py").main()
    for row in good:  # ceil+min, array_split, conditional end, range step, remainder
        np.testing.assert_array_equal(row, reference.square(x))


# ---------------------------------------------------------------------------------------------
# NBL006 discarded-result


@pytest.mark.slow
def test_nbl006_results_are_thrown_away():
    bad = load("NBL006/bad_thread_target_returns.py")
    x = np.arange(1000, dtype=np.float64)
    assert np.isnan(bad.main()).all()
    # The kernel computed the right values; they were returned to Thread.run, which drops them.
    kept = np.concatenate(reference.run_in_threads(bad.squares, x, n_threads=4))
    np.testing.assert_array_equal(kept, reference.square(x))

    assert np.isnan(load("NBL006/bad_submit_unread.py").main()).all()
    assert load("NBL006/bad_futures_only_waited.py").main() == 0.0
    assert np.isnan(load("NBL006/bad_map_unconsumed.py").main()).all()
    assert np.isnan(load("NBL006/bad_worker_drops.py").main()).all()

    total_of_squares = reference.parallel_sum(reference.square(x))
    np.testing.assert_allclose(load("NBL006/good_results_kept.py").main(), [total_of_squares] * 3)


# ---------------------------------------------------------------------------------------------
# NBL007 target-called: record which thread the kernel runs on.


def _calling_threads(module, monkeypatch, name):
    kernel = getattr(module, name)
    idents = []

    def recording(*args):
        idents.append(threading.get_ident())
        return kernel(*args)

    monkeypatch.setattr(module, name, recording)
    return idents


@pytest.mark.slow
def test_nbl007_the_kernel_runs_in_the_calling_thread(monkeypatch):
    x = np.arange(1000, dtype=np.float64)
    bad = load("NBL007/bad_thread_target_called.py")
    idents = _calling_threads(bad, monkeypatch, "square_into")
    with worker_exceptions() as caught:
        out = bad.main()
    assert idents and set(idents) == {threading.get_ident()}  # all four on the main thread
    assert caught == []  # target=None: the threads ran nothing at all
    np.testing.assert_array_equal(out, reference.square(x))  # right values, computed serially

    good = load("NBL007/good_target_factory.py")
    idents = _calling_threads(good, monkeypatch, "square_into")
    out = good.main()
    assert len(idents) == 4 and threading.get_ident() not in idents
    np.testing.assert_array_equal(out, reference.square(x))

    with worker_exceptions() as caught:
        load("NBL007/bad_submit_timer_called.py").main()
    # The Timer got the kernel's return value (an array) as its function.
    assert len(caught) == 1 and "not callable" in str(caught[0])


# ---------------------------------------------------------------------------------------------
# NBL008 args-not-tuple


@pytest.mark.slow
def test_nbl008_the_array_is_unpacked_as_the_argument_list():
    data = np.arange(1000, dtype=np.float64)
    with worker_exceptions() as caught:
        out = load("NBL008/bad_thread_args_paren.py").main()
    assert len(caught) == 4
    assert all(isinstance(e, TypeError) and "expected 1, got 250" in str(e) for e in caught)
    np.testing.assert_array_equal(out, data)  # nothing normalised

    with worker_exceptions() as caught:
        out = load("NBL008/bad_timer_apply_async_paren.py").main()
    assert len(caught) == 1  # the Timer's; apply_async's error sits in its unread result
    assert (out[:200] < 0).any()  # the negatives were never clipped

    expected = np.concatenate([b / b.max() for b in np.split(data, 4)])
    np.testing.assert_allclose(load("NBL008/good_args_tuple.py").main(), expected)


# ---------------------------------------------------------------------------------------------
# NBL010 prange-without-parallel: every iteration runs on numba's thread 0.


@pytest.mark.slow
def test_nbl010_prange_without_parallel_runs_on_one_thread():
    bad = load("NBL010/bad_forgotten_parallel.py")
    assert set(bad.main().tolist()) == {0}
    np.testing.assert_array_equal(bad.scaled(np.arange(8.0), 2.0), np.arange(8.0) * 2.0)  # right, serially
    good = load("NBL010/good_parallel_or_explicit.py")
    if numba.config.NUMBA_NUM_THREADS > 1:
        assert len(set(good.main().tolist())) > 1
    x = np.arange(10.0)
    assert good.serial_on_purpose(x) == good.configured(x) == reference.parallel_sum(x)


# ---------------------------------------------------------------------------------------------
# NBL018 numba-function-assigned: nothing is set, and the function is gone.


@pytest.mark.slow
def test_nbl018_assigning_set_num_threads_sets_nothing_and_breaks_later_calls():
    proc = run_python(_loader_snippet("NBL018/bad_assigned_setter.py") + textwrap.dedent("""
        import numba
        owners, threads = mod.main()
        print("THREADS", threads, len(set(owners.tolist())), numba.config.NUMBA_NUM_THREADS)
        try:
            numba.set_num_threads(1)
        except TypeError as error:
            print("CALL FAILS", error)
    """))
    assert proc.returncode == 0, proc.stderr
    threads, owners_used, available = proc.stdout.split("THREADS ")[1].splitlines()[0].split()
    assert int(threads) == int(available)  # the thread count was never set to 1
    if int(available) > 1:
        assert int(owners_used) > 1  # the kernel still ran on several threads
    assert "CALL FAILS 'int' object is not callable" in proc.stdout
    good = load("NBL018/good_setter_called.py")
    assert set(good.main().tolist()) == {0}
    assert numba.get_num_threads() == numba.config.NUMBA_NUM_THREADS


# ---------------------------------------------------------------------------------------------
# NBL100 unused-noqa is about comments, not about what a program computes: its fixtures need no
# runtime proof beyond being runnable programs (test_fixture_runs runs them). Both compute the
# right squares; the cost of a stale `# noqa` is the next real finding it hides.


@pytest.mark.slow
def test_nbl100_fixtures_are_programs_that_run_correctly():
    x = np.arange(1000, dtype=np.float64)
    for rel in ("NBL100/bad_stale_noqa.py", "NBL100/good_used_noqa.py"):
        np.testing.assert_array_equal(load(rel).main(), reference.square(x))


# ---------------------------------------------------------------------------------------------
# The blog


@pytest.mark.slow
def test_blog_verbatim_exits_0_after_errors_in_every_thread():
    # The four threads print their tracebacks at the same time, and the lines interleave;
    # so the program runs as written, and the thread errors are also collected for the count.
    proc = run_python(textwrap.dedent("""
        import runpy, sys, threading
        errors = []
        print_thread_error = threading.excepthook
        def collect(args):
            errors.append(f"{type(args.exc_value).__name__}: {args.exc_value}")
            print_thread_error(args)
        threading.excepthook = collect
        runpy.run_path('blog/verbatim.py', run_name='__main__')
        print("THREAD ERRORS", errors, file=sys.stderr)
    """), timeout=120)
    assert proc.returncode == 0  # no warning, exit status 0 ...
    errors = ast.literal_eval(proc.stderr.rsplit("THREAD ERRORS ", 1)[1])
    assert errors == ["TypeError: too many arguments: expected 1, got 2"] * 4  # ... after every thread failed
    assert proc.stdout.strip()  # ... and an (uninitialised) array is printed


@pytest.mark.slow
def test_blog_mistakes_and_fixes():
    samples = np.linspace(-1.0, 1.0, 1003)
    with worker_exceptions() as caught:
        power = load("blog/mistakes.py").main()
    assert len(caught) == 4 and all("too many arguments" in str(e) for e in caught)
    assert power.shape == samples.shape
    assert not np.array_equal(power, reference.square(samples))

    expected = reference.square(samples)
    np.testing.assert_array_equal(load("blog/fixed_threads.py").main(), expected)
    np.testing.assert_array_equal(load("blog/fixed_parallel.py").main(), expected)
    np.testing.assert_array_equal(reference.square_parallel(samples), expected)


@pytest.mark.slow
def test_cross_module_driver():
    with worker_exceptions() as caught:
        out = load("cross_module/driver.py").main()
    assert caught == []  # the missing argument's TypeError sits in an unread future
    assert not np.isnan(out[:600]).any() and np.isnan(out[600:]).all()
