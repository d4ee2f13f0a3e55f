"""Linting editor buffers in the server's own process.

Re-linting a buffer after an edit costs one parse of it: the settings of its
folder and the kernels the other files of its project export are kept in
memory. A project's index is read from disk once, the first time one of its
buffers imports anything, and from then on follows the buffers the editor
changes (a file closed unsaved goes back to what is on disk) and the files
the editor reports changed on disk.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from numbalint.files import discover
from numbalint.model import Kernel
from numbalint.pipeline import MAY_MATTER, Task, check_bytes, check_file
from numbalint.project import Dependencies, ProjectIndex
from numbalint.results import FileResult
from numbalint.settings import Settings, load_settings, rules_enabled_for


@dataclass(frozen=True)
class FolderConfig:
    """The settings that apply in one folder, and the rules they enable per file."""

    settings: Settings
    enabled_for: Callable[[str], frozenset[str]]
    stamp: int | None  # the config file's mtime when it was read


class ConfigCache:
    """Settings per folder, read again only when their pyproject.toml changes."""

    def __init__(self) -> None:
        self._by_folder: dict[Path, FolderConfig] = {}

    def for_file(self, path: Path) -> FolderConfig:
        """Raises `settings.ConfigError` for a broken configuration (not cached:
        the next edit reads it again, so a fix to it shows at once)."""
        folder = path.parent
        cached = self._by_folder.get(folder)
        if cached is None or cached.stamp != _stamp(cached.settings.config_path):
            cached = self._by_folder[folder] = _load_config(folder)
        return cached

    def clear(self) -> None:
        """Forget everything (a pyproject.toml was created, saved or deleted)."""
        self._by_folder.clear()


def _load_config(folder: Path) -> FolderConfig:
    settings = load_settings(folder)
    return FolderConfig(settings, rules_enabled_for(settings), _stamp(settings.config_path))


def _stamp(config: Path | None) -> int | None:
    if config is None:
        return None
    try:
        return config.stat().st_mtime_ns
    except OSError:
        return -1  # gone: differs from any stamp it had


class LiveProject:
    """The kernels one project's files export, kept current as buffers change."""

    def __init__(self, exports: Mapping[str, Mapping[str, Kernel]]) -> None:
        self._exports = {_key(path): dict(kernels) for path, kernels in exports.items() if kernels}
        self._index = ProjectIndex(self._exports)

    @classmethod
    def scan(cls, root: Path, settings: Settings) -> LiveProject:
        """Read every file under `root` once (parse and model, no rules)."""
        files, _ = discover([str(root)], exclude=settings.exclude, root=settings.root,
                            respect_gitignore=settings.respect_gitignore)
        return cls({str(path): check_file(Task(str(path), frozenset())).exports for path in files})

    def depends(self, path: str, imports: Sequence[str]) -> Dependencies:
        return self._index.depends(path, tuple(imports)) if imports else ()

    def update(self, path: str, kernels: Mapping[str, Kernel]) -> bool:
        """Record what `path` exports now; whether that changed anything."""
        key = _key(path)
        if self._exports.get(key, {}) == kernels:
            return False
        if kernels:
            self._exports[key] = dict(kernels)
        else:
            del self._exports[key]
        self._index = ProjectIndex(self._exports)
        return True


def _key(path: str) -> str:
    return str(Path(path).resolve())


@dataclass
class _OpenFile:
    root: Path
    imports: tuple[str, ...] = ()
    depends: Dependencies = ()  # what its last lint was given
    exports: Mapping[str, Kernel] = field(default_factory=dict)


@dataclass(frozen=True)
class Linted:
    result: FileResult
    stale: tuple[str, ...] = ()  # other open files whose imported kernels just changed


class LiveLinter:
    """Lints open buffers; knows which other open buffers an edit affects."""

    def __init__(self, workspace_folders: Sequence[Path] = ()) -> None:
        self.configs = ConfigCache()
        self._folders = sorted((f.resolve() for f in workspace_folders), key=lambda f: -len(f.parts))
        self._projects: dict[Path, LiveProject] = {}
        self._open: dict[str, _OpenFile] = {}

    def lint(self, path: str, text: str) -> Linted:
        """Lint `text` as the contents of `path`. Raises `settings.ConfigError`."""
        config = self.configs.for_file(Path(path))
        root = self._root(path, config.settings)
        task = Task(path, config.enabled_for(path))
        data = source_bytes(text)
        if not MAY_MATTER.search(data):
            return self._record(root, path, FileResult(path), ())
        # The imports of its last version say which kernels it needs: one parse, usually.
        known = self._open.get(path)
        project = self._projects.get(root)
        depends = project.depends(path, known.imports) if project is not None and known is not None else ()
        result = check_bytes(replace(task, depends=depends), data)
        if result.imports:
            needed = self._project(root, config.settings).depends(path, result.imports)
            if needed != depends:  # new imports (or a first look): again, with what they reach
                depends = needed
                result = check_bytes(replace(task, depends=depends), data)
        return self._record(root, path, result, depends)

    def close(self, path: str) -> tuple[str, ...]:
        """Forget a closed buffer; the file on disk is what the project sees again.
        Returns the open files that this changes."""
        closed = self._open.pop(path, None)
        return self._read_from_disk(closed.root, path) if closed is not None else ()

    def changed_on_disk(self, path: str) -> tuple[str, ...]:
        """A file written, created or deleted outside the editor (an open buffer
        wins over its file). Returns the open files that this changes."""
        resolved = Path(path).resolve()
        roots = [root for root in self._projects if resolved.is_relative_to(root)]
        if path in self._open or not roots:
            return ()
        return self._read_from_disk(max(roots, key=lambda root: len(root.parts)), path)

    def _read_from_disk(self, root: Path, path: str) -> tuple[str, ...]:
        if root not in self._projects:
            return ()
        return self._exports_changed(root, path, check_file(Task(path, frozenset())).exports)

    def _record(self, root: Path, path: str, result: FileResult, depends: Dependencies) -> Linted:
        if result.error is not None:  # keep what the last good text imported and exported
            return Linted(result)
        self._open[path] = _OpenFile(root, result.imports, depends, result.exports)
        return Linted(result, self._exports_changed(root, path, result.exports))

    def _exports_changed(self, root: Path, path: str, exports: Mapping[str, Kernel]) -> tuple[str, ...]:
        """Record `path`'s kernels in its project; the other open files that this changes."""
        project = self._projects.get(root)
        if project is None or not project.update(path, exports):
            return ()
        return tuple(
            other for other, state in self._open.items()
            if other != path and state.root == root and project.depends(other, state.imports) != state.depends
        )

    def _project(self, root: Path, settings: Settings) -> LiveProject:
        project = self._projects.get(root)
        if project is None:
            project = self._projects[root] = LiveProject.scan(root, settings)
            for path, state in self._open.items():  # buffers win over the disk
                if state.root == root:
                    project.update(path, state.exports)
        return project

    def _root(self, path: str, settings: Settings) -> Path:
        """The project a file belongs to: its config's folder, else the
        workspace folder holding it, else its own folder."""
        if settings.config_path is not None:
            return settings.config_path.resolve().parent
        resolved = Path(path).resolve()
        return next((f for f in self._folders if resolved.is_relative_to(f)), resolved.parent)


def source_bytes(text: str) -> bytes:
    """The bytes a buffer's text is saved as: encoded as its coding cookie says,
    so that the parser decodes it back to the very same text."""
    data = text.encode("utf-8")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data if encoding in ("utf-8", "utf-8-sig") else text.encode(encoding)
    except (SyntaxError, LookupError, UnicodeEncodeError):
        return data  # a bad cookie: the parser reports it
