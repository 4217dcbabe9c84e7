"""NestJS controllers no running app mounts. Nest serves a controller's routes only when a
module that lists it in `controllers` is imported, directly or through other modules, by a
root module the app starts (`NestFactory.create(AppModule)`). A controller left out of that
tree (its module never imported, or listed by no module) serves nothing: its handlers, and
what only they call, are dead code (analysis/dead_code.py, rules.md §8).

Read from the sources' text, as dead_code's unmounted routers are, and conservative: nothing
is judged when no root is found, when a module's `imports` or `controllers` is not a literal
list of names (a spread, a variable, a call building it), or when the app loads modules lazily
(`LazyModuleLoader`). Names are matched as written: a module name two files declare counts
as one, reached when either is."""

from __future__ import annotations

import re

from .sources import scanned_sources

_ROOT = re.compile(rb"NestFactory\s*\.\s*create\w*\s*(?:<[^>()]*>)?\s*\(\s*([A-Za-z_$][\w$]*)")
_MODULE = re.compile(rb"@Module\s*\(")
_CLASS = re.compile(rb"\bclass\s+([A-Za-z_$][\w$]*)")
_CONTROLLER = re.compile(rb"@Controller\s*\(")
# Strings first, so that `//` in `'http://x'` is no comment: a match that is a string stays.
_COMMENTS = re.compile(rb"""'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`|//[^\n]*|/\*.*?\*/""", re.S)
_NAME = re.compile(rb"\b([A-Z][\w$]*)\b")


def unmounted_controllers(index) -> list[tuple[str, int, str]]:
    """(path, last line, why) for the controller modules of the scan no root module mounts."""
    files = [p for p, f in index.files.items() if f.role == "nest-controller" and not f.parse_errors]
    sources = scanned_sources(index) if files else None
    if not sources or any(b"LazyModuleLoader" in s for s in sources.values()):
        return []
    roots = {m.decode() for s in sources.values() for m in _ROOT.findall(s)}
    modules: dict[str, tuple[set[str], set[str]]] = {}
    for src in sources.values():
        for name, imports, controllers in _modules(_uncommented(src)) if b"@Module" in src else ():
            if imports is None or controllers is None:
                return []   # (a module whose lists are not written out as names)
            held = modules.setdefault(name, (set(), set()))
            held[0].update(imports)
            held[1].update(controllers)
    if not roots or not roots <= modules.keys():
        return []
    reached, todo = set(), list(roots)
    while todo:
        m = todo.pop()
        if m in reached or m not in modules:
            continue
        reached.add(m)
        todo += modules[m][0]
    mounted = {c for m in reached for c in modules[m][1]}
    listed = {c: m for m, (_, cs) in modules.items() for c in cs}
    out = []
    for path in sorted(files):
        src = sources.get(path, b"")
        names = [c.group(1).decode() for m in _CONTROLLER.finditer(src) if (c := _CLASS.search(src, m.end()))]
        if not names or any(n in mounted for n in names):
            continue
        why = (f"the NestJS module that lists {names[0]} ({listed[names[0]]}) is not imported by the root "
               f"module the app starts ({', '.join(sorted(roots))}), directly or through other modules: its "
               "routes are never mounted (dead code)") if names[0] in listed else \
            f"no NestJS module lists {names[0]} in its controllers: its routes are never mounted (dead code)"
        out.append((path, sources[path].count(b"\n") + 1, why))
    return out


def _uncommented(src: bytes) -> bytes:
    """The source with its comments removed and its strings kept."""
    return _COMMENTS.sub(lambda m: m.group(0) if m.group(0)[:1] in (b"'", b'"', b"`") else b"", src)


def _modules(src: bytes):
    """(class name, names in `imports`, names in `controllers`; either None when not a literal
    list) of each `@Module({…})` class of a source, comments removed."""
    for m in _MODULE.finditer(src):
        arg = _balanced(src, m.end() - 1, b"(", b")")
        cls = _CLASS.search(src, m.end() + len(arg))
        if cls is None:
            continue
        yield cls.group(1).decode(), _listed(arg, b"imports"), _listed(arg, b"controllers")


def _listed(arg: bytes, key: bytes) -> set[str] | None:
    """The capitalised names in the literal list `key: [ … ]` of a decorator's argument (`A`,
    `A.forRoot(…)`, `forwardRef(() => A)`); an empty set when the key is absent, None when its
    value is not a list or the list spreads something."""
    m = re.search(rb"\b" + key + rb"\s*:\s*", arg)
    if m is None:
        return set()
    if arg[m.end():m.end() + 1] != b"[":
        return None
    items = _balanced(arg, m.end(), b"[", b"]")
    if b"..." in items:
        return None
    return {n.decode() for n in _NAME.findall(items)}


def _balanced(src: bytes, start: int, open_: bytes, close: bytes) -> bytes:
    """The text from `start` (an opening bracket) to its matching close, strings skipped."""
    depth, i, quote = 0, start, None
    while i < len(src):
        c = src[i:i + 1]
        if quote is not None:
            if c == b"\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in (b"'", b'"', b"`"):
            quote = c
        elif c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return src[start:i + 1]
        i += 1
    return src[start:]
