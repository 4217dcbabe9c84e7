"""Waits the code sits out: a timer that resolves a promise (`await new Promise((r) =>
setTimeout(r, ms))`, a `sleep(ms)` helper built so). A loop that waits per item is paced on
purpose (analysis/external_io.py). And awaited calls of what the scan cannot follow
(`OpaqueWait`): work a function waits for, of unknown nature."""

from __future__ import annotations

import tree_sitter as ts

from .model import OpaqueWait
from .nodes import FUNCTION_TYPES, field, is_awaited, param_nodes, param_pattern, span, text
from .parsed import ParsedFile, enclosing


def timer_wait(call: ts.Node | None) -> bool:
    """`setTimeout(resolve, ms)` in the executor of `new Promise((resolve) => …)`: it
    resolves a promise after a delay, the wait of `await new Promise(…)` or a `sleep()`."""
    if call is None or text(field(call, "function")) != "setTimeout":
        return False
    args = field(call, "arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    fn = enclosing(call, FUNCTION_TYPES)
    holder = fn.parent if fn is not None else None
    new = holder.parent if holder is not None and holder.type == "arguments" else None
    if first is None or first.type != "identifier" or new is None or new.type != "new_expression" \
            or text(field(new, "constructor")) != "Promise":
        return False
    params = param_nodes(fn)
    return bool(params) and text(param_pattern(params[0])) == text(first)


def opaque_wait(pf: ParsedFile, call: ts.Node, prisma_spans: frozenset) -> OpaqueWait | None:
    """An awaited call of something the scan cannot follow: a method of a parameter or of a
    local object (`await agent.execute(id)`, `await file.save(body)`), a global. Not a
    Prisma call, and not `Promise.all(…)`, whose elements are what is awaited."""
    if not is_awaited(call, _above(call)):
        return None
    at = span(call)
    if at in prisma_spans:
        return None
    fn = field(call, "function")
    if fn is not None and fn.type == "await_expression" and fn.named_children:
        fn = fn.named_children[0]   # `await x.y<T>()`, as the grammar nests it
    name = text(fn)
    if name.startswith("Promise."):
        return None
    return OpaqueWait(pf.fid(call), call.start_byte, at.line, name[:60])


def _above(node: ts.Node):
    """The node's ancestors, innermost first, one at a time (`is_awaited` reads only the
    nearest few)."""
    n = node.parent
    while n is not None:
        yield n
        n = n.parent
