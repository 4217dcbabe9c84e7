"""The scanned files' text, read again once per scan when an analysis needs it (a word count
for dead code, the names of untouched models), and shared by every such analysis."""

from __future__ import annotations


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
