"""Finding the files to check, reading them, and writing fixed ones back.

Exclude patterns are gitignore-style globs: a pattern without a slash (`build`,
`*_pb2.py`) matches a file or folder name at any depth; a pattern with a slash
(`tests/fixtures`, `/docs`) is matched against the path relative to the
project root; a trailing slash (`legacy/`) matches folders only; `**` spans
folders. An excluded folder is not entered. A path named on the command line
is always checked: excludes only prune what walking a folder finds.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from numbalint.diagnostics import FileError

# Folders that never hold code worth checking (tools' caches, environments,
# build output). `exclude` in the configuration replaces these.
DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    ".venv",
    "venv",
    ".direnv",
    ".tox",
    ".nox",
    ".eggs",
    "*.egg-info",
    "__pycache__",
    "__pypackages__",
    "build",
    "dist",
    "_build",
    "node_modules",
    "site-packages",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".numbalint_cache",
)

NOTEBOOK_SUFFIX = ".ipynb"  # Jupyter notebooks: see numbalint/notebook.py
SOURCE_SUFFIXES = (".py", ".pyi", NOTEBOOK_SUFFIX)


class SourceError(Exception):
    """A file that could not be read or written; `str()` is one line."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message

    @property
    def file_error(self) -> FileError:
        return FileError(str(self.path), self.message)


class PathPatterns:
    """A compiled set of gitignore-style patterns (see the module docstring)."""

    def __init__(self, patterns: Iterable[str]) -> None:
        by_kind: dict[tuple[bool, bool], list[str]] = {}
        for pattern in patterns:
            anchored, folders_only, regex = _translate(pattern)
            if regex is not None:
                by_kind.setdefault((anchored, folders_only), []).append(regex)
        self._name_any = _union(by_kind.get((False, False)))
        self._name_folder = _union(by_kind.get((False, True)))
        self._path_any = _union(by_kind.get((True, False)))
        self._path_folder = _union(by_kind.get((True, True)))

    def matches_entry(self, relative: str, *, is_dir: bool) -> bool:
        """Whether this one entry matches, its parent folders aside.

        `relative` is a '/'-separated path relative to the root."""
        name = relative.rpartition("/")[2]
        if _hit(self._name_any, name) or _hit(self._path_any, relative):
            return True
        return is_dir and (
            _hit(self._name_folder, name) or _hit(self._path_folder, relative)
        )

    def matches(self, relative: str) -> bool:
        """Whether the file at `relative`, or any folder above it, matches."""
        parts = relative.split("/")
        return any(
            self.matches_entry("/".join(parts[:depth]), is_dir=depth < len(parts))
            for depth in range(1, len(parts) + 1)
        )


def discover(
    paths: Sequence[str], *, exclude: Sequence[str], root: Path
) -> tuple[list[Path], list[FileError]]:
    """The files to check under `paths`, sorted, and the paths that failed."""
    patterns = PathPatterns(exclude)
    found: set[Path] = set()
    errors: list[FileError] = []
    visited: set[tuple[int, int]] = set()
    for given in paths:
        try:
            info = os.stat(given)
        except OSError as error:
            errors.append(FileError(given or "''", describe(error)))  # name even an empty path
            continue
        if stat.S_ISDIR(info.st_mode):
            visited.add((info.st_dev, info.st_ino))
            _walk(given, relative_to_root(given, root), patterns, visited, found, errors)
        else:
            found.add(Path(given))
    return sorted(found), errors


def named_files(paths: Sequence[str]) -> frozenset[str]:
    """The paths that name files, not folders, spelled as `discover` returns
    them: a file named on purpose is checked even if it looks irrelevant."""
    return frozenset(str(Path(given)) for given in paths if given and not os.path.isdir(given))


def relative_to_root(path: str | os.PathLike[str], root: Path) -> str:
    """`path` relative to `root`, '/'-separated, as exclude patterns see it."""
    try:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:  # another drive, on Windows
        relative = os.path.abspath(path)
    return relative.replace(os.sep, "/")


def read_bytes(path: Path) -> bytes:
    """The file's bytes; raises `SourceError` for anything that is not a readable file."""
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as error:
        raise SourceError(path, describe(error)) from None


def write_atomic(path: Path, data: bytes) -> None:
    """Replace the existing file at `path` with `data`, all or nothing.

    Writes a temporary file beside the target (same file system, so the final
    rename is atomic), with the target's permission bits, then renames it over
    the target. A symlink is followed: the file it points to is replaced.
    Raises `SourceError` and leaves the original untouched on failure."""
    target = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
        descriptor, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".numbalint-tmp"
        )
    except OSError as error:
        raise SourceError(path, f"cannot write: {describe(error)}") from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as error:
        _remove_quietly(temporary)
        if isinstance(error, OSError):
            raise SourceError(path, f"cannot write: {describe(error)}") from None
        raise


def describe(error: OSError) -> str:
    """An OS error as a short lower-case phrase: 'permission denied'."""
    reason = error.strerror or str(error)
    return reason[:1].lower() + reason[1:]


def _walk(
    folder: str,
    relative: str,
    patterns: PathPatterns,
    visited: set[tuple[int, int]],
    found: set[Path],
    errors: list[FileError],
) -> None:
    pending = [(folder, relative)]
    while pending:
        current, current_relative = pending.pop()
        prefix = "" if current_relative == "." else current_relative + "/"
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError as error:
            errors.append(FileError(current, describe(error)))
            continue
        for entry in entries:
            entry_relative = prefix + entry.name
            if _is_dir(entry):
                if patterns.matches_entry(entry_relative, is_dir=True):
                    continue
                if _first_visit(entry, visited):
                    pending.append((entry.path, entry_relative))
            elif entry.name.endswith(SOURCE_SUFFIXES) and not patterns.matches_entry(
                entry_relative, is_dir=False
            ):
                found.add(Path(entry.path))


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _first_visit(entry: os.DirEntry[str], visited: set[tuple[int, int]]) -> bool:
    """False for a folder already walked: symlink loops end here."""
    try:
        info = entry.stat()
    except OSError:
        return False
    key = (info.st_dev, info.st_ino)
    if key in visited:
        return False
    visited.add(key)
    return True


def _translate(pattern: str) -> tuple[bool, bool, str | None]:
    """(anchored to the root, folders only, regex) for one pattern."""
    text = pattern.strip()
    folders_only = text.endswith("/")
    text = text.rstrip("/")
    text = text[2:] if text.startswith("./") else text
    anchored = "/" in text
    text = text.lstrip("/")
    return anchored, folders_only, _glob_to_regex(text) if text else None


_GLOB_TOKEN = re.compile(r"\*\*/|/\*\*$|\*\*|\*|\?|\[!?[^\]]*\]|[^*?\[]+|\[")


def _glob_to_regex(pattern: str) -> str:
    pieces = []
    for token in _GLOB_TOKEN.findall(pattern):
        if token == "**/":
            pieces.append("(?:.*/)?")
        elif token == "/**":
            pieces.append("/.*")
        elif token == "**":
            pieces.append(".*")
        elif token == "*":
            pieces.append("[^/]*")
        elif token == "?":
            pieces.append("[^/]")
        elif token.startswith("[") and token.endswith("]") and len(token) > 2:
            body = token[1:-1]
            negated = body.startswith("!")
            body = re.escape(body[1:] if negated else body).replace("\\-", "-")
            pieces.append(f"[{'^' if negated else ''}{body}]")
        else:
            pieces.append(re.escape(token))
    return "".join(pieces)


def _union(regexes: list[str] | None) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{r})" for r in regexes)) if regexes else None


def _hit(regex: re.Pattern[str] | None, text: str) -> bool:
    return regex is not None and regex.fullmatch(text) is not None


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
