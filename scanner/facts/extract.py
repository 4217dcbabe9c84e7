"""Build one file's facts from its syntax tree: queries find the shapes, this
module decides what they mean. This is the only Prisma-call recogniser."""

from __future__ import annotations

import re

import tree_sitter as ts

from .. import parse as P
from .args import object_entries, raw_summary, summarise_args
from .comments import extract_suppressions
from .context import ContextBuilder, literal_len
from .entries import (
    ENTRY_KINDS, REMIX_EXPORTS, decorated_method_kind, handler_arguments, procedure_input, registered_handler_call,
    under_app_routes,
)
from .fields import extract_field_uses
from .handlers import summarise_catch_callback, summarise_catch_clause
from .model import (
    HTTP_METHODS, MODEL_OPS, NOT_CLIENT, RAW_METHODS, TRANSACTION_METHOD, CallSite, CatchFact,
    ClientCreation, ClientRef, ExportRef, FileFacts, FunctionFact, GivenArguments, Import, InputSource,
    PrismaCallCandidate, ShapedCall, Span, StarExport,
)
from .narrowing import raw_fragments, with_results
from .nodes import (
    FUNCTION_TYPES, field, is_async, key, param_nodes, param_pattern, param_type, short, span, text, unwrap,
)
from .client_types import class_base
from .scopes import ClientConfig, Resolver, _returned_expressions, pattern_bindings
from .taint import extract_taint
from .middleware import extract_middlewares
from .validation import extract_validations

_FUNCTION_KIND = {
    "function_declaration": "declaration", "generator_function_declaration": "declaration",
    "function_expression": "expression", "function": "expression",
    "arrow_function": "arrow", "method_definition": "method",
}
# Handler wrappers nest a few deep (`withAuth(withRateLimit(fn))`); the bound also
# stops alias cycles and machine-made nesting from exhausting the stack.
_MAX_WRAPPERS = 32
_LOG_OBJECTS = ("console", "logger", "log", "this.logger", "this.log")


# Modules whose request and response types mark a function as a request handler.
_SERVER_FRAMEWORKS = frozenset({"express", "fastify", "express-serve-static-core"})


def _enclosing(node: ts.Node, types) -> ts.Node | None:
    n = node.parent
    while n is not None and n.type not in types:
        n = n.parent
    return n


_NO_VALUE = ("undefined", "null")


def _given(args: ts.Node | None) -> GivenArguments | None:
    if args is None or args.type != "arguments":
        return None  # a tagged template
    items = [a for a in args.named_children if a.type != "comment"]
    if any(a.type == "spread_element" for a in items):
        return None
    keys = []
    for i, a in enumerate(items):
        if a.type == "object":
            entries = list(object_entries(a))
            if not any(spread for _, _, spread in entries):
                keys.append((i, tuple(k for k, v, _ in entries if v is None or unwrap(v) is None
                                      or unwrap(v).type not in _NO_VALUE)))
    return GivenArguments(len(items), tuple(i for i, a in enumerate(items) if a.type in _NO_VALUE),
                          tuple(keys))


def _param_names(fn: ts.Node) -> tuple[tuple[str, int, str], ...]:
    out = []
    for i, p in enumerate(param_nodes(fn)):
        pattern = param_pattern(p)
        if pattern is None:
            continue
        for name, path, _ in pattern_bindings(pattern):
            if not path:
                out.append((name, i, ""))
            elif len(path) == 1 and pattern.type == "object_pattern" and path[0] != "...":
                out.append((name, i, path[0]))
    return tuple(out)


def _querying_functions(functions, calls, call_sites) -> frozenset[int]:
    """Functions that run a model operation themselves, in a callback of theirs, or through
    same-file functions they call: the only ones whose parameters can reach a sink here."""
    parent = {f.id: f.parent for f in functions}

    def up(fid: int):
        while fid >= 0:
            yield fid
            fid = parent.get(fid, -1)

    out = {fid for c in calls if c.model is not None for fid in up(c.ctx.function)}
    changed = True
    while changed:
        changed = False
        for site in call_sites:
            if site.local_function in out:
                for fid in up(site.ctx.function):
                    if fid not in out:
                        out.add(fid)
                        changed = True
    return frozenset(out)


def _stored(call: ts.Node) -> bool:
    """The call's value is kept on a member: `Cls.instance = make()`, `g.prisma ??= make()`."""
    n = call.parent
    while n is not None and n.type in ("await_expression", "parenthesized_expression", "as_expression",
                                       "non_null_expression"):
        n = n.parent
    if n is None or n.type not in ("assignment_expression", "augmented_assignment_expression"):
        return False
    left = field(n, "left")
    return left is not None and left.type in ("member_expression", "subscript_expression")


def _statement_of(node: ts.Node) -> ts.Node:
    """The statement an expression belongs to."""
    n = node
    while n.parent is not None and n.parent.type not in ("statement_block", "program", "switch_case",
                                                          "switch_default") \
            and n.type not in FUNCTION_TYPES:
        n = n.parent
    return n


# Comments addressed to tools, not readers: lint and type-check directives, coverage
# markers, suppressions, and dbaudit's own fixture annotations.
_TOOL_COMMENT = re.compile(r"^\s*(?://|/\*)\s*(?:eslint|@ts-|prettier|istanbul|c8\b|biome-ignore|"
                           r"dbaudit-ignore|ruleid|todoruleid|ok:|todook|prisma-call|not-prisma-call)")


def _stated_intent(stmt: ts.Node, block: ts.Node | None) -> str:
    """A comment on the line above `stmt`, or opening its try block: why the author lets
    failures pass (`// best effort: a missed timestamp is harmless`)."""
    before = stmt.prev_sibling
    if before is not None and before.type == "comment" and before.end_point[0] >= stmt.start_point[0] - 1 \
            and not _TOOL_COMMENT.match(text(before)):
        return short(before, 160)
    first = block.named_children[0] if block is not None and block.named_children else None
    if first is not None and first.type == "comment" and not _TOOL_COMMENT.match(text(first)):
        return short(first, 160)
    return ""


def _directives(root: ts.Node) -> tuple[str, ...]:
    out = []
    for stmt in root.named_children:
        if stmt.type == "comment":
            continue
        if stmt.type == "expression_statement" and stmt.named_children \
                and stmt.named_children[0].type == "string":
            out.append(text(stmt.named_children[0]).strip("'\"`"))
            continue
        break
    return tuple(out)


def _body_directives(fn: ts.Node) -> tuple[str, ...]:
    body = field(fn, "body")
    return _directives(body) if body is not None and body.type == "statement_block" else ()


class FileExtractor:
    def __init__(self, path: str, role: str, tree: ts.Tree, grammar: str, client_config: ClientConfig):
        self.path = path
        self.role = role
        self.tree = tree
        self.root = tree.root_node
        self.grammar = grammar
        self.cfg = client_config
        self.resolver = Resolver(self.root, client_config)
        self.resolver.return_values = lambda: self._caps("returns").get("return.value", [])
        self.function_nodes: list[ts.Node] = []
        self.function_ids: dict[int, int] = {}
        self.unresolved: list[ShapedCall] = []

    def _caps(self, name: str) -> dict[str, list[ts.Node]]:
        return P.captures(self.grammar, name, self.root)

    def _matches(self, name: str):
        return P.matches(self.grammar, name, self.root)

    def fid(self, node: ts.Node | None) -> int:
        fn = _enclosing(node, FUNCTION_TYPES) if node is not None else None
        return -1 if fn is None else self.function_ids.get(key(fn), -1)

    # -- driver ------------------------------------------------------------------
    def extract(self) -> FileFacts:
        fn_nodes = sorted(self._caps("functions").get("function", []), key=lambda n: (n.start_byte, -n.end_byte))
        self.function_nodes = fn_nodes
        self.function_ids = {key(n): i for i, n in enumerate(fn_nodes)}
        self.resolver.function_ids = self.function_ids
        directives = _directives(self.root)

        tx_calls, tx_arguments = self._transaction_calls()
        ctx = ContextBuilder(self.resolver, self.function_ids, tx_arguments)
        calls = self._prisma_calls(ctx)
        imports = self._imports()
        exports, stars = self._exports()
        functions = self._functions(directives, exports, tx_calls)
        role = self.role
        if "use server" in directives and role in ("lib", "component"):
            role = "server-action"
        elif role == "lib":
            # A file of tRPC procedures is a `trpc-router`, one of Express handlers an `http-router`, …
            role = next((ENTRY_KINDS[f.entry_kind].role for f in functions
                         if f.entry_kind and ENTRY_KINDS[f.entry_kind].role), role)
        line_count = self.root.end_point[0] + 1
        inputs = self._inputs()
        call_sites = self._call_sites(ctx)
        taint, handed, param_flows = extract_taint(self.root, self.grammar, self.resolver, functions,
                                                   self.function_nodes, inputs, calls, self.fid,
                                                   _querying_functions(functions, calls, call_sites))
        return FileFacts(
            path=self.path, role=role, grammar=self.grammar, directives=directives,
            imports=imports, exports=exports, star_exports=stars, functions=functions,
            prisma_calls=calls, unresolved_calls=tuple(self.unresolved), call_sites=call_sites,
            clients_created=self._clients_created(), catches=self._catches(),
            inputs=inputs, line_count=line_count,
            field_uses=extract_field_uses(self.root, self.grammar, self.resolver, calls),
            taint=taint, handed_inputs=handed, param_flows=param_flows,
            raw_fragments=raw_fragments(self.root, self.grammar, self.resolver, self.fid),
            const_arrays=self._const_arrays(), input_builders=self._input_builders(exports),
            validations=extract_validations(self.root, self.grammar, self.resolver, self.function_ids),
            middlewares=extract_middlewares(self._caps("entry_points").get("registration", []), self.resolver,
                                            self.function_ids, self._function_of_value),
            suppressions=extract_suppressions(self.root, self.grammar, self.root.text or b""),
            parse_errors=tuple((p.line, p.column, p.message) for p in P.parse_problems(self.tree)),
            notes=self._notes(),
        )

    def _notes(self) -> tuple[str, ...]:
        shared = P.SharedMatches._active
        if shared is not None and shared.incomplete:
            return (("parse", f"more than {P.MATCH_LIMIT:,} patterns open at once (generated code?): "
                     "some were not matched, so findings in this file may be missing"),)
        return ()

    # -- Prisma operations -----------------------------------------------------------
    def _transaction_calls(self):
        """$transaction calls on clients, and per function the names passed to them."""
        out = []
        names: dict[int, set[str]] = {}
        for _, m in self._matches("prisma_calls"):
            if "client_call" not in m or text(m["client_call.method"][0]) != TRANSACTION_METHOD:
                continue
            call = m["client_call"][0]
            ref = self.resolver.classify(m["client_call.receiver"][0])
            if ref.kind in ("none", "unknown"):
                continue
            out.append((call, ref))
            fn = _enclosing(call, FUNCTION_TYPES)
            bucket = names.setdefault(key(fn) if fn is not None else -1, set())
            args = m["client_call.args"][0]
            # Follow arrays composed of other arrays: `ops = [...removals, ...additions]`.
            pending = [unwrap(a) for a in args.named_children]
            while pending and len(bucket) < 64:
                a = pending.pop()
                if a is None:
                    continue
                if a.type == "spread_element":
                    pending.extend(unwrap(c) for c in a.named_children)
                elif a.type == "array":
                    pending.extend(unwrap(c) for c in a.named_children)
                elif a.type == "identifier" and text(a) not in bucket:
                    bucket.add(text(a))
                    b = self.resolver.lookup(text(a), a)
                    if b is not None and b.kind == "var" and not b.path:
                        value = unwrap(b.value)
                        if value is not None and value.type == "array":
                            pending.append(value)
        return out, names

    def _receiver_root(self, receiver: ts.Node) -> ts.Node:
        n = unwrap(receiver)
        while n is not None and n.type == "member_expression":
            n = unwrap(field(n, "object"))
        return n if n is not None else receiver

    def _prisma_calls(self, ctx: ContextBuilder) -> tuple[PrismaCallCandidate, ...]:
        """The candidates; receivers this file cannot place go to `self.unresolved`."""
        out = []
        for _, m in self._matches("prisma_calls"):
            if "call" in m:
                op = text(m["call.operation"][0])
                if op not in MODEL_OPS:
                    continue
                node, receiver = m["call"][0], m["call.receiver"][0]
                model = text(m["call.model"][0])
                if model.startswith("$"):
                    continue
                args = summarise_args(m["call.args"][0])
            else:
                op = text(m["client_call.method"][0])
                if op not in RAW_METHODS and op != TRANSACTION_METHOD:
                    continue
                node, receiver, model = m["client_call"][0], m["client_call.receiver"][0], None
                args = raw_summary(m["client_call.args"][0], self.resolver) if op in RAW_METHODS \
                    else summarise_args(None)
            ref = self.resolver.classify(receiver)
            if ref.kind == "unknown":
                self.unresolved.append(ShapedCall(short(receiver, 80), model, op, span(node)))
                continue
            if ref.kind == "none":
                continue
            out.append((node, PrismaCallCandidate(
                receiver=short(receiver, 80), ref=ref, model=model, operation=op, span=span(node),
                args=args, ctx=ctx.build(node, self._receiver_root(receiver)), text=short(node, 240),
            )))
        calls = with_results(self.root, self.grammar, self.resolver, out)
        calls.sort(key=lambda c: (c.span.line, c.span.column))
        return tuple(calls)

    # -- modules -----------------------------------------------------------------------
    def _imports(self) -> tuple[Import, ...]:
        out = []
        for _, m in self._matches("imports"):
            if "import" in m:
                stmt = m["import"][0]
                module = text(m["import.source"][0])
                type_only = any(c.type == "type" for c in stmt.children)
                line = stmt.start_point[0] + 1
                for clause in stmt.named_children:
                    if clause.type != "import_clause":
                        continue
                    for c in clause.named_children:
                        if c.type == "identifier":
                            out.append(Import(text(c), module, "default", line, type_only))
                        elif c.type == "namespace_import":
                            for x in c.named_children:
                                if x.type == "identifier":
                                    out.append(Import(text(x), module, "*", line, type_only))
                        elif c.type == "named_imports":
                            for spec in c.named_children:
                                if spec.type == "import_specifier":
                                    name, alias = field(spec, "name"), field(spec, "alias")
                                    spec_type = type_only or any(x.type == "type" for x in spec.children)
                                    out.append(Import(text(alias or name), module, text(name), line, spec_type))
                if not any(c.type == "import_clause" for c in stmt.named_children):
                    out.append(Import("", module, "", line))  # side-effect import
            elif "require" in m:
                name = m["require.name"][0]
                module = text(m["require.source"][0])
                line = name.start_point[0] + 1
                if name.type == "identifier":
                    out.append(Import(text(name), module, "*", line))
                else:
                    for spec in name.named_children:
                        if spec.type == "shorthand_property_identifier_pattern":
                            out.append(Import(text(spec), module, text(spec), line))
                        elif spec.type == "pair_pattern":
                            out.append(Import(text(field(spec, "value")), module,
                                              text(field(spec, "key")), line))
        return tuple(out)

    def _object_members(self, obj: ts.Node | None) -> tuple[tuple[str, ClientRef], ...]:
        obj = unwrap(obj)
        if obj is None or obj.type != "object":
            return ()
        out = []
        for c in obj.named_children:
            if c.type == "pair":
                ref = self.resolver.classify(field(c, "value"))
                name = text(field(c, "key")).strip("'\"")
            elif c.type == "shorthand_property_identifier":
                b = self.resolver.lookup(text(c), c)
                ref = self.resolver.classify_binding(b) if b is not None else NOT_CLIENT
                name = text(c)
            else:
                continue
            if ref.kind in ("client", "import"):
                out.append((name, ref))
        return tuple(out)

    def _export_value(self, exported: str, value: ts.Node | None, line: int,
                      declarator: ts.Node | None = None) -> ExportRef:
        """`declarator`: the `const x: T = …` it comes from, whose written type counts."""
        if declarator is not None and field(declarator, "type") is not None:
            b = self.resolver.lookup(exported, declarator)
            if b is not None and b.kind == "var" and not b.path:
                typed = self.resolver.classify_binding(b)
                if typed.kind in ("client", "import"):
                    return ExportRef(exported, typed, (), self._function_of_value(unwrap(value)), line)
        value_u = unwrap(value)
        if value_u is not None and value_u.type == "identifier":
            b = self.resolver.lookup(text(value_u), value_u)
            if b is not None and b.kind == "class":
                return self._class_export(exported, b.node, line)
            if b is not None and b.kind == "function":
                return self._function_export(exported, b.node, line)
        # `unknown` stays: the index may still trust a configured name for it.
        ref = self.resolver.classify(value_u) if value_u is not None else NOT_CLIENT
        members = self._object_members(self.resolver.object_literal(value_u))
        fid = self._function_of_value(value_u)
        fn = value_u
        if fn is not None and fn.type == "identifier":  # `export default prisma`, a `const prisma = () => …`
            b = self.resolver.lookup(text(fn), fn)
            fn = unwrap(b.value) if b is not None and b.kind == "var" and not b.path else None
        if fn is not None and fn.type in FUNCTION_TYPES:
            members += self._returned_members(fn)
        return ExportRef(exported, ref, members, fid, line)

    def _function_export(self, exported: str, fn: ts.Node, line: int) -> ExportRef:
        return ExportRef(exported, NOT_CLIENT, self._returned_members(fn), self.function_ids.get(key(fn)), line)

    def _returned_members(self, fn: ts.Node) -> tuple[tuple[str, ClientRef], ...]:
        """A factory's result as export members: `()` for a client it returns, `().name`
        for each client of an object it returns (`return { read, write }`)."""
        r = self.resolver.types.classify(field(fn, "return_type"))
        if r.kind in ("client", "import"):
            return (("()", r),)
        out: list[tuple[str, ClientRef]] = []
        for result in self.resolver.returned_expressions(fn):
            r = self.resolver.classify(result)
            if r.kind in ("client", "import"):
                return (("()", r),)
            out += [("()." + name, m) for name, m in
                    self._object_members(self.resolver.object_literal(result))]
        return tuple(dict(out).items())

    def _class_export(self, exported: str, cls: ts.Node, line: int) -> ExportRef:
        """A class: whether an instance is a client (`extends PrismaClient`), its client
        members for subclasses in other files (`this._prisma`), and its imported base
        class as `ref`, where the index looks for members the class does not declare."""
        instance = self.resolver.types.classify_class(cls)
        ref = instance if instance.kind == "client" else NOT_CLIENT
        members: dict[str, ClientRef] = {}
        for _ in range(6):  # up the chain of base classes declared in this file
            for name, m in self.resolver.class_members(cls):
                members.setdefault(name, m)
            base = class_base(cls)
            b = self.resolver.lookup(text(base), base) if base is not None and base.type == "identifier" else None
            if b is not None and b.kind == "class":
                cls = b.node
                continue
            if ref.kind != "client" and b is not None and b.kind == "import" and b.imported != "*":
                ref = self.resolver.import_ref(b.module or "", b.imported or "default", origin="base class")
            break
        return ExportRef(exported, ref, tuple(members.items()), line=line)

    def _pattern_exports(self, pattern: ts.Node, line: int) -> list[ExportRef]:
        """`export const { dbRead, dbWrite } = createClients()`."""
        out = []
        for name, _path, node in pattern_bindings(pattern):
            b = self.resolver.lookup(name, node)
            ref = self.resolver.classify_binding(b) if b is not None else NOT_CLIENT
            out.append(ExportRef(name, ref, line=line))
        return out

    def _function_of_value(self, value: ts.Node | None, depth: int = 0) -> int | None:
        value = unwrap(value)
        if value is None or depth > _MAX_WRAPPERS:
            return None
        if value.type in FUNCTION_TYPES:
            return self.function_ids.get(key(value))
        if value.type == "identifier":
            b = self.resolver.lookup(text(value), value)
            if b is not None and b.kind == "function":
                return self.function_ids.get(key(b.node))
            if b is not None and b.kind == "var" and not b.path:
                return self._function_of_value(b.value, depth + 1)
        if value.type == "call_expression":
            # `export const POST = withAuth(async (req) => ...)`: the wrapped handler.
            args = field(value, "arguments")
            if args is not None:
                for a in args.named_children:
                    fid = self._function_of_value(a, depth + 1)
                    if fid is not None:
                        return fid
        return None

    def _input_builders(self, exports) -> tuple[str, ...]:
        """Exported variables whose procedure chain (through local variables) calls
        `.input(…)`: `export const withTeam = authed.input(z.object({ teamId }))`."""
        out = []
        for e in exports:
            b = self.resolver.lookup(e.exported, self.root) if e.exported != "default" else None
            value = b.value if b is not None and b.kind == "var" and not b.path else None
            if value is not None and procedure_input(value, self.resolver)[0]:
                out.append(e.exported)
        return tuple(out)

    def _exports(self):
        out: list[ExportRef] = []
        stars: list[StarExport] = []
        for stmt in self._caps("exports").get("export", []):
            line = stmt.start_point[0] + 1
            source = field(stmt, "source")
            module = text(source).strip("'\"`") if source is not None else None
            is_default = any(c.type == "default" for c in stmt.children)
            decl = field(stmt, "declaration")
            clause = next((c for c in stmt.named_children if c.type == "export_clause"), None)
            ns = next((c for c in stmt.named_children if c.type == "namespace_export"), None)
            if module is not None and clause is None:
                if ns is not None:
                    out.append(ExportRef(text(ns.named_children[-1]) if ns.named_children else "*",
                                         ClientRef("import", "re-export", module, "*"), line=line))
                else:
                    stars.append(StarExport(module, line))
                continue
            if clause is not None:
                for spec in clause.named_children:
                    if spec.type != "export_specifier":
                        continue
                    name, alias = field(spec, "name"), field(spec, "alias")
                    exported = text(alias or name)
                    if module is not None:
                        out.append(ExportRef(exported, ClientRef("import", "re-export", module, text(name)), line=line))
                    else:
                        out.append(self._export_value(exported, name, line))
                continue
            if decl is not None:
                if decl.type in ("lexical_declaration", "variable_declaration"):
                    for d in decl.named_children:
                        target = field(d, "name") if d.type == "variable_declarator" else None
                        if target is not None and target.type == "identifier":
                            out.append(self._export_value(text(target), field(d, "value"), line, d))
                        elif target is not None and target.type == "object_pattern":
                            out += self._pattern_exports(target, line)
                elif decl.type in FUNCTION_TYPES:
                    out.append(self._function_export("default" if is_default else text(field(decl, "name")),
                                                     decl, line))
                elif decl.type in ("class_declaration", "abstract_class_declaration"):
                    out.append(self._class_export("default" if is_default else text(field(decl, "name")),
                                                  decl, line))
                elif decl.type in ("type_alias_declaration", "interface_declaration"):
                    # Types: `export type Db = PrismaClient | Prisma.TransactionClient`,
                    # `export type Clients = { dbRead: PrismaClient }` (read by typed importers).
                    types = self.resolver.types
                    ref = types.classify(field(decl, "value")) if decl.type == "type_alias_declaration" \
                        else NOT_CLIENT
                    out.append(ExportRef(text(field(decl, "name")),
                                         ref if ref.kind in ("client", "import") else NOT_CLIENT,
                                         types.members(decl), line=line))
                continue
            if is_default:
                value = field(stmt, "value") or next(
                    (c for c in stmt.named_children if c.type not in ("comment", "decorator")), None)
                out.append(self._export_value("default", value, line))
        out.extend(self._commonjs_exports())
        return tuple(out), tuple(stars)

    def _commonjs_exports(self) -> list[ExportRef]:
        out = []
        for stmt in self.root.named_children:
            if stmt.type != "expression_statement" or not stmt.named_children:
                continue
            e = stmt.named_children[0]
            if e.type != "assignment_expression":
                continue
            left = text(field(e, "left")).replace(" ", "")
            line = stmt.start_point[0] + 1
            if left == "module.exports":
                out.append(self._export_value("default", field(e, "right"), line))
                for name, ref in self._object_members(field(e, "right")):
                    out.append(ExportRef(name, ref, line=line))
            elif left.startswith(("exports.", "module.exports.")):
                out.append(self._export_value(left.rsplit(".", 1)[1], field(e, "right"), line))
        return out

    # -- functions and entry points ---------------------------------------------------------
    def _function_name(self, fn: ts.Node) -> tuple[str, str | None]:
        """(name, inline callee text) of a function node."""
        name = field(fn, "name")
        if name is not None and fn.type != "arrow_function":
            return text(name), None
        parent = fn.parent
        while parent is not None and parent.type in ("parenthesized_expression", "as_expression",
                                                     "satisfies_expression"):
            parent = parent.parent
        if parent is None:
            return "<anonymous>", None
        if parent.type == "variable_declarator":
            return text(field(parent, "name")), None
        if parent.type in ("pair", "public_field_definition", "field_definition"):
            return text(field(parent, "key") or field(parent, "name")).strip("'\""), None
        if parent.type == "assignment_expression":
            return short(field(parent, "left"), 60), None
        if parent.type == "export_statement":
            return "default", None
        callee = field(parent, "function") if parent.type == "call_expression" else None
        if callee is not None and callee.start_byte <= fn.start_byte and fn.end_byte <= callee.end_byte:
            # `(async () => { ... })()` runs right where it is written: it belongs to
            # the function around it, like an inline callback.
            return "<iife>", "(immediately invoked)"
        if parent.type == "arguments" and parent.parent is not None:
            call = parent.parent
            callee = short(field(call, "function") or call, 80)
            # Name a wrapped handler after the binding that holds the call.
            holder = call.parent
            if holder is not None and holder.type == "variable_declarator":
                return text(field(holder, "name")), callee
            return f"<callback of {callee}>", callee
        return "<anonymous>", None

    def _trpc_procedure(self, fn: ts.Node) -> str | None:
        parent = fn.parent
        if parent is None or parent.type != "arguments" or parent.parent is None:
            return None
        call = parent.parent
        callee = field(call, "function")
        if callee is None or callee.type != "member_expression":
            return None
        if text(field(callee, "property")) not in ("query", "mutation", "subscription"):
            return None
        chain = text(field(callee, "object"))
        if "rocedure" not in chain and ".input(" not in chain and "t.procedure" not in chain:
            return None
        holder = call.parent
        if holder is not None and holder.type == "pair":
            return text(field(holder, "key")).strip("'\"")
        return "procedure"

    def _typed_http_handler(self, fn: ts.Node) -> bool:
        """`(req: Request, res: Response)` with both types imported from a server framework
        (express's Request/Response, fastify's FastifyRequest/FastifyReply): a request handler
        however it is registered (file-convention routers, route tables, other modules)."""
        params = param_nodes(fn)
        if len(params) < 2:
            return False
        holder = fn.parent
        if holder is not None and (holder.type == "return_statement" or holder.type == "arrow_function"
                                   and field(holder, "body") == fn):
            return False  # made by a factory (`validate(schema)`): counted where it is mounted
        modules = []
        for p in params[:2]:
            t = param_type(p).split("<", 1)[0].strip()
            root = t.split(".", 1)[0]
            b = self.resolver.lookup(root, fn) if root.isidentifier() else None
            if b is None or b.kind != "import":
                return False
            modules.append(b.module)
        return modules[0] == modules[1] and modules[0] in _SERVER_FRAMEWORKS

    def _registered_handlers(self) -> frozenset[int]:
        """Functions passed after the path of `app.post("/x", auth, handler)` and the like,
        inline or by the name of a same-file function."""
        out = set()
        for node in self._caps("entry_points").get("registration", []):
            if not registered_handler_call(node):
                continue
            for arg in handler_arguments(node):
                fid = self._function_of_value(arg) if unwrap(arg) is not None \
                    and unwrap(arg).type in ("identifier", *FUNCTION_TYPES) else None
                if fid is not None:
                    out.add(fid)
        return frozenset(out)

    def _functions(self, directives, exports, tx_calls) -> tuple[FunctionFact, ...]:
        exported: dict[int, list[str]] = {}
        for e in exports:
            if e.function is not None:
                exported.setdefault(e.function, []).append(e.exported)
        forwards = self._transaction_forwarding(tx_calls)
        out = []
        use_server_file = "use server" in directives
        route_module = self.role == "remix-route" or self.role == "route" and under_app_routes(self.path)
        registered = self._registered_handlers()
        for i, fn in enumerate(self.function_nodes):
            name, inline = self._function_name(fn)
            parent_fn = _enclosing(fn, FUNCTION_TYPES)
            parent = self.function_ids.get(key(parent_fn), -1) if parent_fn is not None else -1
            names = tuple(exported.get(i, ()))
            cls = None
            if fn.type == "method_definition":
                c = _enclosing(fn, ("class_declaration", "abstract_class_declaration", "class"))
                cls = text(field(c, "name")) if c is not None and field(c, "name") is not None else None
            entry = None
            if self.role == "route" and HTTP_METHODS.intersection(names):
                entry = "route-handler"
            elif self.role == "pages-api" and "default" in names:
                entry = "pages-api"
            elif self.role == "page" and "default" in names:
                entry = "page"
            elif route_module and REMIX_EXPORTS.keys() & set(names):
                entry = REMIX_EXPORTS[min(REMIX_EXPORTS.keys() & set(names))]
            elif (use_server_file and names and parent == -1) or "use server" in _body_directives(fn):
                entry = "server-action"
            elif i in registered or self._typed_http_handler(fn):
                entry = "http-handler"
            else:
                entry = decorated_method_kind(fn)
                proc = self._trpc_procedure(fn) if entry is None else None
                if proc is not None:
                    entry = "trpc-procedure"
                    name = proc
            params = tuple(short(param_pattern(p), 40) for p in param_nodes(fn))
            out.append(FunctionFact(
                id=i, name=name, kind=_FUNCTION_KIND.get(fn.type, fn.type), span=span(fn),
                parent=parent, is_async=is_async(fn), params=params, param_names=_param_names(fn),
                exported_as=names,
                entry_kind=entry, inline_callback=inline, class_name=cls,
                forwards_to_transaction=forwards.get(i), start=fn.start_byte, end=fn.end_byte,
            ))
        return tuple(out)

    def _transaction_forwarding(self, tx_calls) -> dict[int, int]:
        """Functions that pass one of their parameters on to $transaction:
        `withTransaction(fn) { return prisma.$transaction(fn) }` or
        `prisma.$transaction(async (tx) => fn(tx))` or `$transaction(steps)`."""
        out: dict[int, int] = {}
        for call, _ref in tx_calls:
            fn = _enclosing(call, FUNCTION_TYPES)
            if fn is None:
                continue
            params = [text(param_pattern(p)) for p in param_nodes(fn)]
            args = field(call, "arguments")
            first = unwrap(args.named_children[0]) if args is not None and args.named_children else None
            if first is None:
                continue
            used: str | None = None
            if first.type == "identifier":
                used = text(first)
            elif first.type in FUNCTION_TYPES:
                body = field(first, "body")
                inner = unwrap(body) if body is not None and body.type != "statement_block" else None
                if body is not None and body.type == "statement_block":
                    stmts = [s for s in body.named_children if s.type == "return_statement"]
                    inner = unwrap(stmts[0].named_children[0]) if stmts and stmts[0].named_children else None
                if inner is not None and inner.type == "call_expression":
                    callee = field(inner, "function")
                    if callee is not None and callee.type == "identifier":
                        used = text(callee)
            if used in params:
                out[self.function_ids[key(fn)]] = params.index(used)
        return out

    # -- call graph --------------------------------------------------------------------
    def _call_sites(self, ctx: ContextBuilder) -> tuple[CallSite, ...]:
        out = []
        for _, m in self._matches("call_sites"):
            call = m["callsite"][0]
            callee = m["callsite.callee"][0]
            obj = m.get("callsite.object", [None])[0]
            ref = None
            local = None
            if obj is None:
                b = self.resolver.lookup(text(callee), callee)
                if b is None and text(callee) == "fetch":
                    # The global fetch: network I/O, for rules that weigh work beside a query.
                    out.append(CallSite("fetch", None, None, span(call), ctx.build(call)))
                    continue
                if b is None:
                    continue
                if b.kind == "import":
                    ref = ClientRef("import", "import", b.module, b.imported)
                elif b.kind == "function":
                    local = self.function_ids.get(key(b.node))
                elif b.kind == "var" and not b.path:
                    v = unwrap(b.value)
                    if v is not None and v.type in FUNCTION_TYPES:
                        local = self.function_ids.get(key(v))
                if ref is None and local is None:
                    continue
                name = text(callee)
            elif obj.type == "this":
                local = self._class_method(call, text(callee))
                if local is None:
                    continue
                name = f"this.{text(callee)}"
            else:
                b = self.resolver.lookup(text(obj), obj)
                package = self._instance_of_import(b)
                if package is not None:
                    out.append(CallSite(f"{text(obj)}.{text(callee)}", None, None, span(call), ctx.build(call),
                                        package=package))
                    continue
                if b is None or b.kind != "import":
                    continue
                ref = ClientRef("import", "import", b.module, b.imported, (text(callee),))
                name = f"{text(obj)}.{text(callee)}"
            out.append(CallSite(name, ref, local, span(call), ctx.build(call), _stored(call),
                                _given(field(call, "arguments")), self._client_args(field(call, "arguments"))))
        out.sort(key=lambda c: (c.span.line, c.span.column))
        return tuple(out)

    def _instance_of_import(self, b) -> str | None:
        """The module of the imported class a variable is a `new` instance of."""
        if b is None or b.kind != "var" or b.path:
            return None
        v = unwrap(b.value)
        if v is None or v.type != "new_expression":
            return None
        ctor = field(v, "constructor")
        if ctor is None or ctor.type != "identifier":
            return None
        c = self.resolver.lookup(text(ctor), ctor)
        return c.module if c is not None and c.kind == "import" else None

    def _client_args(self, args: ts.Node | None) -> tuple[tuple[int, ClientRef], ...]:
        """Arguments naming a client, or what may be one (an import the index settles)."""
        if args is None or args.type != "arguments":
            return ()
        out = []
        for i, a in enumerate(c for c in args.named_children if c.type != "comment"):
            if unwrap(a) is not None and unwrap(a).type in ("identifier", "member_expression"):
                r = self.resolver.classify(a)
                if r.kind in ("client", "import"):
                    out.append((i, r))
        return tuple(out)

    def _class_method(self, node: ts.Node, name: str) -> int | None:
        body = _enclosing(node, ("class_body",))
        if body is None:
            return None
        for member in body.named_children:
            if member.type == "method_definition" and text(field(member, "name")) == name:
                return self.function_ids.get(key(member))
        return None

    # -- clients, catches, inputs ------------------------------------------------------------
    def _clients_created(self) -> tuple[ClientCreation, ...]:
        out = []
        for node in self._caps("new_client").get("new_client", []):
            cls = text(field(node, "constructor")).split(".")[-1]
            if cls not in self.cfg.classes:
                continue
            binding = None
            holder = node.parent
            global_reuse = False
            while holder is not None and holder.type in ("binary_expression", "parenthesized_expression",
                                                         "call_expression", "member_expression",
                                                         "as_expression", "arguments", "assignment_expression"):
                if holder.type in ("binary_expression", "assignment_expression") and self._mentions_global(holder):
                    global_reuse = True
                holder = holder.parent
            if holder is not None and holder.type == "variable_declarator":
                binding = text(field(holder, "name"))
            if not global_reuse:
                global_reuse = self._factory_cached_on_global(node)
            out.append(ClientCreation(span(node), self.fid(node), binding, global_reuse,
                                      self._returned(node, binding)))
        return tuple(out)

    def _returned(self, node: ts.Node, binding: str | None) -> bool:
        fn = _enclosing(node, FUNCTION_TYPES)
        if fn is None:
            return False
        for result in _returned_expressions(fn):
            if result.start_byte <= node.start_byte and node.end_byte <= result.end_byte:
                return True
            r = unwrap(result)
            if binding is not None and r is not None and r.type == "identifier" and text(r) == binding:
                return True
        return False

    def _mentions_global(self, node: ts.Node) -> bool:
        """`globalThis.prisma ?? …`, or through an alias `const g = globalThis as …`."""
        if "global" in text(node):
            return True
        left = unwrap(field(node, "left"))
        while left is not None and left.type == "member_expression":
            left = unwrap(field(left, "object"))
        if left is not None and left.type == "identifier":
            b = self.resolver.lookup(text(left), left)
            return b is not None and b.kind == "var" and "global" in text(b.value)
        return False

    def _const_arrays(self) -> tuple[tuple[str, int], ...]:
        out = []
        for stmt in self.root.named_children:
            decl = field(stmt, "declaration") if stmt.type == "export_statement" else stmt
            if decl is None or decl.type != "lexical_declaration" \
                    or not any(c.type == "const" for c in decl.children):
                continue
            for d in decl.named_children:
                name = field(d, "name") if d.type == "variable_declarator" else None
                if name is not None and name.type == "identifier":
                    n = literal_len(field(d, "value"), self.resolver)
                    if n is not None:
                        out.append((text(name), n))
        return tuple(out)

    def _factory_cached_on_global(self, node: ts.Node) -> bool:
        """`const make = () => new PrismaClient()` used as `global.prisma ?? make()`."""
        fn = _enclosing(node, FUNCTION_TYPES)
        if fn is None:
            return False
        name, _ = self._function_name(fn)
        if not name.isidentifier():
            return False
        for stmt in self.root.named_children:
            decl = field(stmt, "declaration") if stmt.type == "export_statement" else stmt
            if decl is None or decl.type not in ("lexical_declaration", "variable_declaration"):
                continue
            for d in decl.named_children:
                value = field(d, "value") if d.type == "variable_declarator" else None
                if value is not None and value.type == "binary_expression" \
                        and "global" in text(field(value, "left")) \
                        and text(field(value, "right")).startswith(name + "("):
                    return True
        return False

    def _catches(self) -> tuple[CatchFact, ...]:
        out = []
        for _, m in self._matches("catches"):
            if "try" in m:
                stmt, handler = m["try"][0], m["try.handler"][0]
                param = field(handler, "parameter")
                body = field(handler, "body")
                out.append(CatchFact(key(stmt), "try", span(handler), self.fid(stmt),
                                     text(param_pattern(param)) if param is not None else None,
                                     short(body, 2000), summarise_catch_clause(handler),
                                     _stated_intent(stmt, field(stmt, "body"))))
            elif "catch_method" in m:
                call, handler = m["catch_method"][0], m["catch_method.handler"][0]
                params = param_nodes(handler) if handler.type in FUNCTION_TYPES else []
                # Placed at `.catch(`, not where the chain starts.
                at, whole = span(field(field(call, "function"), "property")), span(call)
                out.append(CatchFact(key(call), "catch-method",
                                     Span(at.line, at.column, whole.end_line, whole.end_column),
                                     self.fid(call), text(param_pattern(params[0])) if params else None,
                                     short(handler, 2000), summarise_catch_callback(handler),
                                     _stated_intent(_statement_of(call), None)))
        return tuple(out)

    def _inputs(self) -> tuple[InputSource, ...]:
        out = []
        for _, m in self._matches("request_inputs"):
            if "input.call" in m:
                node = m["input.call"][0]
                method = text(m["input.method"][0])
                obj = text(m["input.object"][0])
                last = obj.rsplit(".", 1)[-1]
                if method in ("json", "formData", "text") and last.lower() in ("req", "request", "r"):
                    kind = method
                elif method in ("get", "getAll") and "searchParams" in last:
                    kind = "search-params"
                elif method in ("get", "getAll") and last.lower() in ("formdata", "form", "data"):
                    kind = "form-get"
                elif method in ("param", "query") and last == "req":
                    kind = {"param": "params"}.get(method, method)  # Hono: `c.req.param("id")`
                else:
                    continue
            else:
                node = m["input.member"][0]
                prop = text(m["input.property"][0])
                obj = text(m["input.object"][0])
                if obj.rsplit(".", 1)[-1].lower() not in ("req", "request", "ctx", "context", "props"):
                    continue
                if node.parent is not None and node.parent.type == "call_expression" \
                        and key(field(node.parent, "function")) == key(node):
                    continue  # `c.req.query("q")` (Hono): the call is the input
                kind = {"searchParams": "search-params"}.get(prop, prop)
            out.append(InputSource(kind, short(node, 120), span(node), self.fid(node)))
        return tuple(out)


def extract_facts(path: str, role: str, source: bytes, client_config: ClientConfig) -> FileFacts:
    tree, grammar = P.parse_source(path, source)
    depth = P.nesting_depth(tree)
    if depth > P.MAX_NESTING:
        return FileFacts(path=path, role=role, grammar=grammar, line_count=tree.root_node.end_point[0] + 1,
                         notes=(("skipped", f"skipped: nested about {depth:,} levels deep (generated code?); "
                                 f"dbaudit reads files nested up to {P.MAX_NESTING:,} levels"),))
    with P.SharedMatches(grammar, tree.root_node):
        try:
            return FileExtractor(path, role, tree, grammar, client_config).extract()
        except RecursionError:
            # A chain of definitions too long to follow must cost one file, not the scan.
            return FileFacts(path=path, role=role, grammar=grammar, line_count=tree.root_node.end_point[0] + 1,
                             notes=(("skipped", "skipped: definitions nested too deeply to follow; "
                                     "please report this file's shape to dbaudit"),))
