"""numbalint: a linter for multi-threaded Numba code."""

__version__ = "0.1.0"
