"""What declared types say about clients (rules.md §0, typed injection).

A parameter, field, variable or function result whose declared type is a client
type (`PrismaClient`, `Prisma.TransactionClient`, the configured ones), a union
holding one, `typeof prisma`, a local class extending a client class, or a type
alias naming one of those, holds a client. A property of an object type
(`type Clients = { dbRead: PrismaClient }`, an interface, an intersection of them) holds what
its type says, and so does a type that names one (`Options["prisma"]`). A type imported
from another module becomes an `import` ClientRef that the project index settles through that
module's exported types (one alias hop or
more across files)."""

from __future__ import annotations

from dataclasses import replace

import tree_sitter as ts

from .generated import prisma_module
from .model import ClientRef
from .nodes import field, text

UNKNOWN = ClientRef("unknown")
_CLS_TRANSACTIONAL = "@nestjs-cls/transactional"
_DECLARATIONS = ("type_alias_declaration", "interface_declaration", "class_declaration",
                 "abstract_class_declaration", "enum_declaration")
# Wrappers around the type that matters: `: T`, `(T)`, `readonly T`, `Promise<T>`, `T[]`'s element is not it.
_WRAPPERS = ("type_annotation", "parenthesized_type", "readonly_type")
# Generic wrappers whose first argument is the type that matters: promises, and utility
# types that keep a client's delegates (`Omit<PrismaClient, "$transaction">` is a replica).
_PROMISES = ("Promise", "PromiseLike", "Awaited", "Omit", "Pick", "Readonly", "NonNullable",
             "Required", "Partial")


# The origin of an import ref for a configured client type the project declares (see
# `_project_class`); index.resolve_ref falls back to a client when the class decides nothing.
CONFIGURED_TYPE = "configured client type, declared by the project"


def _strip(t: ts.Node | None) -> ts.Node | None:
    while t is not None and t.type in _WRAPPERS:
        t = t.named_children[0] if t.named_children else None
    if t is not None and t.type == "generic_type" and text(field(t, "name")) in _PROMISES:
        args = next((c for c in t.named_children if c.type == "type_arguments"), None)
        return _strip(args.named_children[0]) if args is not None and args.named_children else None
    return t


def _omits_transaction(t: ts.Node | None) -> bool:
    """`Omit<T, '$transaction' | '$connect'>`, under any `: T` / `(T)` wrapper."""
    while t is not None and t.type in _WRAPPERS:
        t = t.named_children[0] if t.named_children else None
    if t is None or t.type != "generic_type" or text(field(t, "name")) != "Omit":
        return False
    args = next((c for c in t.named_children if c.type == "type_arguments"), None)
    return args is not None and len(args.named_children) > 1 and "$transaction" in text(args.named_children[1])


def _inner(n: ts.Node | None) -> ts.Node | None:
    """The type inside a type parameter's `= Default` or `extends Constraint`."""
    return _strip(n.named_children[0]) if n is not None and n.named_children else None


# Generic types whose members are not the client their argument names: collections and
# type-level helpers (their element or result is read another way, if at all).
_NOT_WRAPPERS = frozenset({"Array", "ReadonlyArray", "Map", "ReadonlyMap", "Set", "WeakMap", "Record",
                           "ReturnType", "Parameters", "Exclude", "Extract", "InstanceType"})


class TypeReader:
    """Reads the declared types of one file for the Resolver."""

    def __init__(self, resolver):
        self.resolver = resolver
        self._decls: dict[str, ts.Node] | None = None
        # Type parameters of the generic aliases being read, bound to their arguments
        # (or default, or constraint): `WithReplica<PrismaClient>` reads `T` as PrismaClient.
        self.bound: list[dict[str, ts.Node]] = []

    def declaration(self, name: str) -> ts.Node | None:
        """A type alias, interface or class declared anywhere in the file under `name`."""
        if self._decls is None:
            self._decls = {}
            stack = [self.resolver.root]
            while stack:
                n = stack.pop()
                if n.type in _DECLARATIONS:
                    nm = field(n, "name")
                    if nm is not None:
                        self._decls.setdefault(text(nm), n)
                if n.type in ("program", "export_statement", "statement_block", "module",
                              "internal_module", "ambient_declaration"):
                    stack.extend(n.named_children)
        return self._decls.get(name)

    # -- is this type a client? ---------------------------------------------------
    def classify(self, t: ts.Node | None, depth: int = 0) -> ClientRef:
        if _omits_transaction(t):
            # `Omit<Client, "$transaction" | …>` is how Prisma types an interactive transaction's
            # client (Prisma.TransactionClient): code taking one runs inside the caller's.
            r = self.classify(_strip(t), depth + 1)
            return replace(r, tx_param=True) if r.kind in ("client", "import") else r
        t = _strip(t)
        if t is None or depth > 8:
            return UNKNOWN
        cfg = self.resolver.config
        txt = text(t)
        kind = t.type
        if cfg.type_is_client(txt) and kind != "union_type":
            return self._project_class(t) or ClientRef("client", "typed as a client", tx_param="Transaction" in txt)
        if kind == "union_type":
            # `PrismaClient | Prisma.TransactionClient`: a transaction's client only when every
            # member is one; else the callers decide what it is handed.
            refs = [self.classify(c, depth + 1) for c in t.named_children]
            clients = [r for r in refs if r.kind == "client"]
            return replace(clients[0], tx_param=all(r.tx_param for r in clients)) if clients \
                else next((r for r in refs if r.kind == "import"), UNKNOWN)
        if kind == "type_query":
            expr = t.named_children[0] if t.named_children else None
            r = self.resolver.classify(expr, depth + 1)
            return ClientRef("client", "typeof a client", tx_param=r.tx_param) if r.kind == "client" else r
        if kind == "intersection_type":
            # `Omit<T, "$on"> & { $replica(): … }`: a client with more members is a client.
            refs = [self.classify(c, depth + 1) for c in t.named_children]
            return next((r for r in refs if r.kind == "client"), UNKNOWN)
        if kind == "generic_type":
            name = text(field(t, "name"))
            if name in ("ReturnType", "InstanceType"):
                return self._return_type(t, depth)
            args = next((c for c in t.named_children if c.type == "type_arguments"), None)
            decl = self.declaration(name)
            if decl is not None and decl.type == "type_alias_declaration":
                return self._instantiated(decl, args, depth)
            return self.classify(field(t, "name"), depth + 1)
        if kind == "lookup_type" and len(t.named_children) == 2:
            # `Handler["prisma"]`: what the property of that type holds.
            key = t.named_children[1]
            name = text(key)[1:-1] if key.type == "literal_type" and text(key)[:1] in "'\"" else ""
            return self.member(t.named_children[0], name, depth + 1) if name else UNKNOWN
        if kind == "object_type" and len(t.named_children) == 1 and t.named_children[0].type == "index_signature":
            # `{ [K in keyof PrismaClient]: PrismaClient[K] }` (a lazy proxy's type): the
            # client's own members.
            clause = next((c for c in t.named_children[0].named_children if c.type == "mapped_type_clause"), None)
            keys = clause.named_children[-1] if clause is not None and clause.named_children else None
            if keys is not None and keys.type == "index_type_query" and keys.named_children:
                return self.classify(keys.named_children[0], depth + 1)
        if kind == "type_identifier":
            bound = next((m[txt] for m in reversed(self.bound) if txt in m), None)
            if bound is not None:
                return self.classify(bound, depth + 1)
            return self._named(txt, t, depth)
        return UNKNOWN

    def _project_class(self, t: ts.Node) -> ClientRef | None:
        """A configured client type name (`PrismaService`) that names a class another module of
        the repository exports: settled by the index from that class (its instances, or the
        member read from them: `this.prisma.client` of a service wrapping its client), falling
        back to a client when the class says nothing (CONFIGURED_TYPE)."""
        if t.type != "type_identifier":
            return None
        b = self.resolver.lookup(text(t), t)
        # Any module but Prisma's: a bare one may be the project's (tsconfig `paths`).
        if b is None or b.kind != "import" or b.imported in (None, "*") or not b.module \
                or prisma_module(b.module):
            return None
        return ClientRef("import", CONFIGURED_TYPE, b.module, b.imported)

    def wrapped_client(self, t: ts.Node | None) -> ClientRef | None:
        """`prisma: CustomPrismaService<ExtendedPrismaClient>` (nestjs-prisma), `Box<PrismaClient>`:
        a wrapper generic over a client type, not a client itself, holds that client in a member
        (`this.prisma.client.user`). None when the type is no such wrapper."""
        t = _strip(t)
        if t is None or t.type != "generic_type" or text(field(t, "name")) in _NOT_WRAPPERS:
            return None
        if self.classify(field(t, "name")).kind == "client":
            return None   # `PrismaService<…>` is the client; its members are delegates
        args = next((c for c in t.named_children if c.type == "type_arguments"), None)
        for a in args.named_children if args is not None else ():
            r = self.classify(a)
            if r.kind == "client":
                return ClientRef("client", "member of a wrapper typed with a client", tx_param=r.tx_param)
            if r.kind == "import":
                return r   # another module's type: the index settles whether it is a client
        return None

    def _instantiated(self, decl: ts.Node, args: ts.Node | None, depth: int) -> ClientRef:
        """A generic alias read with its parameters bound to the arguments given, else to
        their defaults, else to their constraints (`T extends PrismaClient`)."""
        params = field(decl, "type_parameters")
        given = [a for a in args.named_children] if args is not None else []
        bound: dict[str, ts.Node] = {}
        for i, p in enumerate(c for c in (params.named_children if params is not None else ())
                              if c.type == "type_parameter"):
            name = text(field(p, "name"))
            value = given[i] if i < len(given) else _inner(field(p, "value")) or _inner(field(p, "constraint"))
            if name and value is not None:
                bound[name] = value
        self.bound.append(bound)
        try:
            return self.classify(field(decl, "value"), depth + 1)
        finally:
            self.bound.pop()

    def _return_type(self, t: ts.Node, depth: int) -> ClientRef:
        """`ReturnType<typeof createClient>`: what that function returns; `InstanceType<typeof
        PrismaClient>`: an instance of that class, however the class was loaded (a `require()`
        of a generated client's path)."""
        args = next((c for c in t.named_children if c.type == "type_arguments"), None)
        query = args.named_children[0] if args is not None and args.named_children else None
        if query is None or query.type != "type_query" or not query.named_children:
            return UNKNOWN
        fn = query.named_children[0]
        if fn.type != "identifier":
            return UNKNOWN
        if text(field(t, "name")) == "InstanceType":
            return self.classify(fn, depth + 1) if self.resolver.config.type_is_client(text(fn)) else UNKNOWN
        return self.resolver.call_result(fn, depth + 1)

    def _named(self, name: str, at: ts.Node, depth: int) -> ClientRef:
        decl = self.declaration(name)
        if decl is not None:
            if decl.type == "type_alias_declaration":
                return self._instantiated(decl, None, depth)
            if decl.type in ("class_declaration", "abstract_class_declaration"):
                return self._class_type(decl, depth)
            return UNKNOWN  # an interface: an object type, only its members may be clients
        b = self.resolver.lookup(name, at)
        if b is not None and b.kind == "import" and b.imported != "*":
            if b.imported != name and self.resolver.config.type_is_client(b.imported or ""):
                # `import { type PrismaClient as GlobalClient } from "…/generated/client"`
                return ClientRef("client", "typed as a client", tx_param="Transaction" in (b.imported or ""))
            return self.resolver.import_ref(b.module or "", b.imported or "default", origin="imported type")
        return UNKNOWN

    def classify_class(self, decl: ts.Node) -> ClientRef:
        """Whether an instance of this class declaration is a client."""
        return self._class_type(decl, 0)

    def _class_type(self, decl: ts.Node, depth: int) -> ClientRef:
        """`class PrismaService extends PrismaClient`: an instance is a client."""
        base = class_base(decl)
        if base is None:
            return UNKNOWN
        if text(base).split(".")[-1] in self.resolver.config.classes:
            return ClientRef("client", "instance of a class extending a client")
        if base.type == "identifier":
            inner = self.declaration(text(base))
            if inner is not None and inner.type in ("class_declaration", "abstract_class_declaration"):
                return self._class_type(inner, depth + 1)
        return UNKNOWN

    # -- what does a property of this type hold? -------------------------------------
    def member(self, t: ts.Node | None, prop: str, depth: int = 0) -> ClientRef:
        t = _strip(t)
        if t is None or depth > 8:
            return UNKNOWN
        if t.type in ("object_type", "interface_body"):
            for sig in t.named_children:
                if sig.type == "property_signature" and text(field(sig, "name")) == prop:
                    return self.classify(field(sig, "type"), depth + 1)
            return UNKNOWN
        if t.type in ("union_type", "intersection_type"):
            for c in t.named_children:
                r = self.member(c, prop, depth + 1)
                if r.kind in ("client", "import"):
                    return r
            return UNKNOWN
        if t.type == "type_identifier":
            name = text(t)
            decl = self.declaration(name)
            if decl is not None:
                if decl.type == "type_alias_declaration":
                    return self.member(field(decl, "value"), prop, depth + 1)
                if decl.type == "interface_declaration":
                    found = self.member(field(decl, "body"), prop, depth + 1)
                    return found if found.kind in ("client", "import") \
                        else self._inherited(decl, prop, depth)
                return UNKNOWN
            b = self.resolver.lookup(name, t)
            if b is not None and b.kind == "import" and b.imported != "*":
                return self.resolver.import_ref(b.module or "", b.imported or "default", (prop,),
                                                origin="imported type")
        return UNKNOWN

    def host_client(self, t: ts.Node | None, prop: str) -> ClientRef | None:
        """`txHost.tx` of a `TransactionHost<TransactionalAdapterPrisma>` (`@nestjs-cls/transactional`):
        the client of the transaction the context holds (a `@Transactional()` method up the
        stack), else the plain client; as with a client handed in as a parameter, the caller
        decides. None for any other type or member."""
        t = _strip(t)
        if prop != "tx" or t is None or t.type != "generic_type":
            return None
        name = field(t, "name")
        b = self.resolver.lookup(text(name), name) if name is not None else None
        args = next((c for c in t.named_children if c.type == "type_arguments"), None)
        if b is None or b.kind != "import" or b.module != _CLS_TRANSACTIONAL or b.imported != "TransactionHost" \
                or args is None or "Prisma" not in text(args):
            return None
        return ClientRef("client", "the client of a transaction host (@nestjs-cls/transactional)", tx_param=True)

    # -- what does a method of this type take? ---------------------------------------
    def method_param(self, t: ts.Node | None, method: str, index: int, depth: int = 0) -> ts.Node | None:
        """The written type of parameter `index` of method `method` of an object type or a
        same-file interface (or its same-file bases): what an object literal declared as that
        type gives its method's untyped parameter (`findAll(handle: DBHandle)`)."""
        t = _strip(t)
        if t is None or depth > 8:
            return None
        if t.type in ("object_type", "interface_body"):
            for sig in t.named_children:
                if text(field(sig, "name")) != method:
                    continue
                fn = sig if sig.type == "method_signature" else _strip(field(sig, "type"))
                params = field(fn, "parameters") if fn is not None else None
                items = [c for c in params.named_children if c.type in ("required_parameter", "optional_parameter")] \
                    if params is not None else []
                return field(items[index], "type") if index < len(items) else None
            return None
        if t.type in ("type_identifier", "generic_type"):
            decl = self.declaration(text(field(t, "name")) if t.type == "generic_type" else text(t))
            if decl is not None and decl.type == "type_alias_declaration":
                return self.method_param(field(decl, "value"), method, index, depth + 1)
            if decl is not None and decl.type == "interface_declaration":
                found = self.method_param(field(decl, "body"), method, index, depth + 1)
                for base in _interface_bases(decl) if found is None else ():
                    found = self.method_param(base, method, index, depth + 1)
                    if found is not None:
                        break
                return found
        return None

    def _inherited(self, decl: ts.Node, prop: str, depth: int) -> ClientRef:
        """A property an interface inherits: `interface GraphQLContext extends Context {}`,
        where `Context` (in this file or imported) declares `prisma: PrismaClient`."""
        for base in _interface_bases(decl):
            r = self.member(base, prop, depth + 1)
            if r.kind in ("client", "import"):
                return r
        return UNKNOWN

    def members(self, decl: ts.Node, depth: int = 0) -> tuple[tuple[str, ClientRef], ...]:
        """The client-holding properties of a type alias or interface, for its export, and
        an interface's bases: a same-file base's members inline, an imported base as an
        `INHERITED` entry the index follows into the module it comes from."""
        body = field(decl, "body") if decl.type == "interface_declaration" else _strip(field(decl, "value"))
        out = []
        for sig in body.named_children if body is not None and body.type in ("object_type", "interface_body") else ():
            if sig.type == "property_signature":
                r = self.classify(field(sig, "type"))
                if r.kind in ("client", "import"):
                    out.append((text(field(sig, "name")), r))
        for base in _interface_bases(decl) if depth < 8 else ():
            inner = self.declaration(text(base))
            if inner is not None and inner.type in ("interface_declaration", "type_alias_declaration"):
                out.extend(self.members(inner, depth + 1))
                continue
            b = self.resolver.lookup(text(base), base)
            if inner is None and b is not None and b.kind == "import" and b.imported != "*":
                out.append((INHERITED, self.resolver.import_ref(b.module or "", b.imported or "default",
                                                                origin="inherited type")))
        return tuple(out)


def _interface_bases(decl: ts.Node):
    """The named types after an interface's `extends` (`Context`, `Base<T>` → `Base`)."""
    if decl.type != "interface_declaration":
        return
    for clause in decl.named_children:
        if clause.type == "extends_type_clause":
            for base in clause.named_children:
                base = field(base, "name") if base.type == "generic_type" else base
                if base is not None and base.type == "type_identifier":
                    yield base


# The member key of an exported interface's imported base (`interface Context extends
# IContextData`): a property not found among the members is looked up there.
INHERITED = "<extends>"


def class_base(decl: ts.Node) -> ts.Node | None:
    """The expression after `extends` in a class declaration, if any."""
    for c in decl.named_children:
        if c.type == "class_heritage":
            for h in c.named_children:
                if h.type == "extends_clause":
                    v = field(h, "value")
                    return v if v is not None else (h.named_children[0] if h.named_children else None)
    return None


def declared_type(node: ts.Node | None) -> ts.Node | None:
    """The type annotation of a declarator, parameter or field, if written."""
    return field(node, "type") if node is not None else None

