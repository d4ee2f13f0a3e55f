"""Ctrl-C during `numbalint --fix`: exit 130, no worker left running, no
temporary file left behind, every file either as it was or fully fixed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="sends POSIX signals to a process group")

# NBL004 (safe fix: nogil=True), and enough other code that fixing takes a while.
FIXABLE = """\
import threading
from numba import njit


@njit
def kernel(x):
    x[0] = 1


def launch(a):
    t = threading.Thread(target=kernel, args=(a,))
    t.start()
    t.join()
""" + "".join(f"\n\ndef helper_{i}(values):\n    return [v * {i} for v in values if v > {i}]\n" for i in range(30))
COPIES = 200


def numbalint(*args: str, cwd: Path, **options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "numbalint", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1"}, **options)


def fixed_text(tmp_path: Path) -> str:
    """What --fix makes of FIXABLE, uninterrupted."""
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "k.py").write_text(FIXABLE)
    numbalint("--fix", "k.py", cwd=alone).communicate(timeout=60)
    fixed = (alone / "k.py").read_text()
    assert fixed != FIXABLE and "@njit(nogil=True)" in fixed
    return fixed


@pytest.mark.slow
@pytest.mark.parametrize("to_whole_group", [False, True],
                         ids=["parent-only", "terminal-ctrl-c"])
def test_sigint_during_fix_leaves_every_file_whole(tmp_path, to_whole_group):
    fixed = fixed_text(tmp_path)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "pyproject.toml").write_text("[tool.numbalint]\n")
    files = [tree / f"m{index:03d}.py" for index in range(COPIES)]
    for file in files:
        file.write_text(FIXABLE)

    process = numbalint("--fix", "-j", "2", ".", cwd=tree, start_new_session=True)
    deadline = time.monotonic() + 120
    while not any(file.read_text() == fixed for file in files):  # the fix pass is under way
        assert process.poll() is None and time.monotonic() < deadline, "the run ended before any fix"
        time.sleep(0.01)
    if to_whole_group:
        os.killpg(process.pid, signal.SIGINT)
    else:
        os.kill(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=30)

    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == "numbalint: interrupted"
    states = [file.read_text() for file in files]
    assert set(states) <= {FIXABLE, fixed}
    assert FIXABLE in states, "interrupted too late to prove anything"
    assert not list(tmp_path.rglob("*.numbalint-tmp"))
    with pytest.raises(ProcessLookupError):  # no worker outlived the run
        for _ in range(50):
            os.killpg(process.pid, 0)
            time.sleep(0.1)
