"""Orchestration: files -> parse -> model -> rules -> findings, across processes.

A run has up to three passes, each over only the files that need it:
1. every file: prefilter, parse, model, rules; collect the kernels it exports;
2. files importing kernels from other files of the run: again, with the
   project index, so that a launch in `driver.py` knows how `kernels.py`
   compiled what it launches;
3. with --fix/--diff, files that have fixes to apply.
Parsing runs in worker processes: libcst can overflow its stack on deeply
nested code and take the process down; a pool that breaks is replaced and the
files it held are retried one by one, so only the culprit is lost.
"""

from __future__ import annotations

import ast
import multiprocessing
import os
import re
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Literal, Mapping, Sequence

import libcst as cst

from numbalint.cache import Cache
from numbalint.diagnostics import Diagnostic, FileError, Finding, Fix
from numbalint.files import SourceError, read_bytes, write_atomic
from numbalint.model import Kernel, KernelLookup, ModuleModel
from numbalint.positions import positions
from numbalint.project import Dependencies, ProjectIndex
from numbalint.rules import ALL_RULES, RULES_BY_NAME
from numbalint.suppress import filter_suppressed

FixMode = Literal["off", "safe", "unsafe"]

# A file that mentions none of these cannot define a kernel or start a thread.
_MAY_MATTER = re.compile(rb"numba|[Tt]hread|Executor|Pool")
_NAME_TO_CODE = {name: rule.code for name, rule in RULES_BY_NAME.items()}
# Below this many files, starting worker processes costs more than it saves.
_PARALLEL_THRESHOLD = 16


@dataclass(frozen=True)
class Task:
    path: str
    enabled: frozenset[str]
    depends: Dependencies = ()  # kernels from the project index this file may use
    fix: FixMode = "off"
    diff: bool = False


@dataclass(frozen=True)
class FileResult:
    path: str
    findings: tuple[Finding, ...] = ()
    error: FileError | None = None
    exports: Mapping[str, Kernel] = field(default_factory=dict)
    imports: tuple[str, ...] = ()
    fixed: tuple[str, ...] = ()  # messages of the fixes applied
    diff: str = ""


@dataclass(frozen=True)
class RunOptions:
    enabled_for: Callable[[str], frozenset[str]]
    fix: FixMode = "off"
    diff: bool = False
    jobs: int | None = None
    cache: Cache | None = None


@dataclass
class Report:
    results: list[FileResult]

    @property
    def findings(self) -> list[Finding]:
        return sorted((f for r in self.results for f in r.findings), key=lambda f: f.sort_key)

    @property
    def errors(self) -> list[FileError]:
        return [r.error for r in self.results if r.error is not None]

    @property
    def fixed(self) -> int:
        return sum(len(r.fixed) for r in self.results)


# -- one file -------------------------------------------------------------------


def lint_module(module: cst.Module, enabled: frozenset[str], lookup: KernelLookup | None) -> tuple[ModuleModel, list[Diagnostic]]:
    """Build the model once and ask every enabled rule."""
    model = ModuleModel(module, lookup=lookup)
    diagnostics = [d for rule in ALL_RULES if rule.code in enabled for d in rule().check(model)]
    return model, diagnostics


# Long implicit string concatenations and operator chains nest deeply in the tree.
# From 3.11 on, Python-to-Python recursion does not use the C stack, so a higher
# limit is safe for our walker and for libcst's code generation.
_RECURSION_LIMIT = 20_000 if sys.version_info >= (3, 11) else 4_000


# libcst's parser takes minutes on pathological expressions (10,000 chained
# attribute accesses: 50 s). In a worker process an alarm ends the worker after
# this long; the pool notices, and the file is reported like a crash.
FILE_SECONDS = 20
_in_worker = False


def _start_worker() -> None:
    global _in_worker
    _in_worker = hasattr(signal, "SIGALRM")
    if _in_worker:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)


def check_file(task: Task) -> FileResult:
    """Everything about one file that a worker can do; never raises."""
    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    if _in_worker:
        signal.alarm(FILE_SECONDS)
    try:
        return _check_file(task)
    finally:
        if _in_worker:
            signal.alarm(0)


def _check_file(task: Task) -> FileResult:
    try:
        data = read_bytes(Path(task.path))
    except SourceError as error:
        return FileResult(task.path, error=error.file_error)
    if not _MAY_MATTER.search(data):
        return FileResult(task.path)
    try:
        if task.fix != "off":
            return _fix_file(task, data)
        return _check_source(task, data)
    except SourceError as error:  # the fixed file could not be written
        return FileResult(task.path, error=error.file_error)
    except cst.ParserSyntaxError as error:
        return FileResult(task.path, error=_syntax_error(task.path, data, error))
    except (UnicodeDecodeError, LookupError, SyntaxError) as error:  # bytes vs. declared encoding
        message = f"cannot decode the file ({error}); save it as UTF-8 or declare its encoding"
        return FileResult(task.path, error=FileError(task.path, message))
    except (RecursionError, MemoryError):
        return FileResult(task.path, error=FileError(task.path, "too deeply nested to check; it was skipped"))
    except Exception as error:  # a bug of ours must not end the run
        message = f"internal error ({type(error).__name__}: {error}); please report it with this file"
        return FileResult(task.path, error=FileError(task.path, message))


def _syntax_error(path: str, data: bytes, error: cst.ParserSyntaxError) -> FileError:
    """Python's own words for a syntax error (libcst's list every token it expected)."""
    try:
        compile(data, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as python:
        where = f"{path}:{python.lineno}:{python.offset or 1}"
        return FileError(where, f"cannot parse: {python.msg} (fix the syntax, then lint again)")
    except (ValueError, RecursionError, MemoryError):
        pass
    # Python accepts it: syntax newer than the libcst we run on.
    where = f"{path}:{error.raw_line}:{error.raw_column + 1}"
    return FileError(where, f"cannot parse this file with libcst {_libcst_version()} ({error.message}); "
                            "upgrading libcst may help")


def _libcst_version() -> str:
    from importlib.metadata import version

    return version("libcst")


def _lookup(task: Task) -> KernelLookup | None:
    return dict(task.depends).get if task.depends else None


def _check_source(task: Task, data: bytes) -> FileResult:
    module = cst.parse_module(data)
    model, diagnostics = lint_module(module, task.enabled, _lookup(task))
    exports = {name: k.detached(Path(task.path).name) for name, k in model.exported_kernels().items()}
    return FileResult(task.path, _findings(task.path, module, diagnostics), exports=exports,
                      imports=tuple(model.imported_names()))


def locate(
    path: str, module: cst.Module, diagnostics: Sequence[Diagnostic], *, with_fixes: bool = True
) -> list[tuple[Diagnostic, Finding]]:
    """Diagnostics paired with their located findings, less those a `# noqa` suppresses."""
    if not diagnostics:
        return []
    from numbalint.fixes import summarise_fix

    where = positions(module)
    findings = [
        Finding(path, where(d.node), d.code, d.name, d.severity, d.message,
                summarise_fix(module, d.fix, where) if d.fix and with_fixes else None)
        for d in diagnostics
    ]
    kept = {id(f) for f in filter_suppressed(findings, module.code, name_to_code=_NAME_TO_CODE)}
    return [(d, f) for d, f in zip(diagnostics, findings) if id(f) in kept]


def _findings(path: str, module: cst.Module, diagnostics: Sequence[Diagnostic]) -> tuple[Finding, ...]:
    return tuple(finding for _, finding in locate(path, module, diagnostics))


def _fix_file(task: Task, data: bytes) -> FileResult:
    """Apply fixes until stable; write the file, or with --diff only describe the change.

    The result carries the findings left after fixing (with --diff, nothing is
    written and the caller keeps the findings it had)."""
    from numbalint.fixes import fix_until_stable, unified_diff

    lookup = _lookup(task)

    def unsuppressed(module: cst.Module) -> list[Diagnostic]:
        diagnostics = lint_module(module, task.enabled, lookup)[1]
        return [d for d, _ in locate(task.path, module, diagnostics, with_fixes=False)]

    outcome = fix_until_stable(data, unsuppressed, accept=_acceptor(task.fix))
    fixed = outcome.module.bytes
    applied = tuple(a.message for a in outcome.applied)
    if task.diff:
        return FileResult(task.path, fixed=applied, diff=unified_diff(task.path, data, fixed) if fixed != data else "")
    if fixed != data:
        write_atomic(Path(task.path), fixed)
    return FileResult(task.path, _findings(task.path, outcome.module, outcome.remaining), fixed=applied)


def _acceptor(mode: FixMode) -> Callable[[Fix], bool]:
    return lambda fix: fix.applicability == "safe" or mode == "unsafe"


# -- many files -----------------------------------------------------------------


def run(paths: Sequence[Path], options: RunOptions) -> Report:
    files = [str(p) for p in paths]
    results = _first_pass(files, options)
    results = _second_pass(results, options)
    if options.fix != "off":
        results = _fix_pass(results, options)
    if options.cache is not None and options.fix == "off":
        options.cache.save()
    return Report([results[p] for p in files])


def _first_pass(files: list[str], options: RunOptions) -> dict[str, FileResult]:
    results: dict[str, FileResult] = {}
    todo: list[Task] = []
    for path in files:
        enabled = options.enabled_for(path)
        cached = options.cache.get(path, enabled) if options.cache else None
        if cached is not None:
            results[path] = _as_given(cached, path)
        else:
            todo.append(Task(path, enabled))
    for result in _map(check_file, todo, options.jobs):
        results[result.path] = result
        if options.cache is not None and result.error is None:
            options.cache.put(result.path, options.enabled_for(result.path), result)
    return results


def _as_given(cached: FileResult, path: str) -> FileResult:
    """A cached result under this run's spelling of the path (the cache keys absolute paths)."""
    if cached.path == path:
        return cached
    return replace(cached, path=path, findings=tuple(replace(f, path=path) for f in cached.findings))


def _second_pass(results: dict[str, FileResult], options: RunOptions) -> dict[str, FileResult]:
    index = ProjectIndex({path: r.exports for path, r in results.items()})
    if not index:
        return results
    todo: list[Task] = []
    for path, result in results.items():
        depends = index.depends(path, result.imports) if result.imports else ()
        if not depends:
            continue
        enabled = options.enabled_for(path)
        cached = options.cache.get(path, enabled, depends) if options.cache else None
        if cached is not None:
            results[path] = replace(result, findings=_as_given(cached, path).findings)
        else:
            todo.append(Task(path, enabled, depends))
    by_path = {task.path: task for task in todo}
    for fresh in _map(check_file, todo, options.jobs):
        results[fresh.path] = replace(results[fresh.path], findings=fresh.findings, error=fresh.error)
        if options.cache is not None and fresh.error is None:
            task = by_path[fresh.path]
            options.cache.put(fresh.path, task.enabled, fresh, task.depends)
    return results


def _fix_pass(results: dict[str, FileResult], options: RunOptions) -> dict[str, FileResult]:
    index = ProjectIndex({path: r.exports for path, r in results.items()})
    todo = [
        Task(path, options.enabled_for(path), index.depends(path, r.imports) if index else (), options.fix, options.diff)
        for path, r in results.items()
        if any(f.fix is not None and (f.fix.applicability == "safe" or options.fix == "unsafe") for f in r.findings)
    ]
    for fixed in _map(check_file, todo, options.jobs):
        findings = results[fixed.path].findings if options.diff else fixed.findings
        results[fixed.path] = replace(results[fixed.path], findings=findings, error=fixed.error,
                                      fixed=fixed.fixed, diff=fixed.diff)
    return results


def _map(work: Callable[[Task], FileResult], tasks: list[Task], jobs: int | None) -> Iterable[FileResult]:
    """Run `work` over `tasks` in worker processes; a crashed worker costs one file, not the run."""
    if not tasks:
        return []
    if jobs is None:
        jobs = (os.cpu_count() or 1) if len(tasks) >= _PARALLEL_THRESHOLD else 1
    workers = max(1, min(jobs, len(tasks)))
    results: dict[str, FileResult] = {}
    try:
        with _pool(workers) as pool:
            chunk = max(1, min(64, len(tasks) // (workers * 8) or 1))
            for result in pool.map(work, tasks, chunksize=chunk):
                results[result.path] = result
    except BrokenProcessPool:
        for task in tasks:
            if task.path not in results:
                results[task.path] = _alone(work, task)
    return [results[t.path] for t in tasks]


def _alone(work: Callable[[Task], FileResult], task: Task) -> FileResult:
    try:
        with _pool(1) as pool:
            return pool.submit(work, task).result()
    except BrokenProcessPool:
        message = (
            f"skipped: the parser crashed or took over {FILE_SECONDS} s on it "
            "(very deep nesting or a very long chain of operations)"
        )
        return FileResult(task.path, error=FileError(task.path, message))


def _pool(workers: int) -> ProcessPoolExecutor:
    # fork starts workers in milliseconds with libcst already imported; spawn costs a new interpreter.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker)
