"""Functions nothing in the scan uses: dead code, whose findings are low (rules.md §8:
outside the request path). A module-level function is dead when its file never names it
again (facts/lone_functions.py: no call, registration, callback or re-export there) and
- it is not exported: nothing can reach it, in a module of any role (a framework finds a
  route's, page's or server action's functions by their exported names); or
- it is exported by name from a library module (role lib or component, not a route, page or
  script) or an Express-style handler module (a typed handler runs only where a router that
  imports it registers it) that other modules of the scan do import, while none imports this name (from any
  specifier, a guard against one the resolver cannot place), imports the module whole,
  re-exports from it or calls the function.
A class's plain method (facts/lone_functions.py) that runs Prisma calls (its own, or through
the repo functions it calls) is dead when no scanned file names it but its definition (an
interface that declares it names it too); a `private` one also where templates the scan
does not parse might call public ones. A plain class (no decorator, no base class, not a
default export) that no scanned file names but its declaration, outside import and export
lists, has none of its methods run.
A function every call of which sits in dead code (or in a server action Next.js gives no
endpoint), and that the scanned sources name nowhere but its definition and those calls, is
dead too, to a fixed point.
A module nothing imports is dead only when it merely declares and nothing names its file
(analysis/unloaded_modules.py); otherwise a framework may load it by its path (Next.js
`middleware.ts`, a Trigger.dev task folder, a serverless handler). Left alone: framework entry
points, scheduled functions, default exports, and modules of a package that publishes an
API (`exports`, `module`, `types` in its package.json): its callers may live elsewhere. In a
repository with templates the scan does not parse (Svelte, Vue, Astro, MDX components import
modules too), no export is judged: only unexported functions and private methods are, and
the exports of SvelteKit's server-only modules (`src/lib/server/…`, `*.server.ts`), which no
component may import.
Next.js route files in a package no Next.js build covers are dead too, and so are route-shaped files
outside every `app/` folder that nothing imports (analysis/unbuilt_routes.py).
Findings are graded by findings.unreached."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from ..facts.lone_functions import self_labels, word_count, word_pattern
from ..index import FunctionKey
from .sources import scanned_sources
from .nest_modules import unmounted_controllers
from .unbuilt_routes import stray_routes, unbuilt_routes
from .unloaded_modules import PLAIN_ROLES as _PLAIN_ROLES, publishes_api, unloaded_modules
from .unimported_actions import imported_names, unimported_actions
from .template_imports import loaded_by_templates, template_imports, template_texts, uses_templates



def _sveltekit(index) -> bool:
    return index.memo("sveltekit", lambda: any(
        pkg.dependency("@sveltejs/kit") for pkg in index.modules.packages.values()))


def _templates_import(index) -> bool:
    """Whether some package of the repository uses templates whose imports the scan cannot see
    (analysis/template_imports.py reads Svelte components' imports)."""
    return uses_templates(index) and template_imports(index) is None


def dead_functions(index) -> dict[str, tuple[tuple[int, int, str], ...]]:
    """{path: ((first line, last line, why), …)} for the dead functions of the scan."""
    names, whole = imported_names(index)
    out: dict[str, tuple] = {}
    methods: list[tuple[str, object]] = []
    for path in sorted(index.files):
        facts = index.files[path]
        if not facts.lone_functions or facts.parse_errors:
            continue   # (code parsed with error recovery may have lost its export or its call)
        # A framework finds a route's or a page's functions by their exported names, so in a
        # module of another role only an unexported function is judged: nothing can reach it.
        # An Express-style handler module runs only what code imports from it and registers.
        plain = facts.role in IMPORTED_ROLES
        spans = []
        for fid in facts.lone_functions:
            fn = facts.functions[fid]
            if fn.entry_kind not in _IMPORTED_ENTRIES or fn.scheduled or index.callers(FunctionKey(path, fid)) \
                    or not plain and (fn.class_name or fn.exported_as):
                continue
            if fn.class_name:
                key = FunctionKey(path, fid)
                if index.calls_by_function.get(key) or index.reachable_calls(key, limit=1):
                    methods.append((path, fn))   # (its database work direct, or through helpers)
                continue
            if not fn.exported_as:
                why = f"nothing calls {fn.name}(): its module never names it again and does not export it (dead code)"
            elif _unused_export(index, path, fn, names, whole):
                why = (f"nothing in the scan imports {fn.name}() or calls it, while other modules import "
                       f"{path} (dead code)")
            else:
                continue
            spans.append((fn.span.line, fn.span.end_line, why))
        if spans:
            out[path] = tuple(spans)
    for path, (last, why) in dead_modules(index).items():
        out[path] = (*out.get(path, ()), (1, last, why))
    for path, fn in _unnamed_elsewhere(index, methods):
        why = (f"nothing in the scan names {fn.class_name}.{fn.name}() outside its definition: no call, "
               "no reference, no interface declares it (dead code)")
        out[path] = (*out.get(path, ()), (fn.span.line, fn.span.end_line, why))
    for path, fn in _unnamed_classes(index):
        if any(a <= fn.span.line <= b for a, b, _ in out.get(path, ())):
            continue
        why = (f"nothing in the scan names the class {fn.class_name} outside its declaration: nothing "
               f"constructs, extends or reads it, so {fn.name}() never runs (dead code)")
        out[path] = (*out.get(path, ()), (fn.span.line, fn.span.end_line, why))
    for path, span in _called_only_from_dead(index, out):
        out[path] = (*out.get(path, ()), span)
    return out


# Roles of modules that run only when imported: libraries, and Express-style handler modules
# (a router or controller: Express mounts what code imports, never a file by its path).
IMPORTED_ROLES = (*_PLAIN_ROLES, "http-router")
# … and `'use server'` modules: Next.js gives a server action an endpoint only when a module of
# the build imports it, so one whose every importer never runs has none.
_CHAINED_ROLES = (*IMPORTED_ROLES, "server-action")
# Entry kinds a function has only once a module that runs imports it and registers it (a typed
# Express handler, `(req: Request, res: Response)`): no framework finds it by its file.
_IMPORTED_ENTRIES = (None, "http-handler")


def dead_modules(index) -> dict[str, tuple[int, str]]:
    """{path: (last line, why)} for the modules that never run: routers mounted nowhere, Nest
    controllers no root module mounts, library modules nothing loads, and, to a fixed point,
    library modules every importer of which is one of them (a controller only an unmounted
    router imports). Built once."""
    def build() -> dict[str, tuple[int, str]]:
        out = {path: (last, why) for path, last, why in (
            *_unmounted_routers(index), *unmounted_controllers(index),
            *unloaded_modules(index, _templates_import(index)), *unbuilt_routes(index),
            *stray_routes(index))}
        if not out or _templates_import(index):   # (templates the scan does not parse import modules too)
            return out
        sources = scanned_sources(index)
        changed = True
        while changed and sources is not None:
            changed = False
            for path in sorted(index.files):
                facts = index.files[path]
                importers = index.importers(path)
                if path in out or facts.role not in _CHAINED_ROLES or facts.parse_errors or not importers \
                        or loaded_by_templates(index, path) \
                        or any(f.scheduled or f.entry_kind not in _IMPORTED_ENTRIES
                               and not (facts.role == f.entry_kind == "server-action") for f in facts.functions) \
                        or not all(i in out for i in importers) or publishes_api(index, path):
                    continue
                first = sorted(importers)[0]
                out[path] = (sources[path].count(b"\n") + 1,
                             f"{path} is imported only by modules that never run ({first}"
                             f"{', …' if len(importers) > 1 else ''}): dead code")
                changed = True
        return out
    return index.memo("dead-modules", build)


# Import and export lists, whose names are no use of a function.
_IMPORT_LISTS = re.compile(rb"""\bimport\s+(?:type\s+)?[^;'"`]*?\bfrom\s*['"][^'"]*['"]|\bexport\s*\{[^}]*\}""")


def _called_only_from_dead(index, dead: dict) -> list[tuple[str, tuple[int, int, str]]]:
    """Functions every call of which sits in dead code (above, or a server action Next.js gives
    no endpoint), and that the scanned sources name nowhere else (no callback, no registration,
    no second function of the name): dead too, to a fixed point."""
    if not dead or _templates_import(index):
        return []
    spans = {p: list(v) for p, v in dead.items()}
    for p, v in unimported_actions(index)["no_endpoint"].items():
        spans.setdefault(p, []).extend(v)

    def in_dead(path: str, line: int) -> bool:
        return any(a <= line <= b for a, b, _ in spans.get(path, ()))

    out, changed = [], True
    while changed:
        changed = False
        for path in sorted(index.files):
            facts = index.files[path]
            if facts.parse_errors:
                continue
            for fn in facts.functions:
                if fn.entry_kind or fn.scheduled or fn.listener or fn.inline_callback is not None \
                        or fn.name.startswith("<") or in_dead(path, fn.span.line):
                    continue
                callers = index.callers(FunctionKey(path, fn.id))
                if not callers or not all(in_dead(p, s.span.line) for p, s in callers) \
                        or not _named_only_by(index, fn.name, len(callers)):
                    continue
                first = callers[0]
                why = (f"{fn.name}() is called only from dead code ({first[0]}:{first[1].span.line}"
                       f"{' and others' if len(callers) > 1 else ''}), and nothing else names it (dead code)")
                spans.setdefault(path, []).append((fn.span.line, fn.span.end_line, why))
                out.append((path, (fn.span.line, fn.span.end_line, why)))
                changed = True
    return out


def _stripped(index, path: str) -> bytes:
    """A scanned source with its import and export lists taken out (read once per file)."""
    return index.memo(f"without-import-lists:{path}", lambda: _IMPORT_LISTS.sub(b"", scanned_sources(index)[path]))


def _named_only_by(index, name: str, calls: int) -> bool:
    """Whether the scanned sources spell `name` (as a word, outside import and export lists)
    exactly once more than it is called: its definition and those calls, nothing else."""
    word = word_pattern(name.encode())
    if scanned_sources(index) is None:
        return False
    seen = 0
    for path in index.files:
        seen += len(word.findall(_stripped(index, path)))
        if seen > calls + 1:
            return False
    if any(word.search(t) for t in template_texts(index)):
        return False   # (a component names it, imported or not)
    return seen == calls + 1


# What builds an Express or Koa router, or declares a Fastify plugin (a function of the
# `FastifyInstance` it registers routes on), and what makes a module the app itself.
_ROUTER = re.compile(rb"\bRouter\s*\(|\bFastify(?:Instance|PluginAsync|PluginCallback)\b")
# Fastify's folder loader registers every plugin module of a folder by its path.
_AUTOLOAD = re.compile(rb"['\"](?:@fastify/autoload|fastify-autoload)['\"]")
SERVER_START = re.compile(rb"\.listen\s*\(|\bcreateServer\s*\(|\bserverless\s*\(")


def _unmounted_routers(index) -> list[tuple[str, int, str]]:
    """(path, last line, why) for the modules that register request handlers on a router they
    build (`const router = Router(); router.post('/x', fn)`) and that nothing imports, by any
    path a source file spells: Express and Koa mount a router only where code imports it
    (`app.use('/x', router)`), never by its file's path. Left alone: the app module itself
    (it listens), and every module when some file reads a folder (`readdirSync`), the way
    route autoloaders do (a folder read beside a `require(`/`import(` outside scripts), or uses
    Fastify's `@fastify/autoload`. A Fastify plugin (`export async function routes(fastify:
    FastifyInstance)`) is mounted only where code imports it too (`app.register(routes)`)."""
    candidates = [p for p, f in index.files.items() if not f.parse_errors and not index.importers(p)
                  and (f.role == "http-router" or f.role == "lib" and _registers_handlers(f))]
    if not candidates or _templates_import(index):
        return []
    sources = scanned_sources(index)
    if sources is None:
        return []
    if any(b"readdir" in src and (b"require(" in src or b"import(" in src) and index.files[p].role != "script"
           or _AUTOLOAD.search(src) for p, src in sources.items()):
        return []
    out = []
    for path in candidates:
        src = sources[path]
        if not _ROUTER.search(src) or SERVER_START.search(src):
            continue
        stem = PurePosixPath(path).stem if PurePosixPath(path).stem != "index" else PurePosixPath(path).parent.name
        # A module specifier ending in its name (`./legacy`, `../routes/legacy.js`, `@/routes/legacy`),
        # not a route path that shares it (`'/profile/preferences'`).
        named = re.compile(rb"['\"`](?:\.{1,2}|@|~|src)(?:/[^'\"`\n/]+)*/" + re.escape(stem.encode())
                           + rb"(?:\.[cm]?[jt]sx?)?['\"`]")
        if any(named.search(s) for p, s in sources.items() if p != path):
            continue   # (a require the facts do not bind, `app.use(require('./x'))`, may load it)
        out.append((path, src.count(b"\n") + 1,
                    f"no module of the scan imports {path}, which builds a router or declares a Fastify "
                    "plugin: its routes are mounted nowhere (dead code)"))
    return out


def _registers_handlers(facts) -> bool:
    """A library module that registers other modules' functions on paths (`router.post('/x',
    ctrl.create)`, no handler of its own): a router file of imported controllers."""
    return any(h.kind == "http-handler" for h in facts.handler_refs)


def _unnamed_elsewhere(index, methods: list) -> list:
    """The methods (holding Prisma calls, named once in their own file) whose name no other
    scanned file holds as a word, even in a string (a longer name holding it is another name;
    the method's own name as a string in its own body is a label for its errors:
    `handleError(e, "createUnits")`): nothing can call them but a computed name. One read of
    the scanned files, only when there is a candidate."""
    texts = scanned_sources(index) if methods else None
    if texts is None:
        return []   # (a file that cannot be read again may name any of them)
    if _templates_import(index):
        # Templates the scan does not parse may call a class's methods, never a private one.
        methods = [(path, fn) for path, fn in methods if _private(texts[path], fn)]
    # A service object's methods (`export const shop = { buy() {…} }`) only where every use of
    # the object reads a member by name: one handed on whole, spread or indexed by a computed
    # key (`handlers[action]()`) may have any method called.
    members_only: dict[str, bool] = {}
    methods = [(path, fn) for path, fn in methods if _declares_class(texts[path], fn.class_name)
               or members_only.setdefault(fn.class_name, _used_by_member(index, fn.class_name))]
    if not methods:
        return []
    # A `private` method (TypeScript's keyword, or `#name`) is callable only inside its class, so
    # only its own file can name it: a method of the same name in another class is another one.
    private = {(path, fn.name) for path, fn in methods if _private(texts[path], fn)}
    own: dict[bytes, set[str]] = {}
    for path, name in private:
        own.setdefault(name.encode(), set()).add(path)
    shared = {fn.name.encode() for path, fn in methods if (path, fn.name) not in private}
    left = {fn.name.encode() for _, fn in methods}
    # A method's own name as a string in its body labels its errors: no use (facts/lone_functions.py).
    counts = dict.fromkeys(left, 0)
    lines: dict[str, list[bytes]] = {}   # (each file split once, however many of its methods)
    for path, fn in methods:
        if path not in lines:
            lines[path] = texts[path].split(b"\n")
        body = b"\n".join(lines[path][fn.span.line - 1:fn.span.end_line])
        counts[fn.name.encode()] -= self_labels(body, fn.name.encode())
    sources = [(p, src) for p, src in texts.items()] + [(None, src) for src in template_texts(index)]
    for p, src in sources:
        for name in list(left):
            if name not in shared and p not in own.get(name, ()):
                continue
            counts[name] += word_count(src, name)
            if counts[name] > 1:
                left.discard(name)
        if not left:
            return []
    return [(path, fn) for path, fn in methods if fn.name.encode() in left]


# A plain class declaration at the start of a line: no decorator on the line before (a framework
# may find a decorated class by its folder), no base class (nor one a framework finds by its
# folder: `extends Command`), not the module's default export (a framework may load that).
_PLAIN_CLASS = re.compile(rb"(?:^|\n)(?P<before>[^\n]*\n)?[ \t]*(?:export[ \t]+)?(?:abstract[ \t]+)?class[ \t]+"
                          rb"(?P<name>[A-Za-z_$][\w$]*)(?:[ \t]*<[^{\n]*>)?(?:[ \t]+implements\b[^{\n]*)?[ \t]*\{")


def _unnamed_classes(index) -> list:
    """The methods (with database work, direct or through helpers) of plain classes that no
    scanned source names but their own declaration, outside import and export lists (a barrel's
    `export { Plans } from './plans'` uses nothing): nothing constructs, extends, injects or
    reads the class, so none of its methods runs. Left alone beside templates the scan does not
    parse (they may construct it) and in a package that publishes an API."""
    sources = None if _templates_import(index) else scanned_sources(index)
    if sources is None:
        return []
    declared: dict[bytes, list[tuple[str, object]]] = {}
    for path in sorted(index.files):
        facts = index.files[path]
        if facts.role not in _PLAIN_ROLES or facts.parse_errors or publishes_api(index, path):
            continue
        owners = {fn.class_name for fn in facts.functions if fn.class_name}
        if not owners:
            continue
        plain = {m.group("name").decode() for m in _PLAIN_CLASS.finditer(sources[path])
                 if not (m.group("before") or b"").lstrip().startswith(b"@")}
        # A class one of whose methods a framework runs (a route, a schedule) is the framework's
        # to construct.
        plain -= {fn.class_name for fn in facts.functions if fn.class_name and (fn.entry_kind or fn.scheduled)}
        for fn in facts.functions:
            if fn.class_name in plain:
                key = FunctionKey(path, fn.id)
                if index.calls_by_function.get(key) or index.reachable_calls(key, limit=1):
                    declared.setdefault(fn.class_name.encode(), []).append((path, fn))
    if not declared:
        return []
    seen = dict.fromkeys(declared, 0)   # (names drop out once named twice: most are, early)
    texts = ((p, sources[p]) for p in index.files)
    for path, text_ in (*texts, *((None, t) for t in template_texts(index))):
        names = [n for n in seen if n in text_]
        if names and path is not None:
            text_ = _stripped(index, path)   # (only files that spell a name lose their import lists)
        for name in names:
            seen[name] += word_count(text_, name)
            if seen[name] > 1:
                del seen[name]
        if not seen:
            return []
    return [site for name, sites in declared.items() if seen.get(name) == 1 for site in sites]


def _declares_class(src: bytes, name: str) -> bool:
    return re.search(rb"\bclass\s+" + re.escape(name.encode()) + rb"\b", src) is not None


def _used_by_member(index, name: str) -> bool:
    """Every mention of `name` in the scanned sources, outside import and export lists, is its
    `const` declaration or reads a member of it (`name.buy(…)`, `name?.buy`)."""
    word = word_pattern(name.encode())
    for path in index.files:
        src = _stripped(index, path)
        for m in word.finditer(src):
            before = src[max(0, m.start() - 6):m.start()]
            if before.endswith(b".") and not before.endswith(b"..."):
                continue   # (another object's member of the same name)
            after = src[m.end():m.end() + 3].lstrip()
            if not (after.startswith((b".", b"?.")) or before.endswith(b"const ")):
                return False
    return True


def _private(src: bytes, fn) -> bool:
    """A method declared `private` (or `#name`) on its first line: only its class calls it."""
    first = src.split(b"\n", fn.span.line)[fn.span.line - 1] if fn.span.line > 0 else b""
    name = re.escape(fn.name.encode())
    declared = re.search(rb"\bprivate\b[^(=]*?(?<![\w$])" + name + rb"\s*[(<]", first)
    return fn.name.startswith("#") or declared is not None


# SvelteKit's server-only modules (`src/lib/server/…`, `db.server.ts`): no component may import
# them (the build refuses), so templates the scan does not parse cannot be their importers.
_SERVER_ONLY = re.compile(r"(?:^|/)lib/server/|\.server\.[cm]?[jt]s$")


def _unused_export(index, path: str, fn, names: set[str], whole: set[str]) -> bool:
    if _templates_import(index) and not (_SERVER_ONLY.search(path) and _sveltekit(index)):
        return False
    if "default" in fn.exported_as or names.intersection(fn.exported_as) or path in whole:
        return False
    if not index.importers(path) and not loaded_by_templates(index, path):
        return False
    return not publishes_api(index, path)
