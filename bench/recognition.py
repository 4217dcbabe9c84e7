"""How much of each repository dbaudit recognises: files, Prisma-shaped calls,
how many were resolved to a client, the receivers left unresolved, request entry
points by kind, and script files.

    python bench/recognition.py ROOT [ROOT ...] [--markdown] [--config FILE]

A Prisma-shaped call is `X.<model>.<op>(` with a model of the repository's
schema, or `X.$transaction(` / `X.$queryRaw…(` (see scanner/recognition.py).
Each ROOT is scanned in this process with the root's own `.dbaudit.yaml` (or
`--config`), no facts cache and one cheap rule: recognition does not depend on
the rules. The numbers are those `dbaudit scan -f json` puts in
`stats.recognition`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scanner.config import load_config  # noqa: E402
from scanner.engine import scan  # noqa: E402


def measure(root: Path, config_file: Path | None) -> dict:
    started = time.perf_counter()
    # scope: all whatever the root's config says, so script files are scanned and counted.
    config = load_config(root, config_file, overrides={"scope": "all"})
    result = scan(root, config, select=["float-for-money"], jobs=2)
    rec = result.stats["recognition"]
    entries: Counter[str] = Counter()
    roles: Counter[str] = Counter()
    for path, facts in result.index.files.items():
        roles[facts.role] += 1
        for fn in facts.functions:
            # (the index's word: a handler another module registers, or one a wrapper serves)
            kind = result.index.own_entry_kind(path, fn.id)
            if kind:
                entries[kind] += 1
    return {"name": root.name, "files": result.stats["files_scanned"], "rec": rec,
            "entries": dict(sorted(entries.items())), "scripts": roles.get("script", 0) + roles.get("seed", 0),
            "schema": len(result.schema.models) if result.schema else 0,
            "seconds": time.perf_counter() - started}


def _top(rec: dict, n: int = 4) -> str:
    return ", ".join(f"`{t['receiver']}` {t['calls']}" for t in rec["top_unresolved"][:n]) or "-"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("roots", nargs="+", type=Path)
    ap.add_argument("--markdown", action="store_true", help="one Markdown table row per repository")
    ap.add_argument("--config", type=Path, help="a config file for every root")
    args = ap.parse_args(argv)
    rows = [measure(r, args.config) for r in args.roots]
    if args.markdown:
        print("| repo | files | models | Prisma-shaped | resolved | unresolved | top unresolved receivers "
              "| entry points | scripts |")
        print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        rec = r["rec"]
        pct = f"{100 * rec['analysed_share']:.1f}%"
        entries = ", ".join(f"{k} {v}" for k, v in r["entries"].items()) or "-"
        if args.markdown:
            print(f"| {r['name']} | {r['files']} | {r['schema']} | {rec['prisma_shaped_calls']} | "
                  f"{rec['analysed']} ({pct}) | {rec['unresolved']} | {_top(rec)} | {entries} | {r['scripts']} |")
        else:
            print(f"{r['name']}: {r['files']} files, {r['schema']} models, {rec['prisma_shaped_calls']} "
                  f"Prisma-shaped calls, {rec['analysed']} resolved ({pct}), {rec['unresolved']} unresolved "
                  f"[{_top(rec, 8)}]; entry points: {entries}; scripts: {r['scripts']}; "
                  f"{r['seconds']:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
