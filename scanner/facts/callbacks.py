"""Clients a function hands to a callback it is given: `tryPrisma((p) => p.user.findMany())`
where `tryPrisma(thunk)` runs `thunk(await getPrisma())`. The callback's parameter is then a
client, as a function's parameter is when its callers pass one; index.py reads these two
facts to follow it: which call each inline callback is an argument of, and which clients a
function passes when it calls one of its own parameters."""

from __future__ import annotations

from typing import Callable

import tree_sitter as ts

from .model import ClientRef, Span
from .nodes import TRANSPARENT, field, key, span, text
from .parsed import ParsedFile


def handed_callbacks(pf: ParsedFile) -> tuple[tuple[int, Span, int], ...]:
    """(function id, span of the call, argument position) of each function written inline as
    an argument of a call (`tryPrisma((p) => …, null)`: position 0)."""
    out = []
    for fn in pf.function_nodes:
        holder = fn.parent
        while holder is not None and holder.type in TRANSPARENT:
            holder = holder.parent
        call = holder.parent if holder is not None and holder.type == "arguments" else None
        if call is None or call.type != "call_expression":
            continue
        args = [a for a in holder.named_children if a.type != "comment"]
        position = next((i for i, a in enumerate(args) if a.start_byte <= fn.start_byte and fn.end_byte <= a.end_byte),
                        None)
        fid = pf.function_ids.get(key(fn))
        if position is not None and fid is not None:
            out.append((fid, span(call), position))
    return tuple(out)


def param_call(pf: ParsedFile, call: ts.Node, client_args: Callable[[ParsedFile, ts.Node | None], tuple]
               ) -> tuple[int, int, tuple[tuple[int, ClientRef], ...]] | None:
    """(function id, parameter position, client arguments) when the call calls a parameter of
    a function around it and hands it a client, or what may be one (`thunk(p)` in
    `tryPrisma(thunk)`, after `const p = await getPrisma()`)."""
    callee = field(call, "function")
    if callee is None or callee.type != "identifier":
        return None
    b = pf.resolver.lookup(text(callee), callee)
    if b is None or b.kind != "param" or b.path or b.value is None:
        return None
    fid = pf.function_ids.get(key(b.value))
    args = client_args(pf, field(call, "arguments")) if fid is not None else ()
    return (fid, b.index, args) if args else None
