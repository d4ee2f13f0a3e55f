"""The command line as a user meets it: argv in; stdout, stderr and exit status out.

Most cases call `numbalint.cli.main([...])` in-process (fast); a few run
`python -m numbalint` in a subprocess, end to end. Every run happens in a
temporary project with its own pyproject.toml, so configuration and the
results cache land there and nothing outside the test is read or written.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import numbalint
from numbalint.rules import ALL_RULES
from tests.conftest import ALL_CODES, FIXTURES, Run, invoke, sarif_schema

# NBL001 (two arguments for a one-parameter kernel) and NBL004 (no nogil=True),
# both reported on the Thread(...) call in line 11.
BUGGY = """\
import threading
from numba import njit


@njit
def kernel(x):
    x[0] = 1


def launch(a, b):
    t = threading.Thread(target=kernel, args=(a, b))
    t.start()
    t.join()
"""
LAUNCH_LINE = 11
LAUNCH_COLUMN = BUGGY.splitlines()[LAUNCH_LINE - 1].index("threading.Thread") + 1  # 1-based

CLEAN = BUGGY.replace("@njit\n", "@njit(nogil=True)\n").replace("args=(a, b)", "args=(a,)")

# `path:line:col: CODE [name] message`, with Ruff's optional `[*]` (fixable) marker.
TEXT_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<code>NBL\d{3}) \[(?P<name>[a-z-]+)\]"
    r"(?: \[\*\])? (?P<message>\S.*)$"
)
JSON_KEYS = {"code", "name", "message", "path", "line", "column", "end_line", "end_column", "severity", "fix"}
# The rule catalog in DESIGN.md, and issue 9's meta-rule NBL100: codes are fixed once given.
CATALOG = {f"NBL{number:03d}" for number in (*range(1, 19), 100)}


def text_findings(run: Run) -> list[tuple[str, int, int, str, str]]:
    """(path, line, column, code, name) of each text-format finding line."""
    found = []
    for line in run.out.splitlines():
        match = TEXT_LINE.match(line)
        if match:
            found.append((match["path"], int(match["line"]), int(match["column"]), match["code"], match["name"]))
    return found


def text_codes(run: Run) -> set[str]:
    return {code for _, _, _, code, _ in text_findings(run)}


def assert_one_clear_line(run: Run, *needles: str) -> str:
    """stderr is a single line, no traceback, containing every needle."""
    assert "Traceback" not in run.err and "Traceback" not in run.out
    assert len(run.err_lines) == 1, run.err
    line = run.err_lines[0]
    for needle in needles:
        assert needle in line, line
    return line


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """An empty project (its own pyproject.toml), and the current folder."""
    (tmp_path / "pyproject.toml").write_text("[tool.numbalint]\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


@pytest.fixture
def numbalint_cli(project, capsys):
    """Run `numbalint ARGS...` in-process; a normal return is exit status 0."""

    return lambda *args: invoke(capsys, *args)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run_module(*args: str, cwd: Path, timeout: float = 120) -> Run:
    """`python -m numbalint ARGS...` in a real subprocess."""
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "numbalint", *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env,
    )
    return Run(done.returncode, done.stdout, done.stderr)


# -- text output and exit status ------------------------------------------------


def test_text_output_is_path_line_col_code_name_message_then_a_summary(numbalint_cli, project):
    write(project / "k.py", BUGGY)
    run = numbalint_cli("k.py")
    assert run.code == 1
    assert run.err == ""
    assert text_findings(run) == [
        ("k.py", LAUNCH_LINE, LAUNCH_COLUMN, "NBL001", "kernel-arity"),
        ("k.py", LAUNCH_LINE, LAUNCH_COLUMN, "NBL004", "missing-nogil"),
    ]
    lines = run.out.splitlines()
    assert "kernel `kernel` takes 1 argument" in lines[0]
    assert " [*] " in lines[1]  # NBL004 has a safe fix
    assert lines[-1] == "Found 2 problems in 1 file (1 fixable with --fix). Checked 1 file."
    # Nothing but finding lines, a blank line and the summary.
    assert len(lines) == 4 and lines[2] == ""


def test_clean_file_exits_0_with_a_summary(numbalint_cli, project):
    write(project / "k.py", CLEAN)
    run = numbalint_cli("k.py")
    assert (run.code, run.out, run.err) == (0, "All checks passed. Checked 1 file.\n", "")


def test_findings_from_several_files_are_sorted_by_path(numbalint_cli, project):
    write(project / "b.py", BUGGY)
    write(project / "a.py", BUGGY)
    run = numbalint_cli("b.py", "a.py", "--select", "NBL001")
    assert run.code == 1
    assert [path for path, *_ in text_findings(run)] == ["a.py", "b.py"]
    assert run.out.splitlines()[-1] == "Found 2 problems in 2 files. Checked 2 files."


def test_unparsable_file_is_one_line_and_other_files_are_still_checked(numbalint_cli, project):
    write(project / "broken.py", "import numba\ndef f(:\n    pass\n")
    write(project / "k.py", BUGGY)
    run = numbalint_cli("broken.py", "k.py")
    assert run.code == 2
    line = assert_one_clear_line(run, "broken.py", "cannot parse")
    assert line.startswith("broken.py:")
    assert text_codes(run) == {"NBL001", "NBL004"}
    assert {path for path, *_ in text_findings(run)} == {"k.py"}


def test_unparsable_file_alone_still_exits_2(numbalint_cli, project):
    write(project / "broken.py", "import numba\nx = (1,\n")
    run = numbalint_cli("broken.py")
    assert run.code == 2
    assert_one_clear_line(run, "broken.py", "cannot parse")
    assert text_findings(run) == []


def test_summary_does_not_claim_success_for_a_file_that_could_not_be_checked(numbalint_cli, project):
    write(project / "broken.py", "import numba\nx = (1,\n")
    run = numbalint_cli("broken.py")
    assert "All checks passed" not in run.out


# -- machine formats --------------------------------------------------------------


def test_json_is_one_object_of_findings_errors_and_summary_and_nothing_else(numbalint_cli, project):
    write(project / "k.py", BUGGY)
    run = numbalint_cli("--output-format", "json", "k.py")
    assert run.code == 1
    assert run.err == ""
    document = json.loads(run.out)  # the whole of stdout is the object
    assert list(document) == ["findings", "errors", "summary"]
    assert document["errors"] == []
    assert document["summary"]["files_checked"] == 1
    findings = document["findings"]
    assert isinstance(findings, list) and len(findings) == 2
    for finding in findings:
        assert JSON_KEYS <= finding.keys()
        assert finding["path"] == "k.py"
        assert (finding["line"], finding["column"]) == (LAUNCH_LINE, LAUNCH_COLUMN)
        assert finding["end_line"] >= finding["line"]
        assert finding["end_line"] > finding["line"] or finding["end_column"] > finding["column"]
        assert finding["severity"] in {"error", "warning"}
        assert isinstance(finding["message"], str) and finding["message"]
    by_code = {finding["code"]: finding for finding in findings}
    assert by_code.keys() == {"NBL001", "NBL004"}
    assert by_code["NBL001"]["name"] == "kernel-arity"
    assert by_code["NBL001"]["fix"] is None
    fix = by_code["NBL004"]["fix"]
    assert fix["applicability"] in {"safe", "unsafe"}
    assert isinstance(fix["message"], str) and fix["message"]
    assert fix["edits"], fix
    for edit in fix["edits"]:
        assert {"line", "column", "end_line", "end_column"} <= edit.keys()
    assert any("nogil=True" in edit["content"] for edit in fix["edits"])


def test_json_for_a_clean_run_has_no_findings_and_no_errors(numbalint_cli, project):
    write(project / "k.py", CLEAN)
    run = numbalint_cli("k.py", "--output-format", "json")
    assert run.code == 0
    document = json.loads(run.out)
    assert (document["findings"], document["errors"]) == ([], [])


def test_json_stdout_stays_parsable_when_a_file_cannot_be_checked(numbalint_cli, project):
    write(project / "broken.py", "import numba\ndef f(:\n")
    write(project / "k.py", BUGGY)
    run = numbalint_cli("--output-format", "json", "broken.py", "k.py")
    assert run.code == 2
    document = json.loads(run.out)
    assert {finding["code"] for finding in document["findings"]} == {"NBL001", "NBL004"}
    assert [(error["path"], error["line"], error["column"]) for error in document["errors"]] == [("broken.py", 2, 7)]
    assert_one_clear_line(run, "broken.py:2:7")


def test_github_format_is_one_annotation_per_finding(numbalint_cli, project):
    write(project / "k.py", BUGGY)
    run = numbalint_cli("--output-format", "github", "k.py")
    assert run.code == 1
    lines = run.out.splitlines()
    assert len(lines) == 2
    annotation = re.compile(
        rf"^::error file=k\.py,line={LAUNCH_LINE},col={LAUNCH_COLUMN},endLine=\d+,endColumn=\d+,"
        r"title=(?P<code>NBL\d{3}) (?P<name>[a-z-]+)::(?P<message>.+)$"
    )
    matches = [annotation.match(line) for line in lines]
    assert all(matches), lines
    assert [(m["code"], m["name"]) for m in matches] == [("NBL001", "kernel-arity"), ("NBL004", "missing-nogil")]


def test_sarif_is_valid_json_version_2_1_0_with_rules_and_results(numbalint_cli, project):
    write(project / "k.py", BUGGY)
    run = numbalint_cli("--output-format", "sarif", "k.py")
    assert run.code == 1
    sarif = json.loads(run.out)
    assert sarif["version"] == "2.1.0"
    assert len(sarif["runs"]) == 1
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["name"] == "numbalint"
    assert driver["version"] == numbalint.__version__
    assert {rule["id"] for rule in driver["rules"]} == ALL_CODES
    results = sarif["runs"][0]["results"]
    assert sorted(result["ruleId"] for result in results) == ["NBL001", "NBL004"]
    for result in results:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "k.py"
        assert (location["region"]["startLine"], location["region"]["startColumn"]) == (LAUNCH_LINE, LAUNCH_COLUMN)
        assert result["message"]["text"]


# A syntax error at line 2, column 7, and a path that does not exist, beside a file with findings.
BROKEN = "import numba\ndef f(:\n"


def broken_run(numbalint_cli, project, fmt: str) -> Run:
    write(project / "broken.py", BROKEN)
    write(project / "k.py", BUGGY)
    return numbalint_cli("--output-format", fmt, "broken.py", "missing.py", "k.py")


def test_json_carries_the_files_that_could_not_be_checked(numbalint_cli, project):
    run = broken_run(numbalint_cli, project, "json")
    assert run.code == 2
    document = json.loads(run.out)
    assert [(e["path"], e["line"], e["column"]) for e in document["errors"]] == [
        ("broken.py", 2, 7), ("missing.py", None, None)]
    assert "no such file" in document["errors"][1]["message"]
    assert document["summary"]["errors"] == 2
    assert len(run.err_lines) == 2  # and still said on stderr, one line each


def test_json_lines_carries_the_files_that_could_not_be_checked(numbalint_cli, project):
    run = broken_run(numbalint_cli, project, "json-lines")
    records = [json.loads(line) for line in run.out.splitlines()]
    assert [r["kind"] for r in records] == ["finding", "finding", "error", "error"]
    assert [(r["path"], r["line"], r["column"]) for r in records[2:]] == [("broken.py", 2, 7), ("missing.py", None, None)]


def test_github_annotates_the_files_that_could_not_be_checked(numbalint_cli, project):
    run = broken_run(numbalint_cli, project, "github")
    errors = [line for line in run.out.splitlines() if "title=numbalint%3A not checked" in line]
    assert len(errors) == 2
    assert errors[0].startswith("::error file=broken.py,line=2,col=7,")
    assert errors[1].startswith("::error file=missing.py,title=")


def test_sarif_of_a_run_with_errors_says_so_and_still_validates(numbalint_cli, project):
    import jsonschema

    run = broken_run(numbalint_cli, project, "sarif")
    log = json.loads(run.out)
    jsonschema.validate(log, sarif_schema())
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    places = [(n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
               n["locations"][0]["physicalLocation"].get("region"))
              for n in invocation["toolExecutionNotifications"]]
    assert places == [("broken.py", {"startLine": 2, "startColumn": 7}), ("missing.py", None)]
    assert len(log["runs"][0]["results"]) == 2


def test_sarif_rules_link_to_their_pages(numbalint_cli, project):
    write(project / "k.py", BUGGY)
    rules = json.loads(numbalint_cli("--output-format", "sarif", "k.py").out)["runs"][0]["tool"]["driver"]["rules"]
    for rule in rules:
        assert rule["helpUri"].endswith(f"docs/rules/{rule['id']}.md")
        assert rule["help"]["markdown"].startswith("## What it does")
        assert rule["fullDescription"]["text"] and rule["shortDescription"]["text"]


# -- choosing what and where to print -------------------------------------------------


def test_default_format_is_concise_in_a_pipe_and_full_on_a_terminal(numbalint_cli, project, monkeypatch):
    write(project / "k.py", BUGGY)
    piped = numbalint_cli("k.py")
    assert len(text_findings(piped)) == 2 and "|" not in piped.out
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    on_terminal = numbalint_cli("k.py")
    assert on_terminal.out == numbalint_cli("--output-format", "full", "k.py").out
    assert "\x1b[" not in on_terminal.out  # NO_COLOR is set


def test_full_shows_the_source_under_each_finding(numbalint_cli, project):
    write(project / "k.py", BUGGY)
    run = numbalint_cli("--output-format", "full", "k.py")
    assert run.code == 1
    source_line = BUGGY.splitlines()[LAUNCH_LINE - 1]
    assert f"{LAUNCH_LINE} | {source_line}\n" in run.out
    carets = " " * (LAUNCH_COLUMN - 1) + "^" * (len(source_line) - LAUNCH_COLUMN + 1)  # the Thread(...) call
    assert f"   | {carets} NBL004\n" in run.out
    assert "= fix: Add nogil=True to `kernel`'s decorator" in run.out
    assert "= help: " in run.out
    assert run.out.endswith("Found 2 problems in 1 file (1 fixable with --fix). Checked 1 file.\n")


def test_output_file_gets_the_report_and_stdout_nothing(numbalint_cli, project, monkeypatch):
    write(project / "k.py", BUGGY)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR")
    run = numbalint_cli("--output-file", "reports/out.txt", "k.py")
    assert (run.code, run.out) == (1, "")
    written = (project / "reports" / "out.txt").read_text()
    assert "\x1b[" not in written  # a file gets no colour, and concise
    monkeypatch.setenv("NO_COLOR", "1")
    assert written == numbalint_cli("--output-format", "concise", "k.py").out
    run = numbalint_cli("--output-file", "out.json", "--output-format", "json", "k.py")
    assert len(json.loads((project / "out.json").read_text())["findings"]) == 2


def test_an_output_file_that_cannot_be_written_is_one_line(numbalint_cli, project):
    write(project / "k.py", BUGGY)
    write(project / "taken", "a file, not a folder")
    run = numbalint_cli("--output-file", "taken/out.txt", "k.py")
    assert run.code == 2
    assert_one_clear_line(run, "numbalint: error: cannot write", "taken")


def test_statistics_count_findings_per_rule(numbalint_cli, project):
    write(project / "a.py", BUGGY)
    write(project / "b.py", BUGGY)
    run = numbalint_cli("--statistics", "a.py", "b.py")
    assert run.code == 1
    assert run.out.splitlines() == [
        "2  NBL001  kernel-arity",
        "2  NBL004  missing-nogil  2 fixable",
        "",
        "Found 4 problems in 2 files (2 fixable with --fix). Checked 2 files.",
    ]
    rows = json.loads(numbalint_cli("--statistics", "--output-format", "json", "a.py", "b.py").out)
    assert [(row["code"], row["count"], row["fixable"]) for row in rows] == [("NBL001", 2, 0), ("NBL004", 2, 2)]


def test_exit_zero_on_findings_but_not_on_unchecked_files(numbalint_cli, project):
    write(project / "k.py", BUGGY)
    run = numbalint_cli("--exit-zero", "k.py")
    assert run.code == 0 and len(text_findings(run)) == 2
    write(project / "broken.py", BROKEN)
    assert numbalint_cli("--exit-zero", "k.py", "broken.py").code == 2


def test_quiet_prints_findings_only_and_silent_nothing(numbalint_cli, project):
    write(project / "k.py", BUGGY)
    write(project / "broken.py", BROKEN)
    quiet = numbalint_cli("-q", "k.py", "broken.py")
    assert quiet.code == 2
    assert len(text_findings(quiet)) == 2 and len(quiet.out.splitlines()) == 2  # no summary
    assert_one_clear_line(quiet, "broken.py:2:7")
    for args in (["-qq"], ["--silent"], ["-q", "-q", "-q"]):
        silent = numbalint_cli(*args, "k.py", "broken.py")
        assert (silent.code, silent.out, silent.err) == (2, "", ""), args
    assert numbalint_cli("--silent", "k.py").code == 1


def test_verbose_says_the_configuration_the_counts_and_the_time_on_stderr(numbalint_cli, project):
    write(project / "k.py", BUGGY)
    write(project / "plain.py", "x = 1\n")
    run = numbalint_cli("-v", ".")
    assert run.out == numbalint_cli(".").out
    assert f"configuration: {project / 'pyproject.toml'}" in run.err
    assert "2 files found: 1 checked, 1 skipped (no numba or threads), 0 could not be checked" in run.err
    assert re.search(r"done in \d+\.\d\d s", run.err)


def test_summary_counts_files_skipped_for_not_involving_numba_or_threads(numbalint_cli, project):
    write(project / "k.py", CLEAN)
    for name in ("a.py", "b.py", "c.py"):
        write(project / "util" / name, "def helper():\n    return 1\n")
    run = numbalint_cli(".")
    assert run.out == "All checks passed. Checked 1 file; 3 skipped: no numba or threads.\n"
    summary = json.loads(numbalint_cli("--output-format", "json", ".").out)["summary"]
    assert (summary["files_checked"], summary["files_skipped"]) == (1, 3)


def test_the_readme_example_is_what_numbalint_prints(monkeypatch):
    repo = Path(__file__).resolve().parent.parent
    readme = (repo / "README.md").read_text(encoding="utf-8")
    command, _, rest = readme.partition("&& .venv/bin/numbalint ")
    args = command and rest.split("\n", 1)[0].split()
    shown = rest.split("It exits 1, because there are findings:\n\n```\n", 1)[1].split("```", 1)[0]
    run = run_module(*args, "--no-cache", cwd=repo)
    assert run.code == 1
    assert run.out == shown


# -- selecting rules ----------------------------------------------------------------


@pytest.mark.parametrize(("args", "expected"), [
    (["--select", "NBL001"], {"NBL001"}),
    (["--select", "kernel-arity"], {"NBL001"}),
    (["--select", "nbl004"], {"NBL004"}),
    (["--select", "NBL00"], {"NBL001", "NBL004"}),
    (["--select", "NBL001,missing-nogil"], {"NBL001", "NBL004"}),
    (["--select", "NBL001", "--select", "NBL004"], {"NBL001", "NBL004"}),
    (["--select", "NBL002"], set()),
    (["--ignore", "NBL001"], {"NBL004"}),
    (["--ignore", "missing-nogil"], {"NBL001"}),
    (["--select", "ALL", "--ignore", "NBL00", "--extend-select", "NBL004"], {"NBL004"}),
    (["--select", "NBL001", "--extend-select", "missing-nogil"], {"NBL001", "NBL004"}),
])
def test_select_and_ignore_by_code_name_and_prefix(numbalint_cli, project, args, expected):
    write(project / "k.py", BUGGY)
    run = numbalint_cli(*args, "k.py")
    assert text_codes(run) == expected
    assert run.code == (1 if expected else 0)
    assert run.err == ""


@pytest.mark.parametrize(("option", "selector", "hint"), [
    ("--select", "NBL999", None),
    ("--ignore", "NBL999", None),
    ("--select", "kernel-arty", "kernel-arity"),
    ("--extend-select", "not-a-rule", None),
])
def test_unknown_selector_is_a_one_line_usage_error(numbalint_cli, project, option, selector, hint):
    write(project / "k.py", BUGGY)
    run = numbalint_cli(option, selector, "k.py")
    assert run.code == 2
    line = assert_one_clear_line(run, repr(selector), "unknown rule selector")
    if hint:
        assert f"did you mean {hint!r}" in line
    assert run.out == ""


# -- noqa -------------------------------------------------------------------------------


@pytest.mark.parametrize(("comment", "expected"), [
    ("# noqa", set()),
    ("# noqa: NBL001", {"NBL004"}),
    ("# noqa: NBL001, NBL004", set()),
    ("# noqa: NBL001 NBL004", set()),
    ("# noqa: kernel-arity", {"NBL004"}),
    ("# NOQA:NBL004 the kernel holds the GIL on purpose", {"NBL001"}),
    ("# noqa: NBL002", {"NBL001", "NBL004"}),
    ("# noqa: late-binding-closure", {"NBL001", "NBL004"}),
    ("# noqa:", {"NBL001", "NBL004"}),  # like Ruff: a colon with no codes suppresses nothing
])
def test_noqa_on_the_reported_line(numbalint_cli, project, comment, expected):
    lines = BUGGY.splitlines()
    lines[LAUNCH_LINE - 1] += "  " + comment
    write(project / "k.py", "\n".join(lines) + "\n")
    run = numbalint_cli("k.py")
    assert text_codes(run) == expected
    assert run.code == (1 if expected else 0)


def test_noqa_on_another_line_suppresses_nothing(numbalint_cli, project):
    source = BUGGY.replace("    t.start()\n", "    t.start()  # noqa\n")
    write(project / "k.py", source)
    assert text_codes(numbalint_cli("k.py")) == {"NBL001", "NBL004"}


@pytest.mark.parametrize(("header", "expected"), [
    ("# numbalint: noqa\n", set()),
    ("# numbalint: noqa: NBL004\n", {"NBL001"}),
    ("# numbalint: noqa: kernel-arity, missing-nogil\n", set()),
    ('"""Not a directive:\n# numbalint: noqa\n"""\n', {"NBL001", "NBL004"}),
])
def test_whole_file_noqa(numbalint_cli, project, header, expected):
    write(project / "k.py", header + BUGGY)
    run = numbalint_cli("k.py")
    assert text_codes(run) == expected
    assert run.code == (1 if expected else 0)


def with_comment(line: int, comment: str, source: str = BUGGY) -> str:
    lines = source.splitlines()
    lines[line - 1] += "  " + comment
    return "\n".join(lines) + "\n"


def test_unused_noqa_is_off_by_default_and_on_when_selected(numbalint_cli, project):
    write(project / "k.py", with_comment(LAUNCH_LINE, "# noqa: NBL001, NBL004, NBL007, NBL999"))
    assert numbalint_cli("k.py").code == 0
    run = numbalint_cli("k.py", "--extend-select", "unused-noqa")
    assert run.code == 1
    assert [(line, code) for _, line, _, code, _ in text_findings(run)] == [(LAUNCH_LINE, "NBL100")]
    assert "`NBL007` suppresses nothing on this line; `NBL999` is no numbalint rule." in run.out
    # Codes of rules left out of the selection are not judged; unknown codes still are.
    narrowed = numbalint_cli("k.py", "--select", "NBL004,NBL100")
    assert "`NBL999` is no numbalint rule" in narrowed.out and "NBL007" not in narrowed.out


def test_fix_removes_unused_noqa_codes(numbalint_cli, project):
    source = with_comment(LAUNCH_LINE, "# noqa: NBL001, NBL007 kept for now", CLEAN.replace("args=(a,)", "args=(a, b)"))
    source = with_comment(LAUNCH_LINE + 1, "# noqa: NBL004", source)
    path = write(project / "k.py", source)
    run = numbalint_cli("k.py", "--extend-select", "NBL100", "--fix")
    assert run.code == 0, run.out
    fixed = path.read_text().splitlines()
    assert fixed[LAUNCH_LINE - 1].endswith("args=(a, b))  # noqa: NBL001 kept for now")
    assert fixed[LAUNCH_LINE].endswith("t.start()")


def test_add_noqa_suppresses_every_finding_in_place(numbalint_cli, project):
    buggy = with_comment(LAUNCH_LINE, "# noqa: NBL007 older")
    path = write(project / "k.py", buggy.replace("\n", "\r\n"))
    (project / "k.py").write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    run = numbalint_cli("k.py", "--add-noqa")
    assert (run.code, run.out, run.err) == (0, "Added 1 noqa directive to 1 file.\n", "")
    data = (project / "k.py").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == buggy.count("\n")
    assert b"args=(a, b))  # noqa: NBL007, NBL001, NBL004 older\r\n" in data
    assert numbalint_cli("k.py").code == 0


def test_add_noqa_skips_a_line_that_ends_inside_a_string_and_says_so(numbalint_cli, project):
    source = BUGGY.replace("args=(a, b))", 'args=(a, """\nb"""))')
    write(project / "k.py", source)
    run = numbalint_cli("k.py", "--add-noqa", "--select", "NBL001")
    assert run.code == 1
    assert run.out == "Added 0 noqa directives to 0 files.\n"
    assert_one_clear_line(run, f"k.py:{LAUNCH_LINE}: cannot add `# noqa: NBL001`", "# numbalint: noqa: NBL001")
    assert (project / "k.py").read_text() == source


def test_add_noqa_leaves_notebooks_alone_and_says_so(numbalint_cli, project):
    notebook = project / "blog.ipynb"
    notebook.write_bytes((FIXTURES / "notebooks" / "blog.ipynb").read_bytes())
    before = notebook.read_bytes()
    run = numbalint_cli("blog.ipynb", "--add-noqa")
    assert run.code == 1
    assert run.out == "Added 0 noqa directives to 0 files.\n"
    assert_one_clear_line(run, "blog.ipynb: --add-noqa does not edit notebooks")
    assert notebook.read_bytes() == before


def test_add_noqa_with_fix_is_a_usage_error(numbalint_cli, project):
    write(project / "k.py", BUGGY)
    run = numbalint_cli("k.py", "--add-noqa", "--fix")
    assert run.code == 2
    assert_one_clear_line(run, "--add-noqa cannot be combined with --fix")


# -- configuration --------------------------------------------------------------------


@pytest.mark.parametrize(("table", "expected"), [
    ('select = ["NBL001"]', {"NBL001"}),
    ('select = ["missing-nogil"]', {"NBL004"}),
    ('ignore = ["kernel-arity"]', {"NBL004"}),
    ('ignore = ["NBL00"]', set()),
    ('select = ["NBL00"]\nignore = ["NBL004"]', {"NBL001"}),
])
def test_config_select_and_ignore(numbalint_cli, project, table, expected):
    write(project / "pyproject.toml", f"[tool.numbalint]\n{table}\n")
    write(project / "k.py", BUGGY)
    run = numbalint_cli("k.py")
    assert text_codes(run) == expected
    assert run.code == (1 if expected else 0)


def test_command_line_select_replaces_the_configs(numbalint_cli, project):
    write(project / "pyproject.toml", '[tool.numbalint]\nselect = ["NBL001"]\n')
    write(project / "k.py", BUGGY)
    assert text_codes(numbalint_cli("--select", "NBL004", "k.py")) == {"NBL004"}
    assert text_codes(numbalint_cli("--ignore", "NBL004", "k.py")) == {"NBL001"}


def test_command_line_select_reports_a_rule_the_config_ignores(numbalint_cli, project):
    write(project / "pyproject.toml", '[tool.numbalint]\nignore = ["NBL004"]\n')
    write(project / "k.py", BUGGY)
    assert text_codes(numbalint_cli("k.py")) == {"NBL001"}
    assert text_codes(numbalint_cli("--select", "NBL004", "k.py")) == {"NBL004"}
    assert text_codes(numbalint_cli("--extend-select", "missing-nogil", "k.py")) == {"NBL001", "NBL004"}


def test_command_line_ignore_wins_over_the_configs_select(numbalint_cli, project):
    write(project / "pyproject.toml", '[tool.numbalint]\nselect = ["NBL001", "NBL004"]\n')
    write(project / "k.py", BUGGY)
    assert text_codes(numbalint_cli("--ignore", "NBL001", "k.py")) == {"NBL004"}


@pytest.mark.parametrize(("table", "args"), [
    ("", ["--select", ""]),
    ("", ["--ignore", "NBL"]),
    ('select = ["NBL001"]', ["--ignore", "NBL001"]),
    ('ignore = ["ALL"]', []),
])
def test_an_empty_selection_is_a_usage_error(numbalint_cli, project, table, args):
    write(project / "pyproject.toml", f"[tool.numbalint]\n{table}\n")
    write(project / "k.py", BUGGY)
    run = numbalint_cli(*args, "k.py")
    assert run.code == 2
    assert_one_clear_line(run, "numbalint: error: no rule is selected", "--select ALL")
    assert run.out == ""


def test_config_exclude_prunes_folders_found_by_walking(numbalint_cli, project):
    write(project / "pyproject.toml", '[tool.numbalint]\nexclude = ["generated", "*_old.py"]\n')
    write(project / "k.py", BUGGY)
    write(project / "generated" / "k.py", BUGGY)
    write(project / "pkg" / "k_old.py", BUGGY)
    write(project / "pkg" / "k.py", BUGGY)
    run = numbalint_cli(".", "--select", "NBL001")
    assert {path for path, *_ in text_findings(run)} == {"k.py", os.path.join("pkg", "k.py")}


def test_gitignored_files_are_skipped_in_folder_walks_unless_turned_off(numbalint_cli, project):
    (project / ".git").mkdir()
    write(project / ".gitignore", "generated/\n")
    write(project / "k.py", BUGGY)
    write(project / "generated" / "k.py", BUGGY)
    walked = {path for path, *_ in text_findings(numbalint_cli(".", "--select", "NBL001"))}
    assert walked == {"k.py"}
    everything = text_findings(numbalint_cli(".", "--select", "NBL001", "--no-respect-gitignore"))
    assert {path for path, *_ in everything} == {"k.py", os.path.join("generated", "k.py")}
    write(project / "pyproject.toml", "[tool.numbalint]\nrespect-gitignore = false\n")
    assert len(text_findings(numbalint_cli(".", "--select", "NBL001"))) == 2


def test_force_exclude_skips_excluded_files_named_on_the_command_line(numbalint_cli, project):
    write(project / "pyproject.toml", '[tool.numbalint]\nextend-exclude = ["legacy/"]\n')
    write(project / "legacy" / "k.py", BUGGY)
    write(project / "k.py", BUGGY)
    named = numbalint_cli("legacy/k.py", "k.py", "--select", "NBL001")
    assert {path for path, *_ in text_findings(named)} == {"legacy/k.py", "k.py"}
    forced = numbalint_cli("legacy/k.py", "k.py", "--select", "NBL001", "--force-exclude")
    assert {path for path, *_ in text_findings(forced)} == {"k.py"}
    write(project / "pyproject.toml", '[tool.numbalint]\nextend-exclude = ["legacy/"]\nforce-exclude = true\n')
    only_excluded = numbalint_cli("legacy/k.py")
    assert (only_excluded.code, text_findings(only_excluded)) == (0, [])


def test_config_per_file_ignores(numbalint_cli, project):
    write(project / "pyproject.toml",
          '[tool.numbalint]\nper-file-ignores = { "legacy/*" = ["missing-nogil"], "driver.py" = ["NBL001"] }\n')
    write(project / "k.py", BUGGY)
    write(project / "driver.py", BUGGY)
    write(project / "legacy" / "k.py", BUGGY)
    run = numbalint_cli(".")
    found = {(path, code) for path, _, _, code, _ in text_findings(run)}
    assert found == {
        ("k.py", "NBL001"), ("k.py", "NBL004"),
        ("driver.py", "NBL004"),
        (os.path.join("legacy", "k.py"), "NBL001"),
    }


def test_nearest_pyproject_with_our_table_is_the_config(numbalint_cli, project):
    write(project / "pyproject.toml", '[tool.numbalint]\nselect = ["NBL004"]\n')
    write(project / "pkg" / "pyproject.toml", "[project]\nname = 'pkg'\n")  # not ours: skipped
    write(project / "pkg" / "k.py", BUGGY)
    write(project / "app" / "pyproject.toml", '[tool.numbalint]\nselect = ["NBL001"]\n')
    write(project / "app" / "k.py", BUGGY)
    assert text_codes(numbalint_cli("pkg/k.py")) == {"NBL004"}
    assert text_codes(numbalint_cli("app/k.py")) == {"NBL001"}


def test_explicit_config_option(numbalint_cli, project):
    write(project / "other.toml", '[tool.numbalint]\nselect = ["NBL001"]\n')
    write(project / "k.py", BUGGY)
    assert text_codes(numbalint_cli("--config", "other.toml", "k.py")) == {"NBL001"}
    run = numbalint_cli("--config", "missing.toml", "k.py")
    assert run.code == 2
    assert_one_clear_line(run, "missing.toml")


@pytest.mark.parametrize(("table", "key"), [
    ('select = "NBL001"', "select"),
    ("ignore = [1, 2]", "ignore"),
    ("exclude = 'build'", "exclude"),
    ('per-file-ignores = ["tests/*"]', "per-file-ignores"),
    ('per-file-ignores = { "tests/*" = ["NBL00X"] }', "per-file-ignores"),
    ("selct = []", "selct"),
])
def test_bad_config_value_is_one_line_naming_file_and_key(numbalint_cli, project, table, key):
    write(project / "pyproject.toml", f"[tool.numbalint]\n{table}\n")
    write(project / "k.py", BUGGY)
    run = numbalint_cli("k.py")
    assert run.code == 2
    assert_one_clear_line(run, "pyproject.toml", key)
    assert run.out == ""


def test_unknown_selector_in_config_names_the_file(numbalint_cli, project):
    write(project / "pyproject.toml", '[tool.numbalint]\nignore = ["NBL999"]\n')
    write(project / "k.py", BUGGY)
    run = numbalint_cli("k.py")
    assert run.code == 2
    assert_one_clear_line(run, "pyproject.toml", "ignore", "'NBL999'")


def test_invalid_toml_is_one_line_naming_the_file(numbalint_cli, project):
    write(project / "pyproject.toml", "[tool.numbalint]\nselect = [\n")
    write(project / "k.py", BUGGY)
    run = numbalint_cli("k.py")
    assert run.code == 2
    assert_one_clear_line(run, "pyproject.toml", "invalid TOML")


# -- rule documentation, listing, version, help -----------------------------------------


@pytest.mark.parametrize("selector", ["NBL001", "kernel-arity", "nbl001"])
def test_rule_prints_the_documentation_by_code_or_name(numbalint_cli, selector):
    run = numbalint_cli("rule", selector)
    assert run.code == 0
    assert run.err == ""
    assert run.out.splitlines()[0].startswith("NBL001 (kernel-arity): ")
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert heading in run.out


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_every_rule_has_the_four_documentation_sections(numbalint_cli, rule):
    run = numbalint_cli("rule", rule.name)
    assert run.code == 0
    sections = [line for line in run.out.splitlines() if line.startswith("## ")]
    assert sections[:4] == ["## What it does", "## Why is this bad?", "## Example", "## Use instead"]


@pytest.mark.parametrize(("args", "needle"), [
    (["rule", "zzz"], "no rule 'zzz'; `numbalint --list-rules` lists them"),
    (["rule", "kernel_arity"], "no rule 'kernel_arity' (did you mean 'kernel-arity'?)"),
    (["rule"], "CODE"),
])
def test_rule_errors_are_one_line(numbalint_cli, args, needle):
    run = numbalint_cli(*args)
    assert run.code == 2
    assert_one_clear_line(run, "numbalint: error:", needle)
    assert run.out == ""


def test_list_rules_lists_every_code_and_name(numbalint_cli):
    run = numbalint_cli("--list-rules")
    assert run.code == 0
    codes = set(re.findall(r"^(NBL\d{3}) ", run.out, re.MULTILINE))
    assert codes == ALL_CODES and codes <= CATALOG
    for rule in ALL_RULES:
        assert re.search(rf"^{rule.code}\s+{rule.name}\s", run.out, re.MULTILINE)


def test_version(numbalint_cli):
    run = numbalint_cli("--version")
    assert run.code == 0
    assert run.out.strip() == f"numbalint, version {numbalint.__version__}"


def test_help_shows_plain_numbalint_usage_and_the_subcommands(numbalint_cli):
    run = numbalint_cli("--help")
    assert run.code == 0
    assert run.out.startswith("Usage: numbalint [OPTIONS] [PATH]...\n")  # not the hidden `check`
    for text in ("--output-format", "--select", "--ignore", "--no-cache", "numbalint rule CODE", "Exit status"):
        assert text in run.out
    assert numbalint_cli("-h").out == run.out
    rule_help = numbalint_cli("rule", "--help")
    assert rule_help.code == 0
    assert rule_help.out.startswith("Usage: numbalint rule [OPTIONS] CODE\n")
    assert "(NBL001) or its name (kernel-arity)" in rule_help.out


# -- paths and option errors ------------------------------------------------------------


def test_list_rules_as_json(numbalint_cli):
    run = numbalint_cli("--list-rules", "--output-format", "json")
    assert run.code == 0
    rules = json.loads(run.out)
    assert [rule["code"] for rule in rules] == [rule.code for rule in ALL_RULES]
    assert set(rules[0]) == {"code", "name", "summary", "fix"}


def test_an_empty_path_is_named(numbalint_cli, project):
    write(project / "k.py", BUGGY)
    run = numbalint_cli("", "k.py")
    assert run.code == 2
    assert_one_clear_line(run, "''", "no such file")


def test_a_file_named_on_the_command_line_is_parsed_though_it_mentions_no_numba(numbalint_cli, project):
    write(project / "pkg" / "broken.py", "x = (1,\n")
    run = numbalint_cli("pkg/broken.py")
    assert run.code == 2
    assert_one_clear_line(run, "broken.py", "was never closed")
    assert numbalint_cli("pkg").code == 0  # in a folder walk the prefilter skips it unparsed


def test_missing_path_is_one_line_and_other_paths_are_still_checked(numbalint_cli, project):
    write(project / "k.py", BUGGY)
    run = numbalint_cli("no_such_file.py", "k.py")
    assert run.code == 2
    assert_one_clear_line(run, "no_such_file.py", "no such file")
    assert text_codes(run) == {"NBL001", "NBL004"}


@pytest.mark.parametrize(("args", "needle"), [
    (["--output-format", "xml"], "'xml'"),
    (["--jobs", "0"], "--jobs"),
    (["-j", "many"], "'many'"),
    (["--no-such-option"], "--no-such-option"),
])
def test_bad_option_value_is_one_clear_line(numbalint_cli, project, args, needle):
    write(project / "k.py", BUGGY)
    run = numbalint_cli(*args, "k.py")
    assert run.code == 2
    assert_one_clear_line(run, "numbalint: error:", needle)
    assert run.out == ""


def test_folder_named_like_a_subcommand_is_linted_as_a_path(numbalint_cli, project):
    write(project / "rule" / "k.py", BUGGY)
    for spelling in ("./rule", "rule/"):
        run = numbalint_cli(spelling)
        assert run.code == 1, spelling
        assert text_codes(run) == {"NBL001", "NBL004"}
        assert all(Path(path).parent.name == "rule" for path, *_ in text_findings(run))
    # An option first also makes it a path, not the subcommand.
    assert text_codes(numbalint_cli("--select", "NBL001", "rule")) == {"NBL001"}


def test_options_work_before_and_after_paths(numbalint_cli, project):
    write(project / "k.py", BUGGY)
    before = numbalint_cli("--select", "NBL001", "--output-format", "json", "k.py")
    after = numbalint_cli("k.py", "--select", "NBL001", "--output-format", "json")
    between = numbalint_cli("--select", "NBL001", "k.py", "--output-format", "json")
    assert before == after == between
    assert [finding["code"] for finding in json.loads(before.out)["findings"]] == ["NBL001"]


def test_default_path_is_the_current_folder(numbalint_cli, project):
    write(project / "k.py", BUGGY)
    write(project / "pkg" / "deeper" / "m.py", BUGGY)
    write(project / ".venv" / "lib" / "site.py", BUGGY)  # excluded by default
    for args in ((), ("--select", "NBL001")):
        run = numbalint_cli(*args)
        assert run.code == 1
        paths = {os.path.normpath(path) for path, *_ in text_findings(run)}
        assert paths == {"k.py", os.path.join("pkg", "deeper", "m.py")}


def test_empty_folder_is_not_an_error(numbalint_cli, project):
    (project / "empty").mkdir()
    run = numbalint_cli("empty")
    assert run.code == 0
    assert "nothing was checked" in run.out


# -- the cache ----------------------------------------------------------------------------


def test_second_run_gives_the_same_output_from_the_cache(numbalint_cli, project):
    source = write(project / "k.py", BUGGY)
    first = numbalint_cli("k.py")
    [entry_file] = (project / ".numbalint_cache" / "entries").glob("*.json")
    second = numbalint_cli("k.py")
    assert second == first
    assert text_codes(second) == {"NBL001", "NBL004"}

    # Prove the second run read the cache: an entry edited by hand comes back...
    entry_file.write_text(entry_file.read_text().replace("kernel `kernel` takes 1 argument", "CACHED"))
    assert "NBL001 [kernel-arity] CACHED (x) but 2 were given" in numbalint_cli("k.py").out
    # ...but an edit that keeps size and mtime is seen: entries are keyed by content.
    stat = source.stat()
    same_size = BUGGY.replace("args=(a, b)", "args=(a,)  ")
    assert len(same_size) == len(BUGGY)
    source.write_text(same_size)
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert text_codes(numbalint_cli("k.py")) == {"NBL004"}


def test_editing_a_file_invalidates_the_cache(numbalint_cli, project):
    source = write(project / "k.py", BUGGY)
    assert numbalint_cli("k.py").code == 1
    source.write_text(CLEAN)
    assert numbalint_cli("k.py").code == 0


def test_changing_the_selection_does_not_reuse_cached_findings(numbalint_cli, project):
    write(project / "k.py", BUGGY)
    assert text_codes(numbalint_cli("k.py")) == {"NBL001", "NBL004"}
    assert text_codes(numbalint_cli("--select", "NBL001", "k.py")) == {"NBL001"}
    assert text_codes(numbalint_cli("k.py")) == {"NBL001", "NBL004"}


def test_no_cache_writes_no_cache_folder(numbalint_cli, project):
    write(project / "k.py", BUGGY)
    run = numbalint_cli("--no-cache", "k.py")
    assert text_codes(run) == {"NBL001", "NBL004"}
    assert not (project / ".numbalint_cache").exists()
    numbalint_cli("k.py")  # the control: without --no-cache it is written
    assert (project / ".numbalint_cache").is_dir()


def test_cached_findings_use_the_path_as_given_in_this_run(numbalint_cli, project, monkeypatch):
    write(project / "k.py", BUGGY)
    (project / "sub").mkdir()
    numbalint_cli("k.py")
    monkeypatch.chdir(project / "sub")
    run = numbalint_cli("../k.py")
    assert {path for path, *_ in text_findings(run)} == {os.path.join("..", "k.py")}


# -- end to end, in a real process ------------------------------------------------------


def test_python_dash_m_numbalint_end_to_end(project):
    write(project / "k.py", BUGGY)
    write(project / "ok.py", CLEAN)
    run = run_module("k.py", "ok.py", cwd=project)
    assert run.code == 1
    assert run.err == ""
    assert text_findings(run) == [
        ("k.py", LAUNCH_LINE, LAUNCH_COLUMN, "NBL001", "kernel-arity"),
        ("k.py", LAUNCH_LINE, LAUNCH_COLUMN, "NBL004", "missing-nogil"),
    ]
    assert run.out.splitlines()[-1] == "Found 2 problems in 1 file (1 fixable with --fix). Checked 2 files."
    clean = run_module("ok.py", cwd=project)
    assert (clean.code, clean.out, clean.err) == (0, "All checks passed. Checked 1 file.\n", "")


def test_python_dash_m_numbalint_json_and_usage_error(project):
    write(project / "k.py", BUGGY)
    run = run_module("--output-format", "json", "k.py", cwd=project)
    assert run.code == 1
    assert {finding["code"] for finding in json.loads(run.out)["findings"]} == {"NBL001", "NBL004"}
    bad = run_module("--output-format", "xml", "k.py", cwd=project)
    assert bad.code == 2
    assert_one_clear_line(bad, "'xml'")
    assert bad.out == ""


def test_deeply_nested_file_is_reported_and_the_others_are_still_checked(project):
    # 5000 nested parentheses overflow libcst's native parser (a segfault in
    # the worker process); the run must report that file and go on.
    write(project / "deep.py", "import numba\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    write(project / "k.py", BUGGY)
    run = run_module("--no-cache", "deep.py", "k.py", cwd=project, timeout=60)
    assert run.code == 2
    line = assert_one_clear_line(run, "deep.py")
    assert "skipped" in line
    assert text_codes(run) == {"NBL001", "NBL004"}
    assert {path for path, *_ in text_findings(run)} == {"k.py"}
