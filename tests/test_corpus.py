"""numbalint over numba's own installed source: a large real corpus.

It must run to the end with every file checked, and report only what we have
read and judged (false alarms cost a linter its users). A new finding here is
either a real bug in numba's code or a false alarm that needs a good fixture.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from numbalint.files import DEFAULT_EXCLUDES, discover
from numbalint.runner import RunOptions, run
from tests.conftest import ALL_CODES


KNOWN = {
    # Read and judged: test_lock launches a @jit kernel (no nogil) from 16 threads to
    # test compile locking; the threads do take turns, as NBL004 says, harmlessly there.
    # NBL016/NBL017 find nothing, rightly: misc/numba_entry.py and test_parfors.py set
    # NUMBA_DUMP_*/NUMBA_PARALLEL_DIAGNOSTICS after the import, which numba reads again at the
    # next compilation; cuda/tests/cudadrv/test_init.py sets NUMBA_DISABLE_CUDA for a child
    # process; test_parallel_backend.py's mask runner calls set_num_threads in the thread that
    # runs the kernel. Cross-file reading adds no file (all of numba is given; numpy beside it in
    # site-packages is not read).
    ("tests/test_dispatcher.py", "NBL004"),
    # `@nb.jit(nopython=True, parallel=True) def foo(): pass`, a use case for error reporting:
    # true, nothing to parallelise (numba says so too, with a NumbaPerformanceWarning).
    ("tests/error_usecases.py", "NBL011"),
    # Two tests call a parallel=True kernel inside another's prange on purpose, to test
    # set_num_threads in nested parallel regions (they need omp/tbb): true, deliberate.
    ("tests/test_num_threads.py", "NBL015"),
}


@pytest.mark.slow
def test_numba_source_is_checked_to_the_end_with_only_known_findings() -> None:
    spec = importlib.util.find_spec("numba")
    if spec is None or spec.origin is None:
        pytest.skip("numba is not installed")
    root = Path(spec.origin).parent
    files, errors = discover([str(root)], exclude=DEFAULT_EXCLUDES, root=root)
    assert not errors and len(files) > 500
    report = run(files, RunOptions(enabled_for=lambda _: ALL_CODES))
    assert report.errors == []
    found = {(Path(f.path).relative_to(root).as_posix(), f.code) for f in report.findings}
    assert found == KNOWN
