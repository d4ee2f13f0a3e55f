"""The Python API returns the findings the CLI prints."""

from __future__ import annotations

from pathlib import Path

import pytest

import numbalint
from numbalint.api import LintError

BLOG = Path(__file__).resolve().parent.parent / "fixtures" / "blog" / "verbatim.py"


def test_lint_source_reports_the_blogs_mistakes() -> None:
    findings = numbalint.lint_source(BLOG.read_text(), path=str(BLOG))
    assert sorted({f.code for f in findings}) == ["NBL001", "NBL002", "NBL003", "NBL004", "NBL005", "NBL006"]
    assert {f.path for f in findings} == {str(BLOG)}


def test_lint_source_selects_and_ignores() -> None:
    text = BLOG.read_text()
    assert {f.code for f in numbalint.lint_source(text, select=["NBL004"])} == {"NBL004"}
    assert "NBL004" not in {f.code for f in numbalint.lint_source(text, ignore=["missing-nogil"])}


def test_lint_source_applies_the_files_per_file_ignores(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.numbalint]\nper-file-ignores = { "gen/*" = ["NBL001"] }\n')
    text = BLOG.read_text()
    assert "NBL001" in {f.code for f in numbalint.lint_source(text, path=str(tmp_path / "a.py"))}
    assert "NBL001" not in {f.code for f in numbalint.lint_source(text, path=str(tmp_path / "gen" / "a.py"))}


def test_lint_source_raises_for_text_it_cannot_check() -> None:
    with pytest.raises(LintError, match=r"a\.py:1:5: cannot parse: '\(' was never closed"):
        numbalint.lint_source("import numba\nx = (\n"[13:], path="a.py")


def test_lint_paths_matches_the_cli_and_reports_missing_paths(tmp_path: Path) -> None:
    report = numbalint.lint_paths([BLOG, tmp_path / "missing.py"], jobs=1)
    assert {f.code for f in report.findings} == {f.code for f in numbalint.lint_source(BLOG.read_text())}
    assert [Path(e.path).name for e in report.errors] == ["missing.py"]


def test_unused_noqa_runs_only_when_selected() -> None:
    text = "import numba\nx = 1  # noqa: NBL004\n"
    assert numbalint.lint_source(text) == []
    assert [f.code for f in numbalint.lint_source(text, select=["NBL004", "unused-noqa"])] == ["NBL100"]
