"""The project index: kernels each module exports, so that `driver.py` knows
what the kernel it imports from `kernels.py` was compiled with.

A module exports the kernels it defines at its top level, and the names it
imports there: a package's `__init__.py` that does `from .kern import square`
re-exports `square`, and `from pkg import square` is followed to `pkg/kern.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping, Sequence

from numbalint.imports import is_package, project_label
from numbalint.model import Kernel, KernelLookup

# (qualified name as the importer writes it, kernel), sorted: picklable and comparable.
Dependencies = tuple[tuple[str, Kernel], ...]

# How many re-exports (`from .kern import square` in `__init__.py`) a lookup follows.
_REEXPORT_DEPTH = 4


@dataclass(frozen=True)
class _Exports:
    """What other modules may import from one file."""

    kernels: Mapping[str, Kernel]  # defined at its top level, by name
    imported_as: Mapping[str, str]  # names its top-level imports bind -> the qualified name imported
    star: Sequence[str]  # modules it takes every name from (`from .kern import *`)


def module_name(path: Path) -> str:
    """`pkg/sub/mod.py` -> "pkg.sub.mod" (as far up as `__init__.py` files go)."""
    path = path.resolve()
    parts = [] if path.stem == "__init__" else [path.stem]
    folder = path.parent
    while is_package(folder):
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts)


def _module_key(path: Path) -> Path:
    """A file's import identity: the path without `.py`, a package's folder for `__init__.py`."""
    path = path.resolve()
    return path.parent if path.stem == "__init__" else path.with_suffix("")


def _split(qualified: str) -> tuple[str, str]:
    """"pkg.kern.square" -> ("pkg.kern", "square"); ".square" -> (".", "square")."""
    dots = len(qualified) - len(qualified.lstrip("."))
    module, _, name = qualified[dots:].rpartition(".")
    return "." * dots + module, name


def _joined(module: str, name: str) -> str:
    """"pkg.kern" + "square" -> "pkg.kern.square"; "." + "square" -> ".square"."""
    return module + name if module.endswith(".") else f"{module}.{name}"


class ProjectIndex:
    """Kernels exported by the modules of one run, looked up the way imports find them."""

    def __init__(
        self,
        exports: Mapping[str, Mapping[str, Kernel]],
        reexports: Mapping[str, Mapping[str, str]] | None = None,
        root: Path | None = None,
        star_reexports: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """`exports`: each file's top-level kernels by name; `reexports`: the names each
        file's top-level imports bind (`{"square": ".kern.square"}`) and `star_reexports` the
        modules it star-imports, so that what a package re-exports is found. Files are keyed
        by the path the run reads them from; kernels are named in messages by their file's
        path relative to `root`, the project root."""
        reexports, star_reexports = reexports or {}, star_reexports or {}
        self._by_key: dict[Path, _Exports] = {}
        self._by_dotted: dict[str, list[Path]] = {}
        self._folder: dict[Path, Path] = {}  # where each module's relative imports start
        self._has_kernels = any(exports.values())
        for path in sorted({*exports, *reexports, *star_reexports}):
            kernels, imported_as, star = exports.get(path, {}), reexports.get(path, {}), star_reexports.get(path, ())
            if not kernels and not imported_as and not star:
                continue
            key = _module_key(Path(path))
            label = project_label(path, root)
            labelled = {name: replace(k, origin=label, defined_in=path) for name, k in kernels.items()}
            self._by_key[key] = _Exports(labelled, imported_as, tuple(star))
            self._folder[key] = Path(path).resolve().parent
            self._by_dotted.setdefault(module_name(Path(path)), []).append(key)

    def __bool__(self) -> bool:
        return self._has_kernels

    def lookup_for(self, importer: str) -> KernelLookup:
        """Resolve qualified names ("kernels.square", ".kernels.square") as `importer` imports them."""
        folder = Path(importer).resolve().parent
        return lambda qualified: self._find(folder, qualified, 0)

    def depends(self, importer: str, imported: tuple[str, ...]) -> Dependencies:
        """The exported kernels `importer`'s imports reach, by the qualified name it
        uses for them (empty: the index changes nothing for this file)."""
        folder = Path(importer).resolve().parent
        found: list[tuple[str, Kernel]] = []
        for qualified in imported:
            kernel = self._find(folder, qualified, 0)
            if kernel is not None:
                found.append((qualified, kernel))
            elif (key := self._module(folder, qualified)) is not None:  # `import kernels`
                module = self._by_key[key]
                for name in (*module.kernels, *module.imported_as):
                    if (kernel := self._find(folder, f"{qualified}.{name}", 0)) is not None:
                        found.append((f"{qualified}.{name}", kernel))
        return tuple(sorted(found, key=lambda pair: pair[0]))

    def _find(self, folder: Path, qualified: str, depth: int) -> Kernel | None:
        module, name = _split(qualified)
        key = self._module(folder, module)
        if key is None:
            return None
        exports = self._by_key[key]
        kernel = exports.kernels.get(name)
        if kernel is not None or depth >= _REEXPORT_DEPTH:
            return kernel
        if name in exports.imported_as:
            return self._find(self._folder[key], exports.imported_as[name], depth + 1)
        for module in exports.star:
            kernel = self._find(self._folder[key], _joined(module, name), depth + 1)
            if kernel is not None:
                return kernel
        return None

    def _module(self, folder: Path, module: str) -> Path | None:
        if module.startswith("."):
            dots = len(module) - len(module.lstrip("."))
            base = folder
            for _ in range(dots - 1):
                base = base.parent
            rest = module[dots:]
            key = base.joinpath(*rest.split(".")) if rest else base
            return key if key in self._by_key else None
        candidates = self._by_dotted.get(module, [])
        beside = folder.joinpath(*module.split("."))
        if beside in candidates:  # a script's own folder comes first on sys.path
            return beside
        return candidates[0] if len(candidates) == 1 else None
