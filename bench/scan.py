"""Scan benchmarks, measured as ratios in one run:

  cold  = full scan, no cache            ÷ parse floor (plain py-tree-sitter, one process)
  warm  = rescan, nothing changed        ÷ cold
  one   = rescan after one file changed  − warm (seconds)
  diff  = `scan --diff HEAD` with 20 changed files, warm cache (seconds; git repos only)
  RSS   = peak resident memory of the dbaudit process (parse workers are separate processes)
  CPU   = user + system seconds of the run, parse workers included (a shared machine
          disturbs these far less than wall times)

    python bench/scan.py ROOT [--jobs N] [--diff]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from floor import parse_floor, sources  # noqa: E402

DBAUDIT = [sys.executable, "-m", "scanner.cli"]
REPO = Path(__file__).resolve().parent.parent


class Run(NamedTuple):
    wall: float   # seconds
    rss: int      # peak MiB
    cpu: float    # user + system seconds, the reaped parse workers included


def run(args: list[str], cwd: Path | None = None) -> Run:
    """Wall seconds, peak RSS (MiB) and CPU seconds of one dbaudit process."""
    t = time.perf_counter()
    proc = subprocess.Popen(DBAUDIT + args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"dbaudit {' '.join(args)} exited {code}: {proc.stderr.read().decode()[-2000:]}")
    return Run(wall, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", type=Path)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--diff", action="store_true", help="also time `scan --diff HEAD` with 20 changed files")
    args = ap.parse_args()
    root = args.root.resolve()
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    files = sources(root)
    floor = min(parse_floor(files) for _ in range(2))
    scan = ["scan", str(root), "-f", "json", "-o", os.devnull] + jobs
    with tempfile.TemporaryDirectory() as cache:
        cold = min(run(scan + ["--no-cache"]) for _ in range(2))
        run(scan + ["--cache-dir", cache])  # fill the cache
        warm = min(run(scan + ["--cache-dir", cache]) for _ in range(2))
        victim = root / files[len(files) // 2][0]
        original = victim.read_bytes()
        try:
            victim.write_bytes(original + b"\n// touched by bench/scan.py\n")
            one = run(scan + ["--cache-dir", cache])
        finally:
            victim.write_bytes(original)
        diff = None
        if args.diff and (root / ".git").exists():
            changed = [root / p for p, _ in files[:20]]
            saved = {p: p.read_bytes() for p in changed}
            try:
                run(scan + ["--cache-dir", cache])
                for p in changed:
                    p.write_bytes(saved[p] + b"\n// changed by bench/scan.py\n")
                diff = min(run(scan + ["--cache-dir", cache, "--diff", "HEAD"]) for _ in range(2))
            finally:
                for p, data in saved.items():
                    p.write_bytes(data)
    print(f"{root.name}: {len(files)} files, {os.cpu_count()} cores")
    print(f"  parse floor        {floor:7.2f}s")
    print(f"  cold scan          {cold.wall:7.2f}s   {cold.wall / floor:5.2f} x floor   (target <= 1.5)   "
          f"CPU {cold.cpu:5.2f}s   peak RSS {cold.rss} MiB")
    print(f"  warm rescan        {warm.wall:7.2f}s   {warm.wall / cold.wall:5.2f} x cold    (target <= 0.2)   "
          f"CPU {warm.cpu:5.2f}s = {warm.cpu / cold.cpu:.2f} x cold   peak RSS {warm.rss} MiB")
    print(f"  one file changed   {one.wall:7.2f}s   {one.wall - warm.wall:+5.2f}s vs warm (target <= +0.1s)   "
          f"CPU {one.cpu:5.2f}s")
    if diff is not None:
        print(f"  --diff, 20 changed {diff.wall:7.2f}s   (target < 0.6s)   CPU {diff.cpu:5.2f}s")

if __name__ == "__main__":
    main()
