"""One JSON object per line: findings with `"kind": "finding"`, then files that
could not be checked with `"kind": "error"`; the records are those of `json`."""

from __future__ import annotations

import json
from typing import Any

from numbalint.output import Context, Outcome
from numbalint.output.json import error_record, finding_record


def render(outcome: Outcome, context: Context) -> str:
    records = [{"kind": "finding", **finding_record(finding)} for finding in outcome.findings]
    records += [{"kind": "error", **error_record(error)} for error in outcome.errors]
    return "\n".join(_line(record) for record in records)


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)
