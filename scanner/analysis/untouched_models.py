"""Models no scanned code touches: the schema declares them, but no Prisma call reads or
writes them and no source file so much as spells a name that could reach them (the client
accessor `payment`, the model's name `Payment` or its table name, a relation field that
points to it; files of a package with no database work, a web front end, do not count). No
query runs against such a table, so what the rules about queries warn of
(a delete meeting a missing cascade, a join without its index; Rule.on_queries) does not
happen while that holds: low (rules.md §8, outside the request path), with the reason as
evidence. How a column stores a value (string-enum-column, …) is a fact of the schema and keeps
its grade here (whether code spells the field itself is analysis/unspelled_fields.py), but for
money in a Float: a table nothing touches has no amount computed in it (float-for-money, low).

The test is textual on purpose, and leans to "touched": a word in a comment, a type import
or a raw SQL string keeps the model's findings as graded, and so does every model when no
scanned code uses any model (a schema scanned without its code), or when some package renders
templates the scan does not parse (Astro pages query in their front matter)."""

from __future__ import annotations

import re

from ..facts.lone_functions import STRING_LITERALS
from .sources import scanned_sources, spelled_words

# Packages whose files (not parsed by the scan) may run server code with a Prisma client.
_UNPARSED_SERVER_CODE = ("astro", "@astrojs/node", "@builder.io/qwik-city")


def untouched_models(index) -> dict[str, str]:
    """{model name: why} for the models (not views or composite types) that no scanned code
    touches, as the module's docstring says."""
    schema = index.schema
    if schema is None or not schema.models or any(
            pkg.dependency(name) for pkg in index.modules.packages.values() for name in _UNPARSED_SERVER_CODE):
        return {}
    used = {m.name for c in index.prisma_calls if c.model and (m := schema.by_client_name(c.model)) is not None}
    if not used:
        return {}   # (no code of the scan uses the schema: the code that does is elsewhere)
    candidates = [m for m in schema.models if m.kind == "model" and not m.ignored and m.name not in used]
    if not candidates:
        return {}
    words: dict[str, set[str]] = {}
    for m in candidates:
        words[m.name] = {w for w in (m.name, m.client_name, m.map) if w}
    for other in schema.models:
        for f in other.fields:
            if f.type in words:
                words[f.type].add(f.name)
    wanted = set().union(*words.values())
    found = _spelled(index, wanted)
    if found is None:
        return {}
    return {name: (f"no scanned code touches {name}: no Prisma call reads or writes it, and no source "
                   f"file of a package that queries the database spells its accessor, its name or a "
                   f"relation to it")
            for name, ws in words.items() if not ws & found}


# Packages through which code may query a table by its name without Prisma.
_DATABASE_CLIENTS = ("@prisma/client", "@supabase/supabase-js", "@supabase/ssr", "pg", "postgres", "mysql2",
                     "mysql", "better-sqlite3", "sqlite3", "@libsql/client", "@neondatabase/serverless",
                     "@vercel/postgres", "@planetscale/database", "drizzle-orm", "kysely", "knex", "typeorm",
                     "sequelize", "mongodb", "mongoose")


def _spelled(index, wanted: set[str]) -> set[str] | None:
    """The words of `wanted` that some scanned source of a package with database work spells
    (as a word); None when a source cannot be read again (it may spell any of them). A package
    none of whose files makes a Prisma call, and which depends on no database client (a web
    front end beside its API: a component named `NotificationBell`, an import path
    `./notification-card`), cannot touch a table by name."""
    texts = scanned_sources(index)
    if texts is None:
        return None
    querying = {index.package_of(c.path) for c in (*index.prisma_calls, *index.unresolved_calls)}
    # A client a workspace root depends on is there for every package below it (hoisted).
    clients = tuple(pkg.dir for pkg in index.modules.packages.values()
                    if any(pkg.dependency(name) is not None for name in _DATABASE_CLIENTS))
    def may_query(path: str) -> bool:
        pkg = index.package_of(path)
        return pkg in querying or any(d == "" or pkg == d or pkg.startswith(d + "/") for d in clients)
    return spelled_words((_touching_text(src) for path, src in texts.items() if may_query(path)), wanted)


# A source's strings and comments, in order (a string first, so `'//'` in a string is no comment).
_TOKENS = re.compile(rb"(?P<s>" + STRING_LITERALS.pattern + rb")|//[^\n]*|/\*.*?\*/", re.S)
# SQL text that only declares a table (`CREATE TABLE IF NOT EXISTS game_hunts (…)`), and text
# that reads or writes rows, which keeps it as it is.
_DDL = re.compile(rb"^[\s`'\"]*(?:CREATE|ALTER|DROP)\s+(?:TABLE|(?:UNIQUE\s+)?INDEX|TYPE|SEQUENCE)\b", re.I)
DML = re.compile(rb"\b(?:INSERT\s+INTO|DELETE\s+FROM|SELECT|UPDATE\s+[\w\"`.]+\s+SET|COPY|MERGE)\b", re.I)


def _touching_text(src: bytes) -> bytes:
    """The source without its comments and without strings of SQL that only declares tables:
    a word there names a table no query runs against (`// 'Dividends',` left in a list, a
    bootstrap script's `CREATE TABLE`); code, and every other string, stay."""
    def keep(m: re.Match) -> bytes:
        lit = m.group("s")
        if lit is None:
            return b" "
        return b"''" if _DDL.match(lit) and not DML.search(lit) else lit
    return _TOKENS.sub(keep, src)
