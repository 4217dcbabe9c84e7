"""Terminal output with rich: findings grouped by file, then a summary table
by severity and rule."""

from __future__ import annotations

import io
from collections import Counter

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .. import recognition
from .audit import SEVERITIES as _SEVERITY_ORDER, build_audit

SEVERITY_STYLE = {"critical": "bold white on red", "high": "bold red", "medium": "yellow", "low": "cyan"}
SEVERITIES = ("critical", "high", "medium", "low")


def render(result, color: bool = False, width: int = 110, **_options) -> str:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width,
                      highlight=False, soft_wrap=False)
    current = None
    for f in result.findings:
        if f.path != current:
            current = f.path
            console.print(Text(f.path, style="bold underline"))
        line = Text("  ")
        line.append(f"{f.line}:{f.column}", style="dim")
        line.append("  ")
        line.append(f"{f.severity.value:<8}", style=SEVERITY_STYLE[f.severity.value])
        line.append(f" {f.rule}", style="bold")
        line.append(f" ({f.confidence} confidence)", style="dim")
        line.append(f"  {f.message}")
        console.print(line)
        for e in f.evidence:
            console.print(Text(f"      · {e}", style="dim"))
        for r in f.related:
            console.print(Text(f"      ↳ {r.path}:{r.line} {r.message}", style="dim"))
    if result.findings:
        console.print()
    by_rule = Counter((f.rule, f.severity.value) for f in result.findings)
    table = Table(title="dbaudit summary", show_lines=False)
    table.add_column("rule")
    for s in SEVERITIES:
        table.add_column(s, justify="right")
    table.add_column("total", justify="right")
    for rule in sorted({r for r, _ in by_rule}):
        counts = [by_rule.get((rule, s), 0) for s in SEVERITIES]
        table.add_row(rule, *[str(c) if c else "" for c in counts], str(sum(counts)))
    sev = result.stats["by_severity"]
    table.add_row(Text("total", style="bold"), *[str(sev[s]) for s in SEVERITIES],
                  str(len(result.findings)))
    console.print(table)
    st = result.stats
    console.print(
        f"{st['files_scanned']} files, {st['prisma_calls']} Prisma calls, "
        f"{st['schema_files']} schema file(s), {len(result.warnings)} warning(s), {st['seconds']:.2f}s"
    )
    rec = st.get("recognition")
    if rec:
        line = recognition.headline(rec)
        console.print(Text(f"Partial audit: {line}; see the warning below.", style="bold red")
                      if recognition.incomplete(rec) else line)
    hidden = result.review.summary() if getattr(result, "review", None) is not None else ""
    if hidden:
        console.print(hidden)
    _audit_summary(console, result)
    if result.schema is None:
        console.print("No schema.prisma found: schema rules were skipped and models were not checked.")
    for w in result.warnings[:20]:
        where = f"{w.path}:{w.line}" if w.line else w.path
        console.print(Text(f"warning: {where}: {w.message}", style="yellow"))
    if len(result.warnings) > 20:
        console.print(f"... and {len(result.warnings) - 20} more warnings (see -f json).")
    return buf.getvalue()


STATUS_STYLE = {"strong": "green", "needs work": "yellow", "weak": "yellow", "critical gap": "bold red",
                "not measured": "dim"}


def _out_of_ten(score: int | None) -> str:
    return "n/a" if score is None else f"{score}/10"


def _audit_summary(console: Console, result) -> None:
    """The HTML audit's verdict, score table and coverage counts, for the terminal."""
    audit = build_audit(result)
    s = audit.summary
    head = Text("Audit: ", style="bold")
    head.append(f"{_out_of_ten(s.score)} {s.verdict}", style=STATUS_STYLE[s.status])
    head.append("  (" + ", ".join(f"{audit.by_severity[x]} {x}" for x in _SEVERITY_ORDER) + ")")
    console.print(head)
    table = Table(show_header=True, box=None, pad_edge=False)
    for col, justify in (("area", "left"), ("score", "right"), ("status", "left"),
                         ("coverage", "right"), ("findings", "right")):
        table.add_column(col, justify=justify)
    for a in audit.scores.areas:
        table.add_row(a.area, _out_of_ten(a.rounded), Text(a.status, style=STATUS_STYLE[a.status]),
                      f"{a.coverage:.0%}" if a.coverage is not None else "-",
                      str(sum(i.count for i in a.findings)))
    table.add_row(Text("Overall", style="bold"), _out_of_ten(audit.scores.overall_rounded),
                  Text(s.status, style=STATUS_STYLE[s.status]), "", "")
    console.print(table)
    for f in audit.figures.values():
        pct = f"{f.share:.0%}" if f.share is not None else "n/a"
        console.print(f"  {f.numerator}/{f.denominator} ({pct}) {f.title.replace('`', '')}")
