"""One lint invocation: settings, discovery, the runner, then output and exit status."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import click

from numbalint.cache import Cache, cache_folder
from numbalint.diagnostics import FileError, Finding
from numbalint.files import SourceError, decode_source, describe, discover, named_files, read_bytes, write_atomic
from numbalint.imports import project_root
from numbalint.output import EDIT_FORMATS, HUMAN_FORMATS, Context, Outcome, format_file_errors, render, statistics, use_color
from numbalint.pipeline import Task, check_bytes
from numbalint.limits import TASK_SECONDS
from numbalint.rule_docs import rule_infos
from numbalint.rules import NAME_TO_CODE
from numbalint.runner import FixMode, Report, RunOptions, run
from numbalint.settings import ConfigError, Settings, load_settings, rules_enabled_for
from numbalint.suppress import UNUSED_NOQA, add_noqa

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
QUIET, SILENT = 1, 2  # levels of LintRequest.quiet


@dataclass(frozen=True)
class LintRequest:
    paths: tuple[str, ...]
    output_format: str | None = None  # None: full on a terminal, else concise
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    config: Path | None = None
    respect_gitignore: bool | None = None  # None: as the config says
    force_exclude: bool | None = None
    fix: FixMode = "off"
    diff: bool = False
    show_fixes: bool = False
    unsafe_fixes: bool = False
    cache: bool = True
    cache_dir: Path | None = None  # default: $NUMBALINT_CACHE_DIR, else .numbalint_cache in the project root
    jobs: int | None = None
    statistics: bool = False
    output_file: Path | None = None
    exit_zero: bool = False  # exit 0 on findings (not on files that could not be checked)
    quiet: int = 0  # QUIET: findings only, no summary; SILENT: nothing at all
    verbose: bool = False  # say on stderr what was read and how long it took
    timeout: float = TASK_SECONDS  # per file
    stdin_filename: str | None = None  # lint standard input, shown as this path ("-" unnamed)
    add_noqa: bool = False  # write a `# noqa` on every finding's line instead of reporting

    @property
    def fixed_text_to_stdout(self) -> bool:
        """--fix on stdin prints the fixed text, and only it, on stdout (as Ruff does);
        the report goes to stderr."""
        return self.stdin_filename is not None and self.fix != "off" and not self.diff


def lint(request: LintRequest) -> int:
    """Run the request, print the report, return the exit status."""
    started = time.perf_counter()
    try:
        where = request.paths if request.stdin_filename is None else (request.stdin_filename,)
        settings = load_settings(_start(where), select=request.select, ignore=request.ignore,
                                 extend_select=request.extend_select, exclude=request.exclude,
                                 config=request.config, respect_gitignore=request.respect_gitignore,
                                 force_exclude=request.force_exclude)
        enabled_for = rules_enabled_for(settings)
    except ConfigError as error:
        _say(request, f"numbalint: error: {error}")
        return EXIT_ERROR
    if request.stdin_filename is not None:
        files, path_errors = [Path(request.stdin_filename)], []
        report = _lint_stdin(request, request.stdin_filename, enabled_for)
    else:
        files, path_errors = discover(request.paths, exclude=settings.exclude, root=settings.root,
                                      respect_gitignore=settings.respect_gitignore,
                                      force_exclude=settings.force_exclude)
        use_cache = request.cache and request.fix == "off"
        cache = Cache(cache_folder(settings.root, request.cache_dir)) if use_cache else None
        report = run(files, RunOptions(enabled_for, request.fix, request.diff, request.jobs, cache,
                                       timeout=request.timeout, named=named_files(request.paths),
                                       root=project_root(settings),
                                       # --fix tells local fixes (with edits) from those for other files
                                       edits=request.fix != "off" or _format(request) in EDIT_FORMATS))
        if request.add_noqa:
            return _suppress_in_place(request, report.findings, path_errors + report.errors)
    outcome = _outcome(report, path_errors)
    if request.verbose:
        _explain(request, settings, len(files), outcome, time.perf_counter() - started)
    try:
        _print(request, report, outcome)
    except OSError as error:
        _say(request, f"numbalint: error: cannot write {request.output_file}: {describe(error)}")
        return EXIT_ERROR
    if outcome.errors:
        _say(request, format_file_errors(outcome.errors))
    return _exit_status(request, report, outcome)


def _lint_stdin(request: LintRequest, path: str, enabled_for: Callable[[str], frozenset[str]]) -> Report:
    """Standard input, linted as the file at `path`; with --fix, the fixed
    text (or the text as it came) is printed on stdout."""
    data = click.get_binary_stream("stdin").read()
    fixed: list[bytes] = []
    result = check_bytes(Task(path, enabled_for(path), fix=request.fix, diff=request.diff), data,
                         write=fixed.append)
    if request.fixed_text_to_stdout:
        stdout = click.get_binary_stream("stdout")
        stdout.write(fixed[-1] if fixed else data)
        stdout.flush()
    return Report([result])


def _suppress_in_place(request: LintRequest, findings: Sequence[Finding], errors: list[FileError]) -> int:
    """--add-noqa: a `# noqa: CODES` on each finding's line, written back atomically.

    NBL100's own findings are left out: they are about noqa comments already
    there. Notebooks are not edited (their lines live inside JSON strings)."""
    by_path: dict[str, dict[int, set[str]]] = {}
    notebooks = sorted({finding.path for finding in findings if finding.cell is not None})
    for finding in findings:
        if finding.code != UNUSED_NOQA and finding.cell is None:
            by_path.setdefault(finding.path, {}).setdefault(finding.span.line, set()).add(finding.code)
    for path in notebooks:
        _say(request, f"{path}: --add-noqa does not edit notebooks; add `# noqa: CODE` to the cells' lines by hand")
    added = changed_files = 0
    for path, codes_by_line in by_path.items():
        try:
            skipped = _add_noqa_to_file(Path(path), codes_by_line)
        except SourceError as error:
            errors.append(error.file_error)
            continue
        for line in skipped:
            _say(request, _cannot_add(path, line, ", ".join(sorted(codes_by_line[line]))))
        added += len(codes_by_line) - len(skipped)
        changed_files += len(codes_by_line) > len(skipped)
    if request.quiet == 0:
        click.echo(f"Added {added} noqa directive{'s' * (added != 1)} to {changed_files} file{'s' * (changed_files != 1)}.")
    if errors:
        _say(request, format_file_errors(errors))
        return EXIT_ERROR
    all_added = added == sum(len(lines) for lines in by_path.values()) and not notebooks
    return EXIT_CLEAN if all_added else EXIT_FINDINGS


def _cannot_add(path: str, line: int, codes: str) -> str:
    return (f"{path}:{line}: cannot add `# noqa: {codes}`: the line ends inside a string or after a "
            f"backslash; use `# numbalint: noqa: {codes}` on a line of its own (whole file) or per-file-ignores")


def _add_noqa_to_file(path: Path, codes_by_line: dict[int, set[str]]) -> list[int]:
    """Add the directives to one file, keeping its encoding and line endings; the lines skipped."""
    data = read_bytes(path)
    text, encoding = decode_source(path, data)
    new_text, skipped = add_noqa(text, codes_by_line, name_to_code=NAME_TO_CODE)
    if new_text != text:
        write_atomic(path, new_text.encode(encoding))
    return skipped


def _start(paths: tuple[str, ...]) -> Path:
    """Where the configuration search starts: the first path's folder."""
    first = Path(paths[0]) if paths else Path.cwd()
    return (first if first.is_dir() else first.parent).resolve()


def _outcome(report: Report, path_errors: list[FileError]) -> Outcome:
    readable = [result for result in report.results if result.error is None]
    return Outcome(
        report.findings,
        path_errors + report.errors,
        files_checked=sum(not result.skipped for result in readable),
        files_skipped=sum(result.skipped for result in readable),
        edits_applied=report.fixed,
    )


def _exit_status(request: LintRequest, report: Report, outcome: Outcome) -> int:
    if outcome.errors:
        return EXIT_ERROR
    if request.exit_zero:
        return EXIT_CLEAN
    if request.diff:
        return EXIT_FINDINGS if any(r.diff for r in report.results) else EXIT_CLEAN
    return EXIT_FINDINGS if outcome.findings else EXIT_CLEAN


def _print(request: LintRequest, report: Report, outcome: Outcome) -> None:
    if request.diff:
        if request.quiet < SILENT:
            click.echo("".join(r.diff for r in report.results), nl=False)
        return
    fmt = _format(request)
    stdout_taken = request.fixed_text_to_stdout
    if request.show_fixes:
        # Beside a report for people; on stderr when stdout must stay parsable.
        listing = _applied_edits(report)
        if listing and request.quiet < SILENT:
            click.echo(listing, err=fmt not in HUMAN_FORMATS or request.output_file is not None or stdout_taken)
    text = _report(request, fmt, outcome)
    if request.output_file is not None:
        request.output_file.parent.mkdir(parents=True, exist_ok=True)
        request.output_file.write_text(text + "\n" if text else "", encoding="utf-8")
    elif text and request.quiet < SILENT:
        click.echo(text, err=stdout_taken)


def _format(request: LintRequest) -> str:
    """As asked; else full for a person at a terminal, concise for pipes and files."""
    if request.output_format is not None:
        return request.output_format
    return "full" if request.output_file is None and sys.stdout.isatty() else "concise"


def _report(request: LintRequest, fmt: str, outcome: Outcome) -> str:
    context = Context(
        unsafe_fixes=request.unsafe_fixes,
        color=request.output_file is None and use_color(sys.stdout),
        summary=request.quiet < QUIET,
        rules=rule_infos() if fmt == "sarif" else (),
    )
    if request.statistics:
        return statistics.render(fmt, outcome, context)
    return render(fmt, outcome, context)


def _applied_edits(report: Report) -> str:
    return "\n".join(f"{result.path}: fixed: {message}" for result in report.results for message in result.fixed)


def _explain(request: LintRequest, settings: Settings, found: int, outcome: Outcome, seconds: float) -> None:
    """-v: which configuration was read, what happened to the files, how long it took."""
    config = settings.config_path or "none found, the defaults apply"
    _say(request, f"numbalint: configuration: {config}")
    _say(request, f"numbalint: {found} files found: {outcome.files_checked} checked, "
                  f"{outcome.files_skipped} skipped (no numba or threads), "
                  f"{len(outcome.errors)} could not be checked")
    _say(request, f"numbalint: done in {seconds:.2f} s")


def _say(request: LintRequest, line: str) -> None:
    """A line on stderr, unless --silent."""
    if request.quiet < SILENT:
        click.echo(line, err=True)
