"""Finding the files to check, reading them, and writing fixed ones back.

Exclude patterns are gitignore-style globs: a pattern without a slash (`build`,
`*_pb2.py`) matches a file or folder name at any depth; a pattern with a slash
(`tests/fixtures`, `/docs`) is matched against the path relative to the
project root; a trailing slash (`legacy/`) matches folders only; `**` spans
folders. An excluded folder is not entered. A path named on the command line
is checked even when excluded, unless `force_exclude` is set (pre-commit names
every file it checks, so only this keeps its excludes working).

Inside a git work tree, walking a folder also skips what git ignores: the
`.gitignore` files from the top of the work tree down to each folder (a deeper
one overrides a shallower one, `!pattern` re-includes) and `.git/info/exclude`.
A folder named on the command line that git ignores as a whole is walked
without them, like a file named there.
Their patterns are read by `pathspec`, which implements git's own matching;
exclude patterns keep the compiled globs below (one regex for all of them).
"""

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pathspec import GitIgnoreSpec

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

    def matches(self, relative: str, *, is_dir: bool = False) -> bool:
        """Whether the entry at `relative` (a file unless `is_dir`), or any
        folder above it, matches."""
        parts = relative.split("/")
        return any(
            self.matches_entry("/".join(parts[:depth]), is_dir=depth < len(parts) or is_dir)
            for depth in range(1, len(parts) + 1)
        )


class GitIgnores:
    """The git ignore files in force in one folder, outermost first.

    Each is a (base, spec) pair: `base` is the folder the file's patterns are
    relative to, itself relative to the top of the work tree ('' for the top)."""

    def __init__(self, chain: tuple[tuple[str, GitIgnoreSpec], ...] = ()) -> None:
        self._chain = chain

    def ignores(self, top_relative: str, *, is_dir: bool) -> bool:
        """Whether git ignores the entry at `top_relative`: the last pattern
        that matches it, in the deepest file that has one, decides."""
        ignored = False
        for base, spec in self._chain:
            relative = top_relative[len(base) + 1:] if base else top_relative
            decision = spec.check_file(relative + "/" if is_dir else relative).include
            if decision is not None:
                ignored = decision
        return ignored

    def entering(self, folder: str, top_relative: str) -> GitIgnores:
        """The ignores in force inside `folder`: these, and its own .gitignore."""
        spec = _read_ignore_file(os.path.join(folder, ".gitignore"))
        if spec is None:
            return self
        return GitIgnores((*self._chain, ("" if top_relative == "." else top_relative, spec)))


def git_ignores_for(folder: str) -> tuple[GitIgnores, str] | None:
    """The ignores in force inside `folder` (every .gitignore from the top of
    its git work tree down to its own) and its path relative to that top.
    None outside a work tree (git ignores nothing there), and for a folder git
    ignores as a whole: it was named on purpose (say, a virtualenv's
    site-packages), so its files are checked as if named one by one."""
    absolute = os.path.abspath(folder)
    top = _work_tree_top(absolute)
    if top is None:
        return None
    info_exclude = _read_ignore_file(os.path.join(top, ".git", "info", "exclude"))
    ignores = GitIgnores((("", info_exclude),) if info_exclude is not None else ())
    current, top_relative = top, "."
    ignores = ignores.entering(current, top_relative)
    for part in Path(os.path.relpath(absolute, top)).parts:
        current, top_relative = os.path.join(current, part), _join(top_relative, part)
        if ignores.ignores(top_relative, is_dir=True):
            return None
        ignores = ignores.entering(current, top_relative)
    return ignores, top_relative


def discover(
    paths: Sequence[str],
    *,
    exclude: Sequence[str],
    root: Path,
    respect_gitignore: bool = True,
    force_exclude: bool = False,
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
        is_dir = stat.S_ISDIR(info.st_mode)
        relative = relative_to_root(given, root)
        if force_exclude and patterns.matches(relative, is_dir=is_dir):
            continue
        if is_dir:
            visited.add((info.st_dev, info.st_ino))
            git = git_ignores_for(given) if respect_gitignore else None
            _walk(_Folder(given, relative, *(git or (None, "."))), patterns, visited, found, errors)
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


def decode_source(path: Path, data: bytes) -> tuple[str, str]:
    """Python source bytes as text, and the encoding to write the text back in
    (a BOM or coding cookie honoured; line endings untouched). Raises `SourceError`."""
    try:
        encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        return data.decode(encoding), encoding
    except (SyntaxError, LookupError, UnicodeDecodeError) as error:
        raise SourceError(path, f"cannot decode the file ({error})") from None


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


@dataclass(frozen=True)
class _Folder:
    """A folder to walk: as given, relative to the project root, the git
    ignores in force inside it (None: not in a work tree, or not respected)
    and its path relative to the top of the work tree."""

    path: str
    relative: str
    git: GitIgnores | None
    top_relative: str

    def child(self, entry: os.DirEntry[str]) -> _Folder:
        git = self.git.entering(entry.path, _join(self.top_relative, entry.name)) if self.git else None
        return _Folder(entry.path, _join(self.relative, entry.name), git, _join(self.top_relative, entry.name))

    def skips(self, entry: os.DirEntry[str], patterns: PathPatterns, *, is_dir: bool) -> bool:
        if patterns.matches_entry(_join(self.relative, entry.name), is_dir=is_dir):
            return True
        return self.git is not None and self.git.ignores(_join(self.top_relative, entry.name), is_dir=is_dir)


def _join(folder: str, name: str) -> str:
    return name if folder == "." else f"{folder}/{name}"


def _walk(
    folder: _Folder,
    patterns: PathPatterns,
    visited: set[tuple[int, int]],
    found: set[Path],
    errors: list[FileError],
) -> None:
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current.path) as listing:
                entries = list(listing)
        except OSError as error:
            errors.append(FileError(current.path, describe(error)))
            continue
        for entry in entries:
            if _is_dir(entry):
                if not current.skips(entry, patterns, is_dir=True) and _first_visit(entry, visited):
                    pending.append(current.child(entry))
            elif entry.name.endswith(SOURCE_SUFFIXES) and not current.skips(entry, patterns, is_dir=False):
                found.add(Path(entry.path))


def _work_tree_top(folder: str) -> str | None:
    """The nearest folder at or above `folder` with a `.git` (a folder, or a
    file in a linked work tree or submodule)."""
    current = folder
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _read_ignore_file(path: str) -> GitIgnoreSpec | None:
    """The file's patterns; None when there is no such file (or it cannot be read, as git skips it)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return GitIgnoreSpec.from_lines(file.read().splitlines())
    except OSError:
        return None


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
