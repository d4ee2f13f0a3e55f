"""The results cache: a file whose contents have not changed is not checked again.

The cache folder usually sits in the tree being linted, which may come from a
stranger (a pull request), so it holds plain data only: JSON, validated entry
by entry on load (`cache_format`). Whatever is malformed or hostile is a miss,
silently, and is overwritten with a good entry.

An entry is keyed by the sha256 of the file's bytes (never by mtime and size
alone: an edit can keep both), the settings that change results (enabled
rules, whether the file was named, the kernels it uses from other files) and
the versions of numbalint, libcst and Python.

Layout: one small JSON file per source file, `entries/<sha256 of its absolute
path>.json`, holding that file's latest few entries for its current contents,
replaced atomically (`os.replace` of a temporary file written beside it).
Runs at the same time on the same tree (pre-commit runs hook batches in
parallel) can at worst overwrite each other's entries, never tear one; and
since keys name the contents, no run is given a result for other contents.
This was chosen over one sqlite database because it needs no locks, works on
any file system, and a bad file costs one entry, not the cache.

A cache folder that cannot be created or written is no error: nothing is saved.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
import tempfile
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from numbalint.version import __version__
from numbalint.cache_format import CacheFormatError, decode_result, encode_depends, encode_result
from numbalint.pipeline import Task, content_digest
from numbalint.results import FileResult

CACHE_DIR = ".numbalint_cache"
CACHE_DIR_VARIABLE = "NUMBALINT_CACHE_DIR"
_FORMAT = 1
_ENTRIES_PER_FILE = 8  # settings variants and pass-two keys of one file's contents
_MAX_ENTRY_BYTES = 32 * 1024 * 1024  # a bigger file was not written by us


def cache_folder(root: Path, given: str | os.PathLike[str] | None = None) -> Path:
    """`--cache-dir`, else $NUMBALINT_CACHE_DIR, else `.numbalint_cache` in the project root."""
    chosen = given or os.environ.get(CACHE_DIR_VARIABLE)
    return Path(chosen) if chosen else root / CACHE_DIR


class Cache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._entries_folder = folder / "entries"
        self._loaded: dict[str, list[dict[str, Any]]] = {}  # absolute path -> its entries
        self._digests: dict[str, str] = {}  # absolute path -> digest of the bytes last looked up
        self._dirty: set[str] = set()

    def get(self, task: Task, timeout: float) -> FileResult | None:
        """The result for the file's current contents under `task`'s settings,
        or None. A file once given up as too slow is tried again with a longer `timeout`."""
        absolute = os.path.abspath(task.path)
        try:
            with open(absolute, "rb") as file:
                digest = content_digest(file.read())
        except OSError:
            return None
        self._digests[absolute] = digest
        key = _key(task, digest)
        stored = next((entry["result"] for entry in self._entries(absolute) if entry["key"] == key), None)
        if stored is None:
            return None
        try:
            result = decode_result(stored, task.path)
        except CacheFormatError:  # not what we write: drop this file's entries, to be rewritten
            self._loaded[absolute] = []
            return None
        if result.timed_out_after is not None and timeout > result.timed_out_after:
            return None
        return replace(result, digest=digest)

    def put(self, task: Task, result: FileResult) -> None:
        """Remember `result`, if it says what the file's contents are: a fresh
        check (the worker's digest of what it read) or a file given up as too slow."""
        absolute = os.path.abspath(task.path)
        digest = result.digest or (self._digests.get(absolute, "") if result.timed_out_after is not None else "")
        if not digest or task.fix != "off":
            return
        try:
            entry = {"key": _key(task, digest), "digest": digest, "result": encode_result(result)}
        except CacheFormatError:  # something we do not know how to store: check it again next time
            return
        kept = [e for e in self._entries(absolute) if e["digest"] == digest and e["key"] != entry["key"]]
        self._loaded[absolute] = [*kept[-(_ENTRIES_PER_FILE - 1):], entry]
        self._dirty.add(absolute)

    def save(self) -> None:
        """Write what changed; a folder we cannot write is no error."""
        dirty, self._dirty = sorted(self._dirty), set()
        if not dirty:
            return
        try:
            self._entries_folder.mkdir(parents=True, exist_ok=True)
            _create_once(self.folder / ".gitignore", b"# Created by numbalint\n*\n")
            for legacy in self.folder.glob("results-*.pickle"):  # older numbalints' cache: never read
                legacy.unlink()
        except OSError:  # read-only or not a folder: no cache this time
            return
        for absolute in dirty:
            document = {"format": _FORMAT, "path": absolute, "entries": self._loaded[absolute]}
            try:
                _replace_atomically(self._file(absolute), json.dumps(document).encode("utf-8"))
            except OSError:  # a folder in the way, or another process holds the file (Windows)
                pass

    def _entries(self, absolute: str) -> list[dict[str, Any]]:
        if absolute not in self._loaded:
            self._loaded[absolute] = self._read(absolute)
        return self._loaded[absolute]

    def _file(self, absolute: str) -> Path:
        return self._entries_folder / (hashlib.sha256(absolute.encode("utf-8", "surrogatepass")).hexdigest() + ".json")

    def _read(self, absolute: str) -> list[dict[str, Any]]:
        """The stored entries for this file, if their outline is ours (each
        result is checked when it is used); [] for anything else."""
        try:
            return _outline(_load_json(self._file(absolute)), absolute)
        except (OSError, ValueError, RecursionError):  # missing, unreadable, malformed or hostile
            return []


def _key(task: Task, digest: str) -> str:
    """Everything a result depends on, as one hash."""
    settings = [_FORMAT, __version__, _libcst_version(), sys.version_info[:2], digest,
                sorted(task.enabled), task.named, task.edits, encode_depends(task.depends)]
    return hashlib.sha256(json.dumps(settings).encode("utf-8")).hexdigest()


@lru_cache(maxsize=None)
def _libcst_version() -> str:
    from importlib.metadata import version

    return version("libcst")


def _load_json(path: Path) -> object:
    info = os.lstat(path)
    # Not a FIFO (reading one would hang), nor a symlink, nor a giant.
    if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_ENTRY_BYTES:
        raise CacheFormatError("not a cache entry file")
    with open(path, "rb") as file:
        return json.loads(file.read(), parse_constant=_no_constants)


def _no_constants(name: str) -> object:
    raise CacheFormatError(f"{name} in JSON")


def _outline(document: object, absolute: str) -> list[dict[str, Any]]:
    if not isinstance(document, dict) or set(document) != {"format", "path", "entries"}:
        raise CacheFormatError("not a cache document")
    entries = document["entries"]
    if document["format"] != _FORMAT or document["path"] != absolute or not isinstance(entries, list):
        raise CacheFormatError("another format or another file")
    if len(entries) > _ENTRIES_PER_FILE or not all(_is_entry(entry) for entry in entries):
        raise CacheFormatError("not cache entries")
    return entries


def _is_entry(entry: object) -> bool:
    return (isinstance(entry, dict) and set(entry) == {"key", "digest", "result"}
            and isinstance(entry["key"], str) and isinstance(entry["digest"], str))


def _replace_atomically(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never a part (no fsync: a cache
    entry lost to a power cut is only a miss)."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _create_once(path: Path, data: bytes) -> None:
    """Create `path` unless something (even a dangling symlink) is there already."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0))
    except FileExistsError:
        return
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
