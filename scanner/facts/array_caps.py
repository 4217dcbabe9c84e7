"""The item caps zod schemas declare for their array fields (`items: z.array(Item).max(100)`),
read where a loop over request input asks how long the request can make it: the fields of
this module's schema constants, by name, and what the `.input(…)` of each tRPC procedure
caps, from a schema written in place or a constant of this module, or else the import it
names (settled by the index in the schema's module)."""

from __future__ import annotations

import tree_sitter as ts

from .nodes import field, object_pairs, text, unwrap
from .parsed import ParsedFile
from .validation import procedure_function

_MAX_HOPS = 3


def _cap(value: ts.Node | None, resolver):
    """N of an array schema's `.max(N)` / `.length(N)`, N a number or a constant of this module
    holding one, or (module, name) of an imported constant: `z.array(X).min(1).max(20)`,
    `X.array().max(LIMIT)`. A `.max` applied before `.array()` caps each item, not the list."""
    n, cap = unwrap(value), None
    while n is not None and n.type == "call_expression":
        fn = field(n, "function")
        if fn is None or fn.type != "member_expression":
            return None
        prop = text(field(fn, "property"))
        if prop == "array":
            return cap
        if prop in ("max", "length") and cap is None:
            args = field(n, "arguments")
            arg = unwrap(args.named_children[0]) if args is not None and args.named_children else None
            if arg is not None and arg.type == "identifier":
                b = resolver.lookup(text(arg), arg)
                if b is not None and b.kind == "import" and b.module and b.imported not in (None, "*"):
                    cap = (b.module, b.imported)   # a constant another module exports
                    n = field(fn, "object")
                    continue
                arg = unwrap(b.value) if b is not None and b.kind == "var" and not b.path else None
            if arg is None or arg.type != "number" or not text(arg).isdigit():
                return None
            cap = int(text(arg))
        n = field(fn, "object")
    return None


def object_caps(node: ts.Node | None, resolver, hops: int = 0) -> tuple[tuple, ...]:
    """(field, cap) of each capped array field of a `z.object({…})` schema (also chained:
    `.strict()`, `.extend()` read no further), or of the constant of this module a name holds."""
    node = unwrap(node)
    if node is not None and node.type == "identifier" and hops < _MAX_HOPS:
        b = resolver.lookup(text(node), node)
        value = b.value if b is not None and b.kind == "var" and not b.path else None
        return object_caps(value, resolver, hops + 1) if value is not None else ()
    while node is not None and node.type == "call_expression":
        fn = field(node, "function")
        if fn is None or fn.type != "member_expression":
            return ()
        args = field(node, "arguments")
        first = unwrap(args.named_children[0]) if args is not None and args.named_children else None
        if text(field(fn, "property")) == "object" and first is not None and first.type == "object":
            pairs = object_pairs(first)
            return tuple((k, c) for k, v in pairs.items() if (c := _cap(v, resolver)) is not None)
        node = field(fn, "object")
    return ()


def extract(pf: ParsedFile) -> tuple[tuple, ...]:
    """("schema", name, field, cap) for this module's schema constants; ("input", procedure
    function id, field, cap) for a procedure's `.input()` read here; ("input-import", procedure
    function id, module, imported name) for one that names an imported schema; ("number", name,
    value) for this module's integer constants, which another module's caps may name. A cap is
    a number or the (module, name) of an imported constant."""
    out: list[tuple] = []
    for stmt in pf.tree.root_node.named_children:
        decl = field(stmt, "declaration") if stmt.type == "export_statement" else stmt
        if decl is None or decl.type != "lexical_declaration":
            continue
        for d in decl.named_children:
            name = field(d, "name")
            value = unwrap(field(d, "value"))
            if d.type != "variable_declarator" or name is None or name.type != "identifier" or value is None:
                continue
            if value.type == "number" and text(value).isdigit():
                out.append(("number", text(name), int(text(value))))
            else:
                out += [("schema", text(name), f, c) for f, c in object_caps(value, pf.resolver)]
    for _, m in pf.matches("validations"):
        if "trpc_input" not in m:
            continue
        fid = procedure_function(m["trpc_input"][0], pf.function_ids)
        schema = unwrap(m["trpc_input.schema"][0])
        if fid is None or schema is None:
            continue
        b = pf.resolver.lookup(text(schema), schema) if schema.type == "identifier" else None
        if b is not None and b.kind == "import" and b.module and b.imported not in (None, "*"):
            out.append(("input-import", fid, b.module, b.imported))
        else:
            out += [("input", fid, f, c) for f, c in object_caps(schema, pf.resolver)]
    return tuple(out)
