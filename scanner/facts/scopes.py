"""Name resolution by lexical scope, and the one place that decides whether an
expression is a Prisma client (rules.md §0)."""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter as ts

from .client_types import TypeReader, class_base, declared_type
from .model import NOT_CLIENT, ClientRef, TRANSACTION_METHOD
from .nodes import (
    FUNCTION_TYPES, TRANSPARENT, field, is_field, key, member_chain, param_nodes,
    param_pattern, param_type, text, unwrap,
)

UNKNOWN = ClientRef("unknown")
# Configured names that by convention hold a transaction's client.
_TX_NAMES = frozenset({"tx", "trx", "txn"})


def configured(name: str = "") -> ClientRef:
    """A client by configured name; `tx` and its kin are transaction clients."""
    return ClientRef("client", "configured name", tx_param=name.rsplit(".", 1)[-1] in _TX_NAMES)
SCOPE_TYPES = frozenset({
    "program", "statement_block", "for_statement", "for_in_statement", "catch_clause",
    "class_body", "switch_body",
}) | FUNCTION_TYPES
_DECLARATIONS = ("lexical_declaration", "variable_declaration")
# Expressions that can never evaluate to a client.
_NEVER_CLIENT = frozenset({
    "object", "array", "string", "number", "template_string", "true", "false", "null",
    "undefined", "regex", "arrow_function", "function_expression", "class",
    "unary_expression", "update_expression",
})
PRISMA_PACKAGE = "@prisma/client"


@dataclass(slots=True)
class Binding:
    kind: str                 # import, param, var, function, class, catch, loop
    name: str
    node: ts.Node             # declaring node (declarator, parameter, function, import)
    path: tuple[str, ...] = ()  # property path inside a destructuring pattern
    value: ts.Node | None = None  # initialiser (var) or function (param)
    index: int = 0            # parameter position
    type_text: str = ""
    module: str | None = None
    imported: str | None = None


class ClientConfig:
    """The parts of the configuration that decide what a client is."""

    def __init__(self, names, types, classes, modules):
        self.chains = frozenset(n for n in names if "." in n)
        self.names = frozenset(n for n in names if "." not in n)
        self.types = tuple(types)
        self.classes = frozenset(classes)
        self.modules = tuple(modules)

    def type_is_client(self, type_text: str) -> bool:
        t = type_text.replace(" ", "")
        return any(t == ty or t.endswith("." + ty) or t.startswith(ty + "<") for ty in self.types)

    def chain_is_client(self, chain: str) -> bool:
        if chain in self.chains:
            return True
        # `opts.ctx.prisma` ends with the configured `ctx.prisma`.
        return any(chain.endswith("." + c) for c in self.chains if not c.startswith("this."))

    def module_is_client(self, module: str) -> bool:
        return any(module == m or module.startswith(m.rstrip("*")) and m.endswith("*")
                   for m in self.modules)


def pattern_bindings(pattern: ts.Node, path=()):
    """(name, path, node) for every identifier bound by a destructuring pattern."""
    stack = [(pattern, path)]
    while stack:
        node, p = stack.pop()
        t = node.type
        if t in ("identifier", "shorthand_property_identifier_pattern"):
            yield text(node), (p if t == "identifier" else p + (text(node),)), node
        elif t == "object_pattern":
            for c in node.named_children:
                stack.append((c, p))
        elif t == "pair_pattern":
            k, v = field(node, "key"), field(node, "value")
            if k is not None and v is not None:
                stack.append((v, p + (text(k).strip("'\""),)))
        elif t == "object_assignment_pattern":
            left = field(node, "left")
            if left is not None:
                stack.append((left, p))
        elif t == "assignment_pattern":
            left = field(node, "left")
            if left is not None:
                stack.append((left, p))
        elif t == "array_pattern":
            for i, c in enumerate(node.named_children):
                stack.append((c, p + (f"[{i}]",)))
        elif t == "rest_pattern" and node.named_children:
            stack.append((node.named_children[0], p + ("...",)))  # `{ id, ...rest }`: the rest of p
        elif t in ("required_parameter", "optional_parameter"):
            stack.append((param_pattern(node), p))


class Resolver:
    def __init__(self, root: ts.Node, config: ClientConfig):
        self.root = root
        self.config = config
        self._tables: dict[int, dict[str, Binding]] = {}
        self._classifying: set[int] = set()
        # Node -> its nearest enclosing scope node. `Node.parent` walks down from
        # the root, so walking up a deep expression (a 1,000-term `a + b + …`) for
        # every identifier in it would be cubic; each node is climbed once.
        self._scope_of: dict[tuple[int, int, int], ts.Node | None] = {}
        # (function key, parameter index) -> what its local callers pass (local_call_arguments)
        self.call_arguments: dict[tuple, list[ts.Node] | None] = {}
        self._identifiers: dict[str, list[ts.Node]] | None = None
        self._returns: dict[int, list[ts.Node]] | None = None  # function key -> returned expressions
        # The values of the file's return statements (a query capture), when the extractor has them.
        self.return_values = None
        self.types = TypeReader(self)
        # Function node key -> function id, set by the extractor (parameters its callers settle).
        self.function_ids: dict[int, int] = {}
        self._class_members: dict[int, dict[str, list[tuple[str, ts.Node]]]] = {}

    def returned_expressions(self, fn: ts.Node) -> list[ts.Node]:
        """`_returned_expressions(fn)` for many functions of the file, from the return
        statements the combined query pass found (`return_values`, set by the extractor),
        each climbed to the function it leaves, instead of a walk of every body."""
        body = field(fn, "body")
        if body is not None and body.type != "statement_block":
            return [body]
        if self.return_values is None:
            return _returned_expressions(fn)
        if self._returns is None:
            self._returns = {}
            for value in self.return_values():
                n = value.parent.parent if value.parent is not None else None
                while n is not None and n.type not in FUNCTION_TYPES and n.type not in ("class_body", "program"):
                    n = n.parent
                if n is not None and n.type in FUNCTION_TYPES:
                    self._returns.setdefault(key(n), []).append(value)
        return self._returns.get(key(fn), [])

    def identifiers_named(self, name: str) -> list[ts.Node]:
        """Every identifier node of the file spelled `name` (one walk, on first use)."""
        if self._identifiers is None:
            self._identifiers = {}
            stack = [self.root]
            while stack:
                n = stack.pop()
                if n.type == "identifier":
                    self._identifiers.setdefault(text(n), []).append(n)
                else:
                    stack.extend(n.named_children)
        return self._identifiers.get(name, [])

    # -- scopes ---------------------------------------------------------------
    def lookup(self, name: str, at: ts.Node) -> Binding | None:
        n = at if at.type in SCOPE_TYPES else self._enclosing_scope(at)
        while n is not None:
            b = self._table(n).get(name)
            if b is not None:
                return b
            n = self._enclosing_scope(n)
        return None

    def _enclosing_scope(self, node: ts.Node) -> ts.Node | None:
        climbed = []
        n = node
        scope = None
        while True:
            k = (n.id, n.start_byte, n.end_byte)
            if k in self._scope_of:
                scope = self._scope_of[k]
                break
            climbed.append(k)
            n = n.parent
            if n is None or n.type in SCOPE_TYPES:
                scope = n
                break
        for k in climbed:
            self._scope_of[k] = scope
        return scope

    def _table(self, scope: ts.Node) -> dict[str, Binding]:
        k = key(scope) ^ hash(scope.type)
        table = self._tables.get(k)
        if table is None:
            table = {}
            self._fill(scope, table)
            self._tables[k] = table
        return table

    def _fill(self, scope: ts.Node, table: dict[str, Binding]) -> None:
        t = scope.type
        if t in FUNCTION_TYPES:
            for i, p in enumerate(param_nodes(scope)):
                for name, path, node in pattern_bindings(param_pattern(p)):
                    table[name] = Binding("param", name, p, path, scope, i, param_type(p))
            own = field(scope, "name")
            if own is not None and t == "function_expression":
                table.setdefault(text(own), Binding("function", text(own), scope))
            return
        if t == "for_in_statement":
            left = field(scope, "left")
            if left is not None:
                for name, path, node in pattern_bindings(left):
                    table[name] = Binding("loop", name, scope, path)
            return
        if t == "for_statement":
            init = field(scope, "initializer")
            if init is not None and init.type in _DECLARATIONS:
                self._declare(init, table)
            return
        if t == "catch_clause":
            p = field(scope, "parameter")
            if p is not None:
                for name, path, node in pattern_bindings(p):
                    table[name] = Binding("catch", name, scope, path)
            return
        for stmt in scope.named_children:
            self._declare_statement(stmt, table)

    def _declare_statement(self, stmt: ts.Node, table: dict[str, Binding]) -> None:
        t = stmt.type
        if t == "export_statement":
            decl = field(stmt, "declaration")
            if decl is not None:
                self._declare_statement(decl, table)
        elif t in _DECLARATIONS:
            self._declare(stmt, table)
        elif t in ("function_declaration", "generator_function_declaration"):
            name = field(stmt, "name")
            if name is not None:
                table[text(name)] = Binding("function", text(name), stmt)
        elif t in ("class_declaration", "abstract_class_declaration"):
            name = field(stmt, "name")
            if name is not None:
                table[text(name)] = Binding("class", text(name), stmt)
        elif t == "import_statement":
            self._declare_import(stmt, table)
        elif t in ("switch_case", "switch_default"):
            for c in stmt.named_children:
                self._declare_statement(c, table)

    def _declare(self, decl: ts.Node, table: dict[str, Binding]) -> None:
        for d in decl.named_children:
            if d.type != "variable_declarator":
                continue
            name, value = field(d, "name"), field(d, "value")
            if name is None:
                continue
            for n, path, node in pattern_bindings(name):
                table[n] = Binding("var", n, d, path, value)

    def _declare_import(self, stmt: ts.Node, table: dict[str, Binding]) -> None:
        source = field(stmt, "source")
        module = text(source).strip("'\"`") if source is not None else ""
        for clause in stmt.named_children:
            if clause.type != "import_clause":
                continue
            for c in clause.named_children:
                if c.type == "identifier":
                    table[text(c)] = Binding("import", text(c), stmt, module=module, imported="default")
                elif c.type == "namespace_import":
                    ids = [x for x in c.named_children if x.type == "identifier"]
                    if ids:
                        table[text(ids[0])] = Binding("import", text(ids[0]), stmt, module=module, imported="*")
                elif c.type == "named_imports":
                    for spec in c.named_children:
                        if spec.type != "import_specifier":
                            continue
                        name, alias = field(spec, "name"), field(spec, "alias")
                        local = text(alias or name)
                        table[local] = Binding("import", local, stmt, module=module, imported=text(name))

    # -- what is a client ------------------------------------------------------
    def classify(self, expr: ts.Node | None, depth: int = 0) -> ClientRef:
        """ClientRef for an expression: client, import (settled later), none or unknown."""
        cast = self._cast(expr)
        if cast is not None:
            return cast
        expr = unwrap(expr)
        if expr is None or depth > 12:
            return UNKNOWN
        t = expr.type
        if t in _NEVER_CLIENT:
            return NOT_CLIENT
        if t == "new_expression":
            cls = text(field(expr, "constructor")).split(".")[-1]
            return ClientRef("client", "new PrismaClient") if cls in self.config.classes else NOT_CLIENT
        if t == "call_expression":
            return self._classify_call(expr, depth)
        if t == "binary_expression":
            op = text(field(expr, "operator"))
            if op in ("??", "||"):
                left = self.classify(field(expr, "left"), depth + 1)
                right = self.classify(field(expr, "right"), depth + 1)
                for r in (right, left):
                    if r.kind == "client":
                        return r
                for r in (left, right):
                    if r.kind == "import":
                        return r
                return UNKNOWN
            return NOT_CLIENT
        if t == "ternary_expression":
            for arm in ("consequence", "alternative"):
                r = self.classify(field(expr, arm), depth + 1)
                if r.kind in ("client", "import"):
                    return r
            return UNKNOWN
        if t == "identifier":
            b = self.lookup(text(expr), expr)
            if b is None:
                return configured(text(expr)) if text(expr) in self.config.names else UNKNOWN
            return self.classify_binding(b, depth + 1)
        if t == "member_expression":
            return self._classify_member(expr, depth)
        return UNKNOWN

    def _cast(self, expr: ts.Node | None) -> ClientRef | None:
        """`(x as PrismaClient)`, `<PrismaClient>x`: the code says what it holds."""
        n = expr
        while n is not None and (n.type in TRANSPARENT or n.type == "await_expression"):
            if n.type in ("as_expression", "type_assertion") and len(n.named_children) == 2:
                t = n.named_children[1] if n.type == "as_expression" else n.named_children[0]
                r = self.types.classify(t)
                if r.kind == "client":
                    return r
            n = n.named_children[0] if n.named_children else None
        return None

    def _classify_call(self, expr: ts.Node, depth: int) -> ClientRef:
        fn = field(expr, "function")
        if fn is not None and fn.type == "member_expression":
            prop = text(field(fn, "property"))
            chain = member_chain(fn)
            if chain is not None and self.config.chain_is_client(chain + "()"):
                return ClientRef("client", "configured name")
            base = self.classify(field(fn, "object"), depth + 1)
            if prop == "$extends":
                return base if base.kind != "unknown" else UNKNOWN
            if not prop.startswith("$"):
                # A client has model delegates and `$` methods; a method it can be called
                # with is a subclass's or an extension's (`prismaService.txClient()`).
                if base.kind == "client":
                    return ClientRef("client", "method of a client returning a client", tx_param=base.tx_param)
                if base.kind == "import":
                    return ClientRef("import", base.origin, base.module, base.name, base.members + (prop, "()"))
                # `db.prisma()` where `db.prisma` holds a client: a getter or lazy singleton.
                held = self.property_of(field(fn, "object"), prop, depth + 1)
                if held.kind == "client":
                    return ClientRef("client", "function returning a client", tx_param=held.tx_param)
                if held.kind == "import":
                    return ClientRef("import", held.origin, held.module, held.name, held.members + ("()",))
            return self._type_argument(expr)

        if fn is not None and fn.type == "import":
            # `const { dbRead } = await import("~/server/db/client")`: a namespace import.
            args = field(expr, "arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            if first is not None and first.type == "string":
                return self.import_ref(text(first).strip("'\"`"), "*")
            return UNKNOWN
        typed = self._type_argument(expr)
        if typed.kind == "client":
            return typed
        factory = self._factory_argument(expr, depth)
        if factory is not None:
            return factory
        if fn is not None and fn.type == "identifier":
            name = text(fn)
            if name + "()" in self.config.names:
                return ClientRef("client", "configured name")
            if name == "require":
                args = field(expr, "arguments")
                first = args.named_children[0] if args is not None and args.named_children else None
                if first is not None and first.type == "string":
                    return self.import_ref(text(first).strip("'\"`"), "*")
                return UNKNOWN
            return self.call_result(fn, depth)
        return UNKNOWN

    def call_result(self, fn: ts.Node, depth: int = 0) -> ClientRef:
        """What calling the function an identifier names returns: its declared result
        type, its returned expression, or (imported) the `()` member of its export."""
        b = self.lookup(text(fn), fn)
        declared = self._declared_result(b)
        if declared.kind in ("client", "import"):
            return declared
        body = self._function_result(b)
        if body is not None:
            return self.classify(body, depth + 1)
        if b is not None and b.kind == "import" and b.imported != "*":
            # A factory in another module: what its exported function returns.
            return self.import_ref(b.module or "", b.imported or "default", ("()",))
        return UNKNOWN

    def _type_argument(self, call: ts.Node) -> ClientRef:
        """`getSingleton<PrismaClient>(…)`, `container.get<PrismaClient>(TOKEN)`: a call
        instantiated with a client type hands back that client (or a getter of it)."""
        args = field(call, "type_arguments")
        if args is None:
            fn = field(call, "function")
            args = next((c for c in fn.children if c.type == "type_arguments"), None) \
                if fn is not None and fn.type in ("instantiation_expression", "generic_type") else None
        for t in args.named_children if args is not None else ():
            r = self.types.classify(t)
            if r.kind == "client":
                return ClientRef("client", "call typed with a client type argument", tx_param=r.tx_param)
        return UNKNOWN

    def _declared_result(self, b: Binding | None) -> ClientRef:
        """`function getDb(): PrismaClient`, `const make = (): Clients => …`."""
        fn = self._function_node(b)
        return self.types.classify(field(fn, "return_type")) if fn is not None else UNKNOWN

    @staticmethod
    def _function_node(b: Binding | None) -> ts.Node | None:
        if b is None:
            return None
        fn = b.node if b.kind == "function" else (unwrap(b.value) if b.kind == "var" and not b.path else None)
        return fn if fn is not None and fn.type in FUNCTION_TYPES else None

    def _factory_argument(self, call: ts.Node, depth: int) -> ClientRef | None:
        """`remember('prisma', () => new PrismaClient())`, `cache(() => prisma)`:
        a memoising wrapper around a function that returns a client."""
        args = field(call, "arguments")
        if args is None or args.type != "arguments":
            return None
        for a in args.named_children:
            a = unwrap(a)
            if a is None or a.type not in ("arrow_function", "function_expression"):
                continue
            for result in _returned_expressions(a):
                r = self.classify(result, depth + 1)
                if r.kind in ("client", "import"):
                    return r
        return None

    def _function_result(self, b: Binding | None) -> ts.Node | None:
        """The returned expression of a local factory `function getClient() { return x }`."""
        fn = self._function_node(b)
        if fn is None:
            return None
        body = field(fn, "body")
        if body is None:
            return None
        if body.type != "statement_block":
            return body
        for stmt in reversed(body.named_children):
            if stmt.type == "return_statement" and stmt.named_children:
                return stmt.named_children[0]
        return None

    def _classify_member(self, expr: ts.Node, depth: int) -> ClientRef:
        chain = member_chain(expr)
        obj = unwrap(field(expr, "object"))
        prop = text(field(expr, "property"))
        if chain is not None:
            if self.config.chain_is_client(chain):
                return ClientRef("client", "configured name")
            root = chain.split(".", 1)[0]
            if root in ("globalThis", "global", "window") or root.startswith("globalFor"):
                return ClientRef("client", "global singleton") if prop in self.config.names else UNKNOWN
        if obj is not None and obj.type in ("this", "super"):
            return self._classify_this_member(expr, prop)
        base = self.classify(obj, depth + 1)
        if base.kind == "import":
            return ClientRef("import", base.origin, base.module, base.name, base.members + (prop,))
        if base.kind == "client":
            return NOT_CLIENT  # a model delegate or `$` method of a client
        return self.property_of(obj, prop, depth)

    def property_of(self, obj: ts.Node | None, prop: str, depth: int = 0) -> ClientRef:
        """What property `prop` of an object that is not itself a client holds: the
        property of an object literal it evaluates to (a factory's `{ read, write }`),
        or of its declared type (`clients: Clients`, `ctx: { db: PrismaClient }`)."""
        if depth > 12:
            return UNKNOWN
        literal = self.object_literal(obj, depth + 1)
        if literal is not None:
            value = object_property(literal, prop)
            if value is not None:
                if value.type == "shorthand_property_identifier":
                    b = self.lookup(prop, value)
                    return self.classify_binding(b, depth + 1) if b is not None else UNKNOWN
                return self.classify(value, depth + 1)
        t = self._declared_type_of(obj)
        return self.types.member(t, prop) if t is not None else UNKNOWN

    def object_literal(self, expr: ts.Node | None, depth: int = 0) -> ts.Node | None:
        """The object literal an expression evaluates to, through local variables,
        local factory calls, `??`/`||`/`??=` fallbacks and ternaries."""
        expr = unwrap(expr)
        if expr is None or depth > 12:
            return None
        t = expr.type
        if t == "object":
            return expr
        if t == "identifier":
            b = self.lookup(text(expr), expr)
            if b is not None and b.kind == "var" and not b.path and b.value is not None:
                k = key(b.node) ^ hash("object")
                if k in self._classifying:
                    return None
                self._classifying.add(k)
                try:
                    return self.object_literal(b.value, depth + 1)
                finally:
                    self._classifying.discard(k)
            return None
        if t == "call_expression":
            fn = field(expr, "function")
            if fn is not None and fn.type == "identifier":
                result = self._function_result(self.lookup(text(fn), fn))
                return self.object_literal(result, depth + 1) if result is not None else None
            return None
        if t in ("binary_expression", "augmented_assignment_expression", "ternary_expression"):
            arms = ("consequence", "alternative") if t == "ternary_expression" else ("right", "left")
            for arm in arms:
                found = self.object_literal(field(expr, arm), depth + 1)
                if found is not None and found.named_children:
                    return found
        return None

    def _declared_type_of(self, expr: ts.Node | None) -> ts.Node | None:
        """The written type of a variable or parameter an expression names, or of the
        class member `this.x` names (`constructor(private deps: Deps)`, `deps: Deps`)."""
        expr = unwrap(expr)
        if expr is not None and expr.type == "member_expression" and text(field(expr, "object")) == "this":
            cls = _enclosing_class(expr)
            if cls is None:
                return None
            for _kind, node in self._member_declarations(cls).get(text(field(expr, "property")), ()):
                if _kind in ("param", "field") and field(node, "type") is not None:
                    return field(node, "type")
            return None
        if expr is None or expr.type != "identifier":
            return None
        b = self.lookup(text(expr), expr)
        if b is None or b.path or b.kind not in ("var", "param"):
            return None
        return declared_type(b.node)

    def _classify_this_member(self, expr: ts.Node, prop: str) -> ClientRef:
        """`this.prisma`, `super.db`: a member the class (or a class it extends, in this
        file or imported) declares as a client: a constructor parameter property typed
        as one or defaulting to one, a field, a getter, or a `this.x = …` assignment."""
        cls = _enclosing_class(expr)
        if cls is None:
            return UNKNOWN
        return self.class_member(cls, prop, skip_own=text(field(expr, "object")) == "super")

    def class_member(self, cls: ts.Node, prop: str, depth: int = 0, skip_own: bool = False) -> ClientRef:
        k = key(cls) ^ hash(prop) ^ hash("member")
        if depth > 6 or k in self._classifying:
            return UNKNOWN  # `this.db = this.db.$extends(…)`: the member's own value
        if not skip_own:
            self._classifying.add(k)
            try:
                declared = self._own_member(cls, prop)
            finally:
                self._classifying.discard(k)
            if declared is not None:
                return declared
        base = class_base(cls)
        if base is None or base.type != "identifier":
            return UNKNOWN
        b = self.lookup(text(base), base)
        if b is not None and b.kind == "class":
            return self.class_member(b.node, prop, depth + 1)
        if b is not None and b.kind == "import" and b.imported != "*":
            return self.import_ref(b.module or "", b.imported or "default", (prop,), origin="inherited member")
        return UNKNOWN

    def _own_member(self, cls: ts.Node, prop: str) -> ClientRef | None:
        """What the class itself declares for `prop`; None when it declares nothing."""
        found = None
        for kind, node in self._member_declarations(cls).get(prop, ()):
            if kind == "param":
                b = self.lookup(prop, node)
                r = self.classify_binding(b) if b is not None and b.kind == "param" else UNKNOWN
            elif kind == "field":
                r = self.types.classify(field(node, "type"))
                if r.kind not in ("client", "import") and field(node, "value") is not None:
                    r = self.classify(field(node, "value"), 1)
            elif kind == "getter":
                r = next((x for x in (self.classify(e, 1) for e in self.returned_expressions(node))
                          if x.kind in ("client", "import")), UNKNOWN)
            else:  # an assignment `this.x = value`
                r = self.classify(node, 1)
            if r.kind in ("client", "import"):
                return r
            found = UNKNOWN
        return found

    def _member_declarations(self, cls: ts.Node) -> dict[str, list[tuple[str, ts.Node]]]:
        """Member name -> how the class declares it (param, field, getter, assigned value)."""
        k = key(cls) ^ hash("members")
        cached = self._class_members.get(k)
        if cached is not None:
            return cached
        out: dict[str, list[tuple[str, ts.Node]]] = {}
        body = field(cls, "body")
        for member in body.named_children if body is not None else ():
            name = text(field(member, "name"))
            if member.type == "method_definition":
                if name == "constructor":
                    params = field(member, "parameters")
                    for p in params.named_children if params is not None else ():
                        if p.type in ("required_parameter", "optional_parameter"):
                            out.setdefault(text(param_pattern(p)), []).append(("param", p))
                elif any(c.type == "get" for c in member.children):
                    out.setdefault(name, []).append(("getter", member))
            elif member.type in ("public_field_definition", "field_definition"):
                out.setdefault(name, []).append(("field", member))
        stack = [body] if body is not None else []
        while stack:
            n = stack.pop()
            for c in n.named_children:
                if c.type == "assignment_expression":
                    left = field(c, "left")
                    if left is not None and left.type == "member_expression" \
                            and text(field(left, "object")) == "this" and field(c, "right") is not None:
                        out.setdefault(text(field(left, "property")), []).append(("assigned", field(c, "right")))
                if c.type not in ("class", "class_declaration"):
                    stack.append(c)
        self._class_members[k] = out
        return out

    def class_members(self, cls: ts.Node) -> tuple[tuple[str, ClientRef], ...]:
        """Every client-holding member the class declares, for its export."""
        out = []
        for name in self._member_declarations(cls):
            r = self._own_member(cls, name)
            if r is not None and r.kind in ("client", "import"):
                out.append((name, r))
        return tuple(out)

    def import_ref(self, module: str, imported: str, members=(), origin: str = "import") -> ClientRef:
        if self.config.module_is_client(module) and imported != "*" and not members:
            return ClientRef("client", f"configured client module {module}")
        if module == PRISMA_PACKAGE or module.endswith(("/generated/prisma", "/generated/prisma/client")):
            # The PrismaClient class and the Prisma namespace, never an instance.
            return NOT_CLIENT
        return ClientRef("import", origin, module, imported, tuple(members))

    def classify_binding(self, b: Binding, depth: int = 0) -> ClientRef:
        k = key(b.node) ^ hash(b.name)
        if k in self._classifying:
            return UNKNOWN
        self._classifying.add(k)
        try:
            return self._classify_binding(b, depth)
        finally:
            self._classifying.discard(k)

    def _classify_binding(self, b: Binding, depth: int) -> ClientRef:
        cfg = self.config
        if b.kind == "import":
            return self.import_ref(b.module or "", b.imported or "default")
        if b.kind == "param":
            return self._classify_param(b)
        if b.kind == "var":
            if not b.path:
                typed = self.types.classify(declared_type(b.node))
                if typed.kind == "client":
                    return typed
                r = self.classify(b.value, depth)
                if typed.kind == "import" and (r.kind == "unknown" or "()" in r.members):
                    # The written type over a call's result through a module (a wrapper
                    # returns what it is given, which the index cannot always follow).
                    return typed
                if r.kind == "unknown" and b.name in cfg.names:
                    return configured(b.name)
                return r
            if len(b.path) == 1:
                # `const { client: db }: { client: PrismaClient } = make()`: the written type
                # of the pattern says what the property is.
                typed = self.types.member(declared_type(b.node), b.path[0])
                if typed.kind == "client":
                    return typed
            value, path = array_element(b.value, b.path)
            if not path:
                return self.classify(value, depth)
            base = self.classify(value, depth)
            if base.kind == "import":
                return ClientRef("import", "import", base.module, base.name, base.members + path)
            if base.kind == "unknown" and len(path) == 1:
                # `const { dbRead, dbWrite } = createClients()`
                held = self.property_of(value, path[0], depth + 1)
                if held.kind in ("client", "import"):
                    return held
            chain = member_chain(value) if value is not None else None
            if chain is not None and cfg.chain_is_client(chain + "." + ".".join(path)):
                return ClientRef("client", "configured name")
            if base.kind == "client":
                return NOT_CLIENT
            if b.name in cfg.names and path[-1] == b.name:
                return configured(b.name)
            return UNKNOWN
        return NOT_CLIENT

    def _classify_param(self, b: Binding) -> ClientRef:
        cfg = self.config
        fn = b.value
        if b.index == 0 and not b.path and fn is not None:
            callee = self._callee_of_callback(fn)
            if callee is not None:
                fn_node, prop = callee
                if prop == TRANSACTION_METHOD:
                    return ClientRef("client", "transaction callback parameter", tx_param=True)
                if "transaction" in text(fn_node).lower():
                    return ClientRef("client", "transaction wrapper parameter", tx_param=True)
        if b.type_text and not b.path and cfg.type_is_client(b.type_text):
            return ClientRef("client", "parameter typed as a client",
                             tx_param="Transaction" in b.type_text)
        if b.path:
            joined = ".".join(b.path)
            if cfg.chain_is_client(joined) or (b.path[-1] == b.name and b.name in cfg.names):
                return configured(joined)
            if len(b.path) == 1:
                # `({ db }: { db: PrismaClient })`, `({ db }: Deps)`
                return self.types.member(declared_type(b.node), b.path[0])
            return UNKNOWN
        typed = self.types.classify(declared_type(b.node))
        if typed.kind in ("client", "import"):
            return typed
        default = field(b.node, "value")
        if default is not None:
            # `constructor(private db = prisma)`, `function f(client = prisma)`
            r = self.classify(default, 1)
            if r.kind in ("client", "import"):
                return r
        if b.name in cfg.names:
            return configured(b.name)
        fid = self.function_ids.get(key(fn)) if fn is not None else None
        if fid is not None:
            # Its callers decide: a client when every one of them passes a client.
            return ClientRef("param", "parameter its callers pass a client", name=str(b.index), function=fid)
        return UNKNOWN

    @staticmethod
    def _callee_of_callback(fn: ts.Node):
        """(callee node, member property) when fn is passed inline as an argument."""
        parent = fn.parent
        if parent is None or parent.type != "arguments":
            return None
        call = parent.parent
        if call is None or call.type != "call_expression":
            return None
        callee = field(call, "function")
        if callee is None:
            return None
        prop = text(field(callee, "property")) if callee.type == "member_expression" else None
        return callee, prop


def array_element(value: ts.Node | None, path: tuple[str, ...]) -> tuple[ts.Node | None, tuple[str, ...]]:
    """`const [{ db }, x] = await Promise.all([import("./db"), …])`: the element a
    destructuring path starts in, and the rest of the path."""
    # `[0]` is an array position; `[KEY]` a computed key of an object pattern.
    while path and path[0].startswith("[") and path[0][1:-1].isdigit() and value is not None:
        v = unwrap(value)
        if v is not None and v.type == "call_expression" and text(field(v, "function")) == "Promise.all":
            args = field(v, "arguments")
            v = unwrap(args.named_children[0]) if args is not None and args.named_children else None
        if v is None or v.type != "array":
            break
        i = int(path[0][1:-1])
        items = [c for c in v.named_children if c.type != "comment"]
        if i >= len(items) or any(c.type == "spread_element" for c in items[:i + 1]):
            break
        value, path = items[i], path[1:]
    return value, path


def _enclosing_class(node: ts.Node) -> ts.Node | None:
    """The class (declaration or expression) whose body holds `node`."""
    n = node.parent
    while n is not None and n.type != "class_body":
        n = n.parent
    return n.parent if n is not None else None


def object_property(obj: ts.Node, prop: str) -> ts.Node | None:
    """The value of `prop` in an object literal (a shorthand property is its own value)."""
    for c in obj.named_children:
        if c.type == "pair" and text(field(c, "key")).strip("'\"") == prop:
            return field(c, "value")
        if c.type == "shorthand_property_identifier" and text(c) == prop:
            return c
    return None


def same_binding(a: Binding | None, b: Binding | None) -> bool:
    return a is not None and b is not None and a.node == b.node and a.name == b.name


def _returned_expressions(fn: ts.Node) -> list[ts.Node]:
    """The expressions a function returns (its own returns, not nested functions')."""
    body = field(fn, "body")
    if body is None:
        return []
    if body.type != "statement_block":
        return [body]
    out = []
    stack = [body]
    while stack:
        node = stack.pop()
        for c in node.named_children:
            if c.type == "return_statement":
                if c.named_children:
                    out.append(c.named_children[0])
            elif c.type not in FUNCTION_TYPES and c.type not in ("class_declaration", "class"):
                stack.append(c)
    return out


def _local_name(fn: ts.Node) -> str | None:
    """The name of a function no other module can call: a function declaration or a
    `const f = (…) => …` that is not exported."""
    if fn.type == "function_declaration":
        owner = fn
        name = text(field(fn, "name"))
    elif fn.type in ("arrow_function", "function_expression") and fn.parent is not None \
            and fn.parent.type == "variable_declarator" and fn.parent.parent is not None:
        owner = fn.parent.parent
        name = text(field(fn.parent, "name"))
    else:
        return None
    if owner.parent is None or owner.parent.type not in ("program", "statement_block"):
        return None
    return name or None


def local_call_arguments(fn: ts.Node, index: int, resolver: Resolver) -> list[ts.Node] | None:
    """What every caller passes as argument `index` of a function local to the file
    (not exported), when each use of the function is a call of it that passes one;
    None when the function can be called from elsewhere, is used as a value, or is
    never called. Callers' arguments then say what the parameter can hold."""
    memo = resolver.call_arguments
    k = (key(fn), index)
    if k not in memo:
        memo[k] = _local_call_arguments(fn, index, resolver)
    return memo[k]


def _local_call_arguments(fn: ts.Node, index: int, resolver: Resolver) -> list[ts.Node] | None:
    name = _local_name(fn)
    if name is None:
        return None
    given: list[ts.Node] = []
    for n in resolver.identifiers_named(name):
        if n.parent is not None and n.parent in (fn, fn.parent) and is_field(n.parent, "name", n):
            continue  # the declaration itself
        call = n.parent
        if call is None or call.type != "call_expression" or not is_field(call, "function", n):
            return None  # passed around as a value: callers unknown
        b = resolver.lookup(name, n)
        if b is None or not (b.node == fn or (b.value is not None and unwrap(b.value) == fn)):
            return None  # a shadowing binding of the same name
        args = field(call, "arguments")
        passed = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        if index >= len(passed) or passed[index].type == "spread_element":
            return None
        given.append(passed[index])
    return given or None
