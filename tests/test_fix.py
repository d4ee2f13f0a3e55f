"""--fix, --unsafe-fixes, --diff and --show-fixes, end to end.

Every bad fixture is copied to a temporary folder and fixed there (the repo's
fixtures are never touched): the result is the exact expected text, parses
and compiles, no longer has the findings that were fixable, and a second
--fix changes nothing. --diff writes nothing. Encodings, line endings and
BOMs survive byte for byte outside the fixed spans; a write that fails
leaves the original file whole and no temporary file behind. The slow tests
import fixed copies and run them: the fixed programs compute what the
reference suite (numpy) computes.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import stat
import threading
from collections import Counter
from pathlib import Path

import libcst as cst
import pytest

from numbalint import files as files_module
from numbalint.diagnostics import Fix, Replacement
from numbalint.fixes import fix_until_stable
from numbalint.pipeline import Task, check_file
from tests.conftest import ALL_CODES, FIXTURES, invoke

EXPECTED = Path(__file__).resolve().parent / "fix_expected"

BAD = sorted(
    p.relative_to(FIXTURES).as_posix()
    for p in FIXTURES.glob("*/*.py")
    if p.name.startswith("bad_") or p.parent.name == "blog" and re.search(r"#\s*expect:", p.read_text())
)

# What --fix does to each bad fixture, as (old, new) text replacements: each
# `old` occurs exactly once, and the fixed file is the original with these
# replacements and nothing else. A fixture not listed must come out unchanged.
SAFE = {
    "NBL002/bad_closure_list_after_loop.py": [("def job():", "def job(part=part):")],
    "NBL002/bad_comprehension.py": [("target=lambda: increment_into", "target=lambda i=i: increment_into")],
    "NBL002/bad_def_in_loop.py": [("def work():", "def work(part=part):")],
    "NBL002/bad_lambda_in_loop.py": [("target=lambda: square_into", "target=lambda lo=lo, hi=hi: square_into")],
    "NBL004/bad_asyncio_to_thread.py": [("@njit\n", "@njit(nogil=True)\n")],
    "NBL004/bad_bare_njit_thread.py": [("@njit\n", "@njit(nogil=True)\n")],
    "NBL004/bad_bound_method_target.py": [("@njit\n", "@njit(nogil=True)\n")],
    "NBL004/bad_joblib_threads.py": [("@njit\n", "@njit(nogil=True)\n")],
    "NBL004/bad_nogil_on_callee.py": [("@nb.njit\ndef row_sums_into", "@nb.njit(nogil=True)\ndef row_sums_into")],
    "NBL004/bad_run_in_executor.py": [("@njit\n", "@njit(nogil=True)\n")],
    "NBL004/bad_thread_subclass.py": [("@njit\n", "@njit(nogil=True)\n")],
    "NBL004/bad_timer_partial.py": [("@jit\n", "@jit(nogil=True)\n")],
    "NBL004/bad_wrapped_starmap.py": [
        ("= njit(_affine_into)", "= njit(_affine_into, nogil=True)"),
        ("numba.jit(nopython=True)(_squares_into)", "numba.jit(nopython=True, nogil=True)(_squares_into)"),
    ],
    "NBL007/bad_submit_timer_called.py": [
        ("ex.submit(scale_into(x[:300], out[:300], 2.0))", "ex.submit(scale_into, x[:300], out[:300], 2.0)"),
        ("Timer(0.0, scale_into(x[300:], out[300:], 2.0))", "Timer(0.0, scale_into, args=(x[300:], out[300:], 2.0))"),
    ],
    "NBL007/bad_thread_target_called.py": [
        ("target=square_into(x[lo:hi], out[lo:hi])", "target=square_into, args=(x[lo:hi], out[lo:hi])"),
    ],
    "NBL018/bad_assigned_setter.py": [("numba.set_num_threads = 1  #", "numba.set_num_threads(1)  #")],
    # No nogil fix for these parallel kernels: nogil alone still aborts (NBL004's Fix section).
    "blog/mistakes.py": [
        ("target=lambda: squared_magnitude", "target=lambda lo=lo, hi=hi: squared_magnitude"),
    ],
    "blog/verbatim.py": [
        ("target=lambda: calculate_squares", "target=lambda start=start, end=end: calculate_squares"),
    ],
}
# What --fix --unsafe-fixes does on top of SAFE.
UNSAFE_ONLY = {
    # `start` is rebound after the lambda is created (`start = stop`): unsafe.
    "NBL002/bad_while_submit.py": [
        ("ex.submit(lambda: sqrt_into", "ex.submit(lambda start=start, stop=stop: sqrt_into"),
    ],
    "NBL005/bad_floor_chunks_threads.py": [
        ("end = (i + 1) * chunk_size", "end = n if i == n_threads - 1 else (i + 1) * chunk_size"),
    ],
    "NBL005/bad_int_division.py": [("stop = start + size  #", "stop = len(x) if p == parts - 1 else start + size  #")],
    "NBL005/bad_prange_blocks.py": [("hi = (b + 1) * block", "hi = n if b == n_blocks - 1 else (b + 1) * block")],
    "NBL008/bad_thread_args_paren.py": [("args=(block),", "args=(block,),")],
    "NBL010/bad_forgotten_parallel.py": [
        ("@njit\ndef thread_of_each_row", "@njit(parallel=True)\ndef thread_of_each_row"),
        ("@numba.jit(nopython=True, nogil=True)", "@numba.jit(nopython=True, nogil=True, parallel=True)"),
    ],
    "NBL008/bad_timer_apply_async_paren.py": [("args=(left))", "args=(left,))"), ("args=(right))", "args=(right,))")],
    # Only the `if` that does nothing but keep the maximum; the one that also records where is left.
    "NBL013/bad_carried_values.py": [
        ("        if x[i] > m:  # expect: NBL013\n            m = x[i]\n", "        m = max(m, x[i])\n"),
    ],
    "blog/mistakes.py": [("hi = (w + 1) * per_worker", "hi = n_samples if w == n_workers - 1 else (w + 1) * per_worker")],
    "blog/verbatim.py": [("end = (i + 1) * chunk_size", "end = len(arr) if i == num_threads - 1 else (i + 1) * chunk_size")],
}


def expected_text(rel: str, mode: str) -> str:
    text = (FIXTURES / rel).read_text()
    edits = SAFE.get(rel, []) + (UNSAFE_ONLY.get(rel, []) if mode == "unsafe" else [])
    for old, new in edits:
        assert text.count(old) == 1, f"{rel}: {old!r} must occur once"
        text = text.replace(old, new)
    return text


def copy_fixture(tmp_path: Path, rel: str) -> Path:
    target = tmp_path / rel.replace("/", "__")
    shutil.copyfile(FIXTURES / rel, target)
    return target


def numbalint(capsys, *args: str | Path) -> tuple[int, str, str]:
    """Run the CLI in this process, without the cache; (exit status, stdout, stderr)."""
    run = invoke(capsys, "--no-cache", *args)
    return run.code, run.out, run.err


def findings(capsys, path: Path) -> list[dict]:
    code, out, err = numbalint(capsys, "--output-format", "json", path)
    assert code in (0, 1), err
    return json.loads(out)["findings"]


def fixable(finding: dict, mode: str) -> bool:
    fix = finding["fix"]
    return fix is not None and (fix["applicability"] == "safe" or mode == "unsafe")


def fix_flags(mode: str) -> list[str]:
    return ["--fix", "--unsafe-fixes"] if mode == "unsafe" else ["--fix"]


def compiles(data: bytes) -> None:
    cst.parse_module(data)
    compile(data, "<fixed>", "exec", dont_inherit=True)


# -- every bad fixture ---------------------------------------------------------------------------


def test_expectations_name_real_fixtures():
    assert set(SAFE) | set(UNSAFE_ONLY) <= set(BAD)
    assert "blog/verbatim.py" in BAD and "blog/fixed_threads.py" not in BAD


@pytest.mark.parametrize("mode", ["safe", "unsafe"])
@pytest.mark.parametrize("rel", BAD)
def test_fix_gives_the_expected_file_and_removes_the_fixable_findings(tmp_path, capsys, rel, mode):
    path = copy_fixture(tmp_path, rel)
    before = findings(capsys, path)
    code, out, err = numbalint(capsys, *fix_flags(mode), path)
    assert err == ""
    fixed = path.read_bytes()
    assert fixed.decode() == expected_text(rel, mode)
    compiles(fixed)
    # Each finding with an applicable fix is gone; the others stay (as many of each rule).
    after = findings(capsys, path)
    assert not [f for f in after if fixable(f, mode)]
    assert Counter(f["code"] for f in after) == Counter(f["code"] for f in before if not fixable(f, mode))
    assert code == (1 if after else 0)


# Fixtures that a fix changes, in each mode: fixing those a second time must change nothing.
CHANGED = [(rel, "safe") for rel in SAFE] + [(rel, "unsafe") for rel in sorted(set(SAFE) | set(UNSAFE_ONLY))]


@pytest.mark.parametrize(("rel", "mode"), CHANGED)
def test_fixing_twice_changes_nothing(tmp_path, capsys, rel, mode):
    path = copy_fixture(tmp_path, rel)
    numbalint(capsys, *fix_flags(mode), path)
    once, mtime = path.read_bytes(), path.stat().st_mtime_ns
    siblings = sorted(tmp_path.iterdir())
    code, out, _ = numbalint(capsys, *fix_flags(mode), "--show-fixes", path)
    assert "fixed:" not in out and "Fixed" not in out
    assert path.read_bytes() == once and path.stat().st_mtime_ns == mtime
    assert sorted(tmp_path.iterdir()) == siblings
    code, out, _ = numbalint(capsys, "--diff", *(["--unsafe-fixes"] if mode == "unsafe" else []), path)
    assert (code, out) == (0, "")


def test_blog_verbatim_fixed_file(tmp_path, capsys):
    """The blog's example, verbatim, after --fix: the bounds bound now; no nogil on its parallel kernel."""
    path = copy_fixture(tmp_path, "blog/verbatim.py")
    numbalint(capsys, "--fix", path)
    assert path.read_text() == (EXPECTED / "blog_verbatim_safe.py.expected").read_text()
    numbalint(capsys, "--fix", "--unsafe-fixes", path)
    assert path.read_text() == (EXPECTED / "blog_verbatim_unsafe.py.expected").read_text()


# The repo's fixtures as they were when this module was imported (checked by the last test).
FIXTURE_BYTES = {p: p.read_bytes() for p in FIXTURES.rglob("*.py")}


# -- --diff --------------------------------------------------------------------------------------


def test_diff_shows_the_change_and_writes_nothing(tmp_path, capsys):
    path = copy_fixture(tmp_path, "NBL002/bad_lambda_in_loop.py")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    original = path.read_bytes()
    code, out, err = numbalint(capsys, "--diff", path)
    assert code == 1 and err == ""
    assert out.startswith(f"--- {path}\n+++ {path}\n@@ ")
    removed = [line for line in out.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line for line in out.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert removed == ["-        threads.append(threading.Thread(target=lambda: square_into(x[lo:hi], out[lo:hi])))"
                       "  # expect: NBL002"]
    assert added == ["+        threads.append(threading.Thread(target=lambda lo=lo, hi=hi: square_into(x[lo:hi], "
                     "out[lo:hi])))  # expect: NBL002"]
    assert path.read_bytes() == original
    assert path.stat().st_mtime_ns == 1_000_000_000
    assert sorted(tmp_path.iterdir()) == [path]


def test_diff_exit_status_follows_what_would_be_fixed(tmp_path, capsys):
    good = copy_fixture(tmp_path, "NBL002/good_default_args.py")
    assert numbalint(capsys, "--diff", good)[:2] == (0, "")
    # Only an unsafe fix: nothing to do without --unsafe-fixes.
    unsafe = copy_fixture(tmp_path, "NBL005/bad_floor_chunks_threads.py")
    assert numbalint(capsys, "--diff", unsafe)[:2] == (0, "")
    code, out, _ = numbalint(capsys, "--diff", "--unsafe-fixes", unsafe)
    assert code == 1
    assert "+        end = n if i == n_threads - 1 else (i + 1) * chunk_size  # expect: NBL005\n" in out
    assert unsafe.read_text() == (FIXTURES / "NBL005/bad_floor_chunks_threads.py").read_text()
    # Findings without any fix: exit 0 for --diff, though a plain lint exits 1.
    unfixable = copy_fixture(tmp_path, "NBL003/bad_thread_parallel_kernel.py")
    assert numbalint(capsys, "--diff", "--unsafe-fixes", unfixable)[:2] == (0, "")
    assert numbalint(capsys, unfixable)[0] == 1


def test_diff_of_many_files_writes_none(tmp_path, capsys):
    paths = [copy_fixture(tmp_path, rel) for rel in BAD]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}
    code, out, _ = numbalint(capsys, "--diff", "--unsafe-fixes", tmp_path)
    assert code == 1
    changed = {Path(line[4:]) for line in out.splitlines() if line.startswith("+++ ")}
    assert changed == {tmp_path / rel.replace("/", "__") for rel in set(SAFE) | set(UNSAFE_ONLY)}
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths} == before


# -- bytes outside the fixes ---------------------------------------------------------------------

PROGRAM = """\
import threading

from numba import njit


@njit
def fill(out, value):  # ÉCRIT: é
    out[:] = value


def main(out, parts):
    label = "données é"
    threads = []
    for lo, hi in parts:
        threads.append(threading.Thread(target=lambda: fill(out[lo:hi], 1.0)))
    return threads, label
"""


def test_crlf_and_bom_survive_byte_for_byte(tmp_path, capsys):
    path = tmp_path / "crlf_bom.py"
    original = b"\xef\xbb\xbf" + PROGRAM.replace("\n", "\r\n").encode("utf-8")
    path.write_bytes(original)
    numbalint(capsys, "--fix", path)
    expected = original.replace(b"@njit\r\n", b"@njit(nogil=True)\r\n").replace(
        b"target=lambda: fill", b"target=lambda lo=lo, hi=hi: fill")
    assert path.read_bytes() == expected
    assert findings(capsys, path) == []


def test_latin1_with_cookie_survives_byte_for_byte(tmp_path, capsys):
    path = tmp_path / "latin1.py"
    original = ("# -*- coding: latin-1 -*-\n" + PROGRAM).encode("latin-1")
    assert b"\xe9" in original and b"\xc3" not in original
    path.write_bytes(original)
    code, out, _ = numbalint(capsys, "--diff", path)
    assert code == 1 and "+@njit(nogil=True)\n" in out and path.read_bytes() == original
    numbalint(capsys, "--fix", path)
    expected = original.replace(b"@njit\n", b"@njit(nogil=True)\n").replace(
        b"target=lambda: fill", b"target=lambda lo=lo, hi=hi: fill")
    assert path.read_bytes() == expected
    assert findings(capsys, path) == []


# -- writing ------------------------------------------------------------------------------------


def _fixable_copy(tmp_path: Path) -> tuple[Path, bytes]:
    path = copy_fixture(tmp_path, "NBL004/bad_bare_njit_thread.py")
    return path, path.read_bytes()


def test_a_failed_rename_leaves_the_original_and_no_temporary(tmp_path, monkeypatch):
    path, original = _fixable_copy(tmp_path)

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_module.os, "replace", refuse)
    result = check_file(Task(str(path), ALL_CODES, fix="safe"))
    assert result.error is not None and "cannot write" in result.error.message
    assert path.read_bytes() == original
    assert sorted(tmp_path.iterdir()) == [path]


def test_a_failed_write_is_reported_as_a_write_error(tmp_path, monkeypatch):
    path, original = _fixable_copy(tmp_path)

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_module.os, "replace", refuse)
    result = check_file(Task(str(path), ALL_CODES, fix="safe"))
    assert result.error is not None
    assert result.error.message == "cannot write: no space left on device"


def test_an_interrupted_write_leaves_the_original_and_no_temporary(tmp_path, monkeypatch):
    path, original = _fixable_copy(tmp_path)
    real_fsync = os.fsync

    def interrupted(descriptor):
        # Half the new file is on disk when the interruption comes.
        assert os.fstat(descriptor).st_size > 0
        raise KeyboardInterrupt

    monkeypatch.setattr(files_module.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        check_file(Task(str(path), ALL_CODES, fix="safe"))
    monkeypatch.setattr(files_module.os, "fsync", real_fsync)
    assert path.read_bytes() == original
    assert sorted(tmp_path.iterdir()) == [path]


def test_a_fix_keeps_the_file_mode(tmp_path, capsys):
    path, original = _fixable_copy(tmp_path)
    path.chmod(0o751)
    numbalint(capsys, "--fix", path)
    assert path.read_bytes() != original
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert sorted(tmp_path.iterdir()) == [path]


def test_a_fix_through_a_symlink_replaces_the_file_it_points_to(tmp_path, capsys):
    path, original = _fixable_copy(tmp_path)
    link = tmp_path / "link.py"
    link.symlink_to(path.name)
    numbalint(capsys, "--fix", link)
    assert link.is_symlink()
    assert b"@njit(nogil=True)\n" in path.read_bytes()


# -- reports ------------------------------------------------------------------------------------


def test_show_fixes_lists_what_was_applied_and_the_summary_counts(tmp_path, capsys):
    path = copy_fixture(tmp_path, "blog/verbatim.py")
    code, out, _ = numbalint(capsys, "--fix", "--show-fixes", path)
    assert code == 1
    listed = [line for line in out.splitlines() if ": fixed: " in line]
    assert sorted(listed) == sorted([
        f"{path}: fixed: Bind start=start, end=end as default arguments",
    ])
    assert out.rstrip().endswith("Applied 1 edit. Found 5 problems in 1 file (1 fixable with --unsafe-fixes). "
                                 "Checked 1 file.")
    code, out, _ = numbalint(capsys, "--fix", "--unsafe-fixes", "--show-fixes", path)
    assert f"{path}: fixed: End the last part at the total" in out
    assert out.rstrip().endswith("Applied 1 edit. Found 4 problems in 1 file. Checked 1 file.")


def test_show_fixes_lists_an_edit_once_however_many_findings_asked_for_it(tmp_path, capsys):
    # Two timers launch one kernel: both findings ask for nogil=True on its one decorator.
    path = copy_fixture(tmp_path, "NBL004/bad_timer_partial.py")
    code, out, _ = numbalint(capsys, "--fix", "--show-fixes", path)
    assert code == 0
    assert [line for line in out.splitlines() if ": fixed: " in line] == [
        f"{path}: fixed: Add nogil=True to `fill_ramp`'s decorator"]
    assert out.rstrip().endswith("Applied 1 edit. All checks passed. Checked 1 file.")


def test_show_fixes_goes_to_stderr_when_stdout_is_json(tmp_path, capsys):
    path = copy_fixture(tmp_path, "NBL004/bad_timer_partial.py")
    code, out, err = numbalint(capsys, "--fix", "--show-fixes", "--output-format", "json", path)
    assert json.loads(out)["summary"]["edits_applied"] == 1
    assert err == f"{path}: fixed: Add nogil=True to `fill_ramp`'s decorator\n"


def test_two_edits_with_the_same_message_are_both_listed(tmp_path, capsys):
    path = copy_fixture(tmp_path, "NBL008/bad_timer_apply_async_paren.py")
    code, out, _ = numbalint(capsys, "--fix", "--unsafe-fixes", "--show-fixes", path)
    listed = [line for line in out.splitlines() if ": fixed: " in line]
    assert listed == [f"{path}: fixed: Add the comma that makes a one-element tuple"] * 2
    assert "Applied 2 edits." in out


def test_without_show_fixes_only_the_count_is_said(tmp_path, capsys):
    path = copy_fixture(tmp_path, "NBL007/bad_submit_timer_called.py")
    code, out, _ = numbalint(capsys, "--fix", path)
    assert (code, out) == (0, "Applied 2 edits. All checks passed. Checked 1 file.\n")


def test_text_output_marks_fixable_findings(tmp_path, capsys):
    path = copy_fixture(tmp_path, "blog/verbatim.py")
    code, out, _ = numbalint(capsys, path)
    marked = {m.group(1) for m in re.finditer(r"(NBL\d{3}) \[[a-z-]+\] \[\*\]", out)}
    unmarked = {m.group(1) for m in re.finditer(r"(NBL\d{3}) \[[a-z-]+\] (?!\[\*\])", out)}
    assert marked == {"NBL002"}
    assert unmarked == {"NBL001", "NBL003", "NBL004", "NBL005", "NBL006"}
    assert out.rstrip().endswith("(1 fixable with --fix, 1 more fixable with --unsafe-fixes). Checked 1 file.")
    # With --unsafe-fixes the unsafe one is marked too.
    code, out, _ = numbalint(capsys, "--unsafe-fixes", path)
    assert re.search(r"NBL005 \[dropped-remainder\] \[\*\]", out)


def test_json_output_describes_each_fix(tmp_path, capsys):
    path = copy_fixture(tmp_path, "NBL002/bad_lambda_in_loop.py")
    (finding,) = findings(capsys, path)
    assert finding["fix"]["applicability"] == "safe"
    assert finding["fix"]["message"] == "Bind lo=lo, hi=hi as default arguments"
    (edit,) = finding["fix"]["edits"]
    # The whole lambda: `lambda:` has no space to put the parameters after, so an edit of the
    # (empty) parameters alone, applied as text, would give `lambdalo=lo, hi=hi:`.
    assert edit["content"] == "lambda lo=lo, hi=hi: square_into(x[lo:hi], out[lo:hi])"


# -- noqa ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("comment", ["# noqa: NBL002", "# noqa: late-binding-closure", "# noqa: NBL001,NBL002"])
def test_suppressed_findings_are_not_fixed(tmp_path, capsys, comment):
    path = tmp_path / "noqa.py"
    path.write_text(PROGRAM.replace("1.0)))\n", f"1.0)))  {comment}\n"))
    code, out, _ = numbalint(capsys, "--fix", "--show-fixes", path)
    text = path.read_text()
    assert "target=lambda: fill(out[lo:hi], 1.0)))" in text  # left alone
    assert "@njit(nogil=True)\n" in text  # the other finding is still fixed
    assert [line for line in out.splitlines() if "fixed:" in line] == [
        f"{path}: fixed: Add nogil=True to `fill`'s decorator"]
    assert code == 0


def test_a_bare_noqa_on_the_launch_line_leaves_the_file_alone(tmp_path, capsys):
    """NBL004 is reported on the launch too, so a bare noqa there suppresses both findings."""
    path = tmp_path / "noqa.py"
    path.write_text(PROGRAM.replace("1.0)))\n", "1.0)))  # noqa\n"))
    original, mtime = path.read_bytes(), path.stat().st_mtime_ns
    assert numbalint(capsys, "--diff", path)[:2] == (0, "")
    code, out, _ = numbalint(capsys, "--fix", "--unsafe-fixes", "--show-fixes", path)
    assert code == 0 and "fixed:" not in out
    assert path.read_bytes() == original and path.stat().st_mtime_ns == mtime


# -- layouts and edge cases of the fixes --------------------------------------------------------

KERNEL = "import threading\nfrom concurrent.futures import ThreadPoolExecutor\n\nfrom numba import njit\n\n\n"


def fix_source(tmp_path: Path, capsys, source: str, *flags: str) -> str:
    path = tmp_path / "case.py"
    path.write_text(source)
    numbalint(capsys, "--fix", *flags, path)
    fixed = path.read_text()
    compiles(fixed.encode())
    return fixed


def test_multi_line_calls_stay_tidy(tmp_path, capsys):
    source = KERNEL + """\
@njit(
    cache=True,
    fastmath=True,
)
def k(x, out):
    out[:] = x


@njit(cache=True,
      fastmath=True)
def k2(x, out):
    out[:] = x


def main(x, out):
    t = threading.Thread(
        name="a",  # a comment
        target=k(x, out),
    )
    u = threading.Thread(target=k2(x, out),
                         daemon=True)
    v = threading.Thread(None, k2(x, out))
    with ThreadPoolExecutor() as ex:
        f = ex.submit(
            k2(x, out),
        )
    return t, u, v, f
"""
    fixed = fix_source(tmp_path, capsys, source)
    assert fixed == KERNEL + """\
@njit(
    cache=True,
    fastmath=True,
    nogil=True,
)
def k(x, out):
    out[:] = x


@njit(cache=True,
      fastmath=True,
      nogil=True)
def k2(x, out):
    out[:] = x


def main(x, out):
    t = threading.Thread(
        name="a",  # a comment
        target=k,
        args=(x, out),
    )
    u = threading.Thread(target=k2, args=(x, out),
                         daemon=True)
    v = threading.Thread(None, k2, args=(x, out))
    with ThreadPoolExecutor() as ex:
        f = ex.submit(
            k2, x, out,
        )
    return t, u, v, f
"""


def test_target_called_without_arguments_and_with_one(tmp_path, capsys):
    source = KERNEL + """\
@njit(nogil=True)
def tick():
    pass


@njit(nogil=True)
def fill(out):
    out[:] = 1


def main(out):
    a = threading.Thread(target=tick())
    b = threading.Timer(1.0, fill(out))
    with ThreadPoolExecutor() as ex:
        c = ex.submit(tick())
    d = threading.Thread(target=fill(out), kwargs={})
    return a, b, c, d
"""
    fixed = fix_source(tmp_path, capsys, source)
    assert "a = threading.Thread(target=tick)\n" in fixed
    assert "b = threading.Timer(1.0, fill, args=(out,))\n" in fixed
    assert "c = ex.submit(tick)\n" in fixed
    # With kwargs= given, where the arguments belong is not clear: left alone.
    assert "d = threading.Thread(target=fill(out), kwargs={})\n" in fixed


def test_args_tuple_is_safe_for_a_slice_and_unsafe_for_a_name(tmp_path, capsys):
    source = KERNEL + """\
@njit(nogil=True)
def fill(out):
    out[:] = 1


def main(out, chunk):
    a = threading.Thread(target=fill, args=(out[:10]))
    b = threading.Thread(target=fill, args=(chunk))
    c = threading.Thread(target=fill, args=(
        out[10:]
    ))
    return a, b, c
"""
    fixed = fix_source(tmp_path, capsys, source)
    assert "args=(out[:10],))" in fixed and "args=(chunk))" in fixed
    assert "args=(\n        out[10:],\n    ))" in fixed
    fixed = fix_source(tmp_path, capsys, fixed, "--unsafe-fixes")
    assert "args=(chunk,))" in fixed


LOOP = KERNEL + """\
@njit(nogil=True)
def fill(out, value):
    out[:] = value


def main(out, parts):
    threads = []
    for lo, hi in parts:
{body}
    return threads
"""


def loop(body: str) -> str:
    return LOOP.format(body="\n".join("        " + line if line else "" for line in body.splitlines()))


@pytest.mark.parametrize(
    ("body", "safe", "unsafe"),
    [
        # A closure with parameters of its own: unsafe, after them.
        ("threads.append(threading.Thread(target=lambda v: fill(out[lo:hi], v), args=(1,)))",
         None, "lambda v, lo=lo, hi=hi: fill"),
        # *args: the new parameters are keyword-only, so no positional argument lands in them.
        ("def work(*values):\n    fill(out[lo:hi], values[0])\nthreads.append(threading.Thread(target=work, args=(1,)))",
         None, "def work(*values, lo=lo, hi=hi):"),
        # Read in the order the body reads them, not alphabetically.
        ("threads.append(threading.Thread(target=lambda: fill(out[hi - 1:hi], lo)))",
         "lambda hi=hi, lo=lo: fill", None),
        # A name assigned after the closure is created (`t` is the thread itself): unsafe.
        ("t = threading.Thread(target=lambda: fill(out[lo:hi], t.name))\nthreads.append(t)",
         None, "lambda lo=lo, hi=hi, t=t: fill"),
        # Bound earlier in the iteration, inside an `if`, or by a nested loop.
        ("mid = (lo + hi) // 2\nif mid > lo:\n    end = hi\n    for v in (1, 2):\n"
         "        threads.append(threading.Thread(target=lambda: fill(out[mid:end], v)))",
         "lambda mid=mid, end=end, v=v: fill", None),
    ],
)
def test_late_binding_fix_safety(tmp_path, capsys, body, safe, unsafe):
    source = loop(body)
    fixed = fix_source(tmp_path, capsys, source)
    if safe:
        assert safe in fixed
    else:
        assert fixed == source
    if unsafe:
        assert unsafe in fix_source(tmp_path, capsys, source, "--unsafe-fixes")


@pytest.mark.parametrize(
    "body",
    [
        # nonlocal: `def again(p=p)` with `nonlocal p` would not compile.
        "def again():\n    nonlocal lo\n    fill(out[lo:hi], 1)\nthreads.append(threading.Thread(target=again))",
        # A def that calls itself: `def again(again=again)` binds the previous iteration's def.
        "def again(n=2):\n    if n:\n        again(n - 1)\n    fill(out, n)\nthreads.append(threading.Thread(target=again))",
    ],
)
def test_late_binding_without_a_fix(tmp_path, capsys, body):
    source = loop(body)
    assert fix_source(tmp_path, capsys, source, "--unsafe-fixes") == source


def test_a_round_that_would_not_compile_is_discarded():
    """libcst parses `def f(a, a)`; Python does not. Such a round never reaches the file."""
    data = b"def f(a, b):\n    return a\n"
    module = cst.parse_module(data)

    def lint(tree: cst.Module):
        from numbalint.diagnostics import Diagnostic

        params = tree.body[0].params
        if params.params[1].name.value != "b":
            return []
        duplicate = params.params[1].with_changes(name=cst.Name("a"))
        fix = Fix("rename", "safe", (Replacement(params.params[1], duplicate),))
        return [Diagnostic("NBL000", "test", "error", "m", params, fix)]

    outcome = fix_until_stable(data, lint, accept=lambda fix: True)
    assert outcome.module.bytes == data and outcome.applied == ()
    assert module.bytes == data


# -- runtime proof: the fixed programs compute the right thing ----------------------------------


def run_fixed(tmp_path: Path, capsys, rel: str, mode: str):
    path = copy_fixture(tmp_path, rel)
    numbalint(capsys, *fix_flags(mode), path)
    assert path.read_text() == expected_text(rel, mode)
    spec = importlib.util.spec_from_file_location("fixed_" + path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    caught: list[BaseException] = []
    previous = threading.excepthook
    threading.excepthook = lambda args: caught.append(args.exc_value)
    try:
        result = module.main()
    finally:
        threading.excepthook = previous
    assert caught == []
    return result


@pytest.mark.slow
@pytest.mark.parametrize(
    ("rel", "mode", "expected"),
    [
        ("NBL002/bad_lambda_in_loop.py", "safe", "square"),
        ("NBL002/bad_def_in_loop.py", "safe", lambda np: -np.arange(600, dtype=np.float64)),
        ("NBL002/bad_comprehension.py", "safe", lambda np: np.ones(800)),
        ("NBL002/bad_while_submit.py", "unsafe", lambda np: np.sqrt(np.arange(1000, dtype=np.float64))),
        ("NBL007/bad_thread_target_called.py", "safe", "square"),
        ("NBL007/bad_submit_timer_called.py", "safe", lambda np: 2.0 * np.arange(600, dtype=np.float64)),
        ("NBL008/bad_thread_args_paren.py", "unsafe",
         lambda np: np.concatenate([b / b.max() for b in np.split(np.arange(1000, dtype=np.float64), 4)])),
        ("NBL008/bad_timer_apply_async_paren.py", "unsafe", lambda np: np.maximum(np.linspace(-1.0, 1.0, 400), 0.0)),
        ("NBL005/bad_floor_chunks_threads.py", "unsafe", lambda np: np.arange(1003, dtype=np.float64) ** 2),
        ("NBL005/bad_int_division.py", "unsafe", lambda np: -np.arange(998, dtype=np.float64)),
        ("NBL004/bad_bare_njit_thread.py", "safe", None),
    ],
)
def test_fixed_programs_compute_what_the_reference_computes(tmp_path, capsys, rel, mode, expected):
    np = pytest.importorskip("numpy")
    pytest.importorskip("numba")
    from numbalint import reference

    result = run_fixed(tmp_path, capsys, rel, mode)
    if expected == "square":
        want = reference.square(np.arange(1000, dtype=np.float64))
    elif expected is None:  # nogil changes no result: the fixed program agrees with the original
        original = importlib.util.spec_from_file_location("original_nogil", FIXTURES / rel)
        module = importlib.util.module_from_spec(original)
        original.loader.exec_module(module)
        want = module.main()
    else:
        want = expected(np)
    np.testing.assert_array_equal(result, want)
    assert not np.isnan(result).any()


def test_the_repo_fixtures_were_never_modified():
    assert {p: p.read_bytes() for p in FIXTURE_BYTES} == FIXTURE_BYTES
