"""numbalint: a linter for multi-threaded Numba code."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from numbalint.version import __version__

__all__ = ["__version__", "lint_paths", "lint_source"]

if TYPE_CHECKING:
    from numbalint.api import lint_paths, lint_source


def __getattr__(name: str) -> Any:
    # The API pulls in libcst and the rules: load it on first use, so that
    # `import numbalint` (the CLI's first step, verify's) stays instant.
    if name in ("lint_source", "lint_paths"):
        from numbalint import api

        return getattr(api, name)
    raise AttributeError(f"module 'numbalint' has no attribute {name!r}")
