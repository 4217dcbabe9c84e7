"""Schema validation calls: `Schema.parse(x)` and friends, and tRPC `.input(schema)`.

The facts record where the schema comes from, so a reader can tell a zod
schema (`z.object(...)`, or a schema imported from a schemas module) from
`JSON.parse` or a local helper's `.parse`. The data flow from request input to
a Prisma argument is the `unvalidated-input` rule's business; these facts only
say which functions validate something, which the report's coverage figure
"entry points validating their input" needs."""

from __future__ import annotations

import tree_sitter as ts

from .parsed import ParsedFile
from .raw_origins import local_function
from .model import FileFacts, ValidationCall
from .nodes import FUNCTION_TYPES, field, key, short, span, terminates, text, unwrap
from .scopes import Resolver

_PROCEDURE_METHODS = ("query", "mutation", "subscription")
_MAX_HOPS = 6
# yup / joi: `schema.validate(x)`; counted only with a schema library in sight.
_LIBRARY_METHODS = frozenset({"validate", "validateSync", "validateAsync"})
SCHEMA_LIBRARIES = ("zod", "valibot", "yup", "joi", "@hapi/joi", "superstruct", "@sinclair/typebox", "arktype",
                    "effect")
# Schema-library functions handed (schema, value) or (value, schema), by library.
_VALUE_FIRST = ("superstruct",)


def is_zod_module(module: str | None) -> bool:
    return module is not None and (module == "zod" or module.startswith("zod/"))


def is_schema_module(module: str | None) -> bool:
    """zod, valibot, yup, joi (also as @hapi/joi), superstruct, typebox, arktype, effect (and their
    subpaths)."""
    return module is not None and any(module == m or module.startswith(m + "/") for m in SCHEMA_LIBRARIES)


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


def procedure_function(call: ts.Node, function_ids: dict[int, int]) -> int | None:
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


def _enclosing_function(node: ts.Node) -> ts.Node | None:
    n = node.parent
    while n is not None and n.type not in FUNCTION_TYPES:
        n = n.parent
    return n


def _identifiers(expr: ts.Node):
    stack = [expr]
    while stack:
        n = stack.pop()
        if n.type in ("identifier", "shorthand_property_identifier"):
            yield n
        elif n.type not in FUNCTION_TYPES:
            stack.extend(n.named_children)


def _param_reads(resolver: Resolver, expr: ts.Node | None, fn: ts.Node | None,
                 hops: int = 0) -> set[tuple[int, str]]:
    """(index, part) of the parameters of `fn` an expression is built from: `await req.json()`
    and `req` are (0, "*"), `req.body` is (0, "body"), and so is `body` where `const body =
    req.body` or `const { body } = req`; `req[part]` is (0, "*")."""
    out: set[tuple[int, str]] = set()
    if expr is None or fn is None or hops > _MAX_HOPS:
        return out
    for ident in _identifiers(expr):
        b = resolver.lookup(text(ident), ident)
        if b is None:
            continue
        if b.kind == "param" and b.value is not None and key(b.value) == key(fn):
            part = b.path[0] if b.path and not b.path[0].startswith(("[", ".")) else _member_read(ident)
            out.add((b.index, part))
        elif b.kind == "var" and b.value is not None and b.value != expr:
            inner = _param_reads(resolver, b.value, fn, hops + 1)
            if b.path and not b.path[0].startswith(("[", ".")):  # `const { body } = req`
                inner = {(i, b.path[0] if p == "*" else p) for i, p in inner}
            out |= inner
    return out


def _member_read(ident: ts.Node) -> str:
    """`body` for `req.body` (and `req.body.title`), `*` for `req` itself or `req[part]`."""
    parent = ident.parent
    if parent is None or parent.type != "member_expression" or field(parent, "object") != ident:
        return "*"
    outer = parent.parent
    if outer is not None and outer.type == "call_expression" and field(outer, "function") == parent:
        return "*"  # `req.json()`: a method, not a part
    return text(field(parent, "property"))


def _schema_param(resolver: Resolver, schema: ts.Node, fn: ts.Node | None) -> int:
    root = _root(schema)
    if root is None or root.type != "identifier" or fn is None:
        return -1
    b = resolver.lookup(text(root), root)
    return b.index if b is not None and b.kind == "param" and b.value is not None \
        and key(b.value) == key(fn) else -1


def _library_function(resolver: Resolver, callee: ts.Node) -> str | None:
    """The schema library a called function comes from: `parse` / `v.parse` imported from
    valibot, `assert` from superstruct, `Value.Check` from typebox."""
    root = _root(callee)
    if root is None or root.type != "identifier":
        return None
    b = resolver.lookup(text(root), root)
    if b is None or b.kind != "import" or not is_schema_module(b.module) or is_zod_module(b.module):
        return None
    return b.module


def extract_validations(pf: ParsedFile) -> tuple[ValidationCall, ...]:
    root, resolver, function_ids = pf.root, pf.resolver, pf.function_ids
    out: list[ValidationCall] = []
    schema_file: bool | None = None
    for _, m in pf.matches("validations"):
        if "validate" in m:
            call, schema = m["validate"][0], m["validate.schema"][0]
            method = text(m["validate.method"][0])
            origin, module = schema_origin(resolver, schema)
            if _library_function(resolver, schema) is not None and unwrap(schema).type == "identifier" \
                    and resolver.lookup(text(unwrap(schema)), schema).kind == "import":
                continue  # `v.parse(S, x)`: the library's namespace, not a schema (below)
            if method in _LIBRARY_METHODS and not is_schema_module(module):
                if schema_file is None:
                    schema_file = _imports_schema_library(root)
                if origin not in ("import", "local") or not schema_file:
                    continue
            fn = _enclosing_function(call)
            args = field(call, "arguments")
            value = next((a for a in args.named_children if a.type != "comment"), None) if args else None
            out.append(_validation(resolver, method, schema, origin, module, call, value, fn, function_ids))
            if fn is not None and out[-1].schema_param >= 0 and out[-1].params:
                out += _helper_calls(pf, out[-1], fn)
        elif "validate_fn" in m:
            call = m["validate_fn"][0]
            module = _library_function(resolver, m["validate_fn.callee"][0])
            if module is None:
                continue
            first, second = m["validate_fn.first"][0], m["validate_fn.second"][0]
            schema, value = (second, first) if module.startswith(_VALUE_FIRST) else (first, second)
            out.append(_validation(resolver, text(m["validate_fn.name"][0]), schema, "library", module, call,
                                   value, _enclosing_function(call), function_ids))
        elif "trpc_input" in m:
            call, schema = m["trpc_input"][0], m["trpc_input.schema"][0]
            fid = procedure_function(call, function_ids)
            if fid is None:
                continue
            origin, module = schema_origin(resolver, schema)
            out.append(ValidationCall("trpc-input", short(schema, 120), origin, module, span(call), fid))
    out.sort(key=lambda v: (v.span.line, v.span.column))
    return tuple(out)


def _validation(resolver: Resolver, kind: str, schema: ts.Node, origin: str, module: str | None,
                call: ts.Node, value: ts.Node | None, fn: ts.Node | None,
                function_ids: dict[int, int]) -> ValidationCall:
    reads = _param_reads(resolver, value, fn)
    return ValidationCall(kind, short(schema, 120), origin, module, span(call), _function_of(call, function_ids),
                          tuple(sorted({i for i, _ in reads})), _schema_param(resolver, schema, fn),
                          tuple(sorted(reads)),
                          _schema_param(resolver, schema, _enclosing_function(fn)) if fn is not None else -1)


def _helper_calls(pf: ParsedFile, v: ValidationCall, helper: ts.Node) -> list[ValidationCall]:
    """A nested helper validates its parameter with a schema its caller hands it
    (`const validatePart = (part, value, s) => s.safeParse(value)` inside a middleware): each
    call of it in the function around it validates what that call passes (`validatePart("body",
    req.body, schema.body)` validates `req.body` with the factory's schema), as if written there."""
    scope = _enclosing_function(helper)
    if scope is None:
        return []
    resolver, out = pf.resolver, []
    pending = [field(scope, "body")]
    while pending:
        n = pending.pop()
        if n is None:
            continue
        pending.extend(n.named_children)
        target = local_function(n, resolver) if n.type == "call_expression" else None
        if target is None or key(target) != key(helper):
            continue
        args = [a for a in field(n, "arguments").named_children if a.type != "comment"]
        if max(v.params[0], v.schema_param) >= len(args):
            continue
        out.append(_validation(resolver, v.kind, args[v.schema_param], v.origin, v.module, n,
                               args[v.params[0]], _enclosing_function(n), pf.function_ids))
    return out


def _imports_schema_library(root: ts.Node) -> bool:
    return any(s.type == "import_statement" and field(s, "source") is not None
               and is_schema_module(text(field(s, "source")).strip("'\"`"))
               for s in root.named_children)


def validates_input(call: ValidationCall, facts: FileFacts) -> bool:
    """Whether a validation call counts as validating request input.

    An approximation, documented in docs/scoring.md: a zod schema or a schema
    imported from another module always counts, and so does a schema-library
    function (valibot `parse(schema, x)`, superstruct `assert(x, S)`); a schema
    built locally counts when the file imports zod (or another schema library);
    a tRPC `.input(schema)` counts whatever the schema is. `JSON.parse` and other
    globals never count."""
    if call.kind == "trpc-input" or call.origin in ("zod", "import", "library"):
        return True
    return call.origin == "local" and any(is_schema_module(i.module) for i in facts.imports)


def validated_params(facts: FileFacts, fid: int, generic: bool = False) -> frozenset[int]:
    """The parameters function `fid` validates itself: a wrapper such as
    `parseRequest(req, schema)` running `schema.safeParse(await req.json())` validates
    what its caller passes first. The schema may be a parameter too (the caller's);
    `generic` asks for those only: a validation helper rather than a function that
    validates its own input on the way to its work (`createInvite(input)`)."""
    return frozenset(i for v in facts.validations if v.function == fid and v.kind != "trpc-input"
                     and (v.schema_param >= 0 or (not generic and validates_input(v, facts)))
                     for i in v.params)


def middleware_parts(facts: FileFacts, fid: int, called: bool) -> frozenset[str]:
    """The parts of the request (`body`, `query`, `params`; `*` for all of it) that function
    `fid` validates as an Express / Connect middleware: its own first parameter
    (`validNote(req, res, next)` running `NoteBody.parse(req.body)`), or, when `called` (a
    factory: `validate(schema)` in `router.post('/x', validate(S), handler)`), the first
    parameter of a function it defines and returns, with a schema of its own or the one its
    caller passes (`(req, res, next) => schema.safeParse(req.body)`)."""
    inner = {f.id for f in facts.functions if f.parent == fid} if called else {fid}

    def counts(v: ValidationCall) -> bool:
        return v.function in inner and v.kind != "trpc-input" \
            and ((called and v.outer_schema_param >= 0) or validates_input(v, facts))
    return frozenset(part for v in facts.validations if counts(v) for i, part in v.parts if i == 0)


def rejects_by_type(fn: ts.Node) -> bool:
    """The function (not its nested ones) has `if (typeof … ) throw/return …`."""
    body = field(fn, "body")
    pending = [body] if body is not None else []
    while pending:
        n = pending.pop()
        if n.type == "if_statement":
            cond, cons = field(n, "condition"), field(n, "consequence")
            if cond is not None and "typeof" in text(cond) and terminates(cons):
                return True
        pending.extend(c for c in n.named_children if c.type not in FUNCTION_TYPES)
    return False
