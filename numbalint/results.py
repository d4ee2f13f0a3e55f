"""What checking one file produces, and what a whole run produces: plain data.

A `FileResult` crosses process boundaries (worker to parent) and is what the
cache stores, so it holds no tree nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from numbalint.diagnostics import FileError, Finding
from numbalint.model import Kernel


@dataclass(frozen=True)
class FileResult:
    path: str
    findings: tuple[Finding, ...] = ()
    error: FileError | None = None
    exports: Mapping[str, Kernel] = field(default_factory=dict)  # module-level kernels, by name
    imports: tuple[str, ...] = ()  # qualified names the module imports
    imported_as: Mapping[str, str] = field(default_factory=dict)  # top-level import bindings (re-exports)
    star_imports: tuple[str, ...] = ()  # modules re-exported whole by `from module import *`
    fixed: tuple[str, ...] = ()  # messages of the fixes applied
    diff: str = ""
    skipped: bool = False  # not parsed: it cannot involve numba or threads (or is a notebook in another language)
    timed_out_after: float | None = None  # seconds: given up as too slow to check
    # sha256 of the bytes checked ("" if none were read): what the cache keys the result by.
    digest: str = field(default="", compare=False)


@dataclass
class Report:
    """The results of a run, one per file, in the order the files were given."""

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
