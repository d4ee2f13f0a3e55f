"""One file's pipeline: read, prefilter, parse, model, rules, locate, suppress, fix.

Everything here runs inside a worker process and never raises: whatever goes
wrong with one file becomes that file's `FileError`.
"""

from __future__ import annotations

import ast
import hashlib
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Literal, Sequence

import libcst as cst

from numbalint.diagnostics import Diagnostic, FileError, Finding, Fix, FixSummary, OptionElsewhere
from numbalint.files import NOTEBOOK_SUFFIX, SourceError, read_bytes, write_atomic
from numbalint.model import KernelLookup, ModuleModel
from numbalint.positions import Positions
from numbalint.project import Dependencies
from numbalint.results import FileResult
from numbalint.rules import ALL_RULES, NAME_TO_CODE, RULES_BY_CODE
from numbalint.rules.edits import requested_fixes
from numbalint.rules.unused_noqa import UnusedNoqa, noqa_comment_holders
from numbalint.suppress import UNUSED_NOQA, Suppressions

if TYPE_CHECKING:
    from numbalint.notebook import Notebook

FixMode = Literal["off", "safe", "unsafe"]

# A file that mentions none of these cannot define a kernel or start a thread.
MAY_MATTER = re.compile(rb"numba|[Tt]hread|[Ee]xecutor|Pool|joblib")
# A package's `__init__.py` may re-export kernels (`from .kern import square`, `from .kern import *`)
# without naming numba; a plain `import os` re-exports nothing of ours.
_MAY_REEXPORT = re.compile(rb"^[ \t]*from[ \t]+[\w.]+[ \t]+import\b", re.MULTILINE)

# Long implicit string concatenations and operator chains nest deeply in the tree.
# From 3.11 on, Python-to-Python recursion does not use the C stack, so a higher
# limit is safe for our walker and for libcst's code generation.
_RECURSION_LIMIT = 20_000 if sys.version_info >= (3, 11) else 4_000


@dataclass(frozen=True)
class Task:
    path: str
    enabled: frozenset[str]
    depends: Dependencies = ()  # kernels from the project index this file may use
    fix: FixMode = "off"
    diff: bool = False
    named: bool = False  # named on the command line: checked even if the prefilter would skip it
    requests: tuple[OptionElsewhere, ...] = ()  # fixes other files ask of this file's kernels
    edits: bool = True  # findings carry their fixes' text edits (else only the fix's title)


@dataclass(frozen=True)
class _Source:
    """A file as read (`data`) and the Python module in it (`code`): the
    file itself, or a notebook's code cells."""

    data: bytes
    code: bytes
    notebook: Notebook | None = None

    def with_code(self, fixed: bytes) -> bytes:
        """The file's bytes for a fixed version of `code`."""
        return self.notebook.with_code(fixed) if self.notebook is not None else fixed

    def in_file(self, result: FileResult) -> FileResult:
        """A result about `code` as one about the file: in a notebook, findings
        are placed in cells, and no kernel is exported (a notebook cannot be
        imported; `analysis.py` may be what `import analysis` means), nor re-exported."""
        if self.notebook is None:
            return result
        return replace(result, findings=tuple(self.notebook.place(f) for f in result.findings), exports={},
                       imported_as={}, star_imports=())

    def error_at(self, path: str, message: str, line: int, column: int) -> FileError:
        """An error at a place in `code` (in a notebook, in its cell)."""
        if self.notebook is None:
            return FileError(path, message, line, column)
        cell, line_in_cell = self.notebook.cell_at(line)
        return FileError(path, message, line_in_cell, column, cell)


def _read_source(path: str, data: bytes) -> _Source | None:
    """The module to lint in `data`; None for a notebook whose kernel is not Python."""
    if not path.endswith(NOTEBOOK_SUFFIX):
        return _Source(data, data)
    from numbalint.notebook import read_notebook  # only for notebooks

    notebook = read_notebook(Path(path), data)
    return _Source(data, notebook.code, notebook) if notebook is not None else None


def diagnose(model: ModuleModel, enabled: frozenset[str]) -> list[Diagnostic]:
    """Ask every enabled rule about one module's model."""
    return [d for rule in ALL_RULES if rule.code in enabled for d in rule().check(model)]


def lint_module(module: cst.Module, enabled: frozenset[str], lookup: KernelLookup | None) -> list[Diagnostic]:
    """Build the model once and ask every enabled rule."""
    return diagnose(ModuleModel(module, lookup=lookup), enabled)


def check_file(task: Task) -> FileResult:
    """Everything about one file that a worker can do; never raises."""
    try:
        data = read_bytes(Path(task.path))
    except SourceError as error:
        return FileResult(task.path, error=error.file_error)
    digest = content_digest(data)
    if not task.named and not _may_matter(task.path, data):
        return FileResult(task.path, skipped=True, digest=digest)
    return replace(check_bytes(task, data), digest=digest)


def content_digest(data: bytes) -> str:
    """What the cache knows a file's contents by."""
    return hashlib.sha256(data).hexdigest()


def _may_matter(path: str, data: bytes) -> bool:
    if MAY_MATTER.search(data):
        return True
    return Path(path).name == "__init__.py" and _MAY_REEXPORT.search(data) is not None


def check_bytes(task: Task, data: bytes, *, write: Callable[[bytes], None] | None = None) -> FileResult:
    """Check `data` as the contents of `task.path`; never raises. With a fix
    mode, the fixed file is written to `task.path` (or, with `task.diff`,
    shown); `write` receives it instead when given (stdin's fixed text goes
    to stdout)."""
    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    source = _Source(data, data)  # what a syntax error is located in, until a notebook is read
    try:
        notebook_or_file = _read_source(task.path, data)
        if notebook_or_file is None:
            return FileResult(task.path, skipped=True)  # a notebook in another language: no Python to check
        source = notebook_or_file
        if task.fix != "off":
            return source.in_file(_fix_file(task, source, write or _writer(task.path)))
        return source.in_file(_check_source(task, source.code))
    except SourceError as error:  # not a readable notebook, or the fixed file could not be written
        return FileResult(task.path, error=error.file_error)
    except cst.ParserSyntaxError as error:
        return FileResult(task.path, error=_syntax_error(task.path, source, error))
    except (UnicodeDecodeError, LookupError, SyntaxError) as error:  # bytes vs. declared encoding
        message = f"cannot decode the file ({error}); save it as UTF-8 or declare its encoding"
        return FileResult(task.path, error=FileError(task.path, message))
    except (RecursionError, MemoryError):
        return FileResult(task.path, error=FileError(task.path, "too deeply nested to check; it was skipped"))
    except Exception as error:  # a bug of ours must not end the run
        message = f"internal error ({type(error).__name__}: {error}); please report it with this file"
        return FileResult(task.path, error=FileError(task.path, message))


def _syntax_error(path: str, source: _Source, error: cst.ParserSyntaxError) -> FileError:
    """Python's own words for a syntax error (libcst's list every token it expected)."""
    try:
        compile(source.code, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as python:
        return source.error_at(path, f"cannot parse: {python.msg} (fix the syntax, then lint again)",
                               python.lineno or 1, python.offset or 1)
    except (ValueError, RecursionError, MemoryError):
        pass
    # Python accepts it: syntax newer than the libcst we run on.
    return source.error_at(path, f"cannot parse this file with libcst {_libcst_version()} ({error.message}); "
                                 "upgrading libcst may help", error.raw_line, error.raw_column + 1)


def _libcst_version() -> str:
    from importlib.metadata import version

    return version("libcst")


def _lookup(task: Task) -> KernelLookup | None:
    return dict(task.depends).get if task.depends else None


def _check_source(task: Task, data: bytes) -> FileResult:
    module = cst.parse_module(data)
    model = ModuleModel(module, lookup=_lookup(task))
    diagnostics = diagnose(model, task.enabled)
    exports = {name: k.detached(task.path) for name, k in model.kernels.exported().items()}
    judged = _noqa_judged(task.enabled, data)
    return FileResult(task.path, _findings(task.path, module, diagnostics, judged, task.edits), exports=exports,
                      imports=tuple(model.names.imported()), imported_as=model.names.imported_as(),
                      star_imports=tuple(model.names.star_imported()))


def locate(
    path: str, module: cst.Module, diagnostics: Sequence[Diagnostic], *,
    enabled: frozenset[str] = frozenset(), with_fixes: bool = True,
) -> list[tuple[Diagnostic, Finding]]:
    """Diagnostics paired with their located findings, less those a `# noqa`
    suppresses; with NBL100 in `enabled`, plus its reports of unused noqa
    codes, judged against the rest (any NBL100 diagnostics given, from an
    earlier call, are made afresh)."""
    check_noqa = UNUSED_NOQA in enabled
    diagnostics = [d for d in diagnostics if d.code != UNUSED_NOQA]
    from numbalint.fixes import summarise_fix

    holders = noqa_comment_holders(module) if check_noqa else []
    if not diagnostics and not holders:
        return []
    replaced = [r.old for d in diagnostics if d.fix and with_fixes for r in d.fix.replacements]
    comments = [holder.comment for holder in holders]
    where = Positions(module, [*(d.node for d in diagnostics), *replaced, *holders, *comments])

    def located(diagnostic: Diagnostic) -> Finding:
        fix = diagnostic.fix and (summarise_fix(module, diagnostic.fix, where) if with_fixes else titled(diagnostic.fix))
        return Finding(path, where(diagnostic.node), diagnostic.code, diagnostic.name,
                       diagnostic.severity, diagnostic.message, fix)

    suppressions = Suppressions(where.code, name_to_code=NAME_TO_CODE)
    pairs = [(d, located(d)) for d in diagnostics]
    kept = [(d, f) for d, f in pairs if not suppressions.suppresses(f)]
    if holders:
        unused = suppressions.unused((f for _, f in pairs), judged=enabled, known=RULES_BY_CODE.keys())
        reports = UnusedNoqa().report_unused(unused, holders, where, name_to_code=NAME_TO_CODE)
        kept += [(d, located(d)) for d in reports]
    return kept


def titled(fix: Fix) -> FixSummary:
    """What a fix is, without building it: enough for `[*]`, counts and its title."""
    return FixSummary(fix.message, fix.applicability, (), fix.elsewhere)


def _noqa_judged(enabled: frozenset[str], code: bytes) -> frozenset[str]:
    """NBL100 has nothing to judge in a module without a noqa comment: spare it the walk."""
    return enabled if b"noqa" in code.lower() else enabled - {UNUSED_NOQA}


def _findings(
    path: str, module: cst.Module, diagnostics: Sequence[Diagnostic], enabled: frozenset[str], edits: bool = True
) -> tuple[Finding, ...]:
    return tuple(finding for _, finding in locate(path, module, diagnostics, enabled=enabled, with_fixes=edits))


def _writer(path: str) -> Callable[[bytes], None]:
    return lambda data: write_atomic(Path(path), data)


def _fix_file(task: Task, source: _Source, write: Callable[[bytes], None]) -> FileResult:
    """Apply fixes until stable; write the file, or with --diff only describe the change.

    The result carries the findings left after fixing (with --diff, nothing is
    written and the caller keeps the findings it had)."""
    from numbalint.fixes import fix_until_stable, unified_diff

    lookup = _lookup(task)
    judged = _noqa_judged(task.enabled, source.code)
    # Every diagnostic of the module linted last, suppressed ones too: NBL100
    # judges the noqa comments of the final module against all of them.
    latest: list[Diagnostic] = []

    def unsuppressed(module: cst.Module) -> list[Diagnostic]:
        latest[:] = lint_module(module, task.enabled, lookup)
        return [d for d, _ in locate(task.path, module, latest, enabled=judged, with_fixes=False)]

    def requested(module: cst.Module) -> list[Fix]:
        return requested_fixes(ModuleModel(module), task.requests) if task.requests else []

    outcome = fix_until_stable(source.code, unsuppressed, accept=accepts(task.fix), offered=requested)
    fixed = source.with_code(outcome.module.bytes) if outcome.module.bytes != source.code else source.data
    applied = tuple(outcome.applied)
    if task.diff:
        diff = unified_diff(task.path, source.data, fixed) if fixed != source.data else ""
        return FileResult(task.path, fixed=applied, diff=diff)
    if fixed != source.data:
        write(fixed)
    return FileResult(task.path, _findings(task.path, outcome.module, latest, judged), fixed=applied)


def accepts(mode: FixMode) -> Callable[[Fix | FixSummary], bool]:
    """Which fixes a fix mode applies."""
    return lambda fix: fix.applicability == "safe" or mode == "unsafe"
