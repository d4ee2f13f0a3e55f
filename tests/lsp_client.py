"""A minimal LSP client over a server's stdin/stdout, as an editor talks to it:
Content-Length framed JSON-RPC, every wait bounded so a hung server fails a
test or a benchmark instead of hanging it."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

Message = dict[str, Any]

TIMEOUT = 30.0


class LspClient:
    """Starts `python -m numbalint server` and speaks LSP to it."""

    def __init__(self, cwd: Path) -> None:
        self._stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "numbalint", "server"],
            cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
        )
        self._inbox: queue.Queue[Message | None] = queue.Queue()
        self._held: list[Message] = []  # received, not yet asked for
        self._next_id = 0
        threading.Thread(target=self._read_all, args=(self.process.stdout,), daemon=True).start()

    def request(self, method: str, params: Any) -> Any:
        self._next_id += 1
        ident = self._next_id
        self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        reply = self.receive(lambda m: m.get("id") == ident and "method" not in m)
        assert "error" not in reply, reply["error"]
        return reply["result"]

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def answer(self, request: Message, result: Any) -> None:
        """Reply to a request the server sent."""
        self._send({"jsonrpc": "2.0", "id": request["id"], "result": result})

    def notification(self, method: str, where: Callable[[Any], bool] = lambda _: True) -> Any:
        """The params of the next `method` notification whose params satisfy `where`."""
        return self.receive(lambda m: m.get("method") == method and where(m.get("params")))["params"]

    def receive(self, wanted: Callable[[Message], bool], timeout: float = TIMEOUT) -> Message:
        for held in self._held:
            if wanted(held):
                self._held.remove(held)
                return held
        while True:
            try:
                message = self._inbox.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no answer from the server in {timeout} s; stderr:\n{self.stderr()}") from None
            if message is None:
                raise AssertionError(f"the server closed its output; stderr:\n{self.stderr()}")
            if wanted(message):
                return message
            self._held.append(message)

    def initialize(self, root: Path, capabilities: Message | None = None) -> Any:
        result = self.request("initialize", {
            "processId": None, "rootUri": root.as_uri(), "capabilities": capabilities or {},
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
        })
        self.notify("initialized", {})
        return result

    def open(self, path: Path, text: str, version: int = 1) -> None:
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": path.as_uri(), "languageId": "python", "version": version, "text": text,
        }})

    def change(self, path: Path, text: str, version: int) -> None:
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": path.as_uri(), "version": version},
            "contentChanges": [{"text": text}],
        })

    def diagnostics(self, path: Path, version: int | None = None) -> list[Message]:
        """The next diagnostics published for `path` (for `version`, if given)."""
        params = self.notification(
            "textDocument/publishDiagnostics",
            lambda p: p["uri"] == path.as_uri() and (version is None or p.get("version") == version),
        )
        return params["diagnostics"]

    def shutdown(self) -> int:
        """Shut the server down as an editor does; its exit code."""
        self.request("shutdown", None)
        self.notify("exit", None)
        return self.process.wait(timeout=TIMEOUT)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=TIMEOUT)
        self._stderr.close()

    def stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def _send(self, message: Message) -> None:
        body = json.dumps(message).encode("utf-8")
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        stdin.flush()

    def _read_all(self, stream: BinaryIO) -> None:
        while (message := _read_message(stream)) is not None:
            self._inbox.put(message)
        self._inbox.put(None)


def _read_message(stream: BinaryIO) -> Message | None:
    length = None
    while True:
        header = stream.readline()
        if not header:
            return None
        if header in (b"\r\n", b"\n"):
            break
        name, _, value = header.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    if length is None:
        return None
    return json.loads(stream.read(length))


def apply_edits(text: str, edits: list[Message]) -> str:
    """Apply LSP text edits (UTF-16 positions) to `text`, as an editor would."""
    lines = text.splitlines(keepends=True)

    def offset(position: Message) -> int:
        line = lines[position["line"]] if position["line"] < len(lines) else ""
        units = line.encode("utf-16-le")[: 2 * position["character"]].decode("utf-16-le")
        return sum(len(previous) for previous in lines[: position["line"]]) + len(units)

    for edit in sorted(edits, key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]),
                       reverse=True):
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text
