"""Runtime reference suite: correct, fast Numba kernels and launchers to run a fix against.

Imports numba and numpy, so the lint path never imports this package.
"""

from numbalint.reference.kernels import (
    accumulator_dtypes,
    column_sums,
    compress,
    histogram,
    parallel_sum,
    prefix_sum,
    square,
    square_into,
    square_parallel,
)
from numbalint.reference.launch import chunk_bounds, default_thread_count, run_in_threads, worker_exceptions
from numbalint.reference.registry import REFERENCES, Reference

__all__ = [
    "worker_exceptions",
    "REFERENCES",
    "Reference",
    "accumulator_dtypes",
    "chunk_bounds",
    "column_sums",
    "compress",
    "default_thread_count",
    "histogram",
    "parallel_sum",
    "prefix_sum",
    "run_in_threads",
    "square",
    "square_into",
    "square_parallel",
]
