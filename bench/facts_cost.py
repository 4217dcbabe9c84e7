"""Fact extraction alone, in this process: the files dbaudit would scan under ROOT,
each parsed and turned into facts by `extract_facts` (what a parse worker does, without
the pool, the cache or the rules). Prints CPU seconds.

    python bench/facts_cost.py ROOT [--every N] [--reps 3] [--digest OUT]

`--every N` keeps every Nth file. `--digest OUT` writes one line per file: its path and a
hash of its facts' value (`repr`), so two versions of dbaudit can be shown to extract the
same facts (`diff` the two files; run both with the same PYTHONHASHSEED).

On a shared machine CPU seconds still move by ±10 % between runs. Instruction counts do
not: run both versions under callgrind, once with `--every N` and once with `--every N
--setup-only` (imports, discovery, reading, query compilation), and compare the
differences, which are the extraction's instructions:

    valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        python bench/facts_cost.py ROOT --every 7 2>&1 | grep Collected
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner import parse as P  # noqa: E402
from scanner.config import load_config  # noqa: E402
from scanner.discover import discover, read_source  # noqa: E402
from scanner.engine import client_config  # noqa: E402
from scanner.facts.extract import extract_facts  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", type=Path)
    ap.add_argument("--every", type=int, default=1)
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--digest", type=Path)
    ap.add_argument("--setup-only", action="store_true")
    args = ap.parse_args()
    root = args.root.resolve()
    cfg = load_config(root)
    files = []
    for sf in discover(root, cfg).sources[::args.every]:
        data, _ = read_source(sf, cfg["max_file_bytes"], cfg["max_line_length"], cfg["max_average_line_length"])
        if data is not None:
            files.append((sf, data))
    ccfg = client_config(cfg)
    for grammar in ("typescript", "tsx"):
        P.combined_query(grammar)  # compiled once per worker, not per file
    if args.setup_only:
        return
    best, digests = float("inf"), []
    for _ in range(args.reps):
        digests, spent = [], 0.0
        for sf, data in files:
            started = time.process_time()
            facts = extract_facts(sf.path, sf.role, data, ccfg)
            spent += time.process_time() - started
            if args.digest:
                digests.append(f"{sf.path} {hashlib.sha1(repr(facts).encode()).hexdigest()}\n")
        best = min(best, spent)
    print(f"{len(files)} files, fact extraction {best:.2f} s CPU (best of {args.reps})")
    if args.digest:
        args.digest.write_text("".join(digests))


if __name__ == "__main__":
    main()
