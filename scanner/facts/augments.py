"""Members a file adds to another module's interfaces: `declare module 'fastify' {
interface FastifyInstance { prisma: PrismaClient } }`, TypeScript's module augmentation, the
way a `fastify.decorate('prisma', client)` plugin is typed; and the `decorate` call itself,
which adds the member at run time whether or not a declaration types it. The index reads such
a member as a client wherever a file cannot tell what holds it (`fastify.prisma` in a plugin
whose parameter takes its type from the package, `request.server.prisma`)."""

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
    return tuple(out) + _decorated(pf)


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
