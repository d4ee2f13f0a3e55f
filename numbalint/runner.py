"""A run over many files: up to three passes, each over only the files that need it.

1. every file: prefilter, parse, model, rules; collect the kernels it exports.
   Project modules the files import but the run was not given (pre-commit
   passes only what changed) are read too, for the index only;
2. files importing kernels from other files: again, with the project index,
   so that a launch in `driver.py` knows how `kernels.py` compiled what it
   launches;
3. with --fix/--diff, files that have fixes to apply, including the files
   whose kernels other files' fixes edit (`Fix.elsewhere`); after those, the
   files that launch them are linted again.

One file's work is `pipeline.check_file`; `pool.run_isolated` runs it in
worker processes; the cache skips files whose result is known.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

from numbalint.cache import Cache
from numbalint.diagnostics import FileError, FixSummary, OptionElsewhere
from numbalint.imports import ModuleFinder, shown_path
from numbalint.pipeline import FixMode, Task, accepts, check_file
from numbalint import pool
from numbalint.project import ProjectIndex
from numbalint.results import FileResult, Report

# How many imports deep modules outside the run are read for the index
# (a launcher, the package `__init__.py` it imports from, the module defining the kernel...).
_IMPORT_DEPTH = 4


@dataclass(frozen=True)
class RunOptions:
    enabled_for: Callable[[str], frozenset[str]]
    fix: FixMode = "off"
    diff: bool = False
    jobs: int | None = None
    cache: Cache | None = None
    timeout: float = pool.TASK_SECONDS  # per file
    named: frozenset[str] = frozenset()  # files named on the command line: parsed even if the prefilter says no
    root: Path | None = None  # the project root: imports are looked for there, files named from it
    edits: bool = True  # findings carry their fixes' text edits (the formats that print them)


def run(paths: Sequence[Path], options: RunOptions) -> Report:
    files = [str(p) for p in paths]
    first = [Task(path, options.enabled_for(path), named=path in options.named, edits=options.edits)
             for path in files]
    results = {r.path: r for r in _lint_pass(first, options)}
    imported = _read_imported(results.values(), options)
    index = _index(results, imported, options)
    if index:
        _second_pass(results, index, options)
    fixed_elsewhere: list[FileResult] = []
    if options.fix != "off":
        fixed_elsewhere = _fix_pass(results, imported, index, options)
    if options.cache is not None and options.fix == "off":
        options.cache.save()
    return Report([results[p] for p in files] + fixed_elsewhere)


def _lint_pass(tasks: list[Task], options: RunOptions) -> list[FileResult]:
    """Results for the tasks, from the cache where it knows them, else from workers."""
    cache = options.cache
    results: dict[str, FileResult] = {}
    todo: list[Task] = []
    for task in tasks:
        cached = cache.get(task, options.timeout) if cache is not None else None
        if cached is None:
            todo.append(task)
        else:
            results[task.path] = cached
    for task, fresh in zip(todo, _check_all(todo, options)):
        results[task.path] = fresh
        if cache is not None:
            cache.put(task, fresh)
    return [results[task.path] for task in tasks]


def _second_pass(
    results: dict[str, FileResult], index: ProjectIndex, options: RunOptions, only: Collection[str] | None = None
) -> None:
    """Lint again, with the project index, the files whose imports reach its kernels
    (of those, the ones in `only`, when given)."""
    tasks = []
    for path, result in results.items():
        if only is not None and path not in only:
            continue
        depends = index.depends(path, result.imports) if result.imports else ()
        if depends:
            tasks.append(Task(path, options.enabled_for(path), depends, named=path in options.named,
                              edits=options.edits))
    for fresh in _lint_pass(tasks, options):
        results[fresh.path] = replace(results[fresh.path], findings=fresh.findings, error=fresh.error)


def _fix_pass(
    results: dict[str, FileResult], imported: dict[str, FileResult], index: ProjectIndex, options: RunOptions
) -> list[FileResult]:
    """Fix the files with fixes to apply, and the files other files' fixes edit. Returns
    what was fixed in files the run was not given (they are reported only for that)."""
    wanted = accepts(options.fix)
    requests = {path: asked for path, asked in _requests_by_file(results.values(), wanted).items()
                if path in results or path in imported}  # files this run has read
    tasks = [
        Task(path, options.enabled_for(path), index.depends(path, r.imports) if index else (), options.fix,
             options.diff, named=path in options.named, requests=requests.get(path, ()))
        for path, r in results.items()
        if path in requests or any(f.fix is not None and f.fix.edits and wanted(f.fix) for f in r.findings)
    ]
    # A file read only for the index gets only what others ask of it, none of its own fixes.
    tasks += [Task(path, frozenset(), (), options.fix, options.diff, requests=requests[path])
              for path in requests if path in imported]
    fixed_elsewhere = []
    for fixed in _check_all(tasks, options):
        if fixed.path in imported:
            fixed_elsewhere.append(replace(fixed, findings=()))
            continue
        findings = results[fixed.path].findings if options.diff else fixed.findings
        results[fixed.path] = replace(results[fixed.path], findings=findings, error=fixed.error,
                                      fixed=fixed.fixed, diff=fixed.diff)
    if requests and not options.diff:
        _relint_launchers(results, imported, set(requests), options)
    return fixed_elsewhere


# -- across files -------------------------------------------------------------


def _read_imported(given: Collection[FileResult], options: RunOptions) -> dict[str, FileResult]:
    """Project modules that the given files import (directly, or through a package's
    `__init__.py`) but the run was not given: read through the cache, with no rule
    enabled, for the project index only. Never reported on."""
    finder = ModuleFinder(options.root)
    known = {Path(r.path).resolve() for r in given}
    frontier = list(given)
    found: dict[str, FileResult] = {}
    for _ in range(_IMPORT_DEPTH):
        new = {
            file
            for result in frontier for qualified in result.imports
            for file in finder.files(result.path, qualified)
            if file not in known
        }
        if not new:
            break
        known |= new
        frontier = _lint_pass([Task(shown_path(file), frozenset()) for file in sorted(new)], options)
        found.update((r.path, r) for r in frontier)
    return found


def _index(results: Mapping[str, FileResult], imported: Mapping[str, FileResult], options: RunOptions) -> ProjectIndex:
    """The index over the given files and those read for it."""
    files = [*results.values(), *imported.values()]
    return ProjectIndex({r.path: r.exports for r in files}, {r.path: r.imported_as for r in files},
                        root=options.root, star_reexports={r.path: r.star_imports for r in files})


def _requests_by_file(
    results: Iterable[FileResult], wanted: Callable[[FixSummary], bool]
) -> dict[str, tuple[OptionElsewhere, ...]]:
    """The edits the wanted fixes ask of other files, by file, each once."""
    by_file: dict[str, set[OptionElsewhere]] = {}
    for result in results:
        for finding in result.findings:
            if finding.fix is not None and wanted(finding.fix):
                for request in finding.fix.elsewhere:
                    by_file.setdefault(request.path, set()).add(request)
    return {path: tuple(sorted(found, key=lambda r: (r.kernel, r.option))) for path, found in by_file.items()}


def _relint_launchers(
    results: dict[str, FileResult], imported: dict[str, FileResult], edited: set[str], options: RunOptions
) -> None:
    """After kernels in `edited` files were fixed, their launchers' findings are stale:
    index those files again and lint again the files that use their kernels."""
    for fresh in _lint_pass([Task(path, frozenset()) for path in edited], options):
        owner = results if fresh.path in results else imported
        owner[fresh.path] = replace(owner[fresh.path], exports=fresh.exports, imported_as=fresh.imported_as,
                                    star_imports=fresh.star_imports)
    index = _index(results, imported, options)
    uses_edited = {
        path for path, r in results.items()
        if any(k.defined_in in edited for _, k in index.depends(path, r.imports))
    }
    _second_pass(results, index, options, only=uses_edited)


def _check_all(tasks: list[Task], options: RunOptions) -> list[FileResult]:
    seconds = options.timeout

    def timed_out(task: Task) -> FileResult:
        message = (f"skipped: took over {seconds:g} s to check (libcst is slow on very long chains of "
                   "operations); raise --timeout to check it")
        return FileResult(task.path, error=FileError(task.path, message), timed_out_after=seconds)

    return pool.run_isolated(check_file, tasks, options.jobs, seconds=seconds, on_crash=_crashed,
                             on_timeout=timed_out)


def _crashed(task: Task) -> FileResult:
    message = "skipped: the parser crashed on it (libcst overflows its stack on very deep nesting)"
    return FileResult(task.path, error=FileError(task.path, message))
