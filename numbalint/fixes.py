"""Applying fixes: many per round, without conflicts, until nothing changes.

The engine knows nothing about why a fix exists. A fix is a set of node
replacements, applied all together or not at all; two fixes conflict when one
replaces a node that the other replaces too (differently), contains or sits
inside. Replacements that are the same (same node, same generated code, as when
two launches of one kernel both ask for `nogil=True` on its decorator) merge.
A round's result must parse again before it is kept, so a file is never left
broken; and when the original compiles, the result must compile too (libcst's
parser accepts some code that Python rejects, such as a parameter that is also
declared `nonlocal`, or a repeated keyword argument).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import libcst as cst

from numbalint.diagnostics import Diagnostic, Edit, Fix, FixSummary, Replacement
from numbalint.positions import Positions


@dataclass(frozen=True)
class FixOutcome:
    """The fixed module, what was applied, and the diagnostics left in it."""

    module: cst.Module
    applied: tuple[str, ...]  # the messages of the edits that went in, one per edit
    remaining: tuple[Diagnostic, ...]
    rounds: int


@dataclass(frozen=True)
class _Claim:
    old: cst.CSTNode
    new: cst.CSTNode
    code: str
    subtree: frozenset[int]  # ids of `old` and every node below it


class _Claims:
    """The replacements accepted so far in one round."""

    def __init__(self, module: cst.Module) -> None:
        self._module = module
        self.by_old: dict[int, _Claim] = {}
        self._covered: set[int] = set()  # every node inside an accepted `old`

    def try_claim(self, fix: Fix) -> bool:
        """Accept all of the fix's replacements, or none if any conflicts."""
        staged: dict[int, _Claim] = {}
        for replacement in fix.replacements:
            claim = self._claim(replacement)
            if any(_conflict(claim, other) for other in staged.values()) or self._conflicts(claim):
                return False
            staged[id(claim.old)] = claim
        for key, claim in staged.items():
            self.by_old[key] = claim
            self._covered |= claim.subtree
        return bool(staged)

    def _claim(self, replacement: Replacement) -> _Claim:
        old, new = replacement.old, replacement.new
        return _Claim(old, new, self._module.code_for_node(new), _subtree_ids(old))

    def _conflicts(self, claim: _Claim) -> bool:
        same = self.by_old.get(id(claim.old))
        if same is not None:
            return same.code != claim.code
        return id(claim.old) in self._covered or any(key in claim.subtree for key in self.by_old)


def _conflict(claim: _Claim, other: _Claim) -> bool:
    if claim.old is other.old:
        return claim.code != other.code
    return id(claim.old) in other.subtree or id(other.old) in claim.subtree


def _subtree_ids(node: cst.CSTNode) -> frozenset[int]:
    ids = set()
    pending = [node]
    while pending:
        current = pending.pop()
        ids.add(id(current))
        pending.extend(current.children)
    return frozenset(ids)


class _Replacer(cst.CSTTransformer):
    """Swaps claimed nodes (by identity) in one pass; nothing inside them is visited."""

    def __init__(self, claims: dict[int, _Claim]) -> None:
        super().__init__()
        self._claims = claims
        self.replaced: set[int] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        return id(node) not in self._claims

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> cst.CSTNode:
        claim = self._claims.get(id(original_node))
        if claim is None:
            return updated_node
        self.replaced.add(id(original_node))
        return claim.new


def apply_fixes(module: cst.Module, fixes: Sequence[Fix]) -> tuple[cst.Module, list[Fix]]:
    """Apply, in order, every fix that does not conflict with one accepted
    before it; return the new module and the fixes applied. Old nodes are
    matched by identity and must be nodes of `module`; a fix naming a node
    not in the tree is dropped whole."""
    claims = _Claims(module)
    accepted = [fix for fix in fixes if claims.try_claim(fix)]
    if not accepted:
        return module, []
    replacer = _Replacer(claims.by_old)
    fixed = module.visit(replacer)
    if len(replacer.replaced) < len(claims.by_old):
        kept = [fix for fix in accepted if all(id(r.old) in replacer.replaced for r in fix.replacements)]
        return apply_fixes(module, kept)
    return fixed, accepted


def fix_until_stable(
    data: bytes,
    lint: Callable[[cst.Module], Sequence[Diagnostic]],
    *,
    accept: Callable[[Fix], bool],
    offered: Callable[[cst.Module], Sequence[Fix]] = lambda module: (),
    max_rounds: int = 10,
) -> FixOutcome:
    """Parse `data`, then lint and apply the accepted fixes round after round
    until none applies, a round changes nothing, or `max_rounds` is reached.
    `offered` fixes (asked for from outside, already accepted) join each round.
    A round whose result does not parse (or cannot be encoded in the file's
    encoding, or does not compile when `data` did) is discarded and ends the
    loop. Raises libcst's
    ParserSyntaxError if `data` itself does not parse."""
    module = cst.parse_module(data)
    compiles = _compiles(data)
    diagnostics = tuple(lint(module))
    applied: list[str] = []
    rounds = 0
    while rounds < max_rounds:
        wanted = [d.fix for d in diagnostics if d.fix is not None and accept(d.fix)] + list(offered(module))
        fixed, done = apply_fixes(module, wanted)
        reparsed = _reparse(fixed) if done else None
        if reparsed is None or reparsed.bytes == module.bytes:
            break
        if compiles and not _compiles(reparsed.bytes):
            break
        applied.extend(_distinct_edits(done))
        module, rounds = reparsed, rounds + 1
        diagnostics = tuple(lint(module))
    return FixOutcome(module, tuple(applied), diagnostics, rounds)


def _distinct_edits(done: Sequence[Fix]) -> list[str]:
    """The messages of the edits made, one per edit: fixes of several findings
    that replace the same nodes (four launches asking for `nogil=True` on one
    decorator) merged into one edit when applied, so they are listed once."""
    seen: set[frozenset[int]] = set()
    messages = []
    for fix in done:
        # Accepted replacements of the same node are equal (unequal ones conflict).
        nodes = frozenset(id(replacement.old) for replacement in fix.replacements)
        if nodes not in seen:
            seen.add(nodes)
            messages.append(fix.message)
    return messages


def _reparse(module: cst.Module) -> cst.Module | None:
    """A fresh parse of the module's bytes: proof that they are valid Python
    (and fresh nodes for the next lint); None if they are not."""
    try:
        return cst.parse_module(module.bytes)
    except (cst.ParserSyntaxError, UnicodeError):
        return None


def _compiles(data: bytes) -> bool:
    """Does Python itself accept the source? (Compiled, never run; warnings silenced.)"""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(data, "<numbalint-fix>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
    return True


def summarise_fix(module: cst.Module, fix: Fix, positions: Positions) -> FixSummary:
    """The fix as text edits: each old node's full extent and its new code."""
    edits = sorted(
        (
            Edit(positions.extent(replacement.old), module.code_for_node(replacement.new))
            for replacement in fix.replacements
        ),
        key=lambda edit: (edit.span.line, edit.span.column),
    )
    return FixSummary(fix.message, fix.applicability, tuple(edits), fix.elsewhere)


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    """A unified diff of two versions of a file, decoded as Python decodes it."""
    import difflib
    import io

    encoding = _source_encoding(before)
    old, new = (
        io.StringIO(data.decode(encoding, errors="replace"), newline="").readlines()
        for data in (before, after)
    )
    lines = difflib.unified_diff(old, new, fromfile=path, tofile=path)
    return "".join(_terminated(line) for line in lines)


def _source_encoding(data: bytes) -> str:
    """The encoding from the BOM or coding cookie, as the interpreter reads it."""
    import io
    import tokenize

    try:
        return tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    except SyntaxError:  # an unknown or inconsistent cookie
        return "utf-8"


def _terminated(line: str) -> str:
    if line.endswith(("\n", "\r")):
        return line
    return line + "\n\\ No newline at end of file\n"
