"""Schema validation calls: `Schema.parse(x)` and friends, and tRPC `.input(schema)`.

The facts record where the schema comes from, so a reader can tell a zod
schema (`z.object(...)`, or a schema imported from a schemas module) from
`JSON.parse` or a local helper's `.parse`. The data flow from request input to
a Prisma argument is the `unvalidated-input` rule's business; these facts only
say which functions validate something, which the report's coverage figure
"entry points validating their input" needs."""

from __future__ import annotations

import tree_sitter as ts

from .. import parse as P
from .model import FileFacts, ValidationCall
from .nodes import FUNCTION_TYPES, field, key, short, span, text, unwrap
from .scopes import Resolver

_PROCEDURE_METHODS = ("query", "mutation", "subscription")
_MAX_HOPS = 6


def is_zod_module(module: str | None) -> bool:
    return module is not None and (module == "zod" or module.startswith("zod/"))


def _root(expr: ts.Node | None) -> ts.Node | None:
    """The identifier an expression is built from: `z` in `z.object({}).strict()`."""
    n = unwrap(expr)
    while n is not None:
        if n.type == "member_expression":
            n = unwrap(field(n, "object"))
        elif n.type == "call_expression":
            n = unwrap(field(n, "function"))
        else:
            return n
    return None


def schema_origin(resolver: Resolver, expr: ts.Node | None, hops: int = 0) -> tuple[str, str | None]:
    """(origin, module) of a schema expression.

    origin: `zod` (built from a zod import), `import` (imported from another
    module, e.g. `@/lib/schemas`), `local` (a binding of this file that is not
    traced further) or `unknown` (a global such as `JSON`, or nothing)."""
    root = _root(expr)
    if root is None or root.type != "identifier" or hops > _MAX_HOPS:
        return "unknown", None
    b = resolver.lookup(text(root), root)
    if b is None:
        return "unknown", None
    if b.kind == "import":
        return ("zod" if is_zod_module(b.module) else "import"), b.module
    if b.kind == "var" and not b.path and b.value is not None:
        origin, module = schema_origin(resolver, b.value, hops + 1)
        return (origin, module) if origin != "unknown" else ("local", None)
    return "local", None


def _procedure_function(call: ts.Node, function_ids: dict[int, int]) -> int | None:
    """The resolver function of the procedure an `.input(...)` call belongs to:
    `.input(s).use(mw).mutation(async ({ input }) => ...)`."""
    node = call
    for _ in range(_MAX_HOPS):
        member = node.parent
        if member is None or member.type != "member_expression" or field(member, "object") != node:
            return None
        outer = member.parent
        if outer is None or outer.type != "call_expression" or field(outer, "function") != member:
            return None
        if text(field(member, "property")) in _PROCEDURE_METHODS:
            args = field(outer, "arguments")
            for a in (args.named_children if args is not None else ()):
                a = unwrap(a)
                if a is not None and a.type in FUNCTION_TYPES:
                    return function_ids.get(key(a))
            return None
        node = outer
    return None


def _function_of(node: ts.Node, function_ids: dict[int, int]) -> int:
    n = node.parent
    while n is not None and n.type not in FUNCTION_TYPES:
        n = n.parent
    return -1 if n is None else function_ids.get(key(n), -1)


def extract_validations(root: ts.Node, grammar: str, resolver: Resolver,
                        function_ids: dict[int, int]) -> tuple[ValidationCall, ...]:
    """`function_ids` maps function node keys to the ids of `FileFacts.functions`."""
    out: list[ValidationCall] = []
    for _, m in P.matches(grammar, "validations", root):
        if "validate" in m:
            call, schema = m["validate"][0], m["validate.schema"][0]
            origin, module = schema_origin(resolver, schema)
            out.append(ValidationCall(text(m["validate.method"][0]), short(schema, 120), origin, module,
                                      span(call), _function_of(call, function_ids)))
        elif "trpc_input" in m:
            call, schema = m["trpc_input"][0], m["trpc_input.schema"][0]
            fid = _procedure_function(call, function_ids)
            if fid is None:
                continue
            origin, module = schema_origin(resolver, schema)
            out.append(ValidationCall("trpc-input", short(schema, 120), origin, module, span(call), fid))
    out.sort(key=lambda v: (v.span.line, v.span.column))
    return tuple(out)


def validates_input(call: ValidationCall, facts: FileFacts) -> bool:
    """Whether a validation call counts as validating request input.

    An approximation, documented in docs/scoring.md: a zod schema or a schema
    imported from another module always counts; a schema built locally counts
    when the file imports zod; a tRPC `.input(schema)` counts whatever the
    schema is. `JSON.parse` and other globals never count."""
    if call.kind == "trpc-input" or call.origin in ("zod", "import"):
        return True
    return call.origin == "local" and any(is_zod_module(i.module) for i in facts.imports)
