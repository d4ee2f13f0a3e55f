"""A run over many files: up to three passes, each over only the files that need it.

1. every file: prefilter, parse, model, rules; collect the kernels it exports;
2. files importing kernels from other files of the run: again, with the
   project index, so that a launch in `driver.py` knows how `kernels.py`
   compiled what it launches;
3. with --fix/--diff, files that have fixes to apply.

One file's work is `pipeline.check_file`; `pool.run_isolated` runs it in
worker processes; the cache skips files whose result is known.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

from numbalint.cache import Cache
from numbalint.diagnostics import FileError
from numbalint.pipeline import FixMode, Task, accepts, check_file
from numbalint import pool
from numbalint.project import ProjectIndex
from numbalint.results import FileResult, Report


@dataclass(frozen=True)
class RunOptions:
    enabled_for: Callable[[str], frozenset[str]]
    fix: FixMode = "off"
    diff: bool = False
    jobs: int | None = None
    cache: Cache | None = None
    timeout: float = pool.TASK_SECONDS  # per file
    named: frozenset[str] = frozenset()  # files named on the command line: parsed even if the prefilter says no


def run(paths: Sequence[Path], options: RunOptions) -> Report:
    files = [str(p) for p in paths]
    first = [Task(path, options.enabled_for(path), named=path in options.named) for path in files]
    results = {r.path: r for r in _lint_pass(first, options)}
    index = ProjectIndex({path: r.exports for path, r in results.items()})
    if index:
        _second_pass(results, index, options)
    if options.fix != "off":
        _fix_pass(results, index, options)
    if options.cache is not None and options.fix == "off":
        options.cache.save()
    return Report([results[p] for p in files])


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


def _second_pass(results: dict[str, FileResult], index: ProjectIndex, options: RunOptions) -> None:
    """Lint again, with the project index, the files whose imports reach its kernels."""
    tasks = []
    for path, result in results.items():
        depends = index.depends(path, result.imports) if result.imports else ()
        if depends:
            tasks.append(Task(path, options.enabled_for(path), depends, named=path in options.named))
    for fresh in _lint_pass(tasks, options):
        results[fresh.path] = replace(results[fresh.path], findings=fresh.findings, error=fresh.error)


def _fix_pass(results: dict[str, FileResult], index: ProjectIndex, options: RunOptions) -> None:
    wanted = accepts(options.fix)
    tasks = [
        Task(path, options.enabled_for(path), index.depends(path, r.imports) if index else (), options.fix,
             options.diff, named=path in options.named)
        for path, r in results.items()
        if any(f.fix is not None and wanted(f.fix) for f in r.findings)
    ]
    for fixed in _check_all(tasks, options):
        findings = results[fixed.path].findings if options.diff else fixed.findings
        results[fixed.path] = replace(results[fixed.path], findings=findings, error=fixed.error,
                                      fixed=fixed.fixed, diff=fixed.diff)


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
