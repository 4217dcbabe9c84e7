"""Queries behind a read-through cache: the function looks its key up first and returns what it
finds (`const hit = this.cache.get(id); if (hit) return hit`), queries only on a miss, and
stores the answer (`this.cache.set(id, row)`). Called once per item of a loop, it queries once
per distinct key while the entry lives, not once per item (n-plus-one: low)."""

from __future__ import annotations

import re

from .sources import source_lines

# `this.cache.get(` / `.has(`: the receiver a lookup reads.
_LOOKUP = re.compile(r"((?:this\.)?[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*\.\s*(?:get|has)\s*\(")


def cached_read(index, path: str, line: int) -> str | None:
    """The cache (`this.cache`) the function holding the Prisma call at `path`:`line` reads
    before the call and fills after it, or None."""
    call = next((c for c in index.calls_in(path) if c.line == line), None)
    if call is None:
        return None
    fid = index.owner(path, call.call.ctx.function)
    if fid < 0:
        return None
    fn = index.files[path].functions[fid]
    lines = source_lines(index, path)
    before = b"\n".join(lines[fn.span.line - 1:call.line - 1]).decode("utf-8", "replace")
    after = b"\n".join(lines[call.call.span.end_line:fn.span.end_line]).decode("utf-8", "replace")
    for m in _LOOKUP.finditer(before):
        receiver = m.group(1)
        if re.search(rf"(?<![\w$.]){re.escape(receiver)}\s*\.\s*set\s*\(", after):
            return receiver
    return None
