"""Peak memory against repository size: generate the synthetic tree of
bench/synth.py at 1x, 4x and 16x a base size and print the peak RSS of a cold
scan of each (the dbaudit process and its parse workers, the largest of them),
with the growth ratios. The target (issue 19): 4x the files in at most 2x the
memory. Facts are compact picklable records and no tree-sitter tree outlives its
file, but every file's facts stay in the parent for the cross-file rules, so
memory grows with the tree (bench/README.md has what is measured).

    python bench/memory.py [--base 1000] [--jobs N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scan import run  # noqa: E402
from synth import generate  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", type=int, default=1000, help="files in the 1x tree")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--keep", type=Path, help="generate the trees here and leave them")
    args = ap.parse_args()
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    with tempfile.TemporaryDirectory() as tmp:
        where = args.keep or Path(tmp)
        rows = []
        for factor in (1, 4, 16):
            root = where / f"synth-{factor}x"
            if not root.exists():
                generate(root, args.base * factor, 1)
            wall, rss, _ = run(["scan", str(root), "-f", "json", "-o", os.devnull, "--no-cache"] + jobs)
            rows.append((factor, args.base * factor, wall, rss))
            print(f"  {factor:2d}x  {args.base * factor:6d} files  cold {wall:6.2f}s  peak RSS {rss:5d} MiB", flush=True)
    base_rss = rows[0][3]
    print(f"RSS growth: 4x files -> {rows[1][3] / base_rss:.2f}x memory, 16x files -> {rows[2][3] / base_rss:.2f}x memory"
          f" ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
