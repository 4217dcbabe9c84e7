"""Module resolution over the fixture projects in `fixtures/projects/`:
relative specifiers, tsconfig `paths`/`baseUrl` through `extends` chains, and
workspace packages (`exports`, `main`, built `dist/` mapped back to `src/`).

Each importer's imports are read by the fact model, so a table entry that
names a specifier the file does not import fails too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, scan_dir
from treeutil import make_tree
from scanner.config import load_config
from scanner.discover import discover
from scanner.engine import scan
from scanner.resolve import ModuleResolver, strip_jsonc

PROJECTS = FIXTURES / "projects"


def resolver(root: Path) -> ModuleResolver:
    d = discover(root, load_config(root))
    return ModuleResolver(root.resolve(), {s.path for s in d.sources}, d.project_files)


def imported_specifiers(root: Path, path: str) -> set[str]:
    return {i.module for i in scan_dir(str(root)).index.files[path].imports}


CASES = {
    "relative": {
        "src/app.ts": {
            "./b.js": "src/b.ts",              # the .ts source, not the tsc output beside it
            "./view.js": "src/view.tsx",
            "./esm.mjs": "src/esm.mts",
            "./common.cjs": "src/common.cts",
            "./plain.js": "src/plain.js",
            "./dir": "src/dir/index.ts",
            "./dir/index.js": "src/dir/index.ts",
            "./widgets": "src/widgets/index.tsx",
            "../lib/util": "lib/util.ts",
        },
        "lib/util.ts": {"..": "index.ts"},        # the parent folder: the root's index
        "src/dir/index.ts": {"..": None},         # src/ has no index
    },
    "tsconfig": {
        "src/page.ts": {
            "@/lib/prisma": "src/lib/prisma.ts",
            "@/components/Button": "src/ui/Button.tsx",   # the most specific pattern wins
            "~/server/db": "src/server/db.ts",
            "#db": "src/server/db.ts",
            "@legacy/old": "src/legacy/old.ts",           # the second target of the list
            "src/lib/prisma": "src/lib/prisma.ts",        # baseUrl alone
        },
        # nearest tsconfig: extends the base but sets its own baseUrl, so the
        # inherited paths are relative to apps/admin
        "apps/admin/src/page.ts": {"@/lib/prisma": "apps/admin/src/lib/prisma.ts"},
        # nearest tsconfig with its own paths and no baseUrl: relative to its folder
        "apps/site/app/page.ts": {"@/db": "apps/site/app/db.ts"},
        "apps/site/lib/deep/helper.ts": {"@/db": "apps/site/app/db.ts"},
    },
    "workspaces": {
        "apps/web/src/app/page.tsx": {
            "@acme/db": "packages/db/src/client.ts",             # exports {".": "./src/client.ts"}
            "@acme/db/enums": "packages/db/src/enums.ts",        # conditions over dist/ -> src/
            "@acme/ui": "packages/ui/src/index.tsx",             # exports as a string
            "@acme/lib": "packages/lib/src/index.ts",            # nested conditions, .d.mts/.mjs in dist/
            "@acme/lib/date": "packages/lib/src/date.ts",        # subpath pattern ./*
            "@acme/lib/utils/money": "packages/lib/src/utils/money/index.ts",  # longer pattern wins
            "legacy-utils": "packages/legacy/src/main.ts",       # main
            "@acme/config": "packages/config/src/index.ts",      # main in dist/ -> src/
            "@acme/bare": "packages/bare/index.ts",              # no entry fields: index
            "@/lib/session": "apps/web/src/lib/session.ts",      # the app's own paths
            "zod": None,                                         # outside the repository
        },
        # paths declared in a config reached through `extends: "@acme/tsconfig/nextjs.json"`
        "apps/docs/src/page.ts": {"@acme/shared/format": "packages/shared/src/format.ts"},
    },
}
PARAMS = [(project, importer, spec, target)
          for project, importers in CASES.items()
          for importer, table in importers.items()
          for spec, target in table.items()]


@pytest.mark.parametrize("project,importer,spec,target", PARAMS,
                         ids=[f"{p}:{i}:{s}" for p, i, s, t in PARAMS])
def test_resolves(project, importer, spec, target):
    root = PROJECTS / project
    assert spec in imported_specifiers(root, importer), f"{importer} does not import {spec!r}"
    assert resolver(root).resolve(importer, spec) == target


@pytest.mark.parametrize("project,importer", [(p, i) for p, imps in CASES.items() for i in imps])
def test_every_import_of_an_importer_is_in_the_table(project, importer):
    assert imported_specifiers(PROJECTS / project, importer) == set(CASES[project][importer])


def test_unresolvable_specifiers():
    r = resolver(PROJECTS / "relative")
    assert r.resolve("src/app.ts", "./missing") is None
    assert r.resolve("src/app.ts", "../../outside") is None        # above the root
    assert r.resolve("src/app.ts", "react") is None


def test_broken_tsconfig_and_package_json_are_ignored(tmp_path):
    (tmp_path / "tsconfig.json").write_text('{ "compilerOptions": { "paths": ', encoding="utf-8")
    (tmp_path / "package.json").write_text("not json", encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src/a.ts").write_text('import { b } from "./b"\n', encoding="utf-8")
    (tmp_path / "src/b.ts").write_text("export const b = 1\n", encoding="utf-8")
    r = resolver(tmp_path)
    assert r.resolve("src/a.ts", "./b") == "src/b.ts"
    assert r.resolve("src/a.ts", "@/b") is None


def test_extends_cycle_terminates(tmp_path):
    (tmp_path / "tsconfig.json").write_text('{ "extends": "./tsconfig.other.json", '
                                            '"compilerOptions": { "baseUrl": "src" } }', encoding="utf-8")
    (tmp_path / "tsconfig.other.json").write_text('{ "extends": "./tsconfig.json" }', encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src/x.ts").write_text("export const x = 1\n", encoding="utf-8")
    assert resolver(tmp_path).resolve("src/y.ts", "x") == "src/x.ts"


def test_strip_jsonc_keeps_strings_intact():
    text = '{ "url": "http://x//y", "glob": "src/**/*.ts", /* c */ "a": [1, 2,], } // end'
    assert strip_jsonc(text) == '{ "url": "http://x//y", "glob": "src/**/*.ts",  "a": [1, 2] } '


# -- end to end: the fact fixtures that depend on resolution -------------------------------

def test_workspace_package_client_reaches_the_app():
    root = FIXTURES / "facts" / "monorepo"
    result = scan_dir(str(root))
    assert result.index.modules.resolve("apps/web/src/lib/members.ts", "@acme/db") == "packages/db/src/client.ts"
    origins = {(c.path, c.line): c.origin for c in result.index.prisma_calls}
    # `database` (a default import) is no configured client name: only the
    # resolved package says it is the client.
    assert origins[("apps/web/src/lib/members.ts", 8)] == "new PrismaClient"
    assert result.schema is not None and result.schema.files == ("packages/db/prisma/schema.prisma",)


def test_prisma7_generated_client_is_out_of_scope():
    root = FIXTURES / "facts" / "prisma7"
    result = scan_dir(str(root))
    assert result.schema is not None and result.schema.files == ("prisma/schema.prisma",)
    assert not any(p.startswith("generated/") for p in result.index.files)
    # Without the default globs, the generator's `output` still keeps it out.
    bare = load_config(root, overrides={"default_excludes": []})
    result = scan(root, bare)
    assert not any(p.startswith("generated/") for p in result.index.files)
    assert result.stats["files_out_of_scope"] == {"generated": 1}
    # The trap is real: scanned on its own, the generated file's calls count.
    alone = scan(root / "generated/prisma/client.ts", bare)
    assert len(alone.index.prisma_calls) == 2


def test_kept_resolutions_are_taken_only_for_the_same_inputs(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(PROJECTS / "relative", root)
    first = resolver(root)
    files = sorted(first.files)
    for f in files:
        first.resolve(f, "./missing-module")
    kept = first.resolutions()
    assert kept[1]
    # A poisoned memo shows whether it was taken.
    poisoned = (kept[0], {k: "poisoned.ts" for k in kept[1]}, kept[2])
    same = resolver(root)
    same.adopt(poisoned)
    assert same.resolve(files[0], "./missing-module") == "poisoned.ts"
    # One more file: the kept resolutions may be wrong (it may be the one a specifier names).
    (root / "missing-module.ts").write_text("export const x = 1\n")
    changed = resolver(root)
    assert changed.inputs_key() != kept[0]
    changed.adopt(poisoned)
    assert changed.resolve(files[0], "./missing-module") != "poisoned.ts"


def test_sveltekit_lib_alias_without_the_generated_tsconfig(tmp_path):
    # The tsconfig extends .svelte-kit/tsconfig.json, which a checkout does not have; `$lib`
    # is the app's src/lib (a monorepo app here). A package without @sveltejs/kit: no alias.
    files = {
        "apps/portal/package.json": '{ "devDependencies": { "@sveltejs/kit": "^2.0.0" } }',
        "apps/portal/tsconfig.json": '{ "extends": "./.svelte-kit/tsconfig.json" }',
        "apps/portal/src/lib/server/database/index.ts": "export const db = 1\n",
        "apps/portal/src/routes/+page.server.ts": "import { db } from '$lib/server/database'\n",
        "apps/portal/src/lib/util.ts": "export const u = 1\n",
        "packages/tools/package.json": '{ "name": "tools" }',
        "packages/tools/src/lib/util.ts": "export const u = 1\n",
        "packages/tools/src/x.ts": "import { u } from '$lib/util'\n",
    }
    r = resolver(make_tree(tmp_path, files))
    assert r.resolve("apps/portal/src/routes/+page.server.ts", "$lib/server/database") \
        == "apps/portal/src/lib/server/database/index.ts"
    assert r.resolve("apps/portal/src/routes/+page.server.ts", "$lib/util") == "apps/portal/src/lib/util.ts"
    assert r.resolve("packages/tools/src/x.ts", "$lib/util") is None


def test_nuxt_aliases_without_the_generated_tsconfig(tmp_path):
    # The tsconfig extends .nuxt/tsconfig.json, which a checkout does not have: `~/x` and `@/x`
    # are the app's source folder (its root in Nuxt 3, app/ in Nuxt 4), `~~/x` its root. A
    # package without nuxt has no such alias.
    files = {
        "web/package.json": '{ "devDependencies": { "nuxt": "^3.12.0" } }',
        "web/tsconfig.json": '{ "extends": "./.nuxt/tsconfig.json" }',
        "web/server/utils/handler.ts": "export const safe = 1\n",
        "web/server/api/user.get.ts": "import { safe } from '~/server/utils/handler'\n",
        "web/app/composables/useUser.ts": "export const useUser = 1\n",
        "site/package.json": '{ "dependencies": { "nuxt": "^4.0.0" } }',
        "site/app/utils/format.ts": "export const fmt = 1\n",
        "site/server/utils/db.ts": "export const db = 1\n",
        "site/server/api/x.get.ts": "import { db } from '~~/server/utils/db'\n",
        "tools/package.json": '{ "name": "tools" }',
        "tools/server/utils/handler.ts": "export const safe = 1\n",
        "tools/x.ts": "import { safe } from '~/server/utils/handler'\n",
    }
    r = resolver(make_tree(tmp_path, files))
    assert r.resolve("web/server/api/user.get.ts", "~/server/utils/handler") == "web/server/utils/handler.ts"
    assert r.resolve("web/server/api/user.get.ts", "@/server/utils/handler") == "web/server/utils/handler.ts"
    assert r.resolve("web/server/api/user.get.ts", "~/composables/useUser") == "web/app/composables/useUser.ts"
    assert r.resolve("site/server/api/x.get.ts", "~~/server/utils/db") == "site/server/utils/db.ts"
    assert r.resolve("site/server/api/x.get.ts", "~/utils/format") == "site/app/utils/format.ts"
    assert r.resolve("site/server/api/x.get.ts", "~~/utils/format") is None
    assert r.resolve("tools/x.ts", "~/server/utils/handler") is None
