"""Can these arguments bind to this kernel? Python's binding rules, statically."""

from __future__ import annotations

from dataclasses import dataclass

from numbalint.model.facts import Kernel, Signature


@dataclass(frozen=True)
class Arguments:
    """Arguments as a call site passes them: a count of positionals and keyword names."""

    positional: int
    keywords: tuple[str, ...] = ()

    def __add__(self, other: Arguments) -> Arguments:
        return Arguments(self.positional + other.positional, self.keywords + other.keywords)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def binding_problem(kernel: Kernel, passed: Arguments) -> str | None:
    """Why `passed` cannot bind to `kernel`, in words; None when it can or we cannot tell."""
    if kernel.signature is None:
        return None
    if kernel.kind == "jit":
        return _function_problem(kernel.signature, passed)
    return _ufunc_problem(kernel, passed)


def _function_problem(signature: Signature, passed: Arguments) -> str | None:
    positional = signature.positional()
    if passed.positional > len(positional) and not signature.has("var_positional"):
        names = ", ".join(p.name for p in positional)
        return f"takes {_plural(len(positional), 'argument')} ({names}) but {passed.positional} were given"
    by_name = {p.name: p for p in signature.params if p.kind in ("positional", "keyword_only")}
    filled = {p.name for p in positional[: passed.positional]}
    for keyword in passed.keywords:
        if keyword in filled:
            return f"gets argument '{keyword}' twice, by position and by keyword"
        if keyword not in by_name and not signature.has("var_keyword"):
            return f"has no parameter named '{keyword}'"
        filled.add(keyword)
    missing = [
        p.name for p in signature.params
        if p.kind in ("positional_only", "positional", "keyword_only")
        and not p.has_default and p.name not in filled
    ]
    if missing:
        return "is missing " + ", ".join(f"'{name}'" for name in missing)
    return None


def _ufunc_problem(kernel: Kernel, passed: Arguments) -> str | None:
    """A ufunc takes its inputs and may take its outputs; a gufunc may omit its outputs."""
    assert kernel.signature is not None
    if kernel.kind == "guvectorize":
        if kernel.layout is None:
            return None
        inputs, outputs = kernel.layout
    else:
        inputs, outputs = len(kernel.signature.positional()), 1
    if inputs <= passed.positional <= inputs + outputs:
        return None
    expected = f"{inputs}" if outputs == 0 else f"{inputs} to {inputs + outputs}"
    return f"takes {expected} arrays ({inputs} inputs, optional outputs) but {passed.positional} were given"
