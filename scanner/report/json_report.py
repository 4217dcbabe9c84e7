"""`-f json`: {"version", "root", "findings", "stats", "warnings"}. A contract:
the shape is pinned by tests; change it only on purpose."""

from __future__ import annotations

import json

from ..discover import printable_path


def report_dict(result) -> dict:
    return {
        "version": result.version,
        "root": printable_path(str(result.root)),
        "findings": [f.to_dict() for f in result.findings],
        "stats": result.stats,
        "warnings": [w.to_dict() for w in result.warnings],
    }


def render(result, **_options) -> str:
    return json.dumps(report_dict(result), indent=2, ensure_ascii=False) + "\n"
