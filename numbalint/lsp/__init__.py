"""The language server (`numbalint server`): LSP over stdin/stdout, built on pygls.

- `live.py`: linting editor buffers in-process, with settings and the project
  index kept in memory (no pygls here);
- `convert.py`: findings as LSP diagnostics and code actions;
- `server.py`: the pygls server that wires the two to the protocol.

Only `numbalint server` imports this package: the lint path never pays for pygls.
"""
