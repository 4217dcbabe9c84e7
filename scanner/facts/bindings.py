"""Whether a binding (an import, a parameter, a variable) or a class member holds a
Prisma client: the part of `scopes.Resolver` that reads declarations."""

from __future__ import annotations

from typing import TYPE_CHECKING

import re

import tree_sitter as ts

from .classify import UNKNOWN, _enclosing_class, configured
from .literals import array_element
from .generated import prisma_module
from .client_types import CONFIGURED_TYPE, class_base, declared_type
from .object_types import contextual_type, object_method
from .model import NOT_CLIENT, TRANSACTION_METHOD, ClientRef
from .nodes import class_method, field, key, member_chain, param_pattern, text

if TYPE_CHECKING:
    from .scopes import Binding


class BindingClassifier:
    """Bindings and class members: `classify_binding(b)`, `class_member(cls, prop)`."""

    def _classify_this_member(self, expr: ts.Node, prop: str) -> ClientRef:
        """`this.prisma`, `super.db`: a member the class (or a class it extends, in this
        file or imported) declares as a client: a constructor parameter property typed
        as one or defaulting to one, a field, a getter, or a `this.x = …` assignment."""
        cls = _enclosing_class(expr)
        if cls is None:
            return UNKNOWN
        return self.class_member(cls, prop, skip_own=text(field(expr, "object")) == "super")

    def this_method_result(self, fn: ts.Node, prop: str, depth: int) -> ClientRef:
        """`this.client(tx)`, `this.db()`: what a method of the enclosing class returns, by its
        written return type or its returned expressions (`return tx ?? this.prisma`)."""
        method = class_method(fn, prop)
        k = key(method) ^ hash("returns") if method is not None else 0
        if method is None or k in self._classifying or any(c.type == "get" for c in method.children):
            return UNKNOWN
        self._classifying.add(k)
        try:
            r = self.types.classify(field(method, "return_type"))
            return r if r.kind in ("client", "import") else self._returned_client(method, depth + 1)
        finally:
            self._classifying.discard(k)

    def _returned_client(self, fn: ts.Node, depth: int) -> ClientRef:
        """The first client (or import the index settles) among what function `fn` returns."""
        return next((x for x in (self.classify(e, depth) for e in self.returned_expressions(fn))
                     if x.kind in ("client", "import")), UNKNOWN)

    def classify_this(self, expr: ts.Node, model: str | None = None) -> ClientRef:
        """`this` as a call's receiver (`this.user.findMany()`): a client inside a class that
        extends the client class (in this file, through local classes, or a class another
        module exports whose instances are clients); never one inside a class without a base,
        or where `model` is an injected service the constructor declares (`this.note.create()`
        of `constructor(private note: NoteService)`). Else unknown."""
        cls = _enclosing_class(expr)
        for _ in range(6):
            if cls is None:
                return UNKNOWN
            declared = self._member_declarations(cls).get(model or "", ())
            if declared:
                # An injected service named like a model (`constructor(private user: UserService)`)
                # is not one; a delegate kept in a member (`Prisma.UserDelegate`) may be.
                services = all(kind == "param" and "Prisma" not in text(field(node, "type"))
                               and "Delegate" not in text(field(node, "type")) for kind, node in declared)
                return NOT_CLIENT if services else UNKNOWN
            base = class_base(cls)
            if base is None:
                return NOT_CLIENT
            if self.client_class(base):
                return ClientRef("client", f"a class extending {text(base)}")
            b = self.lookup(text(base), base) if base.type == "identifier" else None
            if b is not None and b.kind == "import" and b.imported != "*":
                # A base class another module exports: a client when its instances are.
                return self.import_ref(b.module or "", b.imported or "default", origin="inherited client class")
            cls = b.node if b is not None and b.kind == "class" else None
        return UNKNOWN

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
                r = self._returned_client(node, 1)
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
        """Every client-holding member the class declares, for its export; also each instance
        method that returns a client, as `name.()` (`getClient() { return this.prisma }`)."""
        out = []
        for name in self._member_declarations(cls):
            r = self._own_member(cls, name)
            if r is not None and r.kind in ("client", "import"):
                out.append((name, r))
        body = field(cls, "body")
        for m in body.named_children if body is not None else ():
            name = text(field(m, "name"))
            if m.type != "method_definition" or name == "constructor" \
                    or any(c.type in ("static", "get", "set", "async") for c in m.children):
                continue
            r = self.this_method_result(m, name, 0)
            if r.kind in ("client", "import"):
                out.append((f"{name}.()", r))
        return tuple(out)

    def import_ref(self, module: str, imported: str, members=(), origin: str = "import") -> ClientRef:
        if self.config.module_is_client(module) and imported != "*" and not members:
            return ClientRef("client", f"configured client module {module}")
        if prisma_module(module):
            # The PrismaClient class and the Prisma namespace, never an instance.
            return NOT_CLIENT
        return ClientRef("import", origin, module, imported, tuple(members))

    def classify_binding(self, b: Binding, depth: int = 0) -> ClientRef:
        k = key(b.node) ^ hash(b.name)
        if k in self._classifying:
            return UNKNOWN
        # Outside any classification in progress (no cycle guard set, no generic
        # parameters bound) the answer depends only on the binding and the depth, so it
        # is kept: a parameter or import named at many sites is classified once.
        settled = not self._classifying and not self.types.bound
        if settled:
            known = self._binding_refs.get((id(b), depth))
            if known is not None:
                return known
        self._classifying.add(k)
        try:
            r = self._classify_binding(b, depth)
        finally:
            self._classifying.discard(k)
        if settled:
            self._binding_refs[(id(b), depth)] = r
        return r

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
                r = self.classify(b.value, depth) if b.value is not None else self._assigned_client(b, depth)
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

    def _assigned_client(self, b: Binding, depth: int) -> ClientRef:
        """A variable declared without a value (`let client`) and set later, as a getter that
        creates a client once does (`if (client) return client; client = g.prisma ?? new
        PrismaClient()`): a client when every assignment to it in the file sets one."""
        found = UNKNOWN
        pattern = rb"(?<![\w$.])" + re.escape(b.name.encode()) + rb"\s*(?:\?\?|\|\|)?=(?![=>])"
        for m in re.finditer(pattern, self.root.text):
            ident = self.root.descendant_for_byte_range(m.start(), m.start() + len(b.name.encode()))
            assign = ident.parent if ident is not None else None
            if assign is None or not assign.type.endswith("assignment_expression") or field(assign, "left") != ident \
                    or self.lookup(b.name, ident) is not b:
                continue
            r = self.classify(field(assign, "right"), depth + 1)
            if r.kind not in ("client", "import"):
                return UNKNOWN
            found = r
        return ClientRef("client", "a variable every assignment sets to a client") if found.kind == "client" else found

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
            typed = self.types.classify(declared_type(b.node))
            return typed if typed.origin == CONFIGURED_TYPE else \
                ClientRef("client", "parameter typed as a client", tx_param="Transaction" in b.type_text
                          and (typed.kind != "client" or typed.tx_param))
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
        written = self._contextual_param(fn, b.index) if fn is not None else None
        if written is not None:
            r = self.types.classify(written)
            if r.kind in ("client", "import"):
                return r
        if b.name in cfg.names:
            return configured(b.name)
        fid = self.function_ids.get(key(fn)) if fn is not None else None
        if fid is not None:
            # Its callers decide: a client when every one of them passes a client.
            return ClientRef("param", "parameter its callers pass a client", name=str(b.index), function=fid)
        return UNKNOWN

    def _contextual_param(self, fn: ts.Node, index: int) -> ts.Node | None:
        """The written type of an untyped parameter of an object literal's method, from the
        type the object is declared as (`function repo(): Repo { return { find(handle) {…} } }`,
        where `interface Repo { find(handle: DBHandle): … }`)."""
        found = object_method(fn)
        declared = contextual_type(found[0]) if found is not None else None
        return self.types.method_param(declared, found[1], index) if declared is not None else None

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

