"""Compare the findings of two sets of JSON reports, repository by repository.

    python bench/compare.py BASE_DIR NEW_DIR

Each directory holds `<name>.json` reports written by
`dbaudit scan ROOT -f json --min-confidence low --no-cache -o DIR/<name>.json`. A
finding is compared by rule, path, line, severity, confidence, message and evidence;
the order of findings does not matter, their count does. Prints every finding found
on one side only and exits 1 when any report differs (or is missing on one side),
0 when all are identical.

Run both scans with the same PYTHONHASHSEED (e.g. `PYTHONHASHSEED=0`): some rules
still break ties in set order (unindexed-filter's suggested index on langfuse and
papermark changes from one process to the next), which this script would report.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

FIELDS = ("rule", "path", "line", "severity", "confidence", "message", "evidence")


def finding_key(f: dict) -> tuple:
    return tuple(tuple(f.get(k) or ()) if k == "evidence" else f.get(k) for k in FIELDS)


def load(path: Path) -> Counter:
    return Counter(finding_key(f) for f in json.loads(path.read_text(encoding="utf-8"))["findings"])


def describe(key: tuple) -> str:
    f = dict(zip(FIELDS, key))
    evidence = "; ".join(f["evidence"])
    return (f"{f['path']}:{f['line']} {f['rule']} {f['severity']}/{f['confidence']}: "
            f"{f['message']}" + (f" [{evidence}]" if evidence else ""))


def compare(base: Path, new: Path) -> list[str]:
    """Lines describing every difference between the two directories' reports."""
    out: list[str] = []
    names = sorted({p.name for p in base.glob("*.json")} | {p.name for p in new.glob("*.json")})
    for name in names:
        a, b = base / name, new / name
        if not a.exists() or not b.exists():
            out.append(f"{name}: only in {'new' if not a.exists() else 'base'}")
            continue
        before, after = load(a), load(b)
        gone, added = before - after, after - before
        for key in sorted(gone, key=str):
            out.append(f"{name}: - {describe(key)}" + (f" (x{gone[key]})" if gone[key] > 1 else ""))
        for key in sorted(added, key=str):
            out.append(f"{name}: + {describe(key)}" + (f" (x{added[key]})" if added[key] > 1 else ""))
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    base, new = Path(argv[0]), Path(argv[1])
    reports = len(list(base.glob("*.json")))
    diffs = compare(base, new)
    for line in diffs:
        print(line)
    if diffs:
        print(f"{len(diffs)} difference(s)")
        return 1
    total = sum(sum(load(p).values()) for p in base.glob("*.json"))
    print(f"identical: {reports} report(s), {total:,} findings")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
