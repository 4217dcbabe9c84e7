"""What dbaudit could not analyse is said: Prisma-shaped calls whose receiver was not
recognised are counted, named in every report and listed by `dbaudit facts --unresolved`,
and one config line makes them count (issue 16)."""

from __future__ import annotations

import json

from cliutil import dbaudit
from conftest import FIXTURES, scan_dir
from treeutil import make_tree

FORMS = FIXTURES / "facts" / "client-forms"
SCHEMA = ('datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
          "model User {\n  id String @id\n}\nmodel Note {\n  id String @id\n}\n")


def test_the_client_forms_fixture_leaves_only_its_near_misses_unresolved():
    result = scan_dir(str(FORMS))
    got = {(u.path, u.line, u.receiver) for u in result.index.unresolved_calls}
    assert got == {("src/services/jobs.ts", 10, "target"), ("src/services/notes.ts", 59, "store"),
                   ("src/services/notes.ts", 61, "other"), ("src/services/lazy-use.ts", 5, "registry.counters()"),
                   ("src/services/typed-use.ts", 9, "(boxed as any)"),
                   ("src/graphql/resolvers/notes.ts", 10, "context.prisma"),
                   ("src/repositories/notes.ts", 35, "store"),
                   ("src/services/this-receivers.ts", 37, "this"), ("src/services/this-receivers.ts", 44, "this"),
                   ("src/desktop/sales.ts", 8, "store"), ("src/services/method-clients.ts", 34, "this.label()"),
                   ("src/bot/commands.ts", 20, "bot.cache"), ("src/hono/app.ts", 25, "store"),
                   ("src/bot/runner.ts", 26, "ledger.pages"), ("src/bot/runner.ts", 27, "app.storage"),
                   ("src/services/service-users.ts", 18, "this.label")}
    rec = result.stats["recognition"]
    assert rec["unresolved"] == 16 and rec["analysed"] == len(result.index.prisma_calls)
    assert rec["prisma_shaped_calls"] == rec["analysed"] + 16


def _scan_app(tmp_path, files: dict[str, str]):
    """Scan an app of `files` beside the two-model schema."""
    return scan_dir(str(make_tree(tmp_path / "app", {"prisma/schema.prisma": SCHEMA, **files})))


def _factory_app(tmp_path, names=None):
    files = {
        "prisma/schema.prisma": SCHEMA,
        # A client the scanner cannot see into: made by a package outside the repository.
        "src/db.ts": 'import { makeClients } from "@vendor/db"\nexport const dbWrite = makeClients().write\n',
        "src/notes.ts": 'import { dbWrite } from "./db"\n'
                        "export async function list() {\n"
                        "  await dbWrite.note.findMany({ take: 5 })\n"
                        "  await dbWrite.user.count()\n"
                        "  return dbWrite.note.count()\n}\n",
        "src/ok.ts": 'import { PrismaClient } from "@prisma/client"\nconst prisma = new PrismaClient()\n'
                     "export const n = () => prisma.user.count()\n",
    }
    if names is not None:
        files[".dbaudit.yaml"] = f"prisma:\n  client_names: [{', '.join(names)}]\n"
    return make_tree(tmp_path / "app", files)


def test_reports_say_what_was_not_analysed(tmp_path):
    root = _factory_app(tmp_path)
    report = json.loads(dbaudit("scan", root, "-f", "json", "--fail-on", "critical").out)
    rec = report["stats"]["recognition"]
    assert (rec["prisma_shaped_calls"], rec["analysed"], rec["unresolved"]) == (4, 1, 3)
    assert rec["top_unresolved"] == [{"receiver": "dbWrite", "calls": 3, "files": 1,
                                      "example": "src/notes.ts:3", "configurable": True}]
    warning = next(w for w in report["warnings"] if w["kind"] == "recognition")
    assert "only 1 of 4 Prisma-shaped calls analysed (25%)" in warning["message"]
    assert "dbWrite (3)" in warning["message"]
    assert "client_names: [prisma, db, prismaClient, tx, ctx.prisma, ctx.db, this.prisma, this.db, dbWrite]" \
        in warning["message"]
    text = dbaudit("scan", root, "--fail-on", "critical").out
    assert "Partial audit: 1 of 4 Prisma-shaped calls analysed (25%)" in text
    sarif = json.loads(dbaudit("scan", root, "-f", "sarif", "--fail-on", "critical").out)
    assert sarif["runs"][0]["properties"]["recognition"]["unresolved"] == 3
    html = dbaudit("scan", root, "-f", "html", "--fail-on", "critical").out
    assert "Partial audit: 1 of 4 Prisma-shaped calls analysed (25%)" in html


def test_facts_unresolved_lists_calls_by_receiver(tmp_path):
    root = _factory_app(tmp_path)
    out = dbaudit("facts", root, "--unresolved").out
    assert out.splitlines()[:3] == ["1 of 4 Prisma-shaped calls analysed (25%).", "dbWrite: 3 call(s)",
                                    "  src/notes.ts:3  note.findMany"]
    data = json.loads(dbaudit("facts", root, "--unresolved", "-f", "json").out)
    assert [g["receiver"] for g in data["receivers"]] == ["dbWrite"]
    assert [(c["line"], c["model"], c["operation"]) for c in data["receivers"][0]["calls"]] == \
        [(3, "note", "findMany"), (4, "user", "count"), (5, "note", "count")]


def test_the_suggested_config_line_makes_them_count(tmp_path):
    root = _factory_app(tmp_path, ["prisma", "dbWrite"])
    report = json.loads(dbaudit("scan", root, "-f", "json", "--fail-on", "critical").out)
    assert report["stats"]["recognition"]["unresolved"] == 0
    assert not [w for w in report["warnings"] if w["kind"] == "recognition"]


def test_configured_names_cover_members_and_calls(tmp_path):
    result = _scan_app(tmp_path, {
        ".dbaudit.yaml": "prisma:\n  client_names: [clients.write, this._store, getDb()]\n",
        "src/a.ts": 'import { clients, getDb } from "@vendor/db"\n'
                    "export class S {\n  constructor(private _store: any) {}\n"
                    "  a() { return this._store.user.count() }\n}\n"
                    "export const b = () => clients.write.note.count()\n"
                    "export const c = () => getDb().note.count()\n"
                    "export const d = () => clients.read.note.count()\n",
    })
    assert sorted(c.line for c in result.index.prisma_calls) == [4, 6, 7]
    assert [(u.line, u.receiver) for u in result.index.unresolved_calls] == [(8, "clients.read")]


def test_a_receiver_split_over_lines_is_one_receiver(tmp_path):
    rec = _scan_app(tmp_path, {
        "src/a.ts": 'import { registry } from "@vendor/db"\n'
                    "export const a = () => registry.get().note.count()\n"
                    "export const b = () => registry\n  .get()\n  .note.count()\n",
    }).stats["recognition"]
    assert [(t["receiver"], t["calls"], t["configurable"]) for t in rec["top_unresolved"]] == \
        [("registry.get()", 2, True)]


def test_members_the_project_declares_on_a_package_interface(tmp_path):
    """`fastify.decorate('prisma', client)` typed by `declare module 'fastify' { interface
    FastifyInstance { prisma: PrismaClient } }`: `fastify.prisma` is a client in a plugin whose
    parameter takes its type from the package, and `request.server.prisma` of a parameter typed
    with one of the package's interfaces. A member nothing declares stays unresolved."""
    result = _scan_app(tmp_path, {
        "src/plugins/prisma.ts": "import fp from 'fastify-plugin'\nimport { PrismaClient } from '@prisma/client'\n"
                                 "export default fp(async (fastify) => {\n"
                                 "  fastify.decorate('prisma', new PrismaClient())\n})\n"
                                 "declare module 'fastify' {\n  interface FastifyInstance {\n"
                                 "    prisma: PrismaClient\n  }\n}\n",
        "src/routes/notes.ts": "import type { FastifyPluginAsync, FastifyRequest } from 'fastify'\n"
                               "const notes: FastifyPluginAsync = async (fastify) => {\n"
                               "  fastify.get('/notes', async () => fastify.prisma.note.findMany({ take: 5 }))\n"
                               "  fastify.get('/users', async () => fastify.store.user.count())\n"
                               "}\n"
                               "export async function one(request: FastifyRequest) {\n"
                               "  return request.server.prisma.note.count()\n}\n"
                               "export default notes\n",
        # Another app of the repository (its own package.json): the declaration is not its.
        "tools/admin/package.json": "{}",
        "tools/admin/src/jobs.ts": "export const run = (context: any) => context.prisma.note.count()\n",
    })
    got = {(c.path, c.line): c.origin for c in result.index.prisma_calls}
    assert set(got) == {("src/routes/notes.ts", 3), ("src/routes/notes.ts", 7)}
    assert got[("src/routes/notes.ts", 3)] == \
        "`prisma` declared a client on fastify's FastifyInstance (src/plugins/prisma.ts)"
    assert [(u.path, u.receiver) for u in result.index.unresolved_calls] == [
        ("src/routes/notes.ts", "fastify.store"), ("tools/admin/src/jobs.ts", "context.prisma")]


def test_calls_naming_models_the_schema_read_lacks_are_said(tmp_path):
    # The schema read declares Reset only (a throwaway schema named by --schema); the code's
    # calls on the recognised client name other models: counted, not analysed, and named.
    root = make_tree(tmp_path / "app", {
        "package.json": json.dumps({"scripts": {"reset": "prisma db push --schema=./db/reset.prisma"}}),
        "db/reset.prisma": 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
                           "model Reset {\n  id Int @id\n}\n",
        "src/db.ts": 'import { PrismaClient } from "@prisma/client"\nexport const prisma = new PrismaClient()\n',
        "src/bookings.ts": 'import { prisma } from "./db"\n'
                           "export const list = () => prisma.booking.findMany({ take: 5 })\n"
                           "export const one = (id: string) => prisma.booking.findUnique({ where: { id } })\n"
                           "export const reset = () => prisma.reset.count()\n"
                           # Near miss: not a client, so not a Prisma call of any model.
                           "const cache = new Map()\nexport const drop = (k: string) => cache.entries.delete(k)\n",
    })
    report = json.loads(dbaudit("scan", root, "-f", "json", "--fail-on", "critical").out)
    rec = report["stats"]["recognition"]
    assert (rec["prisma_shaped_calls"], rec["analysed"], rec["unresolved"], rec["off_schema"]) == (3, 1, 0, 2)
    assert rec["top_off_schema"] == [{"model": "booking", "calls": 2, "example": "src/bookings.ts:2"}]
    warning = next(w for w in report["warnings"] if w["kind"] == "recognition")["message"]
    assert "only 1 of 3 Prisma-shaped calls analysed (33%)" in warning
    assert "2 calls on Prisma clients name models the schema read (db/reset.prisma) does not declare: " \
           "booking (2)" in warning
    assert "prisma: { schema: path/to/schema.prisma }" in warning and "Receivers not recognised" not in warning
    listed = dbaudit("facts", root, "--unresolved").out
    assert "  src/bookings.ts:3  prisma.booking.findUnique" in listed
    html = dbaudit("scan", root, "-f", "html", "--fail-on", "critical").out
    assert "Partial audit: 1 of 3 Prisma-shaped calls analysed (33%)" in html
    assert "the schema read (<code>db/reset.prisma</code>) does not declare" in html
    assert "<code>booking</code>: 2 call(s)" in html and "Receivers not recognised" not in html


def test_a_client_type_exported_by_an_export_clause_two_files_away(tmp_path):
    # `export type { Tx }` (a clause, not `export type Tx = …`) of an alias wrapping another
    # file's client type: a parameter typed with it is a client.
    rec = _scan_app(tmp_path, {
        "src/client.ts": 'import { PrismaClient } from "@prisma/client"\n'
                         "function make(url: string) { return new PrismaClient().$extends({}) }\n"
                         "type Extended = ReturnType<typeof make>\nexport type { Extended }\n",
        "src/types.ts": 'import type { Extended } from "./client"\n'
                        "type Tx = Omit<Extended, '$connect' | '$transaction'>\nexport type { Tx }\n"
                        # Near miss: an alias of something else, exported the same way.
                        "type Page = { size: number }\nexport type { Page }\n",
        "src/notes.ts": 'import type { Tx, Page } from "./types"\n'
                        "export const list = (client: Tx) => client.note.findMany({ take: 5 })\n"
                        "export const other = (store: Page) => store.note.findMany({ take: 5 })\n",
    }).stats["recognition"]
    assert (rec["analysed"], rec["unresolved"]) == (1, 1)
    assert rec["top_unresolved"][0]["receiver"] == "store"


def test_a_member_of_a_wrapper_typed_with_a_client(tmp_path):
    # nestjs-prisma's `CustomPrismaService<Client>` holds the client in `.client`: a wrapper
    # generic over a client type is not a client, its member is. Near misses: a Map of
    # clients' members, and a wrapper over something that is not a client.
    result = _scan_app(tmp_path, {
        "src/prisma.extension.ts": 'import { PrismaClient } from "@prisma/client"\n'
                                   "export const make = () => new PrismaClient().$extends({})\n"
                                   "export type Extended = ReturnType<typeof make>\n",
        "src/users.service.ts": 'import { CustomPrismaService } from "nestjs-prisma"\n'
                                'import type { Extended } from "./prisma.extension"\n'
                                "export class UsersService {\n"
                                "  constructor(private prisma: CustomPrismaService<Extended>,\n"
                                "              private store: Box<{ size: number }>,\n"
                                "              private clients: Map<string, Extended>) {}\n"
                                "  list() { return this.prisma.client.user.findMany({ take: 5 }) }\n"
                                "  other() { return this.store.client.note.findMany({ take: 5 }) }\n"
                                "  sized() { return this.clients.size }\n"
                                "}\n",
    })
    assert [(c.path, c.line) for c in result.index.prisma_calls] == [
        ("src/users.service.ts", 7)]
    assert [(u.path, u.line, u.receiver) for u in result.index.unresolved_calls] == [
        ("src/users.service.ts", 8, "this.store.client")]


def test_the_client_of_a_nestjs_cls_transaction_host(tmp_path):
    # `@nestjs-cls/transactional`: `txHost.tx` is the client of the transaction the context
    # holds (`@Transactional()` up the stack) or the plain one: a client whose transaction the
    # caller decides, as one handed in as a parameter. Near misses: a host over another ORM's
    # adapter, and a same-named class of the project's own.
    result = _scan_app(tmp_path, {
        "src/users.repository.ts": (
            'import { Transactional, TransactionHost } from "@nestjs-cls/transactional"\n'
            'import { TransactionalAdapterPrisma } from "@nestjs-cls/transactional-adapter-prisma"\n'
            'import { TransactionalAdapterTypeOrm } from "@nestjs-cls/transactional-adapter-typeorm"\n'
            'import { TransactionHost as Host } from "./host"\n'
            "export class UsersRepository {\n"
            "  constructor(private readonly txHost: TransactionHost<TransactionalAdapterPrisma>,\n"
            "              private readonly ormHost: TransactionHost<TransactionalAdapterTypeOrm>,\n"
            "              private readonly own: Host<TransactionalAdapterPrisma>) {}\n"
            "  @Transactional()\n"
            "  async rename(id: string) {\n"
            "    await this.txHost.tx.user.update({ where: { id }, data: {} })\n"
            "    await this.txHost.tx.note.deleteMany({ where: { id } })\n"
            "  }\n"
            "  other() { return this.ormHost.tx.note.findMany({ take: 5 }) }\n"
            "  mine() { return this.own.tx.note.findMany({ take: 5 }) }\n"
            "}\n"),
        "src/host.ts": "export class TransactionHost<T> { tx: unknown }\n",
    })
    calls = [(c.path, c.line, c.in_transaction) for c in result.index.prisma_calls]
    assert calls == [("src/users.repository.ts", 11, True), ("src/users.repository.ts", 12, True)]
    assert [(u.line, u.receiver) for u in result.index.unresolved_calls] == [
        (14, "this.ormHost.tx"), (15, "this.own.tx")]
    assert not [f for f in result.findings if f.rule == "write-without-transaction"]


def test_a_client_member_under_a_client_is_counted_not_dropped(tmp_path):
    # `prisma.replica.user.findMany()`: Prisma has no models under a model or `$` member, so
    # the receiver is something the scan did not type. It is counted as not analysed instead
    # of vanishing. Near miss: the plain call is analysed.
    result = _scan_app(tmp_path, {
        "src/db.ts": 'import { PrismaClient } from "@prisma/client"\nconst prisma = new PrismaClient()\n'
                     "export const a = () => prisma.replica.user.findMany({ take: 1 })\n"
                     "export const b = () => prisma.user.findMany({ take: 1 })\n",
    })
    rec = result.stats["recognition"]
    assert (rec["analysed"], rec["unresolved"]) == (1, 1)
    assert rec["top_unresolved"][0]["receiver"] == "prisma.replica"


def test_a_client_handed_in_an_object_argument(tmp_path):
    # `save({ db: prisma, id })`: a parameter's property that every caller fills with a client
    # is one. Near miss: a caller handing something else leaves it unresolved.
    result = _scan_app(tmp_path, {
        "src/notes.ts": 'import { PrismaClient } from "@prisma/client"\nconst prisma = new PrismaClient()\n'
                        "export const save = (input: { db: any; id: string }) => input.db.note.findMany({ take: 1 })\n"
                        "export const keep = (input: { store: any }) => input.store.note.findMany({ take: 1 })\n"
                        "export const run = () => [save({ db: prisma, id: 'a' }), keep({ store: new Map() })]\n",
    })
    assert [(c.path, c.line, c.origin) for c in result.index.prisma_calls] == [
        ("src/notes.ts", 3, "property given a client by its 1 caller(s)")]
    assert [(u.line, u.receiver) for u in result.index.unresolved_calls] == [(4, "input.store")]


def test_an_object_literal_typed_by_a_type_assertion_types_its_methods(tmp_path):
    # `export default <Command>{ execute(conn) {…} }`: the asserted type types the untyped
    # parameters of the literal's methods, as a declared type or `satisfies` does. Near miss:
    # the same literal with no type leaves `store` unresolved.
    result = _scan_app(tmp_path, {
        "src/commands/info.ts": 'import { PrismaClient } from "@prisma/client"\n'
                                "interface Command { execute(db: PrismaClient, id: string): unknown }\n"
                                "export default <Command>{\n"
                                "  async execute(conn, id) { return conn.user.findFirst({ where: { id } }) },\n"
                                "}\n"
                                "export const plain = {\n"
                                "  async execute(store, id) { return store.note.findFirst({ where: { id } }) },\n"
                                "}\n",
    })
    assert [(c.line, c.model) for c in result.index.prisma_calls] == [(4, "user")]
    assert [(u.line, u.receiver) for u in result.index.unresolved_calls] == [(7, "store")]


def test_a_graphql_resolvers_context_parameter_is_the_request_context(tmp_path):
    # graphql-js calls every resolver `(source, args, context, info)`: an untyped third parameter
    # of a field config's `resolve` / `subscribe` / `authorize` (Nexus, Pothos, graphql-js), or of
    # a function in a resolver map beside `Query`, is the request context, so the configured
    # `ctx.prisma` names its client whatever the parameter is called. Pothos' `prismaField` puts
    # the query first (context fourth); Nexus types it `GetGen<'context'>`. Near misses: the
    # second parameter, a map with no root type, and a member `ctx.` does not name.
    result = _scan_app(tmp_path, {
        "src/schema.ts": "import { objectType } from 'nexus'\n"
                         "import { GetGen } from 'nexus/dist/typegenTypeHelpers'\n"
                         "export const Query = objectType({\n"
                         "  name: 'Query',\n"
                         "  definition(t) {\n"
                         "    t.list.field('notes', {\n"
                         "      authorize: (_s, _a, c) => c.prisma.user.count().then(Boolean),\n"
                         "      resolve: (_parent, _args, context) => context.prisma.note.findMany({ take: 5 }),\n"
                         "    })\n"
                         "    t.prismaField({ type: 'User', resolve: (query, _r, _a, ctx) => ctx.prisma.user.findFirst(query) })\n"
                         "    t.field('second', { resolve: (_p, context) => context.prisma.note.findFirst() })\n"
                         "    t.field('store', { resolve: (_p, _a, context) => context.store.note.findFirst() })\n"
                         "  },\n"
                         "})\n"
                         "export const typed = (_r: unknown, _a: unknown, context: GetGen<'context'>) =>\n"
                         "  context.prisma.user.findFirst()\n",
        "src/resolvers.ts": "export const resolvers = {\n"
                            "  Query: { notes: (_p, _a, context) => context.prisma.note.findMany({ take: 5 }) },\n"
                            "  Note: { author: (note, _a, context) => context.prisma.user.findFirst() },\n"
                            "}\n"
                            "export const helpers = { Util: { f: (_p, _a, context) => context.prisma.note.count() } }\n",
    })
    assert sorted((c.path, c.line) for c in result.index.prisma_calls) == [
        ("src/resolvers.ts", 2), ("src/resolvers.ts", 3), ("src/schema.ts", 7), ("src/schema.ts", 8),
        ("src/schema.ts", 10), ("src/schema.ts", 16)]
    assert sorted((u.path, u.line, u.receiver) for u in result.index.unresolved_calls) == [
        ("src/resolvers.ts", 5, "context.prisma"), ("src/schema.ts", 11, "context.prisma"),
        ("src/schema.ts", 12, "context.store")]
    assert {c.origin for c in result.index.prisma_calls if c.path == "src/resolvers.ts"} == {
        "the GraphQL context's prisma (configured ctx.prisma)"}


def test_the_client_class_and_type_imported_under_another_name(tmp_path):
    # One app, two databases: each generated client's class imported under an alias
    # (`PrismaClient as RegionClient`) from a generator's `output` under generated/, and its
    # type aliased too. Near miss: another package's class under an alias is no client.
    result = _scan_app(tmp_path, {
        "src/db.ts": "import { PrismaClient as RegionClient, type PrismaClient as RegionType } "
                     "from 'prisma/region/generated/client'\n"
                     "import { Pool as Db } from 'pg'\n"
                     "const g = globalThis as { region?: RegionType }\n"
                     "export const region = g.region ?? new RegionClient()\n"
                     "export const pool = new Db()\n"
                     "export const count = (db: RegionType) => db.user.count()\n",
        "src/use.ts": "import { region, pool } from './db'\n"
                      "export const a = () => region.note.findMany({ take: 5 })\n"
                      "export const b = () => pool.note.findMany({ take: 5 })\n",
    })
    assert sorted((c.path, c.line) for c in result.index.prisma_calls) == [("src/db.ts", 6), ("src/use.ts", 2)]
    assert [(u.path, u.receiver) for u in result.index.unresolved_calls] == [("src/use.ts", "pool")]


def test_a_resolver_map_makes_the_functions_it_names_graphql_resolvers(tmp_path):
    # `Query: { …userQueries, bucket }` of the map graphql-tools and Apollo Server take: each
    # function a spread module namespace exports (`import * as`, or `export * as` re-exported),
    # each function an exported object holds, and an imported function named directly are
    # operation resolvers, entry points though their own files show no registration. Near
    # misses: a map declared as another type, and a helper the namespaces do not export.
    result = _scan_app(tmp_path, {
        "src/db.ts": "import { PrismaClient } from '@prisma/client'\nexport const prisma = new PrismaClient()\n",
        "src/queries/user.ts": "import { prisma } from '../db'\n"
                               "export const user = (_p, { id }) => prisma.user.findUnique({ where: { id } })\n"
                               "function helper() { return prisma.user.count() }\n",
        "src/queries/note.ts": "import { prisma } from '../db'\n"
                               "export async function notes() { return prisma.note.findMany({ take: 5 }) }\n",
        "src/queries/index.ts": "export * as userQueries from './user'\n",
        "src/mutations.ts": "import { prisma } from './db'\n"
                            "const publish = (_p, { id }) => prisma.note.update({ where: { id }, data: {} })\n"
                            "export const noteMutations = { publish }\n"
                            "export const archive = (_p, { id }) => prisma.note.delete({ where: { id } })\n"
                            "export const unused = (_p, { id }) => prisma.note.delete({ where: { id } })\n",
        "src/resolvers.ts": "import { userQueries } from './queries'\n"
                            "import * as noteQueries from './queries/note'\n"
                            "import { noteMutations, archive, unused } from './mutations'\n"
                            "export const resolvers = {\n"
                            "  Query: { ...userQueries, ...noteQueries },\n"
                            "  Mutation: { ...noteMutations, archive },\n"
                            "}\n"
                            "export const other: Handlers = { Mutation: { unused } }\n",
    })
    kinds = {(c.path, c.line): c.entry_kind for c in result.index.prisma_calls}
    assert kinds == {
        ("src/queries/user.ts", 2): "graphql-resolver", ("src/queries/user.ts", 3): None,
        ("src/queries/note.ts", 2): "graphql-resolver",
        ("src/mutations.ts", 2): "graphql-resolver", ("src/mutations.ts", 4): "graphql-resolver",
        ("src/mutations.ts", 5): None,
    }


def test_a_fastify_decorate_call_adds_a_client_member(tmp_path):
    # `fastify.decorate('prisma', prisma)` adds the member at run time, typed or not: the
    # instance's member (`fastify.prisma`, `req.server.prisma`, an untyped plugin's `app.prisma`)
    # holds the client, as a `declare module 'fastify'` augmentation would say. Near misses:
    # a member decorated with something else, and a decorate with a computed name.
    result = _scan_app(tmp_path, {
        "package.json": '{ "name": "api", "dependencies": { "fastify": "^4" } }\n',
        "src/plugins/prisma.ts": "import fp from 'fastify-plugin'\n"
                                 "import { PrismaClient } from '@prisma/client'\n"
                                 "const prisma = new PrismaClient()\n"
                                 "export default fp(async (fastify) => {\n"
                                 "  fastify.decorate('prisma', prisma)\n"
                                 "  fastify.decorate('store', new Map())\n"
                                 "  fastify.decorate(NAME, prisma)\n"
                                 "})\n",
        "src/routes/notes.ts": "import { FastifyInstance, FastifyRequest } from 'fastify'\n"
                               "export default async function routes(fastify: FastifyInstance) {\n"
                               "  fastify.get('/a', async () => fastify.prisma.note.findMany({ take: 5 }))\n"
                               "  fastify.get('/b', async (req: FastifyRequest) => req.server.prisma.user.count())\n"
                               "  fastify.get('/c', async () => fastify.store.note.findMany({ take: 5 }))\n"
                               "}\n"
                               "export const untyped = async (app) => { app.get('/d', async () => app.prisma.note.count()) }\n"
                               # (an assertion around the member holds the same value; near miss:
                               # the same around the member decorated with something else)
                               "export const asserted = async (app) => (app.prisma as any).note.count()\n"
                               "export const other = async (app) => (app.store as any).note.count()\n",
    })
    assert sorted((c.path, c.line) for c in result.index.prisma_calls) == [
        ("src/routes/notes.ts", 3), ("src/routes/notes.ts", 4), ("src/routes/notes.ts", 7),
        ("src/routes/notes.ts", 8)]


def test_a_model_delegate_behind_a_cast_or_assertion_is_a_prisma_call(tmp_path):
    # `(prisma.user as any).create()`, `prisma.user!.update()`, `(tx.note).findMany()`: the
    # delegate is wrapped, the call is the same. Near misses: the same wrapping of a member of
    # something that is not a client, and an operation Prisma does not have.
    result = _scan_app(tmp_path, {
        "src/db.ts": 'import { PrismaClient } from "@prisma/client"\nconst prisma = new PrismaClient()\n'
                     "const cache = new Map<string, { create(x: unknown): void }>()\n"
                     "export async function a(id: string) {\n"
                     "  await (prisma.user as any).create({ data: { id } })\n"
                     "  await prisma.user!.update({ where: { id }, data: {} })\n"
                     "  await prisma.$transaction(async (tx) => (tx.note).findMany({ take: 1 }))\n"
                     "  await (prisma.user satisfies object as any).delete({ where: { id } })\n"
                     "  ;(cache.user as any).create({ data: { id } })\n"
                     "  ;(prisma.user as any).frobnicate({ data: { id } })\n"
                     "}\n",
    })
    got = [(c.line, c.model, c.operation) for c in result.index.prisma_calls if c.model]
    assert got == [(5, "user", "create"), (6, "user", "update"), (7, "note", "findMany"), (8, "user", "delete")]
    assert result.stats["recognition"]["unresolved"] == 0


def test_a_service_class_imported_through_a_tsconfig_path_holds_its_client(tmp_path):
    # `import { PrismaService } from 'src/prisma/prisma.service'` (tsconfig `baseUrl`/`paths`):
    # the project's class, read like a relative import; its field `c` holds the extended
    # client. Near miss: the same shape from a package the scan does not have stays unread.
    result = _scan_app(tmp_path, {
        "tsconfig.json": '{ "compilerOptions": { "baseUrl": "./", "paths": { "src/*": ["./src/*"] } } }',
        "src/prisma/prisma.service.ts": 'import { PrismaClient } from "@prisma/client"\n'
                                        "export class PrismaService {\n"
                                        "  constructor() { this.c = createClient() }\n"
                                        "  public c: Extended\n"
                                        "}\n"
                                        "export const createClient = () => {\n"
                                        "  const client = new PrismaClient()\n"
                                        "  return client.$extends({})\n"
                                        "}\n"
                                        "type Extended = ReturnType<typeof createClient>\n",
        "src/users.service.ts": 'import { PrismaService } from "src/prisma/prisma.service"\n'
                                "export class UsersService {\n"
                                "  constructor(private prisma: PrismaService) {}\n"
                                "  list() { return this.prisma.c.user.findMany({ take: 5 }) }\n"
                                "}\n",
        "src/notes.service.ts": 'import { PrismaService } from "some-package/prisma.service"\n'
                                "export class NotesService {\n"
                                "  constructor(private prisma: PrismaService) {}\n"
                                "  list() { return this.prisma.c.note.findMany({ take: 5 }) }\n"
                                "}\n",
    })
    assert [(c.path, c.line) for c in result.index.prisma_calls] == [("src/users.service.ts", 4)]
    assert [(u.path, u.receiver) for u in result.index.unresolved_calls] == [("src/notes.service.ts", "this.prisma.c")]


def test_a_client_a_function_hands_to_the_callback_it_is_given(tmp_path):
    # `tryPrisma((p) => p.note.findMany())` where `tryPrisma(thunk)` runs `thunk(await
    # getPrisma())`: the callback's parameter is a client, as a parameter is when every caller
    # passes one. Near miss: a helper that calls its callback with something else leaves the
    # callback's receiver unresolved.
    result = _scan_app(tmp_path, {
        "src/db.ts": 'import { PrismaClient } from "@prisma/client"\nconst prisma = new PrismaClient()\n'
                     "export async function getPrisma() { return prisma }\n",
        "src/safe.ts": 'import { getPrisma } from "./db"\n'
                       "export async function tryPrisma<T>(thunk: (p: any) => Promise<T>, fallback: T) {\n"
                       "  try { const p = await getPrisma(); return await thunk(p) } catch { return fallback }\n"
                       "}\n"
                       "export async function withCache<T>(thunk: (c: any) => Promise<T>) {\n"
                       "  return thunk(new Map())\n"
                       "}\n",
        "src/notes.ts": 'import { tryPrisma, withCache } from "./safe"\n'
                        "export const list = () => tryPrisma((p) => p.note.findMany({ take: 5 }), [])\n"
                        "export const cached = () => withCache((c) => c.note.findMany({ take: 5 }))\n",
    })
    assert [(c.path, c.line, c.origin) for c in result.index.prisma_calls] == [
        ("src/notes.ts", 2, "parameter given a client by its 1 caller(s)")]
    assert [(u.line, u.receiver) for u in result.index.unresolved_calls] == [(3, "c")]


def test_an_awaited_call_with_type_arguments_is_a_call_site(tmp_path):
    # The grammar reads `await run<T>(db, cb)` as `(await run)<T>(db, cb)`: the callee is
    # still `run`, so the callback it runs inside `$transaction` gets the transaction's client,
    # and its two writes share that transaction. Near miss: the same call of a helper that hands
    # its callback no client leaves the receiver unresolved.
    result = _scan_app(tmp_path, {
        "src/db.ts": 'import { PrismaClient } from "@prisma/client"\nexport const prisma = new PrismaClient()\n',
        "src/once.ts": "import type { PrismaClient } from '@prisma/client'\n"
                       "export const runOnce = async <T>(db: PrismaClient, op: (t: any) => Promise<T>) =>\n"
                       "  db.$transaction(async (transaction) => {\n"
                       "    await transaction.$executeRaw`SELECT pg_advisory_xact_lock(1)`\n"
                       "    const value = await op(transaction)\n"
                       "    return value\n"
                       "  })\n"
                       "export const runBare = async <T>(op: (t: any) => Promise<T>) => op(new Map())\n",
        "src/notes.ts": 'import { prisma } from "./db"\nimport { runOnce, runBare } from "./once"\n'
                        "export async function make(title: string) {\n"
                        "  return await runOnce<number>(prisma, async (transaction) => {\n"
                        "    const note = await transaction.note.create({ data: { title } })\n"
                        "    await transaction.user.create({ data: { id: note.id } })\n"
                        "    return note.id\n"
                        "  })\n"
                        "}\n"
                        "export const bare = () => runBare<number>(async (m) => m.note.count())\n",
    })
    assert sorted((c.path, c.line) for c in result.index.prisma_calls if c.path == "src/notes.ts") == [
        ("src/notes.ts", 5), ("src/notes.ts", 6)]
    assert [(u.path, u.line, u.receiver) for u in result.index.unresolved_calls] == [("src/notes.ts", 10, "m")]
    assert not [f for f in result.findings if f.rule == "write-without-transaction"]


def test_a_variable_a_getter_sets_to_a_client_on_first_use(tmp_path):
    # `let client` with no value, set by a getter the first time it runs (`if (client) return
    # client; client = g.prisma ?? new PrismaClient()`): a client, since every assignment
    # sets one. Near miss: a variable one assignment sets to something else stays unresolved.
    result = _scan_app(tmp_path, {
        "src/db.ts": 'import { PrismaClient } from "@prisma/client"\n'
                     "let client: any\n"
                     "export const getDb = async () => {\n"
                     "  if (client) return client\n"
                     "  const g = globalThis as any\n"
                     "  client = g.prisma ?? new PrismaClient()\n"
                     "  return client\n"
                     "}\n"
                     "let other: any\n"
                     "export const getOther = () => { if (!other) other = new PrismaClient(); else other = {}\n"
                     "  return other }\n",
        "src/notes.ts": 'import { getDb, getOther } from "./db"\n'
                        "export async function list() { const conn = await getDb()\n"
                        "  return conn.note.findMany({ take: 5 }) }\n"
                        "export async function more() { const store = getOther()\n"
                        "  return store.note.findMany({ take: 5 }) }\n",
    })
    assert [(c.path, c.line) for c in result.index.prisma_calls] == [("src/notes.ts", 3)]
    assert [(u.line, u.receiver) for u in result.index.unresolved_calls] == [(5, "store")]


def test_a_field_typed_by_a_property_of_a_default_exported_interface(tmp_path):
    # `prisma: Options["prisma"]`, where `Options` is an intersection of interfaces one of which
    # is a module's default export with `prisma: PrismaClient`: the field holds a client, and so
    # does that field of the exported instance. Near miss: a property of the same type that is
    # no client (`logger: Options["logger"]`).
    result = _scan_app(tmp_path, {
        "src/bot/options.ts": 'import type { PrismaClient } from "@prisma/client"\n'
                              "export default interface BaseOptions {\n"
                              "  prisma: PrismaClient\n"
                              "  logger: { info(m: string): void }\n"
                              "}\n",
        "src/bot/handler.ts": 'import type BaseOptions from "./options"\n'
                              "type Options = BaseOptions & { prefix: string }\n"
                              "export default class Handler {\n"
                              '  public prisma: Options["prisma"]\n'
                              '  public logger: Options["logger"]\n'
                              "  constructor(o: Options) { this.prisma = o.prisma; this.logger = o.logger }\n"
                              "}\n",
        "src/main.ts": 'import { PrismaClient } from "@prisma/client"\n'
                       'import Handler from "./bot/handler"\n'
                       "const handler = new Handler({ prisma: new PrismaClient(), logger: console, prefix: '!' })\n"
                       "export default handler\n",
        "src/lib/users.ts": 'import handler from "../main"\n'
                            "export const users = () => handler.prisma.user.findMany({ take: 5 })\n"
                            "export const notes = () => handler.logger.note.findMany({ take: 5 })\n",
    })
    assert ("src/lib/users.ts", 2) in [(c.path, c.line) for c in result.index.prisma_calls]
    assert [(u.path, u.line, u.receiver) for u in result.index.unresolved_calls] == [
        ("src/lib/users.ts", 3, "handler.logger")]


_SAFE = ("export const safe = (handler: (event: any) => Promise<unknown>) =>\n"
         "  defineEventHandler(async (event) => handler(event))\n")
_ROUTE = ("{imp}export default safe(async (event) => {{\n"
          "  const body = await readBody(event)\n"
          "  return prisma.note.create({{ data: body }})\n}})\n")


def test_a_nuxt_route_served_through_an_auto_imported_wrapper(tmp_path):
    # Nitro imports what server/utils exports for the app's server code: a route file that
    # exports `safe(async (event) => …)` without importing `safe` is served through it, so
    # its function is the route's handler. Near misses: the same wrapper name in an app
    # without nuxt, and a file outside server/.
    files = {"server/utils/safe.ts": _SAFE, "src/db.ts": 'export { prisma } from "./prisma"\n',
             "src/prisma.ts": 'import { PrismaClient } from "@prisma/client"\nexport const prisma = new PrismaClient()\n'}
    route = _ROUTE.format(imp='import { prisma } from "../../src/db"\n')
    nuxt = _scan_app(tmp_path / "nuxt", {**files, "package.json": '{"dependencies": {"nuxt": "^3.12.0"}}',
                                         "server/api/notes.post.ts": route,
                                         "lib/notes.ts": _ROUTE.format(imp='import { prisma } from "../src/db"\n')})
    plain = _scan_app(tmp_path / "plain", {**files, "package.json": '{"dependencies": {"h3": "^1.12.0"}}',
                                           "server/api/notes.post.ts": route})
    def entries(result):
        return sorted((p, result.index.own_entry_kind(p, f.id)) for p, facts in result.index.files.items()
                      for f in facts.functions if result.index.own_entry_kind(p, f.id))
    assert entries(nuxt) == [("server/api/notes.post.ts", "nitro-handler")]
    assert entries(plain) == []
    assert [(f.rule, f.path) for f in nuxt.findings if f.rule == "unvalidated-input"] \
        == [("unvalidated-input", "server/api/notes.post.ts")]


def test_a_trpc_server_side_caller_is_no_client(tmp_path):
    # `appRouter.createCaller(ctx)` runs procedures: `caller.note.create(…)` is no Prisma call
    # left unresolved. Near miss: a client's call beside it still counts.
    result = _scan_app(tmp_path, {
        "src/router.ts": "export const appRouter = { createCaller: (ctx: object) => ctx }\n",
        "src/prisma.ts": 'import { PrismaClient } from "@prisma/client"\nexport const prisma = new PrismaClient()\n',
        "src/sync.ts": 'import { appRouter } from "./router"\nimport { prisma } from "./prisma"\n'
                       "export async function sync() {\n"
                       "  const caller = appRouter.createCaller({})\n"
                       "  await caller.note.create({ id: '1' })\n"
                       "  return prisma.note.create({ data: { id: '2' } })\n}\n",
    })
    assert [u.receiver for u in result.index.unresolved_calls] == []
    assert [(c.path, c.line) for c in result.index.prisma_calls] == [("src/sync.ts", 6)]


def test_a_nuxt_client_from_an_auto_imported_util(tmp_path):
    # `usePrisma()` and `db` in a Nuxt app's server code, never imported: Nitro imports what
    # server/utils exports, so they are clients. Near miss: the same code in an app without
    # nuxt leaves them unresolved (and said).
    files = {"server/utils/usePrisma.ts": 'import { PrismaClient } from "@prisma/client"\n'
                                          "const prisma = new PrismaClient()\n"
                                          "export const usePrisma = () => prisma\nexport const db = prisma\n",
             "server/api/notes.get.ts": "export default defineEventHandler(async () => {\n"
                                        "  await db.user.count()\n"
                                        "  return usePrisma().note.findMany({ take: 5 })\n})\n"}
    nuxt = _scan_app(tmp_path / "nuxt", {**files, "package.json": '{"devDependencies": {"nuxt": "^3.12.0"}}'})
    plain = _scan_app(tmp_path / "plain", {**files, "package.json": '{"dependencies": {"h3": "^1.12.0"}}'})
    assert sorted((c.path, c.line) for c in nuxt.index.prisma_calls) == [("server/api/notes.get.ts", 2),
                                                                        ("server/api/notes.get.ts", 3)]
    assert nuxt.index.unresolved_calls == []
    assert sorted(u.receiver for u in plain.index.unresolved_calls) == ["usePrisma()"]


def test_an_instance_of_an_imported_client_class(tmp_path):
    # `new PrismaService()` and `new Db()` of classes another module declares as `extends
    # PrismaClient` are clients (they were dropped without a word). Near miss: an instance of
    # an imported class that is no client makes no Prisma call; its model-shaped call is said,
    # as for any imported value the scan cannot place as a client.
    result = _scan_app(tmp_path, {
        "src/prisma.service.ts": 'import { PrismaClient } from "@prisma/client"\n'
                                 "export class PrismaService extends PrismaClient {}\n"
                                 "export class Db extends PrismaClient {}\nexport class Cache { user = new Map() }\n",
        "src/a.ts": 'import { Cache, Db, PrismaService } from "./prisma.service"\n'
                    "const prisma = new PrismaService()\nconst db2 = new Db()\nconst cache = new Cache()\n"
                    "export const f = () => prisma.user.count()\nexport const g = () => db2.note.count()\n"
                    "export const h = () => cache.user.delete('x')\n",
    })
    assert sorted((c.path, c.line) for c in result.index.prisma_calls) == [("src/a.ts", 5), ("src/a.ts", 6)]
    assert [(u.receiver, u.line) for u in result.index.unresolved_calls] == [("cache", 7)]


def test_an_exported_instance_of_a_repo_client_class(tmp_path):
    # `export const store = new PrismaService()` in one module, used in another: a client.
    result = _scan_app(tmp_path, {
        "src/prisma.service.ts": 'import { PrismaClient } from "@prisma/client"\n'
                                 "export class PrismaService extends PrismaClient {}\n",
        "src/db.ts": 'import { PrismaService } from "./prisma.service"\nexport const store = new PrismaService()\n',
        "src/a.ts": 'import { store } from "./db"\nexport const f = () => store.user.count()\n',
    })
    assert [(c.path, c.line) for c in result.index.prisma_calls] == [("src/a.ts", 2)]
