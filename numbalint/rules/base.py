"""The anatomy of a rule: metadata, documentation, and one check that asks the model."""

from __future__ import annotations

import inspect
from typing import ClassVar, Iterator, Literal

import libcst as cst

from numbalint.diagnostics import Diagnostic, Fix, Severity
from numbalint.model import ModuleModel

# What `--fix` can do about a finding of the rule: "safe/unsafe" when it depends on
# the code (the rule's Fix section says when). The README's rule table says the same.
FixAvailability = Literal["none", "safe", "unsafe", "safe/unsafe"]

# The imports a rule's "Example" and "Use instead" blocks may assume; the docs
# tests lint each block with these in front of it.
DOC_PRELUDE = """\
import threading
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.pool import ThreadPool

import numba
import numpy as np
from numba import guvectorize, jit, njit, prange, vectorize
"""


class Rule:
    """A rule's class docstring is its documentation, in five sections: "## What it does",
    "## Why is this bad?", "## Example", "## Use instead", "## Fix". The Example and Use
    instead code blocks are tested: the first must be flagged by the rule, the second not
    (they may assume the imports in `DOC_PRELUDE`)."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[Severity] = "error"
    fix: ClassVar[FixAvailability] = "none"
    # False for a rule that runs only when a selector names it (ALL does).
    selected_by_default: ClassVar[bool] = True

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        raise NotImplementedError

    def report(self, node: cst.CSTNode, message: str, fix: Fix | None = None) -> Diagnostic:
        return Diagnostic(self.code, self.name, self.severity, message, node, fix)

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")


def quoted(names: list[str]) -> str:
    """`a`, `b` and `c`, in the order given."""
    items = [f"`{n}`" for n in names]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def via_suffix(via: str) -> str:
    """" (via lambda)" for a kernel a launch reaches indirectly, else ""."""
    return f" (via {via})" if via else ""
