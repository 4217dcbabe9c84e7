"""Clients a function hands to a callback it is given: `tryPrisma((p) => p.user.findMany())`
where `tryPrisma(thunk)` runs `thunk(await getPrisma())`. The callback's parameter is then a
client, as a function's parameter is when its callers pass one; index.py reads these two
facts to follow it: which call each inline callback is an argument of, and which clients a
function passes when it calls one of its own parameters."""

from __future__ import annotations

from typing import Callable

import tree_sitter as ts

from .model import ClientRef, Span
from .frames import call_function
from .nodes import TRANSPARENT, field, inline_argument, key, span, text
from .parsed import ParsedFile


def handed_callbacks(pf: ParsedFile) -> tuple[tuple[int, Span, int], ...]:
    """(function id, span of the call, argument position) of each function written inline as
    an argument of a call (`tryPrisma((p) => …, null)`: position 0)."""
    out = []
    for fn in pf.function_nodes:
        top = fn   # (under `(…)`, `as T`: still the argument)
        while top.parent is not None and top.parent.type in TRANSPARENT:
            top = top.parent
        inline = inline_argument(top)
        call = inline[0].parent if inline is not None else None
        fid = pf.function_ids.get(key(fn))
        if call is None or call.type != "call_expression" or fid is None:
            continue
        args = [a for a in inline[0].named_children if a.type != "comment"]
        out.append((fid, span(call), args.index(top)))
    return tuple(out)


def param_call(pf: ParsedFile, call: ts.Node, client_args: Callable[[ParsedFile, ts.Node | None], tuple]
               ) -> tuple[int, int, tuple[tuple[int, ClientRef], ...]] | None:
    """(function id, parameter position, client arguments) when the call calls a parameter of
    a function around it and hands it a client, or what may be one (`thunk(p)` in
    `tryPrisma(thunk)`, after `const p = await getPrisma()`)."""
    callee = call_function(call)
    if callee is None or callee.type != "identifier":
        return None
    b = pf.resolver.lookup(text(callee), callee)
    if b is None or b.kind != "param" or b.path or b.value is None:
        return None
    fid = pf.function_ids.get(key(b.value))
    args = client_args(pf, field(call, "arguments")) if fid is not None else ()
    return (fid, b.index, args) if args else None
