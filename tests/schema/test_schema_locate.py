"""Finding a project's schema files the way the Prisma CLI does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.schema import find_schema_files, group_schemas

ROOT = Path(__file__).resolve().parents[2]
MODEL = "model A {\n  id Int @id\n}\n"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def rel(root: Path, paths: list[Path]) -> list[str]:
    return [p.relative_to(root.resolve()).as_posix() for p in paths]


def package_json(schema: str) -> str:
    return json.dumps({"name": "app", "prisma": {"schema": schema}})


def test_package_json_schema_file_wins_over_default(tmp_path):
    write(
        tmp_path,
        {
            "package.json": package_json("db/main.prisma"),
            "db/main.prisma": MODEL,
            "prisma/schema.prisma": MODEL,
        },
    )
    assert rel(tmp_path, find_schema_files(tmp_path)) == ["db/main.prisma"]


def test_package_json_schema_folder_is_read_recursively(tmp_path):
    write(
        tmp_path,
        {
            "package.json": package_json("./db"),
            "db/base.prisma": MODEL,
            "db/models/user.prisma": MODEL,
            "db/README.md": "not a schema",
        },
    )
    assert rel(tmp_path, find_schema_files(tmp_path)) == ["db/base.prisma", "db/models/user.prisma"]


@pytest.mark.parametrize(
    "config_name, config",
    [
        (
            "prisma.config.ts",
            'export default defineConfig({\n  schema: "custom/schema.prisma",\n})\n',
        ),
        ("prisma.config.mts", "export default { schema: 'custom/schema.prisma' }\n"),
        ("prisma.config.js", "module.exports = { schema: `custom/schema.prisma` }\n"),
        (
            "prisma.config.ts",
            'export default defineConfig({ schema: path.join("custom", "schema.prisma") })\n',
        ),
        (
            "prisma.config.ts",
            "export default defineConfig({ schema: path.join(__dirname, 'custom', 'schema.prisma') })\n",
        ),
        (
            "prisma.config.ts",
            '// schema: "old.prisma",\nexport default { schema: "custom/schema.prisma" }\n',
        ),
    ],
)
def test_prisma_config_schema(tmp_path, config_name, config):
    write(
        tmp_path,
        {
            config_name: config,
            "custom/schema.prisma": MODEL,
            "prisma/schema.prisma": MODEL,
            "old.prisma": MODEL,
        },
    )
    assert rel(tmp_path, find_schema_files(tmp_path)) == ["custom/schema.prisma"]


def test_prisma_config_folder(tmp_path):
    write(
        tmp_path,
        {
            "prisma.config.ts": 'import path from "node:path"\n'
            'export default defineConfig({ schema: path.join("prisma", "schema") })\n',
            "prisma/schema/a.prisma": MODEL,
            "prisma/schema/b.prisma": MODEL,
        },
    )
    assert rel(tmp_path, find_schema_files(tmp_path)) == [
        "prisma/schema/a.prisma",
        "prisma/schema/b.prisma",
    ]


def test_package_json_comes_before_prisma_config(tmp_path):
    write(
        tmp_path,
        {
            "package.json": package_json("from-package.prisma"),
            "prisma.config.ts": 'export default { schema: "from-config.prisma" }\n',
            "from-package.prisma": MODEL,
            "from-config.prisma": MODEL,
        },
    )
    assert rel(tmp_path, find_schema_files(tmp_path)) == ["from-package.prisma"]


@pytest.mark.parametrize(
    "extra",
    [
        {"package.json": "{ not json"},
        {"package.json": json.dumps({"prisma": "oops"})},
        {"package.json": package_json("missing/schema.prisma")},
        {"prisma.config.ts": "export default defineConfig({ migrations: { path: 'x' } })\n"},
    ],
)
def test_unusable_configuration_falls_back_to_default(tmp_path, extra):
    write(tmp_path, {**extra, "prisma/schema.prisma": MODEL})
    assert rel(tmp_path, find_schema_files(tmp_path)) == ["prisma/schema.prisma"]


def test_default_location_ignores_stray_prisma_files(tmp_path):
    write(tmp_path, {"prisma/schema.prisma": MODEL, "prisma/schema.backup.prisma": MODEL})
    candidates = ["prisma/schema.prisma", "prisma/schema.backup.prisma"]
    assert rel(tmp_path, find_schema_files(tmp_path, candidates)) == ["prisma/schema.prisma"]


def test_default_folder_schema_fixture():
    multi = ROOT / "fixtures/schema/multi"
    assert rel(multi, find_schema_files(multi)) == [
        "prisma/schema/blog/post.prisma",
        "prisma/schema/schema.prisma",
        "prisma/schema/user.prisma",
    ]


def test_candidates_are_the_last_resort(tmp_path):
    write(
        tmp_path,
        {
            "db/one.prisma": MODEL,
            "node_modules/.prisma/client/schema.prisma": MODEL,
            "src/index.ts": "",
        },
    )
    candidates = ["src/index.ts", "db/one.prisma", "node_modules/.prisma/client/schema.prisma"]
    assert rel(tmp_path, find_schema_files(tmp_path, candidates)) == ["db/one.prisma"]
    assert rel(tmp_path, find_schema_files(tmp_path)) == ["db/one.prisma"]


def test_nothing_found(tmp_path):
    write(tmp_path, {"src/index.ts": ""})
    assert find_schema_files(tmp_path, ["src/index.ts"]) == []
    assert find_schema_files(tmp_path) == []


MONOREPO = {
    "package.json": json.dumps({"name": "root", "workspaces": ["apps/*", "packages/*"]}),
    "apps/web/package.json": json.dumps({"name": "web"}),
    "apps/web/prisma/schema.prisma": MODEL,
    "apps/web/src/page.tsx": "",
    "packages/db/package.json": package_json("src/schema"),
    "packages/db/src/schema/main.prisma": MODEL,
    "packages/db/src/schema/billing/invoice.prisma": MODEL,
    "packages/db/src/index.ts": "",
    "node_modules/some-lib/package.json": package_json("x.prisma"),
    "node_modules/some-lib/x.prisma": MODEL,
}
MONOREPO_SCHEMAS = [
    "apps/web/prisma/schema.prisma",
    "packages/db/src/schema/billing/invoice.prisma",
    "packages/db/src/schema/main.prisma",
]


def test_monorepo_packages_found_from_candidates(tmp_path):
    write(tmp_path, MONOREPO)
    candidates = [
        "apps/web/src/page.tsx",
        "packages/db/src/index.ts",
        "node_modules/some-lib/x.prisma",
    ]
    assert rel(tmp_path, find_schema_files(tmp_path, candidates)) == MONOREPO_SCHEMAS


def test_monorepo_packages_found_by_walking(tmp_path):
    write(tmp_path, MONOREPO)
    assert rel(tmp_path, find_schema_files(tmp_path)) == MONOREPO_SCHEMAS


def test_group_schemas_monorepo(tmp_path):
    write(tmp_path, MONOREPO)
    groups = group_schemas(find_schema_files(tmp_path))
    assert [rel(tmp_path, g) for g in groups] == [
        ["apps/web/prisma/schema.prisma"],
        ["packages/db/src/schema/billing/invoice.prisma", "packages/db/src/schema/main.prisma"],
    ]


def test_group_schemas_keeps_nested_packages_apart(tmp_path):
    write(
        tmp_path,
        {
            "package.json": "{}",
            "schema.prisma": MODEL,
            "tools/seed/package.json": "{}",
            "tools/seed/schema.prisma": MODEL,
            "prisma/models/a.prisma": MODEL,
        },
    )
    paths = [
        tmp_path / p
        for p in ("schema.prisma", "tools/seed/schema.prisma", "prisma/models/a.prisma")
    ]
    assert [rel(tmp_path, g) for g in group_schemas(paths)] == [
        ["prisma/models/a.prisma", "schema.prisma"],
        ["tools/seed/schema.prisma"],
    ]


def test_group_schemas_empty():
    assert group_schemas([]) == []


# -- what the project names, docs and examples, alternative schemas -----------

from scanner.config import load_config  # noqa: E402
from scanner.engine import scan  # noqa: E402
from scanner.schema import locate_schema  # noqa: E402

PROJECTS = ROOT / "fixtures/projects"


def datasource(provider: str) -> str:
    return f'datasource db {{\n  provider = "{provider}"\n  url = env("DATABASE_URL")\n}}\n'


def _scan_schema(root: Path):
    result = scan(root, load_config(root), select=["float-for-money"])
    schema_warnings = [(w.path, w.message) for w in result.warnings if w.kind == "schema"]
    return result.schema.files, [m.name for m in result.schema.models], schema_warnings


def test_docs_schema_is_never_the_app_schema():
    assert _scan_schema(PROJECTS / "schema-docs") == (("prisma/schema.prisma",), ["User"], [])


def test_package_json_prisma_schema_is_read_first():
    assert _scan_schema(PROJECTS / "schema-package") == (("db/main.prisma",), ["Account"], [])


def test_provider_alternatives_named_by_scripts_are_not_merged():
    files, models, warnings = _scan_schema(PROJECTS / "schema-providers")
    assert (files, models) == (("prisma/postgres/schema.prisma",), ["Post"])
    assert warnings == [("prisma/postgres/schema.prisma",
                         "several alternative schemas (one per provider, or copies in several packages?): "
                         "prisma/postgres/schema.prisma is the one read for model recognition; not read: "
                         "prisma/sqlite/schema.prisma")]


def _models_block(*names: str) -> str:
    return "".join(f"model {n} {{\n  id Int @id\n}}\n" for n in names)


def test_copies_of_one_schema_in_several_packages_are_read_once(tmp_path):
    """An API and a bot sharing one database, each with a copy of its schema: the one with the
    most models is read, the copy is an alternative (no model declared twice)."""
    write(tmp_path, {"package.json": "{}",
                     "api/package.json": "{}", "api/prisma/schema.prisma":
                         datasource("mysql") + _models_block("User", "Order", "Item", "Shop"),
                     "bot/package.json": "{}", "bot/prisma/schema.prisma":
                         datasource("mysql") + _models_block("User", "Order", "Item")})
    found = locate_schema(tmp_path)
    assert rel(tmp_path, found.files) == ["api/prisma/schema.prisma"]
    assert [rel(tmp_path, g) for g in found.alternatives] == [["bot/prisma/schema.prisma"]]


def test_the_schema_copy_in_a_generated_client_is_not_read(tmp_path):
    """A client generated into the repository (`output = "../generated/client"`) carries a
    package.json of its own (`prisma-client-<hash>`) and a copy of the schema: the schema it
    was generated from is read, never the copy (findings would point into generated code).
    Near miss: a package of the repository with a schema of its own is read as before."""
    schema = datasource("postgresql") + _models_block("User", "Order")
    write(tmp_path, {"package.json": "{}", "prisma/schema.prisma": schema,
                     "generated/client/package.json": json.dumps({"name": "prisma-client-0aa2b1"}),
                     "generated/client/schema.prisma": schema,
                     "worker/package.json": json.dumps({"name": "worker"}),
                     "worker/prisma/schema.prisma": datasource("postgresql") + _models_block("Job")})
    found = locate_schema(tmp_path)
    assert rel(tmp_path, found.files) == ["prisma/schema.prisma", "worker/prisma/schema.prisma"]
    assert found.alternatives == ()
    # With no schema in the usual places, the copy is still no candidate.
    write(tmp_path / "bare", {"package.json": "{}", "db/schema.prisma": schema,
                              "generated/client/package.json": json.dumps({"name": ".prisma/client"}),
                              "generated/client/schema.prisma": schema})
    assert rel(tmp_path / "bare", locate_schema(tmp_path / "bare").files) == ["db/schema.prisma"]


def test_schemas_of_other_models_in_several_packages_are_all_read(tmp_path):
    """Near miss: two services with databases of their own (other models): both are read."""
    write(tmp_path, {"package.json": "{}",
                     "api/package.json": "{}", "api/prisma/schema.prisma":
                         datasource("postgresql") + _models_block("User", "Order"),
                     "billing/package.json": "{}", "billing/prisma/schema.prisma":
                         datasource("postgresql") + _models_block("Invoice", "Payment", "Refund")})
    found = locate_schema(tmp_path)
    assert rel(tmp_path, found.files) == ["api/prisma/schema.prisma", "billing/prisma/schema.prisma"]
    assert found.alternatives == ()


@pytest.mark.parametrize("folder", ["docs", "examples/blog", "example", "test", "tests", "testing/e2e",
                                    "fixtures", "src/__tests__", "__fixtures__"])
def test_search_skips_docs_examples_tests_and_fixtures(tmp_path, folder):
    write(tmp_path, {f"{folder}/schema.prisma": datasource("sqlite") + MODEL,
                     "db/app.prisma": datasource("postgresql") + MODEL})
    candidates = [f"{folder}/schema.prisma", "db/app.prisma"]
    assert rel(tmp_path, find_schema_files(tmp_path, candidates)) == ["db/app.prisma"]
    assert rel(tmp_path, find_schema_files(tmp_path)) == ["db/app.prisma"]


def test_an_example_package_is_not_searched(tmp_path):
    write(tmp_path, {"examples/todo/package.json": "{}", "examples/todo/prisma/schema.prisma": MODEL,
                     "examples/todo/src/index.ts": "", "src/db/schema.prisma": MODEL, "src/index.ts": ""})
    candidates = ["examples/todo/src/index.ts", "examples/todo/prisma/schema.prisma", "src/index.ts",
                  "src/db/schema.prisma"]
    assert rel(tmp_path, find_schema_files(tmp_path, candidates)) == ["src/db/schema.prisma"]


def test_a_named_path_is_read_even_under_tests(tmp_path):
    write(tmp_path, {"package.json": package_json("test/schema.prisma"), "test/schema.prisma": MODEL})
    assert rel(tmp_path, find_schema_files(tmp_path)) == ["test/schema.prisma"]


@pytest.mark.parametrize("flag", ["--schema db/schema.prisma", "--schema=./db/schema.prisma",
                                  '--schema "db/schema.prisma"'])
def test_schema_flag_in_a_prisma_script(tmp_path, flag):
    scripts = {"build": "next build", "db:migrate": f"dotenv -- prisma migrate deploy {flag} && next build"}
    write(tmp_path, {"package.json": json.dumps({"scripts": scripts}), "db/schema.prisma": MODEL,
                     "schema.prisma": MODEL})
    assert rel(tmp_path, find_schema_files(tmp_path)) == ["db/schema.prisma"]


def test_a_missing_named_path_falls_back_with_a_note(tmp_path):
    write(tmp_path, {"package.json": package_json("prisma/generated/schema.prisma"),
                     "prisma/schema.prisma": MODEL})
    located = locate_schema(tmp_path)
    assert rel(tmp_path, list(located.files)) == ["prisma/schema.prisma"]
    assert located.notes == (("prisma/generated/schema.prisma",
                              "package.json prisma.schema names prisma/generated/schema.prisma, which does not "
                              "exist (generated at build time?); the schema was searched for instead"),)


def test_a_missing_prisma_config_path_is_noted(tmp_path):
    write(tmp_path, {"prisma.config.ts": 'export default { schema: path.join("prisma", "schema") }\n',
                     "schema.prisma": MODEL})
    located = locate_schema(tmp_path)
    assert rel(tmp_path, list(located.files)) == ["schema.prisma"]
    assert [n[1].split(" names ")[0] for n in located.notes] == ["prisma.config.ts"]


@pytest.mark.parametrize("tree, read, not_read", [
    ({"prisma/postgresql/schema.prisma": datasource("postgresql") + MODEL,
      "prisma/mysql/schema.prisma": datasource("mysql") + MODEL}, ["prisma/postgresql/schema.prisma"],
     [["prisma/mysql/schema.prisma"]]),
    ({"db/sqlite/schema.prisma": datasource("sqlite") + MODEL,
      "db/mysql/schema.prisma": datasource("mysql") + MODEL}, ["db/mysql/schema.prisma"],
     [["db/sqlite/schema.prisma"]]),
    # Folder schemas: each alternative is a whole folder.
    ({"prisma/pg/main.prisma": datasource("postgresql"), "prisma/pg/models/a.prisma": MODEL,
      "prisma/lite/main.prisma": datasource("sqlite"), "prisma/lite/models/a.prisma": MODEL},
     ["prisma/pg/main.prisma", "prisma/pg/models/a.prisma"],
     [["prisma/lite/main.prisma", "prisma/lite/models/a.prisma"]]),
])
def test_alternative_schemas_one_is_read(tmp_path, tree, read, not_read):
    write(tmp_path, tree)
    located = locate_schema(tmp_path, list(tree))
    assert rel(tmp_path, list(located.files)) == read
    assert [rel(tmp_path, list(g)) for g in located.alternatives] == not_read
    assert len(located.notes) == 1 and "not read: " in located.notes[0][1]


def test_parts_of_one_schema_are_still_merged(tmp_path):
    write(tmp_path, {"prisma/main.prisma": datasource("postgresql"), "prisma/models/user.prisma": MODEL,
                     "prisma/models/billing/invoice.prisma": MODEL})
    located = locate_schema(tmp_path)
    assert rel(tmp_path, list(located.files)) == ["prisma/main.prisma", "prisma/models/billing/invoice.prisma",
                                                   "prisma/models/user.prisma"]
    assert located.alternatives == () and located.notes == ()


def test_a_schema_only_pushed_on_its_own_is_not_the_apps(tmp_path):
    # `prisma generate` (no --schema) builds the client from the default location; the
    # reset script's --schema names a throwaway schema pushed on its own.
    scripts = {"postinstall": "prisma generate",
               "reset": "prisma db push --schema=./prisma/reset.prisma; prisma db push; prisma db seed"}
    write(tmp_path, {"package.json": json.dumps({"scripts": scripts}),
                     "prisma/schema.prisma": datasource("postgresql") + MODEL,
                     "prisma/reset.prisma": datasource("postgres") + "model Reset {\n  id Int @id\n}\n"})
    assert rel(tmp_path, find_schema_files(tmp_path)) == ["prisma/schema.prisma"]


@pytest.mark.parametrize("generate, read", [
    # Near miss: generate names its schema, so that one is the client's.
    ("prisma generate --schema=./db/app.prisma", ["db/app.prisma"]),
    # No generate script: every --schema a prisma command names is read, as before.
    ("next build", ["db/app.prisma"]),
])
def test_the_schema_generate_reads_wins(tmp_path, generate, read):
    scripts = {"build": generate, "migrate": "prisma migrate deploy --schema db/app.prisma"}
    write(tmp_path, {"package.json": json.dumps({"scripts": scripts}), "db/app.prisma": MODEL,
                     "prisma/schema.prisma": MODEL})
    assert rel(tmp_path, find_schema_files(tmp_path)) == read


@pytest.mark.parametrize("generate, read", [
    # A plain generate and a named one: two clients, the default schema and the named one.
    ("prisma generate && prisma generate --schema prisma_vector/ai.prisma",
     ["prisma/schema.prisma", "prisma_vector/ai.prisma"]),
    # Near miss: only the named generate runs, so only its schema is the client's.
    ("prisma generate --schema prisma_vector/ai.prisma", ["prisma_vector/ai.prisma"]),
])
def test_a_plain_generate_beside_a_named_one_reads_both(tmp_path, generate, read):
    ai_models = "model Embedding {\n  id Int @id\n}\n"
    write(tmp_path, {"package.json": json.dumps({"scripts": {"generate": generate}}),
                     "prisma/schema.prisma": datasource("postgresql") + MODEL,
                     "prisma_vector/ai.prisma": datasource("postgresql") + ai_models})
    assert rel(tmp_path, find_schema_files(tmp_path)) == read


def test_a_schema_named_through_a_workspace_link_is_the_packages(tmp_path):
    # `node_modules/@acme/db/…` is the repository's own packages/db (a workspace link that
    # exists only after install). Near miss: a package the repository does not hold stays a
    # named path that does not exist, noted.
    api = {"name": "api",
           "scripts": {"generate": "prisma generate --schema node_modules/@acme/db/prisma/schema.prisma"}}
    web = {"name": "web", "scripts": {"generate": "prisma generate --schema node_modules/@other/db/schema.prisma"}}
    write(tmp_path, {"package.json": json.dumps({"name": "root", "private": True}),
                     "packages/db/package.json": json.dumps({"name": "@acme/db"}),
                     "packages/db/prisma/schema.prisma": datasource("postgresql") + MODEL,
                     "packages/api/package.json": json.dumps(api),
                     "packages/web/package.json": json.dumps(web)})
    located = locate_schema(tmp_path)
    assert rel(tmp_path, list(located.files)) == ["packages/db/prisma/schema.prisma"]
    assert [path for path, _ in located.notes] == ["packages/web/node_modules/@other/db/schema.prisma"]


def test_side_by_side_schemas_of_other_models_are_other_databases(tmp_path):
    # One package, two databases (a global and a regional one), each with a copy per provider:
    # the copies declare the same models and are alternatives (the PostgreSQL one is read),
    # the two databases declare different models and are both read. Near miss: the same
    # layout's copies alone stay alternatives.
    glob_models = "model User {\n  id Int @id\n}\nmodel Account {\n  id Int @id\n}\n"
    region_models = "model Workspace {\n  id Int @id\n}\nmodel Member {\n  id Int @id\n}\n"
    write(tmp_path, {"package.json": "{}",
                     "prisma/global/schema.prisma": datasource("cockroachdb") + glob_models,
                     "prisma/region/schema.prisma": datasource("cockroachdb") + region_models,
                     "prisma/providers/postgresql/global/schema.prisma": datasource("postgresql") + glob_models,
                     "prisma/providers/postgresql/region/schema.prisma": datasource("postgresql") + region_models})
    located = locate_schema(tmp_path)
    assert rel(tmp_path, list(located.files)) == ["prisma/providers/postgresql/global/schema.prisma",
                                                   "prisma/providers/postgresql/region/schema.prisma"]
    assert sorted(rel(tmp_path, list(g)) for g in located.alternatives) == [
        ["prisma/global/schema.prisma"], ["prisma/region/schema.prisma"]]


def test_config_file_widened_to_the_folder_a_script_generates_from(tmp_path):
    # prisma.config.ts names the main file, while `db:generate` runs `prisma generate
    # --schema=./prisma/schema`: the client holds every model of the folder.
    write(
        tmp_path,
        {
            "prisma.config.ts": "export default defineConfig({ schema: './prisma/schema/schema.prisma' })\n",
            "package.json": json.dumps({"scripts": {"db:generate": "prisma generate --schema=./prisma/schema"}}),
            "prisma/schema/schema.prisma": MODEL,
            "prisma/schema/crm.prisma": MODEL,
        },
    )
    assert rel(tmp_path, find_schema_files(tmp_path)) == ["prisma/schema/crm.prisma", "prisma/schema/schema.prisma"]


def test_config_file_kept_when_no_script_names_its_folder(tmp_path):
    # Near miss: the script names another folder; the named file alone is read.
    write(
        tmp_path,
        {
            "prisma.config.ts": "export default defineConfig({ schema: './prisma/schema/schema.prisma' })\n",
            "package.json": json.dumps({"scripts": {"db:generate": "prisma generate --schema=./other"}}),
            "prisma/schema/schema.prisma": MODEL,
            "prisma/schema/crm.prisma": MODEL,
            "other/x.prisma": MODEL,
        },
    )
    assert rel(tmp_path, find_schema_files(tmp_path)) == ["prisma/schema/schema.prisma"]
