"""Precision from a labelled sample (bench/sample.py's CSV with `label` filled in
as TRUE or FALSE): per rule, and per rule and confidence.

    python bench/score.py docs/accuracy/fresh-DATE.csv [--markdown] [--min-confidence medium]

Rows without a label are counted as unlabelled and left out of the precision.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

LEVELS = ("low", "medium", "high")


def tally(path: Path, min_confidence: str) -> tuple[Counter, Counter, Counter]:
    true, labelled, unlabelled = Counter(), Counter(), Counter()
    floor = LEVELS.index(min_confidence)
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            conf = row.get("confidence") or "medium"
            if LEVELS.index(conf) < floor:
                continue
            label = (row.get("label") or "").strip().upper()
            for key in ((row["rule"], "all"), (row["rule"], conf)):
                if label in ("TRUE", "FALSE"):
                    labelled[key] += 1
                    true[key] += label == "TRUE"
                else:
                    unlabelled[key] += 1
    return true, labelled, unlabelled


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", type=Path)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--min-confidence", choices=LEVELS, default="low")
    args = ap.parse_args(argv)
    true, labelled, unlabelled = tally(args.csv, args.min_confidence)
    keys = sorted(set(labelled) | set(unlabelled), key=lambda k: (k[0], k[1] != "all", k[1]))
    if args.markdown:
        print("| rule | confidence | labelled | true | false | precision |")
        print("|---|---|---|---|---|---|")
    for k in keys:
        n, t = labelled[k], true[k]
        p = f"{t / n:.2f}" if n else "-"
        if args.markdown:
            print(f"| `{k[0]}` | {k[1]} | {n} | {t} | {n - t} | {p} |")
        else:
            extra = f" ({unlabelled[k]} unlabelled)" if unlabelled[k] else ""
            print(f"{k[0]:28} {k[1]:7} {t:3}/{n:<3} precision {p}{extra}")
    n, t = sum(v for k, v in labelled.items() if k[1] == "all"), sum(v for k, v in true.items() if k[1] == "all")
    if n and args.markdown:
        print(f"| all rules | all | {n} | {t} | {n - t} | {t / n:.2f} |")
    elif n:
        print(f"{'all rules':28} {'all':7} {t:3}/{n:<3} precision {t / n:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
