"""The pygls server: one long-lived process that lints buffers as they change.

Diagnostics are published on open, change and save; quick fixes are offered
for the fixable ones. A broken configuration is shown once and logged; a
buffer that cannot be parsed publishes no diagnostics (Python's own tooling
already underlines syntax errors) and the reason is logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from numbalint.diagnostics import Finding
from numbalint.files import SOURCE_SUFFIXES
from numbalint.lsp.convert import TextLines, asked_about, diagnostic, quick_fix, wants_quick_fixes
from numbalint.lsp.live import LiveLinter
from numbalint.settings import CONFIG_FILE, ConfigError
from numbalint.version import __version__


@dataclass(frozen=True)
class Published:
    """What was last published for one version of a document."""

    version: int | None
    lines: TextLines
    findings: tuple[tuple[Finding, types.Diagnostic], ...]


class NumbalintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("numbalint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.linter = LiveLinter()
        self.published: dict[str, Published] = {}
        self._open_uris: dict[str, str] = {}  # path -> uri, for files another edit makes stale
        self._shown_config_errors: set[str] = set()

    def start_linting(self, workspace_folders: list[Path]) -> None:
        self.linter = LiveLinter(workspace_folders)

    def lint_and_publish(self, uri: str) -> None:
        path = _file_path(uri)
        if path is None or not path.endswith(SOURCE_SUFFIXES):
            return  # not Python, or an untitled buffer: no folder, no settings, no project
        self._open_uris[path] = uri
        document = self.workspace.get_text_document(uri)
        lines = TextLines(document.source, self.workspace.position_codec.client_num_units)
        try:
            linted = self.linter.lint(path, document.source)
        except ConfigError as error:
            self._config_error(str(error))
            self._publish(uri, Published(document.version, lines, ()))
            return
        if linted.result.error is not None:
            self._log(f"{linted.result.error.path}: {linted.result.error.message}", types.MessageType.Info)
        pairs = tuple((f, diagnostic(f, lines)) for f in linted.result.findings)
        self._publish(uri, Published(document.version, lines, pairs))
        for stale in linted.stale:
            self.lint_and_publish(self._open_uris[stale])

    def close(self, uri: str) -> None:
        self.published.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        path = _file_path(uri)
        if path is None:
            return
        self._open_uris.pop(path, None)
        for stale in self.linter.close(path):
            self.lint_and_publish(self._open_uris[stale])

    def files_changed(self, uris: list[str]) -> None:
        """Files changed on disk (not through the editor): configs, or modules
        whose kernels open buffers may import."""
        paths = [path for path in map(_file_path, uris) if path is not None]
        if any(Path(path).name == CONFIG_FILE for path in paths):
            self.settings_changed()
        modules = [path for path in paths if path.endswith(SOURCE_SUFFIXES)]
        stale = {other for path in modules for other in self.linter.changed_on_disk(path)}
        for path in sorted(stale):
            self.lint_and_publish(self._open_uris[path])

    def watch_files(self) -> None:
        """Ask the client to report changes to Python files and configs, if it can."""
        workspace = self.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace is not None else None
        if watched is None or not watched.dynamic_registration:
            return
        patterns = ("**/*.py", "**/*.pyi", f"**/{CONFIG_FILE}")
        watchers = [types.FileSystemWatcher(glob_pattern=pattern) for pattern in patterns]
        self.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
            id="numbalint-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
        )]))

    def settings_changed(self) -> None:
        self.linter.configs.clear()
        self._shown_config_errors.clear()
        for uri in list(self._open_uris.values()):
            self.lint_and_publish(uri)

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        published = self.published.get(uri)
        current = self.workspace.get_text_document(uri).version
        if published is None or published.version != current or not wants_quick_fixes(params.context.only):
            return []
        return [
            quick_fix(uri, finding.fix, shown, published.lines)
            for finding, shown in published.findings
            # A fix whose edit belongs in another file (nogil on an imported kernel) has no
            # edit here: an action that changes nothing would only confuse.
            if finding.fix is not None and finding.fix.edits and asked_about(shown, params)
        ]

    def _publish(self, uri: str, published: Published) -> None:
        self.published[uri] = published
        diagnostics = [shown for _, shown in published.findings]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=published.version)
        )

    def _config_error(self, message: str) -> None:
        self._log(message, types.MessageType.Error)
        if message not in self._shown_config_errors:  # once, not on every keystroke
            self._shown_config_errors.add(message)
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=message))

    def _log(self, message: str, level: types.MessageType) -> None:
        self.window_log_message(types.LogMessageParams(type=level, message=f"numbalint: {message}"))


def _file_path(uri: str) -> str | None:
    return to_fs_path(uri) if uri.startswith("file:") else None


def build_server() -> NumbalintServer:
    server = NumbalintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: NumbalintServer, params: types.InitializeParams) -> None:
        folders = [to_fs_path(f.uri) for f in ls.workspace.folders.values()]
        if not folders and ls.workspace.root_path:
            folders = [ls.workspace.root_path]
        ls.start_linting([Path(f) for f in folders if f])

    @server.feature(types.INITIALIZED)
    def initialized(ls: NumbalintServer, params: types.InitializedParams) -> None:
        ls.watch_files()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files_changed(ls: NumbalintServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.files_changed([change.uri for change in params.changes])

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: NumbalintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.lint_and_publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: NumbalintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.lint_and_publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: NumbalintServer, params: types.DidSaveTextDocumentParams) -> None:
        if params.text_document.uri.endswith(f"/{CONFIG_FILE}"):
            ls.settings_changed()
        else:
            ls.lint_and_publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: NumbalintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.close(params.text_document.uri)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix], resolve_provider=False),
    )
    def code_action(ls: NumbalintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_actions(params)

    return server


def serve() -> None:
    """Speak LSP on stdin/stdout until the client says exit."""
    build_server().start_io()
