import io
import json

import pytest

from numbalint import cli
from numbalint.diagnostics import Edit, FileError, Finding, FixSummary, Span
from numbalint.output import FORMATS, format_file_errors, render, use_color

SAFE = FixSummary("Add nogil=True", "safe", (Edit(Span(3, 1, 3, 6), "@njit(nogil=True)"),))
UNSAFE = FixSummary("Make args a tuple", "unsafe", (Edit(Span(9, 10, 9, 13), "(x,)"),))


def finding(path="b.py", line=1, column=1, code="NBL001", fix=None, message="too many arguments"):
    span = Span(line, column, line, column + 4)
    return Finding(path, span, code, "kernel-arity", "error", message, fix)


FINDINGS = [
    finding("b.py", 9, 10, "NBL008", UNSAFE, "args=(x) is not a tuple"),
    finding("a.py", 3, 1, "NBL004", SAFE, "kernel lacks nogil=True"),
    finding("a.py", 1, 5),
]


def test_formats_listed_for_the_cli():
    assert FORMATS == ("text", "json", "github", "sarif")
    option = next(param for param in cli.check.params if param.name == "output_format")
    assert list(option.type.choices) == list(FORMATS)  # the CLI offers exactly these


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render("xml", [], files_checked=1)


def test_text_lines_sorted_with_fix_marker_and_summary():
    assert render("text", FINDINGS, files_checked=5) == "\n".join(
        [
            "a.py:1:5: NBL001 [kernel-arity] too many arguments",
            "a.py:3:1: NBL004 [kernel-arity] [*] kernel lacks nogil=True",
            "b.py:9:10: NBL008 [kernel-arity] args=(x) is not a tuple",
            "",
            "Found 3 problems in 2 files (1 fixable with --fix, 1 more fixable with --unsafe-fixes).",
        ]
    )


def test_text_with_unsafe_fixes_marks_both():
    text = render("text", FINDINGS, files_checked=5, unsafe_fixes=True)
    assert text.count("[*]") == 2
    assert text.endswith("Found 3 problems in 2 files (2 fixable with --fix).")


@pytest.mark.parametrize(
    ("findings", "kwargs", "expected"),
    [
        ([], {"files_checked": 4}, "All checks passed (4 files checked)."),
        ([], {"files_checked": 0}, "No Python files found: nothing was checked."),
        ([], {"files_checked": 1, "fixed": 2}, "Fixed 2 problems. All checks passed (1 file checked)."),
        ([finding(fix=UNSAFE)], {"files_checked": 1}, "Found 1 problem in 1 file (1 fixable with --unsafe-fixes)."),
        ([finding()], {"files_checked": 1, "fixed": 1}, "Fixed 1 problem. Found 1 problem in 1 file."),
    ],
)
def test_text_summary(findings, kwargs, expected):
    assert render("text", findings, **kwargs).splitlines()[-1] == expected


def test_text_color_only_on_request():
    assert "\x1b[" not in render("text", FINDINGS, files_checked=1)
    assert "\x1b[" in render("text", FINDINGS, files_checked=1, color=True)


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_use_color_needs_a_terminal_and_no_NO_COLOR(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(FakeTerminal())
    assert not use_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(FakeTerminal())


def test_json_is_one_sorted_array_with_fixes():
    data = json.loads(render("json", FINDINGS, files_checked=5))
    assert [(d["path"], d["line"]) for d in data] == [("a.py", 1), ("a.py", 3), ("b.py", 9)]
    assert data[0] == {
        "code": "NBL001",
        "name": "kernel-arity",
        "message": "too many arguments",
        "path": "a.py",
        "line": 1,
        "column": 5,
        "end_line": 1,
        "end_column": 9,
        "severity": "error",
        "fix": None,
    }
    assert data[1]["fix"] == {
        "applicability": "safe",
        "message": "Add nogil=True",
        "edits": [{"line": 3, "column": 1, "end_line": 3, "end_column": 6, "content": "@njit(nogil=True)"}],
    }


def test_json_empty():
    assert json.loads(render("json", [], files_checked=0)) == []


def test_github_annotations_are_escaped():
    tricky = finding("dir,x/a:b.py", 2, 3, message="100% wrong\nsecond line")
    assert render("github", [tricky], files_checked=1) == (
        "::error file=dir%2Cx/a%3Ab.py,line=2,col=3,endLine=2,endColumn=7,"
        "title=NBL001 kernel-arity::100%25 wrong%0Asecond line"
    )


def test_sarif_has_rules_and_results():
    rules = [("NBL001", "kernel-arity", "Wrong arguments", "Match the parameters."),
             ("NBL004", "missing-nogil", "No nogil", "Add nogil=True.")]
    log = json.loads(render("sarif", FINDINGS, files_checked=5, rules=rules))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["NBL001", "NBL004"]
    first, second, third = run["results"]
    assert first["ruleId"] == "NBL001" and first["ruleIndex"] == 0
    assert second["ruleIndex"] == 1
    assert "ruleIndex" not in third
    assert first["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1, "startColumn": 5, "endLine": 1, "endColumn": 9,
    }


def test_file_errors_one_per_line():
    errors = [FileError("x.py", "permission denied"), FileError("y", "no such file or directory")]
    assert format_file_errors(errors) == "x.py: permission denied\ny: no such file or directory"


@pytest.mark.parametrize(("message", "title", "help_text"), [
    ("kernel `f` takes 1 argument. It raises TypeError.", "kernel `f` takes 1 argument.", "It raises TypeError."),
    ("`numba.x = ...` replaces it. Call it: numba.x(...).", "`numba.x = ...` replaces it.", "Call it: numba.x(...)."),
    ("read .result() or f.done() first! Then go on.", "read .result() or f.done() first!", "Then go on."),
    ("one sentence, no full stop", "one sentence, no full stop", ""),
])
def test_a_message_splits_into_title_and_help_at_the_first_sentence_end(message, title, help_text):
    found = finding(message=message)
    assert (found.title, found.help) == (title, help_text)


def test_a_file_error_says_where_when_it_knows():
    assert FileError("x.py", "cannot parse", 3, 7).location == "x.py:3:7"
    assert FileError("x.py", "permission denied").location == "x.py"
    assert format_file_errors([FileError("x.py", "cannot parse", 3, 7)]) == "x.py:3:7: cannot parse"
