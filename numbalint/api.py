"""numbalint as a library: lint text or paths and get the findings the CLI prints.

    import numbalint
    findings = numbalint.lint_source(text, path="pkg/launch.py")
    report = numbalint.lint_paths(["src/"], select=["NBL004"])

A `.ipynb` path is a Jupyter notebook (text is its JSON): its findings carry
`cell`, and their lines count from the start of that cell.

Settings come from the nearest `pyproject.toml` with a `[tool.numbalint]`
table, as on the command line; `select` and `ignore` are applied after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from numbalint.diagnostics import FileError, Finding
from numbalint.files import discover, named_files
from numbalint.imports import project_root
from numbalint.pipeline import Task, check_bytes
from numbalint.results import FileResult, Report
from numbalint.runner import RunOptions, run
from numbalint.settings import Settings, load_settings, rules_enabled_for


class LintError(Exception):
    """The source could not be checked (a syntax error, say); `error` says where and why."""

    def __init__(self, error: FileError) -> None:
        super().__init__(f"{error.location}: {error.message}")
        self.error = error


def lint_source(
    text: str,
    path: str = "<string>",
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
) -> list[Finding]:
    """The findings in `text`, read as if it were the file at `path` (whose
    configuration and per-file-ignores apply; a `.ipynb` path makes `text` a
    notebook's JSON). Raises `LintError` when the text cannot be checked and
    `settings.ConfigError` for a bad selection."""
    settings = _settings(_folder_of(path), select, ignore)
    result = check_bytes(Task(path, rules_enabled_for(settings)(path)), text.encode("utf-8"))
    return list(_findings_or_raise(result))


def lint_paths(
    paths: Sequence[str | Path],
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    jobs: int | None = None,
) -> Report:
    """Lint files and folders as `numbalint PATH...` does (without the cache);
    files that cannot be checked are in `Report.errors`."""
    given = [str(p) for p in paths]
    settings = _settings(_folder_of(given[0]) if given else Path.cwd(), select, ignore)
    files, path_errors = discover(given, exclude=settings.exclude, root=settings.root,
                                  respect_gitignore=settings.respect_gitignore, force_exclude=settings.force_exclude)
    report = run(files, RunOptions(rules_enabled_for(settings), jobs=jobs, named=named_files(given),
                                   root=project_root(settings)))
    return Report(report.results + [FileResult(e.path, error=e) for e in path_errors])


def _folder_of(path: str) -> Path:
    location = Path(path) if path != "<string>" else Path.cwd()
    return location if location.is_dir() else location.parent


def _settings(start: Path, select: Sequence[str] | None, ignore: Sequence[str]) -> Settings:
    return load_settings(start, select=list(select) if select is not None else None, ignore=list(ignore))


def _findings_or_raise(result: FileResult) -> tuple[Finding, ...]:
    if result.error is not None:
        raise LintError(result.error)
    return result.findings
