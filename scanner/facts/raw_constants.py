"""Values raw SQL may splice because a function hands back only constants: an allow-list
written as a function that returns literals, or rows of a literal map (`getTableInfo(type)`
returning `{ table: "Usage", total: "totalX" }`), read through a destructuring or a member
of its result. A function of the same file is settled here; an imported one is recorded as
(module, name) for the index to settle through FunctionFact.returns_constant.

Also allow-lists without a function: a chain of reads into a `const` literal map whatever its
keys (`constant_parts`), a parameter a statement before the SQL tests against literals and
turns away otherwise (`allowlist_guarded`), and an identifier sanitiser written in place
(`strips_to_word_characters`)."""

from __future__ import annotations

import re
from typing import Callable

import tree_sitter as ts

from .args import object_entries
from .nodes import FUNCTION_TYPES, field, member_root, text, unwrap
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
    """`{ table: "Usage", total: "totalX" }`, also a map of such records, and lists of
    literals or records in them (`fields: [{ key: "name" }]`): constants only."""
    node = unwrap(node)
    if node is None or node.type != "object" or depth > 3:
        return False
    entries = list(object_entries(node))
    return bool(entries) and all(not spread and _literal_value(v, depth) for _, v, spread in entries)


def _literal_value(v: ts.Node | None, depth: int) -> bool:
    v = unwrap(v)
    if v is not None and v.type == "array":
        return all(c.type != "spread_element" and _literal_value(c, depth + 1)
                   for c in v.named_children if c.type != "comment")
    return v is not None and (v.type in LITERAL_TYPES or v.type == "template_string" and not v.named_children
                              or _literal_record(v, depth + 1))


def _record(node: ts.Node | None, resolver: Resolver) -> bool:
    """A literal record, or a lookup in a `const` map of them (`MAP[key]`, `MAP.key`), also
    with a fallback of nothing (`MAP[key] ?? null`, a lookup that may miss)."""
    node = unwrap(node)
    if node is None:
        return False
    if _literal_record(node):
        return True
    if node.type == "binary_expression" and text(field(node, "operator")) in ("??", "||"):
        right = unwrap(field(node, "right"))
        return right is not None and right.type in ("null", "undefined") and _record(field(node, "left"), resolver)
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


def result_call(node: ts.Node, resolver: Resolver) -> tuple[ts.Node, str | None] | None:
    """(the call whose result a name holds, the key read on it): `const { total } = f(x)` (one
    key deep), `const info = f(x)` then `info.total` (key `total`), awaited or not."""
    name, member = member_root(node)
    b = resolver.lookup(text(name), name) if name is not None and name.type == "identifier" else None
    # `info.total` after `const info = f(x)`; `total` after `const { total } = f(x)`.
    if b is None or b.kind != "var" or len(b.path) != (0 if member is not None else 1):
        return None
    value = unwrap(b.value)
    if value is not None and value.type == "await_expression" and value.named_children:
        value = unwrap(value.named_children[0])
    return (value, member if member is not None else b.path[0]) \
        if value is not None and value.type == "call_expression" else None


def _call_of(node: ts.Node, resolver: Resolver) -> ts.Node | None:
    got = result_call(node, resolver)
    return got[0] if got is not None else None


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


_READS = ("member_expression", "subscript_expression")


def constant_parts(node: ts.Node | None, resolver: Resolver, depth: int = 0) -> list[ts.Node] | None:
    """The values a chain of reads rooted in a `const` object or array literal may give,
    whatever its keys: `SOURCES[spec.source].table` with `const spec = METRICS[metric]` is one
    of the `table` values SOURCES writes, a lookup in an allow-list (a key the literal lacks
    reads a prototype member or `undefined`, never text a caller chose). None when the chain
    leaves the literals (a spread, a missing property, a value computed at run time)."""
    node = unwrap(node)
    if node is None or depth > 8:
        return None
    if node.type in ("object", "array"):
        return [node]
    if node.type == "identifier":
        value = unwrap(const_value(node, resolver))
        return constant_parts(value, resolver, depth + 1) \
            if value is not None and value.type in ("object", "array", *_READS) else None
    if node.type not in _READS:
        return None
    prop = text(field(node, "property")) if node.type == "member_expression" else None
    out: list[ts.Node] = []
    for h in constant_parts(field(node, "object"), resolver, depth + 1) or ():
        if h.type == "identifier":   # `lead: LEAD_SPEC`, read further
            h = (constant_parts(h, resolver, depth + 1) or [h])[0]
        if h.type not in ("object", "array") or any(c.type == "spread_element" for c in h.named_children):
            return None
        if h.type == "array":
            if prop is not None:
                return None
            out += [unwrap(c) for c in h.named_children if c.type != "comment"]
            continue
        values = [unwrap(v) for k, v, _ in object_entries(h) if prop is None or k == prop]
        if not values or None in values:
            return None
        out += values
    return out or None


def allowlist_guarded(ident: ts.Node, resolver: Resolver) -> bool:
    """The value `ident` reads is one of the literals of a `const` list or set, whatever the
    callers pass: an allow-list, as rules.md §8 asks. Either an `if` around it lets only
    listed values in (`if (ALLOWED.includes(key)) sets.push(`${key} = $1`)`), or a statement
    of a block around it, before it, turns the others away: `if (!VALID.has(kind)) throw …`
    (or `return`; `continue` in a loop), also `if (kind && !VALID.includes(kind)) …`."""
    name, node = text(ident), ident
    while node.parent is not None and node.type not in FUNCTION_TYPES:
        parent = node.parent
        if parent.type == "if_statement" and node == field(parent, "consequence") \
                and _admits_listed(unwrap(field(parent, "condition")), name, resolver):
            return True
        if parent.type == "statement_block":
            for st in parent.named_children:
                if st.start_byte >= ident.start_byte:
                    break
                if st.type == "if_statement" and _exits(field(st, "consequence")) \
                        and _rejects_unlisted(unwrap(field(st, "condition")), name, resolver):
                    return True
        node = parent
    return False


def _exits(st: ts.Node | None) -> bool:
    if st is not None and st.type == "statement_block":
        st = st.named_children[-1] if st.named_children else None
    # (`continue` leaves the loop's turn the `if` is in, and that loop holds the value's use.)
    return st is not None and st.type in ("throw_statement", "return_statement", "continue_statement")


def _admits_listed(cond: ts.Node | None, name: str, resolver: Resolver) -> bool:
    """`LIST.includes(name)`, alone or as a term of an `&&`."""
    if cond is not None and cond.type == "binary_expression" and text(field(cond, "operator")) == "&&":
        return any(_admits_listed(unwrap(field(cond, k)), name, resolver) for k in ("left", "right"))
    return _list_test(cond, name, resolver)


def _rejects_unlisted(cond: ts.Node | None, name: str, resolver: Resolver) -> bool:
    """`!LIST.has(name)`, or `name && !LIST.has(name)`."""
    if cond is not None and cond.type == "binary_expression" and text(field(cond, "operator")) == "&&" \
            and text(unwrap(field(cond, "left"))) == name:
        cond = unwrap(field(cond, "right"))
    if cond is None or cond.type != "unary_expression" or text(field(cond, "operator")) != "!":
        return False
    return _list_test(unwrap(field(cond, "argument")), name, resolver)


def _list_test(call: ts.Node | None, name: str, resolver: Resolver) -> bool:
    """`LIST.has(name)` / `LIST.includes(name)`, with LIST a `const` of literals or a list of
    them written in place (`['a', 'b'].includes(name)`)."""
    fn = unwrap(field(call, "function")) if call is not None and call.type == "call_expression" else None
    args = field(call, "arguments") if fn is not None else None
    if fn is None or fn.type != "member_expression" or text(field(fn, "property")) not in ("has", "includes") \
            or args is None or [text(a) for a in args.named_children] != [name]:
        return False
    listed = unwrap(field(fn, "object"))
    value = unwrap(const_value(listed, resolver)) if listed is not None and listed.type == "identifier" else listed
    if value is not None and value.type == "new_expression" and text(field(value, "constructor")) == "Set":
        ctor_args = field(value, "arguments")
        value = unwrap(ctor_args.named_children[0]) if ctor_args is not None and ctor_args.named_children else None
    return value is not None and value.type == "array" and bool(value.named_children) and all(
        unwrap(c) is not None and unwrap(c).type in ("string", "number") for c in value.named_children)


# A negated character class of word characters only: `[^a-zA-Z0-9_]`, `[^\w]`, `[^a-z0-9]`.
_WORD_CLASS = re.compile(r"\[\^(?:a-z|A-Z|0-9|_|\\w)+\]")


def strips_to_word_characters(call: ts.Node) -> bool:
    """`id.replace(/[^a-zA-Z0-9_]/g, '_')`: every character but letters, digits and `_` is
    replaced (globally) by such characters or by nothing, so the result is an identifier's
    text, which can close no quote and start no statement: an identifier sanitiser."""
    fn = unwrap(field(call, "function"))
    args = field(call, "arguments")
    if fn is None or fn.type != "member_expression" or text(field(fn, "property")) not in ("replace", "replaceAll") \
            or args is None or len(args.named_children) != 2:
        return False
    pattern, replacement = (unwrap(a) for a in args.named_children)
    if pattern is None or pattern.type != "regex" or replacement is None or replacement.type != "string":
        return False
    body, flags = field(pattern, "pattern"), field(pattern, "flags")
    return body is not None and _WORD_CLASS.fullmatch(text(body)) is not None \
        and flags is not None and "g" in text(flags) \
        and re.fullmatch(r"""(['"])\w*\1""", text(replacement)) is not None
