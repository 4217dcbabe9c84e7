"""Which module specifiers are the generated Prisma client: the package, or where a
generator's `output` puts it."""

from __future__ import annotations

PRISMA_PACKAGE = "@prisma/client"


def prisma_module(module: str) -> bool:
    """The generated Prisma client: the package, or a generator's custom `output` under a
    `generated/` folder, named as Prisma's docs name it (`generated/prisma`,
    `generated/prisma/client`) or per schema (`prisma/global/generated/client`,
    `generated/client2`), or under node_modules/.prisma/ (`.prisma/case_management`). The
    files are not in the repository (they are built), so the name is what a file's facts can
    go by; a class imported from elsewhere stays unknown."""
    if module == PRISMA_PACKAGE or module.startswith(".prisma/"):
        return True   # `.prisma/client` behind the package, or an output under node_modules/.prisma/
    parts = module.split("/")
    if len(parts) >= 3 and parts[-2:] == ["prisma", "client"]:
        parts = parts[:-1]
    return len(parts) >= 2 and parts[-2] == "generated" and parts[-1].startswith(("prisma", "client"))
