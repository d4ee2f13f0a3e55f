"""The index classifier and the ParallelLoop facts, on the forms real prange code writes.

Every subscript in a prange body gets one verdict: "distinct" (a different element in every
iteration), "meets" (two iterations can reach the same element, with the cause), or "unknown"
(the rules stay silent).
"""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from numbalint.model import ModuleModel
from numbalint.model.indices import LoopNames, classify_index

NAMES = LoopNames(
    index="i",
    inner=frozenset({"j"}),
    values={"b": cst.parse_expression("bins[i]"), "twice": cst.parse_expression("2 * i")},
    varying=frozenset({"k"}),
)


def verdict(index: str) -> tuple[str, str]:
    subscript = cst.parse_expression(f"a[{index}]")
    assert isinstance(subscript, cst.Subscript)
    found = classify_index(subscript.slice, NAMES)
    return found.verdict, found.cause


@pytest.mark.parametrize("index", [
    "i", "2 * i + 1", "n - 1 - i", "i * stride", "-i", "i + offset", "(i)", "twice", "c, i", "(j, i)",
    "i, values[k]", "i // 1",
])
def test_indices_that_differ_in_every_iteration(index: str) -> None:
    assert verdict(index) == ("distinct", "")


@pytest.mark.parametrize("index, cause", [
    ("0", "invariant"),
    ("n", "invariant"),
    ("self.n - 1", "invariant"),
    ("i % 4", "coarse"),
    ("i // 2", "coarse"),
    ("(i // 2) + 1", "coarse"),
    ("j", "inner"),
    ("j + 1", "inner"),
    ("bins[i]", "data"),
    ("b", "data"),
    ("int(x[i] * n)", "data"),
    (":", "slice"),
    ("1:n - 1", "slice"),
    ("0, j", "inner"),
    ("bins[i], j", "data"),
    ("x.shape[0] - 1", "invariant"),
])
def test_indices_where_two_iterations_meet(index: str, cause: str) -> None:
    assert verdict(index) == ("meets", cause)


@pytest.mark.parametrize("index", [
    "k",  # rebound in the body in a way the model does not follow
    "i + j",  # (i=0, j=1) and (i=1, j=0) meet, (i, j) pairs may not: cannot tell
    "i - i",
    "min(i, n - 1)",
    "i:i + 2",
    "f(i)",
    "i if flag else 0",
    "*idx",
    "int(i * 0.5)",  # a conversion of the index may fold iterations together
])
def test_indices_the_model_cannot_judge(index: str) -> None:
    assert verdict(index)[0] == "unknown"


def test_affine_forms_are_kept_per_component() -> None:
    subscript = cst.parse_expression("a[i - 1, j]")
    assert isinstance(subscript, cst.Subscript)
    affine = classify_index(subscript.slice, NAMES).affine
    assert affine[0] is not None and (affine[0].coefficient, affine[0].offset) == (1, -1)
    assert affine[1] is None


def loops(source: str) -> list:
    return ModuleModel(cst.parse_module(textwrap.dedent(source).lstrip())).parallel.loops


@pytest.mark.parametrize("header, call", [
    ("from numba import njit, prange", "prange(n)"),
    ("import numba\nfrom numba import njit", "numba.prange(n)"),
    ("import numba as nb\nnjit = nb.njit", "nb.prange(n)"),
    ("from numba import njit, prange as pr", "pr(n)"),
])
def test_prange_spellings_make_parallel_loops(header: str, call: str) -> None:
    found = loops(f"""
{header}
@njit(parallel=True)
def k(x, n):
    for i in {call}:
        x[i] += 1
""")
    assert [(loop.index, loop.kernel.name) for loop in found] == [("i", "k")]
    assert [a.index.verdict for a in found[0].accesses] == ["distinct"]


def test_only_parallel_kernels_and_real_pranges_count() -> None:
    found = loops("""
import numba
from numba import njit, prange
from mylib import prange as fake_prange
OPTIONS = dict(parallel=True)
@njit
def serial(x):
    for i in prange(x.shape[0]):
        x[0] += 1
@njit(**OPTIONS)
def unknown(x):
    for i in prange(x.shape[0]):
        x[0] += 1
@njit(parallel=True)
def other(x):
    for i in fake_prange(x.shape[0]):
        x[0] += 1
    for i, v in enumerate(x):
        x[0] += v
def plain(x):
    for i in prange(x.shape[0]):
        x[0] += 1
""")
    assert found == []


def test_nesting_with_range_loops_and_another_prange() -> None:
    found = loops("""
import numpy as np
from numba import njit, prange
@njit(parallel=True)
def k(u, steps):
    acc = np.zeros(u.shape[1])
    for t in range(steps):
        for i in prange(u.shape[0]):
            for j in range(u.shape[1]):
                acc[j] += u[i, j] * t
            for c in prange(4):
                u[i, c] += 1
""")
    assert len(found) == 1  # the inner prange runs serially, as part of the outer one
    causes = {(a.array, a.index.verdict, a.index.cause) for a in found[0].accesses if a.kind == "update"}
    assert causes == {("acc", "meets", "inner"), ("u", "distinct", "")}
    assert found[0].scratch == frozenset({"acc"})


def test_inner_loops_whose_range_follows_the_prange_index_are_not_shared() -> None:
    found = loops("""
from numba import njit, prange
@njit(parallel=True)
def k(out, starts, ends):
    for b in prange(starts.shape[0]):
        for i in range(starts[b], ends[b]):
            out[i] += 1
""")
    assert [a.index.verdict for a in found[0].accesses if a.kind == "update"] == ["unknown"]


def test_arrays_bound_in_the_body_are_private() -> None:
    found = loops("""
import numpy as np
from numba import njit, prange
@njit(parallel=True)
def k(x, out):
    for i in prange(x.shape[0]):
        tmp = np.zeros(3)
        tmp[0] += x[i]
        row = out[i]
        row[0] += 1
""")
    assert [a.array for a in found[0].accesses] == ["x", "out"]
