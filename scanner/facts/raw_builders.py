"""SQL text assembled in pieces: a `let` grown with `+=` or reassigned (`where += ` AND s =
'${v}'``), an array of clauses pushed one by one and joined (`sets.join(', ')`), and a clause
a function of the file builds and returns (`const { setSql } = this.buildSet(f, i)`). Such
text splices what its pieces splice, so raw-sql-injection reads the pieces, not the name."""

from __future__ import annotations

import tree_sitter as ts

from .args import object_entries
from .nodes import field, text, unwrap
from .raw_constants import result_call
from .raw_origins import local_function, pushed, values_of, array_only_holds
from .scopes import Resolver, _returned_expressions


def _is_let(b) -> bool:
    decl = b.node.parent if b is not None else None
    return b is not None and b.kind == "var" and not b.path and decl is not None \
        and not any(c.type == "const" for c in decl.children)


def text_pieces(node: ts.Node | None, resolver: Resolver) -> tuple[object, list[ts.Node]] | None:
    """(a key naming the text, the pieces) of text built in pieces: for a `let`, its
    initialiser and every value assigned to it (`+=` appends one); for `arr.join(…)` of an
    array only pushed to and read (`array_only_holds`), its items; for what a function of the
    file returns, the returned values. None for anything else."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "identifier":
        b = resolver.lookup(text(node), node)
        values = values_of(b, resolver) if _is_let(b) else []
        if values:
            return b.node.id, values
    returned = _returned_pieces(node, resolver)
    if returned is not None:
        return returned
    fn = unwrap(field(node, "function")) if node.type == "call_expression" else None
    obj = unwrap(field(fn, "object")) if fn is not None and fn.type == "member_expression" \
        and text(field(fn, "property")) == "join" else None
    if obj is None or obj.type != "identifier":
        return None
    b = resolver.lookup(text(obj), obj)
    if b is None or not array_only_holds(b, resolver, lambda v: True):
        return None
    items = [c for c in unwrap(b.value).named_children if c.type != "comment"]
    return b.node.id, items + pushed(b, resolver)


def _returned_pieces(node: ts.Node, resolver: Resolver) -> tuple[object, list[ts.Node]] | None:
    """((the function, the key), what it returns under the key read) for `const { setSql } = f(…)` or
    `r.setSql` after `const r = f(…)`, f a function of this file (awaited or not) whose every
    return is an object written in place with that key. None otherwise."""
    got = result_call(node, resolver)
    target = local_function(got[0], resolver) if got is not None else None
    key = got[1] if got is not None else None
    if target is None:
        return None
    out = []
    for r in _returned_expressions(target):
        r = unwrap(r)
        if r is None or r.type != "object":
            return None
        values = [v for k, v, spread in object_entries(r) if k == key and not spread]
        if len(values) != 1 or values[0] is None or any(spread for _, _, spread in object_entries(r)):
            return None   # (a shorthand `{ sql }` is read as not followed)
        out.append(values[0])
    return ((target.id, key), out) if out else None
