"""Members a file adds to another module's interfaces: `declare module 'fastify' {
interface FastifyInstance { prisma: PrismaClient } }`, TypeScript's module augmentation, the
way a `fastify.decorate('prisma', client)` plugin is typed; and the `decorate` call itself,
which adds the member at run time whether or not a declaration types it. The index reads such
a member as a client wherever a file cannot tell what holds it (`fastify.prisma` in a plugin
whose parameter takes its type from the package, `request.server.prisma`). A global
namespace's interface counts the same (SvelteKit's `App.Locals`, read as `event.locals.db`),
and so does a request context's variable a middleware sets (Hono's `c.set('db', prisma)`,
read as `c.var.db` or `c.get('db')`), and a field the module's own classes hold a client in
(`class App { prisma = prisma }`, read as `app.prisma` of an instance handed around untyped)."""

from __future__ import annotations

from .client_types import INHERITED
from .model import ClientRef
from .nodes import field, text, unwrap
from .parsed import ParsedFile


def extract(pf: ParsedFile) -> tuple[tuple[str, str, str, ClientRef], ...]:
    """(module, interface, member, what the member's type is) for each client-holding member."""
    out = []
    for stmt in pf.root.named_children:
        if stmt.type != "ambient_declaration":
            continue
        out += _global_namespaces(pf, stmt)
        for mod in stmt.named_children:
            name, body = field(mod, "name"), field(mod, "body")
            if mod.type != "module" or name is None or name.type != "string" or body is None:
                continue
            for decl in body.named_children:
                decl = field(decl, "declaration") if decl.type == "export_statement" else decl
                if decl is None or decl.type != "interface_declaration":
                    continue
                out += [(text(name).strip("'\"`"), text(field(decl, "name")), member, ref)
                        for member, ref in pf.resolver.types.members(decl) if member != INHERITED]
    return tuple(out) + _decorated(pf) + _request_locals(pf) + _context_variables(pf) + _class_fields(pf)


def _global_namespaces(pf: ParsedFile, stmt) -> list[tuple[str, str, str, ClientRef]]:
    """`declare global { namespace App { interface Locals { db: PrismaClient } } }`: SvelteKit's
    request locals (`event.locals.db`), typed by augmenting a global namespace's interface."""
    block = next((c for c in stmt.named_children if c.type == "statement_block"), None)
    out = []
    for item in block.named_children if block is not None else ():
        ns = item.named_children[0] if item.type == "expression_statement" and item.named_children else item
        body = field(ns, "body") if ns.type == "internal_module" else None
        for decl in body.named_children if body is not None else ():
            decl = field(decl, "declaration") if decl.type == "export_statement" else decl
            if decl is not None and decl.type == "interface_declaration":
                where = f"{text(field(ns, 'name'))}.{text(field(decl, 'name'))}"
                out += [("global", where, member, ref)
                        for member, ref in pf.resolver.types.members(decl) if member != INHERITED]
    return out


def _request_locals(pf: ParsedFile) -> tuple[tuple[str, str, str, ClientRef], ...]:
    """`event.locals.db = prisma` in a hook (SvelteKit, Astro; Express's `res.locals`): every
    request's locals then hold the client under that name, read as `locals.db`."""
    if b".locals." not in pf.source:
        return ()
    out = []
    # Every assignment of the file, as the combined query's taint pattern captures them.
    for n in pf.captures("taint").get("assign", []):
        left = field(n, "left")
        obj = field(left, "object") if left is not None and left.type == "member_expression" else None
        if obj is not None and text(obj).rsplit(".", 1)[-1] == "locals":
            ref = pf.resolver.classify(field(n, "right"))
            if ref.kind in ("client", "import"):
                out.append(("locals", "locals", text(field(left, "property")), ref))
    return tuple(out)


def _decorated(pf: ParsedFile) -> tuple[tuple[str, str, str, ClientRef], ...]:
    """`fastify.decorate('prisma', prisma)`: Fastify's instance API adds the member `prisma`,
    held by what the second argument is (a client, or an import the index settles)."""
    return _keyed_clients(pf, "decorate", ("fastify", "FastifyInstance"))


def _context_variables(pf: ParsedFile) -> tuple[tuple[str, str, str, ClientRef], ...]:
    """`c.set('db', prisma)` in a middleware: every request's context then holds the client
    under that key, read as `c.var.db` or `c.get('db')` (Hono's context variables). Only a
    client value counts, so a `Map`'s or a header's `set` adds nothing."""
    return _keyed_clients(pf, "set", ("context", "variables"))


def _keyed_clients(pf: ParsedFile, method: str, where: tuple[str, str]) -> tuple[tuple[str, str, str, ClientRef], ...]:
    """(module, interface, key, value) for each `x.method('key', value)` whose value is a
    client or an import the index settles."""
    if f".{method}(".encode() not in pf.source:
        return ()
    out = []
    for _, args in pf.method_calls(method):
        named = [a for a in args.named_children if a.type != "comment"]
        key = unwrap(named[0]) if len(named) == 2 else None
        if key is None or key.type != "string":
            continue
        ref = pf.resolver.classify(named[1])
        if ref.kind in ("client", "import"):
            out.append((*where, text(key).strip("'\"`"), ref))
    return tuple(out)


def context_key(pf: ParsedFile, node) -> str | None:
    """The key a receiver reads from a request context, `c.get('db')` or a variable holding
    it (`const db = c.get('db')`): the index reads it as that variable (`_context_variables`)."""
    v = unwrap(node)
    if v is not None and v.type == "identifier":
        b = pf.resolver.lookup(text(v), v)
        v = unwrap(b.value) if b is not None and b.kind == "var" and not b.path else None
    fn = field(v, "function") if v is not None and v.type == "call_expression" else None
    prop = field(fn, "property") if fn is not None and fn.type == "member_expression" else None
    args = field(v, "arguments") if prop is not None and text(prop) == "get" else None
    named = [a for a in args.named_children if a.type != "comment"] if args is not None else []
    key = unwrap(named[0]) if len(named) == 1 else None
    return text(key).strip("'\"`") if key is not None and key.type == "string" else None


def _class_fields(pf: ParsedFile) -> tuple[tuple[str, str, str, ClientRef], ...]:
    """The client fields of the module's classes (`class App { public prisma = prisma }`,
    `constructor(private db: PrismaService)`): an instance handed around untyped (the bot a
    command callback receives, `run({ app }) { app.prisma.user… }`) holds its client there."""
    if b"class " not in pf.source:
        return ()
    out = []
    for stmt in pf.root.named_children:
        cls = field(stmt, "declaration") if stmt.type == "export_statement" else stmt
        if cls is None or cls.type not in ("class_declaration", "abstract_class_declaration"):
            continue
        name = text(field(cls, "name"))
        out += [("class", name, member, ref) for member, ref in pf.resolver.class_members(cls)]
    return tuple(out)
