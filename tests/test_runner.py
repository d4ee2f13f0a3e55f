"""The runner never lets one file end a run, and says in one line what went wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from numbalint.rules.kernel_arity import KernelArity
from numbalint.pipeline import Task, check_file
from numbalint.runner import RunOptions, run
from tests.conftest import ALL_CODES

BUGGY = "import threading\nfrom numba import njit\n@njit\ndef k(a):\n    a[:] = 1\nthreading.Thread(target=k, args=(1, 2)).start()\n"


def check(path: Path) -> str:
    result = check_file(Task(str(path), ALL_CODES))
    assert result.error is not None and not result.findings
    return result.error.message


def test_bytes_that_do_not_match_the_encoding(tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes(b'import numba\nname = "caf\xe9"\n')
    assert check(path).startswith("cannot decode the file (")
    assert check(path).endswith("save it as UTF-8 or declare its encoding")


def test_an_unknown_coding_cookie(tmp_path: Path) -> None:
    path = tmp_path / "cookie.py"
    path.write_bytes(b"# -*- coding: nonsense -*-\nimport numba\n")
    assert "unknown encoding: nonsense" in check(path)


def test_a_syntax_error_names_the_place(tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text("import numba\nx = (1,\n")
    result = check_file(Task(str(path), ALL_CODES))
    assert result.error is not None
    assert (result.error.path, result.error.line, result.error.column) == (str(path), 2, 5)
    assert result.error.location == f"{path}:2:5"
    assert result.error.message == "cannot parse: '(' was never closed (fix the syntax, then lint again)"


def test_files_without_numba_or_threads_are_not_parsed(tmp_path: Path) -> None:
    path = tmp_path / "plain.py"
    path.write_text("x = (1,\n")  # a syntax error nobody pays to find
    result = check_file(Task(str(path), ALL_CODES))
    assert result.error is None
    assert result.skipped


def test_a_bug_in_a_rule_costs_one_file_not_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.py").write_text(BUGGY)
    (tmp_path / "b.py").write_text(BUGGY.replace("@njit\n", "@njit(nogil=True)\n"))

    def broken(self, model):
        if model.module.code.startswith("import threading\nfrom numba import njit\n@njit\n"):
            raise ValueError("boom")
        return iter(())

    monkeypatch.setattr(KernelArity, "check", broken)
    report = run(sorted(tmp_path.glob("*.py")), RunOptions(enabled_for=lambda _: ALL_CODES, jobs=1))
    assert [(Path(e.path).name, e.message) for e in report.errors] == [
        ("a.py", "internal error (ValueError: boom); please report it with this file")
    ]
    # b.py still checked: its kernel has nogil, and the (broken) arity rule found nothing there.
    assert report.findings == []


def test_a_worker_that_dies_costs_one_file(tmp_path: Path) -> None:
    deep = tmp_path / "deep.py"
    deep.write_text("import numba\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n")  # overflows libcst's stack
    fine = tmp_path / "fine.py"
    fine.write_text(BUGGY)
    report = run([deep, fine], RunOptions(enabled_for=lambda _: ALL_CODES, jobs=2))
    assert [Path(e.path).name for e in report.errors] == ["deep.py"]
    assert report.errors[0].message.startswith("skipped: the parser crashed")
    assert {(Path(f.path).name, f.code) for f in report.findings} == {("fine.py", "NBL001"), ("fine.py", "NBL004")}


@pytest.mark.slow
def test_a_file_that_takes_too_long_costs_one_file(tmp_path: Path) -> None:
    slow = tmp_path / "slow.py"
    slow.write_text("import numba\nx = a" + ".b" * 8000 + "\n")  # libcst needs ~30 s for this
    fine = tmp_path / "fine.py"
    fine.write_text(BUGGY)
    report = run([slow, fine], RunOptions(enabled_for=lambda _: ALL_CODES, jobs=2, timeout=1))
    assert [Path(e.path).name for e in report.errors] == ["slow.py"]
    assert "took over 1 s" in report.errors[0].message
    assert {(Path(f.path).name, f.code) for f in report.findings} == {("fine.py", "NBL001"), ("fine.py", "NBL004")}


def test_a_parsed_file_is_not_counted_as_skipped(tmp_path: Path) -> None:
    path = tmp_path / "k.py"
    path.write_text(BUGGY)
    assert not check_file(Task(str(path), ALL_CODES)).skipped


def test_a_named_file_is_parsed_even_if_the_prefilter_would_skip_it(tmp_path: Path) -> None:
    path = tmp_path / "plain.py"
    path.write_text("x = (1,\n")
    result = check_file(Task(str(path), ALL_CODES, named=True))
    assert result.error is not None and not result.skipped
    assert result.error.message.startswith("cannot parse: '(' was never closed")


def test_launches_that_never_say_numba_or_thread_pass_the_prefilter(tmp_path: Path) -> None:
    """A kernel imported from elsewhere, run by `loop.run_in_executor` or joblib's
    `require="sharedmem"`: the file never mentions numba or threads, and must still be read."""
    from numbalint.pipeline import MAY_MATTER

    assert MAY_MATTER.search(b"await loop.run_in_executor(None, k, a)")
    assert MAY_MATTER.search(b"from joblib import Parallel, delayed")
    assert not MAY_MATTER.search(b"import math\nprint(math.pi)\n")


def test_fixes_are_built_only_for_formats_that_print_their_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`[*]`, counts and the fix's title need no edits: with edits=False nothing is built."""
    from numbalint.rules import dropped_remainder
    from tests.conftest import FIXTURES

    path = FIXTURES / "NBL005" / "bad_floor_chunks_threads.py"
    built = check_file(Task(str(path), ALL_CODES, edits=True))

    def never(text: str) -> None:
        raise AssertionError("a fix was built that nobody shows or applies")

    monkeypatch.setattr(dropped_remainder.cst, "parse_expression", never)
    titled = check_file(Task(str(path), ALL_CODES, edits=False))
    assert titled.error is None
    [fix] = [f.fix for f in titled.findings if f.code == "NBL005"]
    [full] = [f.fix for f in built.findings if f.code == "NBL005"]
    assert (fix.message, fix.applicability, fix.edits) == (full.message, full.applicability, ())
    assert full.edits
