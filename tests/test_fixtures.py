"""Every fixture lints to exactly the (line, code) pairs its `# expect:` markers name.

Bad fixtures mark each expected finding on its line; good fixtures mark none.
The whole fixtures folder is linted in one run, as a user would, so the project
index (fixtures/cross_module) takes part.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from numbalint.files import discover
from numbalint.rules import ALL_RULES
from numbalint.runner import RunOptions, run
from tests.conftest import ALL_CODES, FIXTURES
EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>NBL\d{3}(?:\s*,\s*NBL\d{3})*)")


def expected(path: Path) -> set[tuple[int, str]]:
    pairs = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            pairs |= {(number, code.strip()) for code in match.group("codes").split(",")}
    return pairs


@pytest.fixture(scope="module")
def reported() -> dict[str, set[tuple[int, str]]]:
    files, errors = discover([str(FIXTURES)], exclude=(), root=FIXTURES)
    assert not errors
    report = run(files, RunOptions(enabled_for=lambda _: ALL_CODES, jobs=1))
    assert not report.errors, report.errors
    found: dict[str, set[tuple[int, str]]] = {str(f): set() for f in files}
    for finding in report.findings:
        found[finding.path].add((finding.span.line, finding.code))
    return found


FIXTURE_FILES = sorted(FIXTURES.rglob("*.py"))


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[str(p.relative_to(FIXTURES)) for p in FIXTURE_FILES])
def test_fixture_findings_match_markers(path: Path, reported: dict[str, set[tuple[int, str]]]) -> None:
    assert reported[str(path)] == expected(path)


def test_bad_fixtures_expect_something_and_good_ones_nothing() -> None:
    for path in FIXTURE_FILES:
        if path.name.startswith("bad_"):
            assert expected(path), f"{path} is a bad fixture without an # expect: marker"
        if path.name.startswith("good_") or path.name.startswith("fixed_"):
            assert not expected(path), f"{path} is a good fixture with markers"


@pytest.mark.parametrize("rule", ALL_RULES, ids=[rule.code for rule in ALL_RULES])
def test_every_rule_has_bad_and_good_fixtures(rule) -> None:
    folder = FIXTURES / rule.code
    assert sorted(folder.glob("bad_*.py")), f"no bad fixtures for {rule.code}"
    assert sorted(folder.glob("good_*.py")), f"no good fixtures for {rule.code}"
    assert any(rule.code in {code for _, code in expected(p)} for p in folder.glob("bad_*.py"))


def test_blog_verbatim_reports_the_six_mistakes(reported: dict[str, set[tuple[int, str]]]) -> None:
    path = FIXTURES / "blog" / "verbatim.py"
    lines = path.read_text().splitlines()
    thread_line = next(i for i, line in enumerate(lines, 1) if "threading.Thread(target=lambda" in line)
    end_line = next(i for i, line in enumerate(lines, 1) if "end = (i + 1) * chunk_size" in line)
    assert reported[str(path)] == {
        (thread_line, "NBL001"), (thread_line, "NBL002"), (thread_line, "NBL003"),
        (thread_line, "NBL004"), (thread_line, "NBL006"), (end_line, "NBL005"),
    }


MARKER_TEXT = re.compile(r"#\s*expect:(?P<rest>.*)$")


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[str(p.relative_to(FIXTURES)) for p in FIXTURE_FILES])
def test_fixture_is_a_runnable_program_with_well_formed_markers(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        match = MARKER_TEXT.search(line)
        if match:  # a marker lists codes and nothing else
            assert re.fullmatch(r"\s*NBL\d{3}(\s*,\s*NBL\d{3})*\s*", match["rest"]), f"line {number}"
    if path.name.startswith(("bad_", "good_", "fixed_", "mistakes")):
        assert "def main():" in text and 'if __name__ == "__main__":' in text


def test_the_blogs_six_mistakes_are_also_in_our_own_program_and_its_fixes_are_clean() -> None:
    blog = FIXTURES / "blog"
    assert {code for _, code in expected(blog / "mistakes.py")} == {
        "NBL001", "NBL002", "NBL003", "NBL004", "NBL005", "NBL006"
    }
    assert not expected(blog / "fixed_threads.py") and not expected(blog / "fixed_parallel.py")
