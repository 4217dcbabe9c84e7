"""Members a file adds to another module's interfaces: `declare module 'fastify' {
interface FastifyInstance { prisma: PrismaClient } }`, TypeScript's module augmentation, the
way a `fastify.decorate('prisma', client)` plugin is typed; and the `decorate` call itself,
which adds the member at run time whether or not a declaration types it. The index reads such
a member as a client wherever a file cannot tell what holds it (`fastify.prisma` in a plugin
whose parameter takes its type from the package, `request.server.prisma`). A global
namespace's interface counts the same (SvelteKit's `App.Locals`, read as `event.locals.db`)."""

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
    return tuple(out) + _decorated(pf) + _request_locals(pf)


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
    if b".decorate(" not in pf.source:
        return ()
    out = []
    for _, args in pf.method_calls("decorate"):
        named = [a for a in args.named_children if a.type != "comment"]
        key = unwrap(named[0]) if len(named) == 2 else None
        if key is None or key.type != "string":
            continue
        ref = pf.resolver.classify(named[1])
        if ref.kind in ("client", "import"):
            out.append(("fastify", "FastifyInstance", text(key).strip("'\"`"), ref))
    return tuple(out)
