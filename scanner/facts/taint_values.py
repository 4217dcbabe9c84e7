"""The values of the taint analysis (taint.py): what request input an expression
carries (`TaintValues.eval`), and the constants that decide it."""

from __future__ import annotations

from dataclasses import dataclass, replace

import tree_sitter as ts

from .string_forced import STRING_CHECK, parsed_text as _parsed_text, string_forced as _string_forced
from .model import (
    TaintStep,
)
from .operations import WRITE_DATA_KEYS
from .nodes import (
    FUNCTION_TYPES, TRANSPARENT, field, key, member_chain, short, text,
)
from .raw_sql import returns_harmless
from .scopes import pattern_bindings
from .validation import rejects_by_type

BODY_SOURCES = frozenset({"json", "text", "formData", "form-get", "body", "action-param", "trpc-input",
                          "graphql-args", "server-fn-data", "message-payload"})
# Sources that are the whole payload object: a spread of one is a mass assignment.
_WHOLE_SOURCES = frozenset({"json", "text", "formData", "body", "query", "action-param", "trpc-input",
                            "graphql-args", "server-fn-data", "message-payload"})
_VALIDATE_METHODS = frozenset({"parse", "safeParse", "parseAsync", "safeParseAsync"})
_VALIDATE_METHODS_YUP_JOI = frozenset({"validate", "validateSync", "validateAsync"})
_SCHEMA_MODULES = ("zod", "valibot", "yup", "joi", "superstruct", "@sinclair/typebox", "arktype", "effect")
# Modules whose `.parse` parses text rather than validating a value.
_PARSERS = frozenset({
    "qs", "querystring", "node:querystring", "query-string", "cookie", "yaml", "js-yaml", "papaparse",
    "url", "node:url", "path", "node:path", "json5", "csv-parse", "date-fns", "chrono-node", "superjson",
    "devalue", "content-type", "mime", "semver",
})
# Method calls whose result says something about the value but is not the value.
_PREDICATES = frozenset({
    "includes", "startsWith", "endsWith", "some", "every", "has", "test", "indexOf", "lastIndexOf",
    "localeCompare", "findIndex", "hasOwnProperty", "isArray", "isInteger", "isFinite", "isNaN",
})
_COERCE = frozenset({"Number", "parseInt", "parseFloat", "BigInt", "Number.parseInt", "Number.parseFloat",
                     "Math.round", "Math.floor", "Math.ceil", "Math.abs", "Math.min", "Math.max"})
_KEEP = frozenset({"String", "decodeURIComponent", "encodeURIComponent", "Array.from", "Object.values",
                   "Object.entries", "Object.keys", "String.prototype.trim"})
_KEEP_WHOLE = frozenset({"JSON.parse", "Object.fromEntries", "Object.assign", "structuredClone",
                         "Promise.resolve"})
_NEW_COERCE = frozenset({"Date", "Decimal", "Prisma.Decimal", "BigNumber"})
_NEW_KEEP = frozenset({"URL", "URLSearchParams", "Map", "Set"})
_ITEM_PARAM = {"reduce": 1}
# Argument keys of a write that hold the values it writes (data, create, update).
_WRITE_KEYS = frozenset(k for keys in WRITE_DATA_KEYS.values() for k in keys)
_MAX_STEPS = 12
_ROUNDS = 3


@dataclass(frozen=True, slots=True)
class Taint:
    source: str
    whole: bool                 # the payload object itself (or a rest/spread of it)
    coerced: bool
    steps: tuple[TaintStep, ...]
    function: int
    checks: tuple[str, ...] = ()

    def rank(self) -> tuple:
        return (self.whole, not self.coerced, self.source in BODY_SOURCES, -len(self.steps))

    def then(self, line: int, note: str, *, whole: bool | None = None, coerced: bool = False,
             check: str | None = None) -> "Taint":
        steps = self.steps if len(self.steps) >= _MAX_STEPS else self.steps + (TaintStep(line, note),)
        return replace(self, steps=steps, whole=self.whole if whole is None else (self.whole and whole),
                       coerced=self.coerced or coerced,
                       checks=self.checks + ((check,) if check and check not in self.checks else ()))


def _best(found: list[Taint]) -> Taint | None:
    return max(found, key=Taint.rank) if found else None


def _line(node: ts.Node) -> int:
    return node.start_point[0] + 1


def _pattern_names(pattern: ts.Node) -> list[tuple[str, tuple[str, ...], ts.Node]]:
    return list(pattern_bindings(pattern))


class TaintValues:
    """`eval(expr)`: the taint an expression's value carries."""

    def eval(self, expr: ts.Node | None) -> Taint | None:
        """The request input an expression's value carries, if any (iterative)."""
        if expr is None:
            return None
        found: list[Taint] = []
        stack: list[tuple[ts.Node, bool, bool]] = [(expr, True, False)]  # node, keeps whole, coerced
        while stack:
            node, whole, coerced = stack.pop()
            t = node.type
            k = key(node)
            if k in self.sources:
                kind, src_text = self.sources[k]
                found.append(Taint(kind, whole and kind in _WHOLE_SOURCES, coerced,
                                   (TaintStep(_line(node), src_text),), self.fid(node)))
                continue
            if t in FUNCTION_TYPES:
                continue
            parsed = _parsed_text(node)
            if parsed is not None:
                # `JSON.parse(x.toString())`: whatever made the text a string, what comes out of
                # parsing it is structured again (an object, a filter object).
                inner = self.eval(parsed)
                if inner is not None:
                    found.append(replace(inner, checks=tuple(c for c in inner.checks if c != STRING_CHECK)))
                continue
            forced = _string_forced(node)
            if forced is not None:
                # `String(x)`, `${x}`, `x.trim()`: whatever x was, a string comes out (an object
                # throws or prints as text), so no filter object can pass.
                inner = self.eval(forced)
                if inner is not None:
                    found.append(inner.then(_line(node), short(node, 60), whole=False, check=STRING_CHECK))
                continue
            guard = self._type_guard(node) if t == "call_expression" else None
            if guard is not None:
                # `parseBody(body)`: a hand-written validator (validation.rejects_by_type).
                inner = _best([x for x in map(self.eval, guard[1]) if x is not None])
                if inner is not None:
                    found.append(inner.then(_line(node), f"{guard[0]}()", whole=False, check="typeof"))
                continue
            if t in ("identifier", "shorthand_property_identifier"):
                bk = self._binding_key(text(node), node)
                hit = self.state.get(bk) if bk is not None else None
                if hit is not None:
                    found.append(replace(hit, whole=hit.whole and whole and t == "identifier",
                                         coerced=hit.coerced or coerced))
                continue
            if t == "member_expression":
                hit = (self.member_checks and self._member_checked(node)) or self._member_source(node)
                if hit is not None:
                    found.append(replace(hit, coerced=coerced))
                    continue
            stack.extend(self._operands(node, whole, coerced))
        return _best(found)

    def _operands(self, node: ts.Node, whole: bool, coerced: bool) -> list[tuple[ts.Node, bool, bool]]:
        """The parts of an expression whose taint it carries: (node, keeps whole, coerced),
        in the order `eval` visits them (reversed: it pops from the end)."""
        t = node.type
        out: list[tuple[ts.Node, bool, bool]] = []
        if t in TRANSPARENT or t in ("await_expression", "spread_element", "sequence_expression"):
            kids = node.named_children[-1:] if t == "sequence_expression" else node.named_children
            out.extend((c, whole, coerced) for c in kids)
        elif t in ("member_expression", "subscript_expression"):
            obj = field(node, "object")
            if obj is not None:
                out.append((obj, False, coerced))
        elif t == "call_expression":
            out.extend(self._call_operands(node, coerced))
        elif t == "new_expression":
            cls = text(field(node, "constructor"))
            args = field(node, "arguments")
            if args is not None and (cls in _NEW_COERCE or cls in _NEW_KEEP):
                out.extend((a, False, coerced or cls in _NEW_COERCE) for a in args.named_children)
        elif t in ("template_string", "template_substitution"):
            out.extend((c, False, coerced) for c in node.named_children)
        elif t == "binary_expression":
            op = text(field(node, "operator"))
            if op in ("??", "||", "&&"):
                out.extend((c, whole, coerced) for c in (field(node, "left"), field(node, "right")) if c)
            elif op == "+":
                out.extend((c, False, coerced) for c in (field(node, "left"), field(node, "right")) if c)
            elif op in ("-", "*", "/", "%", "**"):
                out.extend((c, False, True) for c in (field(node, "left"), field(node, "right")) if c)
        elif t == "ternary_expression":
            out.extend(_ternary_operands(node, whole, coerced))
        elif t == "unary_expression":
            if text(field(node, "operator")) in ("-", "+") and node.named_children:
                out.append((node.named_children[-1], False, True))
        elif t == "object":
            for c in node.named_children:
                if c.type == "spread_element":
                    out.append((c, whole, coerced))
                elif c.type == "pair" and field(c, "value") is not None:
                    out.append((field(c, "value"), False, coerced))
                elif c.type == "shorthand_property_identifier":
                    out.append((c, False, coerced))
        elif t == "array":
            out.extend((c, False, coerced) for c in node.named_children)
        elif t == "pair":
            v = field(node, "value")
            if v is not None:
                out.append((v, False, coerced))
        return out

    def _returns_rows(self, fn: ts.Node) -> bool:
        """Every return of a function of this file is what a Prisma call gives back
        (`return prisma.x.create(…)`, or a `const` bound to its awaited result): rows the
        database typed and stored, not the arguments that went into the query."""
        results = self.resolver.returned_expressions(fn)
        return bool(results) and all(self._prisma_result(r) for r in results)

    def _prisma_result(self, node: ts.Node | None) -> bool:
        node = _unwrap(node)
        if node is not None and node.type == "identifier":
            b = self.resolver.lookup(text(node), node)
            decl = b.node.parent if b is not None and b.kind == "var" and not b.path else None
            if decl is None or not any(c.type == "const" for c in decl.children):
                return False
            node = _unwrap(b.value)
        return node is not None and node.type == "call_expression" \
            and (node.start_point[0] + 1, node.start_point[1] + 1) in self._prisma_at

    def _member_source(self, node: ts.Node) -> Taint | None:
        obj = _unwrap(field(node, "object"))
        prop = text(field(node, "property"))
        if obj is None:
            return None
        if obj.type == "identifier":
            bk = self._binding_key(text(obj), obj)
            container = self.containers.get(bk) if bk is not None else None
            if container is not None and prop in container:
                src = container[prop]
                return Taint(src, src in _WHOLE_SOURCES, False, (TaintStep(_line(node), short(node, 60)),),
                             self.fid(node))
        # (Only request input: followed from a parameter, `req.nextUrl` is that parameter's.)
        if self.mode == "request" and prop == "searchParams" and (member_chain(obj) or "").endswith("nextUrl"):
            return Taint("search-params", False, False, (TaintStep(_line(node), short(node, 60)),),
                         self.fid(node))
        return None

    def _call_operands(self, call: ts.Node, coerced: bool) -> list[tuple[ts.Node, bool, bool]]:
        """What a call's result carries from its receiver and arguments."""
        fn = field(call, "function")
        args = field(call, "arguments")
        arg_nodes = list(args.named_children) if args is not None and args.type == "arguments" else []
        if fn is None or self._is_validator(call):
            return []
        chain = member_chain(fn) or ""
        if chain in _COERCE:
            return [(a, False, True) for a in arg_nodes[:1]]
        if chain in _KEEP_WHOLE:
            return [(a, True, coerced) for a in arg_nodes]
        if chain in _KEEP:
            return [(a, False, coerced) for a in arg_nodes[:1]]
        if fn.type == "identifier":
            local = self._local_function(fn)
            if local is not None and self._returns_rows(local):
                return []  # what a Prisma call returned, as the call itself carries no input
            if local is not None:
                # `const num = (v) => { const n = Number(v); return isFinite(n) ? n : null }`:
                # a helper that only ever returns numbers (booleans, dates, escaped text)
                # coerces like Number() itself: no filter object comes out of it.
                numeric = coerced or returns_harmless(local, self.resolver)
                return [(a, False, numeric) for a in arg_nodes]
            return []
        if fn.type == "member_expression":
            method = text(field(fn, "property"))
            if method in _PREDICATES:
                return []
            obj = field(fn, "object")
            return [(obj, False, coerced)] if obj is not None else []
        return []

    def _type_guard(self, call: ts.Node) -> tuple[str, list[ts.Node]] | None:
        """(name, arguments) of a call of a same-file function that rejects input by type."""
        fn, args = field(call, "function"), field(call, "arguments")
        if fn is None or fn.type != "identifier" or args is None or args.type != "arguments":
            return None
        local = self._local_function(fn)
        if local is None or not rejects_by_type(local):
            return None
        return text(fn), [a for a in args.named_children if a.type != "comment"]


def _unwrap(node: ts.Node | None) -> ts.Node | None:
    while node is not None and (node.type in TRANSPARENT or node.type == "await_expression"):
        node = node.named_children[0] if node.named_children else None
    return node


def _handed_names(arg: ts.Node) -> list[ts.Node]:
    """Identifiers an argument hands over: `body`, `{ req, rawBody }`, `{ body: raw }`, `[id, ZId]`,
    `{ ...data, id }` (a copy of data's fields: `schema.parse({ ...data })` checks them)."""
    u = _unwrap(arg)
    if u is None:
        return []
    if u.type == "identifier":
        return [u]
    if u.type not in ("object", "array"):
        return []
    out = []
    for c in u.named_children:  # `{ req, rawBody }`, `{ body: raw }`, `[id, ZId]`, `{ ...data }`
        if c.type == "spread_element":
            v = _unwrap(c.named_children[0]) if c.named_children else None
        else:
            v = _unwrap(field(c, "value")) if c.type == "pair" else _unwrap(c)
        if v is not None and v.type in ("identifier", "shorthand_property_identifier"):
            out.append(v)
    return out


# Filters that take only a string: a filter object from the client fails validation.
# Filter operators whose operand Prisma validates as a plain value (or a list of them):
# `{ equals: q }`, `{ in: ids }`. A filter object there fails validation instead of
# widening the match. (`not` is left out: it takes a nested filter.)
_STRING_FILTERS = frozenset({"contains", "startsWith", "endsWith", "search", "equals", "in", "notIn",
                             "lt", "lte", "gt", "gte", "has", "hasSome", "hasEvery"})


def _key_of(node: ts.Node) -> str:
    if node.type == "pair":
        return text(field(node, "key")).strip("'\"")
    return text(node)


def _statement_or_test(call: ts.Node) -> bool:
    """`validate(body)` as a statement, a call in an `if` test, or one whose verdict is kept
    (`const verdict = validateSignature({ body })`, tested later): a check, not a use; also as
    one operand of a logical chain (`if (status && !STATUSES.includes(status)) return`)."""
    n = call.parent
    while n is not None and (n.type in ("await_expression", "unary_expression", "non_null_expression",
                                        "as_expression")
                             or (n.type == "binary_expression" and text(field(n, "operator")) in ("&&", "||"))):
        n = n.parent
    if n is None:
        return False
    if n.type in ("expression_statement", "variable_declarator"):
        return True
    return n.type == "parenthesized_expression" and n.parent is not None and n.parent.type == "if_statement"



_PRIMITIVES = frozenset({"string", "number", "boolean", "bigint"})


def _ternary_operands(node: ts.Node, whole: bool, coerced: bool) -> list[tuple[ts.Node, bool, bool]]:
    """`typeof v === "string" ? v : …`: the consequence is that primitive, never a filter
    object; so is each entry of an object it fills with it (`… ? { v } : undefined`)."""
    out = []
    cons, alt = field(node, "consequence"), field(node, "alternative")
    if cons is not None:
        narrowed = _typeof_narrowed(field(node, "condition"))
        filled = _unwrap(cons)
        if narrowed and filled is not None and filled.type == "object":
            for c in filled.named_children:
                v = field(c, "value") if c.type == "pair" else c
                if v is not None and c.type != "comment":
                    proven = coerced or _chain(text(_unwrap(v))) in narrowed
                    out.append((v, whole and c.type == "spread_element", proven))
        else:
            out.append((cons, whole, coerced or _chain(text(_unwrap(cons))) in narrowed))
    if alt is not None:
        out.append((alt, whole, coerced))
    return out


def _typeof_narrowed(cond: ts.Node | None) -> frozenset[str]:
    """The expressions a condition proves primitive when true: `typeof v === "string"`, or an
    allow-list test `ALLOWED.includes(v)` (v is one of the list's entries, as an `if` around it
    takes it: taint_calls._guards_in_test), also as one operand of `&&`."""
    cond = _unwrap(cond)
    if cond is not None and cond.type == "call_expression":
        fn, args = field(cond, "function"), field(cond, "arguments")
        listed = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        if fn is not None and fn.type == "member_expression" and text(field(fn, "property")) == "includes" \
                and len(listed) == 1:
            return frozenset({_chain(text(_unwrap(listed[0])))})
        return frozenset()
    if cond is None or cond.type != "binary_expression":
        return frozenset()
    op = text(field(cond, "operator"))
    left, right = _unwrap(field(cond, "left")), _unwrap(field(cond, "right"))
    if op == "&&":
        return _typeof_narrowed(left) | _typeof_narrowed(right)
    if op not in ("===", "==") or left is None or right is None:
        return frozenset()
    for a, b in ((left, right), (right, left)):
        if a.type == "unary_expression" and text(field(a, "operator")) == "typeof" \
                and b.type == "string" and text(b).strip("'\"") in _PRIMITIVES:
            arg = _unwrap(field(a, "argument"))
            return frozenset({_chain(text(arg))}) if arg is not None else frozenset()
    return frozenset()


def _chain(expr: str) -> str:
    """`req.body?.id` and `req.body.id` are one value to a `typeof` test."""
    return expr.replace("?.", ".")
