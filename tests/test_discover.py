"""Discovery: which files are scanned, with which role, and which are skipped
with a note in the report's warnings instead of a crash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.config import load_config
from scanner.discover import Discovery, discover
from scanner.engine import scan
from scanner.report.json_report import report_dict
from treeutil import CLIENT_TS, LOOP_TS, RUNNING_AS_ROOT, make_tree



def found(root: Path, **overrides) -> Discovery:
    return discover(root, load_config(root, overrides=overrides or None))


def paths(d: Discovery) -> set[str]:
    return {s.path for s in d.sources}


def roles(d: Discovery) -> dict[str, str]:
    return {s.path: s.role for s in d.sources + d.schemas}


def scan_report(root: Path, **overrides) -> dict:
    return report_dict(scan(root, load_config(root, overrides=overrides or None)))


def warning_for(report: dict, path: str) -> dict:
    hits = [w for w in report["warnings"] if w["path"] == path]
    assert len(hits) == 1, f"expected one warning for {path}, got {report['warnings']}"
    return hits[0]


# -- .gitignore and excludes --------------------------------------------------------------

def test_root_and_nested_gitignore(tmp_path):
    make_tree(tmp_path, {
        ".gitignore": "ignored/\n*.gen.ts\n!keep.gen.ts\n",
        "src/a.ts": "", "src/b.gen.ts": "", "src/keep.gen.ts": "", "ignored/c.ts": "",
        "packages/web/.gitignore": "local/\n/anchored.ts\n!api.gen.ts\n",
        "packages/web/local/d.ts": "", "packages/web/anchored.ts": "",
        "packages/web/sub/anchored.ts": "", "anchored.ts": "", "local/e.ts": "",
        "packages/web/api.gen.ts": "", "packages/web/other.gen.ts": "",
    })
    # the nested file re-includes api.gen.ts, which the root file ignores (git: deepest wins)
    assert paths(found(tmp_path)) == {
        "src/a.ts", "src/keep.gen.ts", "packages/web/sub/anchored.ts", "anchored.ts", "local/e.ts",
        "packages/web/api.gen.ts"}


def test_default_excludes(tmp_path):
    excluded = ["node_modules/pkg/index.ts", "apps/web/node_modules/x/y.ts", ".next/server/app.js",
                "dist/index.js", "build/out.js", "out/page.js", "coverage/lcov.js", ".turbo/cache.ts",
                "generated/prisma/client.ts", "src/generated/prisma/index.ts", "prisma/generated/client/index.js",
                "src/types.d.ts", "public/vendor.min.js", "public/app.bundle.js",
                ".output/server/chunks/routes/api/users.mjs", "apps/shop/.nuxt/utils.ts",
                ".svelte-kit/output/server/entries/endpoints/api/_server.ts.js", ".netlify/functions/x.js",
                ".wrangler/tmp/bundle/index.js", ".vinxi/build/server/index.js", ".react-router/types/app/root.ts",
                ".cache/x.ts", ".history/src/actions/payroll_20250315182455.ts", "apps/web/.history/a_20240101.ts"]
    make_tree(tmp_path, {**{p: "export const x = 1\n" for p in excluded}, "src/kept.ts": ""})
    assert paths(found(tmp_path)) == {"src/kept.ts"}


def test_extra_exclude_globs_from_config(tmp_path):
    make_tree(tmp_path, {"src/a.ts": "", "src/legacy/b.ts": "", "c.ts": ""})
    assert paths(found(tmp_path, exclude=["src/legacy/", "/c.ts"])) == {"src/a.ts"}


def test_generator_output_folder_is_out_of_scope(tmp_path):
    # A custom `output` the default globs cannot know about.
    make_tree(tmp_path, {
        "prisma/schema.prisma": 'generator client {\n  provider = "prisma-client"\n  output = "../src/db-client"\n}\n'
                                "model User {\n  id String @id\n}\n",
        "src/db-client/client.ts": "export class PrismaClient {}\nexport const prisma = new PrismaClient()\n"
                                   "prisma.user.findMany()\n",
        "src/app.ts": 'import { prisma } from "./db-client/client"\nprisma.user.findMany()\n',
    })
    result = scan(tmp_path, load_config(tmp_path))
    assert set(result.index.files) == {"src/app.ts"}
    assert result.stats["files_out_of_scope"]["generated"] == 1


def test_javascript_built_beside_its_typescript_source_is_out_of_scope(tmp_path):
    # `service.js` next to `service.ts` is tsc's output committed in place: the source is
    # scanned once, not twice. Near misses: a `.js` file with no TypeScript twin, and one whose
    # twin sits in another folder, are scanned.
    make_tree(tmp_path, {
        "prisma/schema.prisma": "model User {\n  id String @id\n}\n",
        "src/db.ts": 'import { PrismaClient } from "@prisma/client"\nexport const prisma = new PrismaClient()\n',
        "src/service.ts": 'import { prisma } from "./db"\nexport const all = () => prisma.user.findMany()\n',
        "src/service.js": 'const { prisma } = require("./db")\nexports.all = () => prisma.user.findMany()\n',
        "src/legacy.js": 'const { prisma } = require("./db")\nexports.one = () => prisma.user.findFirst()\n',
        "lib/service.js": 'const { prisma } = require("../src/db")\nexports.all = () => prisma.user.findMany()\n',
    })
    result = scan(tmp_path, load_config(tmp_path))
    assert set(result.index.files) == {"src/db.ts", "src/service.ts", "src/legacy.js", "lib/service.js"}
    assert result.stats["files_out_of_scope"]["compiled"] == 1


# -- roles ----------------------------------------------------------------------------

ROLE_TREE = {
    "app/api/users/route.ts": "route", "src/app/api/items/[id]/route.js": "route",
    "app/(shop)/cart/page.tsx": "page", "src/app/page.jsx": "page",
    "pages/api/hello.ts": "pages-api", "src/pages/api/v1/[...slug].js": "pages-api",
    "pages/api.tsx": "component", "pages/index.tsx": "component", "src/components/Button.tsx": "component",
    "src/lib/db.ts": "lib", "src/server/users.mjs": "lib", "app/api/users/helpers.ts": "lib",
    "src/lib/users.test.ts": "test", "src/lib/users.spec.tsx": "test", "src/__tests__/a.ts": "test",
    "app/__test__/server/helpers.ts": "test", "src/__testing__/a.ts": "lib",
    "apps/web-e2e/utils/resetDB.ts": "test", "prisma/vitest-global-setup-e2e.ts": "test",
    "prisma/env/prisma-test-environment.ts": "test", "src/lib/e2ee.ts": "lib",
    "packages/testkit/src/factories.ts": "test", "src/test-utils/db.ts": "test",
    "src/modules/test-harness/test-harness.service.ts": "test", "src/lib/testing-ab.ts": "lib",
    "e2e/login.ts": "test", "cypress.config.ts": "test", "apps/web/playwright.config.ts": "test",
    "src/lib/config.ts": "lib", "src/components/Button.stories.tsx": "story",
    "prisma/seed.ts": "seed", "prisma/seeds/users.ts": "seed", "scripts/seed-demo.ts": "seed",
    "prisma/schema.prisma": "schema",
    "app/routes/notes.new.tsx": "remix-route", "apps/webapp/app/routes/api/v1/notes.ts": "remix-route",
    "app/routes/notes.$id/route.tsx": "route",
    "src/routes/notes/[id]/+page.server.ts": "sveltekit-route", "src/routes/+layout.server.js": "sveltekit-route",
    "web/src/routes/api/notes/+server.ts": "sveltekit-route", "src/routes/notes/+page.ts": "lib",
    "src/routes/notes/+page.svelte.ts": "lib",
}
OUT_OF_SCOPE_ROLES = {"test", "story", "seed"}


def test_every_role(tmp_path):
    make_tree(tmp_path, {p: "" for p in ROLE_TREE})
    everything = found(tmp_path, include_out_of_scope=["test", "story", "seed"])
    assert roles(everything) == ROLE_TREE


def test_tests_stories_and_seeds_are_out_of_scope_by_default(tmp_path):
    make_tree(tmp_path, {p: "" for p in ROLE_TREE})
    d = found(tmp_path)
    assert roles(d) == {p: r for p, r in ROLE_TREE.items() if r not in OUT_OF_SCOPE_ROLES}
    assert d.out_of_scope == {"test": 13, "story": 1, "seed": 3}
    only_tests = found(tmp_path, include_out_of_scope=["test"])
    assert {r for r in roles(only_tests).values()} & OUT_OF_SCOPE_ROLES == {"test"}


def test_out_of_scope_globs_are_configurable(tmp_path):
    make_tree(tmp_path, {"src/a.fixture.ts": "", "src/b.ts": ""})
    d = found(tmp_path, out_of_scope={"test": ["**/*.fixture.ts"], "story": [], "seed": []})
    assert roles(d) == {"src/b.ts": "lib"} and d.out_of_scope == {"test": 1}


def test_server_action_and_trpc_router_roles_come_from_facts(tmp_path):
    make_tree(tmp_path, {
        "src/db.ts": CLIENT_TS,
        "src/actions/posts.ts": '"use server"\nimport { prisma } from "../db"\n'
                                "export async function createPost(title: string) {\n"
                                "  return prisma.post.create({ data: { title } })\n}\n",
        "src/server/routers/post.ts": 'import { prisma } from "../../db"\nimport { router, publicProcedure } from "../trpc"\n'
                                      "export const postRouter = router({\n"
                                      "  list: publicProcedure.query(async () => prisma.post.findMany({ take: 10 })),\n})\n",
        "src/server/trpc.ts": "export const router = (x: unknown) => x\nexport const publicProcedure = {} as any\n",
    })
    result = scan(tmp_path, load_config(tmp_path))
    got = {p: f.role for p, f in result.index.files.items()}
    assert got == {"src/db.ts": "lib", "src/actions/posts.ts": "server-action",
                   "src/server/routers/post.ts": "trpc-router", "src/server/trpc.ts": "lib"}
    entry = {c.path: c.entry_kind for c in result.index.prisma_calls}
    assert entry == {"src/actions/posts.ts": "server-action", "src/server/routers/post.ts": "trpc-procedure"}


# -- defensive reading ------------------------------------------------------------------

def test_unreadable_content_is_skipped_with_a_warning(tmp_path):
    make_tree(tmp_path, {
        "src/big.ts": "export const a = 1\n" * 2000,                     # 38,000 bytes
        "src/video.ts": b"G@\x00\x10\x00\x00\xb0\x0d\x00\x01" * 50,        # an MPEG transport stream
        "src/latin1.ts": 'export const name = "caf\xe9"\n'.encode("latin-1"),
        "src/bundle.js": "var a=1;" * 1000 + "\n",                       # one 8,000-character line
        "src/ok.ts": 'import { prisma } from "./db"\nprisma.user.findMany({ take: 1 })\n',
        "src/db.ts": CLIENT_TS,
    })
    report = scan_report(tmp_path, max_file_bytes=30_000, max_line_length=5000)
    assert {w["path"] for w in report["warnings"]} == {"src/big.ts", "src/video.ts", "src/latin1.ts", "src/bundle.js"}
    assert all(w["kind"] == "skipped" for w in report["warnings"])
    assert "max_file_bytes" in warning_for(report, "src/big.ts")["message"]
    assert "binary" in warning_for(report, "src/video.ts")["message"]
    assert "not UTF-8" in warning_for(report, "src/latin1.ts")["message"]
    assert "minified" in warning_for(report, "src/bundle.js")["message"]
    assert report["stats"]["files_scanned"] == 2
    assert report["stats"]["prisma_calls"] == 1


def test_utf16_with_bom_is_decoded_and_utf8_bom_stripped(tmp_path):
    make_tree(tmp_path, {
        "src/db.ts": CLIENT_TS,
        "src/wide.ts": b"\xff\xfe" + LOOP_TS.encode("utf-16-le"),
        "src/bom.ts": b"\xef\xbb\xbf" + LOOP_TS.encode(),
    })
    report = scan_report(tmp_path)
    assert report["warnings"] == []
    got = {(f["path"], f["line"], f["column"]) for f in report["findings"] if f["rule"] == "n-plus-one"}
    assert got == {("src/wide.ts", 4, 11), ("src/bom.ts", 4, 11)}
    wide = next(f for f in report["findings"] if f["path"] == "src/wide.ts")
    assert wide["snippet"].startswith("    await prisma.user.findFirst")


def test_crlf_line_endings_keep_line_numbers(tmp_path):
    make_tree(tmp_path, {"src/db.ts": CLIENT_TS, "src/win.ts": ("// header\n\n" + LOOP_TS).replace("\n", "\r\n").encode()})
    report = scan_report(tmp_path)
    [f] = report["findings"]
    assert (f["path"], f["line"], f["column"]) == ("src/win.ts", 6, 11)
    assert "\r" not in f["snippet"]


# -- the file system ------------------------------------------------------------------------

def test_symlinks_are_not_followed(tmp_path):
    outside = make_tree(tmp_path / "outside", {"secret.ts": "export const s = 1\n"})
    root = make_tree(tmp_path / "root", {"src/a.ts": "", "src/deep/b.ts": ""})
    (root / "src/deep/loop").symlink_to(root / "src", target_is_directory=True)      # a loop
    (root / "src/self").symlink_to(root, target_is_directory=True)
    (root / "src/ext").symlink_to(outside, target_is_directory=True)                 # outside the root
    (root / "src/secret.ts").symlink_to(outside / "secret.ts")
    (root / "src/dangling.ts").symlink_to(root / "missing.ts")
    d = found(root)
    assert paths(d) == {"src/a.ts", "src/deep/b.ts"}
    assert d.warnings == []


@pytest.mark.skipif(RUNNING_AS_ROOT, reason="running as root: chmod 000 does not block reads")
def test_unreadable_file_and_folder(tmp_path):
    make_tree(tmp_path, {"src/a.ts": "", "src/secret.ts": "export const a = 1\n", "locked/b.ts": ""})
    (tmp_path / "src/secret.ts").chmod(0)
    (tmp_path / "locked").chmod(0)
    try:
        report = scan_report(tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
        (tmp_path / "src/secret.ts").chmod(0o644)
    assert {(w["path"], w["kind"]) for w in report["warnings"]} == {("src/secret.ts", "skipped"),
                                                                   ("locked", "skipped")}
    assert "Permission denied" in warning_for(report, "locked")["message"]
    assert report["stats"]["files_scanned"] == 1


def test_root_that_is_a_single_file(tmp_path):
    make_tree(tmp_path, {"db.ts": CLIENT_TS, "loop.test.ts": LOOP_TS, "notes.md": "# hi\n"})
    d = found(tmp_path / "loop.test.ts")
    assert [(s.path, s.role) for s in d.sources] == [("loop.test.ts", "test")]   # named, so scanned
    report = scan_report(tmp_path / "loop.test.ts")
    assert [(f["path"], f["line"]) for f in report["findings"]] == [("loop.test.ts", 4)]
    make_tree(tmp_path, {"package.json": "{}", "app/api/users/route.ts": "export async function GET() {}\n"})
    assert [(s.path, s.role) for s in found(tmp_path / "app/api/users/route.ts").sources] == [("route.ts", "route")]
    notes = found(tmp_path / "notes.md")
    assert notes.sources == [] and [w.kind for w in notes.warnings] == ["empty"]


def test_empty_directory(tmp_path):
    report = scan_report(tmp_path)
    assert report["findings"] == [] and report["stats"]["files_scanned"] == 0
    assert [(w["path"], w["kind"]) for w in report["warnings"]] == [(".", "empty")]


def test_path_with_spaces_and_unicode(tmp_path):
    root = make_tree(tmp_path / "my app ünïcødé", {"src/db.ts": CLIENT_TS, "src/dåtå lööp.ts": LOOP_TS})
    report = scan_report(root)
    assert report["root"] == str(root)
    assert [(f["path"], f["line"]) for f in report["findings"]] == [("src/dåtå lööp.ts", 4)]


def _make_bytes_name(parent: Path, raw: bytes, is_dir: bool) -> Path:
    target = os.path.join(os.fsencode(parent), raw)
    try:
        os.mkdir(target) if is_dir else open(target, "wb").close()
    except OSError:
        pytest.skip("this file system only stores UTF-8 names")
    return Path(os.fsdecode(target))


def test_names_that_are_not_utf8_are_skipped_with_a_warning(tmp_path):
    root = make_tree(tmp_path / "r", {"src/db.ts": CLIENT_TS})
    bad_file = _make_bytes_name(root / "src", b"caf\xe9.ts", is_dir=False)
    bad_file.write_text(LOOP_TS, encoding="utf-8")
    bad_dir = _make_bytes_name(root, b"l\xf6ops", is_dir=True)
    (bad_dir / "load.ts").write_text(LOOP_TS, encoding="utf-8")
    report = scan_report(root)
    assert {(w["path"], w["kind"]) for w in report["warnings"]} == {("src/caf\ufffd.ts", "skipped"),
                                                                   ("l\ufffdops", "skipped")}
    assert report["stats"]["files_scanned"] == 1 and report["findings"] == []


def test_a_root_whose_name_is_not_utf8(tmp_path):
    root = _make_bytes_name(tmp_path, b"caf\xe9", is_dir=True)
    make_tree(root, {"src/db.ts": CLIENT_TS, "src/load.ts": LOOP_TS})
    report = scan_report(root)
    assert report["root"].endswith("caf\ufffd")
    assert [(f["path"], f["line"]) for f in report["findings"]] == [("src/load.ts", 4)]


def test_files_named_in_routes_ts_are_route_modules(tmp_path):
    make_tree(tmp_path, {
        "app/routes.ts": 'import { index, layout, prefix, route } from "@react-router/dev/routes"\n'
                         'export default [index("./screens/home.tsx"), layout("./screens/shell.tsx", [\n'
                         '  ...prefix("admin", [route("users/:id", "screens/admin/user.tsx")])])]\n',
        "app/screens/home.tsx": "", "app/screens/shell.tsx": "", "app/screens/admin/user.tsx": "",
        "app/screens/widget.tsx": "",
        "remix.config.js": 'module.exports = { routes: (r) => r((route) => { route("/x", "pages/x.tsx") }) }\n',
        "app/pages/x.tsx": "",
        # A routes.ts with no app/ folder around it is something else.
        "lib/routes.ts": 'export const files = ["./util.ts"]\n', "lib/util.ts": "",
    })
    got = roles(found(tmp_path))
    assert {p for p, r in got.items() if r == "remix-route"} == {
        "app/screens/home.tsx", "app/screens/shell.tsx", "app/screens/admin/user.tsx", "app/pages/x.tsx"}
    assert got["app/screens/widget.tsx"] == "component" and got["lib/util.ts"] == "lib"


def test_prefiltered_specs_answer_as_pathspec_does():
    """discover._Spec answers a path no pattern matches from one combined regex; every
    answer must equal pathspec's own, negations and directory patterns included."""
    import pathspec
    from scanner.discover import _Spec

    lines = ["node_modules/", "*.min.js", "!keep.min.js", "/build", "**/dist/**", "logs/*.log",
             "!logs/important.log", "tmp", "# comment", "", "src/**/generated/", "*.d.ts"]
    paths = ["node_modules/a/b.ts", "src/node_modules/x.ts", "a.min.js", "keep.min.js", "x/keep.min.js",
             "build/out.ts", "src/build/out.ts", "pkg/dist/a.ts", "dist", "logs/a.log",
             "logs/important.log", "tmp", "tmp/x.ts", "a/tmp/b.ts", "src/a/generated/c.ts",
             "src/generated.ts", "types.d.ts", "src/app/page.tsx", "README.md"]
    ours, theirs = _Spec(lines), pathspec.GitIgnoreSpec.from_lines(lines)
    for p in paths:
        assert ours.match_file(p) == theirs.match_file(p), p
        assert ours.check_file(p) == theirs.check_file(p).include, p
    assert _Spec([]).match_file("a.ts") is False and _Spec([]).check_file("a.ts") is None
