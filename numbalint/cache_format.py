"""FileResult to JSON and back, for the cache: plain data in, checked data out.

The cache folder usually lives in the tree being linted, which may come from a
stranger, so decoding trusts nothing: every object must have exactly the keys
we write, every value the type we write, or `CacheFormatError` is raised and
the caller treats the entry as missing. Nothing here can run code.

Paths are not stored: a result is decoded under the path as this run spells it.
"""

from __future__ import annotations

from typing import Any, Mapping

from numbalint.diagnostics import Edit, FileError, Finding, FixSummary, OptionElsewhere, Span
from numbalint.model import UNKNOWN, Kernel
from numbalint.model.facts import Param, Signature
from numbalint.project import Dependencies
from numbalint.results import FileResult

_SEVERITIES = ("error", "warning")
_APPLICABILITIES = ("safe", "unsafe")
_KERNEL_KINDS = ("jit", "vectorize", "guvectorize")
_PARAM_KINDS = ("positional_only", "positional", "var_positional", "keyword_only", "var_keyword")
_UNKNOWN_OPTION = {"unknown": True}  # an option whose value is not a literal


class CacheFormatError(ValueError):
    """Data that is not what `encode_result` writes."""


# -- encoding ------------------------------------------------------------------------------


def encode_result(result: FileResult) -> dict[str, Any]:
    """`result` as JSON-ready data (without its path and digest, which the cache keys)."""
    return {
        "findings": [_encode_finding(finding) for finding in result.findings],
        "error": _encode_error(result.error, result.path) if result.error is not None else None,
        "exports": {name: encode_kernel(kernel) for name, kernel in result.exports.items()},
        "imports": list(result.imports),
        "imported_as": dict(result.imported_as),
        "star_imports": list(result.star_imports),
        "fixed": list(result.fixed),
        "diff": result.diff,
        "skipped": result.skipped,
        "timed_out_after": result.timed_out_after,
    }


def encode_depends(depends: Dependencies) -> list[Any]:
    return [[name, encode_kernel(kernel)] for name, kernel in depends]


def encode_kernel(kernel: Kernel) -> dict[str, Any]:
    signature = kernel.signature
    return {
        "name": kernel.name,
        "kind": kernel.kind,
        "signature": None if signature is None else [[p.name, p.kind, p.has_default] for p in signature.params],
        "options": {name: _encode_option(value) for name, value in kernel.options.items()},
        "returns_value": kernel.returns_value,
        "layout": None if kernel.layout is None else list(kernel.layout),
        "origin": kernel.origin,
        "defined_in": kernel.defined_in,
    }


def _encode_option(value: object) -> object:
    # By type: a kernel that crossed from a worker holds an unpickled copy of the marker.
    if isinstance(value, type(UNKNOWN)):
        return _UNKNOWN_OPTION
    if value is None or isinstance(value, (bool, int, str)):
        return value
    raise CacheFormatError(f"an option value of type {type(value).__name__}")


def _encode_finding(finding: Finding) -> dict[str, Any]:
    fix = finding.fix
    return {
        "span": _encode_span(finding.span),
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity,
        "message": finding.message,
        "fix": None if fix is None else {
            "message": fix.message,
            "applicability": fix.applicability,
            "edits": [[*_encode_span(edit.span), edit.content] for edit in fix.edits],
            "elsewhere": [[request.path, request.kernel, request.option] for request in fix.elsewhere],
        },
        "cell": finding.cell,
    }


def _encode_span(span: Span) -> list[int]:
    return [span.line, span.column, span.end_line, span.end_column]


def _encode_error(error: FileError, path: str) -> dict[str, Any]:
    if error.path != path:
        raise CacheFormatError("an error about another path")
    return {"message": error.message, "line": error.line, "column": error.column, "cell": error.cell}


# -- decoding ------------------------------------------------------------------------------


def decode_result(data: object, path: str) -> FileResult:
    """The result `encode_result` wrote, as the result for `path`; raises
    `CacheFormatError` for anything else."""
    fields = _object(data, ("findings", "error", "exports", "imports", "imported_as", "star_imports", "fixed",
                            "diff", "skipped", "timed_out_after"))
    error = fields["error"]
    timed_out_after = fields["timed_out_after"]
    if timed_out_after is not None and not _is_number(timed_out_after):
        raise CacheFormatError("timed_out_after")
    return FileResult(
        path,
        findings=tuple(_decode_finding(item, path) for item in _list(fields["findings"])),
        error=None if error is None else _decode_error(error, path),
        exports={_str(name): decode_kernel(kernel) for name, kernel in _dict(fields["exports"]).items()},
        imports=tuple(_str(name) for name in _list(fields["imports"])),
        imported_as={_str(name): _str(qualified) for name, qualified in _dict(fields["imported_as"]).items()},
        star_imports=tuple(_str(module) for module in _list(fields["star_imports"])),
        fixed=tuple(_str(message) for message in _list(fields["fixed"])),
        diff=_str(fields["diff"]),
        skipped=_bool(fields["skipped"]),
        timed_out_after=timed_out_after,
    )


def decode_kernel(data: object) -> Kernel:
    fields = _object(data, ("name", "kind", "signature", "options", "returns_value", "layout", "origin",
                            "defined_in"))
    signature, layout = fields["signature"], fields["layout"]
    origin, defined_in = fields["origin"], fields["defined_in"]
    return Kernel(
        _str(fields["name"]),
        _choice(fields["kind"], _KERNEL_KINDS),
        None if signature is None else Signature(tuple(_decode_param(p) for p in _list(signature))),
        {_str(name): _decode_option(value) for name, value in _dict(fields["options"]).items()},
        _bool(fields["returns_value"]),
        layout=None if layout is None else _int_pair(layout),
        origin=None if origin is None else _str(origin),
        defined_in=None if defined_in is None else _str(defined_in),
    )


def _decode_param(data: object) -> Param:
    name, kind, has_default = _sized(data, 3)
    return Param(_str(name), _choice(kind, _PARAM_KINDS), _bool(has_default))


def _decode_option(value: object) -> object:
    if value == _UNKNOWN_OPTION:
        return UNKNOWN
    if value is None or isinstance(value, (bool, int, str)):
        return value
    raise CacheFormatError("an option value")


def _decode_finding(data: object, path: str) -> Finding:
    fields = _object(data, ("span", "code", "name", "severity", "message", "fix", "cell"))
    fix = fields["fix"]
    return Finding(
        path,
        _decode_span(fields["span"]),
        _str(fields["code"]),
        _str(fields["name"]),
        _choice(fields["severity"], _SEVERITIES),
        _str(fields["message"]),
        None if fix is None else _decode_fix(fix),
        _optional_int(fields["cell"]),
    )


def _decode_fix(data: object) -> FixSummary:
    fields = _object(data, ("message", "applicability", "edits", "elsewhere"))
    edits = []
    for item in _list(fields["edits"]):
        *span, content = _sized(item, 5)
        edits.append(Edit(_decode_span(span), _str(content)))
    elsewhere = tuple(OptionElsewhere(*(_str(part) for part in _sized(item, 3)))
                      for item in _list(fields["elsewhere"]))
    return FixSummary(_str(fields["message"]), _choice(fields["applicability"], _APPLICABILITIES), tuple(edits),
                      elsewhere)


def _decode_span(data: object) -> Span:
    line, column, end_line, end_column = (_int(value) for value in _sized(data, 4))
    return Span(line, column, end_line, end_column)


def _decode_error(data: object, path: str) -> FileError:
    fields = _object(data, ("message", "line", "column", "cell"))
    return FileError(path, _str(fields["message"]), _optional_int(fields["line"]),
                     _optional_int(fields["column"]), _optional_int(fields["cell"]))


# -- checks: each returns its argument with a precise type, or raises ------------------------------


def _object(data: object, keys: tuple[str, ...]) -> Mapping[str, object]:
    if not isinstance(data, dict) or set(data) != set(keys):
        raise CacheFormatError(f"expected an object with keys {', '.join(keys)}")
    return data


def _dict(data: object) -> dict[object, object]:
    if not isinstance(data, dict):
        raise CacheFormatError("expected an object")
    return data


def _list(data: object) -> list[object]:
    if not isinstance(data, list):
        raise CacheFormatError("expected a list")
    return data


def _sized(data: object, size: int) -> list[object]:
    items = _list(data)
    if len(items) != size:
        raise CacheFormatError(f"expected {size} items")
    return items


def _str(data: object) -> str:
    if not isinstance(data, str):
        raise CacheFormatError("expected a string")
    return data


def _bool(data: object) -> bool:
    if not isinstance(data, bool):
        raise CacheFormatError("expected true or false")
    return data


def _int(data: object) -> int:
    if isinstance(data, bool) or not isinstance(data, int):
        raise CacheFormatError("expected an integer")
    return data


def _optional_int(data: object) -> int | None:
    return None if data is None else _int(data)


def _is_number(data: object) -> bool:
    return not isinstance(data, bool) and isinstance(data, (int, float))


def _int_pair(data: object) -> tuple[int, int]:
    first, second = (_int(value) for value in _sized(data, 2))
    return first, second


def _choice(data: object, allowed: tuple[str, ...]) -> Any:
    if data not in allowed:
        raise CacheFormatError(f"expected one of {', '.join(allowed)}")
    return data
