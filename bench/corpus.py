"""Scan the real repositories of bench/corpus.yaml and print, per repository:
files scanned, Prisma calls recognised, findings per rule, parse warnings,
skipped files, crashes and wall time.

    python bench/corpus.py FOLDER [--only NAME] [--all-files] [--show-warnings] [--markdown]

FOLDER holds one extracted copy per repository, named `<owner>+<name>` (see
bench/README.md for bringing them with the fetch tool; this script never
fetches). Each repository is scanned by the real CLI in its own process, with
no facts cache and every report format written, so a crash anywhere in the
pipeline shows: a crash is an exit status other than 0/1 or a traceback on
standard error. The exit status is 1 when any repository crashed or is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
DBAUDIT = [sys.executable, "-m", "scanner.cli"]
# Every reporter runs, so none of them can hide a crash.
EXTRA_FORMATS = ("html", "sarif", "markdown", "github", "text")


@dataclass
class Outcome:
    name: str
    commit: str
    present: bool = True
    files: int = 0
    prisma_calls: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    parse: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    schema_warnings: int = 0
    crash: str | None = None     # the end of standard error when the run crashed
    seconds: float = 0.0

    @property
    def findings(self) -> int:
        return sum(self.by_rule.values())


def load_list(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = data.get("repos") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "repo" in e for e in entries):
        sys.exit(f"{path}: expected `repos:` with a list of {{repo, commit, shape}} entries")
    return entries


def folder_name(repo: str) -> str:
    return repo.replace("/", "+")


def scan_one(root: Path, entry: dict, all_files: bool, jobs: int | None) -> Outcome:
    out = Outcome(entry["repo"], str(entry.get("commit", ""))[:12])
    if not root.is_dir():
        out.present = False
        return out
    with tempfile.TemporaryDirectory(prefix="dbaudit-corpus-") as tmp:
        report = Path(tmp) / "report.json"
        args = ["scan", str(root), "-f", "json", "-o", str(report), "--no-cache", "--debug"]
        for fmt in EXTRA_FORMATS:
            args += ["--write", f"{fmt}:{Path(tmp) / ('report.' + fmt)}"]
        if all_files:
            extra = Path(tmp) / "all-files.yaml"
            extra.write_text("include_out_of_scope: [test, story, seed]\n", encoding="utf-8")
            args += ["--config", str(extra)]
        if jobs:
            args += ["--jobs", str(jobs)]
        started = time.perf_counter()
        proc = subprocess.run(DBAUDIT + args, capture_output=True, text=True, cwd=tmp,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
        out.seconds = time.perf_counter() - started
        if proc.returncode not in (0, 1) or "Traceback" in proc.stderr or not report.is_file():
            out.crash = f"exit {proc.returncode}\n" + proc.stderr[-4000:]
            return out
        data = json.loads(report.read_text(encoding="utf-8"))
    stats = data["stats"]
    out.files = stats["files_scanned"]
    out.prisma_calls = stats["prisma_calls"]
    out.by_rule = dict(Counter(f["rule"] for f in data["findings"]))
    out.parse = [w for w in data["warnings"] if w["kind"] == "parse"]
    out.skipped = [w for w in data["warnings"] if w["kind"] == "skipped"]
    out.schema_warnings = sum(w["kind"] == "schema" for w in data["warnings"])
    return out


def source_line(root: Path, path: str, line: int | None) -> str:
    if not line:
        return ""
    try:
        lines = (root / path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return lines[line - 1].strip()[:160] if 0 < line <= len(lines) else ""


def table(header: list[str], rows: list[list], markdown: bool) -> str:
    cells = [[str(c) for c in header]] + [[str(c) for c in r] for r in rows]
    if markdown:
        lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in cells[1:]]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    fmt = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
    return "\n".join([fmt(cells[0]), fmt(["-" * w for w in widths])] + [fmt(r) for r in cells[1:]])


def summary(outcomes: list[Outcome], markdown: bool) -> str:
    rows = []
    for o in outcomes:
        if not o.present:
            rows.append([o.name, o.commit, "missing", "", "", "", "", "", "", ""])
            continue
        rows.append([o.name, o.commit, o.files, o.prisma_calls, o.findings, len(o.parse), len(o.skipped),
                     o.schema_warnings, 1 if o.crash else 0, f"{o.seconds:.1f}"])
    header = ["repo", "commit", "files", "prisma calls", "findings", "parse warnings", "skipped files",
              "schema warnings", "crashes", "seconds"]
    return table(header, rows, markdown)


def by_rule(outcomes: list[Outcome], markdown: bool) -> str:
    scanned = [o for o in outcomes if o.present and not o.crash]
    rules = sorted({r for o in scanned for r in o.by_rule})
    header = ["rule"] + [o.name.split("/")[1] for o in scanned]
    rows = [[f"`{r}`" if markdown else r] + [o.by_rule.get(r, 0) or "" for o in scanned] for r in rules]
    return table(header, rows, markdown)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path, help="where the repositories are extracted, one <owner>+<name> each")
    ap.add_argument("--list", type=Path, default=REPO / "bench" / "corpus.yaml", help="the corpus list")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="only repositories whose owner/name contains NAME (repeatable)")
    ap.add_argument("--all-files", action="store_true",
                    help="also scan tests, stories and seeds (more code for the grammar to read)")
    ap.add_argument("--show-warnings", action="store_true",
                    help="print every parse warning and skipped file, with the source line")
    ap.add_argument("--markdown", action="store_true", help="print the tables as markdown")
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write the outcomes as JSON")
    ap.add_argument("--jobs", type=int, help="worker processes per scan")
    args = ap.parse_args(argv)

    entries = [e for e in load_list(args.list)
               if not args.only or any(n.lower() in e["repo"].lower() for n in args.only)]
    outcomes = []
    for entry in entries:
        root = args.folder / folder_name(entry["repo"])
        print(f"scanning {entry['repo']} ...", file=sys.stderr, flush=True)
        o = scan_one(root, entry, args.all_files, args.jobs)
        outcomes.append(o)
        if o.crash:
            print(f"CRASH {o.name}: {o.crash}", file=sys.stderr)
        if args.show_warnings:
            for w in o.parse + o.skipped:
                where = f"{w['path']}:{w['line']}" if w["line"] else w["path"]
                print(f"  {o.name} {where}: {w['message']}")
                text = source_line(root, w["path"], w["line"])
                if text:
                    print(f"      {text}")
    print(summary(outcomes, args.markdown))
    print()
    print(by_rule(outcomes, args.markdown))
    if args.json:
        args.json.write_text(json.dumps([o.__dict__ for o in outcomes], indent=2) + "\n", encoding="utf-8")
    return 1 if any(o.crash or not o.present for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
