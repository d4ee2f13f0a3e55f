"""The forms NBL016 and NBL017 recognise, and the ones they must leave alone."""

from __future__ import annotations

import textwrap

import pytest

import numbalint


def lines(code: str, rule: str) -> list[int]:
    return sorted(f.span.line for f in numbalint.lint_source(textwrap.dedent(code), select=[rule]))


@pytest.mark.parametrize("code, expected", [
    ("""
        from os import environ
        import numba as nb
        environ.update(NUMBA_NUM_THREADS="1")
        environ.setdefault("NUMBA_DISABLE_JIT", "1")
        environ["NUMBA_OPT"] = "0"
    """, [4, 5]),
    ("""
        import os
        from numba import config
        config.NUMBA_NUM_THREADS = 2
        config.THREADING_LAYER = "omp"
    """, [4]),
    # A def written before the import may run before it; one written after cannot.
    ("""
        import os
        def early():
            os.environ["NUMBA_NUM_THREADS"] = "1"
        early()
        import numba
        def late():
            os.environ["NUMBA_NUM_THREADS"] = "1"
    """, [8]),
    # numba imported only inside a function: the module's own order says nothing.
    ("""
        import os
        os.environ["NUMBA_NUM_THREADS"] = "1"
        def run():
            import numba
    """, []),
    # A key that is not a literal: cannot tell.
    ("""
        import os
        import numba
        name = "NUMBA_NUM_THREADS"
        os.environ[name] = "1"
        os.environ[f"NUMBA_{name}"] = "1"
    """, []),
    # The module starts processes: the variables may be for them.
    ("""
        import os
        import numba
        from concurrent.futures import ProcessPoolExecutor
        os.environ["NUMBA_NUM_THREADS"] = "1"
        os.putenv("NUMBA_NUM_THREADS", "1")
        pool = ProcessPoolExecutor(2)
    """, []),
    # putenv is never seen by this process, before the import too.
    ("""
        import os
        os.putenv("NUMBA_NUM_THREADS", "1")
        os.putenv("OMP_NUM_THREADS", "1")
        import numba
    """, [3]),
])
def test_late_numba_config_forms(code: str, expected: list[int]) -> None:
    assert lines(code, "NBL017") == expected


@pytest.mark.parametrize("code, expected", [
    # The count set at module level, the parallel kernel run by an executor's threads.
    ("""
        import numba as nb
        from concurrent.futures import ThreadPoolExecutor
        @nb.njit(parallel=True, nogil=True)
        def k(x):
            for i in nb.prange(x.shape[0]):
                x[i] += 1
        nb.set_num_threads(1)
        with ThreadPoolExecutor(2) as ex:
            ex.submit(k, [1.0])
    """, [8]),
    # Each worker sets its own count before its kernel: nothing to say (NBL003 speaks of the threads).
    ("""
        import threading
        import numba
        @numba.njit(parallel=True)
        def k(x):
            for i in numba.prange(x.shape[0]):
                x[i] += 1
        def worker(x):
            numba.set_num_threads(1)
            k(x)
        def run(x):
            numba.set_num_threads(1)
            threading.Thread(target=worker, args=(x,)).start()
    """, []),
    # No parallel kernel in threads: setting the count in main is how it is meant to be used.
    ("""
        import threading
        import numba
        @numba.njit(nogil=True)
        def k(x):
            x[0] = 1
        numba.set_num_threads(1)
        threading.Thread(target=k, args=([0],)).start()
    """, []),
    # A worker that only sets the count, while main runs a parallel kernel.
    ("""
        import threading
        from numba import njit, prange, set_num_threads
        @njit(parallel=True)
        def k(x):
            for i in prange(x.shape[0]):
                x[i] += 1
        threading.Thread(target=lambda: set_num_threads(1)).start()
    """, [8]),
])
def test_thread_local_num_threads_forms(code: str, expected: list[int]) -> None:
    assert lines(code, "NBL016") == expected
