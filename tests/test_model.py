"""The model on the forms real code writes, one small program per case.

Fixtures cover each rule end to end; these pin down how the model reads
aliases, pools, closures and chunk arithmetic, including where it must stay
silent because it cannot tell.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from numbalint.files import discover
from numbalint.model import ModuleModel
from numbalint.pipeline import lint_module, locate
from numbalint.runner import RunOptions, run
from tests.conftest import ALL_CODES



def lint(source: str) -> list[tuple[int, str]]:
    module = cst.parse_module(textwrap.dedent(source).lstrip())
    diagnostics = lint_module(module, ALL_CODES, None)
    return sorted((finding.span.line, finding.code) for _, finding in locate("x.py", module, diagnostics))


CASES = {
    "executor bound by assignment, map never consumed": ("""
        import numba
        from concurrent.futures import ThreadPoolExecutor
        @numba.jit(nopython=True)
        def k(x):
            return x + 1
        ex = ThreadPoolExecutor(4)
        ex.map(k, [1, 2])
        """, [(7, "NBL004"), (7, "NBL006")]),
    "with-executor futures read: clean": ("""
        from numba import njit
        import concurrent.futures as cf
        @njit(nogil=True)
        def k(x):
            return x + 1
        def run(xs):
            with cf.ThreadPoolExecutor() as ex:
                futures = [ex.submit(k, x) for x in xs]
            return [f.result() for f in futures]
        """, []),
    "lambda in a comprehension of threads": ("""
        import threading
        from numba import njit
        @njit(nogil=True)
        def k(a, out):
            out[:] = a
        def run(parts, outs):
            ts = [threading.Thread(target=lambda: k(parts[i], outs[i])) for i in range(4)]
            for t in ts: t.start()
            for t in ts: t.join()
        """, [(7, "NBL002")]),
    "nested worker def calling a GIL-holding kernel": ("""
        import numba as nb, threading
        @nb.njit
        def k(a):
            a[:] = 1
        def run(chunks):
            def worker(c):
                k(c)
            ts = [threading.Thread(target=worker, args=(c,)) for c in chunks]
            [t.start() for t in ts]
            [t.join() for t in ts]
        """, [(8, "NBL004")]),
    "partial binds two, args= a third: too many": ("""
        from functools import partial
        from threading import Thread as T
        from numba import njit
        @njit(nogil=True)
        def k(a, b):
            pass
        T(target=partial(k, 1, 2), args=(3,)).start()
        """, [(7, "NBL001")]),
    "parallel ufunc mapped by a ThreadPool": ("""
        from multiprocessing.pool import ThreadPool
        from numba import vectorize
        @vectorize(["float64(float64)"], target="parallel")
        def f(x):
            return x * 2
        with ThreadPool(2) as pool:
            print(pool.map(f, [1.0, 2.0]))
        """, [(7, "NBL003")]),
    "options passed as **kwargs: cannot tell": ("""
        import threading
        from numba import njit
        OPTS = dict(nogil=True)
        @njit(**OPTS)
        def k(a):
            a[:] = 1
        threading.Thread(target=k, args=(1,)).start()
        """, []),
    "Timer given a kernel's result": ("""
        import threading
        from numba import njit
        @njit(nogil=True)
        def k(a):
            return a
        threading.Timer(1.0, k(3)).start()
        """, [(6, "NBL007")]),
    "kernel reached through self: cannot tell": ("""
        import threading
        from numba import njit
        class C:
            @staticmethod
            @njit
            def k(a):
                return a
            def go(self):
                threading.Thread(target=self.k, args=(1,)).start()
        """, []),
    "floor chunks inside a prange": ("""
        from numba import njit, prange
        @njit(parallel=True)
        def f(x, nt):
            chunk = x.shape[0] // nt
            for t in prange(nt):
                for j in range(t * chunk, (t + 1) * chunk):
                    x[j] += 1
        """, [(6, "NBL005")]),
    "last part set by an if on the index": ("""
        def f(x, k):
            c = len(x) // k
            for i in range(k):
                hi = (i + 1) * c
                if i == k - 1:
                    hi = len(x)
                x[i * c:hi] = 0
        """, []),
    "remainder handled after the loop": ("""
        def f(x, k):
            c = len(x) // k
            for i in range(k):
                x[i * c:(i + 1) * c] = 0
            x[k * c:] = 0
        """, []),
    "parts by range stepping": ("""
        def f(x, k):
            c = len(x) // k
            for start in range(0, len(x), c):
                x[start:start + c] = 0
        """, []),
    "end bound with a halo term: cannot tell": ("""
        def f(x, k, halo):
            n = len(x) // k
            for i in range(k):
                x[i * n:min(i * n + n + 2 * halo, len(x))] = 0
        """, []),
    "args=(name) of a tuple is fine; of an element it is not": ("""
        import threading
        def w(a, b): pass
        params = (1, 2)
        threading.Thread(target=w, args=(params)).start()
        threading.Thread(target=w, args=(params[0])).start()
        """, [(5, "NBL008")]),
    "while loop, lambda submitted, results read after": ("""
        from concurrent.futures import ThreadPoolExecutor
        from numba import njit
        @njit(nogil=True)
        def k(a):
            a[:] = 0
        ex = ThreadPoolExecutor()
        i, fs = 0, []
        while i < 4:
            part = i
            fs.append(ex.submit(lambda: k(part)))
            i += 1
        for f in fs: f.result()
        """, [(10, "NBL002")]),
    "a call meant to fail inside pytest.raises": ("""
        import pytest
        from numba import njit
        @njit
        def k(a):
            return a
        def test_arity():
            with pytest.raises(TypeError):
                k(1, 2)
        """, []),
    "GPU gufunc: not a CPU kernel": ("""
        from numba import guvectorize
        @guvectorize("(m)->(m)", target="cuda")
        def g(x, out):
            pass
        g(1, 2, 3)
        """, []),
    "try/except fallback njit: ambiguous, silent": ("""
        import threading
        try:
            from numba import njit
        except ImportError:
            def njit(f):
                return f
        @njit
        def k(a):
            a[:] = 1
        threading.Thread(target=k, args=(1,)).start()
        """, []),
    "newer syntax parses": ("""
        type X = int
        def f[T](x: T) -> T:
            return x
        match 1:
            case 1:
                pass
        """, []),
}


@pytest.mark.parametrize("name", list(CASES))
def test_case(name: str) -> None:
    source, expected = CASES[name]
    assert lint(source) == expected


def test_kernel_forms_and_options() -> None:
    model = ModuleModel(cst.parse_module(textwrap.dedent("""
        import numba as nb
        from numba import njit, jit, guvectorize
        @nb.njit(parallel=True, nogil=True)
        def a(x): return x
        @jit
        def b(x): return x
        def c_py(x, y=1): return x
        c = njit(c_py)
        d = njit(fastmath=True)(lambda x: x)
        @guvectorize("(n),()->(n)")
        def e(x, y, out): pass
    """)))
    kernels = {k.name: k for k in model.kernels.defined}
    assert set(kernels) == {"a", "b", "c", "d", "e"}
    assert kernels["a"].parallel and kernels["a"].releases_gil
    assert kernels["b"].kind == "jit" and not kernels["b"].releases_gil
    assert [p.name for p in kernels["c"].signature.params] == ["x", "y"]
    assert kernels["d"].options == {"fastmath": True}
    assert kernels["e"].layout == (2, 1)


def test_project_index_resolves_relative_imports(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "kernels.py").write_text("from numba import njit\n@njit\ndef k(a):\n    a[:] = 1\n")
    (package / "driver.py").write_text(
        "import threading\nfrom .kernels import k\nthreading.Thread(target=k, args=(1, 2)).start()\n"
    )
    files, _ = discover([str(tmp_path)], exclude=(), root=tmp_path)
    report = run(files, RunOptions(enabled_for=lambda _: ALL_CODES, jobs=1))
    found = {(Path(f.path).name, f.span.line, f.code) for f in report.findings}
    assert found == {("driver.py", 3, "NBL001"), ("driver.py", 3, "NBL004")}


def test_names_assigned_from_imports_are_followed() -> None:
    assert lint("""
        import threading
        import numba
        thread_class = threading.Thread
        jit_nogil = numba.njit
        @jit_nogil
        def k(a):
            a[:] = 1
        thread_class(target=k, args=(1,)).start()
    """) == [(8, "NBL004")]


def test_the_unknown_option_marker_survives_pickling():
    """Kernels cross process boundaries; `option is UNKNOWN` must still hold after."""
    import pickle

    from numbalint.model import UNKNOWN

    assert pickle.loads(pickle.dumps(UNKNOWN)) is UNKNOWN


# Launch forms beyond Thread and executors (issue 10): what is a thread, what is not,
# and where the model must stay silent.
LAUNCH_CASES = {
    "joblib threads by prefer=, backend= and a with-context": ("""
        from joblib import Parallel, delayed, parallel_backend
        from numba import njit
        @njit
        def k(a):
            a[:] = 1
        def run(parts):
            Parallel(n_jobs=2, prefer="threads")(delayed(k)(p) for p in parts)
            Parallel(2, "threading")(delayed(k)(p) for p in parts)
            with parallel_backend("threading"):
                Parallel(n_jobs=2)([delayed(k)(p) for p in parts])
        """, [(7, "NBL004"), (8, "NBL004"), (10, "NBL004")]),
    "joblib processes, one job, or another backend inside a threading context: silent": ("""
        import joblib
        from numba import njit
        @njit
        def k(a):
            a[:] = 1
        def run(parts):
            joblib.Parallel(n_jobs=2)(joblib.delayed(k)(p) for p in parts)
            joblib.Parallel(n_jobs=1, prefer="threads")(joblib.delayed(k)(p) for p in parts)
            with joblib.parallel_config(backend="threading"):
                joblib.Parallel(n_jobs=2, backend="loky")(joblib.delayed(k)(p) for p in parts)
        """, []),
    "run_in_executor: None is threads; a process pool or an unknown executor is not": ("""
        import asyncio
        from concurrent.futures import ProcessPoolExecutor
        from numba import njit
        @njit
        def k(a):
            a[:] = 1
        async def run(a, pool):
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, k, a)
            await loop.run_in_executor(ProcessPoolExecutor(), k, a)
            await loop.run_in_executor(pool, k, a)
        """, [(9, "NBL004")]),
    "Thread subclass: run() through methods; without its own run() it cannot tell": ("""
        import threading
        from numba import njit
        @njit
        def k(a):
            a[:] = 1
        class Base(threading.Thread):
            def run(self):
                self.step()
            def step(self):
                k(self.a)
        class Child(Base):
            def run(self):
                k(self.a)
        class Plain(threading.Thread):
            pass
        Base().start()
        Child().start()
        Plain(target=print).start()
        """, [(16, "NBL004"), (17, "NBL004")]),
    "staticmethod and bound method targets": ("""
        import threading
        from numba import njit
        @njit(parallel=True)
        def k(a):
            a[:] = 1
        class C:
            @staticmethod
            def work(a):
                k(a)
            def go(self, a):
                threading.Thread(target=self.work, args=(a,)).start()
                threading.Thread(target=C.work, args=(a,)).start()
        """, [(11, "NBL003"), (11, "NBL004"), (11, "NBL009"), (12, "NBL003"), (12, "NBL004"), (12, "NBL009")]),
    "starmap: tuples of one length are counted, mixed lengths are not": ("""
        from multiprocessing.pool import ThreadPool
        from numba import njit
        @njit(nogil=True)
        def k(a, b):
            a[:] = b
        def run(xs):
            with ThreadPool(2) as pool:
                pool.starmap(k, [(x,) for x in xs])
                pool.starmap(k, [(xs[0], 1), (xs[1],)])
                pool.starmap(k, [(x, 1) for x in xs])
        """, [(8, "NBL001")]),
    "closures stored in a list: one function is followed, two are not": ("""
        import threading
        from numba import njit
        @njit(nogil=True)
        def k(a):
            a[:] = 1
        def run(parts):
            jobs, mixed = [], []
            for p in parts:
                jobs.append(lambda: k(p))
                mixed.append(lambda: k(p))
                mixed.append(print)
            ts = [threading.Thread(target=job) for job in jobs]
            for t in ts: t.start()
            for t in ts: t.join()
            for other in mixed:
                threading.Thread(target=other).start()
        """, [(9, "NBL002")]),
    "ufunc and gufunc given their outputs write them": ("""
        import threading
        from numba import vectorize, guvectorize
        @vectorize(["float64(float64)"])
        def f(x):
            return x + 1
        @guvectorize(["void(float64[:], float64[:])"], "(n)->(n)")
        def g(x, out):
            out[:] = x
        x, out = [1.0], [0.0]
        threading.Thread(target=lambda: f(x, out)).start()
        threading.Thread(target=lambda: f(x, out=out)).start()
        threading.Thread(target=g, args=(x, out)).start()
        threading.Thread(target=lambda: f(x)).start()
        """, [(13, "NBL006")]),
    "NBL009: joined, waited, shut down, returned or stored threads are silent": ("""
        import threading
        from concurrent.futures import ThreadPoolExecutor, wait
        from numba import njit
        @njit(nogil=True)
        def k(a):
            a[:] = 1
        def joined_later(a):
            t = threading.Thread(target=k, args=(a,))
            t.start()
            def finish():
                t.join()
            finish()
        def waited(a):
            ex = ThreadPoolExecutor()
            fs = [ex.submit(k, a)]
            wait(fs)
        def shut_down(a):
            ex = ThreadPoolExecutor()
            ex.submit(k, a)
            ex.shutdown()
        def returned(a):
            t = threading.Thread(target=k, args=(a,))
            t.start()
            return t
        def polled(a):
            t = threading.Thread(target=k, args=(a,))
            t.start()
            while t.is_alive():
                pass
        threading.Thread(target=k, args=(1,)).start()
        """, []),
    "NBL009: started and dropped, daemon at module level, started through a list": ("""
        import threading
        from numba import njit
        @njit(nogil=True)
        def k(a):
            a[:] = 1
        def dropped(a):
            threading.Thread(target=k, args=(a,)).start()
        def listed(parts):
            ts = []
            for p in parts:
                ts.append(threading.Thread(target=k, args=(p,)))
            [each.start() for each in ts]
        t = threading.Thread(target=k, args=(1,))
        t.daemon = True
        t.start()
        """, [(7, "NBL009"), (11, "NBL009"), (13, "NBL009")]),
    "NBL009: a thread given nothing of the caller's (a warm-up) writes nothing it reads": ("""
        import threading
        import numpy as np
        from numba import njit
        @njit
        def k(a):
            a[:] = 1
        def warm_up():
            k(np.zeros(1))
        def start():
            threading.Thread(target=warm_up, daemon=True).start()
            threading.Thread(target=lambda: k(np.ones(2)), daemon=True).start()
        """, [(10, "NBL004"), (11, "NBL004")]),
    "NBL009: a thread that runs no kernel is not ours to judge": ("""
        import threading
        def serve():
            threading.Thread(target=print, daemon=True).start()
        """, []),
}


@pytest.mark.parametrize("name", list(LAUNCH_CASES))
def test_launch_case(name: str) -> None:
    source, expected = LAUNCH_CASES[name]
    assert lint(source) == expected

