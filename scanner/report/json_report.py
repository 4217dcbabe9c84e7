"""`-f json`: {"version", "root", "findings", "stats", "warnings", "summary"}. A contract:
the shape is pinned by tests; change it only on purpose."""

from __future__ import annotations

import json

from ..discover import printable_path
from .audit import summary_dict


def report_dict(result) -> dict:
    return {
        "version": result.version,
        "root": printable_path(str(result.root)),
        "findings": [f.to_dict() for f in result.findings],
        "stats": result.stats,
        "warnings": [w.to_dict() for w in result.warnings],
        # 0.2.0, additive: the audit of the whole scanned code (scores, coverage, counts).
        "summary": summary_dict(result),
    }


def render(result, **_options) -> str:
    """Indented JSON with one finding (and one warning) per line: readable and
    diff-friendly, and written by the C encoder (an indented dump of ten
    thousand findings goes through Python's slow pure encoder)."""
    report = report_dict(result)
    one = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731
    parts = ["{"]
    for i, (key, value) in enumerate(report.items()):
        comma = "," if i < len(report) - 1 else ""
        if key in ("findings", "warnings") and value:
            items = ",\n".join(f"    {one(item)}" for item in value)
            parts.append(f'  "{key}": [\n{items}\n  ]{comma}')
        else:
            body = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
            parts.append(f'  "{key}": {body}{comma}')
    parts.append("}")
    return "\n".join(parts) + "\n"
