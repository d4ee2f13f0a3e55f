"""The engine behind ``numbalint verify``: run a user's function and a reference on the same
awkward inputs, and explain the first difference in terms of the mistake that likely caused it.
"""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from numbalint.reference.launch import chunk_bounds, worker_exceptions
from numbalint.reference.registry import REFERENCES, Reference
from numbalint.text import describe_error, plural

DEFAULT_DTYPES = tuple(np.dtype(name) for name in ("int32", "int64", "float32", "float64"))
DEFAULT_THREAD_COUNTS = (1, 2, 3, 4)
PRIME_SIZE = 1019
# Thread counts tried when explaining a mismatch of a function that picks its own.
GUESSED_THREAD_COUNTS = tuple(range(2, 9))


class UnknownReference(ValueError):
    """``against`` names no reference."""


@dataclass(frozen=True)
class Case:
    n: int
    dtype: np.dtype
    n_threads: int | None

    def __str__(self) -> str:
        threads = "" if self.n_threads is None else f", n_threads={self.n_threads}"
        return f"n={self.n}{threads}, {self.dtype}"


@dataclass(frozen=True)
class CallingConvention:
    """How to call the function: with ``n_threads=k``? with an output array passed last?"""

    takes_n_threads: bool
    takes_output: bool

    @classmethod
    def of(cls, func: Callable[..., Any], n_inputs: int) -> CallingConvention:
        try:
            parameters = inspect.signature(func).parameters.values()
        except (TypeError, ValueError):  # no signature to read: call it the plain way
            return cls(takes_n_threads=False, takes_output=False)
        takes_n_threads = any(
            p.name == "n_threads" or p.kind is p.VAR_KEYWORD for p in parameters
        )
        required = [
            p
            for p in parameters
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            and p.default is p.empty
            and p.name != "n_threads"
        ]
        return cls(takes_n_threads=takes_n_threads, takes_output=len(required) > n_inputs)


@dataclass(frozen=True)
class SpeedComparison:
    case: Case
    seconds: float
    reference_seconds: float

    def __str__(self) -> str:
        relative = self.reference_seconds / self.seconds
        return (
            f"speed on {self.case}: {self.seconds * 1e3:.2f} ms, the reference "
            f"{self.reference_seconds * 1e3:.2f} ms ({relative:.2f}x the reference's speed)"
        )


@dataclass(frozen=True)
class VerifyReport:
    reference: str
    cases_run: int
    mismatch: str | None
    speed: SpeedComparison | None

    @property
    def passed(self) -> bool:
        return self.mismatch is None

    def lines(self) -> list[str]:
        if self.mismatch is not None:
            return [
                f"mismatch against '{self.reference}': {self.mismatch}",
                f"({plural(self.cases_run - 1, 'case')} passed before this one)",
            ]
        lines = [f"ok: matches '{self.reference}' in all {self.cases_run} cases"]
        if self.speed is not None:
            lines.append(str(self.speed))
        return lines


def verify_function(
    func: Callable[..., Any],
    against: str,
    *,
    dtypes: Sequence[np.dtype | str] = DEFAULT_DTYPES,
    thread_counts: Sequence[int] = DEFAULT_THREAD_COUNTS,
    large_size: int = 1_000_000,
) -> VerifyReport:
    """Run ``func`` and the reference ``against`` on every case; stop at the first mismatch."""
    if against not in REFERENCES:
        raise UnknownReference(
            f"no reference named {against!r}; choose from {', '.join(sorted(REFERENCES))}"
        )
    reference = REFERENCES[against]
    convention = CallingConvention.of(func, len(reference.parameters))
    threads = tuple(thread_counts) if convention.takes_n_threads else (None,)
    sizes = _sizes(thread_counts, large_size)
    rng = np.random.default_rng(12345)
    cases_run = 0
    for dtype in map(np.dtype, dtypes):
        for n in sizes:
            inputs = reference.make_inputs(n, dtype, rng)
            expected = reference.compute(*inputs)
            for n_threads in threads:
                case = Case(n, dtype, n_threads)
                cases_run += 1
                problem = _check_case(func, convention, reference, case, inputs, expected)
                if problem is not None:
                    return VerifyReport(against, cases_run, f"{case}: {problem}", None)
    speed_case = Case(large_size, np.dtype(dtypes[-1]), threads[-1])
    speed = _compare_speed(func, convention, reference, speed_case, rng)
    return VerifyReport(against, cases_run, None, speed)


def _sizes(thread_counts: Sequence[int], large_size: int) -> list[int]:
    """A prime, then 0, 1, k-1, k, k+1 for each thread count, then one large size.

    The prime comes first: several items per chunk and a remainder for every thread count, so
    its mismatch is the easiest to explain; with fewer items than threads, most chunkings fail
    in the same way whatever the mistake.
    """
    around = {size for k in thread_counts for size in (k - 1, k, k + 1)}
    small = sorted(({0, 1} | around) - {PRIME_SIZE, large_size})
    return list(dict.fromkeys([PRIME_SIZE, *small, large_size]))


def _sentinel(dtype: np.dtype) -> Any:
    """A value no reference produces on verify's inputs, to show elements never written."""
    if dtype.kind == "f":
        return np.nan
    info = np.iinfo(dtype)
    return info.min if dtype.kind == "i" else info.max


def _invocation(
    func: Callable[..., Any],
    convention: CallingConvention,
    case: Case,
    inputs: tuple[Any, ...],
    expected: Any,
) -> Callable[[], Any]:
    """A call of ``func`` on copies of the inputs, returning what it returned or wrote."""
    arguments = [a.copy() if isinstance(a, np.ndarray) else a for a in inputs]
    keywords = {} if case.n_threads is None else {"n_threads": case.n_threads}
    if not convention.takes_output:
        return lambda: func(*arguments, **keywords)
    expected = np.asarray(expected)
    out = np.full(expected.shape, _sentinel(expected.dtype), dtype=expected.dtype)

    def call_with_output() -> np.ndarray:
        func(*arguments, out, **keywords)
        return out

    return call_with_output


def _check_case(
    func: Callable[..., Any],
    convention: CallingConvention,
    reference: Reference,
    case: Case,
    inputs: tuple[Any, ...],
    expected: Any,
) -> str | None:
    """None when ``func`` agrees with the reference on this case, else what went wrong."""
    with worker_exceptions() as worker_errors:
        try:
            actual = _invocation(func, convention, case, inputs, expected)()
        except Exception as error:  # the user's code may raise anything; report it
            return f"raised {describe_error(error)}"
    if worker_errors:
        return (
            f"a worker thread raised {describe_error(worker_errors[0])}, and the function returned "
            "anyway: wait for the workers and re-raise their exceptions in the caller"
        )
    if actual is None:
        return "returned None: return the result, or take an output array as the last parameter"
    result = _Result(np.asarray(expected), np.asarray(actual), convention.takes_output)
    return _diagnose(reference, case, inputs, result)


@dataclass(frozen=True)
class _Result:
    expected: np.ndarray
    actual: np.ndarray
    into_output: bool  # actual is the output array verify pre-filled with the sentinel

    def unwritten(self) -> np.ndarray:
        """Where the sentinel survived, so the function never wrote."""
        if not self.into_output:
            return np.zeros(self.actual.shape, dtype=bool)
        if self.actual.dtype.kind == "f":
            return np.isnan(self.actual)
        return self.actual == _sentinel(self.actual.dtype)


def _diagnose(
    reference: Reference, case: Case, inputs: tuple[Any, ...], result: _Result
) -> str | None:
    expected, actual = result.expected, result.actual
    rtol = reference.rtol(expected.dtype)
    if actual.shape != expected.shape:
        return _explain_shape(case, expected, actual)
    try:
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=0)
    except AssertionError:
        pass
    else:
        return _explain_dtype(expected, actual)
    if result.unwritten().all():
        return (
            "every element still holds the sentinel: the output is never written "
            "(is the result thrown away?)"
        )
    if reference.per_element:
        return _explain_elements(case, result, rtol)
    return _explain_total(reference, case, inputs, expected, actual)


def _explain_dtype(expected: np.ndarray, actual: np.ndarray) -> str | None:
    """None when the dtypes agree. Only arrays are held to it: numba returns a scalar
    result as a Python int or float, whatever dtype it was computed in."""
    if expected.ndim == 0 or actual.dtype == expected.dtype:
        return None
    return (
        f"the values are right but their dtype is {actual.dtype}, not {expected.dtype} like the "
        f"reference's: allocate the result with the reference's dtype (np.empty_like(x) for "
        f"elementwise results)"
    )


def _differs(expected: np.ndarray, actual: np.ndarray, rtol: float) -> np.ndarray:
    return ~np.isclose(actual, expected, rtol=rtol, atol=0)


def _thread_counts_to_try(case: Case) -> tuple[int, ...]:
    return GUESSED_THREAD_COUNTS if case.n_threads is None else (case.n_threads,)


def _plans(case: Case) -> Iterator[list[tuple[int, int]]]:
    """Chunkings the function may have used: near-equal parts, and floor-division parts
    (which leave the remainder as a part of its own, to be told apart from the rest)."""
    for k in _thread_counts_to_try(case):
        if k < 2 or case.n < k:
            continue
        yield chunk_bounds(case.n, k)
        size = case.n // k
        # The mistake verify looks for, on purpose: its last part stops short of n.
        yield [(i * size, (i + 1) * size) for i in range(k)]  # noqa: NBL005


def _floor_ends(case: Case) -> list[int]:
    """Where floor-division chunking stops short of n, for the thread counts in question."""
    return sorted({case.n // k * k for k in _thread_counts_to_try(case) if case.n % k})


def _explain_elements(case: Case, result: _Result, rtol: float) -> str:
    expected, actual = result.expected, result.actual
    wrong = _differs(expected, actual, rtol)
    late = _late_bound_chunk(case, wrong)
    if late is not None:
        start, end = late
        return (
            f"only the last chunk (items {start}..{end - 1}) is right, as if every worker got "
            "the last chunk's data: are loop variables bound late?"
        )
    first = int(np.argmax(wrong))
    count = int(wrong.sum())
    unwritten = wrong & result.unwritten()
    if wrong[first:].all() and first > 0:
        what = "element was" if count == 1 else f"{count} elements were"
        how = "never written" if unwritten[first:].all() else "wrong"
        return f"the last {what} {how}: is the remainder chunk dropped?"
    if unwritten.any():
        return (
            f"{int(unwritten.sum())} elements still hold the sentinel, the first at index "
            f"{int(np.argmax(unwritten))}: some chunks are never written"
        )
    return (
        f"{count} of {case.n} elements differ, the first at index {first}: expected "
        f"{expected[first]!r}, got {actual[first]!r}"
    )


def _late_bound_chunk(case: Case, wrong: np.ndarray) -> tuple[int, int] | None:
    """The last chunk of a plausible chunking, when it is right and every other chunk is not."""
    for plan in _plans(case):
        start, end = plan[-1]
        others = plan[:-1] + ([(end, case.n)] if end < case.n else [])
        if not wrong[start:end].any() and all(wrong[a:b].any() for a, b in others):
            return start, end
    return None


def _explain_shape(case: Case, expected: np.ndarray, actual: np.ndarray) -> str:
    if expected.ndim == actual.ndim == 1 and actual.size < expected.size:
        if np.array_equal(actual, expected[: actual.size]):
            missing = expected.size - actual.size
            return (
                f"returned {actual.size} elements instead of {expected.size}, the last {missing} "
                "missing: is the remainder chunk dropped?"
            )
    for plan in _plans(case):
        start, end = plan[-1]
        if np.array_equal(actual, np.tile(expected[start:end], len(plan))):
            return "every chunk got the last chunk's data: are loop variables bound late?"
    return f"returned shape {actual.shape}, expected {expected.shape}"


def _explain_total(
    reference: Reference, case: Case, inputs: tuple[Any, ...], expected: np.ndarray,
    actual: np.ndarray,
) -> str:
    """Explain a wrong sum or histogram by recomputing what a known mistake would give."""
    rtol = reference.rtol(expected.dtype)
    x, *rest = inputs

    def total_of(part: np.ndarray) -> np.ndarray:
        return np.asarray(reference.compute(part, *rest))

    if not actual.any():
        return "the result is all zeros: are the workers' results thrown away?"
    for end in _floor_ends(case):
        if np.allclose(actual, total_of(x[:end]), rtol=rtol, atol=0):
            return (
                f"equals the {reference.name} of the first {end} items, the last "
                f"{case.n - end} never counted: is the remainder chunk dropped?"
            )
    for plan in _plans(case):
        start, end = plan[-1]
        if np.allclose(actual, len(plan) * total_of(x[start:end]), rtol=rtol, atol=0):
            return (
                f"equals {len(plan)} times the last chunk's {reference.name}: every worker got "
                "the last chunk's data: are loop variables bound late?"
            )
    wrong = _differs(expected, actual, rtol)
    if expected.ndim == 0:
        return f"expected {expected.item()!r}, got {actual.item()!r}"
    first = int(np.argmax(wrong))
    return (
        f"{int(wrong.sum())} of {expected.size} entries differ, the first at index {first}: "
        f"expected {expected[first]!r}, got {actual[first]!r}"
    )


def best_time(call: Callable[[], Any], repeats: int = 3) -> float:
    """The best wall time of `repeats` calls (the least disturbed by other work)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def _compare_speed(
    func: Callable[..., Any],
    convention: CallingConvention,
    reference: Reference,
    case: Case,
    rng: np.random.Generator,
) -> SpeedComparison:
    """Best-of-three wall time of ``func`` and of the reference on the large input."""
    inputs = reference.make_inputs(case.n, case.dtype, rng)
    expected = reference.compute(*inputs)
    seconds = best_time(_invocation(func, convention, case, inputs, expected))
    reference_seconds = best_time(lambda: reference.compute(*inputs))
    return SpeedComparison(case, seconds, reference_seconds)
