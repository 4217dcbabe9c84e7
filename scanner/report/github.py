"""`-f github`: GitHub Actions workflow commands, one annotation per finding:
`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`.
critical/high are errors, medium warnings, low notices. Values are escaped as
the Actions runner unescapes them; paths are relative to the repository root."""

from __future__ import annotations

from ..findings import Finding
from .locations import GITHUB_COMMAND, char_columns, path_prefix


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(f: Finding, prefix: str = "") -> str:
    col, end_col = char_columns(f)
    end_line = max(f.end_line, f.line)
    props = [("file", prefix + f.path), ("line", str(f.line))]
    if end_line == f.line:  # the runner takes columns only for a one-line range
        props += [("col", str(col)), ("endLine", str(end_line)), ("endColumn", str(max(end_col, col)))]
    else:
        props += [("endLine", str(end_line))]
    props.append(("title", f"dbaudit {f.rule} ({f.severity.value})"))
    message = f.message + "".join(f"\n↳ {prefix + r.path}:{r.line} {r.message}" for r in f.related)
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{GITHUB_COMMAND[f.severity.value]} {head}::{escape_data(message)}"


def render(result, source_root=None, **_options) -> str:
    prefix = path_prefix(result, source_root)
    lines = [command(f, prefix) for f in result.findings]
    n = len(result.findings)
    summary = f"dbaudit: {n} finding{'' if n == 1 else 's'} reported"
    review = getattr(result, "review", None)
    note = review.summary() if review is not None else ""
    lines.append(f"{summary}. {note}".rstrip())
    return "\n".join(lines) + "\n"
