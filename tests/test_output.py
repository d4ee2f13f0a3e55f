"""Every output format, from findings and errors built by hand (no linting)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from numbalint import cli
from numbalint.diagnostics import Edit, FileError, Finding, FixSummary, Span
from numbalint.output import FORMATS, Context, Outcome, RuleInfo, format_file_errors, render, statistics, use_color
from tests.conftest import sarif_schema

SAFE = FixSummary("Add nogil=True", "safe", (Edit(Span(3, 1, 3, 6), "@njit(nogil=True)"),))
UNSAFE = FixSummary("Make args a tuple", "unsafe", (Edit(Span(9, 10, 9, 13), "(x,)"),))


def finding(path="b.py", line=1, column=1, code="NBL001", fix=None,
            message="too many arguments. It raises TypeError.", end_line=None, end_column=None):
    span = Span(line, column, end_line or line, end_column or column + 4)
    return Finding(path, span, code, "kernel-arity", "error", message, fix)


FINDINGS = [
    finding("b.py", 9, 10, "NBL008", UNSAFE, "`args=(x)` is not a tuple. Write `args=(x,)`."),
    finding("a.py", 3, 1, "NBL004", SAFE, "kernel lacks nogil=True. The threads take turns."),
    finding("a.py", 1, 5),
]
SYNTAX_ERROR = FileError("broken.py", "cannot parse: '(' was never closed", 2, 5)
MISSING = FileError("gone.py", "no such file or directory")
RULES = [
    RuleInfo("NBL001", "kernel-arity", "Wrong arguments", "none",
             "## What it does\nChecks the\narguments.\n\nMore.\n\n## Why is this bad?\nTypeError."),
    RuleInfo("NBL004", "missing-nogil", "No nogil", "safe", "## What it does\nFlags kernels.\n"),
]


def outcome(findings=FINDINGS, errors=(), checked=5, skipped=0, edits=0) -> Outcome:
    return Outcome(findings, errors, files_checked=checked, files_skipped=skipped, edits_applied=edits)


def test_the_formats_the_cli_offers():
    assert FORMATS == ("full", "concise", "json", "json-lines", "github", "sarif")
    option = next(param for param in cli.check.params if param.name == "output_format")
    assert list(option.type.choices) == list(FORMATS)  # the CLI offers exactly these


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render("xml", outcome())


# -- concise ----------------------------------------------------------------------------


def test_concise_lines_sorted_with_the_first_sentence_the_fix_marker_and_a_summary():
    assert render("concise", outcome()) == "\n".join([
        "a.py:1:5: NBL001 [kernel-arity] too many arguments.",
        "a.py:3:1: NBL004 [kernel-arity] [*] kernel lacks nogil=True.",
        "b.py:9:10: NBL008 [kernel-arity] `args=(x)` is not a tuple.",
        "",
        "Found 3 problems in 2 files (1 fixable with --fix, 1 more fixable with --unsafe-fixes). Checked 5 files.",
    ])


def test_concise_with_unsafe_fixes_marks_both():
    text = render("concise", outcome(), Context(unsafe_fixes=True))
    assert text.count("[*]") == 2
    assert text.endswith("Found 3 problems in 2 files (2 fixable with --fix). Checked 5 files.")


@pytest.mark.parametrize(("result", "expected"), [
    (outcome([], checked=4), "All checks passed. Checked 4 files."),
    (outcome([], checked=3, skipped=41), "All checks passed. Checked 3 files; 41 skipped: no numba or threads."),
    (outcome([], checked=0, skipped=2), "All checks passed. Checked 0 files; 2 skipped: no numba or threads."),
    (outcome([], checked=0), "No Python files found: nothing was checked."),
    (outcome([], checked=1, edits=2), "Applied 2 edits. All checks passed. Checked 1 file."),
    (outcome([finding(fix=UNSAFE)], checked=1),
     "Found 1 problem in 1 file (1 fixable with --unsafe-fixes). Checked 1 file."),
    (outcome([finding()], checked=1, edits=1), "Applied 1 edit. Found 1 problem in 1 file. Checked 1 file."),
    (outcome([], [SYNTAX_ERROR], checked=2, skipped=1),
     "No problems found in the files that could be checked. "
     "Checked 2 files; 1 skipped: no numba or threads; 1 path could not be checked (see the errors)."),
    (outcome([], [SYNTAX_ERROR, MISSING], checked=0),
     "No problems found in the files that could be checked. "
     "Checked 0 files; 2 paths could not be checked (see the errors)."),
])
@pytest.mark.parametrize("fmt", ["concise", "full"])
def test_summary(fmt, result, expected):
    assert render(fmt, result).splitlines()[-1] == expected


@pytest.mark.parametrize("fmt", ["concise", "full"])
def test_quiet_prints_findings_without_a_summary(fmt):
    text = render(fmt, outcome(), Context(summary=False))
    assert "Found" not in text and text.startswith("a.py:1:5: NBL001")
    assert render(fmt, outcome([]), Context(summary=False)) == ""


@pytest.mark.parametrize("fmt", ["concise", "full"])
def test_color_only_on_request(fmt):
    assert "\x1b[" not in render(fmt, outcome())
    assert "\x1b[" in render(fmt, outcome(), Context(color=True))


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_use_color_needs_a_terminal_and_no_NO_COLOR(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(FakeTerminal())
    assert not use_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(FakeTerminal())


# -- full -------------------------------------------------------------------------------


@pytest.fixture
def source(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "k.py"
    path.write_text("import threading\n\nt = threading.Thread(\n    target=kernel,\n    args=(a, b),\n)\n\tx = 1\n")
    return path


def test_full_shows_the_line_with_the_span_underlined_then_help_and_fix(source):
    found = finding("k.py", 4, 5, fix=SAFE, end_column=18,
                    message="kernel `kernel` takes 1 argument. It raises TypeError. Pass one.")
    assert render("full", outcome([found], checked=1)) == "\n".join([
        "k.py:4:5: NBL001 [kernel-arity] [*] kernel `kernel` takes 1 argument.",
        "  |",
        "4 |     target=kernel,",
        "  |     ^^^^^^^^^^^^^ NBL001",
        "  |",
        "  = help: It raises TypeError. Pass one.",
        "  = fix: Add nogil=True",
        "",
        "Found 1 problem in 1 file (1 fixable with --fix). Checked 1 file.",
    ])


def test_full_underlines_each_line_of_a_multi_line_span(source):
    found = finding("k.py", 3, 5, end_line=6, end_column=2, fix=UNSAFE)
    block = render("full", outcome([found]), Context(summary=False)).splitlines()
    assert block[1:10] == [
        "  |",
        "3 | t = threading.Thread(",
        "  |     ^^^^^^^^^^^^^^^^^",
        "4 |     target=kernel,",
        "  |     ^^^^^^^^^^^^^^",
        "5 |     args=(a, b),",
        "  |     ^^^^^^^^^^^^",
        "6 | )",
        "  | ^ NBL001",
    ]
    assert block[-1] == "  = fix: Make args a tuple (unsafe: with --unsafe-fixes)"


def test_full_expands_tabs_in_the_line_and_under_it(source):
    block = render("full", outcome([finding("k.py", 7, 2, end_column=3)]), Context(summary=False))
    assert "7 |     x = 1\n  |     ^ NBL001" in block


def test_full_elides_the_middle_of_a_long_span(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "long.py").write_text("".join(f"line{n}\n" for n in range(1, 21)))
    block = render("full", outcome([finding("long.py", 2, 1, end_line=19, end_column=7)]), Context(summary=False))
    numbers = [line.split("|")[0].strip() for line in block.splitlines()[1:] if not line.lstrip().startswith("|")]
    assert numbers[:5] == ["2", "3", "..", "18", "19"]


def test_full_without_the_source_still_says_everything_else(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no such file here
    block = render("full", outcome([finding("gone.py")]), Context(summary=False))
    assert block == "gone.py:1:1: NBL001 [kernel-arity] too many arguments.\n  = help: It raises TypeError."


def test_full_separates_findings_by_a_blank_line(source):
    text = render("full", outcome([finding("k.py", 1, 1), finding("k.py", 4, 5)], checked=1))
    assert text.count("\n\nk.py:") == 1


# -- json and json-lines ----------------------------------------------------------------


def test_json_is_one_object_of_findings_errors_and_a_summary():
    data = json.loads(render("json", outcome(errors=[SYNTAX_ERROR, MISSING], skipped=2)))
    assert list(data) == ["findings", "errors", "summary"]
    assert [(d["path"], d["line"]) for d in data["findings"]] == [("a.py", 1), ("a.py", 3), ("b.py", 9)]
    assert data["findings"][0] == {
        "code": "NBL001",
        "name": "kernel-arity",
        "message": "too many arguments. It raises TypeError.",
        "path": "a.py",
        "cell": None,  # set in notebooks only
        "line": 1,
        "column": 5,
        "end_line": 1,
        "end_column": 9,
        "severity": "error",
        "fix": None,
    }
    assert data["findings"][1]["fix"] == {
        "applicability": "safe",
        "message": "Add nogil=True",
        "edits": [{"line": 3, "column": 1, "end_line": 3, "end_column": 6, "content": "@njit(nogil=True)"}],
        "elsewhere": [],
    }
    assert data["errors"] == [
        {"path": "broken.py", "cell": None, "line": 2, "column": 5, "message": "cannot parse: '(' was never closed"},
        {"path": "gone.py", "cell": None, "line": None, "column": None, "message": "no such file or directory"},
    ]
    assert data["summary"] == {"findings": 3, "fixable": 1, "errors": 2, "files_checked": 5,
                               "files_skipped": 2, "edits_applied": 0}


def test_json_of_a_clean_run():
    assert json.loads(render("json", outcome([], checked=1))) == {
        "findings": [], "errors": [],
        "summary": {"findings": 0, "fixable": 0, "errors": 0, "files_checked": 1, "files_skipped": 0,
                    "edits_applied": 0},
    }


def test_json_lines_is_one_record_per_line_each_with_its_kind():
    lines = render("json-lines", outcome(errors=[SYNTAX_ERROR])).splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["kind"], r["path"], r["line"]) for r in records] == [
        ("finding", "a.py", 1), ("finding", "a.py", 3), ("finding", "b.py", 9), ("error", "broken.py", 2)]
    assert {key for key in records[0] if key != "kind"} == set(json.loads(render("json", outcome()))["findings"][0])
    assert render("json-lines", outcome([])) == ""


# -- github -----------------------------------------------------------------------------


def test_github_annotations_are_escaped():
    tricky = finding("dir,x/a:b.py", 2, 3, message="100% wrong\nsecond line")
    assert render("github", outcome([tricky])) == (
        "::error file=dir%2Cx/a%3Ab.py,line=2,col=3,endLine=2,endColumn=7,"
        "title=NBL001 kernel-arity::100%25 wrong%0Asecond line"
    )


def test_github_annotates_files_that_could_not_be_checked():
    assert render("github", outcome([], [MISSING, SYNTAX_ERROR])).splitlines() == [
        "::error file=broken.py,line=2,col=5,title=numbalint%3A not checked::cannot parse: '(' was never closed",
        "::error file=gone.py,title=numbalint%3A not checked::no such file or directory",
    ]


# -- sarif ------------------------------------------------------------------------------


def sarif(result: Outcome) -> dict:
    return json.loads(render("sarif", result, Context(rules=RULES)))


def test_sarif_has_rules_with_their_documentation_and_results():
    log = sarif(outcome())
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    first_rule = run["tool"]["driver"]["rules"][0]
    assert first_rule == {
        "id": "NBL001",
        "name": "kernel-arity",
        "shortDescription": {"text": "Wrong arguments"},
        "fullDescription": {"text": "Checks the arguments."},
        "help": {"text": RULES[0].documentation, "markdown": RULES[0].documentation},
        "helpUri": "https://github.com/numbalint/numbalint/blob/main/docs/rules/NBL001.md",
    }
    first, second, third = run["results"]
    assert first["ruleId"] == "NBL001" and first["ruleIndex"] == 0
    assert second["ruleIndex"] == 1
    assert "ruleIndex" not in third
    assert first["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1, "startColumn": 5, "endLine": 1, "endColumn": 9,
    }
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]


def test_sarif_reports_files_that_could_not_be_checked_as_notifications():
    (run,) = sarif(outcome(errors=[SYNTAX_ERROR, MISSING]))["runs"]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    syntax, missing = invocation["toolExecutionNotifications"]
    assert syntax == {
        "level": "error",
        "message": {"text": "cannot parse: '(' was never closed"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "broken.py"},
                                            "region": {"startLine": 2, "startColumn": 5}}}],
    }
    assert missing["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": "gone.py"}}}]


def test_sarif_uris_are_percent_encoded_and_absolute_paths_are_file_uris(tmp_path):
    absolute = str(tmp_path / "a b.py")
    (run,) = sarif(outcome([finding("dir/a b#1.py"), finding(absolute)]))["runs"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]]
    assert sorted(uris) == sorted(["dir/a%20b%231.py", (tmp_path / "a b.py").as_uri()])


@pytest.mark.parametrize("result", [
    outcome(),
    outcome([], checked=0),
    outcome(errors=[SYNTAX_ERROR, MISSING], skipped=3),
], ids=["findings", "empty", "with-errors"])
def test_sarif_validates_against_the_official_2_1_0_schema(result):
    import jsonschema

    schema = sarif_schema()
    jsonschema.validate(sarif(result), schema)
    # The control: the validator does reject what the schema forbids.
    broken = sarif(result)
    broken["runs"][0]["invocations"][0]["executionSuccessful"] = "no"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


# -- statistics -------------------------------------------------------------------------


STATS = [finding(code="NBL004", fix=SAFE), finding(code="NBL004", fix=SAFE), finding(code="NBL004"),
         finding(code="NBL001"), finding(code="NBL008", fix=UNSAFE)]


def test_statistics_count_each_rule_most_frequent_first_with_the_fixable():
    assert statistics.render("concise", outcome(STATS, checked=2)).splitlines() == [
        "3  NBL004  kernel-arity  2 fixable",
        "1  NBL001  kernel-arity",
        "1  NBL008  kernel-arity",
        "",
        "Found 5 problems in 1 file (2 fixable with --fix, 1 more fixable with --unsafe-fixes). Checked 2 files.",
    ]


@pytest.mark.parametrize("fmt", ["json", "json-lines"])
def test_statistics_as_json_for_the_json_formats(fmt):
    rows = json.loads(statistics.render(fmt, outcome(STATS), Context(unsafe_fixes=True)))
    assert rows == [
        {"code": "NBL004", "name": "kernel-arity", "count": 3, "fixable": 2},
        {"code": "NBL001", "name": "kernel-arity", "count": 1, "fixable": 0},
        {"code": "NBL008", "name": "kernel-arity", "count": 1, "fixable": 1},
    ]


# -- messages, errors and rules ---------------------------------------------------------


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


def test_a_rules_description_is_the_first_paragraph_of_what_it_does():
    assert RULES[0].description == "Checks the arguments."
    assert RuleInfo("X", "x", "summary", "none", "no sections").description == "summary"
