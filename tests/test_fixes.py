from collections.abc import Sequence

import libcst as cst
import pytest

from numbalint.diagnostics import Diagnostic, Fix, Replacement
from numbalint.fixes import apply_fixes, fix_until_stable, summarise_fix, unified_diff
from numbalint.positions import Positions


def names(module: cst.Module, value: str) -> list[cst.Name]:
    found = []

    class Collect(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            if node.value == value:
                found.append(node)

    module.visit(Collect())
    return found


def rename(node: cst.CSTNode, value: str, applicability="safe") -> Fix:
    return Fix(f"rename to {value}", applicability, (Replacement(node, cst.Name(value)),))


def test_applies_independent_fixes_in_one_pass():
    module = cst.parse_module("x = a + b\n")
    (a,), (b,) = names(module, "a"), names(module, "b")
    fixes = [rename(a, "c"), rename(b, "d")]
    fixed, applied = apply_fixes(module, fixes)
    assert fixed.code == "x = c + d\n"
    assert applied == fixes


def test_identical_replacements_merge():
    module = cst.parse_module("@njit\ndef k(x):\n    return x\n")
    decorator = module.body[0].decorators[0]
    add_nogil = cst.Decorator(cst.parse_expression("njit(nogil=True)"))
    first = Fix("add nogil", "safe", (Replacement(decorator, add_nogil),))
    second = Fix("add nogil", "safe", (Replacement(decorator, add_nogil.deep_clone()),))
    fixed, applied = apply_fixes(module, [first, second])
    assert fixed.code == "@njit(nogil=True)\ndef k(x):\n    return x\n"
    assert applied == [first, second]


def test_different_replacement_of_same_node_is_deferred():
    module = cst.parse_module("x = a\n")
    (a,) = names(module, "a")
    first, second = rename(a, "b"), rename(a, "c")
    fixed, applied = apply_fixes(module, [first, second])
    assert fixed.code == "x = b\n"
    assert applied == [first]


@pytest.mark.parametrize("outer_first", [True, False])
def test_ancestor_and_descendant_conflict(outer_first):
    module = cst.parse_module("x = f(a)\n")
    call = module.body[0].body[0].value
    (a,) = names(module, "a")
    outer = Fix("call g", "safe", (Replacement(call, cst.parse_expression("g(a)")),))
    inner = rename(a, "b")
    ordered = [outer, inner] if outer_first else [inner, outer]
    fixed, applied = apply_fixes(module, ordered)
    assert applied == ordered[:1]
    assert fixed.code == ("x = g(a)\n" if outer_first else "x = f(b)\n")


def test_a_fix_applies_whole_or_not_at_all():
    module = cst.parse_module("x = a + b\n")
    (a,), (b,) = names(module, "a"), names(module, "b")
    takes_b = rename(b, "c")
    both = Fix("swap", "safe", (Replacement(a, cst.Name("z")), Replacement(b, cst.Name("y"))))
    fixed, applied = apply_fixes(module, [takes_b, both])
    assert fixed.code == "x = a + c\n"
    assert applied == [takes_b]


def test_fix_naming_a_foreign_node_is_dropped():
    module = cst.parse_module("x = a\n")
    stranger = cst.parse_expression("a")
    (a,) = names(module, "a")
    good, foreign = rename(a, "b"), rename(stranger, "c")
    fixed, applied = apply_fixes(module, [foreign, good])
    assert fixed.code == "x = b\n"
    assert applied == [good]


def test_crlf_and_bom_bytes_survive():
    data = b"\xef\xbb\xbf# caf\xc3\xa9\r\nx = a  # \xc3\xa9\r\n\r\ny = '\xc3\xa9'\r\n"
    module = cst.parse_module(data)
    assert module.bytes == data
    (a,) = names(module, "a")
    fixed, _ = apply_fixes(module, [rename(a, "kernel")])
    assert fixed.bytes == data.replace(b"x = a", b"x = kernel")


def test_latin1_cookie_bytes_survive():
    data = b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'  # \xe0 bient\xf4t\nx = a\n"
    module = cst.parse_module(data)
    assert module.encoding == "iso-8859-1"
    (a,) = names(module, "a")
    fixed, _ = apply_fixes(module, [rename(a, "b")])
    assert fixed.bytes == data.replace(b"x = a", b"x = b")


def renaming_lint(chain: dict[str, str], applicability="safe"):
    """A lint that flags every name in `chain` and offers to rename it."""

    def lint(module: cst.Module) -> Sequence[Diagnostic]:
        return [
            Diagnostic("NBL999", "test-rule", "error", f"{old} is bad", node, rename(node, new, applicability))
            for old, new in chain.items()
            for node in names(module, old)
        ]

    return lint


def test_fix_until_stable_reaches_a_fixpoint():
    outcome = fix_until_stable(b"x = a + a\n", renaming_lint({"a": "b", "b": "c"}), accept=lambda fix: True)
    assert outcome.module.code == "x = c + c\n"
    assert outcome.rounds == 2
    assert outcome.remaining == ()
    assert outcome.applied == ("rename to b",) * 2 + ("rename to c",) * 2


def test_fix_until_stable_respects_accept():
    outcome = fix_until_stable(
        b"x = a\n", renaming_lint({"a": "b"}, "unsafe"), accept=lambda fix: fix.applicability == "safe"
    )
    assert outcome.module.code == "x = a\n"
    assert outcome.rounds == 0
    assert [d.message for d in outcome.remaining] == ["a is bad"]


def test_fix_until_stable_stops_after_max_rounds():
    def lengthen_target(module: cst.Module) -> Sequence[Diagnostic]:
        target = module.body[0].body[0].targets[0].target
        return [Diagnostic("NBL999", "t", "error", "m", target, rename(target, target.value + "x"))]

    outcome = fix_until_stable(b"x = 1\n", lengthen_target, accept=lambda fix: True, max_rounds=3)
    assert outcome.rounds == 3
    assert outcome.module.code == "xxxx = 1\n"
    assert len(outcome.remaining) == 1


def test_unparsable_round_is_discarded():
    outcome = fix_until_stable(b"x = a\n", renaming_lint({"a": "def"}), accept=lambda fix: True)
    assert outcome.module.code == "x = a\n"
    assert outcome.rounds == 0
    assert outcome.applied == ()
    assert len(outcome.remaining) == 1


def test_unencodable_round_is_discarded():
    data = b"# coding: latin-1\nx = a\n"
    outcome = fix_until_stable(data, renaming_lint({"a": "\u03b1"}), accept=lambda fix: True)
    assert outcome.module.bytes == data


def test_summary_edits_reproduce_the_fix_as_text():
    source = "import numba\n\n# comment\n@numba.njit  # why\ndef k(x):\n    return x\n"
    module = cst.parse_module(source)
    decorator = module.body[1].decorators[0]
    new = decorator.with_changes(decorator=cst.parse_expression("numba.njit(nogil=True)"))
    fix = Fix("add nogil", "safe", (Replacement(decorator, new),))
    summary = summarise_fix(module, fix, Positions(module, [decorator]))
    (edit,) = summary.edits
    lines = source.splitlines(keepends=True)
    span = edit.span
    text = "".join(lines[: span.line - 1]) + lines[span.line - 1][: span.column - 1]
    text += edit.content + lines[span.end_line - 1][span.end_column - 1 :] + "".join(lines[span.end_line :])
    assert text == apply_fixes(module, [fix])[0].code
    assert (summary.message, summary.applicability) == ("add nogil", "safe")


def test_unified_diff_decodes_with_the_cookie():
    before = b"# -*- coding: latin-1 -*-\nname = '\xe9'\nx = a"
    after = before.replace(b"x = a", b"x = b")
    diff = unified_diff("m.py", before, after)
    assert diff == (
        "--- m.py\n+++ m.py\n@@ -1,3 +1,3 @@\n # -*- coding: latin-1 -*-\n name = '\xe9'\n"
        "-x = a\n\\ No newline at end of file\n+x = b\n\\ No newline at end of file\n"
    )


def test_unified_diff_of_equal_inputs_is_empty():
    assert unified_diff("m.py", b"x = 1\n", b"x = 1\n") == ""
