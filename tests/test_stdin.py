"""`numbalint -` and `--stdin-filename`: standard input linted as if it were a file.

Run end to end (`python -m numbalint` with real standard input), as an editor
or a pre-commit-like tool would; each answer is compared with the same text
linted, or fixed, as a file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES

BLOG = FIXTURES / "blog" / "verbatim.py"
NOTEBOOK = FIXTURES / "notebooks" / "blog.ipynb"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.numbalint]\n")
    return tmp_path


def numbalint(project: Path, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "numbalint", "--no-cache", *args], input=stdin, cwd=project,
                          capture_output=True, timeout=120, env=env)


def findings(output: bytes) -> list[dict[str, Any]]:
    return json.loads(output)["findings"]


def without_path(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: value for key, value in finding.items() if key != "path"} for finding in found]


def test_stdin_reports_what_the_file_reports_under_the_given_name(project):
    as_file = numbalint(project, "--output-format", "json", str(BLOG))
    as_stdin = numbalint(project, "--output-format", "json", "-", "--stdin-filename", "x.py", stdin=BLOG.read_bytes())
    assert as_stdin.returncode == as_file.returncode == 1
    assert without_path(findings(as_stdin.stdout)) == without_path(findings(as_file.stdout))
    assert {finding["path"] for finding in findings(as_stdin.stdout)} == {"x.py"}


def test_without_a_name_the_path_is_a_dash_and_the_filename_alone_reads_stdin_too(project):
    unnamed = numbalint(project, "-", stdin=BLOG.read_bytes())
    assert unnamed.stdout.startswith(b"-:22:15: NBL005 ")
    named = numbalint(project, "--stdin-filename", "src/x.py", stdin=BLOG.read_bytes())
    assert named.stdout.startswith(b"src/x.py:22:15: NBL005 ")


def test_the_config_and_per_file_ignores_of_the_named_file_apply(project):
    (project / "pyproject.toml").write_text(
        '[tool.numbalint]\nignore = ["NBL005"]\nper-file-ignores = { "gen/*" = ["NBL001"] }\n')
    codes = {name: {f["code"] for f in findings(numbalint(project, "--output-format", "json", "--stdin-filename",
                                                            name, stdin=BLOG.read_bytes()).stdout)}
             for name in ("x.py", "gen/x.py")}
    assert codes == {"x.py": {"NBL001", "NBL002", "NBL003", "NBL004", "NBL006"},
                     "gen/x.py": {"NBL002", "NBL003", "NBL004", "NBL006"}}


@pytest.mark.parametrize("fixture", [BLOG, NOTEBOOK], ids=["py", "ipynb"])
def test_fix_prints_the_fixed_text_on_stdout_and_the_report_on_stderr(project, fixture):
    copy = project / fixture.name
    shutil.copyfile(fixture, copy)
    numbalint(project, "--fix", copy.name)
    fixed = numbalint(project, "--fix", "--stdin-filename", f"in/{fixture.name}", stdin=fixture.read_bytes())
    assert fixed.stdout == copy.read_bytes() != fixture.read_bytes()
    assert fixed.returncode == 1  # findings without a safe fix remain, as with a file
    assert f"in/{fixture.name}:".encode() in fixed.stderr and b"Applied 1 edit." in fixed.stderr


def test_fix_with_nothing_to_fix_prints_the_text_unchanged(project):
    text = b"import numba\n\n\n@numba.njit(nogil=True)\ndef f(x):\n    return x\n"
    fixed = numbalint(project, "--fix", "-", stdin=text)
    assert (fixed.returncode, fixed.stdout) == (0, text)


def test_diff_names_the_stdin_file_and_writes_nothing(project):
    shown = numbalint(project, "--diff", "--stdin-filename", "x.py", stdin=BLOG.read_bytes())
    assert shown.returncode == 1
    assert shown.stdout.startswith(b"--- x.py\n+++ x.py\n")
    assert b"+        thread = threading.Thread(target=lambda start=start, end=end: " in shown.stdout
    assert not (project / "x.py").exists()


def test_a_notebook_on_stdin_is_reported_by_cell(project):
    shown = numbalint(project, "--output-format", "json", "--stdin-filename", "nb.ipynb", stdin=NOTEBOOK.read_bytes())
    assert {finding["cell"] for finding in findings(shown.stdout)} == {3}


def test_stdin_with_other_paths_is_a_usage_error(project):
    for args in (["-", "a.py"], ["--stdin-filename", "x.py", "a.py"]):
        refused = numbalint(project, *args, stdin=BLOG.read_bytes())
        assert refused.returncode == 2
        assert refused.stderr == b"numbalint: error: cannot lint 'a.py' together with standard input " \
                                 b"(`-` or --stdin-filename)\n"


def test_unparsable_stdin_is_one_line_naming_the_stdin_file(project):
    broken = numbalint(project, "--stdin-filename", "x.py", stdin=b"import numba\nx = (\n")
    assert broken.returncode == 2
    assert broken.stderr.startswith(b"x.py:2:5: cannot parse") and broken.stderr.count(b"\n") == 1
