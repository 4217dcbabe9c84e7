"""`-f json`: {"version", "root", "findings", "stats", "warnings", "summary"}. A contract:
the shape is pinned by tests; change it only on purpose."""

from __future__ import annotations

import json
from typing import Iterator, TextIO

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


def _parts(result) -> dict:
    """report_dict with the findings and warnings left as lazy sequences of
    objects (each is turned into a dict only when it is written)."""
    return {
        "version": result.version,
        "root": printable_path(str(result.root)),
        "findings": result.findings,
        "stats": result.stats,
        "warnings": result.warnings,
        "summary": summary_dict(result),
    }


def chunks(result) -> Iterator[str]:
    """The report as pieces of text, one finding (or warning) at a time: written to
    a file one by one, a report of many findings never exists as one string.
    Indented JSON with one finding (and one warning) per line: readable and
    diff-friendly, and written by the C encoder (an indented dump of ten
    thousand findings goes through Python's slow pure encoder)."""
    report = _parts(result)
    one = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731
    yield "{"
    for i, (key, value) in enumerate(report.items()):
        comma = "," if i < len(report) - 1 else ""
        if key in ("findings", "warnings") and value:
            yield f'\n  "{key}": [\n'
            for k, item in enumerate(value):
                yield (",\n    " if k else "    ") + one(item.to_dict())
            yield f"\n  ]{comma}"
        else:
            body = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
            yield f'\n  "{key}": {body}{comma}'
    yield "\n}\n"


def render(result, **_options) -> str:
    return "".join(chunks(result))


def write(result, fh: TextIO, **_options) -> None:
    """`render` streamed to an open text file."""
    for piece in chunks(result):
        fh.write(piece)
