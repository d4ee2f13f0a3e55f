"""The results cache: a file that has not changed is not parsed again.

An entry is keyed by the file's path, size and modification time, the rules
enabled for it, and (for files that use kernels from other files) the kernels
it depends on. One pickle per numbalint version, written atomically at the end
of a run, under `.numbalint_cache/` in the project root.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from numbalint.version import __version__
from numbalint.files import SourceError, write_atomic

if TYPE_CHECKING:
    from numbalint.project import Dependencies
    from numbalint.results import FileResult

CACHE_DIR = ".numbalint_cache"


class Cache:
    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR
        self._file = self.folder / f"results-{__version__}.pickle"
        self._entries: dict[tuple[Any, ...], FileResult] = self._load()
        self._dirty = False

    def _load(self) -> dict[tuple[Any, ...], FileResult]:
        try:
            with open(self._file, "rb") as stream:
                entries = pickle.load(stream)
            return entries if isinstance(entries, dict) else {}
        except Exception:  # missing, truncated or from an incompatible version: start afresh
            return {}

    @staticmethod
    def _key(path: str, enabled: frozenset[str], depends: Dependencies) -> tuple[Any, ...] | None:
        try:
            info = os.stat(path)
        except OSError:
            return None
        # Kernels hold option dicts (unhashable): their repr is a faithful, stable fingerprint.
        return (os.path.abspath(path), info.st_size, info.st_mtime_ns, tuple(sorted(enabled)), repr(depends))

    def get(self, path: str, enabled: frozenset[str], depends: Dependencies = ()) -> FileResult | None:
        key = self._key(path, enabled, depends)
        return self._entries.get(key) if key is not None else None

    def put(self, path: str, enabled: frozenset[str], result: FileResult, depends: Dependencies = ()) -> None:
        key = self._key(path, enabled, depends)
        if key is not None:
            self._entries[key] = result
            self._dirty = True

    def save(self) -> None:
        """Write the cache if anything changed; a cache we cannot write is no error."""
        if not self._dirty:
            return
        live = {key: value for key, value in self._entries.items() if os.path.exists(key[0])}
        try:
            self.folder.mkdir(exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by numbalint\n*\n")
            write_atomic_new(self._file, pickle.dumps(live, protocol=pickle.HIGHEST_PROTOCOL))
        except (OSError, SourceError):
            pass


def write_atomic_new(path: Path, data: bytes) -> None:
    """`write_atomic` for a file that may not exist yet."""
    if not path.exists():
        path.touch()
    write_atomic(path, data)
