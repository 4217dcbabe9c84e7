"""Text and JSON views of the history: the `history` table and the
`diff-scans` listing. The trend page has its own module (trend.py)."""

from __future__ import annotations

import io
import json

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..report.text_report import SEVERITY_STYLE
from .record import SEVERITIES, FindingRow
from .timeline import Entry, ScanDiff


def _console(buf: io.StringIO, color: bool, width: int, soft_wrap: bool = False) -> Console:
    return Console(file=buf, force_terminal=color, no_color=not color, width=width,
                   highlight=False, soft_wrap=soft_wrap)


def _change(n: int | None, style: str) -> Text:
    return Text("–", style="dim") if n is None else Text(str(n), style=style if n else "dim")


def history_text(repo_name: str, where: str, entries: list[Entry], color: bool = False,
                 width: int = 120) -> str:
    buf = io.StringIO()
    console = _console(buf, color, width)
    table = Table(title=f"dbaudit history: {repo_name}", caption=f"store: {where}")
    for col, just in (("#", "right"), ("date", "left"), ("commit", "left"), ("branch", "left"),
                      ("total", "right"), *[(s, "right") for s in SEVERITIES],
                      ("new", "right"), ("fixed", "right"), ("config", "left")):
        table.add_column(col, justify=just, no_wrap=col in ("date", "commit", "config"))
    for e in entries:
        s = e.scan
        sha = (s.short_sha + ("+" if s.dirty else "")) if s.sha else "—"
        config = s.config_hash[:7] + (" (changed)" if e.config_changed else "")
        table.add_row(str(s.id), f"{s.when:%Y-%m-%d %H:%M}", sha, s.branch or "—",
                      Text(str(s.total), style="bold"),
                      *[Text(str(s.by_severity[k]), style=SEVERITY_STYLE[k] if s.by_severity[k] else "dim")
                        for k in SEVERITIES],
                      _change(e.new, "red"), _change(e.fixed, "green"), config)
    console.print(table)
    if any(e.scan.dirty for e in entries):
        console.print(Text("+ : scanned with uncommitted changes on top of the commit.", style="dim"))
    return buf.getvalue()


def history_json(repo_key: str, repo_name: str, where: str, entries: list[Entry]) -> str:
    return json.dumps({"store": where, "repo": {"key": repo_key, "name": repo_name},
                       "scans": [e.to_dict() for e in entries]}, indent=2, ensure_ascii=False) + "\n"


def _finding_lines(console: Console, rows: list[FindingRow], mark: str, style: str) -> None:
    for f in rows:
        line = Text(f"  {mark} ", style=style)
        line.append(f"{f.severity:<8}", style=SEVERITY_STYLE.get(f.severity, ""))
        line.append(f" {f.rule}", style="bold")
        line.append(f"  {f.path}:{f.line}", style="dim")
        line.append(f"  {f.message}")
        console.print(line)


def diff_text(diff: ScanDiff, color: bool = False, width: int = 140) -> str:
    buf = io.StringIO()
    console = _console(buf, color, width, soft_wrap=True)  # one line per finding, for grep
    a, b = diff.before, diff.after
    console.print(Text(f"{a.repo_name}: {a.label()} → {b.label()}", style="bold"))
    if a.config_hash != b.config_hash:
        console.print(Text("note: the two scans used different configs (rules or excludes); "
                           "some changes may come from that.", style="yellow"))
    console.print(Text(f"New ({len(diff.new)})", style="bold red"))
    _finding_lines(console, diff.new, "+", "red")
    console.print(Text(f"Fixed ({len(diff.fixed)})", style="bold green"))
    _finding_lines(console, diff.fixed, "-", "green")
    console.print(f"total {a.total} → {b.total}")
    return buf.getvalue()


def diff_json(diff: ScanDiff) -> str:
    return json.dumps(diff.to_dict(), indent=2, ensure_ascii=False) + "\n"
