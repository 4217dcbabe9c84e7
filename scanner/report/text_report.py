"""Terminal output with rich, worst first: a one-paragraph verdict, then the
findings by severity (critical first), confidence, path and line, then a
summary table by severity and rule and the audit's scores and coverage.

Many findings of one rule and severity fold into one line (`group=False`
lists them); related locations are shown for critical and high findings only."""

from __future__ import annotations

import io
import textwrap
from collections import Counter

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .. import recognition
from ..findings import Finding, confidence_rank
from .audit import SEVERITIES as _SEVERITY_ORDER, build_audit, listed_findings

SEVERITY_STYLE = {"critical": "bold white on red", "high": "bold red", "medium": "yellow", "low": "cyan"}
SEVERITIES = ("critical", "high", "medium", "low")
GROUP_OVER = 5            # more findings than this of one rule and severity fold into one line
RELATED_FROM = 3          # severity rank from which related locations are listed (high)
GROUP_MESSAGE = 30        # the fewest characters of the first message a group line quotes


def order(findings) -> list[Finding]:
    """Worst first: severity, then confidence, then path and line."""
    return sorted(findings, key=lambda f: (-f.severity.rank, -confidence_rank(f.confidence),
                                           f.path, f.line, f.column, f.rule))


def render(result, color: bool = False, width: int = 110, group: bool = True, **_options) -> str:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width,
                      highlight=False, soft_wrap=False)
    audit = build_audit(result)
    _verdict(console, result, audit)
    findings = order(result.findings)
    sizes = Counter((f.rule, f.severity) for f in findings) if group else Counter()
    grouped: set = set()
    previous = None
    for f in findings:
        key = (f.rule, f.severity)
        if key in grouped:
            continue
        if f.severity != previous:
            console.print()
            previous = f.severity
        if sizes[key] > GROUP_OVER:
            grouped.add(key)
            _group_line(console, [g for g in findings if (g.rule, g.severity) == key])
        else:
            _finding(console, f)
    if result.findings:
        console.print()
    _summary_table(console, result.findings)
    st = result.stats
    console.print(
        f"{st['files_scanned']} files, {st['prisma_calls']} Prisma calls, "
        f"{st['schema_files']} schema file(s), {len(result.warnings)} warning(s), {st['seconds']:.2f}s"
    )
    hidden = result.review.summary() if getattr(result, "review", None) is not None else ""
    if hidden:
        console.print(hidden)
    _audit_table(console, audit)
    if result.schema is None:
        console.print("No schema.prisma found: schema rules were skipped and models were not checked.")
    for w in result.warnings[:20]:
        where = f"{w.path}:{w.line}" if w.line else w.path
        console.print(Text(f"warning: {where}: {w.message}", style="yellow"))
    if len(result.warnings) > 20:
        console.print(f"... and {len(result.warnings) - 20} more warnings (see -f json).")
    return buf.getvalue()


def _finding(console: Console, f: Finding) -> None:
    line = Text(f"{f.path}:{f.line}:{f.column}", style="bold")
    line.append("  ")
    line.append(f"{f.severity.value:<8}", style=SEVERITY_STYLE[f.severity.value])
    line.append(f" {f.rule}", style="bold")
    line.append(f" ({f.confidence} confidence)", style="dim")
    line.append(f"  {f.message}")
    console.print(line)
    for e in f.evidence:
        console.print(Text(f"    · {e}", style="dim"))
    if f.severity.rank >= RELATED_FROM:
        for r in f.related:
            console.print(Text(f"    ↳ {r.path}:{r.line} {r.message}", style="dim"))
    elif f.related:
        n = len(f.related)
        console.print(Text(f"    ({n} related location{'' if n == 1 else 's'})", style="dim"))


def _group_line(console: Console, members: list[Finding]) -> None:
    """`52 × rule (low) in 30 files: <first message, shortened to fit>; --no-group to list them`."""
    first = members[0]
    files = len({f.path for f in members})
    line = Text(f"{len(members)} × ")
    line.append(first.rule, style="bold")
    line.append(f" ({first.severity.value})", style=SEVERITY_STYLE[first.severity.value])
    line.append(f" in {files} file{'' if files == 1 else 's'}: ")
    tail = "; --no-group to list them"
    room = max(GROUP_MESSAGE, console.width - 1 - len(line) - len(tail))
    line.append(textwrap.shorten(first.message, room, placeholder=" …") + tail)
    console.print(line)


def _summary_table(console: Console, findings: list[Finding]) -> None:
    by_rule = Counter((f.rule, f.severity.value) for f in findings)
    table = Table(title="dbaudit summary", show_lines=False)
    table.add_column("rule")
    for s in SEVERITIES:
        table.add_column(s, justify="right")
    table.add_column("total", justify="right")
    for rule in sorted({r for r, _ in by_rule}):
        counts = [by_rule.get((rule, s), 0) for s in SEVERITIES]
        table.add_row(rule, *[str(c) if c else "" for c in counts], str(sum(counts)))
    sev = Counter(f.severity.value for f in findings)
    table.add_row(Text("total", style="bold"), *[str(sev[s]) for s in SEVERITIES], str(len(findings)))
    console.print(table)


STATUS_STYLE = {"strong": "green", "needs work": "yellow", "weak": "yellow", "critical gap": "bold red",
                "not measured": "dim"}


def _out_of_ten(score: int | None) -> str:
    return "n/a" if score is None else f"{score}/10"


def _verdict(console: Console, result, audit) -> None:
    """The first lines: the audit's verdict and score, the counts by severity and how
    much of the code was recognised, in one paragraph."""
    s = audit.summary
    n = sum(audit.by_severity.values())
    head = Text("", style="bold")
    what = listed_findings(result)
    if what:
        # `--select` / `--baseline` / `--diff`: say what is listed; the verdict is the whole code's.
        head.append(f"{what}; the audit of the whole code: ", style="bold")
    else:
        head.append("Audit: ", style="bold")
    head.append(f"{_out_of_ten(s.score)} {s.verdict}", style=STATUS_STYLE[s.status])
    head.append(f". {n} finding{'' if n == 1 else 's'}: "
                + ", ".join(f"{audit.by_severity[x]} {x}" for x in _SEVERITY_ORDER) + ".")
    rec = result.stats.get("recognition")
    if rec and recognition.incomplete(rec):
        head.append(f"\nPartial audit: {recognition.headline(rec)}; see the warning below.", style="bold red")
    elif rec:
        head.append(f"\n{recognition.headline(rec)}.")
    console.print(head)


def _audit_table(console: Console, audit) -> None:
    """The HTML audit's score table and coverage counts, for the terminal."""
    s = audit.summary
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
