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


def run(paths: Sequence[Path], options: RunOptions) -> Report:
    files = [str(p) for p in paths]
    results = {r.path: r for r in _lint_pass([Task(path, options.enabled_for(path)) for path in files], options)}
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
        cached = cache.get(task.path, task.enabled, task.depends) if cache is not None else None
        if cached is None:
            todo.append(task)
        else:
            results[task.path] = _as_given(cached, task.path)
    for task, fresh in zip(todo, _check_all(todo, options.jobs)):
        results[task.path] = fresh
        if cache is not None and fresh.error is None:
            cache.put(task.path, task.enabled, fresh, task.depends)
    return [results[task.path] for task in tasks]


def _as_given(result: FileResult, path: str) -> FileResult:
    """A cached result under this run's spelling of the path (the cache keys absolute paths)."""
    if result.path == path:
        return result
    return replace(result, path=path, findings=tuple(replace(f, path=path) for f in result.findings))


def _second_pass(results: dict[str, FileResult], index: ProjectIndex, options: RunOptions) -> None:
    """Lint again, with the project index, the files whose imports reach its kernels."""
    tasks = []
    for path, result in results.items():
        depends = index.depends(path, result.imports) if result.imports else ()
        if depends:
            tasks.append(Task(path, options.enabled_for(path), depends))
    for fresh in _lint_pass(tasks, options):
        results[fresh.path] = replace(results[fresh.path], findings=fresh.findings, error=fresh.error)


def _fix_pass(results: dict[str, FileResult], index: ProjectIndex, options: RunOptions) -> None:
    wanted = accepts(options.fix)
    tasks = [
        Task(path, options.enabled_for(path), index.depends(path, r.imports) if index else (), options.fix,
             options.diff)
        for path, r in results.items()
        if any(f.fix is not None and wanted(f.fix) for f in r.findings)
    ]
    for fixed in _check_all(tasks, options.jobs):
        findings = results[fixed.path].findings if options.diff else fixed.findings
        results[fixed.path] = replace(results[fixed.path], findings=findings, error=fixed.error,
                                      fixed=fixed.fixed, diff=fixed.diff)


def _check_all(tasks: list[Task], jobs: int | None) -> list[FileResult]:
    return pool.run_isolated(check_file, tasks, jobs, on_crash=_crashed)


def _crashed(task: Task) -> FileResult:
    message = (
        f"skipped: the parser crashed or took over {pool.TASK_SECONDS} s on it "
        "(very deep nesting or a very long chain of operations)"
    )
    return FileResult(task.path, error=FileError(task.path, message))
