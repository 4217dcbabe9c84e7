"""Request input an entry point hands to a function of another file, by call site: the
caller half of a cross-file flow (`FileFacts.handed_inputs`), looked up once per file."""

from __future__ import annotations


def handed_at(index, path: str, site) -> list:
    """The request input `path` hands to the call at `site` (`HandedInput`s), from one
    table per file built once."""
    by_site = index.memo(f"handed-by-site:{path}", lambda: _by_site(index.files[path].handed_inputs))
    return by_site.get((site.span.line, site.span.column), [])


def _by_site(handed) -> dict:
    out: dict = {}
    for h in handed:
        out.setdefault((h.span.line, h.span.column), []).append(h)
    return out
