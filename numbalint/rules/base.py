"""The anatomy of a rule: metadata, documentation, and one check that asks the model."""

from __future__ import annotations

import inspect
from typing import ClassVar, Iterator, Literal

import libcst as cst

from numbalint.diagnostics import Diagnostic, Fix, Severity
from numbalint.model import ModuleModel

FixAvailability = Literal["none", "safe", "unsafe", "sometimes"]


class Rule:
    """A rule's class docstring is its documentation: what, why, example, instead, fix."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[Severity] = "error"
    fix: ClassVar[FixAvailability] = "none"

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
