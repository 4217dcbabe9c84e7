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

from dataclasses import replace

import tree_sitter as ts

from .model import FunctionFact, HandedInput, InputSource, ParamFlow, PrismaCallCandidate, TaintFlow, TaintStep
from .nodes import field, key, member_chain, param_nodes, param_pattern, short, text
from .operations import UNIQUE_LOOKUP_OPS, UNSAFE_RAW_METHODS, WRITE_OPS
from .parsed import ParsedFile
from .taint_calls import TaintCalls, _awaited_on_every_path
from .taint_sources import TaintSources
from .taint_values import (  # noqa: F401 (BODY_SOURCES: read by rules)
    _ITEM_PARAM, _ROUNDS, _SCHEMA_MODULES, _WHOLE_SOURCES, _WRITE_KEYS, BODY_SOURCES, Taint, TaintValues, _best,
    _STRING_FILTERS, _key_of, _line, _pattern_names, _unwrap,
)

# The start of an import of a schema library, as a file quotes it.
_QUOTED_SCHEMA_MODULES = tuple(q + m.encode() for q in (b"'", b'"', b"`") for m in _SCHEMA_MODULES)


class TaintTracker(TaintSources, TaintCalls, TaintValues):
    def __init__(self, pf: ParsedFile, functions: tuple[FunctionFact, ...],
                 inputs: tuple[InputSource, ...], calls: tuple[PrismaCallCandidate, ...],
                 mode: str = "request", querying: frozenset[int] = frozenset(),
                 handlers: frozenset[int] = frozenset(), members: frozenset[int] = frozenset()):
        # mode `request`: request input as the sources; `params`: the parameters of exported
        # functions, each its own source `param:<index>:<key>` (the callee half of a
        # cross-file flow, joined by the rule).
        self.mode = mode
        self.querying = querying  # params mode: the functions worth seeding
        # Exported functions another module may register as handlers: seeded as http-handler
        # entry points are; their flows count only where the index finds the registration.
        self.handlers = handlers
        # Functions other modules reach as members of an export (`export default { createUser }`).
        self.members = members
        self.handed: dict[tuple, HandedInput] = {}
        self.pf = pf
        root = self.root = pf.root
        self.resolver = pf.resolver
        self.functions = functions
        self.function_nodes = pf.function_nodes
        self.function_ids = pf.function_ids
        self.inputs = inputs
        self.calls = calls
        self._prisma_at = {(c.span.line, c.span.column) for c in calls}  # where each Prisma call starts
        self.fid = pf.fid
        self.sources: dict[int, tuple[str, str]] = {}      # node key -> (kind, text)
        self.containers: dict[tuple, dict[str, str]] = {}  # binding -> {property: source kind}
        self.unseen_base: dict[int, str] = {}  # tRPC procedure id -> the imported builder it extends
        self.seeds: dict[tuple, Taint] = {}
        self.state: dict[tuple, Taint] = {}
        self.member_checks: dict[tuple, str] = {}  # (binding, property) -> the first check of that member
        self.copies: dict[tuple, tuple] = {}  # binding -> the binding it is a plain copy of (`b = a`)
        self.flows: dict[tuple[int, str], TaintFlow] = {}
        self._where_shape: tuple[tuple[str, ...], bool] = ((), False)
        # A file that never quotes a schema library's name imports none (no import is read).
        self.schema_file = any(q in pf.source for q in _QUOTED_SCHEMA_MODULES) and any(
            field(s, "source") is not None and text(field(s, "source")).strip("'\"`").startswith(_SCHEMA_MODULES)
            for s in root.named_children if s.type == "import_statement")

    # -- public ---------------------------------------------------------------
    def run(self) -> tuple[TaintFlow, ...]:
        if self.mode == "params":
            self._exported_parameter_sources()
        else:
            self._input_sources()
            self._parameter_sources()
        if not self.sources and not self.seeds and not self.containers:
            return ()
        events = self._events()
        for _ in range(_ROUNDS):
            before = dict(self.seeds)
            self.state = dict(self.seeds)
            self.copies = {}
            for _, kind, node, extra in events:
                getattr(self, f"_on_{kind}")(node, extra)
            if self.seeds == before:
                break
        return tuple(sorted(self.flows.values(), key=lambda f: (f.sink, f.argument)))

    # -- sources ----------------------------------------------------------------
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
            elif "guard" in m:
                node = m["guard"][0]
                events.append((node.end_byte, "guard", node, None))
        calls = set()
        for _, m in self.pf.matches("call_sites"):
            call = m["callsite"][0]
            calls.add((call.start_byte, call.end_byte))
            events.append((call.end_byte, "call", call, None))
        for _, m in self.pf.matches("validations"):
            # `z.object({…}).parse(x)`: a schema built in place, whose call the call-site
            # query (named receivers only) does not capture.
            call = m["validate"][0] if "validate" in m else m["hmac_update"][0] if "hmac_update" in m else None
            if call is not None and (call.start_byte, call.end_byte) not in calls:
                calls.add((call.start_byte, call.end_byte))
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

    def _bind(self, name: str, at: ts.Node, taint: Taint | None, copy_of: ts.Node | None = None) -> None:
        bk = self._binding_key(name, at)
        if bk is None:
            return
        self._note_copy(bk, taint, copy_of)
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
            self._bind(text(name), name, t.then(_line(node), f"{text(name)} = {short(value, 50)}") if t else None,
                       value)
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
            self._bind(text(left), left, t.then(_line(node), f"{text(left)} = {short(right, 50)}") if t else None,
                       right)
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

    def _on_guard(self, test: ts.Node, _) -> None:
        """An `if` test: what it checks (taint_calls._guards_in_test)."""
        self._guards_in_test(test)

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
                tainted = [c for c in vu.named_children
                           if c.type in ("pair", "shorthand_property_identifier") and self.eval(c) is not None]
                fields = tuple(_key_of(c) for c in tainted)
                if k == "where":
                    self._where_shape = self._filter_values(tainted)
            self._flow(index, cand, node, k, fields, t, writes and k in _WRITE_KEYS and t.whole)
            self._where_shape = ((), False)
        if cand.operation in UNIQUE_LOOKUP_OPS and _awaited_on_every_path(node):
            self._looked_up(obj, node)

    def _filter_values(self, tainted: list[ts.Node]) -> tuple[tuple[str, ...], bool]:
        """The tainted values of a `where` object's fields, and whether each one sits
        under a string-only filter (`name: { contains: q }`), which Prisma rejects
        anything but a string for."""
        values, string_ops = [], bool(tainted)
        for c in tainted:
            v = field(c, "value") if c.type == "pair" else c
            vu = _unwrap(v)
            if vu is not None and vu.type == "object":
                string_ops = string_ops and self._operands_only(vu)
                continue
            string_ops = False
            if vu is not None and vu.type in ("identifier", "member_expression", "shorthand_property_identifier"):
                values.append(text(vu))
        return tuple(values), string_ops

    def _operands_only(self, obj: ts.Node, depth: int = 0) -> bool:
        """Every tainted value below is an operator's operand (`{ some: { id: { in: ids } } }`)."""
        inner = [p for p in obj.named_children
                 if p.type in ("pair", "shorthand_property_identifier") and self.eval(p) is not None]
        if not inner or depth > 4:
            return False
        for p in inner:
            if _key_of(p) in _STRING_FILTERS:
                continue
            v = _unwrap(field(p, "value")) if p.type == "pair" else None
            if v is None or v.type != "object" or not self._operands_only(v, depth + 1):
                return False
        return True

    def _checks(self, t: Taint) -> tuple[str, ...]:
        """The checks on a value, and `procedure:<builder>` for tRPC input of a procedure
        built on an imported builder that may declare its `.input()`."""
        base = self.unseen_base.get(t.function) if t.source == "trpc-input" else None
        return t.checks + ((f"procedure:{base}",) if base else ())

    def _flow(self, index: int, cand: PrismaCallCandidate, node: ts.Node, argument: str,
              fields: tuple[str, ...], t: Taint, mass: bool) -> None:
        where = "the whole argument" if argument == "*" else f"`{argument}`"
        steps = t.steps + (TaintStep(_line(node), f"{cand.receiver}.{cand.model}.{cand.operation}({where})"),)
        values, string_ops = self._where_shape if argument == "where" else ((), False)
        flow = TaintFlow(t.source, index, argument, tuple(f for f in fields if f), mass, t.coerced, steps,
                         t.function, self._checks(t), values, string_ops)
        # Each parameter is its own source in `params` mode: keep them apart per sink.
        k = (index, argument) if self.mode == "request" else (index, argument, t.source)
        old = self.flows.get(k)
        # (The strongest proof is kept: a mass assignment, then a value not coerced, then one no
        # check has seen; another flow's allow-list test proves nothing about it.)
        if old is None or (flow.mass_assignment, not flow.coerced, not flow.checks) \
                > (old.mass_assignment, not old.coerced, not old.checks):
            self.flows[k] = flow

    # -- expressions --------------------------------------------------------------------


def extract_taint(pf: ParsedFile, functions: tuple[FunctionFact, ...], inputs: tuple[InputSource, ...],
                  calls: tuple[PrismaCallCandidate, ...], querying: frozenset[int] = frozenset(),
                  handlers: frozenset[int] = frozenset(), members: frozenset[int] = frozenset(),
                  ) -> tuple[tuple[TaintFlow, ...], tuple[HandedInput, ...], tuple[ParamFlow, ...]]:
    """Same-file flows, request input handed to other files' functions, and where the
    parameters of this file's exported functions go (only those in `querying`: they run
    a model operation, directly or through same-file calls). `handlers`: exported functions
    seeded as http-handler entry points (another module may register them); `members`: functions
    exported as members of an object or class, whose parameters are followed like exported ones'."""
    request = TaintTracker(pf, functions, inputs, calls, handlers=handlers)
    flows = request.run()
    handed = tuple(sorted(request.handed.values(), key=lambda h: (h.span.line, h.span.column, h.arg, h.key)))
    params: tuple[ParamFlow, ...] = ()
    if any(f.id in querying and (f.exported_as or f.id in members) and f.params for f in functions):
        tracker = TaintTracker(pf, functions, (), calls, mode="params", querying=querying, members=members)
        out = []
        for flow in tracker.run():
            _, index, prop = flow.source.split(":", 2)
            out.append(ParamFlow(flow.function, int(index), prop, replace(flow, source="param")))
        params = tuple(out)
    return flows, handed, params
