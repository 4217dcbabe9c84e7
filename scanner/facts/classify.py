"""Whether an expression is a Prisma client: the one place that decides it
(rules.md §0), as the part of `scopes.Resolver` that reads expressions. Name
lookups go through the scope table (`Resolver.lookup`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import tree_sitter as ts

from .client_types import declared_type
from .generated import prisma_module
from .graphql import context_param_index
from .literals import object_property, required_module
from .model import NOT_CLIENT, ClientRef
from .nodes import FUNCTION_TYPES, TRANSPARENT, enclosing, field, key, member_chain, text, unwrap

if TYPE_CHECKING:
    from .scopes import Binding

UNKNOWN = ClientRef("unknown")
# The origin of `new X()` of an imported class: a client when the index finds X is one.
NEW_OF_IMPORT = "an instance of an imported class"
# Configured names that by convention hold a transaction's client.
_TX_NAMES = frozenset({"tx", "trx", "txn"})


def configured(name: str = "") -> ClientRef:
    """A client by configured name; `tx` and its kin are transaction clients."""
    return ClientRef("client", "configured name", tx_param=name.rsplit(".", 1)[-1] in _TX_NAMES)
# Expressions that can never evaluate to a client.
_NEVER_CLIENT = frozenset({
    "object", "array", "string", "number", "template_string", "true", "false", "null",
    "undefined", "regex", "arrow_function", "function_expression", "class",
    "unary_expression", "update_expression",
})
# Client methods that hand back a client: an extended one, or (the read-replicas
# extension) the replica or the primary.
_CLIENT_RETURNING = frozenset({"$extends", "$replica", "$primary"})


class ClientClassifier:
    """Expressions: `classify(expr)` and what it needs (calls, members, object literals)."""

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
            ctor = field(expr, "constructor")
            if self.client_class(ctor):
                return ClientRef("client", "new PrismaClient")
            b = self.lookup(text(ctor), ctor) if ctor is not None and ctor.type == "identifier" else None
            if b is not None and b.kind == "import" and b.imported not in (None, "*") and b.module \
                    and not prisma_module(b.module):
                # `new PrismaService()` of a class another module declares: a client when that
                # class is one (`extends PrismaClient`), as the index reads its export.
                return ClientRef("import", NEW_OF_IMPORT, b.module, b.imported)
            return NOT_CLIENT
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
                # An imported binding before a member guessed from a written type
                # (`(req as any).prisma || prisma`), which the index may not settle.
                imports = [r for r in (left, right) if r.kind == "import"]
                return min(imports, key=lambda r: r.origin == "imported type") if imports else UNKNOWN
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
            if prop == "createCaller":
                # tRPC's server-side caller (`appRouter.createCaller(ctx)`): `caller.post.create(…)`
                # runs a procedure, not a query.
                return NOT_CLIENT
            obj = field(fn, "object")
            while prop in _CLIENT_RETURNING and _client_returning_call(obj):   # `.$extends(a).$extends(b)…`
                obj = field(field(unwrap(obj), "function"), "object")
            base = self.classify(obj, depth + 1)
            if prop in _CLIENT_RETURNING:
                return base if base.kind != "unknown" else UNKNOWN
            if not prop.startswith("$"):
                # A client has model delegates and `$` methods; a method it can be called
                # with is a subclass's or an extension's (`prismaService.txClient()`).
                if base.kind == "client":
                    return ClientRef("client", "method of a client returning a client", tx_param=base.tx_param)
                if base.kind == "import":
                    return ClientRef("import", base.origin, base.module, base.name, base.members + (prop, "()"))
                # `db.prisma()` where `db.prisma` holds a client: a getter or lazy singleton;
                # `this.client(tx)`: a method of this class that returns one.
                held = self.this_method_result(fn, prop, depth) if obj is not None and obj.type == "this" else UNKNOWN
                held = held if held.kind != "unknown" else self.property_of(obj, prop, depth + 1)
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
                module = required_module(expr)
                return self.import_ref(module, "*") if module is not None else UNKNOWN
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
                # `this.prisma` declared as a project class (`private prisma: PrismaService`):
                # what that class's instances hold decides (`this.prisma.client.user`); the
                # configured name is the index's fallback when it decides nothing.
                declared = self._classify_this_member(expr, prop) if obj is not None and obj.type == "this" else None
                return declared if declared is not None and declared.kind == "import" \
                    else ClientRef("client", "configured name")
            root = chain.split(".", 1)[0]
            if root in ("globalThis", "global", "window") or root.startswith("globalFor"):
                return ClientRef("client", "global singleton") if prop in self.config.names else UNKNOWN
        if obj is not None and obj.type in ("this", "super"):
            return self._classify_this_member(expr, prop)
        if obj is not None and obj.type == "identifier" and self.config.chain_is_client("ctx." + prop) \
                and self._graphql_context(obj):
            return ClientRef("client", f"the GraphQL context's {prop} (configured ctx.{prop})")
        declared = self.declared_type_of(obj)
        wrapped = self.types.host_client(declared, prop) or self.types.wrapped_client(declared)
        if wrapped is not None:
            return wrapped
        base = self.classify(obj, depth + 1)
        if base.kind == "import":
            return ClientRef("import", base.origin, base.module, base.name, base.members + (prop,))
        if base.kind == "client":
            return NOT_CLIENT  # a model delegate or `$` method of a client
        return self.property_of(obj, prop, depth)

    def client_class(self, ctor: ts.Node | None) -> bool:
        """`new PrismaClient()`, `new db.PrismaClient()`, or the class imported under another
        name (`import { PrismaClient as RegionClient } from "…"`: one app, two schemas)."""
        name = text(ctor).split(".")[-1]
        if name in self.config.classes:
            return True
        b = self.lookup(name, ctor) if ctor is not None and ctor.type == "identifier" else None
        return b is not None and b.kind == "import" and b.imported in self.config.classes

    def _graphql_context(self, ident: ts.Node) -> bool:
        """An untyped parameter in the position where graphql-js hands a resolver the request
        context: what the configured `ctx.` names mean, whatever the parameter is called."""
        b = self.lookup(text(ident), ident)
        if b is None or b.kind != "param" or b.path:
            return False
        if b.type_text:   # Nexus' generated context type, `GetGen<'context'>`
            return b.type_text.lstrip(": ").replace('"', "'").replace(" ", "") == "GetGen<'context'>"
        return b.value is not None and context_param_index(b.value) == b.index

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
        t = self.declared_type_of(obj)
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

    def declared_type_of(self, expr: ts.Node | None) -> ts.Node | None:
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



def _client_returning_call(node: ts.Node | None) -> bool:
    n = unwrap(node)
    fn = field(n, "function") if n is not None and n.type == "call_expression" else None
    return fn is not None and fn.type == "member_expression" and text(field(fn, "property")) in _CLIENT_RETURNING


def _enclosing_class(node: ts.Node) -> ts.Node | None:
    """The class (declaration or expression) whose body holds `node`."""
    body = enclosing(node, ("class_body",))
    return body.parent if body is not None else None


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
