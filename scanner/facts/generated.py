"""Which module specifiers are the generated Prisma client: the package, or where a
generator's `output` puts it, and which of several generated clients (one per schema) a
specifier names."""

from __future__ import annotations

PRISMA_PACKAGE = "@prisma/client"


def generated_client(module: str) -> str | None:
    """The generated client a module specifier names, or None when it names none:
    `@prisma/client` for the package (and `.prisma/client` behind it); a generator's custom
    `output` under a `generated/` folder by its path from there, named as Prisma's docs name it
    (`../generated/prisma/client` → `generated/prisma`) or per schema
    (`prisma/global/generated/client` → `generated/client`, `generated/platform`); or an output
    under node_modules/.prisma/ (`.prisma/case_management`). The files are not in the
    repository (they are built), so the name is what a file's facts can go by."""
    if module == PRISMA_PACKAGE or module in (".prisma/client", ".prisma/client/index"):
        return PRISMA_PACKAGE
    if module.startswith(".prisma/"):
        return module
    parts = [p for p in module.split("/") if p not in ("", ".", "..")]
    if "generated" not in parts[:-1]:
        return None
    tail = parts[len(parts) - 1 - parts[::-1].index("generated"):]
    if tail[-2:] == ["prisma", "client"]:
        tail = tail[:-1]
    return "/".join(tail) if len(tail) == 2 else None


def prisma_module(module: str) -> bool:
    """A module of the generated Prisma client: the package, an output under .prisma/, or an
    output under generated/ named as a client is (`generated/prisma`, `generated/client2`;
    not `generated/graphql`, another code generator's)."""
    name = generated_client(module)
    return name is not None and (not name.startswith("generated/")
                                 or name.split("/")[1].startswith(("prisma", "client")))
