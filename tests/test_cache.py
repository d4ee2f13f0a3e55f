"""The results cache holds data only: hostile or broken entries run nothing, are
ignored and rewritten; concurrent runs never corrupt it; an unwritable folder is
no error; a file given up as too slow is remembered."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from numbalint import runner
from numbalint.cache import Cache, cache_folder
from numbalint.cache_format import CacheFormatError, decode_result, encode_result
from numbalint.diagnostics import Edit, FileError, Finding, FixSummary, OptionElsewhere, Span
from numbalint.model import UNKNOWN, Kernel
from numbalint.model.facts import Param, Signature
from numbalint.pipeline import Task
from numbalint.results import FileResult
from numbalint.rules import OFF_BY_DEFAULT
from tests.conftest import ALL_CODES, invoke
from tests.test_cli import BUGGY  # NBL001 and NBL004

KERNEL = Kernel(
    "square", "guvectorize",
    Signature((Param("x", "positional", False), Param("rest", "var_positional", False),
               Param("out", "keyword_only", True))),
    {"nogil": True, "target": "parallel", "cache": None, "boundscheck": 0, "fastmath": UNKNOWN},
    True, layout=(2, 1), origin="kernels.py", defined_in="src/kernels.py",
)
RESULT = FileResult(
    "pkg/k.py",
    findings=(
        Finding("pkg/k.py", Span(11, 9, 11, 53), "NBL004", "missing-nogil", "warning", "no nogil",
                FixSummary("add nogil=True", "safe", (Edit(Span(5, 1, 5, 6), "@njit(nogil=True)"),),
                           (OptionElsewhere("src/kernels.py", "square", "nogil"),))),
        Finding("pkg/k.py", Span(11, 9, 11, 53), "NBL001", "kernel-arity", "error", "two for one", cell=3),
    ),
    error=FileError("pkg/k.py", "cannot parse: '(' was never closed", 2, 5, cell=1),
    exports={"square": KERNEL},
    imports=("numba.njit", "threading.Thread"),
    imported_as={"njit": "numba.njit"},
    star_imports=(".kernels",),
    fixed=("added nogil=True",),
    diff="--- a\n+++ b\n",
    skipped=True,
    timed_out_after=2.5,
)


def roundtrip(result: FileResult, path: str) -> FileResult:
    return decode_result(json.loads(json.dumps(encode_result(result))), path)


# -- the format -----------------------------------------------------------------------------


def test_a_result_survives_json_with_every_field():
    assert roundtrip(RESULT, "pkg/k.py") == RESULT


def test_a_cached_result_takes_the_path_as_this_run_spells_it():
    again = roundtrip(RESULT, "../pkg/k.py")
    assert {f.path for f in again.findings} == {"../pkg/k.py"}
    assert again.error == FileError("../pkg/k.py", RESULT.error.message, 2, 5, cell=1)


@pytest.mark.parametrize("cls, encoded, not_stored", [
    (FileResult, encode_result(RESULT), {"path", "digest"}),
    (FileError, encode_result(RESULT)["error"], {"path"}),
    (Finding, encode_result(RESULT)["findings"][0], {"path"}),
    (FixSummary, encode_result(RESULT)["findings"][0]["fix"], set()),
    (Kernel, encode_result(RESULT)["exports"]["square"], {"pranges", "decorator", "function"}),  # tree nodes
])
def test_the_format_knows_every_field(cls, encoded, not_stored):
    """A field added to a cached class must be added to the format too (else
    it would silently vanish on a cache hit)."""
    assert set(encoded) == {f.name for f in dataclasses.fields(cls)} - not_stored


def test_spans_and_edits_are_the_lists_the_format_writes():
    assert [f.name for f in dataclasses.fields(Span)] == ["line", "column", "end_line", "end_column"]
    assert [f.name for f in dataclasses.fields(Edit)] == ["span", "content"]


def mutations() -> list[tuple[str, object]]:
    good = encode_result(RESULT)

    def changed(edit) -> object:
        data = json.loads(json.dumps(good))
        edit(data)
        return data

    return [
        ("not an object", []),
        ("a missing key", changed(lambda d: d.pop("imports"))),
        ("an extra key", changed(lambda d: d.update(__reduce__="os.system"))),
        ("a line as a string", changed(lambda d: d["findings"][0]["span"].__setitem__(0, "11"))),
        ("a line as true", changed(lambda d: d["findings"][0]["span"].__setitem__(0, True))),
        ("a short span", changed(lambda d: d["findings"][0]["span"].pop())),
        ("an unknown severity", changed(lambda d: d["findings"][0].update(severity="fatal"))),
        ("an unknown applicability", changed(lambda d: d["findings"][0]["fix"].update(applicability="maybe"))),
        ("an edit without content", changed(lambda d: d["findings"][0]["fix"]["edits"][0].pop())),
        ("an error message as a number", changed(lambda d: d["error"].update(message=1))),
        ("an error line as a string", changed(lambda d: d["error"].update(line="2"))),
        ("a cell as a float", changed(lambda d: d["findings"][1].update(cell=3.0))),
        ("skipped as a number", changed(lambda d: d.update(skipped=0))),
        ("an unknown kernel kind", changed(lambda d: d["exports"]["square"].update(kind="cuda"))),
        ("an option as an object", changed(lambda d: d["exports"]["square"]["options"].update(x={"a": 1}))),
        ("an option as a list", changed(lambda d: d["exports"]["square"]["options"].update(x=[1]))),
        ("a parameter kind", changed(lambda d: d["exports"]["square"]["signature"][0].__setitem__(1, "star"))),
        ("a layout of three", changed(lambda d: d["exports"]["square"].update(layout=[1, 2, 3]))),
        ("an import as null", changed(lambda d: d["imports"].append(None))),
        ("a budget as a string", changed(lambda d: d.update(timed_out_after="2"))),
    ]


@pytest.mark.parametrize("label, data", mutations(), ids=[label for label, _ in mutations()])
def test_anything_but_what_we_write_is_refused(label, data):
    with pytest.raises(CacheFormatError):
        decode_result(data, "pkg/k.py")


# -- hostile and broken caches, end to end ---------------------------------------------------


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.numbalint]\n")
    (tmp_path / "k.py").write_text(BUGGY)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("NUMBALINT_CACHE_DIR", raising=False)
    return tmp_path


def codes(capsys, *args: str) -> set[str]:
    """The rule codes `numbalint ARGS` reports."""
    out = invoke(capsys, *args).out
    return {word for line in out.splitlines() for word in line.split() if word.startswith("NBL")}


def entry_files(folder: Path) -> list[Path]:
    return sorted((folder / "entries").glob("*.json"))


def assert_valid_entries(folder: Path, path: Path, *, named: bool = True) -> None:
    """Every stored entry decodes, and one serves `path` under the default settings
    (the default output format does not print fix edits)."""
    for file in entry_files(folder):
        for entry in json.loads(file.read_text())["entries"]:
            decode_result(entry["result"], str(path))
    default_selection = ALL_CODES - OFF_BY_DEFAULT
    task = Task(str(path), default_selection, named=named, edits=False)
    assert Cache(folder).get(task, timeout=20) is not None


class _Payload:
    """Unpickling this creates the marker file: what a hostile cache would run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_an_old_pickle_cache_with_a_payload_runs_nothing_and_is_removed(project, capsys):
    marker = project / "PWNED"
    folder = project / ".numbalint_cache"
    folder.mkdir()
    hostile = folder / "results-0.1.0.pickle"
    hostile.write_bytes(pickle.dumps({"k": _Payload(marker)}))
    pickle.loads(hostile.read_bytes())  # the control: loading it does create the marker
    assert marker.exists()
    marker.unlink()

    assert codes(capsys, "k.py") == {"NBL001", "NBL004"}
    assert codes(capsys, "k.py") == {"NBL001", "NBL004"}  # from the new cache
    assert not marker.exists()
    assert not hostile.exists()
    assert_valid_entries(folder, project / "k.py")


def corrupt(text: str) -> list[tuple[str, str]]:
    """(label, new text) for a good entry file's text."""
    document = json.loads(text)
    result = document["entries"][0]["result"]

    def with_result(edit) -> str:
        changed = json.loads(json.dumps(document))
        edit(changed["entries"][0]["result"])
        return json.dumps(changed)

    return [
        ("garbage", "\x00\xff not json"),
        ("truncated", text[: len(text) // 2]),
        ("deeply nested", "[" * 100_000 + "]" * 100_000),
        ("NaN budget", with_result(lambda r: r.update(timed_out_after=float("nan")))),
        ("findings dropped", with_result(lambda r: r.update(findings={}))),
        ("span of strings", with_result(lambda r: r["findings"][0].update(span=["1", "1", "1", "1"]))),
        ("extra key", with_result(lambda r: r.update(extra=1))),
        ("another file's entry", text.replace(json.dumps(document["path"]), json.dumps("/elsewhere.py"))),
        ("an object for entries", json.dumps({**document, "entries": {"key": result}})),
    ]


_SAMPLE_ENTRY_FILE = json.dumps(
    {"format": 1, "path": "/p.py", "entries": [{"key": "k", "digest": "d", "result": encode_result(RESULT)}]})


@pytest.mark.parametrize("label", [label for label, _ in corrupt(_SAMPLE_ENTRY_FILE)])
def test_a_broken_or_hostile_entry_is_ignored_and_rewritten(project, capsys, label):
    folder = project / ".numbalint_cache"
    assert codes(capsys, "k.py") == {"NBL001", "NBL004"}
    [file] = entry_files(folder)
    bad = dict(corrupt(file.read_text()))[label]
    file.write_text(bad)
    assert codes(capsys, "k.py") == {"NBL001", "NBL004"}
    assert file.read_text() != bad
    assert_valid_entries(folder, project / "k.py")


def test_a_cached_finding_edited_to_another_valid_one_is_what_comes_back(project, capsys):
    """The control for the test above: the second run really reads the entry."""
    assert codes(capsys, "k.py") == {"NBL001", "NBL004"}
    [file] = entry_files(project / ".numbalint_cache")
    file.write_text(file.read_text().replace('"NBL001"', '"NBL999"'))
    assert codes(capsys, "k.py") == {"NBL999", "NBL004"}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_in_place_of_an_entry_does_not_hang_the_run(project, capsys):
    folder = project / ".numbalint_cache"
    invoke(capsys, "k.py")
    [file] = entry_files(folder)
    file.unlink()
    os.mkfifo(file)
    assert codes(capsys, "k.py") == {"NBL001", "NBL004"}


# -- where the cache lives -------------------------------------------------------------------


def test_cache_dir_option_and_variable(project, capsys, monkeypatch):
    assert codes(capsys, "--cache-dir", "from_option", "k.py") == {"NBL001", "NBL004"}
    assert entry_files(project / "from_option")
    monkeypatch.setenv("NUMBALINT_CACHE_DIR", str(project / "from_variable"))
    assert codes(capsys, "k.py") == {"NBL001", "NBL004"}
    assert entry_files(project / "from_variable")
    assert not (project / ".numbalint_cache").exists()
    assert cache_folder(project, "given") == Path("given")  # the option beats the variable


def test_a_cache_folder_that_cannot_be_created_is_no_error(project, capsys):
    (project / "a_file").write_text("")
    run = invoke(capsys, "--cache-dir", "a_file/cache", "k.py")
    assert (run.code, run.err) == (1, "")
    assert "NBL001" in run.out


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX modes and a non-root user")
def test_a_read_only_cache_folder_is_read_and_no_error(project, capsys):
    folder = project / ".numbalint_cache"
    invoke(capsys, "k.py")
    for path in [folder, folder / "entries"]:
        path.chmod(0o555)
    try:
        (project / "k.py").write_text(BUGGY.replace("@njit\n", "@njit(nogil=True)\n"))
        run = invoke(capsys, "k.py")
        assert (run.code, run.err) == (1, "")
        assert "NBL004" not in run.out
    finally:
        for path in [folder, folder / "entries"]:
            path.chmod(0o755)


# -- the time budget -------------------------------------------------------------------------


@pytest.mark.slow
def test_a_file_given_up_as_slow_is_not_tried_again_until_the_budget_grows(project, capsys, monkeypatch):
    (project / "slow.py").write_text("import numba\nx = a" + ".b" * 8000 + "\n")  # libcst needs ~30 s
    checked: list[str] = []
    real = runner.pool.run_isolated

    def recording(work, tasks, jobs, **kwargs):
        checked.extend(Path(task.path).name for task in tasks)
        return real(work, tasks, jobs, **kwargs)

    monkeypatch.setattr(runner.pool, "run_isolated", recording)
    first = invoke(capsys, "--timeout", "0.5", "slow.py", "k.py")
    assert first.code == 2
    assert checked == ["k.py", "slow.py"]
    assert first.err.count("slow.py") == 1 and "took over 0.5 s" in first.err

    checked.clear()
    assert invoke(capsys, "--timeout", "0.5", "slow.py", "k.py") == first
    assert checked == []  # both from the cache: the budget was not paid again

    bigger = invoke(capsys, "--timeout", "0.7", "slow.py", "k.py")
    assert checked == ["slow.py"]  # a bigger budget deserves a new try
    assert bigger.code == 2 and "took over 0.7 s" in bigger.err


# -- runs at the same time -------------------------------------------------------------------


@pytest.mark.slow
def test_two_runs_at_once_both_right_and_the_cache_loads_after(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.numbalint]\n")
    clean = BUGGY.replace("@njit\n", "@njit(nogil=True)\n").replace("args=(a, b)", "args=(a,)")
    for index in range(40):
        (tmp_path / f"m{index:02d}.py").write_text(BUGGY if index % 2 else clean)
    environment = {**os.environ, "NO_COLOR": "1"}
    command = [sys.executable, "-m", "numbalint", "-j", "2", "."]
    expected = subprocess.run([*command, "--no-cache"], cwd=tmp_path, capture_output=True, text=True,
                              env=environment, timeout=120).stdout
    assert expected.count("NBL001") == 20
    for round_ in range(2):
        if round_ == 1:  # edits between runs: the racing runs must not serve the old contents
            for index in range(0, 40, 2):
                (tmp_path / f"m{index:02d}.py").write_text(BUGGY)
            expected = subprocess.run([*command, "--no-cache"], cwd=tmp_path, capture_output=True, text=True,
                                      env=environment, timeout=120).stdout
            assert expected.count("NBL001") == 40
        racing = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, env=environment) for _ in range(2)]
        for process in racing:
            out, err = process.communicate(timeout=120)
            assert (process.returncode, out, err) == (1, expected, ""), round_
    for index in range(40):
        assert_valid_entries(tmp_path / ".numbalint_cache", tmp_path / f"m{index:02d}.py", named=False)


def test_a_kernel_from_a_worker_keeps_its_unknown_options():
    """Pickling (worker to parent) copies the UNKNOWN marker; the cache still
    knows it, and gives back the marker itself."""
    crossed = pickle.loads(pickle.dumps(RESULT))
    assert roundtrip(crossed, "pkg/k.py").exports["square"].options["fastmath"] is UNKNOWN


def test_a_folder_in_place_of_one_entry_costs_that_entry_only(project, capsys):
    (project / "other.py").write_text(BUGGY)
    folder = project / ".numbalint_cache"
    invoke(capsys, "k.py", "other.py")
    # Entry files are named by the sha256 of the source's absolute path; k.py is saved first.
    blocked = folder / "entries" / (hashlib.sha256(str(project / "k.py").encode()).hexdigest() + ".json")
    [free] = [file for file in entry_files(folder) if file != blocked]
    blocked.unlink()
    blocked.mkdir()
    free.unlink()
    assert codes(capsys, "k.py", "other.py") == {"NBL001", "NBL004"}
    assert blocked.is_dir() and free.is_file()  # the other entry was still written


def test_a_notebook_from_the_cache_reads_as_it_did_fresh(project, capsys):
    from tests.conftest import FIXTURES

    (project / "blog.ipynb").write_bytes((FIXTURES / "notebooks" / "blog.ipynb").read_bytes())
    fresh = invoke(capsys, "--output-format", "json", "blog.ipynb")
    assert '"cell"' in fresh.out
    assert entry_files(project / ".numbalint_cache")
    assert invoke(capsys, "--output-format", "json", "blog.ipynb") == fresh
