"""The project index: kernels each module exports, so that `driver.py` knows
what the kernel it imports from `kernels.py` was compiled with.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Mapping

from numbalint.model import Kernel, KernelLookup

# (qualified name as the importer writes it, kernel), sorted: picklable and comparable.
Dependencies = tuple[tuple[str, Kernel], ...]


@lru_cache(maxsize=None)
def _is_package(folder: Path) -> bool:
    return (folder / "__init__.py").is_file()


def module_name(path: Path) -> str:
    """`pkg/sub/mod.py` -> "pkg.sub.mod" (as far up as `__init__.py` files go)."""
    path = path.resolve()
    parts = [] if path.stem == "__init__" else [path.stem]
    folder = path.parent
    while _is_package(folder):
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts)


def _module_key(path: Path) -> Path:
    """A file's import identity: the path without `.py`, a package's folder for `__init__.py`."""
    path = path.resolve()
    return path.parent if path.stem == "__init__" else path.with_suffix("")


class ProjectIndex:
    """Kernels exported by the modules of one run, looked up the way imports find them."""

    def __init__(self, exports: Mapping[str, Mapping[str, Kernel]]) -> None:
        self._by_key: dict[Path, Mapping[str, Kernel]] = {}
        self._by_dotted: dict[str, list[Path]] = {}
        for path, kernels in exports.items():
            if not kernels:
                continue
            key = _module_key(Path(path))
            self._by_key[key] = kernels
            self._by_dotted.setdefault(module_name(Path(path)), []).append(key)

    def __bool__(self) -> bool:
        return bool(self._by_key)

    def lookup_for(self, importer: str) -> KernelLookup:
        """Resolve qualified names ("kernels.square", ".kernels.square") as `importer` imports them."""
        folder = Path(importer).resolve().parent

        def lookup(qualified: str) -> Kernel | None:
            module, _, name = qualified.rpartition(".")
            key = self._module(folder, module)
            return self._by_key[key].get(name) if key is not None else None

        return lookup

    def depends(self, importer: str, imported: tuple[str, ...]) -> Dependencies:
        """The exported kernels `importer`'s imports reach, by the qualified name it
        uses for them (empty: the index changes nothing for this file)."""
        lookup = self.lookup_for(importer)
        folder = Path(importer).resolve().parent
        found: list[tuple[str, Kernel]] = []
        for qualified in imported:
            kernel = lookup(qualified)
            if kernel is not None:
                found.append((qualified, kernel))
            elif (key := self._module(folder, qualified)) is not None:  # `import kernels`
                found.extend((f"{qualified}.{name}", k) for name, k in self._by_key[key].items())
        return tuple(sorted(found, key=lambda pair: pair[0]))

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
