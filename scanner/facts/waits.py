"""Waits the code sits out: a timer that resolves a promise (`await new Promise((r) =>
setTimeout(r, ms))`, a `sleep(ms)` helper built so). A loop that waits per item is paced on
purpose (analysis/external_io.py)."""

from __future__ import annotations

import tree_sitter as ts

from .nodes import FUNCTION_TYPES, field, param_nodes, param_pattern, text
from .parsed import enclosing


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
