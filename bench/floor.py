"""The parse floor: discover the same files dbaudit scans, read them, and parse
each with py-tree-sitter in one process, nothing else. Prints seconds.

    python bench/floor.py ROOT
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner import parse as P  # noqa: E402
from scanner.config import load_config  # noqa: E402
from scanner.discover import discover, read_source  # noqa: E402


def sources(root: Path) -> list[tuple[str, bytes]]:
    cfg = load_config(root)
    out = []
    for sf in discover(root, cfg).sources:
        data, _ = read_source(sf, cfg["max_file_bytes"], cfg["max_line_length"], cfg["max_average_line_length"])
        if data is not None:
            out.append((sf.path, data))
    return out


def parse_floor(files: list[tuple[str, bytes]]) -> float:
    for grammar in ("typescript", "tsx"):
        P.parser(grammar)  # grammar loading is not parsing
    t = time.perf_counter()
    for path, data in files:
        P.parser(P.grammar_for(path)).parse(data)
    return time.perf_counter() - t


if __name__ == "__main__":
    root = Path(sys.argv[1]).resolve()
    files = sources(root)
    print(f"{len(files)} files, parse floor {parse_floor(files):.3f}s")
