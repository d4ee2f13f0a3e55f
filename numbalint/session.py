"""One lint invocation: settings, discovery, the runner, then output and exit status."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import click

from numbalint.cache import Cache
from numbalint.files import discover
from numbalint.output import format_file_errors, render, use_color
from numbalint.rules import ALL_RULES, RULE_IDS
from numbalint.runner import FixMode, Report, RunOptions, run
from numbalint.settings import ConfigError, Settings, load_settings, resolve_per_file_ignores, resolve_selection

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True)
class LintRequest:
    paths: tuple[str, ...]
    output_format: str = "text"
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    config: Path | None = None
    fix: FixMode = "off"
    diff: bool = False
    show_fixes: bool = False
    unsafe_fixes: bool = False
    cache: bool = True
    jobs: int | None = None


def lint(request: LintRequest) -> int:
    """Run the request, print the report, return the exit status."""
    try:
        settings = load_settings(_start(request.paths), select=request.select, ignore=request.ignore,
                                 extend_select=request.extend_select, exclude=request.exclude,
                                 config=request.config)
        enabled_for = _enabled_for(settings)
    except ConfigError as error:
        click.echo(f"numbalint: error: {error}", err=True)
        return EXIT_ERROR
    files, path_errors = discover(request.paths, exclude=settings.exclude, root=settings.root)
    use_cache = request.cache and request.fix == "off"
    report = run(files, RunOptions(enabled_for, request.fix, request.diff, request.jobs,
                                   Cache(settings.root) if use_cache else None))
    errors = path_errors + report.errors
    _print(request, report, len(files), len(errors))
    if errors:
        click.echo(format_file_errors(errors), err=True)
        return EXIT_ERROR
    if request.diff:
        return EXIT_FINDINGS if any(r.diff for r in report.results) else EXIT_CLEAN
    return EXIT_FINDINGS if report.findings else EXIT_CLEAN


def _start(paths: tuple[str, ...]) -> Path:
    """Where the configuration search starts: the first path's folder."""
    first = Path(paths[0]) if paths else Path.cwd()
    return (first if first.is_dir() else first.parent).resolve()


def _enabled_for(settings: Settings) -> Callable[[str], frozenset[str]]:
    enabled = resolve_selection(settings, RULE_IDS)
    ignored_in = resolve_per_file_ignores(settings, RULE_IDS)
    return lambda path: enabled - ignored_in(path)


def _print(request: LintRequest, report: Report, files_checked: int, unchecked: int) -> None:
    if request.diff:
        click.echo("".join(r.diff for r in report.results), nl=False)
        return
    if request.show_fixes:
        for result in report.results:
            for message in result.fixed:
                click.echo(f"{result.path}: fixed: {message}")
    rules = [(r.code, r.name, r.summary, r.documentation()) for r in ALL_RULES]
    text = render(request.output_format, report.findings, files_checked=files_checked,
                  unchecked=unchecked, fixed=report.fixed, unsafe_fixes=request.unsafe_fixes,
                  color=use_color(sys.stdout), rules=rules if request.output_format == "sarif" else ())
    if text:
        click.echo(text)
