"""Draw a labelling sample from dbaudit JSON reports: per rule, a seeded random
sample of findings (all of them when a rule has fewer), as a CSV to label.

    python bench/sample.py REPORT.json [REPORT.json ...] -o docs/accuracy/fresh-DATE.csv
        [--per-rule 20] [--per-repo N] [--seed 20261204] [--min-confidence medium] [--rules a,b]

Each REPORT is the output of `dbaudit scan ROOT -f json --min-confidence low`; the
repository is named after the report's file name (`owner+name.json`). The CSV has
one row per sampled finding with the columns score.py reads: repo, rule, severity,
confidence, path, line, message, label (empty: TRUE or FALSE to fill in), reason.
Sampling is per rule over all reports together, from the findings sorted by repo,
path and line, with `random.Random(seed).sample`, so the same inputs give the same
sample. `--min-confidence` samples only what the default view shows. `--per-repo N` takes
at most N of a rule's findings from one repository (the rule's findings in a seeded random
order, each kept unless its repository already has N), so that one repository's repeated
shape cannot fill a rule's sample; without it the sample is the plain one above.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

LEVELS = ("low", "medium", "high")
COLUMNS = ["repo", "rule", "severity", "confidence", "path", "line", "message", "label", "reason"]


def load(reports: list[Path], min_confidence: str, rules: set[str] | None) -> dict[str, list[dict]]:
    floor = LEVELS.index(min_confidence)
    by_rule: dict[str, list[dict]] = defaultdict(list)
    for report in reports:
        data = json.loads(report.read_text(encoding="utf-8"))
        repo = report.stem
        for f in data["findings"]:
            if rules and f["rule"] not in rules:
                continue
            if LEVELS.index(f.get("confidence", "medium")) < floor:
                continue
            by_rule[f["rule"]].append({**f, "repo": repo})
    for rows in by_rule.values():
        rows.sort(key=lambda f: (f["repo"], f["path"], f["line"], f["column"]))
    return by_rule


def pick(found: list[dict], per_rule: int, seed: int, per_repo: int | None = None) -> list[dict]:
    """A rule's sample: `per_rule` of its findings at random, at most `per_repo` from one
    repository when given."""
    if per_repo is None:
        return found if len(found) <= per_rule else random.Random(seed).sample(found, per_rule)
    taken: dict[str, int] = defaultdict(int)
    out = []
    for f in random.Random(seed).sample(found, len(found)):
        if len(out) == per_rule:
            break
        if taken[f["repo"]] < per_repo:
            taken[f["repo"]] += 1
            out.append(f)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reports", nargs="+", type=Path)
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--per-rule", type=int, default=20)
    ap.add_argument("--per-repo", type=int, default=None,
                    help="at most this many of a rule's findings from one repository")
    ap.add_argument("--seed", type=int, default=20261204)
    ap.add_argument("--min-confidence", choices=LEVELS, default="low")
    ap.add_argument("--rules", help="comma-separated rule ids (default: every rule with findings)")
    args = ap.parse_args(argv)
    rules = set(args.rules.split(",")) if args.rules else None
    by_rule = load(args.reports, args.min_confidence, rules)
    rows = []
    for rule in sorted(by_rule):
        found = by_rule[rule]
        picked = pick(found, args.per_rule, args.seed, args.per_repo)
        for f in sorted(picked, key=lambda f: (f["repo"], f["path"], f["line"])):
            rows.append({"repo": f["repo"], "rule": rule, "severity": f["severity"],
                         "confidence": f.get("confidence", "medium"), "path": f["path"], "line": f["line"],
                         "message": f["message"], "label": "", "reason": ""})
        print(f"{rule}: {len(picked)} of {len(found)}", file=sys.stderr)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {args.output} ({len(rows)} findings)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
