"""Values raw SQL may splice because a function hands back only constants: an allow-list
written as a function that returns literals, or rows of a literal map (`getTableInfo(type)`
returning `{ table: "Usage", total: "totalX" }`), read through a destructuring or a member
of its result. A function of the same file is settled here; an imported one is recorded as
(module, name) for the index to settle through FunctionFact.returns_constant."""

from __future__ import annotations

from typing import Callable

import tree_sitter as ts

from .args import object_entries
from .nodes import field, member_root, text, unwrap
from .scopes import Resolver, _returned_expressions
from .raw_origins import local_function

LITERAL_TYPES = frozenset({"string", "number", "true", "false", "null", "undefined"})


def const_value(node: ts.Node, resolver: Resolver) -> ts.Node | None:
    """The initialiser of a `const` an identifier is bound to."""
    return const_init(resolver.lookup(text(node), node))


def const_init(b) -> ts.Node | None:
    if b is None or b.kind != "var" or b.path or b.value is None:
        return None
    decl = b.node.parent
    return b.value if decl is not None and any(c.type == "const" for c in decl.children) else None


def _literal_record(node: ts.Node | None, depth: int = 0) -> bool:
    """`{ table: "Usage", total: "totalX" }`, also a map of such records: constants only."""
    node = unwrap(node)
    if node is None or node.type != "object" or depth > 3:
        return False
    entries = list(object_entries(node))
    return bool(entries) and all(
        not spread and unwrap(v) is not None
        and (unwrap(v).type in LITERAL_TYPES or (unwrap(v).type == "template_string"
                                              and not unwrap(v).named_children)
             or _literal_record(v, depth + 1))
        for _, v, spread in entries)


def _record(node: ts.Node | None, resolver: Resolver) -> bool:
    """A literal record, or a lookup in a `const` map of them (`MAP[key]`, `MAP.key`)."""
    node = unwrap(node)
    if node is None:
        return False
    if _literal_record(node):
        return True
    if node.type in ("subscript_expression", "member_expression"):
        obj = unwrap(field(node, "object"))
        return obj is not None and obj.type == "identifier" and _literal_record(const_value(obj, resolver))
    if node.type == "identifier":
        value = const_value(node, resolver)
        return value is not None and _record(value, resolver)
    return False


def returns_constants(fn: ts.Node, resolver: Resolver, safe: Callable[[ts.Node], bool]) -> bool:
    """Every `return` of the function is a constant (`safe`) or a record of constants."""
    results = _returned_expressions(fn)
    return bool(results) and all(safe(r) or _record(r, resolver) for r in results)


def _call_of(node: ts.Node, resolver: Resolver) -> ts.Node | None:
    """The call whose result a name holds: `const { total } = f(x)` (one key deep), `const
    info = f(x)` then `info.total`, awaited or not."""
    name, member = member_root(node)
    b = resolver.lookup(text(name), name) if name is not None and name.type == "identifier" else None
    # `info.total` after `const info = f(x)`; `total` after `const { total } = f(x)`.
    if b is None or b.kind != "var" or len(b.path) != (0 if member is not None else 1):
        return None
    value = unwrap(b.value)
    if value is not None and value.type == "await_expression" and value.named_children:
        value = unwrap(value.named_children[0])
    return value if value is not None and value.type == "call_expression" else None


def local_constant_call(node: ts.Node, resolver: Resolver, safe: Callable[[ts.Node], bool]) -> bool:
    """The name holds (part of) what a function of this file returns, and that is constants."""
    call = _call_of(node, resolver)
    target = local_function(call, resolver) if call is not None else None
    return target is not None and returns_constants(target, resolver, safe)


def imported_call(node: ts.Node, resolver: Resolver) -> tuple[str, str] | None:
    """(module, name) of the imported function whose result the name holds (part of)."""
    call = _call_of(node, resolver)
    fn = unwrap(field(call, "function")) if call is not None else None
    if fn is None or fn.type != "identifier":
        return None
    b = resolver.lookup(text(fn), fn)
    if b is None or b.kind != "import" or not b.module or b.imported in (None, "*"):
        return None
    return b.module, b.imported
