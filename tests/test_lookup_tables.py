"""Lookup tables (analysis/created_models.py): models whose rows only seeds and scripts create.
Seeds out of the scan's scope are read as text; an auth library's Prisma adapter creates its
models' rows on sign-in, so a seeded admin user does not make `User` a lookup table."""

from __future__ import annotations

from conftest import scan_dir
from treeutil import make_tree

SCHEMA = ('datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
          "model User {\n  id String @id\n  email String\n}\nmodel Currency {\n  code String @id\n}\n")
SEED = ('import { PrismaClient } from "@prisma/client"\nconst prisma = new PrismaClient()\n'
        "async function main() {\n  await prisma.user.create({ data: { id: 'admin', email: 'a@b.c' } })\n"
        "  await prisma.currency.createMany({ data: [{ code: 'EUR' }] })\n}\nmain()\n")
CODE = ('import { PrismaClient } from "@prisma/client"\nexport const prisma = new PrismaClient()\n'
        "export const users = () => prisma.user.findMany({ where: { email: { not: '' } } })\n"
        "export const currencies = () => prisma.currency.findMany({ where: { code: { not: '' } } })\n")
AUTH = ('import NextAuth from "next-auth"\nimport { PrismaAdapter } from "@auth/prisma-adapter"\n'
        'import { prisma } from "./db"\nexport const { handlers } = NextAuth({ adapter: PrismaAdapter(prisma) })\n')


def _lookups(root, files) -> set[str]:
    result = scan_dir(str(make_tree(root, {"prisma/schema.prisma": SCHEMA, "prisma/seed.ts": SEED,
                                           "src/db.ts": CODE, **files})),
                      ("unbounded-find-many",), min_confidence="low")
    return {f.model for f in result.findings if "lookup table" in f.evidence[0]}


def test_seeded_models_are_lookup_tables_unless_an_auth_adapter_creates_them(tmp_path):
    assert _lookups(tmp_path / "plain", {}) == {"user", "currency"}
    # Near miss: Auth.js's adapter creates users on sign-up; currencies stay a lookup table.
    assert _lookups(tmp_path / "auth", {"src/auth.ts": AUTH}) == {"currency"}
