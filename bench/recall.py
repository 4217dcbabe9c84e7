"""Corpus recall of the default view: of the findings the recall baseline showed and the
labels call TRUE, how many a new scan still shows (confidence medium or high).

    python bench/recall.py REPORTS_DIR [--rejudged docs/accuracy/corpus-rejudged-2026-12-05.csv] [--lost]

REPORTS_DIR holds `owner+name.json` reports of the corpus repositories (`dbaudit scan ROOT
-f json --min-confidence low`). The baseline, docs/accuracy/recall-baseline.csv, is the set
of TRUE-labelled findings (docs/accuracy/labels-*.csv) that the session-16 default view
showed: 731 findings of the seven labelled repositories. With `--rejudged`, a finding that
file labels (blind, with the fresh sets' criterion) counts only when it says TRUE; the
other rules keep their labels. Prints both figures and what was lost per rule.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASELINE = HERE.parent / "docs" / "accuracy" / "recall-baseline.csv"
REJUDGED = HERE.parent / "docs" / "accuracy" / "corpus-rejudged-2026-12-05.csv"


def _shown(report: Path) -> set[tuple[str, str, int]]:
    data = json.loads(report.read_text(encoding="utf-8"))
    return {(f["rule"], f["path"], f["line"]) for f in data["findings"]
            if f.get("confidence") in ("high", "medium")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reports", type=Path)
    ap.add_argument("--baseline", type=Path, default=BASELINE)
    ap.add_argument("--rejudged", type=Path, default=REJUDGED)
    ap.add_argument("--lost", action="store_true", help="list every baseline finding no longer shown")
    args = ap.parse_args(argv)
    rejudged = {}
    if args.rejudged and args.rejudged.exists():
        with args.rejudged.open(newline="", encoding="utf-8") as fh:
            rejudged = {(r["repo"], r["rule"], r["path"], int(r["line"])): r["label"].strip().upper()
                        for r in csv.DictReader(fh)}
    shown: dict[str, set] = {}
    totals = {"labels": Counter(), "re-judged": Counter()}
    lost = {"labels": Counter(), "re-judged": Counter()}
    with args.baseline.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            repo = row["repo"]
            report = args.reports / f"{repo}.json"
            if repo not in shown:
                if not report.exists():
                    print(f"recall: no report for {repo} in {args.reports}", file=sys.stderr)
                    return 2
                shown[repo] = _shown(report)
            key = (row["rule"], row["path"], int(row["line"]))
            here = key in shown[repo]
            for name, counts in (("labels", True), ("re-judged", rejudged.get((repo, *key), "TRUE") == "TRUE")):
                if not counts:
                    continue
                totals[name]["base"] += 1
                totals[name]["shown"] += here
                if not here:
                    lost[name][row["rule"]] += 1
            if args.lost and not here:
                print(f"lost {repo} {key[0]} {key[1]}:{key[2]} (re-judged {rejudged.get((repo, *key), '-')})")
    for name in ("labels", "re-judged"):
        t = totals[name]
        change = t["shown"] / t["base"] - 1 if t["base"] else 0.0
        print(f"{name:10} shown {t['shown']} of {t['base']} ({change:+.1%}); lost: "
              + (", ".join(f"{r} {n}" for r, n in sorted(lost[name].items())) or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
