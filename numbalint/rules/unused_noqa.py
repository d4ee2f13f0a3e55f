from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import libcst as cst

from numbalint.diagnostics import Diagnostic, Fix, Replacement
from numbalint.model import ModuleModel
from numbalint.model.walk import every_child
from numbalint.positions import Positions
from numbalint.rules.base import Rule, quoted
from numbalint.suppress import UNUSED_NOQA, UnusedCodes, without_codes

# A comment sits in the whitespace after a line's code, or on an empty line.
CommentHolder = cst.TrailingWhitespace | cst.EmptyLine


class UnusedNoqa(Rule):
    """
    ## What it does
    Flags codes in a `# noqa: ...` comment that suppress nothing: no finding of
    that rule is reported on the line, or the code names no numbalint rule at
    all (`NBL999`, a typo). Off by default: select it with
    `--extend-select NBL100` (or `unused-noqa`), as Ruff's RUF100.

    Only codes of rules that ran are judged: a code of a rule left out by the
    selection or by per-file-ignores, or of another tool (`E501`), is left
    alone, and so is a bare `# noqa`, which other linters read too. A `# noqa`
    that lists NBL100 itself is never reported.

    ## Why is this bad?
    A stale `# noqa` hides the next real finding on that line: the bug it was
    written for is fixed, but when someone launches another kernel from that
    line the directive silences it. A misspelt code suppresses nothing and
    makes the reader believe the line was checked.

    ## Example
    ```python
    @njit(nogil=True)
    def kernel(x): ...

    Thread(target=kernel, args=(x,)).start()  # noqa: NBL004, NBL999
    ```

    ## Use instead
    ```python
    Thread(target=kernel, args=(x,)).start()
    ```

    ## Fix
    Safe: the unused and unknown codes are removed from the comment, and the
    `# noqa` itself (with the reason written after it) when no code is left;
    other comments on the line are kept. Nothing that ran is reported
    differently afterwards.
    """

    code = UNUSED_NOQA
    name = "unused-noqa"
    summary = "a # noqa names a code that suppresses nothing on its line, or no rule"
    severity = "warning"
    fix = "safe"
    selected_by_default = False

    def check(self, model: ModuleModel) -> Iterator[Diagnostic]:
        """Nothing here: whether a directive is used is known only after every
        other rule ran, so the suppression stage calls `report_unused`."""
        return iter(())

    def report_unused(
        self,
        unused: Sequence[UnusedCodes],
        holders: Sequence[CommentHolder],
        where: Positions,
        *,
        name_to_code: Mapping[str, str],
    ) -> list[Diagnostic]:
        """A diagnostic on each comment holding unused codes. `holders` are the
        module's noqa comments (`noqa_comment_holders`), located by `where`; a
        line whose directive is in no real comment (but in a multi-line string)
        is skipped."""
        by_line = {where(holder.comment).line: holder for holder in holders if holder.comment is not None}
        diagnostics = []
        for entry in unused:
            holder = by_line.get(entry.line)
            if holder is not None and holder.comment is not None:
                fix = _removal(holder, (*entry.unused, *entry.unknown), name_to_code)
                diagnostics.append(self.report(holder.comment, _message(entry), fix))
        return diagnostics


def noqa_comment_holders(module: cst.Module) -> list[CommentHolder]:
    """The nodes holding a comment that mentions noqa (one walk of the tree)."""
    holders: list[CommentHolder] = []
    pending: list[cst.CSTNode] = [module]
    while pending:
        node = pending.pop()
        if type(node) is cst.TrailingWhitespace or type(node) is cst.EmptyLine:
            if node.comment is not None and "noqa" in node.comment.value.lower():
                holders.append(node)
        else:
            pending.extend(every_child(node))
    return holders


def _message(entry: UnusedCodes) -> str:
    parts = []
    if entry.unused:
        verb = "suppresses" if len(entry.unused) == 1 else "suppress"
        parts.append(f"{quoted(list(entry.unused))} {verb} nothing on this line")
    if entry.unknown:
        parts.append(f"{quoted(list(entry.unknown))} {'is' if len(entry.unknown) == 1 else 'are'} no numbalint rule")
    listed = "it" if len(entry.unused) + len(entry.unknown) == 1 else "them"
    return (
        f"This `# noqa` lists codes in vain: {'; '.join(parts)}. Remove {listed}: a stale "
        "directive hides the next real finding on its line."
    )


def _removal(holder: CommentHolder, words: Sequence[str], name_to_code: Mapping[str, str]) -> Fix:
    assert holder.comment is not None
    text = without_codes(holder.comment.value, set(words), name_to_code=name_to_code)
    if text:
        new = holder.with_changes(comment=cst.Comment(text))
    else:
        new = holder.with_changes(comment=None, whitespace=cst.SimpleWhitespace(""))
    return Fix(f"Remove {quoted(list(words))} from the `# noqa`", "safe", (Replacement(holder, new),))

