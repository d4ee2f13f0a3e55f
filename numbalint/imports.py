"""Finding on disk the modules a file imports, as Python would find them in the project.

A launcher's kernels may live in a file the run was not given: pre-commit passes
only the files that changed. An absolute import is looked for in the importer's
own folder (a script's folder comes first on `sys.path`), beside the importer's
top package (for that package only), in the project root and in its `src/`
folder (the usual layouts); a relative import in the importer's package. Only
files that exist are returned; nothing is imported or run.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from numbalint.settings import Settings


@lru_cache(maxsize=None)
def is_package(folder: Path) -> bool:
    return (folder / "__init__.py").is_file()


def project_root(settings: Settings) -> Path | None:
    """The folder of the pyproject.toml with our table; None without one (each file's
    package chain then says where its project starts)."""
    return settings.root if settings.config_path is not None else None


def package_top(path: Path) -> Path:
    """The folder that holds the topmost package above `path` (sys.path's entry for it):
    `proj/src/pkg/sub/mod.py` -> `proj/src`; a file outside any package -> its own folder."""
    folder = path.resolve().parent
    while is_package(folder):
        folder = folder.parent
    return folder


def project_label(path: str, root: Path | None) -> str:
    """How findings name a file: relative to the project root when it lies under it,
    else relative to the folder above its top package, '/'-separated."""
    resolved = Path(path).resolve()
    base = root.resolve() if root is not None else None
    if base is None or not resolved.is_relative_to(base):
        base = package_top(resolved)
    return resolved.relative_to(base).as_posix()


def shown_path(path: Path) -> str:
    """A found file as paths on the command line are written: relative to the current
    folder when it lies under it, else absolute."""
    cwd = Path.cwd()
    return os.path.relpath(path, cwd) if path.is_relative_to(cwd) else str(path)


def search_roots(folder: Path, top_name: str, root: Path | None) -> list[Path]:
    """Where code in `folder` finds the top-level module `top_name`, in sys.path's order: its
    own folder (a script's comes first on sys.path); the folder above its own top package,
    for that package only (the folder may be site-packages: other packages there are not
    the project's); the project root and its src/."""
    candidates = [folder]
    top = package_top(folder / "__init__.py")
    if top != folder and folder.relative_to(top).parts[0] == top_name:
        candidates.append(top)
    if root is not None:
        candidates += [root.resolve(), root.resolve() / "src"]
    return list(dict.fromkeys(c for c in candidates if c.is_dir()))


class ModuleFinder:
    """Finds the files of imported modules for one run (each lookup once: the files of one
    folder import much the same; a new run looks again, so files created since are seen)."""

    def __init__(self, root: Path | None) -> None:
        self._root = root
        self._found: dict[tuple[str, str], tuple[Path, ...]] = {}

    def files(self, importer: str, qualified: str) -> tuple[Path, ...]:
        """The files that may define what `importer` imports as `qualified` ("pkg.kern.square",
        ".kern.square", "pkg.kern"): the module of that name, or the module holding that name."""
        key = (os.path.dirname(os.path.abspath(importer)), qualified)
        if key not in self._found:
            self._found[key] = self._look_up(Path(key[0]).resolve(), qualified)
        return self._found[key]

    def _look_up(self, folder: Path, qualified: str) -> tuple[Path, ...]:
        dots = len(qualified) - len(qualified.lstrip("."))
        parts = [p for p in qualified[dots:].split(".") if p]
        if dots:
            for _ in range(dots - 1):
                folder = folder.parent
            bases = [folder]
        else:
            bases = search_roots(folder, parts[0], self._root) if parts else []
        found = [
            file
            for base in bases for module in (parts, parts[:-1]) if module or dots
            for file in _module_file(base, module)
        ]
        return tuple(dict.fromkeys(found))


def _module_file(base: Path, module: list[str]) -> list[Path]:
    """`base/a/b.py` or the package `base/a/b/__init__.py`; `base/__init__.py` for no name."""
    stem = base.joinpath(*module)
    candidates = [stem.parent / f"{stem.name}.py"] if module else []
    for candidate in (*candidates, stem / "__init__.py"):
        if os.path.isfile(candidate):
            return [candidate]
    return []
