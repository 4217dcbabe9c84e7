"""The scanned files' text, read again once per scan when an analysis needs it (a word count
for dead code, the names of untouched models, the lines of a call or a function), and shared
by every such analysis and rule: the facts keep no source."""

from __future__ import annotations

import re

# Folders of dependencies, build output and version control: nothing there names the app's
# files or imports them.
SKIP_DIRS = frozenset({"node_modules", ".git", "dist", "build", ".next", "out", "coverage", ".turbo",
                       ".vercel", ".cache", ".output", ".nuxt", ".svelte-kit"})


def scanned_sources(index) -> dict[str, bytes] | None:
    """{path: bytes} of every scanned file; None when one cannot be read again (it may hold
    anything, so no analysis may conclude from its absence)."""
    def read() -> dict[str, bytes] | None:
        out = {}
        for path in index.files:
            try:
                out[path] = (index.root / path).read_bytes()
            except OSError:
                return None
        return out
    return index.memo("scanned-sources", read)


def seed_sources(index) -> dict[str, bytes]:
    """{path: bytes} of the seed files the scan left out (out of scope), read once per scan
    when an analysis needs what they do; one that cannot be read is left out."""
    def read() -> dict[str, bytes]:
        out = {}
        for sf in index.seed_files:
            try:
                with open(sf.abs_path, "rb") as fh:
                    out[sf.path] = fh.read(_SEED_LIMIT)
            except OSError:
                continue
        return out
    return index.memo("seed-sources", read)


_SEED_LIMIT = 1 << 20   # bytes of a seed file read (a generated data dump may be huge)


def source_lines(index, path: str) -> list[bytes]:
    """One scanned file's lines, read and split once per scan; [] when it cannot be read."""
    def read() -> list[bytes]:
        try:
            return (index.root / path).read_bytes().split(b"\n")
        except OSError:
            return []
    return index.memo(f"source-lines:{path}", read)


def spelled_words(texts, wanted: set[str]) -> set[str]:
    """The words of `wanted` that some of `texts` (sources, as bytes) spells as a whole word
    (`$` counts as a word character, as in an identifier); stops reading once all are found."""
    words = b"|".join(re.escape(w.encode()) for w in sorted(wanted, key=len, reverse=True))
    pattern = re.compile(rb"(?<![\w$])(" + words + rb")(?![\w$])")
    found: set[str] = set()
    for src in texts:
        found.update(m.decode() for m in pattern.findall(src))
        if found >= wanted:
            break
    return found
