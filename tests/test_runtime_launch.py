"""Runtime proof for the launch forms beyond Thread and executors, and for NBL009.

Each new form (joblib threads, a Thread subclass, a bound method, asyncio.to_thread,
run_in_executor) really runs the kernel on another thread of this process, sharing its GIL;
the process forms really run elsewhere. The rest shows each bug of the new fixtures happening.
"""
from __future__ import annotations

import os
import textwrap
import threading

import pytest

np = pytest.importorskip("numpy")
numba = pytest.importorskip("numba")
pytest.importorskip("joblib")

from numbalint import reference  # noqa: E402  (needs numba, hence after the skips)
from test_runtime_proof import _loader_snippet, _probe_progress, _workqueue_or_skip, load, run_python  # noqa: E402

pytestmark = pytest.mark.slow


def _recording(module, monkeypatch, name):
    """Replace the fixture's kernel with a wrapper noting (process, thread) of each call."""
    kernel = getattr(module, name)
    calls = []

    def recording(*args):
        calls.append((os.getpid(), threading.get_ident()))
        return kernel(*args)

    monkeypatch.setattr(module, name, recording)
    return calls


@pytest.mark.parametrize("rel, kernel", [
    ("NBL004/bad_joblib_threads.py", "damped_into"),
    ("NBL004/bad_thread_subclass.py", "scale_into"),
    ("NBL004/bad_bound_method_target.py", "fill_row"),
    ("NBL004/bad_asyncio_to_thread.py", "normalise_into"),
    ("NBL004/bad_run_in_executor.py", "clip_into"),
])
def test_each_form_runs_the_kernel_on_threads_of_this_process(rel, kernel, monkeypatch):
    """What makes NBL004 true for them: other threads, one process, one GIL."""
    module = load(rel)
    calls = _recording(module, monkeypatch, kernel)
    out = module.main()
    assert len(calls) >= 4
    assert {pid for pid, _ in calls} == {os.getpid()}
    assert threading.get_ident() not in {ident for _, ident in calls}
    assert not np.isnan(out).any()


def test_joblib_threads_take_turns_without_nogil(monkeypatch):
    bad = load("NBL004/bad_joblib_threads.py")
    x = np.linspace(0.0, 1.0, 20_000)
    bad.run(x[:8], 2, 1)  # compile outside the measurement
    held = _probe_progress(lambda: bad.run(x, 2, 4000))
    monkeypatch.setattr(bad, "damped_into", numba.njit(nogil=True)(bad.damped_into.py_func))
    bad.run(x[:8], 2, 1)
    released = _probe_progress(lambda: bad.run(x, 2, 4000))
    # Measured here: ~7e5 (joblib's own Python between tasks) against ~9e6.
    assert released > 5 * held, (held, released)


@pytest.mark.parametrize("rel", ["NBL004/good_joblib_processes.py", "NBL004/good_asyncio_process_pool.py"])
def test_process_forms_run_and_compute_the_sum(rel):
    """The same programs run as process pools: correct, and no thread rule applies to them."""
    proc = run_python(f"import runpy; runpy.run_path({rel!r}, run_name='__main__')")
    assert proc.returncode == 0, proc.stderr
    assert float(proc.stdout) == reference.parallel_sum(np.arange(1000, dtype=np.float64))


def test_nbl001_in_starmap_and_joblib_threads_raises_in_the_caller():
    with pytest.raises(TypeError, match="too many arguments"):
        load("NBL001/bad_starmap_arity.py").main()
    with pytest.raises(TypeError, match="too many arguments"):
        load("NBL001/bad_joblib_arity.py").main()


def test_nbl002_closures_stored_and_run_after_the_loop_all_see_the_last_part():
    x = np.arange(1000, dtype=np.float64)
    out = load("NBL002/bad_closure_list_after_loop.py").main()
    np.testing.assert_array_equal(out[:750], x[:750])  # never squared
    last = x[750:]
    for _ in range(4):  # squared four times, once by each job
        last = last * last
    np.testing.assert_array_equal(out[750:], last)
    np.testing.assert_array_equal(load("NBL002/good_closure_list_bound.py").main(), reference.square(x))


def test_nbl003_joblib_threads_around_a_parallel_kernel_abort():
    repeat = "for _ in range(20):\n    mod.main()\nprint('survived')\n"
    code = _loader_snippet("NBL003/bad_joblib_threading_context.py") + repeat
    proc = run_python(code, {"NUMBA_THREADING_LAYER": "workqueue"})
    _workqueue_or_skip(proc)
    assert proc.returncode != 0 and "Concurrent access has been detected" in proc.stderr


def test_nbl004_nogil_is_not_what_makes_parallel_kernels_abort():
    """Why NBL004 offers no fix for a parallel kernel: without nogil it aborts just the same."""
    code = _loader_snippet("NBL003/bad_thread_parallel_kernel.py") + textwrap.dedent("""
        import numba, numpy as np
        mod.smooth_into = numba.njit(parallel=True)(mod.smooth_into.py_func)
        assert not mod.smooth_into.targetoptions.get("nogil")
        x = np.sin(np.linspace(0.0, 6.0, 200_000))
        for _ in range(10):
            mod.run(x, 4, 5)
        print("survived")
    """)
    proc = run_python(code, {"NUMBA_THREADING_LAYER": "workqueue"})
    _workqueue_or_skip(proc)
    assert proc.returncode != 0 and "Concurrent access has been detected" in proc.stderr


def test_nbl006_ufunc_given_its_output_writes_it_and_a_dropped_result_does_not():
    x = np.linspace(-5.0, 5.0, 1000)
    np.testing.assert_allclose(load("NBL006/good_ufunc_out.py").main(), x / (1.0 + np.abs(x)))
    assert np.isnan(load("NBL006/bad_to_thread_dropped.py").main()).all()


# NBL009: the kernel is gated on an Event the test holds, so "the function returned before the
# threads wrote" is certain rather than likely.


def _gated(module, monkeypatch, name):
    """Make the fixture's kernel wait for `gate` first; returns (gate, threads that ran it)."""
    kernel, gate, runners = getattr(module, name), threading.Event(), []

    def gated(*args):
        runners.append(threading.current_thread())
        assert gate.wait(timeout=60)
        return kernel(*args)

    monkeypatch.setattr(module, name, gated)
    return gate, runners


def test_nbl009_the_output_is_read_before_unjoined_threads_write_it(monkeypatch):
    x = np.arange(1000, dtype=np.float64)
    bad = load("NBL009/bad_daemon_threads.py")
    gate, runners = _gated(bad, monkeypatch, "square_into")
    out = bad.squares(x)
    assert np.isnan(out).all()  # what the caller reads: nothing written yet
    assert len(runners) == 4 and all(t.daemon for t in runners)
    gate.set()
    for t in runners:
        t.join()
    np.testing.assert_array_equal(out, reference.square(x))  # written, but after it was read

    started = load("NBL009/bad_started_list.py")
    gate, runners = _gated(started, monkeypatch, "scale_into")
    scaled, offset = started.scaled(x, 2.0), started.offset(x, 1.0)
    assert np.isnan(scaled).all() and np.isnan(offset).all()
    gate.set()


def test_nbl009_joined_threads_and_with_blocks_wait(monkeypatch):
    x = np.arange(1000, dtype=np.float64)
    good = load("NBL009/good_joined_or_handed_on.py")
    gate, _ = _gated(good, monkeypatch, "square_into")
    threading.Timer(0.2, gate.set).start()  # the workers are held back; the functions wait anyway
    out = np.full_like(x, np.nan)
    good.joined(x, out)
    np.testing.assert_array_equal(out, reference.square(x))
    out = np.full_like(x, np.nan)
    good.in_executor(x, out)
    np.testing.assert_array_equal(out, reference.square(x))
