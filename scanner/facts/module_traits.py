"""What a module's top level shows about how it runs (for analysis/dead_code.py):
- "declarations": its top level only declares (imports, exports, functions, classes, types,
  constants without `await`): loading it does no work, so it runs only when something imports
  it. A statement (`main()`, `app.listen(…)`, `for`, `try`) or a top-level `await` makes it a
  program a command or a framework starts by its path. A class a package's class is extended
  by or that carries decorators is left out too: a framework may find it by scanning a folder
  (`export class Ping extends Command`, `@ApplyOptions(…)`); not one that only `implements`
  an interface, which is erased at run time.
- "loads-by-path": it loads modules by a path computed at run time (`import(file)`, a
  template with a substitution, `require.context`, `import.meta.glob`), hands a folder to a
  loader (`requireAll({ dirname })`): any module of the repository may then be loaded without
  an import naming it. A tool's config file is not read: its globs list files for the tool (a
  CSS build, a linter, a test runner).
- "loads-under:<folder>": its only loads by a computed path are templates that name the folder
  they load from (`import(`@/lib/industries/${id}`)`, `require(`./commands/${f}`)`): only
  the modules under that folder may be loaded so.
- "loads-glob:<glob>": it names source files by a glob written out (`'src/**/*.resolver.ts'`):
  the modules the glob matches may be loaded without an import naming them, and only those."""

from __future__ import annotations

import re

import tree_sitter as ts

from .nodes import field
from .parsed import ParsedFile

_DECLARATION_TYPES = frozenset({
    "import_statement", "function_declaration", "generator_function_declaration",
    "class_declaration", "abstract_class_declaration", "interface_declaration",
    "type_alias_declaration", "enum_declaration", "ambient_declaration", "module",
    "internal_module", "lexical_declaration", "variable_declaration", "comment", "empty_statement",
    "import_alias", "hash_bang_line"})
# Loading by a computed path, read from the text (no tree walk; a comment that spells one errs
# toward "may load", prose's "require (…" with a space does not count): `import(file)`,
# `require(path.join(…))`, a template with a substitution (`import(`./commands/${f}`)`),
# `require.context`, `import.meta.glob`, a loader's `{ dirname: … }`, and a glob of source files
# (`'src/**/*.resolver.ts'`, `*.{js,ts}`). Each pattern starts with a literal, which Python's
# `re` looks for fast; one alternation tried at every position cost nearly half the parse.
_LOADS = tuple(re.compile(p) for p in (
    rb"""import\((?:\s*[^\s'"`)]|\s*`[^`]*\$\{)""", rb"""require\((?:\s*[^\s'"`)]|\s*`[^`]*\$\{)""",
    rb"require\.context", rb"import\.meta\.glob"))
# What a template naming a data file ends with: loading it reads no module.
_DATA_FILE = re.compile(rb"\.(?:json|css|scss|svg|png|jpe?g|gif|webp|md|mdx|txt|ya?ml|html|wasm|po|ftl)$")
# These two count only where a check of the text around them passes: a `dirname:` key (not
# `__dirname :` in a ternary), and a glob inside a string on a line that is no comment.
_DIRNAME_KEY = re.compile(rb"dirname\s*:")
_SOURCE_GLOB = re.compile(rb"""\*[^'"`\n\s]*\.(?:[cm]?[jt]sx?\b|\{[^}'"`\n]*\b[jt]sx?\b)""")
# A tool's config (`tailwind.config.js`, `vitest.config.ts`, `.eslintrc.cjs`): its globs tell a
# build, lint or test tool which files to read; the app loads nothing by them.
_TOOL_CONFIG = re.compile(r"(^|/)(\.[^/]*|[^/]*\.config\.[cm]?[jt]s)$")


def extract(pf: ParsedFile) -> tuple[str, ...]:
    traits = []
    if _declarations_only(pf.root, b"await" in pf.source):
        traits.append("declarations")
    if not _TOOL_CONFIG.search(pf.path):
        traits.extend(_loads(pf.source))
    return tuple(traits)


def _loads(source: bytes) -> list[str]:
    """["loads-by-path"] when the module may load any module; else a `loads-under:<folder>` per
    folder a template load names and a `loads-glob:<glob>` per source glob it writes
    (`'./src/routes/*.ts'`): only the modules under the folder, or those the glob matches, may
    then be loaded by path (analysis/unloaded_modules.py)."""
    folders = set()
    for p in _LOADS:
        for m in p.finditer(source):
            if _loads_data(source, m.end()):
                continue
            folder = _template_folder(source, m.start(), p in _LOADS[:2])   # (`import(`, `require(`)
            if folder is None:
                return ["loads-by-path"]
            folders.add(f"loads-under:{folder}")
    if any(not _after_word(source, m.start()) for m in _DIRNAME_KEY.finditer(source)):
        return ["loads-by-path"]   # (`{ dirname: … }`, not `__dirname : …`)
    globs = []
    for m in _SOURCE_GLOB.finditer(source):
        if _in_code_string(source, m.start()):
            glob = _string_around(source, m.start(), m.end())
            if glob is None:
                return ["loads-by-path"]
            globs.append(f"loads-glob:{glob}")
    return sorted({*globs, *folders})


# The head of a template a load is given, up to its first substitution: `@/lib/industries/` in
# import(`@/lib/industries/${id}`); a folder of it when it names one past the template's start.
_TEMPLATE_HEAD = re.compile(rb"\s*`([^`$\n]*)\$\{")


def _template_folder(source: bytes, start: int, call: bool) -> str | None:
    """The folder the load at `start` (`import(` or `require(`) names by template (`@/lib/industries`,
    `./commands`), None when its path is computed otherwise (`import(file)`, `require.context`)
    or its head names no folder."""
    m = _TEMPLATE_HEAD.match(source, source.index(b"(", start) + 1) if call else None
    if m is None:
        return None
    head = m.group(1).decode("utf-8", "replace")
    folder = head.rpartition("/")[0]
    return folder if folder.strip("./") else None


def _loads_data(source: bytes, at: int) -> bool:
    """The load matched before `at` is a template naming a data file (`import(`./messages/${locale}.json`)`):
    it loads a translation or an asset, never a module."""
    if source[at - 2:at] != b"${":
        return False
    closes = source.find(b"`", at)
    return closes >= 0 and b"\n" not in source[at:closes] and _DATA_FILE.search(source, at, closes) is not None


def _string_around(source: bytes, start: int, end: int) -> str | None:
    """The text of the one-line string literal holding source[start:end], None when there
    is none or it is built with a substitution."""
    line_start = source.rfind(b"\n", 0, start) + 1
    opens = max(source.rfind(q, line_start, start) for q in (b"'", b'"', b"`"))
    if opens < 0:
        return None
    quote = source[opens:opens + 1]
    closes = source.find(quote, end)
    text_ = source[opens + 1:closes] if closes >= 0 else b""
    if not text_ or b"\n" in text_ or b"${" in text_:
        return None
    return text_.decode("utf-8", "replace")


def _after_word(source: bytes, at: int) -> bool:
    prev = source[at - 1:at]
    return prev.isalnum() or prev in (b"_", b"$")


def _in_code_string(source: bytes, at: int) -> bool:
    """A quote opens before `at` on its line, which is no comment line."""
    line = source[source.rfind(b"\n", 0, at) + 1:at]
    return not line.lstrip().startswith((b"*", b"//", b"/*")) and any(q in line for q in (b"'", b'"', b"`"))


def _declarations_only(root: ts.Node, may_await: bool) -> bool:
    """Every top-level statement declares; `may_await` False (no `await` in the text) spares
    the walks for a top-level one."""
    for stmt in root.named_children:
        if stmt.type == "export_statement":
            decl = field(stmt, "declaration")
            value = field(stmt, "value")
            if decl is not None and not _plain(decl, may_await):
                return False
            if value is not None and may_await and _awaits(value):
                return False
            continue
        if _directive(stmt):
            continue   # (`'use server'`: a prologue the bundler reads, no work)
        if stmt.type not in _DECLARATION_TYPES or not _plain(stmt, may_await):
            return False
    return True


def _directive(stmt: ts.Node) -> bool:
    return stmt.type == "expression_statement" and len(stmt.named_children) == 1 \
        and stmt.named_children[0].type == "string"


def _plain(decl: ts.Node, may_await: bool) -> bool:
    """A declaration that does no work when loaded and that no framework finds by itself."""
    if decl.type in ("lexical_declaration", "variable_declaration"):
        return not (may_await and _awaits(decl))
    if decl.type in ("class_declaration", "abstract_class_declaration"):
        if any(c.type == "decorator" for c in decl.children):
            return False
        heritage = next((c for c in decl.named_children if c.type == "class_heritage"), None)
        # (whether the base is the repository's own is not known here; an interface it
        # `implements` is erased at run time, so no framework finds the class by it)
        return heritage is None or not any(c.type == "extends_clause" for c in heritage.named_children)
    return True


def _awaits(node: ts.Node) -> bool:
    pending = [node]
    while pending:
        n = pending.pop()
        if n.type == "await_expression":
            return True
        if n.type not in ("arrow_function", "function_expression", "function", "method_definition",
                          "class_body"):
            pending.extend(n.named_children)
    return False
