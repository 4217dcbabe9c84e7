"""Unit checks of fact shapes that fixtures cannot show by annotation alone."""

from __future__ import annotations

from scanner.config import load_config
from scanner.engine import client_config
from scanner.facts.extract import extract_facts


def facts(src: str, path: str = "lib/x.ts", role: str = "lib"):
    return extract_facts(path, role, src.encode(), client_config(load_config(None)))


def test_factory_cached_on_global_is_global_reuse():
    f = facts(
        "import { PrismaClient } from '@prisma/client'\n"
        "const prismaClientSingleton = () => new PrismaClient({ omit: {} })\n"
        "export const prisma = global.prisma ?? prismaClientSingleton()\n"
    )
    [c] = f.clients_created
    assert c.global_reuse and c.function >= 0


def test_inline_global_singleton_and_plain_client():
    f = facts(
        "import { PrismaClient } from '@prisma/client'\n"
        "const g = globalThis as unknown as { prisma?: PrismaClient }\n"
        "export const prisma = g.prisma ?? new PrismaClient()\n"
        "export const other = new PrismaClient()\n"
    )
    assert [c.global_reuse for c in f.clients_created] == [True, False]
    assert [c.binding for c in f.clients_created] == ["prisma", "other"]


def test_loop_frames_and_branches():
    f = facts(
        "import { prisma } from './db'\n"
        "export async function f(ids: string[], flag: boolean) {\n"
        "  for await (const id of ids) { if (flag) { await prisma.user.delete({ where: { id } }); return }"
        " else { await prisma.user.update({ where: { id }, data: {} }) } }\n"
        "}\n"
    )
    a, b = f.prisma_calls
    assert [l.kind for l in a.ctx.loops] == ["for-await"]
    assert a.ctx.branches[0].arm == 0 and a.ctx.branches[0].exits
    assert b.ctx.branches[0].arm == 1 and not b.ctx.branches[0].exits
    assert a.ctx.awaited and a.args.where_equality_only


def test_try_and_catch_keys():
    f = facts(
        "import { prisma } from './db'\n"
        "export async function f() {\n"
        "  try { await prisma.a.create({ data: {} }) } catch (e) { await prisma.b.create({ data: {} }) }\n"
        "}\n"
    )
    a, b = f.prisma_calls
    assert a.ctx.trys and not a.ctx.catches
    assert b.ctx.catches == a.ctx.trys and not b.ctx.trys


def test_result_rows_narrowed():
    f = facts(
        "import { prisma } from './db'\n"
        "export async function f() {\n"
        "  const rows = await prisma.trade.findMany()\n"
        "  const open = rows.filter((r) => r.open)\n"
        "  for (const r of rows) { if (r.x) continue }\n"
        "}\n"
    )
    [c] = f.prisma_calls
    assert c.result == "rows" and c.narrowed == (4, 5)


def _calls(f):
    return sorted(f.prisma_calls, key=lambda c: c.span.line)


def test_if_arm_tests_are_conjuncts_not_reassigned():
    f = facts(
        "import { prisma } from './db'\n"
        "export async function f(a: string, b: string, n: number, on: boolean) {\n"
        "  if (b !== a && n > 1) { await prisma.t.update({ where: { id: a }, data: {} }) }\n"
        "  if (a === b) { await prisma.t.update({ where: { id: a }, data: {} }); a = 'x' }\n"
        "  if (on) { } else { await prisma.t.update({ where: { id: a }, data: {} }) }\n"
        "  if (on || n) { await prisma.t.update({ where: { id: a }, data: {} }) }\n"
        "}\n"
    )
    tests = [tuple(t for s in c.ctx.branches for t in s.tests) for c in _calls(f)]
    assert tests == [("a!==b", "n>1"), ("a===b",), ("!on",), ()]
    after = [tuple(t for s in c.ctx.branches for t in s.after_tests) for c in _calls(f)]
    assert after == [("a!==b", "n>1"), (), ("!on",), ()]


def test_after_tests_know_a_variable_set_from_a_tested_value():
    f = facts(
        "import { prisma } from './db'\n"
        "export async function f(o: { c?: string; b?: { c: string } }) {\n"
        "  let c = o.c\n"
        "  if (!c && o.b?.c) { c = o.b.c; await prisma.t.update({ where: { id: c }, data: {} }) }\n"
        "  if (!c && o.b) { c = load(); await prisma.t.update({ where: { id: 'x' }, data: {} }) }\n"
        "}\n"
    )
    after = [tuple(t for s in c.ctx.branches for t in s.after_tests) for c in _calls(f)]
    assert after == [("c",), ("o.b",)]  # o.b?.c is dropped: its names include the assigned c


def test_exit_guard_after_a_bound_result():
    f = facts(
        "import { prisma } from './db'\n"
        "export async function f(id: string, force: boolean) {\n"
        "  const [row] = await prisma.t.updateManyAndReturn({ where: { id }, data: {} })\n"
        "  if (row) return row\n"
        "  const { count } = await prisma.t.updateMany({ where: { id }, data: {} })\n"
        "  if (count > 0) { return null }\n"
        "  const other = await prisma.t.update({ where: { id }, data: {} })\n"
        "  if (force) return other\n"
        "  await prisma.t.create({ data: {} })\n"
        "}\n"
    )
    guards = [c.exit_guard_end > 0 for c in _calls(f)]
    assert guards == [True, True, False, False]


# -- request entry points ----------------------------------------------------------------

def entries(src: str, path: str = "lib/x.ts", role: str = "lib") -> dict[str, str | None]:
    return {f.name: f.entry_kind for f in facts(src, path, role).functions}


def test_remix_loader_and_action_in_route_modules():
    src = ("export async function loader({ params }) { return params }\n"
           "export const action = async ({ request }) => request.formData()\n"
           "export function meta() { return [] }\n")
    assert entries(src, "app/routes/notes.tsx", "remix-route") == {
        "loader": "remix-loader", "action": "remix-action", "meta": None}
    # A flat-routes folder module (`app/routes/notes/route.tsx`) keeps the `route` role.
    assert entries(src, "app/routes/notes/route.tsx", "route")["loader"] == "remix-loader"
    # Outside app/routes and not named in a routes.ts: a plain helper.
    assert set(entries(src).values()) == {None}


def test_sveltekit_endpoints_loads_and_actions():
    route = "src/routes/notes/+page.server.ts"
    src = ("export const load = async ({ params }) => params.id\n"
           "export const actions = {\n"
           "  default: async ({ request }) => request.formData(),\n"
           "  async archive(event) { return event.params },\n"
           "} satisfies Actions\n"
           "const helpers = { save: async (x) => x }\n"
           "export function format(x) { return x }\n")
    assert entries(src, route, "sveltekit-route") == {
        "load": "sveltekit-load", "default": "sveltekit-action", "archive": "sveltekit-action",
        "save": None, "format": None}
    endpoint = "export async function GET({ url }) { return url }\nexport const POST = async (e) => e\n"
    assert set(entries(endpoint, "src/routes/api/+server.ts", "sveltekit-route").values()) \
        == {"sveltekit-handler"}
    # The same exports in a plain module are not SvelteKit's.
    assert set(entries(src, "src/routes/notes/helpers.ts").values()) == {None}


def test_nitro_event_handlers():
    assert entries("export default defineEventHandler(async (event) => readBody(event))\n",
                   "server/api/notes.post.ts") == {"<callback of defineEventHandler>": "nitro-handler"}
    assert set(entries("export default eventHandler({ handler: async (e) => getQuery(e) })\n",
                       "routes/x.ts").values()) == {"nitro-handler"}
    # Not the module's default export: a helper.
    assert set(entries("export const h = defineEventHandler(async (event) => 1)\n",
                       "server/api/x.ts").values()) == {None}


def test_schema_first_graphql_resolvers_by_their_generated_types():
    src = ("import type { MutationResolvers, QueryResolvers, Resolvers } from '../gen/gql'\n"
           "export function submit(store): MutationResolvers['submit'] {\n"
           "  return async (_p, { input }, ctx) => store.save(input)\n"
           "}\n"
           "export const Query: QueryResolvers<Ctx> = {\n"
           "  posts: async (_r, args) => args,\n"
           "  async post(_r, args) { return args },\n"
           "}\n"
           "export const resolvers: gql.Resolvers = {\n"
           "  Mutation: { create: (_r, args) => args },\n"
           "  Post: { author: (parent) => parent.author },\n"
           "}\n"
           "export const other: Handlers = { Mutation: { create: (_r, args) => args } }\n"
           "export const helper = async (args: { id: string }) => args\n")
    got = [(f.name, f.span.line, f.entry_kind) for f in facts(src, "src/resolvers/index.ts", "lib").functions]
    kinds = {(name, line): kind for name, line, kind in got}
    assert {k for k, kind in kinds.items() if kind == "graphql-resolver"} == {
        (name, line) for name, line, _ in got if line in (3, 6, 7, 10)}
    # Near misses: the factory itself, a field resolver of an object type (`Post.author`), a
    # `Mutation` member of a map not typed as resolvers, a plain helper.
    assert {line for name, line, kind in got if kind is None} == {2, 11, 13, 14}


def test_untyped_resolver_maps_are_schema_first_resolvers():
    # The map graphql-tools and Apollo Server take, written without generated types: a
    # function directly in its Query / Mutation / Subscription object is an operation resolver.
    src = ("export const resolvers = {\n"
           "  Query: {\n"
           "    feed: async (_parent, args, ctx) => ctx.prisma.post.findMany(),\n"
           "    async post(_parent, { id }) { return id },\n"
           "  },\n"
           "  Mutation: { publish: (_r, { id }) => id },\n"
           "  Post: { author: (parent) => parent.author },\n"
           "}\n"
           "const server = new ApolloServer({ typeDefs, resolvers: { Subscription: { tick: () => 1 } } })\n"
           "export const cache = new InMemoryCache({ typePolicies: { Query: { fields: {\n"
           "  feed: { merge: (existing, incoming) => incoming },\n"
           "} } } })\n"
           "export const perms = shield({ Query: { users: rule()(async (_p, _a, ctx) => true) } })\n")
    got = [(f.name, f.span.line, f.entry_kind) for f in facts(src, "src/graphql/resolvers.ts", "lib").functions]
    assert {line for _, line, kind in got if kind == "graphql-resolver"} == {3, 4, 6, 9}
    # Near misses: a field resolver of an object type, Apollo Client's cache policies (a
    # function under `fields`, not in `Query`), a graphql-shield rule (a call's argument).
    assert {line for _, line, kind in got if kind is None} == {7, 11, 13}


def test_code_first_graphql_resolvers_by_their_schema_builder_call():
    src = ("import { builder } from './builder'\n"
           "import { extendType, mutationField, objectType } from 'nexus'\n"
           "builder.mutationField('updateEvent', (t) =>\n"
           "  t.prismaField({ type: Event, resolve: async (query, _, args) => args }))\n"
           "builder.queryFields((t) => ({\n"
           "  events: t.field({ type: [Event], async resolve(_r, args) { return args } }),\n"
           "}))\n"
           "export const Mut = mutationField('vote', { type: 'Vote', resolve: (_r, args) => args })\n"
           "export const Q = extendType({ type: 'Query', definition(t) {\n"
           "  t.field('me', { type: 'User', resolve: (_r, _a, ctx) => ctx.user })\n"
           "} })\n"
           "builder.prismaObject('Post', { fields: (t) => ({\n"
           "  author: t.relation('author', { resolve: (q, post) => post }),\n"
           "}) })\n"
           "export const User = objectType({ name: 'User', definition(t) {\n"
           "  t.field('posts', { resolve: (user) => user })\n"
           "} })\n"
           "new Promise((resolve) => resolve(1))\n")
    got = [(f.span.line, f.entry_kind) for f in facts(src, "src/schema/events.ts", "lib").functions]
    assert {line for line, kind in got if kind == "graphql-resolver"} == {4, 6, 8, 10}
    # Near misses: the builder callbacks giving `t`, `definition(t)`, field resolvers of
    # object types (`Post.author`, `User.posts`), a Promise executor.
    assert {line for line, kind in got if kind is None} == {3, 5, 9, 12, 13, 15, 16, 18}


def test_remix_wrapped_loader_is_the_inline_function():
    f = facts("import { withUser } from '../session'\n"
              "export const loader = withUser(requireAdmin, async (args) => args.params.id)\n",
              "apps/web/app/routes/admin.tsx", "remix-route")
    [fn] = [fn for fn in f.functions if fn.entry_kind]
    assert (fn.entry_kind, fn.inline_callback, fn.span.line) == ("remix-loader",
                                                                 "withUser", 2)


def test_handlers_registered_on_a_path():
    src = ("const app = express(); const router = Router()\n"
           "async function create(req, res) {}\n"
           "router.post('/notes', auth, create)\n"
           "router.get(`/notes/${v}`, async (req, res) => {})\n"
           "app.route('/x').put(async function put(request, reply) {})\n"
           "app.get('setting')\n"
           "map.get(key, async () => 1)\n"
           "cache.get('/x')\n"
           "http.get('/api/user', ({ request }) => null)\n"
           "function auth(req, res, next) {}\n"
           "app.post('/y', { schema: S, handler: async (request, reply) => {} })\n"
           "app.post('/z', { schema: S, onSend: async (request, reply) => {} })\n")
    f = facts(src)
    got = {(fn.name, fn.span.line): fn.entry_kind for fn in f.functions}
    assert got == {("create", 2): "http-handler", ("<callback of router.get>", 4): "http-handler",
                   ("put", 5): "http-handler", ("<callback of map.get>", 7): None,
                   ("<callback of http.get>", 9): None, ("auth", 10): "http-handler",
                   ("handler", 11): "http-handler", ("onSend", 12): None}
    assert f.role == "http-router"


def test_nest_controller_and_graphql_resolver_methods():
    src = ("@Controller('notes')\nexport class Notes {\n"
           "  constructor(private s: S) {}\n"
           "  @Post() @HttpCode(201) create(@Body() dto: CreateDto) {}\n"
           "  @Get(':id') one(@Param('id') id: string) {}\n"
           "  helper() {}\n}\n"
           "class Job { @Get() run() {} }\n"
           "@Resolver(() => Note) class NoteResolver { @Mutation(() => Note) add(@Args('input') i: any) {} "
           "@ResolveField() owner() {} }\n")
    got = {(fn.class_name, fn.name): fn.entry_kind for fn in facts(src).functions if fn.class_name}
    assert got == {("Notes", "constructor"): None, ("Notes", "create"): "nest-handler",
                   ("Notes", "one"): "nest-handler", ("Notes", "helper"): None, ("Job", "run"): None,
                   ("NoteResolver", "add"): "graphql-resolver", ("NoteResolver", "owner"): None}


def test_nest_parameters_as_request_input():
    f = facts("import { prisma } from './db'\n"
              "@Controller('n') class N {\n"
              "  @Post() a(@Body() dto: CreateDto) { return prisma.note.create({ data: dto }) }\n"
              "  @Post() b(@Body() body: Record<string, unknown>) { return prisma.note.create({ data: body }) }\n"
              "  @Post() c(@Body('title') title: string) { return prisma.note.create({ data: { title } }) }\n"
              "  @Get() d(@Param('id', ParseIntPipe) id: number) { return prisma.note.delete({ where: { id } }) }\n"
              "  @Get() e(@Req() req: Request) { return prisma.note.create({ data: req.body }) }\n}\n")
    flows = {(f.prisma_calls[t.sink].span.line, t.source, t.mass_assignment) for t in f.taint}
    assert flows == {(4, "body", True), (5, "body", False), (7, "body", True)}


def test_hono_request_inputs():
    f = facts("app.post('/n/:id', async (c) => { const body = await c.req.json();"
              " return [c.req.param('id'), c.req.query('q'), c.req.valid('json')] })\n")
    assert sorted(i.kind for i in f.inputs) == ["json", "params", "query"]


def test_graphql_args_without_an_input_class():
    """GraphQL checks each argument against its declared type before the resolver runs: a
    scalar (`id: string`, `{ type: () => Int }`), an enum or an input class carries no filter
    object. A JSON scalar (`{ type: () => GraphQLJSON }`, whatever the TypeScript type says)
    or a type the code leaves open (`any`) can."""
    f = facts("import { prisma } from './db'\n"
              "@Resolver() class R {\n"
              "  @Mutation() a(@Args('data') data: any) { return prisma.note.create({ data }) }\n"
              "  @Mutation() b(@Args('data') data: NoteInput) { return prisma.note.create({ data }) }\n"
              "  @Query() c(@Args('id') id: string) { return prisma.note.findMany({ where: { id } }) }\n"
              "  @Query() d(@Args('take', { type: () => Int }) take = 20) { return prisma.note.findMany({ take }) }\n"
              "  @Query() e(@Args('where', { type: () => GraphQLJSON }) where: NoteWhere) {\n"
              "    return prisma.note.findMany({ where }) }\n}\n")
    assert {(f.prisma_calls[t.sink].span.line, t.source) for t in f.taint} == {(3, "graphql-args"), (8, "graphql-args")}


def test_every_entry_kind_is_documented():
    from conftest import REPO
    from scanner.facts.entries import ENTRY_KINDS
    page = (REPO / "docs" / "entry-points.md").read_text(encoding="utf-8")
    assert [k for k in ENTRY_KINDS if f"`{k}`" not in page] == []


def test_typed_framework_handlers_are_http_entry_points():
    """A function whose first two parameters are the framework's request and response types
    handles requests however it is registered (file-convention routers, route tables)."""
    src = ("import { Request, Response, NextFunction } from 'express'\n"
           "import type { FastifyRequest, FastifyReply } from 'fastify'\n"
           "import * as express from 'express'\n"
           "export default function () {\n"
           "  async function PUT(req: Request, res: Response, next: NextFunction) {}\n"
           "  return { PUT: [PUT] }\n"
           "}\n"
           "export async function list(request: FastifyRequest<{ Params: P }>, reply: FastifyReply) {}\n"
           "export const get = async (req: express.Request, res: express.Response) => {}\n"
           "export async function mixed(req: Request, reply: FastifyReply) {}\n"
           "export async function web(req: globalThis.Request, res: Response) {}\n"
           "export async function one(req: Request) {}\n")
    f = facts(src)
    got = {fn.name: fn.entry_kind for fn in f.functions}
    assert got["PUT"] == "http-handler"
    assert got["list"] == "http-handler"
    assert got["get"] == "http-handler"
    assert got["mixed"] is None      # request of one framework, reply of another
    assert got["web"] is None        # the web platform's Request is not a framework's
    assert got["one"] is None        # a request alone: a helper that reads it


def test_factory_made_middleware_is_not_an_entry_point():
    src = ("import type { Request, Response, NextFunction } from 'express'\n"
           "export const validate = (s: any) => (req: Request, res: Response, next: NextFunction) => next()\n"
           "export function guard(role: string) {\n"
           "  return async (req: Request, res: Response, next: NextFunction) => next()\n"
           "}\n")
    assert all(fn.entry_kind is None for fn in facts(src).functions)


def test_wrappers_that_hand_their_callers_arguments_on():
    # facts/wrappers.py: (wrapped parameter, arguments the wrapper adds before its callers').
    f = facts(
        "export function withAuth(action) {\n"
        "  return async (...args) => action(await currentUser(), ...args)\n"
        "}\n"
        "export function withReq(handler) {\n"
        "  return (a, b) => handler(req, ctx, a, b)\n"
        "}\n"
        "export function plain(fn) {\n"
        "  return (...args) => fn(...args)\n"
        "}\n"
        # Near misses: a reordered call, a destructured parameter, a call in the wrapper itself.
        "export function swapped(fn) { return (a, b) => fn(b, a) }\n"
        "export function picked(fn) { return ({ id }) => fn(user, id) }\n"
        "export function direct(fn) { return fn(1) }\n"
    )
    by_name = {fn.name: fn.passes_on for fn in f.functions if fn.parent == -1}
    assert by_name == {"withAuth": (0, 1), "withReq": (0, 2), "plain": (0, 0),
                       "swapped": None, "picked": None, "direct": None}
