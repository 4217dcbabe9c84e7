"""Model-field values as code handles them: literals written (`data`) or
filtered on (`where`) by a Prisma call, `JSON.stringify(...)` written into a
field, and fields of a Prisma result passed to `JSON.parse` or compared with
string literals. Each use points at the already-recognised Prisma call
(`PrismaCallCandidate`) that reads or writes the row; the project index
settles whether that call is real and the schema which model a path lands on.
"""

from __future__ import annotations

import tree_sitter as ts

from .parsed import ParsedFile
from .args import FILTER_OPERATORS, LOGICAL, RELATION_FILTERS
from .model import ITERATION_METHODS, FieldUse, PrismaCallCandidate
from .nodes import FUNCTION_TYPES, field, key, span, text, unwrap
from .operations import ROW_OPS, WRITE_DATA_KEYS
from .scopes import array_element

# Nested writes through a relation: the keys of the nested object that hold
# rows to write (None: the object itself; `update` on a to-one relation).
_NESTED_WRITE_KEYS = {
    "create": (None,), "createMany": ("data",), "connectOrCreate": ("create",),
    "upsert": ("create", "update"), "update": ("data",), "updateMany": ("data",),
}
# Filter operators whose operand is a value of the field itself.
_VALUE_OPERATORS = ("equals", "in", "notIn", "not", "lt", "lte", "gt", "gte", "startsWith")
_PATTERN_OPERATORS = ("contains", "endsWith", "search")
# Array methods that return (some of) the same rows.
_SAME_ROWS = frozenset({"filter", "find", "findLast", "slice", "sort", "reverse", "toSorted",
                        "toReversed", "at"})
_MAX_DEPTH = 8


def _string_value(node: ts.Node) -> str | None:
    """The text of a string literal or a template without substitutions."""
    if node.type == "string":
        return "".join(text(c) for c in node.named_children if c.type == "string_fragment")
    if node.type == "template_string" and not any(
            c.type == "template_substitution" for c in node.named_children):
        return "".join(text(c) for c in node.named_children if c.type == "string_fragment")
    return None


def _entries(obj: ts.Node):
    """(key, value node, is_spread) of an object literal; a shorthand `{ type }`
    is its own value node."""
    for c in obj.named_children:
        if c.type == "shorthand_property_identifier":
            yield text(c), c, False
        elif c.type == "pair":
            yield text(field(c, "key")).strip("'\"`"), field(c, "value"), False
        elif c.type == "spread_element":
            yield "", None, True


def _mapped_object(node: ts.Node) -> ts.Node | None:
    """The object each item becomes in `items.map((x) => ({ ... }))`."""
    fn = field(node, "function")
    if fn is None or fn.type != "member_expression" or text(field(fn, "property")) != "map":
        return None
    args = field(node, "arguments")
    cb = unwrap(args.named_children[0]) if args is not None and args.named_children else None
    if cb is None or cb.type not in FUNCTION_TYPES:
        return None
    body = field(cb, "body")
    if body is not None and body.type == "statement_block":
        returns = [s for s in body.named_children if s.type == "return_statement"]
        body = returns[-1].named_children[0] if returns and returns[-1].named_children else None
    body = unwrap(body)
    return body if body is not None and body.type == "object" else None


def _is_json_stringify(node: ts.Node) -> bool:
    fn = field(node, "function") if node.type == "call_expression" else None
    return fn is not None and text(fn).replace(" ", "") == "JSON.stringify"


class FieldUseExtractor:
    def __init__(self, pf: ParsedFile, calls: tuple[PrismaCallCandidate, ...]):
        self.pf = pf
        self.root = pf.root
        self.resolver = pf.resolver
        self.calls = calls
        self.call_at: dict[int, int] = {}  # node key -> index into calls
        self.uses: list[FieldUse] = []

    def extract(self) -> tuple[FieldUse, ...]:
        nodes = self._call_nodes()
        for i, node in nodes:
            self._call_arguments(i, node)
        for _, m in self.pf.matches("field_uses"):
            self._match(m)
        self.uses.sort(key=lambda u: (u.span.line, u.span.column, u.path, u.action))
        return tuple(dict.fromkeys(self.uses))

    # -- the recognised calls ------------------------------------------------------------
    def _call_nodes(self) -> list[tuple[int, ts.Node]]:
        out = []
        for i, c in enumerate(self.calls):
            if c.model is None:
                continue
            s = c.span
            node = self.root.descendant_for_point_range(
                (s.line - 1, s.column - 1), (s.end_line - 1, s.end_column - 1))
            while node is not None and not (node.type == "call_expression"
                                            and node.start_point == (s.line - 1, s.column - 1)
                                            and node.end_point == (s.end_line - 1, s.end_column - 1)):
                node = node.parent
            if node is None:
                continue
            self.call_at[key(node)] = i
            out.append((i, node))
        return out

    def _add(self, call: int, path: tuple[str, ...], action: str, node: ts.Node,
             value: str, literal: str | None = None) -> None:
        if path and all(path):
            self.uses.append(FieldUse(call, path, action, value, literal, span(node)))

    # -- values a call writes or filters on ------------------------------------------------
    def _call_arguments(self, i: int, node: ts.Node) -> None:
        args = field(node, "arguments")
        named = [c for c in args.named_children if c.type != "comment"] if args is not None else []
        first = self._object(named[0]) if named else None
        if first is None:
            return
        write_keys = WRITE_DATA_KEYS.get(self.calls[i].operation, ())
        for name, value, spread in _entries(first):
            if spread or value is None:
                continue
            if name == "where":
                self._where(i, value, ())
            elif name in write_keys:
                self._rows(i, value, ())

    def _object(self, node: ts.Node | None, depth: int = 0) -> ts.Node | None:
        """An object literal, also through a local `const data = { ... }`."""
        node = unwrap(node)
        if node is None:
            return None
        if node.type == "object":
            return node
        if node.type in ("identifier", "shorthand_property_identifier") and depth < 2:
            b = self.resolver.lookup(text(node), node)
            if b is not None and b.kind == "var" and not b.path and b.value is not None:
                return self._object(b.value, depth + 1)
        return None

    def _rows(self, i: int, value: ts.Node, prefix: tuple[str, ...]) -> None:
        """`data: { ... }` or `data: [{ ... }, ...]`: the fields one write sets."""
        value = unwrap(value)
        if value is not None and value.type == "array":
            for el in value.named_children:
                self._rows(i, el, prefix)
            return
        if value is not None and value.type == "call_expression":
            value = _mapped_object(value)  # data: items.map((x) => ({ ... }))
        obj = self._object(value)
        if obj is None:
            return
        for name, v, spread in _entries(obj):
            if spread or v is None or not name:
                continue
            inner = unwrap(v)
            if inner is not None and inner.type == "object":
                entries = {k: val for k, val, s in _entries(inner) if not s and val is not None}
                if "set" in entries and len(entries) == 1:
                    self._value(i, prefix + (name,), "write", entries["set"])
                for op in _NESTED_WRITE_KEYS.keys() & entries.keys():
                    self._nested_rows(i, op, entries[op], prefix + (name,))
                continue
            self._value(i, prefix + (name,), "write", v)

    def _nested_rows(self, i: int, op: str, node: ts.Node, prefix: tuple[str, ...]) -> None:
        """`posts: { create: {...} }`, `profile: { upsert: { create, update } }`, ..."""
        node = unwrap(node)
        if node is not None and node.type == "array":
            for el in node.named_children:
                self._nested_rows(i, op, el, prefix)
            return
        obj = self._object(node)
        if obj is None:
            return
        entries = {k: v for k, v, s in _entries(obj) if not s and v is not None}
        for k in _NESTED_WRITE_KEYS[op]:
            target = obj if k is None else entries.get(k)
            if op == "update" and k == "data" and "data" not in entries and "where" not in entries:
                target = obj  # to-one `update: { title }` holds the data itself
            if target is not None:
                self._rows(i, target, prefix)

    def _where(self, i: int, value: ts.Node, prefix: tuple[str, ...], depth: int = 0) -> None:
        obj = unwrap(value)
        if obj is None or depth > _MAX_DEPTH:
            return
        if obj.type == "array":
            for el in obj.named_children:
                self._where(i, el, prefix, depth + 1)
            return
        if obj.type != "object":
            return
        for name, v, spread in _entries(obj):
            if spread or v is None or not name:
                continue
            if name in LOGICAL:
                self._where(i, v, prefix, depth + 1)
                continue
            inner = unwrap(v)
            if inner is None:
                continue
            if inner.type != "object":
                self._value(i, prefix + (name,), "filter", v)
                continue
            entries = [(k, val) for k, val, s in _entries(inner) if not s and val is not None]
            keys = {k for k, _ in entries}
            if keys and keys <= RELATION_FILTERS:
                for _, val in entries:
                    self._where(i, val, prefix + (name,), depth + 1)
            elif keys and keys <= FILTER_OPERATORS:
                for op, val in entries:
                    if op in _VALUE_OPERATORS:
                        self._value(i, prefix + (name,), "filter", val)
                    elif op in _PATTERN_OPERATORS:
                        self._add(i, prefix + (name,), "filter", val, "pattern")
            else:
                # A relation filter (`author: { email }`) or a compound unique
                # (`userId_trackId: { userId, trackId }`); the schema tells which.
                self._where(i, inner, prefix + (name,), depth + 1)

    def _value(self, i: int, path: tuple[str, ...], action: str, node: ts.Node) -> None:
        """Record what a written or filtered value is: each literal it can be, a
        JSON.stringify, a computed string, or something else."""
        stack = [node]
        while stack:
            n = unwrap(stack.pop())
            if n is None or n.type in ("null", "undefined"):
                continue
            literal = _string_value(n)
            if literal is None and n.type in ("identifier", "shorthand_property_identifier"):
                literal = self._const_string(n)
            if literal is not None:
                self._add(i, path, action, n, "literal", literal)
            elif n.type == "array":
                stack.extend(n.named_children)
            elif n.type == "ternary_expression":
                stack.extend(x for x in (field(n, "consequence"), field(n, "alternative")) if x)
            elif n.type == "binary_expression" and text(field(n, "operator")) in ("??", "||"):
                stack.extend(x for x in (field(n, "left"), field(n, "right")) if x)
            elif _is_json_stringify(n):
                self._add(i, path, action, n, "json")
            elif n.type == "template_string" or (
                    n.type == "binary_expression" and text(field(n, "operator")) == "+"):
                self._add(i, path, action, n, "computed")
            else:
                self._add(i, path, action, n, "other")

    def _const_string(self, ident: ts.Node) -> str | None:
        """The string a local `const STATUS = "open"` holds."""
        b = self.resolver.lookup(text(ident), ident)
        if b is None or b.kind != "var" or b.path or b.value is None:
            return None
        decl = b.node.parent
        if decl is None or not any(c.type == "const" for c in decl.children):
            return None
        value = unwrap(b.value)
        return _string_value(value) if value is not None else None

    # -- values read from a call's result ------------------------------------------------
    def _match(self, m: dict[str, list[ts.Node]]) -> None:
        if "json_parse" in m:
            arg = unwrap(m["json_parse.arg"][0])
            if arg is not None and arg.type == "binary_expression" \
                    and text(field(arg, "operator")) in ("??", "||"):
                arg = field(arg, "left")  # JSON.parse(row.tags ?? "[]")
            origin = self.origin(arg)
            if origin is not None:
                self._add(origin[0], origin[1], "parse", m["json_parse"][0], "json")
        elif "compare" in m:
            self._compared(m["compare.value"][0], [m["compare.literal"][0]])
        elif "switch" in m:
            body = field(m["switch"][0], "body")
            cases = [field(c, "value") for c in body.named_children if c.type == "switch_case"]
            self._compared(m["switch.value"][0], [c for c in cases if c is not None])
        elif "includes" in m:
            self._compared(m["includes.value"][0], m["includes.values"][0].named_children)

    def _compared(self, value: ts.Node, literals) -> None:
        origin = self.origin(value)
        if origin is None:
            return
        for lit in literals:
            lit = unwrap(lit)
            s = _string_value(lit) if lit is not None else None
            if s is not None:
                self._add(origin[0], origin[1], "compare", lit, "literal", s)
            elif lit is not None:
                self._add(origin[0], origin[1], "compare", lit, "other")

    def origin(self, expr: ts.Node | None, depth: int = 0) -> tuple[int, tuple[str, ...]] | None:
        """(call index, field path) when `expr` is (a field of) a row a Prisma
        call returned: `quiz.questions` after `const quiz = await prisma.quiz.findUnique()`,
        `n.metadata` in `rows.map((n) => ...)`, `r.status` in `for (const r of rows)`."""
        expr = unwrap(expr)
        if expr is None or depth > _MAX_DEPTH:
            return None
        t = expr.type
        if t == "member_expression":
            base = self.origin(field(expr, "object"), depth + 1)
            prop = field(expr, "property")
            if base is None or prop is None or prop.type != "property_identifier":
                return None
            return base[0], base[1] + (text(prop),)
        if t == "subscript_expression":
            index = unwrap(field(expr, "index"))
            if index is not None and index.type == "number":
                return self.origin(field(expr, "object"), depth + 1)  # rows[0]
            return None
        if t == "call_expression":
            i = self.call_at.get(key(expr))
            if i is not None:
                return (i, ()) if self.calls[i].operation in ROW_OPS else None
            fn = field(expr, "function")
            if fn is not None and fn.type == "member_expression" \
                    and text(field(fn, "property")) in _SAME_ROWS:
                return self.origin(field(fn, "object"), depth + 1)  # rows.filter(...)
            return None
        if t == "identifier":
            return self._binding_origin(expr, depth)
        return None

    def _binding_origin(self, ident: ts.Node, depth: int):
        b = self.resolver.lookup(text(ident), ident)
        if b is None:
            return None
        path = b.path
        if b.kind == "var":
            value = unwrap(b.value)
            # const [a, b] = await Promise.all([prisma.a.findMany(), prisma.b.findMany()])
            value, path = array_element(value, path)
            base = self.origin(value, depth + 1)
        elif b.kind == "param":
            base = self._callback_rows(b, depth)
        elif b.kind == "loop":
            loop = b.node
            is_of = any(c.type == "of" for c in loop.children)
            base = self.origin(field(loop, "right"), depth + 1) if is_of else None
        else:
            return None
        if base is None:
            return None
        return base[0], base[1] + tuple(p for p in path if not p.startswith("["))

    def _callback_rows(self, b, depth: int):
        """The rows an iteration callback's item parameter walks over:
        `rows.map((row) => ...)`, `rows.reduce((acc, row) => ...)`."""
        fn = b.value
        parent = fn.parent if fn is not None else None
        if parent is None or parent.type != "arguments" or parent.parent is None:
            return None
        callee = field(parent.parent, "function")
        if callee is None or callee.type != "member_expression":
            return None
        method = text(field(callee, "property"))
        item = 1 if method == "reduce" else 0
        if method not in ITERATION_METHODS or b.index != item:
            return None
        return self.origin(field(callee, "object"), depth + 1)


def extract_field_uses(pf: ParsedFile, calls: tuple[PrismaCallCandidate, ...]) -> tuple[FieldUse, ...]:
    return FieldUseExtractor(pf, calls).extract()
