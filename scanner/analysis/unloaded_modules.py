"""Library modules nothing loads: dead code (rules.md §8, outside the request path).

A module whose top level only declares (facts/module_traits.py: no statement, no top-level
`await`, no class a framework could find by itself) does nothing until something imports it.
When no scanned module or seed imports it, and no file of the repository (package.json
scripts, serverless.yml, a Dockerfile, docs; a source only as the end of a path in a string;
not a test) names its file, it
never runs in production: a test that imports it runs it under the test runner only. Left
alone: the modules of a package where some module loads modules by a path computed at run
time (a folder loader, `require-all`; it reaches its own package and those below it, not a
sibling package of a monorepo; a template naming a data file, `${locale}.json`, loads none, and
one naming a folder, `import(`@/lib/plugins/${id}`)`, only the modules under it), and the
modules a source glob some module writes may match (a framework's `'src/**/*.resolver.ts'`;
swagger-jsdoc's `apis: ['./src/routes/*.ts']` reads files for their comments, but the glob is
not read that closely; a script's loads and globs run under that script, outside production,
and do not count), or where more than a quarter of the library
modules with Prisma calls are left unexplained (nothing imports them, and they do not sit where
a framework keeps its files);
modules at the root of their package or its `src` folder, where frameworks keep their files by
convention, and the files a framework loads by their names wherever they sit (Next.js's
`app/**/layout.tsx`, `app/sitemap.ts`, every file of a `pages/` folder); modules of a package
that publishes an API; modules of repositories with templates the scan does not parse (they
import modules too).
A barrel (a module that only passes other modules' exports on) that nothing imports, and whose
path no file spells as a module specifier, loads nothing: analysis/dead_code.py then follows
it to the modules only such modules import."""

from __future__ import annotations

import os
import re
from pathlib import PurePosixPath

from .sources import SKIP_DIRS as _SKIP_DIRS, scanned_sources
from .template_imports import loaded_by_templates

# Roles of modules that only serve others (not a route, page or script).
PLAIN_ROLES = ("lib", "component")
# Roles of modules only an import loads: libraries, and `'use server'` modules (a bundler builds
# a server action's endpoint only for a module some code imports).
_UNLOADED_ROLES = (*PLAIN_ROLES, "server-action")
# package.json keys of a package that publishes an API: its callers may live outside the scan.
_LIBRARY_KEYS = ("exports", "module", "types", "typings", "publishConfig")
_MAX_TEXT = 1 << 20
_PROSE = (".md", ".mdx", ".txt", ".rst")
# "Nothing imports it" is evidence only where the imports explain how the app loads its
# database code: when more than one in this many library modules (they only declare) with Prisma
# calls is left unexplained, the app loads them some way the scan does not see (a framework's
# folder, a loader).
_UNEXPLAINED = 4


def unloaded_modules(index, templates_import: bool) -> list[tuple[str, int, str]]:
    """(path, last line, why) for the library modules nothing loads."""
    files = index.files
    with_db = [p for p, f in files.items() if f.role in _UNLOADED_ROLES and (f.prisma_calls or f.clients_created)
               and "declarations" in f.module_traits]
    barrels = [p for p, f in files.items() if f.role in _UNLOADED_ROLES and _barrel(f)]
    unimported = [p for p in (*with_db, *barrels) if not index.importers(p) and not loaded_by_templates(index, p)]
    if not unimported or templates_import:
        return []
    # (A script's loads run under that script, outside production, as its own code does.)
    runs = {p: f for p, f in files.items() if f.role != "script"}
    loaders = [p for p, f in runs.items() if "loads-by-path" in f.module_traits]
    unimported = [p for p in unimported if not any(_reaches(index, loader, p) for loader in loaders)]
    under = {_load_folder(loader, t.removeprefix("loads-under:")) for loader, f in runs.items()
             for t in f.module_traits if t.startswith("loads-under:")}
    unimported = [p for p in unimported if not any(folder in f"/{p}" for folder in under)]
    globs = {t.removeprefix("loads-glob:") for f in runs.values() for t in f.module_traits
             if t.startswith("loads-glob:")}
    unimported = [p for p in unimported if not any(glob_matches(g, p) for g in globs)]
    # Unexplained: what neither an import nor a framework's place (the root of a package or its
    # `src`) accounts for. Many of those mean a way of loading the scan does not see.
    nested = [p for p in unimported if _nested(index, p) and not _framework_file(p)]
    if not nested or sum(p not in barrels for p in nested) * _UNEXPLAINED > len(with_db):
        return []
    sources = scanned_sources(index)
    if sources is None:
        return []
    candidates = [p for p in nested if not files[p].parse_errors
                  and not index.imported_by_seeds(p) and not publishes_api(index, p)]
    if not candidates:
        return []
    # (A test that imports the module runs it under the test runner only: a test naming its
    # file does not count as a mention.)
    tested = {p for p in candidates if index.imported_by_tests(p)}
    named = _named_stems(index, {p: _stem(p) for p in candidates if p not in barrels}, sources,
                         skip=index.test_paths())
    named |= _named_folders(index, [p for p in candidates if p in barrels], sources, skip=index.test_paths())
    return [(p, sources[p].count(b"\n") + 1,
             f"no module of the scan imports {p}" + (", only tests do" if p in tested else
                                                     ", and no file of the repository names it")
             + (": a module that only passes other modules' exports on loads them only when imported "
                "(dead code)" if p in barrels else ": a module that only declares runs only when imported (dead code)"))
            for p in candidates if p not in named]


def _barrel(facts) -> bool:
    """A module that only passes other modules' exports on (`export * from './actions'`, `export
    { a } from './a'`): no code of its own, so it matters only as a way in to those modules."""
    return "declarations" in facts.module_traits and not facts.functions and not facts.prisma_calls \
        and bool(facts.star_exports or facts.exports) and all(e.ref.kind == "import" for e in facts.exports)


def _named_folders(index, barrels: list[str], sources: dict[str, bytes], skip=frozenset()) -> set[str]:
    """The barrels whose path a file other than itself spells as a module specifier would
    (`'@/lib/modules/crm'`, `'../crm/index'`: the last two folders of an index module, or
    the file without its extension): an import the resolver could not place."""
    if not barrels:
        return set()
    tails = {}
    for p in barrels:
        pp = PurePosixPath(p)
        parts = pp.parent.parts[-2:] if pp.stem == "index" else (*pp.parent.parts[-1:], pp.stem)
        tails[p] = re.compile(rb"(?<![\w$-])" + re.escape("/".join(parts).encode())
                              + rb"(?:/index)?(?:\.[cm]?[jt]sx?)?['\"`]")
    named = set()
    for rel, data in sources.items():
        if rel in skip:
            continue
        named |= {p for p, pattern in tails.items() if p != rel and p not in named and pattern.search(data)}
    return named


def _load_folder(loader: str, folder: str) -> str:
    """`/folder/` for a folder a module loads from by template (facts/module_traits.py), as
    a piece of a scanned path: one relative to the loader (`./commands`) made whole, one
    through an alias or a package (`@/lib/industries`) by its last two plain segments."""
    if folder.startswith(("./", "../")):
        parts: list[str] = list(PurePosixPath(loader).parent.parts)
        for seg in folder.split("/"):
            if seg == "..":
                parts = parts[:-1]
            elif seg not in (".", ""):
                parts.append(seg)
        return "/" + "/".join(parts) + "/"
    plain = [seg for seg in folder.split("/") if seg and not seg.startswith(("@", "~", "#", "$"))]
    return "/" + "/".join(plain[-2:]) + "/"


def _reaches(index, loader: str, path: str) -> bool:
    """A module loading by a computed path may load `path`: one in its package or a package
    below it (a loader at the repository's root reaches all). A loader of another package of a
    monorepo (a web front end loading its translations) does not load the API's modules."""
    home = index.package_of(loader)
    return not home or path.startswith(home + "/")


def glob_matches(glob: str, path: str) -> bool:
    """Whether a source glob a module writes (`'./src/routes/*.ts'`, `'src/**/*.resolver.{ts,js}'`,
    relative to a folder not known here) may match the scanned `path`: its tail matches the
    path's tail, `**` standing for any folders."""
    m = re.fullmatch(r"(.*)\{([^{}]*)\}(.*)", glob)
    if m is not None:   # (one `{a,b}` alternation, expanded)
        return any(glob_matches(m.group(1) + alt + m.group(3), path) for alt in m.group(2).split(","))
    g = glob.removeprefix("./").lstrip("/")
    while g.startswith("../"):
        g = g[3:]
    if "**" not in g:
        return PurePosixPath(path).match(g)
    head, _, tail = g.partition("**")
    head, tail = head.strip("/"), tail.strip("/")
    name = PurePosixPath(path).name
    return (not tail or PurePosixPath(name).match(tail.rsplit("/", 1)[-1])) \
        and (not head or f"/{head}/" in f"/{path}")


def _nested(index, path: str) -> bool:
    """The module sits in a folder of its package (or of its `src`): a framework's files by
    convention (`src/middleware.ts`, `src/instrumentation.ts`, `hooks.server.ts`) sit at the root."""
    home = index.package_of(path)
    parts = (path[len(home) + 1:] if home else path).split("/")
    if parts[0] == "src":
        parts = parts[1:]
    return len(parts) > 1


# The files Next.js loads by their names in an `app/` folder (route segments, metadata routes).
_NEXT_APP_FILES = frozenset({"page", "layout", "template", "loading", "error", "global-error", "not-found",
                             "default", "route", "sitemap", "robots", "manifest", "icon", "apple-icon",
                             "opengraph-image", "twitter-image"})


def _framework_file(path: str) -> bool:
    """A file a framework loads by its path wherever it sits: Next.js's special files in an
    `app/` folder (`app/sitemap.ts`, `app/(shop)/layout.tsx`) and every file of a `pages/`
    folder."""
    p = PurePosixPath(path)
    return "app" in p.parts[:-1] and p.name.split(".")[0] in _NEXT_APP_FILES or "pages" in p.parts[:-1]


def _folder(path: str) -> bytes:
    """A pattern for a string naming the module's folder whole, as a route config or loader
    does (`flatRoutes({ rootDirectory: "modules/product/routes" })`, `'jobs/**'`), not a path
    into it (an import of a sibling, `'~/server/services/other'`): its last two segments, then
    the string's end or a glob."""
    tail = "/".join(PurePosixPath(path).parent.parts[-2:])
    return rb"(?<![\w$-])" + re.escape(tail.encode()) + rb"/?(?:\*[^'\"`\s]*)?['\"`]" if tail else rb"(?!)"


# What comes before a module specifier: an import of the folder's index module, which the
# import graph already counts, not a folder handed to a loader.
_SPECIFIER = re.compile(rb"""(?:\bfrom|\bimport|\brequire\(|\bimport\()\s*['"`][^'"`\n]*$""")


def _names_folder(pattern: re.Pattern, data: bytes) -> bool:
    for m in pattern.finditer(data):
        line_start = data.rfind(b"\n", 0, m.start()) + 1
        if not _SPECIFIER.search(data, line_start, m.start()):
            return True
    return False


def _stem(path: str) -> str:
    p = PurePosixPath(path)
    return p.parent.name if p.stem == "index" else p.stem


def publishes_api(index, path: str) -> bool:
    """The module's package publishes an API (`exports`, `module`, `types` in its package.json):
    callers may live outside the scan. Not when every entry the manifest names is a source
    file of the scan (`"exports": { ".": "./src/index.ts" }`): a package a registry serves
    ships built JavaScript, so one whose entries are its TypeScript sources serves the
    workspace it sits in, and its callers are all scanned. An entry into build output, a
    subpath pattern (`./*`) or a `publishConfig` keeps the package published."""
    home = index.package_of(path)
    manifest = next((p.manifest for p in index.modules.packages.values() if p.dir == home), {})
    if not any(k in manifest for k in _LIBRARY_KEYS):
        return False
    return index.memo(f"published:{home}", lambda: _published(index, home, manifest))


def _published(index, home: str, manifest: dict) -> bool:
    if "publishConfig" in manifest:
        return True
    entries: list[str] = []
    if not all(_entry_strings(manifest.get(k), entries) for k in ("main", "module", "types", "typings", "exports")):
        return True
    return not entries or any(_scanned_file(index, home, e) is None for e in entries)


def _entry_strings(value, out: list[str]) -> bool:
    """Collect the file paths a manifest entry names (an `exports` map's conditions and
    subpaths, nested); False for a subpath pattern (`./*`), which may name any file."""
    if isinstance(value, str):
        out.append(value)
        return "*" not in value
    if isinstance(value, dict):
        return all("*" not in k and _entry_strings(v, out) for k, v in value.items())
    if isinstance(value, list):
        return all(_entry_strings(v, out) for v in value)
    return True   # (absent, or `null`: a subpath the package hides)


def _scanned_file(index, home: str, entry: str) -> str | None:
    """The scanned source file a manifest path names (`./src/index.ts`), None for one outside
    the scan (`./dist/index.js`, a `.d.ts`)."""
    rel = str(PurePosixPath(home, entry.removeprefix("./"))) if home else entry.removeprefix("./")
    return rel if rel in index.files else None


# A module's name ending a path written in a string of code (`'./jobScheduler'`,
# `"jobs/cleanup.ts"`): code loads a file by a path, never by an identifier that happens to
# spell its name (`unitService.getUnits()`), a log message (`'unitService.getUnits is
# deprecated'`) or a sibling file's name (`'unitService.test.ts'`).
_PATH_END = rb"(?:\.[cm]?[jt]sx?)?(?=['\"`])"


def _without_resolved(index, path: str, data: bytes) -> bytes:
    """The source without the module specifiers it imports that resolve to a file: those name
    that file (`'./unitService'` beside it), not a same-named module elsewhere."""
    facts = index.files[path]
    specs = {imp.module for imp in facts.imports} | {s.module for s in facts.star_exports} \
        | {e.ref.module for e in facts.exports if e.ref.kind == "import" and e.ref.module}
    for spec in sorted(specs):
        if spec and index.modules.resolve(path, spec) is not None:
            for q in (b"'", b'"'):
                data = data.replace(q + spec.encode() + q, b"''")
    return data


def _named_stems(index, stems: dict[str, str], sources: dict[str, bytes], skip=frozenset()) -> set[str]:
    """The candidate paths whose file's name another file of the repository spells as a whole
    word (`src/handlers/cleanup.handler` in serverless.yml, `tsx scripts/cleanup.ts` in
    package.json), in a scanned source only as the end of a path in a string (`_PATH_END`), or
    whose folder a file other than prose names whole: every text file but dependencies, build
    output and large files, the scanned ones from `sources` (already read), the others from disk."""
    patterns = {p: (re.compile(rb"(?<![\w$-])" + re.escape(s.encode()) + rb"(?![\w$-])"), re.compile(_folder(p)),
                    re.compile(rb"(?<=['\"`/])" + re.escape(s.encode()) + _PATH_END))
                for p, s in stems.items()}
    left, named = dict(patterns), set()
    root = index.root
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
        for name in names:
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if rel in skip:
                continue
            data = sources.get(rel)
            try:
                if (len(data) if data is not None else os.path.getsize(full)) > _MAX_TEXT:
                    continue
                if data is None:
                    with open(full, "rb") as fh:
                        data = fh.read()
            except OSError:
                return set(stems)   # (a file that cannot be read may name any of them)
            if b"\0" in data[:4096]:
                continue
            prose = name.endswith(_PROSE)   # (a folder tree drawn in a README loads nothing)
            code = rel in sources
            if code and rel in index.files:
                data = _without_resolved(index, rel, data)
            for p, (stem, folder_, path_) in list(left.items()):
                if rel != p and ((path_ if code else stem).search(data) or not prose and _names_folder(folder_, data)):
                    named.add(p)
                    del left[p]
            if not left:
                return named
    return named
