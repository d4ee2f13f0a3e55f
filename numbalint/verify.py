"""``numbalint verify``: run a user's function against a reference kernel.

The only numbalint command that imports user code. Importing this module is cheap: numba and
numpy are imported only when verification runs (``numbalint.reference.check``).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, Sequence

import click

from numbalint.text import describe_error

if TYPE_CHECKING:
    import numpy as np

    from numbalint.reference.check import VerifyReport

TARGET_FORMS = "MODULE:FUNCTION or path/to/file.py:FUNCTION"
# The lint path needs neither; they come with this extra.
REFERENCE_EXTRA = "numbalint[reference]"


class TargetError(Exception):
    """The target cannot be imported or is not a function; the message is one line."""


def verify_function(
    func: Callable[..., Any],
    against: str,
    *,
    dtypes: Sequence[np.dtype | str] | None = None,
    thread_counts: Sequence[int] | None = None,
    large_size: int = 1_000_000,
) -> VerifyReport:
    """Run ``func`` and the reference named ``against`` on sizes 0, 1, k-1, k, k+1, a prime and
    ``large_size``, for each dtype and (when ``func`` accepts ``n_threads``) each thread count.

    ``func(*inputs)`` returns its result, or, when it takes one more required positional
    parameter than the reference's inputs, writes into an output array passed last (pre-filled
    with a sentinel so unwritten elements show). Raises ``UnknownReference`` (a ``ValueError``)
    for an unknown reference name.
    """
    from numbalint.reference import check

    defaults = {
        "dtypes": check.DEFAULT_DTYPES if dtypes is None else dtypes,
        "thread_counts": check.DEFAULT_THREAD_COUNTS if thread_counts is None else thread_counts,
    }
    return check.verify_function(func, against, large_size=large_size, **defaults)


def load_target(target: str) -> Callable[..., Any]:
    """Import ``MODULE:FUNCTION`` (from the current folder, like ``python -m``) or
    ``path/to/file.py:FUNCTION``; raise ``TargetError`` with a one-line reason."""
    location, _, attribute = target.rpartition(":")
    if not location or not attribute:
        raise TargetError(f"expected {TARGET_FORMS}, got {target!r}")
    module = _import_file(Path(location)) if location.endswith(".py") else _import(location)
    found: Any = module
    for name in attribute.split("."):
        if not hasattr(found, name):
            raise TargetError(f"{location} has no attribute {attribute!r}")
        found = getattr(found, name)
    if not callable(found):
        raise TargetError(f"{target} is a {type(found).__name__}, not a function")
    return found


def _on_path(folder: str) -> None:
    if folder not in sys.path:
        sys.path.insert(0, folder)


def _import(module_name: str) -> ModuleType:
    _on_path(os.getcwd())
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            raise TargetError(
                f"no module named {module_name!r} here; run from the folder that contains it, "
                "or give path/to/file.py:FUNCTION"
            ) from None
        raise TargetError(f"importing {module_name} failed: {describe_error(error)}") from None
    except Exception as error:  # the module's own code may raise anything
        raise TargetError(f"importing {module_name} failed: {describe_error(error)}") from None


def _import_file(path: Path) -> ModuleType:
    """Run a file as module ``path.stem`` with its folder on sys.path, like ``python path``."""
    if not path.is_file():
        raise TargetError(f"no such file: {path}")
    path = path.resolve()
    loaded = sys.modules.get(path.stem)
    if loaded is not None and getattr(loaded, "__file__", None) == str(path):
        return loaded  # importing again would recompile its kernels
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None  # a .py path always has a loader
    module = importlib.util.module_from_spec(spec)
    _on_path(str(path.parent))
    sys.modules[path.stem] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # the module's own code may raise anything
        del sys.modules[path.stem]
        raise TargetError(f"importing {path} failed: {describe_error(error)}") from None
    return module


class _UsageError(click.ClickException):
    """Printed as one line ``Error: ...``; exit status 2 like every numbalint usage error."""

    exit_code = 2


def _require_reference_suite() -> None:
    """Fail in one line, saying what to install, when numba or numpy cannot be imported."""
    try:
        import numba  # noqa: F401
        import numpy  # noqa: F401
    except ImportError as error:
        missing = error.name or "numba and numpy"
        raise _UsageError(
            f"verify runs real kernels and needs numba and numpy ({missing} cannot be imported): "
            f"pip install '{REFERENCE_EXTRA}'"
        ) from None


def _thread_counts(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(part) for part in value.split(","))
    except ValueError:
        counts = ()
    if not counts or min(counts) < 1:
        raise _UsageError(f"--threads takes positive integers separated by commas, got {value!r}")
    return counts


@click.command("verify")
@click.argument("target", required=False, metavar="MODULE:FUNCTION")
@click.option("--against", "reference_name", metavar="NAME", help="Reference to compare with.")
@click.option("--list", "list_references", is_flag=True, help="List the references and exit.")
@click.option(
    "--threads",
    "thread_counts",
    default="1,2,3,4",
    metavar="K,K,...",
    show_default=True,
    callback=_thread_counts,
    help="Thread counts passed as n_threads=, when the function accepts it.",
)
@click.option(
    "--large",
    "large_size",
    default=1_000_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Size of the large input (also used to compare speed).",
)
def verify(
    target: str | None,
    reference_name: str | None,
    list_references: bool,
    thread_counts: tuple[int, ...],
    large_size: int,
) -> None:
    """Check FUNCTION against a reference kernel at runtime.

    This is the only numbalint command that imports and runs your code: it imports
    MODULE:FUNCTION (from the current folder, like python -m) or path/to/file.py:FUNCTION,
    then runs it and the reference on sizes 0, 1, k-1, k, k+1, a prime and a large one,
    integer and float dtypes, and each thread count when FUNCTION accepts n_threads=.
    FUNCTION returns its result, or takes an output array as its last parameter; that
    array is pre-filled with a sentinel, so elements left unwritten show.

    Exit status: 0 all cases match, 1 a mismatch (explained), 2 usage or import error.
    """
    _require_reference_suite()
    if list_references:
        from numbalint.reference import REFERENCES

        for name, reference in sorted(REFERENCES.items()):
            click.echo(f"{name}({', '.join(reference.parameters)}): {reference.description}")
        return
    if target is None or reference_name is None:
        raise _UsageError(f"give {TARGET_FORMS} and --against NAME (see --list)")
    try:
        func = load_target(target)
    except TargetError as error:
        raise _UsageError(str(error)) from None
    from numbalint.reference.check import UnknownReference

    try:
        report = verify_function(
            func, reference_name, thread_counts=thread_counts, large_size=large_size
        )
    except UnknownReference as error:
        raise _UsageError(str(error)) from None
    for line in report.lines():
        click.echo(line)
    if not report.passed:
        sys.exit(1)
