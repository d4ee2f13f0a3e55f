"""Runtime proof for the rules about numba's thread configuration (NBL016, NBL017).

Each test runs in a subprocess: these mistakes change process-wide state (the environment,
the thread pool, the calling thread's thread count) that the test process must not inherit.
The pool is given two threads (NUMBA_NUM_THREADS=2), so "one thread" and "all of them" differ
on any machine.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import FIXTURES

pytest.importorskip("numba")
pytestmark = pytest.mark.slow


def run_python(code: str) -> object:
    """Run `code` in a fresh interpreter with a two-thread pool; the value of its last print."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env["NUMBA_NUM_THREADS"] = "2"
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=180, env=env, cwd=str(FIXTURES))
    assert done.returncode == 0, done.stderr
    return ast.literal_eval(done.stdout.strip().splitlines()[-1])


def run_fixture(rel: str) -> tuple[float, ...]:
    """Run a fixture's main() in a fresh interpreter; the first three numbers it returns."""
    return run_python(f"""
        import importlib.util
        import numpy as np
        spec = importlib.util.spec_from_file_location("fixture", {str(FIXTURES / rel)!r})
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(repr(tuple(np.ravel(np.asarray(module.main(), dtype=float))[:3].tolist())))
    """)


# ---------------------------------------------------------------------------------------------
# NBL016 thread-local-num-threads


def test_nbl016_a_worker_thread_does_not_inherit_the_count() -> None:
    in_main, in_worker = run_python("""
        import threading
        import numba
        numba.set_num_threads(1)
        seen = []
        worker = threading.Thread(target=lambda: seen.append(numba.get_num_threads()))
        worker.start()
        worker.join()
        print((numba.get_num_threads(), seen[0]))
    """)
    assert (in_main, in_worker) == (1, 2)


def test_nbl016_bad_fixtures_run_the_kernel_on_every_thread() -> None:
    _, allowed = run_fixture("NBL016/bad_count_set_in_main_thread.py")
    assert allowed == 2  # set_num_threads(1) was meant for it
    _, allowed = run_fixture("NBL016/bad_count_set_in_idle_worker.py")
    assert allowed == 2


def test_nbl016_good_fixture_runs_the_kernel_on_the_count_it_set() -> None:
    total, allowed, _ = run_fixture("NBL016/good_count_set_where_the_kernel_runs.py")
    assert allowed == 1
    assert total == sum(float(i) * i for i in range(10_000))


# ---------------------------------------------------------------------------------------------
# NBL017 late-numba-config


def test_nbl017_numba_num_threads_set_after_import_is_not_read() -> None:
    before, after_assignment, pool = run_python("""
        import os
        import numba
        before = numba.config.NUMBA_NUM_THREADS
        os.environ["NUMBA_NUM_THREADS"] = "1"
        print((before, numba.config.NUMBA_NUM_THREADS, numba.get_num_threads()))
    """)
    assert (before, after_assignment, pool) == (2, 2, 2)


def test_nbl017_bad_fixtures_keep_the_whole_pool() -> None:
    _, pool, config = run_fixture("NBL017/bad_env_after_import.py")
    assert pool == 2 and config == 1  # numba.config says 1 after the compilation; the pool did not change
    _, pool = run_fixture("NBL017/bad_config_and_putenv.py")
    assert pool == 2


def test_nbl017_a_late_change_raises_once_the_threads_have_started() -> None:
    message = run_python("""
        import os
        import numba
        numba.get_num_threads()  # starts the pool
        os.environ["NUMBA_NUM_THREADS"] = "1"
        try:
            numba.njit(lambda x: x + 1)(1)
        except RuntimeError as error:
            print(repr(str(error)))
    """)
    assert "Cannot set NUMBA_NUM_THREADS" in message


def test_nbl017_putenv_is_never_seen_even_before_the_import() -> None:
    pool = run_python("""
        import os
        os.putenv("NUMBA_NUM_THREADS", "1")
        import numba
        print(numba.get_num_threads())
    """)
    assert pool == 2


def test_nbl017_good_fixture_sizes_the_pool_before_the_import() -> None:
    total, pool, config = run_fixture("NBL017/good_env_before_import.py")
    assert (pool, config) == (1, 1)
    assert total == sum(float(i) * i for i in range(10_000))


def test_nbl017_a_child_process_reads_what_was_set_after_the_import() -> None:
    in_child, here = run_fixture("NBL017/good_env_for_child_processes.py")
    assert (in_child, here) == (1, 2)
