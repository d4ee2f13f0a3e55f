"""Kernels imported from other files of the project, however the files are passed.

pre-commit passes only the files that changed: `numbalint pkg/launch.py` must
find `pkg/kern.py` on disk and report what `numbalint .` reports for launch.py,
and `--fix` must edit the kernel where it is defined.
"""

from __future__ import annotations

import os
import textwrap
import json
from pathlib import Path

import pytest

from tests.conftest import invoke

KERNEL = """\
from numba import njit


@njit
def square(a):
    for i in range(a.shape[0]):
        a[i] = a[i] * a[i]
"""

LAUNCH = """\
import threading
{import_line}


def run(parts):
    threads = [threading.Thread(target={target}, args=(p,)) for p in parts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
"""

# How the launcher imports the kernel -> (the import line, the thread target).
IMPORT_FORMS = {
    "absolute": ("from pkg.kern import square", "square"),
    "relative": ("from .kern import square", "square"),
    "module alias": ("import pkg.kern as k", "k.square"),
    "dotted module": ("import pkg.kern", "pkg.kern.square"),
    "from package": ("from pkg import kern", "kern.square"),
    "re-export": ("from pkg import square", "square"),
    "relative re-export": ("from . import square", "square"),
    "star re-export": ("from pkg import square", "square"),
}


def make_project(root: Path, form: str, *, src: bool = False, config: bool = True) -> Path:
    """A project with `pkg/kern.py` (a kernel without nogil) and `pkg/launch.py`."""
    import_line, target = IMPORT_FORMS[form]
    package = (root / "src" / "pkg") if src else (root / "pkg")
    package.mkdir(parents=True)
    init = {"star re-export": "from .kern import *\n"}.get(form, "from .kern import square\n" if "re-export" in form else "")
    (package / "__init__.py").write_text(init)
    (package / "kern.py").write_text(KERNEL)
    (package / "launch.py").write_text(LAUNCH.format(import_line=import_line, target=target))
    if config:
        (root / "pyproject.toml").write_text("[tool.numbalint]\n")
    return package


def run_cli(root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """`numbalint --no-cache ARGS...` run from the project's folder."""
    monkeypatch.chdir(root)
    run = invoke(capsys, "--no-cache", *args)
    return run.code, run.out


def findings_for(output: str, path: str) -> list[str]:
    return sorted(line for line in output.splitlines() if line.startswith(path + ":"))


@pytest.mark.parametrize("src", [False, True], ids=["flat", "src"])
@pytest.mark.parametrize("form", IMPORT_FORMS)
def test_one_file_reports_what_the_whole_project_reports(tmp_path, monkeypatch, capsys, form, src) -> None:
    package = make_project(tmp_path, form, src=src)
    launch = package.relative_to(tmp_path).as_posix() + "/launch.py"
    _, whole = run_cli(tmp_path, monkeypatch, capsys, ".")
    status, alone = run_cli(tmp_path, monkeypatch, capsys, launch)
    expected = findings_for(whole, launch)
    assert [line.split(" ")[1] for line in expected] == ["NBL004"]
    assert findings_for(alone, launch) == expected
    assert status == 1
    kern = package.relative_to(tmp_path).as_posix() + "/kern.py"
    assert f"(defined in {kern})" in expected[0]
    assert "kern.py:" not in alone  # the file read for the index is not reported on


@pytest.mark.parametrize("given", [".", "pkg/launch.py"])
@pytest.mark.parametrize("form", ["absolute", "re-export"])
def test_fix_adds_nogil_in_the_defining_file_only(tmp_path, monkeypatch, capsys, given, form) -> None:
    package = make_project(tmp_path, form)
    launch_before = (package / "launch.py").read_text()
    status, out = run_cli(tmp_path, monkeypatch, capsys, "--fix", given)
    assert (package / "kern.py").read_text() == KERNEL.replace("@njit\n", "@njit(nogil=True)\n")
    assert (package / "launch.py").read_text() == launch_before
    assert status == 0, out
    assert "NBL004" not in out


def test_a_kernel_launched_from_several_files_gets_one_edit(tmp_path, monkeypatch, capsys) -> None:
    package = make_project(tmp_path, "absolute")
    (package / "other.py").write_text(LAUNCH.format(import_line="from .kern import square", target="square"))
    _, out = run_cli(tmp_path, monkeypatch, capsys, "--diff", ".")
    assert out.count("+@njit(nogil=True)") == 1
    assert out.count("--- pkg/kern.py") == 1
    run_cli(tmp_path, monkeypatch, capsys, "--fix", ".")
    assert (package / "kern.py").read_text().count("nogil=True") == 1


def test_diff_shows_the_defining_file_and_the_launcher(tmp_path, monkeypatch, capsys) -> None:
    package = make_project(tmp_path, "absolute")
    # A second, local fix in the launcher: args=(p[:]) is not a tuple.
    launch = package / "launch.py"
    launch.write_text(launch.read_text().replace("args=(p,)", "args=(p[:])"))
    before = {path: path.read_text() for path in package.iterdir()}
    status, out = run_cli(tmp_path, monkeypatch, capsys, "--diff", "pkg/launch.py")
    assert status == 1
    assert "+@njit(nogil=True)" in out and "+    threads = [threading.Thread(target=square, args=(p[:],))" in out
    assert "--- pkg/kern.py" in out and "--- pkg/launch.py" in out
    assert {path: path.read_text() for path in package.iterdir()} == before


def test_without_a_config_the_package_chain_is_the_project(tmp_path, monkeypatch, capsys) -> None:
    make_project(tmp_path / "proj", "absolute", config=False)
    _, out = run_cli(tmp_path, monkeypatch, capsys, "proj/pkg/launch.py")
    assert "NBL004" in out and "(defined in pkg/kern.py)" in out


def test_a_kernel_with_nogil_elsewhere_is_clean(tmp_path, monkeypatch, capsys) -> None:
    package = make_project(tmp_path, "absolute")
    (package / "kern.py").write_text(KERNEL.replace("@njit\n", "@njit(nogil=True)\n"))
    status, out = run_cli(tmp_path, monkeypatch, capsys, "pkg/launch.py")
    assert status == 0, out


def test_an_import_outside_the_project_is_not_followed(tmp_path, monkeypatch, capsys) -> None:
    project = tmp_path / "proj"
    make_project(project, "absolute")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "launch.py").write_text(textwrap.dedent(LAUNCH.format(import_line="from kern import square",
                                                                      target="square")))
    status, out = run_cli(project, monkeypatch, capsys, str(elsewhere / "launch.py"))
    assert status == 0, out


def test_the_cache_sees_a_change_in_the_file_read_for_the_index(tmp_path, monkeypatch, capsys) -> None:
    package = make_project(tmp_path, "absolute")
    monkeypatch.chdir(tmp_path)
    first = invoke(capsys, "pkg/launch.py")
    assert invoke(capsys, "pkg/launch.py").out == first.out and "NBL004" in first.out
    kern = package / "kern.py"
    kern.write_text(KERNEL.replace("@njit\n", "@njit(nogil=True)\n"))
    os.utime(kern, ns=(kern.stat().st_mtime_ns + 10**9,) * 2)  # a new mtime, however coarse the clock
    assert invoke(capsys, "pkg/launch.py").code == 0


def test_other_packages_beside_the_package_are_the_projects_only_with_a_config(tmp_path, monkeypatch, capsys) -> None:
    """Without a config, the folder above a package may be site-packages: a package beside
    it (numpy beside numba) is not read. With one, the project root says what is ours."""
    make_project(tmp_path, "absolute", src=True, config=False)
    other = tmp_path / "src" / "other"
    other.mkdir()
    (other / "__init__.py").write_text("")
    (other / "launch.py").write_text(LAUNCH.format(import_line="from pkg.kern import square", target="square"))
    status, out = run_cli(tmp_path, monkeypatch, capsys, "src/other/launch.py")
    assert status == 0, out
    (tmp_path / "pyproject.toml").write_text("[tool.numbalint]\n")
    status, out = run_cli(tmp_path, monkeypatch, capsys, "src/other/launch.py")
    assert "NBL004" in out and "(defined in src/pkg/kern.py)" in out


@pytest.mark.parametrize("form", ["re-export", "star re-export"])
def test_a_warm_cache_keeps_what_packages_re_export(tmp_path, monkeypatch, capsys, form) -> None:
    make_project(tmp_path, form)
    monkeypatch.chdir(tmp_path)
    cold = invoke(capsys, "pkg/launch.py")
    assert "NBL004" in cold.out
    assert invoke(capsys, "pkg/launch.py").out == cold.out


def test_json_says_where_the_fix_for_an_imported_kernel_goes(tmp_path, monkeypatch, capsys) -> None:
    make_project(tmp_path, "absolute")
    status, out = run_cli(tmp_path, monkeypatch, capsys, "--output-format", "json", "pkg/launch.py")
    [nogil] = [f for f in json.loads(out)["findings"] if f["code"] == "NBL004"]
    assert nogil["fix"]["edits"] == []
    assert nogil["fix"]["elsewhere"] == [{"path": "pkg/kern.py", "kernel": "square", "option": "nogil"}]
