"""The trend page: per repository, total and per-severity counts over time,
one small chart per rule, and new/fixed bars, drawn as inline SVG from
`templates/trend.html.j2` (autoescaped; no script, no network)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..resources import data_dir
from .charts import BarChart, LineChart, change_bars, line_chart
from .record import SEVERITIES
from .timeline import Entry


@dataclass(frozen=True)
class RuleTrend:
    rule: str
    first: int
    latest: int
    peak: int
    chart: LineChart


@dataclass(frozen=True)
class RepoTrend:
    key: str
    name: str
    entries: list[Entry]
    counts: LineChart
    changes: BarChart
    rules: list[RuleTrend]

    @property
    def first(self) -> Entry:
        return self.entries[0]

    @property
    def latest(self) -> Entry:
        return self.entries[-1]

    @property
    def change(self) -> int:
        return self.latest.scan.total - self.first.scan.total

    @property
    def new_total(self) -> int:
        return sum(e.new or 0 for e in self.entries)

    @property
    def fixed_total(self) -> int:
        return sum(e.fixed or 0 for e in self.entries)


def _label(e: Entry) -> str:
    return f"{e.scan.when:%Y-%m-%d}"


def _key(e: Entry) -> str:
    return e.scan.short_sha or f"#{e.scan.id}"


def build_repo_trend(key: str, name: str, entries: list[Entry]) -> RepoTrend:
    labels = [_label(e) for e in entries]
    keys = [_key(e) for e in entries]
    tips = [f"{lab} {k}" for lab, k in zip(labels, keys)]
    series = [("total", "total", [e.scan.total for e in entries])]
    series += [(s, s, [e.scan.by_severity[s] for e in entries]) for s in SEVERITIES]
    counts = line_chart(labels, keys, tips, series)
    changes = change_bars(labels, tips, [e.new for e in entries], [e.fixed for e in entries])
    rule_ids = sorted({r for e in entries for r in e.by_rule})
    rules = []
    for rule in rule_ids:
        values = [e.by_rule.get(rule, 0) for e in entries]
        chart = line_chart(labels, keys, tips, [(rule, "rule", values)], width=240, height=90,
                           margin=(8, 8, 8, 28), max_y_ticks=3, tick_labels=False)
        rules.append(RuleTrend(rule, values[0], values[-1], max(values), chart))
    rules.sort(key=lambda r: (-r.latest, -r.peak, r.rule))
    return RepoTrend(key, name, entries, counts, changes, rules)


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(data_dir("templates"))), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_html(trends: list[RepoTrend], where: str, version: str, branch: str | None = None,
                generated: datetime | None = None) -> str:
    template = _environment().get_template("trend.html.j2")
    return template.render(trends=trends, where=where, version=version, branch=branch,
                           severities=SEVERITIES, legend_items=[("total", "total")] + [(s, s) for s in SEVERITIES],
                           generated=(generated or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC"))


def render_json(trends: list[RepoTrend], where: str, branch: str | None = None) -> str:
    return json.dumps({"store": where, "branch": branch, "repos": [
        {"key": t.key, "name": t.name, "change": t.change, "new": t.new_total, "fixed": t.fixed_total,
         "scans": [e.to_dict() for e in t.entries]} for t in trends]}, indent=2, ensure_ascii=False) + "\n"
