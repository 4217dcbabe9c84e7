"""Request input followed to the arguments of Prisma operations, inside one file
(rules.md §4, `unvalidated-input`).

Sources: the `inputs` facts (`await req.json()`, `req.formData()`,
`formData.get()`, `req.body`, `req.query`, `searchParams.get()`, `ctx.params`,
Hono's `c.req.param()` / `c.req.query()`), `req.nextUrl.searchParams`, and the
parameters of entry points as `ENTRY_KINDS` (facts/entries.py) describes them: route
handler and page `params` / `searchParams`, Remix `({ params })` / `args.params`,
Pages API and Express-style `req.body` / `req.query` / `req.params`, server action
parameters, tRPC `input` when the procedure has no `.input(schema)`, and NestJS
`@Body()` / `@Param()` / `@Query()` / `@Args()` parameters no DTO class or pipe checks.

The value is followed in source order through declarations, destructuring
(`...rest` keeps the whole payload), assignments, property reads, spreads,
template strings, `for…of` loops, `.map` & co. callbacks, `await params`, and
same-file helper functions (a tainted argument taints the helper's parameter,
and the helper's result). It stops at a validator — `.parse` / `.safeParse` /
`.parseAsync` / `.safeParseAsync` on a schema (facts/validation.py decides
where a schema comes from) — and at any call this file cannot see into: the
result of `slugify(title)` or `hash(password)` is not the input any more.
`Number()` / `parseInt()` / `new Date()` keep the taint but mark it coerced.

Sinks are the Prisma calls the extractor already recognised, found again by
their byte span: nothing here decides what a Prisma call is."""

from __future__ import annotations

from dataclasses import dataclass, replace

import tree_sitter as ts

from .model import (
    UNSAFE_RAW_METHODS, WRITE_OPS, FunctionFact, HandedInput, InputSource, ParamFlow, PrismaCallCandidate,
    TaintFlow, TaintStep,
)
from .nodes import (
    FUNCTION_TYPES, TRANSPARENT, field, key, member_chain, param_nodes, param_pattern, short, span, text,
)
from .entries import (
    REQUEST_MEMBERS, EntryKind, checked_by_pipe, decorator_arguments, decorator_name, entry_kind, procedure_input,
)
from .parsed import ParsedFile
from .scopes import pattern_bindings
from .validation import is_zod_module, schema_origin

BODY_SOURCES = frozenset({"json", "text", "formData", "form-get", "body", "action-param", "trpc-input",
                          "graphql-args"})
# Sources that are the whole payload object: a spread of one is a mass assignment.
_WHOLE_SOURCES = frozenset({"json", "text", "formData", "body", "query", "action-param", "trpc-input",
                            "graphql-args"})
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
_WRITE_KEYS = frozenset({"data", "create", "update"})
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


class TaintTracker:
    def __init__(self, pf: ParsedFile, functions: tuple[FunctionFact, ...],
                 inputs: tuple[InputSource, ...], calls: tuple[PrismaCallCandidate, ...],
                 mode: str = "request", querying: frozenset[int] = frozenset()):
        # mode `request`: request input as the sources; `params`: the parameters of exported
        # functions, each its own source `param:<index>:<key>` (the callee half of a
        # cross-file flow, joined by the rule).
        self.mode = mode
        self.querying = querying  # params mode: the functions worth seeding
        self.handed: dict[tuple, HandedInput] = {}
        self.pf = pf
        root = self.root = pf.root
        self.resolver = pf.resolver
        self.functions = functions
        self.function_nodes = pf.function_nodes
        self.function_ids = pf.function_ids
        self.inputs = inputs
        self.calls = calls
        self.fid = pf.fid
        self.sources: dict[int, tuple[str, str]] = {}      # node key -> (kind, text)
        self.containers: dict[tuple, dict[str, str]] = {}  # binding -> {property: source kind}
        self.unseen_base: dict[int, str] = {}  # tRPC procedure id -> the imported builder it extends
        self.seeds: dict[tuple, Taint] = {}
        self.state: dict[tuple, Taint] = {}
        self.flows: dict[tuple[int, str], TaintFlow] = {}
        self.schema_file = any(
            field(s, "source") is not None and text(field(s, "source")).strip("'\"`").startswith(_SCHEMA_MODULES)
            for s in root.named_children if s.type == "import_statement")

    # -- public ---------------------------------------------------------------
    def run(self) -> tuple[TaintFlow, ...]:
        if self.mode == "params":
            self._exported_parameter_sources()
        else:
            self._input_sources()
            self._parameter_sources()
        if not self.sources and not self.seeds:
            return ()
        events = self._events()
        for _ in range(_ROUNDS):
            before = dict(self.seeds)
            self.state = dict(self.seeds)
            for _, kind, node, extra in events:
                getattr(self, f"_on_{kind}")(node, extra)
            if self.seeds == before:
                break
        return tuple(sorted(self.flows.values(), key=lambda f: (f.sink, f.argument)))

    # -- sources ----------------------------------------------------------------
    def _input_sources(self) -> None:
        for src in self.inputs:
            s = src.span
            node = self.root.descendant_for_point_range((s.line - 1, s.column - 1), (s.end_line - 1, s.end_column - 1))
            while node is not None and node.type not in ("call_expression", "member_expression"):
                node = node.parent
            if node is not None:
                self.sources[key(node)] = (src.kind, src.text)

    def _binding_key(self, name: str, at: ts.Node) -> tuple | None:
        b = self.resolver.lookup(name, at)
        return None if b is None else (key(b.node), b.name)

    def _parameter_sources(self) -> None:
        for f in self.functions:
            kind = entry_kind(f.entry_kind)
            if kind is None:
                continue
            fn = self.function_nodes[f.id]
            body = field(fn, "body") or fn
            for index, p in enumerate(param_nodes(fn)):
                members = self._request_members(kind, f, fn, index, p)
                if not members:
                    continue
                pattern = param_pattern(p)
                for name, path, node in _pattern_names(pattern):
                    bk = self._binding_key(name, body)
                    if bk is None:
                        continue
                    if "" in members:  # the parameter itself is input
                        source, rest = members[""], path
                    elif "." in members:  # a part of it
                        source, rest = members["."], (".",)
                    elif path and path[0] in members:
                        source, rest = members[path[0]], path[1:]
                    else:
                        if not path:
                            self.containers[bk] = members
                        continue
                    whole = source in _WHOLE_SOURCES and rest in ((), ("...",))
                    note = f"{kind.id} parameter `{short(pattern, 60)}`"
                    self.seeds[bk] = Taint(source, whole, False, (TaintStep(_line(node), note),), f.id)

    def _exported_parameter_sources(self) -> None:
        for f in self.functions:
            if not f.exported_as or f.entry_kind is not None or f.id not in self.querying:
                continue  # entry points read request input themselves
            fn = self.function_nodes[f.id]
            body = field(fn, "body") or fn
            for index, p in enumerate(param_nodes(fn)):
                pattern = param_pattern(p)
                if pattern is None:
                    continue
                for name, path, node in _pattern_names(pattern):
                    whole = not path or path == ("...",)
                    prop = "" if whole else path[0]
                    if prop.startswith("[") or prop == "...":
                        continue  # array elements, nested rests
                    bk = self._binding_key(name, body)
                    if bk is not None:
                        note = f"parameter `{short(pattern, 60)}` of {f.name}()"
                        self.seeds[bk] = Taint(f"param:{index}:{prop}", whole, False,
                                               (TaintStep(_line(node), note),), f.id)

    def _request_members(self, kind: EntryKind, f: FunctionFact, fn: ts.Node, index: int,
                         p: ts.Node) -> dict[str, str] | None:
        """What parameter `index` of an entry point carries, as {property: input source}
        (`{ params }` of a route handler, `req.body` of an Express handler); the key `""`
        when the parameter is the input itself, `"."` when it is one part of it
        (`@Body('title') title`). None when it carries no request input."""
        if kind.every_param:
            # A wrapped action (`client.schema(S).action(async ({ parsedInput }) => …)`) gets
            # what its wrapper hands it, validated or not: that is the wrapper's business.
            return {"": kind.every_param} if f.inline_callback is None else None
        if kind.decorators:
            for dec in (c for c in p.children if c.type == "decorator"):
                source = kind.decorators.get(decorator_name(dec))
                if source == "*":
                    return REQUEST_MEMBERS
                if source is not None and not checked_by_pipe(p, dec):
                    keyed = any(a.type == "string" for a in decorator_arguments(dec))
                    return {"." if keyed else "": source}
            return None
        if kind.id == "trpc-procedure" and self._procedure_has_input(fn, f.id):
            return None
        return kind.params.get(index)

    def _procedure_has_input(self, fn: ts.Node, fid: int) -> bool:
        """`.input(schema)` on the procedure chain, or on the procedure it is built from.
        A builder imported from another module is noted in `unseen_base`: its `.input()`
        cannot be seen here, which the rule grades as low confidence."""
        call = fn.parent.parent if fn.parent is not None else None
        callee = field(call, "function") if call is not None else None
        chain = field(callee, "object") if callee is not None and callee.type == "member_expression" else None
        declares, imported = procedure_input(chain, self.resolver)
        if imported:
            self.unseen_base[fid] = imported
        return declares

    # -- events -------------------------------------------------------------------
    def _events(self) -> list:
        events = []
        for _, m in self.pf.matches("taint"):
            if "decl" in m:
                node = m["decl"][0]
                events.append((node.end_byte, "decl", node, None))
            elif "assign" in m:
                node = m["assign"][0]
                events.append((node.end_byte, "assign", node, None))
            elif "loop" in m:
                node = m["loop"][0]
                right = m["loop.right"][0]
                if any(c.type == "of" for c in node.children):
                    events.append((right.end_byte, "loop", node, None))
            elif "each" in m:
                node = m["each"][0]
                events.append((m["each.callback"][0].start_byte, "each", node, m))
        for _, m in self.pf.matches("call_sites"):
            call = m["callsite"][0]
            events.append((call.end_byte, "call", call, None))
        for i, cand in enumerate(self.calls):
            if cand.model is None and cand.operation not in UNSAFE_RAW_METHODS:
                # $transaction, tagged raw SQL (parameterised): not a sink. Request input reaching
                # unsafe raw SQL text is raw-sql-injection's proof (unvalidated-input leaves it).
                continue
            node = self._node_at(cand.ctx.start, cand.ctx.end)
            if node is not None:
                events.append((node.start_byte, "sink", node, (i, cand)))
        if self.mode == "params":
            # Parameters only flow inside the functions that reach a sink: skip the rest.
            spans = [(self.function_nodes[f].start_byte, self.function_nodes[f].end_byte)
                     for f in self.querying if 0 <= f < len(self.function_nodes)]
            events = [e for e in events if any(a <= e[2].start_byte < b for a, b in spans)]
        events.sort(key=lambda e: e[0])
        return events

    def _node_at(self, start: int, end: int) -> ts.Node | None:
        node = self.root.descendant_for_byte_range(start, end)
        while node is not None and not (node.type == "call_expression" and node.start_byte == start
                                        and node.end_byte == end):
            node = node.parent
        return node

    def _bind(self, name: str, at: ts.Node, taint: Taint | None) -> None:
        bk = self._binding_key(name, at)
        if bk is None:
            return
        if taint is None:
            self.state.pop(bk, None)
        else:
            self.state[bk] = taint

    def _on_decl(self, node: ts.Node, _) -> None:
        name, value = field(node, "name"), field(node, "value")
        if name is None or value is None:
            return
        if name.type == "identifier":
            t = self.eval(value)
            self._bind(text(name), name, t.then(_line(node), f"{text(name)} = {short(value, 50)}") if t else None)
            return
        elements = self._elements(value) if name.type == "array_pattern" else None
        whole_value = None if elements is not None else self.eval(value)
        container = self._container_of(value)
        for n, path, at in _pattern_names(name):
            t = None
            if elements is not None and path and path[0].startswith("["):
                i = int(path[0][1:-1])
                t = self.eval(elements[i]) if i < len(elements) else None
                path = path[1:]
            elif container is not None and path and path[0] in container:
                src = container[path[0]]
                t = Taint(src, src in _WHOLE_SOURCES, False,
                          (TaintStep(_line(node), f"{short(value, 30)}.{path[0]}"),), self.fid(node))
                path = path[1:]
            else:
                t = whole_value
            if t is not None:
                rest = path in ((), ("...",))
                t = t.then(_line(node), f"{{ {n} }} = {short(value, 50)}", whole=rest)
            self._bind(n, at, t)

    def _elements(self, value: ts.Node) -> list[ts.Node] | None:
        """The items of `[a, b]` or `await Promise.all([a, b])`."""
        v = _unwrap(value)
        if v is not None and v.type == "call_expression" and (member_chain(field(v, "function")) or "") \
                in ("Promise.all", "Promise.allSettled"):
            args = field(v, "arguments")
            v = _unwrap(args.named_children[0]) if args is not None and args.named_children else None
        if v is None or v.type != "array":
            return None
        return [c for c in v.named_children if c.type != "comment"]

    def _container_of(self, value: ts.Node) -> dict[str, str] | None:
        v = _unwrap(value)
        if v is None or v.type != "identifier":
            return None
        bk = self._binding_key(text(v), v)
        return self.containers.get(bk) if bk is not None else None

    def _on_assign(self, node: ts.Node, _) -> None:
        left, right = field(node, "left"), field(node, "right")
        if left is None or right is None:
            return
        left = _unwrap(left)
        t = self.eval(right)
        if left.type == "identifier":
            self._bind(text(left), left, t.then(_line(node), f"{text(left)} = {short(right, 50)}") if t else None)
            return
        root = left
        while root is not None and root.type in ("member_expression", "subscript_expression"):
            root = _unwrap(field(root, "object"))
        if t is not None and root is not None and root.type == "identifier":
            bk = self._binding_key(text(root), root)
            if bk is not None and bk not in self.state:
                self.state[bk] = t.then(_line(node), f"{short(left, 40)} = {short(right, 40)}", whole=False)

    def _on_loop(self, node: ts.Node, _) -> None:
        left, right = field(node, "left"), field(node, "right")
        t = self.eval(right) if right is not None else None
        if left is None:
            return
        for n, path, at in _pattern_names(left):
            self._bind(n, at, t.then(_line(node), f"for (… of {short(right, 40)})", whole=False) if t else None)

    def _on_each(self, node: ts.Node, m) -> None:
        t = self.eval(m["each.collection"][0])
        callback = m["each.callback"][0]
        method = text(m["each.method"][0])
        params = param_nodes(callback)
        i = _ITEM_PARAM.get(method, 0)
        if i >= len(params):
            return
        for n, path, at in _pattern_names(param_pattern(params[i])):
            bk = self._binding_key(n, field(callback, "body") or callback)
            if bk is None:
                continue
            if t is None:
                self.state.pop(bk, None)
            else:
                self.state[bk] = t.then(_line(node), f".{method}(({short(params[i], 30)}) => …)",
                                        whole=False)

    def _on_call(self, call: ts.Node, _) -> None:
        """Same-file helpers get the taint of their arguments; calls that take a tainted
        value as a statement or an `if` test are recorded as checks on it."""
        fn = field(call, "function")
        args = field(call, "arguments")
        if fn is None or args is None or args.type != "arguments":
            return
        helper = self._local_function(fn)
        validator = self._is_validator(call)
        guard = validator or _statement_or_test(call)
        name = short(fn, 60)
        if helper is None and not validator and self.mode == "request" and self._imported_callee(fn):
            for i, a in enumerate(c for c in args.named_children if c.type != "comment"):
                self._hand(call, i, a, name)
        for i, a in enumerate(args.named_children):
            if helper is not None and not self._seed_properties(helper, i, a, call, name):
                t = self.eval(a)
                if t is not None:
                    self._seed_parameter(helper, i, t.then(_line(call), f"passed to {name}()", check=name))
            if guard:
                for u in _handed_names(a):
                    bk = self._binding_key(text(u), u)
                    t = self.state.get(bk) if bk is not None else None
                    if t is not None:
                        self.state[bk] = replace(t, checks=t.checks + (("schema:" if validator else "") + name,))

    def _imported_callee(self, callee: ts.Node) -> bool:
        """`createUser(…)` or `users.create(…)` bound to an import: a function of another
        file, whose own facts say where its parameters go."""
        root = field(callee, "object") if callee.type == "member_expression" else callee
        if root is None or root.type != "identifier":
            return False
        b = self.resolver.lookup(text(root), root)
        return b is not None and b.kind == "import"

    def _hand(self, call: ts.Node, index: int, arg: ts.Node, name: str) -> None:
        """Record request input handed to another file's function: per property of an
        object-literal argument (`createUser({ email, name })`), else the whole argument."""
        obj = _unwrap(arg)
        parts: list[tuple[str, ts.Node]] = []
        if obj is not None and obj.type == "object":
            for c in obj.named_children:
                if c.type == "pair" and field(c, "key") is not None and field(c, "value") is not None:
                    parts.append((text(field(c, "key")).strip("'\""), field(c, "value")))
                elif c.type == "shorthand_property_identifier":
                    parts.append((text(c), c))
                elif c.type == "spread_element":
                    parts.append(("", c))  # `{ ...body, userId }`: the payload is the argument
        else:
            parts.append(("", arg))
        for prop, value in parts:
            t = self.eval(value)
            if t is None:
                continue
            h = HandedInput(t.source, span(call), index, prop, t.whole and not prop, t.coerced,
                            t.steps + (TaintStep(_line(call), f"passed to {name}()"),), t.function,
                            self._checks(t))
            k = (h.span, index, prop)
            old = self.handed.get(k)
            if old is None or (h.whole, not h.coerced) > (old.whole, not old.coerced):
                self.handed[k] = h

    def _seed_properties(self, fn: ts.Node, index: int, arg: ts.Node, call: ts.Node, name: str) -> bool:
        """`helper({ accountId, status })` into `function helper({ accountId, status })`:
        each destructured name gets the taint of its own property, so a value from the
        session beside one from the request stays clean. False when the argument is no
        plain object literal or the parameter no object pattern (then the whole value counts)."""
        obj = _unwrap(arg)
        params = param_nodes(fn)
        if obj is None or obj.type != "object" or index >= len(params):
            return False
        pattern = param_pattern(params[index])
        if pattern is None or pattern.type != "object_pattern":
            return False
        props: dict[str, ts.Node] = {}
        for c in obj.named_children:
            if c.type == "pair" and field(c, "key") is not None and field(c, "value") is not None:
                props[text(field(c, "key")).strip("'\"")] = field(c, "value")
            elif c.type == "shorthand_property_identifier":
                props[text(c)] = c
            elif c.type != "comment":
                return False  # a spread or a method: the names cannot be matched one by one
        body = field(fn, "body") or fn
        for n, path, at in _pattern_names(pattern):
            value = props.get(path[0]) if path and path[0] != "..." else None
            t = self.eval(value) if value is not None else None
            if t is None:
                continue
            t = t.then(_line(call), f"passed to {name}()", check=name)
            seeded = t if len(path) == 1 else t.then(_line(at), f"{{ {n} }}", whole=False)
            bk = self._binding_key(n, body)
            old = self.seeds.get(bk) if bk is not None else None
            if bk is not None and (old is None or seeded.rank() > old.rank()):
                self.seeds[bk] = seeded
        return True

    def _seed_parameter(self, fn: ts.Node, index: int, t: Taint) -> None:
        params = param_nodes(fn)
        if index >= len(params):
            return
        body = field(fn, "body") or fn
        for n, path, at in _pattern_names(param_pattern(params[index])):
            bk = self._binding_key(n, body)
            if bk is None:
                continue
            seeded = t if not path or path == ("...",) else t.then(_line(at), f"{{ {n} }}", whole=False)
            old = self.seeds.get(bk)
            if old is None or seeded.rank() > old.rank():
                self.seeds[bk] = seeded

    def _local_function(self, callee: ts.Node) -> ts.Node | None:
        if callee.type != "identifier":
            return None
        b = self.resolver.lookup(text(callee), callee)
        if b is None:
            return None
        if b.kind == "function":
            return b.node
        if b.kind == "var" and not b.path:
            v = _unwrap(b.value)
            if v is not None and v.type in FUNCTION_TYPES:
                return v
        return None

    def _is_validator(self, call: ts.Node) -> bool:
        fn = field(call, "function")
        if fn is None or fn.type != "member_expression":
            return False
        method = text(field(fn, "property"))
        if method not in _VALIDATE_METHODS and method not in _VALIDATE_METHODS_YUP_JOI:
            return False
        origin, module = schema_origin(self.resolver, field(fn, "object"))
        if method in _VALIDATE_METHODS_YUP_JOI:
            return origin == "import" and module in ("yup", "joi") or origin == "local" and self.schema_file
        if origin == "zod":
            return True
        if origin == "import":
            return module not in _PARSERS
        return origin == "local" and self.schema_file

    # -- sinks ----------------------------------------------------------------------
    def _on_sink(self, node: ts.Node, extra) -> None:
        index, cand = extra
        args = field(node, "arguments")
        first = next((c for c in args.named_children if c.type != "comment"), None) \
            if args is not None and args.type == "arguments" else None
        if first is None:
            return
        writes = cand.operation in WRITE_OPS
        obj = _unwrap(first)
        if obj is not None and obj.type == "identifier":
            b = self.resolver.lookup(text(obj), obj)
            value = _unwrap(b.value) if b is not None and b.kind == "var" and not b.path else None
            if value is not None and value.type == "object" and key(obj) not in self.sources \
                    and (b is None or (key(b.node), b.name) not in self.state):
                obj = value  # `const args = { where: … }; prisma.x.findMany(args)`
        if obj is None or obj.type != "object":
            t = self.eval(first)
            if t is not None:
                self._flow(index, cand, node, "*", (), t, writes and t.whole)
            return
        for child in obj.named_children:
            if child.type == "pair":
                k = text(field(child, "key")).strip("'\"")
                v = field(child, "value")
            elif child.type == "shorthand_property_identifier":
                k, v = text(child), child
            elif child.type == "spread_element":
                t = self.eval(child)
                if t is not None:
                    self._flow(index, cand, node, "...", (), t, writes and t.whole)
                continue
            else:
                continue
            if v is None:
                continue
            t = self.eval(v)
            if t is None:
                continue
            fields = ()
            vu = _unwrap(v)
            if vu is not None and vu.type == "object":
                fields = tuple(_key_of(c) for c in vu.named_children
                               if c.type in ("pair", "shorthand_property_identifier") and self.eval(c) is not None)
            self._flow(index, cand, node, k, fields, t, writes and k in _WRITE_KEYS and t.whole)

    def _checks(self, t: Taint) -> tuple[str, ...]:
        """The checks on a value, and `procedure:<builder>` for tRPC input of a procedure
        built on an imported builder that may declare its `.input()`."""
        base = self.unseen_base.get(t.function) if t.source == "trpc-input" else None
        return t.checks + ((f"procedure:{base}",) if base else ())

    def _flow(self, index: int, cand: PrismaCallCandidate, node: ts.Node, argument: str,
              fields: tuple[str, ...], t: Taint, mass: bool) -> None:
        where = "the whole argument" if argument == "*" else f"`{argument}`"
        steps = t.steps + (TaintStep(_line(node), f"{cand.receiver}.{cand.model}.{cand.operation}({where})"),)
        flow = TaintFlow(t.source, index, argument, tuple(f for f in fields if f), mass, t.coerced, steps,
                         t.function, self._checks(t))
        # Each parameter is its own source in `params` mode: keep them apart per sink.
        k = (index, argument) if self.mode == "request" else (index, argument, t.source)
        old = self.flows.get(k)
        if old is None or (flow.mass_assignment, not flow.coerced) > (old.mass_assignment, not old.coerced):
            self.flows[k] = flow

    # -- expressions --------------------------------------------------------------------
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
            if t in ("identifier", "shorthand_property_identifier"):
                bk = self._binding_key(text(node), node)
                hit = self.state.get(bk) if bk is not None else None
                if hit is not None:
                    found.append(replace(hit, whole=hit.whole and whole and t == "identifier",
                                         coerced=hit.coerced or coerced))
                continue
            if t in TRANSPARENT or t in ("await_expression", "spread_element", "sequence_expression"):
                kids = node.named_children[-1:] if t == "sequence_expression" else node.named_children
                stack.extend((c, whole, coerced) for c in kids)
            elif t == "member_expression":
                hit = self._member_source(node)
                if hit is not None:
                    found.append(replace(hit, coerced=coerced))
                    continue
                obj = field(node, "object")
                if obj is not None:
                    stack.append((obj, False, coerced))
            elif t == "subscript_expression":
                obj = field(node, "object")
                if obj is not None:
                    stack.append((obj, False, coerced))
            elif t == "call_expression":
                stack.extend(self._call_operands(node, coerced))
            elif t == "new_expression":
                cls = text(field(node, "constructor"))
                args = field(node, "arguments")
                if args is not None and (cls in _NEW_COERCE or cls in _NEW_KEEP):
                    stack.extend((a, False, coerced or cls in _NEW_COERCE) for a in args.named_children)
            elif t in ("template_string", "template_substitution"):
                stack.extend((c, False, coerced) for c in node.named_children)
            elif t == "binary_expression":
                op = text(field(node, "operator"))
                if op in ("??", "||", "&&"):
                    stack.extend((c, whole, coerced) for c in (field(node, "left"), field(node, "right")) if c)
                elif op == "+":
                    stack.extend((c, False, coerced) for c in (field(node, "left"), field(node, "right")) if c)
                elif op in ("-", "*", "/", "%", "**"):
                    stack.extend((c, False, True) for c in (field(node, "left"), field(node, "right")) if c)
            elif t == "ternary_expression":
                stack.extend((c, whole, coerced) for c in (field(node, "consequence"), field(node, "alternative")) if c)
            elif t == "unary_expression":
                if text(field(node, "operator")) in ("-", "+") and node.named_children:
                    stack.append((node.named_children[-1], False, True))
            elif t == "object":
                for c in node.named_children:
                    if c.type == "spread_element":
                        stack.append((c, whole, coerced))
                    elif c.type == "pair" and field(c, "value") is not None:
                        stack.append((field(c, "value"), False, coerced))
                    elif c.type == "shorthand_property_identifier":
                        stack.append((c, False, coerced))
            elif t == "array":
                stack.extend((c, False, coerced) for c in node.named_children)
            elif t == "pair":
                v = field(node, "value")
                if v is not None:
                    stack.append((v, False, coerced))
        return _best(found)

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
        if prop == "searchParams" and (member_chain(obj) or "").endswith("nextUrl"):
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
            if self._local_function(fn) is not None:
                return [(a, False, coerced) for a in arg_nodes]
            return []
        if fn.type == "member_expression":
            method = text(field(fn, "property"))
            if method in _PREDICATES:
                return []
            obj = field(fn, "object")
            return [(obj, False, coerced)] if obj is not None else []
        return []


def _unwrap(node: ts.Node | None) -> ts.Node | None:
    while node is not None and (node.type in TRANSPARENT or node.type == "await_expression"):
        node = node.named_children[0] if node.named_children else None
    return node


def _handed_names(arg: ts.Node) -> list[ts.Node]:
    """Identifiers an argument hands over: `body`, `{ req, rawBody }`, `{ body: raw }`, `[id, ZId]`."""
    u = _unwrap(arg)
    if u is None:
        return []
    if u.type == "identifier":
        return [u]
    if u.type not in ("object", "array"):
        return []
    out = []
    for c in u.named_children:  # `{ req, rawBody }`, `{ body: raw }`, `[id, ZId]`
        v = _unwrap(field(c, "value")) if c.type == "pair" else _unwrap(c)
        if v is not None and v.type in ("identifier", "shorthand_property_identifier"):
            out.append(v)
    return out


def _key_of(node: ts.Node) -> str:
    if node.type == "pair":
        return text(field(node, "key")).strip("'\"")
    return text(node)


def _statement_or_test(call: ts.Node) -> bool:
    """`validate(body)` as a statement, a call in an `if` test, or one whose verdict is kept
    (`const verdict = validateSignature({ body })`, tested later): a check, not a use."""
    n = call.parent
    while n is not None and n.type in ("await_expression", "unary_expression", "non_null_expression",
                                       "as_expression"):
        n = n.parent
    if n is None:
        return False
    if n.type in ("expression_statement", "variable_declarator"):
        return True
    return n.type == "parenthesized_expression" and n.parent is not None and n.parent.type == "if_statement"


def extract_taint(pf: ParsedFile, functions: tuple[FunctionFact, ...], inputs: tuple[InputSource, ...],
                  calls: tuple[PrismaCallCandidate, ...], querying: frozenset[int] = frozenset(),
                  ) -> tuple[tuple[TaintFlow, ...], tuple[HandedInput, ...], tuple[ParamFlow, ...]]:
    """Same-file flows, request input handed to other files' functions, and where the
    parameters of this file's exported functions go (only those in `querying`: they run
    a model operation, directly or through same-file calls)."""
    request = TaintTracker(pf, functions, inputs, calls)
    flows = request.run()
    handed = tuple(sorted(request.handed.values(), key=lambda h: (h.span.line, h.span.column, h.arg, h.key)))
    params: tuple[ParamFlow, ...] = ()
    if any(f.id in querying and f.exported_as and f.params for f in functions):
        tracker = TaintTracker(pf, functions, (), calls, mode="params", querying=querying)
        out = []
        for flow in tracker.run():
            _, index, prop = flow.source.split(":", 2)
            out.append(ParamFlow(flow.function, int(index), prop, replace(flow, source="param")))
        params = tuple(out)
    return flows, handed, params
