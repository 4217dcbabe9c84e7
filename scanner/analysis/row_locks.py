"""Explicit locks per item: a raw read that locks the rows it reads (`SELECT … FOR UPDATE`,
`FOR NO KEY UPDATE`, `FOR SHARE`) or takes an advisory lock (`SELECT pg_advisory_xact_lock()`,
MySQL's `GET_LOCK()`); not a write that locks the rows it copies (`INSERT … SELECT … FOR
UPDATE`). A loop whose items each take such a lock, in its body or a few repo calls down,
works item by item on purpose: claiming one row at a time is the design, which one batched
query would undo (rules.md §8: explicit row locking per item)."""

from __future__ import annotations

import re

from ..facts.model import LoopFrame
from ..index import FunctionKey, PrismaCall, ProjectIndex
from .sources import source_lines

_LOCK = re.compile(rb"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE)\b|\bpg_(?:try_)?advisory(?:_xact)?_lock(?:_shared)?\s*\("
                   rb"|\bGET_LOCK\s*\(", re.I)
# The statement is a read (its text opens with SELECT or WITH): a claim, not a write that locks
# the rows it copies on the way (`INSERT … SELECT … FOR UPDATE`).
_READ = re.compile(rb"[`'\"]\s*(?:SELECT|WITH)\b", re.I)


def _locks(index: ProjectIndex, call: PrismaCall) -> bool:
    """Whether a raw call's SQL, as written at the call, locks rows."""
    if call.kind != "raw":
        return False
    span = call.call.span
    sql = b"\n".join(source_lines(index, call.path)[span.line - 1:span.end_line])
    return bool(_READ.search(sql) and _LOCK.search(sql))


def row_lock_in_loop(index: ProjectIndex, path: str, loop: LoopFrame) -> tuple[str, int] | None:
    """(what, line) of an explicit lock each item of `loop` takes: raw locking SQL in the loop
    body, or down a repo function the body calls (as deep as a query is followed, four calls)."""
    facts = index.files.get(path)
    if facts is None:
        return None
    for c in index.calls_in(path):
        if any(lp.key == loop.key for lp in c.call.ctx.loops) and _locks(index, c):
            return f"{c.label}()", c.line
    for cs in facts.call_sites:
        target = index.callee(path, cs) if any(lp.key == loop.key for lp in cs.ctx.loops) else None
        if target is None:
            continue
        key = FunctionKey(target.path, index.owner(target.path, target.id))
        chain = index.memo(f"row-lock:{key.path}:{key.id}",
                           lambda: index.find_chain(key, lambda c: _locks(index, c), depth=4))
        if chain:
            return f"{cs.callee}() → {chain[-1][0]}", cs.span.line
    return None
