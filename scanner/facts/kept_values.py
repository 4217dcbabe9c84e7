"""Whether a call's value is kept for later calls rather than made anew each time: stored on
a member or in a module-level cache (call_sites.py records it on each CallSite)."""

from __future__ import annotations

import tree_sitter as ts

from .nodes import FUNCTION_TYPES, field, key, mention, text
from .parsed import ParsedFile, enclosing


def stored(pf: ParsedFile, call: ts.Node) -> bool:
    """The call's value is kept on a member (`Cls.instance = make()`, `g.prisma ??= make()`)
    or in a module-level cache the function fills (`const c = make(); cache.set(key, { c })`)."""
    n = call.parent
    while n is not None and n.type in ("await_expression", "parenthesized_expression", "as_expression",
                                       "non_null_expression"):
        n = n.parent
    if n is not None and n.type == "variable_declarator":
        return _cached(pf, n)
    if n is None or n.type not in ("assignment_expression", "augmented_assignment_expression"):
        return False
    left = field(n, "left")
    return left is not None and left.type in ("member_expression", "subscript_expression")


def _cached(pf: ParsedFile, declarator: ts.Node) -> bool:
    """`const v = …` whose function then hands `v` (alone or in an object) to `.set()` of a
    module-level Map or cache: kept for later calls, not made anew each time."""
    name, fn = field(declarator, "name"), pf.enclosing_function(declarator)
    if name is None or name.type != "identifier" or fn is None \
            or b".set(" not in pf.source[fn.start_byte:fn.end_byte]:
        return False
    named = mention(text(name))
    for holder, args in _set_calls(pf, fn):
        b = pf.resolver.lookup(text(holder), holder)
        if b is not None and b.kind == "var" and enclosing(b.node, FUNCTION_TYPES) is None and named.search(args):
            return True
    return False


def _set_calls(pf: ParsedFile, fn: ts.Node) -> list[tuple[ts.Node, str]]:
    """(holder, text of the arguments) of each `holder.set(…)` call in function `fn`, found
    once per function: a long function declares many such values, and a walk of its whole
    tree for each made a 6,000-line function cost seconds."""
    k = ("set-calls", key(fn))
    got = pf.memo.get(k)
    if got is None:
        got = pf.memo[k] = []
        stack = [fn]
        while stack:
            node = stack.pop()
            stack.extend(node.named_children)
            head = field(node, "function") if node.type == "call_expression" else None
            if head is None or head.type != "member_expression" or text(field(head, "property")) != "set":
                continue
            holder = field(head, "object")
            if holder is not None and holder.type == "identifier":
                got.append((holder, text(field(node, "arguments"))))
    return got
