"""Operational scripts: the role `script` (script_paths globs and files that
package.json scripts run), findings there reported low with the reason, and
`scope: app` / `--scope app` leaving them out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cliutil import dbaudit
from scanner.config import ConfigError, load_config
from scanner.discover import discover, package_script_targets
from scanner.engine import scan
from scanner.findings import Finding, Severity, assign_fingerprints, in_scripts
from treeutil import CLIENT_TS, LOOP_TS, make_tree

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "fixtures/projects/scripts"
BY_HAND = "(in a script: scripts/backfill.ts is run by hand or by a package.json script, not per request)"
BY_PACKAGE = '(in a script: src/jobs/x.ts is run by the script "jobs:nightly" of package.json, not per request)'


def _n_plus_one(result) -> dict[str, tuple[str, str]]:
    return {f.path: (f.severity.value, f.message) for f in result.findings if f.rule == "n-plus-one"}


def test_roles_of_scripts_and_near_misses():
    result = scan(PROJECT, load_config(PROJECT), select=["n-plus-one"])
    roles = {p: f.role for p, f in result.index.files.items()}
    assert roles == {
        "scripts/backfill.ts": "script",           # script_paths: **/scripts/**
        "src/jobs/x.ts": "script",                 # run by the package.json script jobs:nightly
        "src/lib/users.ts": "lib",                 # run only by `tsx watch` in `dev`: a server
        "src/lib/scripts-loader.ts": "lib",        # near miss: not in a scripts/ folder
        "app/description/page.tsx": "page",        # near miss: "script" inside a word
        "src/db.ts": "lib",
        "src/lib/factory.ts": "lib",               # loaded only by the backfill script (graded so below)
        "src/lib/shared.ts": "lib",
    }
    assert result.stats["files_by_role"] == {"lib": 5, "page": 1, "script": 2}


def test_script_findings_are_low_with_the_reason_app_findings_stay_high():
    result = scan(PROJECT, load_config(PROJECT, overrides={"min_confidence": "low"}), select=["n-plus-one"])
    found = _n_plus_one(result)
    assert set(found) == {"scripts/backfill.ts", "src/jobs/x.ts", "src/lib/users.ts", "src/lib/factory.ts",
                          "src/lib/shared.ts"}
    assert found["scripts/backfill.ts"][0] == "low" and found["scripts/backfill.ts"][1].endswith(BY_HAND)
    assert found["src/jobs/x.ts"][0] == "low" and found["src/jobs/x.ts"][1].endswith(BY_PACKAGE)
    assert found["src/lib/users.ts"][0] == "high" and "(in a script" not in found["src/lib/users.ts"][1]
    # Low confidence too (rules.md §8): listed only with --min-confidence low.
    assert {f.path: f.confidence for f in result.findings} == {
        "scripts/backfill.ts": "low", "src/jobs/x.ts": "low", "src/lib/users.ts": "medium",
        "src/lib/factory.ts": "low", "src/lib/shared.ts": "medium"}
    # A module only scripts load (directly or through others) is graded as the script is; one
    # a page loads too (the near miss) is not.
    assert found["src/lib/factory.ts"][0] == "low" and found["src/lib/factory.ts"][1].endswith(
        "(in a script: src/lib/factory.ts is loaded only by scripts (scripts/backfill.ts), not per request)")
    assert found["src/lib/shared.ts"][0] == "high" and "(in a script" not in found["src/lib/shared.ts"][1]
    default = scan(PROJECT, load_config(PROJECT), select=["n-plus-one"])
    assert [f.path for f in default.findings] == ["src/lib/shared.ts", "src/lib/users.ts"]
    assert sorted(f.path for f in default.review.below_confidence) == [
        "scripts/backfill.ts", "src/jobs/x.ts", "src/lib/factory.ts"]
    # The same code shape: the app file's message is the script's without the reason.
    assert found["scripts/backfill.ts"][1] == f'{found["src/lib/users.ts"][1]} {BY_HAND}'


def test_scope_app_leaves_scripts_out():
    result = scan(PROJECT, load_config(PROJECT, overrides={"scope": "app"}), select=["n-plus-one"])
    # Without the scripts in the scan nothing shows that only a script loads src/lib/factory.ts.
    assert set(_n_plus_one(result)) == {"src/lib/users.ts", "src/lib/factory.ts"}
    assert "script" not in {f.role for f in result.index.files.values()}
    assert result.stats["files_out_of_scope"] == {"script": 2}


def test_cli_scope_flag():
    everything = json.loads(dbaudit("scan", PROJECT, "-f", "json", "--select", "n-plus-one",
                                    "--min-confidence", "low").out)
    app = json.loads(dbaudit("scan", PROJECT, "-f", "json", "--select", "n-plus-one", "--scope", "app").out)
    assert [f["path"] for f in everything["findings"]] == ["scripts/backfill.ts", "src/jobs/x.ts",
                                                           "src/lib/factory.ts", "src/lib/shared.ts",
                                                           "src/lib/users.ts"]
    assert [f["path"] for f in app["findings"]] == ["src/lib/factory.ts", "src/lib/users.ts"]
    # The app file's finding is the same finding either way.
    assert app["findings"][-1] == everything["findings"][-1]
    bad = dbaudit("scan", PROJECT, "--scope", "scripts")
    assert bad.code == 2 and "'--scope': 'scripts' is not one of 'all', 'app'" in bad.err


def test_scope_must_be_all_or_app(tmp_path):
    (tmp_path / ".dbaudit.yaml").write_text("scope: everything\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'scope' must be one of all, app"):
        load_config(tmp_path)


def test_fingerprints_do_not_change_in_scripts():
    f = Finding("n-plus-one", Severity.HIGH, "query-patterns", "scripts/a.ts", 4, 5, 4, 50, "m.",
                matched="await prisma.user.findFirst({ where: { id } })")
    [plain] = assign_fingerprints([f])
    [scripted] = assign_fingerprints(in_scripts([f], {"scripts/a.ts": "is run by hand"}))
    assert (scripted.severity, scripted.message) == (Severity.LOW, "m. (in a script: scripts/a.ts is run by hand, "
                                                                   "not per request)")
    assert scripted.fingerprint == plain.fingerprint


GLOB_TREE = {
    "scripts/backfill.ts": "script", "tools/scripts/deep/fix.ts": "script", "src/seedData.ts": "script",
    "db/populateUsers.ts": "script", "ops/2024-oneoff/fix.ts": "script",
    "db/migrations/20240101_backfill/index.ts": "script",
    "server/migration-scripts/add-fields.ts": "script", "src/auto-migrations/index.tsx": "component",
    "src/auto-migrations/run.ts": "script", "src/tasks/backfillAnnotations.ts": "script",
    "src/backfills/v2/run.ts": "script", "src/templates.seeds.ts": "script",
    "server/data/personnel-seed.ts": "script", "prisma/old_seed.ts": "script",
    "src/database/database-seeder.service.ts": "script", "src/db/DemoSeeder.js": "script",
    "src/lib/server/db/seed-shared.mjs": "script", "src/catalog/default-seeds.ts": "script",
    "src/lib/seedless.tsx": "component", "src/crypto/reseed.ts": "lib",   # no seed word of its own
    "src/lib/migrationStatus.ts": "lib",                                 # a name, not a folder
    "scripts/seed-demo.ts": "seed", "prisma/seed.ts": "seed",          # out_of_scope.seed wins
    "scripts/backfill.test.ts": "test",
    "app/scripts/page.tsx": "page", "app/api/scripts/route.ts": "route",  # Next files stay themselves
    "src/lib/scripts-loader.ts": "lib", "app/description/page.tsx": "page", "src/transcripts.ts": "lib",
    "src/populate.tsx": "component",
}


def test_script_globs_and_precedence(tmp_path):
    make_tree(tmp_path, {p: "" for p in GLOB_TREE})
    d = discover(tmp_path, load_config(tmp_path, overrides={"include_out_of_scope": ["test", "seed"]}))
    assert {s.path: s.role for s in d.sources} == GLOB_TREE


def test_seeds_stay_out_by_default_and_read_as_scripts_when_included(tmp_path):
    make_tree(tmp_path, {"src/db.ts": CLIENT_TS, "prisma/seed.ts": LOOP_TS.replace("./db", "../src/db")})
    default = scan(tmp_path, load_config(tmp_path), select=["n-plus-one"])
    assert default.findings == [] and default.stats["files_out_of_scope"] == {"seed": 1}
    included = scan(tmp_path, load_config(tmp_path, overrides={"include_out_of_scope": ["seed"],
                                                               "min_confidence": "low"}),
                    select=["n-plus-one"])
    assert [(f.path, f.severity.value) for f in included.findings] == [("prisma/seed.ts", "low")]
    app = scan(tmp_path, load_config(tmp_path, overrides={"include_out_of_scope": ["seed"], "scope": "app"}),
               select=["n-plus-one"])
    assert app.findings == [] and app.stats["files_out_of_scope"] == {"seed": 1}


def test_a_module_only_seeds_left_out_of_the_scan_import_is_graded_as_a_script(tmp_path):
    # prisma/seed.ts is out of scope (not parsed); the fixtures module it imports runs only
    # when the seed runs. Near miss: a module nothing imports keeps its grade.
    make_tree(tmp_path, {
        "src/db.ts": CLIENT_TS,
        "prisma/seed.ts": 'import { load } from "./fixtures-data"\nawait load(["a"])\n',
        "prisma/fixtures-data.ts": LOOP_TS.replace("./db", "../src/db"),
        "src/lib/orphan.ts": LOOP_TS.replace("./db", "../db"),
    })
    result = scan(tmp_path, load_config(tmp_path, overrides={"min_confidence": "low"}), select=["n-plus-one"])
    found = {f.path: (f.confidence, f.severity.value, f.message) for f in result.findings}
    assert set(found) == {"prisma/fixtures-data.ts", "src/lib/orphan.ts"}
    assert found["prisma/fixtures-data.ts"][:2] == ("low", "low")
    assert found["prisma/fixtures-data.ts"][2].endswith(
        "(in a script: prisma/fixtures-data.ts is loaded only by seeds (prisma/seed.ts), not per request)")
    assert found["src/lib/orphan.ts"][:2] == ("medium", "high")


def test_package_scripts_in_a_workspace_resolve_from_their_folder(tmp_path):
    make_tree(tmp_path, {
        "package.json": json.dumps({"scripts": {"sync": "pnpm --filter web exec tsx jobs/sync.ts"}}),
        "apps/web/package.json": json.dumps({"scripts": {"report": "ts-node ./src/report.ts && node dist/x.js",
                                                         "start": "tsx src/server.ts"}}),
        "apps/web/src/report.ts": "", "apps/web/src/server.ts": "app.listen(3000)\n", "jobs/sync.ts": "",
    })
    d = discover(tmp_path, load_config(tmp_path))
    assert {s.path: s.role for s in d.sources} == {
        "apps/web/src/report.ts": "script", "apps/web/src/server.ts": "lib", "jobs/sync.ts": "script"}
    assert d.scripts["apps/web/src/report.ts"] == 'is run by the script "report" of apps/web/package.json'


def test_a_server_named_entry_that_starts_no_server_runs_a_script(tmp_path):
    """`"dev": "ts-node script.ts"` runs a self-contained file that starts no server: a
    script. A file that listens, exports a handler, or imports repository modules (which
    may start the server) stays what it is."""
    make_tree(tmp_path, {
        "ex/a/package.json": json.dumps({"scripts": {"dev": "ts-node script.ts"}}),
        "ex/a/script.ts": "import { PrismaClient } from '@prisma/client'\nmain()\n",
        "ex/b/package.json": json.dumps({"scripts": {"dev": "ts-node src/index.ts"}}),
        "ex/b/src/index.ts": "import { app } from './app'\n",
        "ex/b/src/app.ts": "export const app = 1\n",
        "ex/c/package.json": json.dumps({"scripts": {"start": "tsx server.ts"}}),
        "ex/c/server.ts": "import express from 'express'\nexpress().listen(3000)\n",
    })
    d = discover(tmp_path, load_config(tmp_path))
    assert {s.path: s.role for s in d.sources} == {
        "ex/a/script.ts": "script", "ex/b/src/index.ts": "lib", "ex/b/src/app.ts": "lib", "ex/c/server.ts": "lib"}
    assert d.scripts["ex/a/script.ts"] == 'is run by "dev" of ex/a/package.json and starts no server'


def test_another_way_to_start_the_server_is_no_script(tmp_path):
    """`"debug": "tsx --inspect src/server.ts"` beside `"dev": "tsx src/server.ts"` starts the
    server too, and so does any entry running a file that listens: the server and the modules
    it loads are not script code. A job run the same way stays a script."""
    make_tree(tmp_path, {
        "api/package.json": json.dumps({"scripts": {"dev": "tsx src/server.ts",
                                                    "debug": "tsx --inspect=9229 src/server.ts",
                                                    "profile": "tsx src/main.ts",
                                                    "sync": "tsx src/jobs/sync.ts"}}),
        "api/src/server.ts": "import { app } from './app'\napp.listen(3000)\n",
        "api/src/main.ts": "import { app } from './app'\napp.listen(3001)\n",
        "api/src/app.ts": "export const app = { listen(p: number) {} }\n",
        "api/src/jobs/sync.ts": "import { app } from '../app'\nconsole.log(app)\n",
    })
    d = discover(tmp_path, load_config(tmp_path))
    assert {s.path: s.role for s in d.sources} == {
        "api/src/server.ts": "lib", "api/src/main.ts": "lib", "api/src/app.ts": "lib",
        "api/src/jobs/sync.ts": "script"}


@pytest.mark.parametrize("command, target", [
    ("tsx scripts/x.ts", "scripts/x.ts"),
    ("ts-node src/jobs/x.ts", "src/jobs/x.ts"),
    ("NODE_ENV=production node -r dotenv/config ./tools/run.mjs", "tools/run.mjs"),
    ("dotenv -e .env.local -- bun run src/cron.ts --once", "src/cron.ts"),
    ("node dist/index.js", "dist/index.js"),          # discovery never scans dist/
    ("tsx watch src/server.ts", None),
    ("next build", None),
    ("eslint src/index.ts", None),
    ("prisma db push --schema prisma/schema.prisma", None),
])
def test_package_script_targets(command, target):
    assert package_script_targets({"x": command}) == ({target: "x"} if target else {})


def test_prisma_seed_commands_name_seeds(tmp_path):
    """`"prisma": {"seed": "tsx ./seed/index.ts"}` in package.json and `migrations: { seed: … }`
    in prisma.config.ts are Prisma's seed command: the file they run is a seed, out of scope
    by default. Near miss: a `seed` key elsewhere in package.json names nothing."""
    make_tree(tmp_path, {
        "packages/db/package.json": json.dumps({"prisma": {"seed": "tsx ./seed/index.ts"},
                                                "config": {"seed": "tsx src/other.ts"}}),
        "packages/db/seed/index.ts": "", "packages/db/src/other.ts": "",
        "apps/api/prisma.config.ts": 'export default defineConfig({\n  schema: "prisma/schema.prisma",\n'
                                     '  migrations: { seed: "tsx prisma/fill.ts" },\n})\n',
        "apps/api/package.json": "{}", "apps/api/prisma/fill.ts": "", "apps/api/src/app.ts": "",
    })
    d = discover(tmp_path, load_config(tmp_path))
    assert {s.path: s.role for s in d.sources} == {"packages/db/src/other.ts": "lib", "apps/api/src/app.ts": "lib",
                                                   "apps/api/prisma.config.ts": "lib"}
    assert d.out_of_scope == {"seed": 2}
    kept = discover(tmp_path, load_config(tmp_path, overrides={"include_out_of_scope": ["seed"]}))
    assert kept.scripts == {
        "packages/db/seed/index.ts": 'is Prisma\'s seed command ("prisma": {"seed"} of packages/db/package.json)',
        "apps/api/prisma/fill.ts": "is Prisma's seed command (migrations.seed of apps/api/prisma.config.ts)"}


def test_a_module_that_runs_its_queries_when_loaded_and_nothing_imports_is_a_script(tmp_path):
    # `prisma/migrate.ts` ends with `main().catch(…)`: loaded by hand, it runs its own
    # function, which queries. Near misses: the same module imported by the app; a module
    # that calls its function when loaded but whose function runs no query (a server start),
    # and the module its query runs through keeps its grade.
    main = LOOP_TS.replace("./db", "../src/db").replace("export async function load", "async function main")
    main += 'main().catch((e) => { console.error(e); process.exit(1) })\n'
    make_tree(tmp_path, {
        "src/db.ts": CLIENT_TS,
        "prisma/migrate.ts": main,
        "src/lib/warm.ts": main.replace("../src/db", "../db").replace("async function main", "export async function main"),
        "src/lib/uses-warm.ts": 'import { main } from "./warm"\nexport const run = () => main([])\n',
        "src/server.ts": 'import { load } from "./lib/loop"\nasync function start() { console.log(load) }\nstart()\n',
        "src/lib/loop.ts": LOOP_TS.replace("./db", "../db"),
        "src/worker.ts": 'import { prisma } from "./db"\nsetInterval(async () => {\n'
                         "  const users = await prisma.user.findMany()\n  for (const u of users) {\n"
                         "    await prisma.user.findFirst({ where: { id: u.id } })\n  }\n}, 1000)\n",
        # A maintenance module in the schema's prisma/ folder that a developer wires into a
        # runner by hand; near miss: app code in a folder named after the ORM.
        "prisma/run/empty-tables.ts": LOOP_TS.replace("./db", "../../src/db"),
        "src/repositories/prisma/users.ts": LOOP_TS.replace("./db", "../../db"),
        # An inline function the module runs when loaded.
        "app/update-kind.ts": 'import { prisma } from "../src/db"\n(async () => {\n'
                              "  const users = await prisma.user.findMany()\n  for (const u of users) {\n"
                              "    await prisma.user.findFirst({ where: { id: u.id } })\n  }\n})()\n",
        # Near miss: a module that starts a server when loaded answers requests.
        "src/boot.ts": 'import { prisma } from "./db"\ndeclare const app: any\nasync function start() {\n'
                       "  const users = await prisma.user.findMany()\n  for (const u of users) {\n"
                       "    await prisma.user.findFirst({ where: { id: u.id } })\n  }\n  app.listen(3000)\n}\n"
                       "start()\n",
        # Run only when executed directly, its queries one call further down.
        "archive/migrate-money.ts": main.replace("async function main", "async function migrate")
        .replace("main().catch((e) => { console.error(e); process.exit(1) })\n",
                 "export async function run(ids: string[]) { await migrate(ids) }\n"
                 "if (require.main === module) {\n  run(process.argv.slice(2)).then(() => process.exit(0))\n}\n")
    })
    result = scan(tmp_path, load_config(tmp_path, overrides={"min_confidence": "low"}), select=["n-plus-one"])
    found = {f.path: (f.confidence, f.message) for f in result.findings}
    assert found["app/update-kind.ts"][1].endswith(
        "(in a script: app/update-kind.ts runs its queries when loaded, and nothing imports it, not per request)")
    del found["app/update-kind.ts"]
    assert found.pop("prisma/run/empty-tables.ts")[1].endswith(
        "(in a script: prisma/run/empty-tables.ts sits in the package's prisma/ folder beside the schema, "
        "and nothing imports it, not per request)")
    assert found.pop("src/repositories/prisma/users.ts")[0] == "medium"
    assert "(in a script" not in found.pop("src/boot.ts")[1]
    # Near miss: work the top level hands to a timer is the timer's, graded as such.
    assert "(in a script" not in found.pop("src/worker.ts")[1]
    assert found.pop("archive/migrate-money.ts")[1].endswith(
        "(in a script: archive/migrate-money.ts calls run() when loaded, which queries the database, and "
        "nothing imports it, not per request)")
    assert set(found) == {"prisma/migrate.ts", "src/lib/warm.ts", "src/lib/loop.ts"}
    assert found["prisma/migrate.ts"][0] == "low"
    assert found["prisma/migrate.ts"][1].endswith(
        "(in a script: prisma/migrate.ts calls main() when loaded, which queries the database, and "
        "nothing imports it, not per request)")
    assert found["src/lib/warm.ts"][0] == "medium"
    assert found["src/lib/loop.ts"][0] == "medium"


def test_a_nest_application_created_and_closed_without_listening_is_a_script(tmp_path):
    """`"extra": "ts-node src/seed/migrate/app.ts"` creating a Nest application to borrow its
    providers, doing its work and closing it again, is a script, and so is the service only it
    imports; a Nest main that creates the application and never closes it serves requests."""
    make_tree(tmp_path, {
        "package.json": json.dumps({"scripts": {
            "extra": "ts-node -r tsconfig-paths/register src/seed/migrate/app.ts",
            "worker": "ts-node src/worker.ts"}}),
        "src/seed/migrate/app.ts": (
            "import { NestFactory } from '@nestjs/core'\nimport { MigrateService } from './service'\n"
            "const run = async () => {\n  const app = await NestFactory.create(AppModule)\n"
            "  await new MigrateService(app.get(PrismaService)).all()\n  await app.close()\n}\nvoid run()\n"),
        "src/seed/migrate/service.ts": "export class MigrateService { constructor(private p: any) {} }\n",
        # Near miss: created and never closed — the application keeps serving.
        "src/worker.ts": ("import { NestFactory } from '@nestjs/core'\n"
                          "async function boot() {\n  const app = await NestFactory.createMicroservice(M)\n"
                          "  await app.init()\n}\nboot()\n"),
    })
    d = discover(tmp_path, load_config(tmp_path))
    roles = {s.path: s.role for s in d.sources}
    assert roles["src/seed/migrate/app.ts"] == "script"
    assert roles["src/worker.ts"] == "lib"
    assert d.scripts["src/seed/migrate/app.ts"] == 'is run by the script "extra" of package.json'
