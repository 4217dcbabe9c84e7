"""Where a finding is, as CI tools want it: paths relative to the repository
root (GitHub resolves annotations and SARIF against the checkout), severity
levels, and columns counted in characters rather than bytes."""

from __future__ import annotations

from pathlib import Path

from ..findings import Finding

# SARIF `level` and GitHub workflow-command names per severity.
SARIF_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
GITHUB_COMMAND = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}
SEVERITIES = ("critical", "high", "medium", "low")


def path_prefix(result, source_root: Path | str | None) -> str:
    """The scanned folder relative to `source_root` (`apps/web/`), or '' when
    it is the root itself, outside it, or no root is given."""
    if source_root is None:
        return ""
    base = Path(result.root)
    base = base if base.is_dir() else base.parent
    try:
        rel = base.resolve().relative_to(Path(source_root).resolve()).as_posix()
    except ValueError:
        return ""
    return "" if rel == "." else rel + "/"


def _units(text: str, utf16: bool) -> int:
    return len(text.encode("utf-16-le")) // 2 if utf16 else len(text)


def _char_column(line: str | None, byte_column: int, utf16: bool) -> int:
    if line is None:
        return byte_column
    prefix = line.encode("utf-8")[: max(byte_column - 1, 0)].decode("utf-8", errors="ignore")
    return _units(prefix, utf16) + 1


def char_columns(f: Finding, utf16: bool = False) -> tuple[int, int]:
    """(column, end_column), 1-based, in characters (UTF-16 code units when
    `utf16`, SARIF's default column kind). Facts count bytes; the snippet holds
    the finding's first lines, enough to convert; otherwise bytes are kept."""
    lines = f.snippet.split("\n") if f.snippet else []
    first = lines[0] if lines else None
    last_at = f.end_line - f.line
    last = lines[last_at] if 0 <= last_at < len(lines) else None
    return _char_column(first, f.column, utf16), _char_column(last, f.end_column, utf16)


def utf16_len(text: str) -> int:
    """Length as GitHub counts comment characters (UTF-16 code units)."""
    return _units(text, True)
