"""Dead functions (analysis/dead_code.py): a module-level function its file never names again,
unexported or exported by name from a plain module others import while none imports that
name; a class's method nothing calls while its other methods are called. Their findings are
low; what a framework may load, or another package may import, is left alone."""

from __future__ import annotations

from conftest import scan_dir
from treeutil import make_tree

DB = 'import { PrismaClient } from "@prisma/client"\nexport const prisma = new PrismaClient()\n'


def _dead(tmp_path, files: dict[str, str]) -> dict[str, set[int]]:
    from scanner.analysis.dead_code import dead_functions
    result = scan_dir(str(make_tree(tmp_path / "app", {"src/db.ts": DB, **files})))
    return {p: {a for a, _, _ in spans} for p, spans in dead_functions(result.index).items()}


def test_names_the_file_mentions_again_are_used(tmp_path):
    lib = ("import { prisma } from './db'\n"
           "function listed() { return prisma.user.count() }\n"          # 2: `export { listed }`
           "function shorthand() { return 1 }\n"                         # 3: `{ shorthand }`
           "function $dollar() { return 2 }\n"                           # 4: a `$` name, called
           "function Widget() { return null }\n"                         # 5: used as JSX
           "function lone() { return 3 }\n"                              # 6: dead
           "const arrowLone = async () => prisma.user.count()\n"         # 7: dead
           "export { listed }\n"
           "export const table = { shorthand }\n"
           "export const x = $dollar() + (<Widget />, 0)\n")
    dead = _dead(tmp_path, {"src/lib.tsx": lib, "src/main.ts": "import { table, x, listed } from './lib'\n"
                                                                  "console.log(table, x, listed)\n"})
    assert dead == {"src/lib.tsx": {6, 7}}


def test_a_function_naming_itself_in_its_own_log_is_not_used(tmp_path):
    # `console.error('[syncUser] failed', e)` inside syncUser labels its own errors and calls
    # nothing. Near miss: another function's string naming it (a dispatch table's key) counts.
    lib = ("import { prisma } from './db'\n"
           "async function syncUser(id: string) {\n"                                   # 2: dead
           "  try { await prisma.user.update({ where: { id }, data: {} }) }\n"
           "  catch (e) { console.error(`[syncUser] failed for ${id}`, e) }\n}\n"
           "async function syncTeam(id: string) { return prisma.user.count() }\n"     # 6: named
           "export const handlers = (k: string) => (k === 'syncTeam' ? 1 : 0)\n")
    dead = _dead(tmp_path, {"src/lib.ts": lib, "src/main.ts": "import { handlers } from './lib'\nhandlers('x')\n"})
    assert dead == {"src/lib.ts": {2}}


def test_exports_nothing_imports_by_name(tmp_path):
    lib = ("import { prisma } from './db'\n"
           "export async function used() { return prisma.user.count() }\n"
           "export async function unused() { return prisma.user.count() }\n"
           "export default async function fallback() { return prisma.user.count() }\n")
    files = {"src/lib.ts": lib, "src/main.ts": "import { used } from './lib'\nused()\n",
             # Nothing imports this module: a framework may load it by its path.
             "src/middleware.ts": "export async function middleware() { return 1 }\n"}
    assert _dead(tmp_path, files) == {"src/lib.ts": {3}}


def test_a_module_imported_whole_or_reexported_keeps_every_export(tmp_path):
    lib = "export async function a() { return 1 }\nexport async function b() { return 2 }\n"
    whole = {"src/lib.ts": lib, "src/main.ts": "import * as lib from './lib'\nlib.a()\n"}
    assert _dead(tmp_path, whole) == {}
    barrel = {"src/lib.ts": lib, "src/index.ts": "export * from './lib'\n",
              "src/main.ts": "import { a } from './index'\na()\n"}
    assert _dead(tmp_path, barrel) == {}


def test_a_package_that_publishes_an_api_keeps_its_exports(tmp_path):
    index = "export const v = 1\nexport async function touch() { return 1 }\n"
    main = "import { v } from '../packages/sdk/src/index'\nconsole.log(v)\n"
    for i, manifest in enumerate(('{"name": "@x/sdk", "exports": {".": {"import": "./dist/index.mjs"}}}',
                                  '{"name": "@x/sdk", "exports": {"./*": "./src/*.ts"}}',
                                  '{"name": "@x/sdk", "types": "./src/index.ts", "publishConfig": {"types": "./dist/x.d.ts"}}')):
        files = {"packages/sdk/package.json": manifest, "packages/sdk/src/index.ts": index, "src/main.ts": main}
        assert _dead(tmp_path / str(i), files) == {}, manifest


def test_a_package_whose_entries_are_its_sources_serves_the_workspace(tmp_path):
    # A registry serves built JavaScript: a package whose every entry is a TypeScript source
    # of the scan is the workspace's own, and its callers are all scanned.
    files = {"packages/sdk/package.json": '{"name": "@x/sdk", "exports": {".": "./src/index.ts"}}',
             "packages/sdk/src/index.ts": "export const v = 1\nexport async function touch() { return 1 }\n",
             "src/main.ts": "import { v } from '../packages/sdk/src/index'\nconsole.log(v)\n"}
    assert _dead(tmp_path, files) == {"packages/sdk/src/index.ts": {2}}


def test_a_named_reexport_uses_only_the_names_it_lists(tmp_path):
    lib = "export async function a() { return 1 }\nexport async function b() { return 2 }\n"
    named = {"src/lib.ts": lib, "src/index.ts": "export { a } from './lib'\n",
             "src/main.ts": "import { a } from './index'\na()\n"}
    assert _dead(tmp_path / "named", named) == {"src/lib.ts": {2}}
    namespace = {"src/lib.ts": lib, "src/index.ts": "export * as lib from './lib'\n",
                 "src/main.ts": "import { lib } from './index'\nlib.a()\n"}
    assert _dead(tmp_path / "namespace", namespace) == {}


def test_a_barrels_reexport_uses_a_name_only_when_something_imports_it(tmp_path):
    # `export { a, b } from './lib'` passes the names on: `b`, which no module imports from the
    # barrel (only a test would), is dead. Near misses: `b` imported through a chain of two
    # barrels, under another name, and the barrel imported whole.
    lib = "export async function a() { return 1 }\nexport async function b() { return 2 }\n"
    barrel = "export { a, b } from './lib'\n"
    files = {"src/lib.ts": lib, "src/index.ts": barrel, "src/main.ts": "import { a } from './index'\na()\n"}
    assert _dead(tmp_path / "dead", files) == {"src/lib.ts": {2}}
    chain = {**files, "src/api.ts": "export { b as load } from './index'\n",
             "src/main.ts": "import { a } from './index'\nimport { load } from './api'\na()\nload()\n"}
    assert _dead(tmp_path / "chain", chain) == {}
    whole = {**files, "src/main.ts": "import * as lib from './index'\nlib.a()\n"}
    assert _dead(tmp_path / "whole", whole) == {}


def test_a_module_only_dead_routers_and_scripts_import_never_serves_a_request(tmp_path):
    ctrl = ("import { prisma } from '../db'\n"
            "export async function archive(req: any, res: any) { res.json(await prisma.user.count()) }\n")
    routes = "import { Router } from 'express'\nimport { archive } from '../ctrl/archive'\n" \
             "const router = Router()\nrouter.post('/archive', archive)\nexport default router\n"
    files = {"src/ctrl/archive.ts": ctrl, "src/routes/archive.ts": routes}
    assert _dead(tmp_path / "dead", files) == {"src/routes/archive.ts": {1}, "src/ctrl/archive.ts": {1}, "src/db.ts": {1}}
    # Near miss: a router the app imports mounts it.
    app = "import express from 'express'\nimport archive from './routes/archive'\n" \
          "const app = express()\napp.use(archive)\napp.listen(3000)\n"
    assert _dead(tmp_path / "live", {**files, "src/server.ts": app}) == {}


def test_a_fastify_plugin_nothing_registers_serves_no_request(tmp_path):
    # Fastify mounts a plugin only where code imports it (`app.register(adminRoutes)`), like an
    # Express router; `@fastify/autoload` registers a folder's plugins by their paths.
    plugin = ("import { FastifyInstance } from 'fastify'\nimport { prisma } from '../db'\n"
              "export async function adminRoutes(fastify: FastifyInstance) {\n"
              "  fastify.get('/admin/users', async () => prisma.user.findMany({ take: 10 }))\n}\n")
    app = ("import Fastify from 'fastify'\nimport { prisma } from './db'\nconst app = Fastify()\n"
           "app.get('/health', async () => prisma.user.count())\napp.listen({ port: 3000 })\n")
    files = {"src/routes/admin.ts": plugin, "src/server.ts": app}
    assert _dead(tmp_path / "dead", files) == {"src/routes/admin.ts": {1}}
    # Near misses: the app registers it, or loads the folder with @fastify/autoload.
    registered = app.replace("const app", "import { adminRoutes } from './routes/admin'\nconst app") \
        + "app.register(adminRoutes)\n"
    assert _dead(tmp_path / "registered", {**files, "src/server.ts": registered}) == {}
    autoload = app.replace("const app", "import AutoLoad from '@fastify/autoload'\nconst app") \
        + "app.register(AutoLoad, { dir: `${__dirname}/routes` })\n"
    assert _dead(tmp_path / "autoload", {**files, "src/server.ts": autoload}) == {}


def test_routes_and_entry_points_are_never_dead(tmp_path):
    route = ("import { prisma } from '@/db'\n"
             "export async function GET() { return Response.json(await prisma.user.count()) }\n"
             "export async function generateStaticParams() { return [] }\n")
    assert _dead(tmp_path, {"app/users/route.ts": route}) == {}


def test_an_unexported_helper_a_route_never_names_is_dead(tmp_path):
    # A framework calls a route's, page's or server action's exported functions by name; an
    # unexported one the file never names again cannot run. Near misses: the helper the
    # handler calls, and an exported function the framework may call (judged only in libraries).
    route = ("import { prisma } from '@/db'\n"
             "async function logAudit(a: string) { try { await prisma.user.count() } catch {} }\n"  # 2: dead
             "async function load() { return prisma.user.count() }\n"                             # 3: called
             "export async function GET() { return Response.json(await load()) }\n"
             "export async function revalidate() { return prisma.user.count() }\n")
    action = ("'use server'\n"
              "import { prisma } from '@/db'\n"
              "async function unused() { return prisma.user.count() }\n"                            # 3: dead
              "export async function save() { return prisma.user.count() }\n")
    form = "import { save } from './actions'\nexport default function F() { return <form action={save} /> }\n"
    dead = _dead(tmp_path, {"app/users/route.ts": route, "app/users/actions.ts": action,
                            "app/users/page.tsx": form})
    assert dead == {"app/users/route.ts": {2}, "app/users/actions.ts": {3}}


def test_an_express_handler_no_router_imports_is_dead(tmp_path):
    # A typed Express handler runs only where a router that imports it registers it: exported
    # from a controller the routes import, but imported by no one, it never serves a request.
    # Near miss: a router that imports the controller whole may register any of its handlers.
    ctl = ("import { Request, Response } from 'express'\nimport { prisma } from '@/db'\n"
           "export const listUsers = async (req: Request, res: Response) => res.json(await prisma.user.findMany())\n"
           "export const updateUser = async (req: Request, res: Response) =>\n"
           "  res.json(await prisma.user.update({ where: { id: req.params.id }, data: req.body }))\n")
    routes = ("import { Router } from 'express'\nimport { listUsers } from '../controllers/users'\n"
              "export const router = Router()\nrouter.get('/users', listUsers)\n")
    app = "import express from 'express'\nimport { router } from './routes/users'\nexpress().use(router).listen(3000)\n"
    files = {"src/controllers/users.ts": ctl, "src/routes/users.ts": routes, "src/main.ts": app}
    assert _dead(tmp_path / "named", files) == {"src/controllers/users.ts": {4}}
    whole = {**files, "src/routes/users.ts": routes.replace("{ listUsers }", "* as users").replace(
        "listUsers)", "users.listUsers)")}
    assert _dead(tmp_path / "whole", whole) == {}


def test_templates_the_scan_cannot_read_may_import_any_export(tmp_path):
    # A Vue component may import `unused` from src/lib.ts (or Nuxt import it for it): the scan
    # does not read Vue templates.
    lib = ("export async function used() { return 1 }\nexport async function unused() { return 2 }\n"
           "async function lone() { return 3 }\n")
    files = {"package.json": '{"name": "vue-app", "dependencies": {"vue": "^3.4.0"}}',
             "src/lib.ts": lib, "src/main.ts": "import { used } from './lib'\nused()\n",
             "src/App.vue": "<template><div /></template>\n"}
    assert _dead(tmp_path / "vue", files) == {"src/lib.ts": {3}}
    nuxt = {**files, "package.json": '{"name": "nuxt-app", "dependencies": {"nuxt": "^3.0.0"}}'}
    del nuxt["src/App.vue"]
    assert _dead(tmp_path / "nuxt", nuxt) == {"src/lib.ts": {3}}
    # A package that depends on a template package but holds no template (a vendored plugin's
    # `vue` in its own package.json) imports nothing: the app's exports are judged as usual.
    vendored = {**files, "vendor/plugin/package.json": '{"name": "plugin", "dependencies": {"vue": "^2.6.0"}}',
                "vendor/plugin/admin.js": "console.log(1)\n", "package.json": '{"name": "app"}'}
    del vendored["src/App.vue"]
    assert _dead(tmp_path / "vendored", vendored) == {"src/lib.ts": {2, 3}}


def test_svelte_components_imports_are_read(tmp_path):
    # Svelte writes a component's imports out, with no auto-import: what no component and no
    # module imports is unused.
    lib = ("export async function used() { return 1 }\nexport async function shown() { return 2 }\n"
           "export async function unused() { return 3 }\n")
    page = ("<script lang=\"ts\">\n  import { shown } from '$lib/format'\n  import Card from './Card.svelte'\n"
            "</script>\n<p>{shown()}</p>\n")
    files = {"package.json": '{"name": "kit-app", "devDependencies": {"@sveltejs/kit": "^2.0.0"}}',
             "src/lib/format.ts": lib, "src/routes/+page.svelte": page,
             "src/routes/+page.server.ts": "import { used } from '$lib/format'\nexport const load = () => used()\n"}
    assert _dead(tmp_path, files) == {"src/lib/format.ts": {3}}
    # A class's method only a component calls is used; one nothing names is dead.
    service = ("import { prisma } from '../db'\nexport class Stats {\n"
               "  async refresh() { return prisma.user.count() }\n  async stale() { return prisma.user.count() }\n}\n")
    methods = {**files, "src/db.ts": DB, "src/lib/stats.ts": service,
               "src/routes/+page.server.ts": "import { used } from '$lib/format'\nimport { Stats } from '$lib/stats'\n"
                                             "export const load = () => ({ u: used(), s: new Stats() })\n",
               "src/routes/Panel.svelte": "<script>\n  export let data\n</script>\n{data.s.refresh()}\n"}
    assert _dead(tmp_path / "methods", methods) == {"src/lib/format.ts": {3}, "src/lib/stats.ts": {4}}
    # Near miss: a component that imports the module whole may use every export.
    whole = {**files, "src/routes/Other.svelte": "<script>\n  import * as fmt from '$lib/format'\n</script>\n"}
    assert _dead(tmp_path / "whole", whole) == {}


def test_sveltekit_server_only_modules_are_judged_beside_templates(tmp_path):
    # No Svelte component may import `src/lib/server/…` or a `*.server.ts` module; a plain
    # `src/lib/…` module (near miss) is imported by one.
    lib = "export async function used() { return 1 }\nexport async function unused() { return 2 }\n"
    files = {"package.json": '{"name": "kit-app", "devDependencies": {"@sveltejs/kit": "^2.0.0"}}',
             "src/lib/server/db.ts": lib, "src/lib/auth.server.ts": lib, "src/lib/format.ts": lib,
             "src/routes/+page.svelte": "<script>\n  import * as fmt from '$lib/format'\n</script>\n",
             "src/routes/+page.server.ts": ("import { used } from '$lib/server/db'\n"
                                            "import { used as u2 } from '$lib/auth.server'\n"
                                            "import { used as u3 } from '$lib/format'\n"
                                            "export const load = async () => ({ a: await used(), b: await u2(), c: await u3() })\n")}
    assert _dead(tmp_path, files) == {"src/lib/server/db.ts": {2}, "src/lib/auth.server.ts": {2}}


SERVICE = ("import { prisma } from './db'\n"
           "export class AccountService {\n"
           "  async purgeAccount(id: string) { await prisma.user.delete({ where: { id } }) }\n"   # 3: dead
           "  async renameAccount(id: string) { await prisma.user.update({ where: { id }, data: {} }) }\n"
           "  async countAccounts() { return prisma.user.count() }\n"                         # 5: in an interface
           "  @Get() async listAccounts() { return prisma.user.findMany({ take: 5 }) }\n"      # 6: decorated
           "  async helper() { return 1 }\n"                                                 # 7: no Prisma call
           "}\n"
           "export class Hooks implements OnModuleInit {\n"
           "  async onModuleInit() { await prisma.user.count() }\n"                           # 10: framework hook
           "}\n")


# A module listing the service classes (as Nest's `providers` do): each class is named, so only
# its methods are judged.
PROVIDERS = ("import { AccountService, Hooks } from './account.service'\n"
             "export const providers = [AccountService, Hooks]\n")


def test_a_method_no_file_names_but_its_definition_is_dead(tmp_path):
    files = {"src/account.service.ts": SERVICE,
             "src/account.controller.ts": ("import { AccountService } from './account.service'\n"
                                           "export const go = (s: AccountService) => s.renameAccount('1')\n"),
             "src/ports.ts": "export interface Counts { countAccounts(): Promise<number> }\n",
             "src/app.module.ts": PROVIDERS}
    assert _dead(tmp_path, files) == {"src/account.service.ts": {3}}


def test_a_method_named_in_a_string_is_not_judged(tmp_path):
    files = {"src/account.service.ts": SERVICE,
             "src/jobs.ts": "export const jobs = ['purgeAccount', 'renameAccount', 'countAccounts']\n",
             "src/app.module.ts": PROVIDERS}
    assert _dead(tmp_path, files) == {}


def test_a_private_method_is_judged_beside_templates_and_any_base(tmp_path):
    # A Svelte component may call an exported class's public methods, and a package's base
    # class may call a public method by convention; neither can call a private one.
    service = ("import { EventEmitter } from 'node:events'\n"
               "import { prisma } from './db'\n"
               "export class Ledger extends EventEmitter {\n"
               "  private async recount(id: string) { await prisma.user.count({ where: { id } }) }\n"   # 4: dead
               "  async rename(id: string) { await prisma.user.update({ where: { id }, data: {} }) }\n"  # 5: public
               "  private async touch(id: string) { await prisma.user.count({ where: { id } }) }\n"      # 6: called
               "  async use(id: string) { await this.touch(id) }\n"
               "}\n")
    files = {"package.json": '{"name": "kit-app", "devDependencies": {"@sveltejs/kit": "^2.0.0"}}',
             "src/ledger.ts": service, "src/main.ts": "import { Ledger } from './ledger'\nnew Ledger().use('1')\n"}
    assert _dead(tmp_path, files) == {"src/ledger.ts": {4}}


def _nest(users_module: str) -> dict[str, str]:
    """A NestJS app: `main.ts` starts AppModule, which imports `users_module`'s module."""
    ctrl = ("import {{ Controller, Post, UseGuards }} from '@nestjs/common'\nimport {{ prisma }} from '../db'\n"
            "@Controller('{0}')\n@UseGuards(AuthGuard)\nexport class {1}Controller {{\n"
            "  @Post() create() {{ return prisma.user.create({{ data: {{}} }}) }}\n}}\n")
    mod = ("import {{ Module, forwardRef }} from '@nestjs/common'\nimport {{ {0}Controller }} from './{1}.controller'\n"
           "@Module({{\n  imports: [forwardRef(() => SharedModule)], // OldModule\n"
           "  controllers: [{0}Controller],\n}})\nexport class {0}Module {{}}\n")
    return {
        "src/main.ts": "import { NestFactory } from '@nestjs/core'\nimport { AppModule } from './app.module'\n"
                       "NestFactory.create<App>(AppModule, { cors: true })\n",
        "src/app.module.ts": "import { Module } from '@nestjs/common'\n"
                             f"@Module({{ imports: [ConfigModule.forRoot({{ path: ['.env'] }}), {users_module}] }})\n"
                             "export class AppModule {}\n",
        "src/shared.module.ts": "import { Module } from '@nestjs/common'\n@Module({})\nexport class SharedModule {}\n",
        "src/users/users.controller.ts": ctrl.format("users", "Users"),
        "src/users/users.module.ts": mod.format("Users", "users"),
        "src/orphans/orphans.controller.ts": ctrl.format("orphans", "Orphans"),
        "src/orphans/orphans.module.ts": mod.format("Orphans", "orphans"),
        "src/loose/loose.controller.ts": ctrl.format("loose", "Loose"),
    }


def test_a_nest_controller_no_root_module_mounts_is_dead(tmp_path):
    # The orphans module is never imported from AppModule, which main.ts starts, and no module
    # lists the loose controller: their routes are never mounted. Near miss: the users module,
    # imported by AppModule, keeps its controller.
    dead = _dead(tmp_path, _nest("UsersModule"))
    assert dead == {"src/orphans/orphans.controller.ts": {1}, "src/loose/loose.controller.ts": {1}}


def test_a_url_in_a_nest_module_is_no_comment(tmp_path):
    # `//` inside a string (`'http://…'`) starts no comment: the users module listed after it
    # is still imported, and its controller mounted.
    files = _nest("UsersModule")
    files["src/app.module.ts"] = files["src/app.module.ts"].replace(
        "path: ['.env']", "url: 'http://localhost:3000', glob: \"/*.env\"")
    dead = _dead(tmp_path, files)
    assert dead == {"src/orphans/orphans.controller.ts": {1}, "src/loose/loose.controller.ts": {1}}


def test_nest_modules_imported_by_a_spread_are_not_judged(tmp_path):
    # Near miss: AppModule's imports spread a list the text does not spell out: nothing is judged.
    assert _dead(tmp_path, _nest("...featureModules")) == {}


def test_nest_controllers_listed_by_a_variable_are_not_judged(tmp_path):
    # Near miss: a module lists its controllers through a variable: nothing is judged.
    files = _nest("UsersModule")
    files["src/orphans/orphans.module.ts"] = files["src/orphans/orphans.module.ts"].replace(
        "controllers: [OrphansController]", "controllers: CONTROLLERS")
    assert _dead(tmp_path, files) == {}


BASED = ("import { prisma } from './db'\n"
         "import { BaseService } from './base'\n"
         "import { Command } from 'discord.js'\n"
         "async function save(id: string) { await prisma.user.delete({ where: { id } }) }\n"
         "export class UnitService extends BaseService {\n"
         "  async createUnits(id: string) {\n"                                          # 6: dead
         "    try { await save(id) } catch (e) { return this.handleError(e, 'createUnits') }\n"
         "  }\n"
         "  async renameUnits(id: string) { await save(id) }\n"                            # 9: called
         "}\n"
         "export class Ping extends Command {\n"
         "  async execute(id: string) { await save(id) }\n"                               # 12: a package's hook
         "}\n"
         "export class Boot {\n"
         "  async onModuleInit() { await save('boot') }\n"                               # 15: a hook's name
         "}\n"
         "class LocalBase extends Command {}\n"
         "export class Pong extends LocalBase {\n"
         "  async dispatch(id: string) { await save(id) }\n"                             # 19: its base's base is a package's
         "}\n")


def test_a_method_of_a_class_extending_a_repo_base_is_judged_too(tmp_path):
    # A base class of the repository (a relative import) calls nothing by convention; a method
    # whose database work runs through a helper counts; its own name as a string in its body
    # labels its errors. Near misses: a method of a class extending a package's class (a
    # framework may call it, also through a base class of the same file), one named as a hook
    # (NestJS calls `onModuleInit` on any provider that has one), and one another file calls.
    files = {"src/unit.service.ts": BASED,
             "src/base.ts": "export class BaseService { handleError(e: unknown, where: string) { return { e, where } } }\n",
             "src/main.ts": "import { UnitService, Boot } from './unit.service'\nnew UnitService().renameUnits('1')\n"
                            "export const providers = [Boot]\n"}
    assert _dead(tmp_path, files) == {"src/unit.service.ts": {6}}


# A library module (it only declares) that nothing imports and no file names
# (analysis/unloaded_modules.py): the whole file is dead, unless the repository may load modules
# by a path or a glob, its imports leave many database modules unexplained, or the module sits
# where frameworks keep their files.
SCHEDULER = ("import { prisma } from '../db'\n"
             "export async function sweep() { return prisma.user.count() }\n"
             "export async function sweepAll() { return prisma.user.findMany() }\n")
# Four library modules with Prisma calls that the app imports: the imports explain its database code.
USED = {f"src/services/s{i}.ts": f"import {{ prisma }} from '../db'\nexport const q{i} = () => prisma.user.count()\n"
        for i in range(4)}
MAIN = ("import { prisma } from './db'\n" + "".join(f"import {{ q{i} }} from './services/s{i}'\n" for i in range(4))
        + "prisma.user.count().then(() => Promise.all([q0(), q1(), q2(), q3()]))\n")


def _app(**files: str) -> dict[str, str]:
    return {**USED, "src/main.ts": MAIN, **files}


def test_a_library_module_nothing_loads_is_dead(tmp_path):
    assert _dead(tmp_path, _app(**{"src/jobs/scheduler.ts": SCHEDULER})) == {"src/jobs/scheduler.ts": {1}}


def test_a_library_module_only_tests_import_is_dead(tmp_path):
    # A test runs the module under the test runner, never on a request: it is dead in production,
    # and the test naming its file is no mention. Near miss: a package.json script names it.
    spec = "import { sweep } from '../src/jobs/scheduler'\ntest('sweeps', async () => { await sweep() })\n"
    files = _app(**{"src/jobs/scheduler.ts": SCHEDULER, "tests/scheduler.test.ts": spec})
    assert _dead(tmp_path / "tested", files) == {"src/jobs/scheduler.ts": {1}}
    from scanner.analysis.unloaded_modules import unloaded_modules
    index = scan_dir(str(tmp_path / "tested" / "app")).index
    assert "only tests do" in unloaded_modules(index, False)[0][2]
    script = {**files, "package.json": '{"name": "app", "scripts": {"sweep": "tsx src/jobs/scheduler.ts"}}'}
    assert _dead(tmp_path / "script", script) == {}


def test_a_module_the_repository_may_load_by_path_is_not_judged(tmp_path):
    loaders = {
        "import": "export const load = (f: string) => import(`./jobs/${f}`)\n",
        "require-all": "import requireAll from 'require-all'\n"
                       "export const jobs = () => requireAll({ dirname: __dirname + '/jobs' })\n",
        "glob": "export const config = { jobs: ['./src/**/*.{js,ts}'] }\n",
        "folder glob": "export const config = { jobs: ['src/jobs/*.ts'] }\n",
        "require": "import fs from 'fs'\nexport const all = () => fs.readdirSync('jobs').map((f) => require(f))\n",
    }
    for i, (kind, loader) in enumerate(loaders.items()):
        files = _app(**{"src/jobs/scheduler.ts": SCHEDULER, "src/loader.ts": loader})
        assert _dead(tmp_path / str(i), files) == {}, kind
    # A glob loads only what it matches (swagger-jsdoc reading routes for their comments, a
    # framework finding resolvers): other modules are judged.
    for i, glob in enumerate(("./src/routes/*.ts", "src/**/*.resolver.ts", "jobs/*.js")):
        files = _app(**{"src/jobs/scheduler.ts": SCHEDULER,
                        "src/docs.ts": f"export const spec = {{ apis: ['{glob}'] }}\n"})
        assert _dead(tmp_path / f"g{i}", files) == {"src/jobs/scheduler.ts": {1}}, glob
    # A template naming a data file loads a translation, never a module: still dead.
    data = _app(**{"src/jobs/scheduler.ts": SCHEDULER,
                   "src/i18n.ts": "export const load = (l: string) => import(`./messages/${l}.json`)\n"})
    assert _dead(tmp_path / "data", data) == {"src/jobs/scheduler.ts": {1}}
    # … while one naming a code file may load the modules of the folder it names.
    code = _app(**{"src/messages/scheduler.ts": SCHEDULER,
                   "src/i18n.ts": "export const load = (l: string) => import(`./messages/${l}.ts`)\n"})
    assert _dead(tmp_path / "code", code) == {}
    # A loader reaches its own package and those below it, not a sibling package of a monorepo.
    pkg = '{"name": "%s"}\n'
    for i, (where, dead) in enumerate((("web/src/loader.ts", True), ("src/loader.ts", False))):
        mono = _app(**{"package.json": pkg % "root", "web/package.json": pkg % "web",
                       "src/jobs/scheduler.ts": SCHEDULER, where: loaders["import"]})
        assert _dead(tmp_path / f"mono{i}", mono) == ({"src/jobs/scheduler.ts": {1}} if dead else {}), where
    # A tool's config globs files for the tool (a CSS build), not for the app: still dead.
    tool = _app(**{"src/jobs/scheduler.ts": SCHEDULER,
                   "tailwind.config.ts": "export default { content: ['./src/**/*.{ts,tsx}'] }\n"})
    assert _dead(tmp_path / "tool", tool) == {"src/jobs/scheduler.ts": {1}}


def test_a_load_by_template_reaches_only_the_folder_it_names(tmp_path):
    # `import(`@/lib/plugins/${id}`)` loads modules under lib/plugins, and no other: a module
    # elsewhere that nothing imports is judged. Near miss: the module sits in that folder.
    loader = "export const load = (id: string) => import(\n  `@/lib/plugins/${id}`)\n"
    files = _app(**{"src/jobs/scheduler.ts": SCHEDULER, "src/loader.ts": loader})
    assert _dead(tmp_path / "elsewhere", files) == {"src/jobs/scheduler.ts": {1}}
    inside = _app(**{"src/lib/plugins/scheduler.ts": SCHEDULER, "src/loader.ts": loader})
    assert _dead(tmp_path / "inside", inside) == {}


def test_what_a_script_loads_runs_under_the_script(tmp_path):
    # A codemod globbing the sources reads them; a script's loads run under that script, outside
    # production. Near miss: the same glob in application code (a framework finding modules).
    glob = "export const files = (p?: string) => p || '**/*.{ts,tsx,js,jsx}'\n"
    files = _app(**{"src/jobs/scheduler.ts": SCHEDULER, "scripts/codemod.ts": glob + "console.log(files())\n"})
    assert _dead(tmp_path / "script", files) == {"src/jobs/scheduler.ts": {1}}
    app = _app(**{"src/jobs/scheduler.ts": SCHEDULER, "src/lib/finder.ts": glob})
    assert _dead(tmp_path / "app", app) == {}


# A barrel nothing imports: its modules are loaded through it only.
CRM_ACTION = ("'use server'\nimport { prisma } from '../../../db'\n"
              "export async function deleteCustomer(id: string) { await prisma.user.delete({ where: { id } }) }\n")


def test_a_barrel_nothing_imports_loads_nothing(tmp_path):
    # src/features/crm/index.ts only re-exports; nothing imports it, so the modules only it
    # imports never run (a `'use server'` module gets no endpoint). Near misses: a page imports
    # the barrel, or a file spells its path as a specifier the scan cannot resolve.
    barrel = "export * from './core/actions'\nexport * from './core/queries'\n"
    queries = "import { prisma } from '../../../db'\nexport const listCustomers = () => prisma.user.findMany()\n"
    crm = {"src/features/crm/index.ts": barrel, "src/features/crm/core/actions.ts": CRM_ACTION,
           "src/features/crm/core/queries.ts": queries}
    dead = _dead(tmp_path / "dead", _app(**crm))
    assert dead == {"src/features/crm/index.ts": {1}, "src/features/crm/core/actions.ts": {1},
                    "src/features/crm/core/queries.ts": {1}}
    used = _app(**crm, **{"src/page.ts": "import { listCustomers } from './features/crm'\nlistCustomers()\n"})
    assert _dead(tmp_path / "used", used) == {}
    spelled = _app(**crm, **{"src/routes.ts": "export const crm = () => import('~~/features/crm')\n"})
    assert _dead(tmp_path / "spelled", spelled) == {}


def test_a_module_named_by_a_file_or_doing_work_or_at_the_root_is_not_judged(tmp_path):
    named = _app(**{"src/jobs/scheduler.ts": SCHEDULER,
                    "serverless.yml": "functions:\n  sweep:\n    handler: src/jobs/scheduler.sweep\n"})
    assert _dead(tmp_path / "named", named) == {}
    works = _app(**{"src/jobs/scheduler.ts": SCHEDULER + "sweep()\n"})
    assert _dead(tmp_path / "works", works) == {}
    awaits = _app(**{"src/jobs/scheduler.ts": SCHEDULER + "export const n = await sweep()\n"})
    assert _dead(tmp_path / "awaits", awaits) == {}
    root = _app(**{"src/instrumentation.ts": SCHEDULER.replace("'../db'", "'./db'")})
    assert _dead(tmp_path / "root", root) == {}
    # A route config mounts the module's folder whole (Remix's `flatRoutes({ rootDirectory })`);
    # an import of a sibling (`'./jobs/other'`) names a path into the folder, not the folder.
    folder = _app(**{"src/jobs/scheduler.ts": SCHEDULER,
                     "src/routes.ts": "export default { rootDirectory: 'src/jobs' }\n"})
    assert _dead(tmp_path / "folder", folder) == {}
    sibling = _app(**{"src/jobs/scheduler.ts": SCHEDULER, "src/jobs/other.ts": "export const o = 1\n",
                      "src/uses.ts": "import { o } from './jobs/other'\nconsole.log(o)\n"})
    assert _dead(tmp_path / "sibling", sibling) == {"src/jobs/scheduler.ts": {1}}
    # An import of the folder's index module is counted by the imports, not a folder handed on.
    barrel = _app(**{"src/jobs/scheduler.ts": SCHEDULER, "src/jobs/index.ts": "export const o = 1\n",
                     "src/uses.ts": "import { o } from './jobs'\nconsole.log(o)\n",
                     "README.md": "The jobs live in `src/jobs`.\n"})
    assert _dead(tmp_path / "barrel", barrel) == {"src/jobs/scheduler.ts": {1}}
    framework = _app(**{"src/jobs/scheduler.ts": "import { Command } from '@sapphire/framework'\n"
                                                 "import { prisma } from '../db'\n"
                                                 "export class Ping extends Command { run() { return prisma.user.count() } }\n"})
    assert _dead(tmp_path / "framework", framework) == {}
    # An interface a class implements is erased at run time: no framework finds it by that.
    typed = _app(**{"src/jobs/scheduler.ts": (
        "import { prisma } from '../db'\n"
        "export class Sweeper implements Job { run() { return prisma.user.count() } }\n")})
    assert _dead(tmp_path / "typed", typed) == {"src/jobs/scheduler.ts": {1}}


def test_code_names_a_module_only_by_a_path_in_a_string(tmp_path):
    # In code, a module's name counts as a mention only where it ends a path written in a
    # string: an identifier (`scheduler.start()`), a log message, a sibling file's name
    # (`'scheduler.test.ts'`) or an import that resolves to another file of that name loads
    # nothing. Near misses: a path in a string, with or without its extension; a config file
    # (not code) naming it as a word.
    other = ("import { scheduler } from '../web/scheduler'\n"
             "scheduler.start(); console.warn('scheduler.sweep is deprecated')\n"
             "export const skip = ['scheduler.test.ts']\n")
    web = "export const scheduler = { start() { return 1 } }\n"
    base = {"src/jobs/scheduler.ts": SCHEDULER, "src/web/scheduler.ts": web, "src/ui/other.ts": other,
            "src/main2.ts": "import { skip } from './ui/other'\nconsole.log(skip)\n"}
    assert _dead(tmp_path / "words", _app(**base)) == {"src/jobs/scheduler.ts": {1}}
    for i, named in enumerate(("export const jobs = ['./jobs/scheduler']\n", "export const f = `jobs/scheduler.ts`\n")):
        files = _app(**base, **{"src/main3.ts": named + "console.log(1)\n"})
        assert _dead(tmp_path / f"path{i}", files) == {}
    config = _app(**base, **{"Procfile": "worker: node dist/jobs/scheduler.sweep\n"})
    assert _dead(tmp_path / "config", config) == {}


def test_files_a_framework_loads_by_name_are_not_judged(tmp_path):
    # Next.js loads its special files in an `app/` folder, and every file of `pages/`, by path:
    # nothing imports or names them. Near miss: a module of another name beside them.
    body = "import { prisma } from '@/db'\nexport default async function S() { return prisma.user.findMany() }\n"
    files = _app(**{"src/app/sitemap.ts": body, "src/app/(shop)/layout.tsx": body,
                    "src/pages/dashboard/stats.tsx": body, "src/app/(shop)/helpers.ts": SCHEDULER})
    assert _dead(tmp_path, files) == {"src/app/(shop)/helpers.ts": {1}}


def test_a_module_is_not_judged_where_imports_explain_little(tmp_path):
    # Two more unimported modules with Prisma calls: 3 of 8 unexplained, more than a quarter:
    # the app loads its database code some way the scan does not see (a folder by convention).
    files = _app(**{"src/jobs/scheduler.ts": SCHEDULER, "src/commands/a.ts": SCHEDULER,
                    "src/commands/b.ts": SCHEDULER})
    assert _dead(tmp_path, files) == {}
    # A module where a framework keeps its files (the root of `src`) is explained: with one
    # there, two unexplained modules of eight leave the imports explaining the rest.
    explained = _app(**{"src/jobs/scheduler.ts": SCHEDULER, "src/hooks.server.ts": SCHEDULER.replace("../db", "./db"),
                        "src/commands/a.ts": SCHEDULER})
    assert _dead(tmp_path / "explained", explained) == {"src/jobs/scheduler.ts": {1}, "src/commands/a.ts": {1}}


SHOP = ("import { prisma } from './db'\n"
        "export const shopService = {\n"
        "  async listItems() { return prisma.user.findMany({ take: 5 }) },\n"
        "  async refundItem(id: string) { await prisma.user.delete({ where: { id } }) },\n"   # 4: dead
        "  purgeItems: async () => prisma.user.deleteMany({ where: { name: 'x' } }),\n"      # 5: dead
        "}\n")


def test_a_service_objects_method_no_file_names_is_dead(tmp_path):
    main = "import { shopService } from './shop'\nexport const go = () => shopService.listItems()\n"
    assert _dead(tmp_path / "members", {"src/shop.ts": SHOP, "src/main.ts": main}) == {"src/shop.ts": {4, 5}}
    # Near misses: an object indexed by a computed key, or handed on whole, may have any
    # method called.
    for i, use in enumerate(("export const run = (k: 'listItems') => shopService[k]()\n",
                             "export const api = { ...shopService }\n",
                             "register(shopService)\n")):
        files = {"src/shop.ts": SHOP, "src/main.ts": main,
                 "src/other.ts": "import { shopService } from './shop'\ndeclare const register: any\n" + use}
        assert _dead(tmp_path / str(i), files) == {}, use


def test_a_longer_name_holding_a_methods_name_is_another_name(tmp_path):
    # `refundItem` inside `refundItemKeyboard` (another function's name) calls nothing, in the
    # method's own file or in another.
    keyboard = ("export const refundItemKeyboard = () => ['yes', 'no']\n"
                "export const purgeItemsLabel = 'Purge'\n")
    main = ("import { shopService } from './shop'\nimport { refundItemKeyboard, purgeItemsLabel } from './keys'\n"
            "export const go = () => [shopService.listItems(), refundItemKeyboard(), purgeItemsLabel]\n")
    files = {"src/shop.ts": SHOP, "src/main.ts": main, "src/keys.ts": keyboard}
    assert _dead(tmp_path / "longer", files) == {"src/shop.ts": {4, 5}}
    # Near miss: the name as a word, in a call or a string, is a use.
    for i, use in enumerate(("export const again = () => shopService.refundItem('1')\n",
                             "export const menu = ['refundItem', 'keyboard']\n")):
        other = "import { shopService } from './shop'\n" + use
        assert _dead(tmp_path / str(i), {**files, "src/other.ts": other}) == {"src/shop.ts": {5}}, use


def test_a_longer_name_in_the_functions_own_file_is_another_name(tmp_path):
    lib = ("import { prisma } from './db'\n"
           "function archive() { return prisma.user.count() }\n"            # 2: dead
           "function archiveAll() { return prisma.user.count() }\n"         # 3: used below
           "function restore() { return prisma.user.count() }\n"            # 4: used by a word
           "export const run = () => [archiveAll(), restore()]\n")
    dead = _dead(tmp_path, {"src/lib.ts": lib, "src/main.ts": "import { run } from './lib'\nrun()\n"})
    assert dead == {"src/lib.ts": {2}}


def test_a_server_action_module_nothing_imports_is_dead(tmp_path):
    # A bundler builds a server action's endpoint only for a module some code imports; the
    # `'use server'` directive is no work at load.
    action = ("'use server'\nimport { prisma } from '../../db'\n"
              "export async function saveBio(form: FormData) {\n"
              "  await prisma.user.update({ where: { id: '1' }, data: { name: String(form.get('text')) } })\n}\n")
    files = {**USED, "src/main.ts": MAIN, "package.json": '{"name": "web", "dependencies": {"next": "15.0.0"}}',
             "src/app/actions/bio.ts": action, "src/app/actions/name.ts": action.replace("saveBio", "saveName"),
             "src/app/page.tsx": "import { saveName } from './actions/name'\n"
                                 "export default function Page() { return <form action={saveName} /> }\n"}
    assert _dead(tmp_path, files) == {"src/app/actions/bio.ts": {1}}


PLANS = ("import { prisma } from '../db'\n"
         "{head}class Plans implements Planner {\n"                                   # 3
         "  async process(id: string) { return prisma.user.update({ where: { id }, data: {} }) }\n"   # 3: dead
         "  async list() { return prisma.user.findMany({ take: 5 }) }\n"              # 4: dead
         "}\n"
         "export const plan = () => prisma.user.count()\n")
BARREL = "export { Plans } from './plans'\nexport { plan } from './plans'\n"
USES = "import { plan } from './models'\nexport const go = async () => { await plan(); await other.process('1') }\n"


def test_a_class_nothing_names_but_its_declaration_is_dead(tmp_path):
    # Its module is imported (for another export) and a barrel re-exports it, yet nothing
    # constructs, extends or reads the class: none of its methods runs, whatever their names.
    files = {"src/models/plans.ts": PLANS.replace("{head}", "export "), "src/models/index.ts": BARREL,
             "src/main.ts": USES}
    assert _dead(tmp_path / "dead", files) == {"src/models/plans.ts": {3, 4}}
    # Near misses: constructed somewhere; decorated (a framework may find it); extending a base.
    built = {**files, "src/main.ts": USES + "import { Plans } from './models'\nexport const p = new Plans()\n"}
    assert _dead(tmp_path / "built", built) == {}
    for i, head in enumerate(("@Injectable()\nexport ", "export default ")):
        shaped = {**files, "src/models/plans.ts": PLANS.replace("{head}", head)}
        assert "src/models/plans.ts" not in _dead(tmp_path / f"shaped{i}", shaped), head
    based = {**files, "src/models/plans.ts": PLANS.replace("{head}", "export ").replace(
        "implements Planner", "extends Command")}
    assert _dead(tmp_path / "based", based) == {}


ROUTE = ("import { prisma } from '../../../src/db'\n"
         "export async function POST(req: Request) { return Response.json(await prisma.user.count()) }\n")


def test_next_route_files_no_next_package_builds_are_dead(tmp_path):
    # A monorepo's root holds an old `app/api` folder: its package neither depends on next nor
    # configures it, while the front end's package does, so no build makes it an endpoint.
    base = {"package.json": '{"name": "root", "scripts": {"dev": "cd web && next dev"}}\n',
            "web/package.json": '{"name": "web", "dependencies": {"next": "14"}}\n',
            "app/api/users/route.ts": ROUTE}
    # (and the client module only that route imports)
    assert _dead(tmp_path / "root", base) == {"app/api/users/route.ts": {1}, "src/db.ts": {1}}
    # Near misses: the package depends on next, or configures it; no package depends on next.
    builds = {**base, "package.json": '{"name": "root", "dependencies": {"next": "14"}}\n'}
    assert _dead(tmp_path / "builds", builds) == {}
    configured = {**base, "next.config.js": "module.exports = {}\n"}
    assert _dead(tmp_path / "configured", configured) == {}
    alone = {k: v for k, v in base.items() if not k.startswith("web/")}
    assert _dead(tmp_path / "alone", alone) == {}
