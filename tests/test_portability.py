"""The Windows/macOS path on this Linux CI: workers started with `spawn`, the
time budget kept by the parent (there is no SIGALRM path at all), crash
isolation by process. A torture folder gets the same results as with fork."""

from __future__ import annotations

from pathlib import Path

import pytest

from numbalint import pool
from numbalint.results import Report
from numbalint.runner import RunOptions, run
from tests.conftest import ALL_CODES
from tests.test_runner import BUGGY

TORTURE = {
    "deep.py": "import numba\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n",  # overflows libcst's stack
    "slow.py": "import numba\nx = a" + ".b" * 8000 + "\n",  # libcst needs ~30 s
    "crlf.py": BUGGY.replace("\n", "\r\n"),
    "broken.py": "import numba\nx = (1,\n",
    "plain.py": "x = 1\n",
    **{f"fine{index}.py": BUGGY for index in range(3)},
}


def outcome(report: Report) -> tuple[list[tuple[str, str]], list[tuple[str, int, str]]]:
    errors = [(Path(e.path.split(":")[0]).name, e.message) for e in report.errors]
    findings = [(Path(f.path).name, f.span.line, f.code) for f in report.findings]
    return errors, findings


def lint_torture(folder: Path, method: str, monkeypatch: pytest.MonkeyPatch) -> Report:
    monkeypatch.setenv(pool.START_METHOD_VARIABLE, method)
    assert pool.start_method() == method
    files = sorted(folder.glob("*.py"))
    return run(files, RunOptions(enabled_for=lambda _: ALL_CODES, jobs=2, timeout=1))


@pytest.mark.slow
def test_spawn_gives_the_same_results_as_fork(tmp_path, monkeypatch):
    for name, text in TORTURE.items():
        (tmp_path / name).write_bytes(text.encode())
    forked = outcome(lint_torture(tmp_path, "fork", monkeypatch))
    spawned = outcome(lint_torture(tmp_path, "spawn", monkeypatch))
    assert spawned == forked
    errors, findings = forked
    assert [name for name, _ in errors] == ["broken.py", "deep.py", "slow.py"]
    assert errors[1][1].startswith("skipped: the parser crashed")
    assert "took over 1 s" in errors[2][1]
    assert {(name, code) for name, _, code in findings} == {
        (name, code) for name in ("crlf.py", "fine0.py", "fine1.py", "fine2.py") for code in ("NBL001", "NBL004")
    }


def test_the_platform_default_is_used_off_linux(monkeypatch):
    monkeypatch.delenv(pool.START_METHOD_VARIABLE, raising=False)
    monkeypatch.setattr(pool.sys, "platform", "win32")
    assert pool.start_method() is None
    monkeypatch.setattr(pool.sys, "platform", "linux")
    assert pool.start_method() == "fork"
