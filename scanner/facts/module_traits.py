"""What a module's top level shows about how it runs (for analysis/dead_code.py):
- "declarations": its top level only declares (imports, exports, functions, classes, types,
  constants without `await`): loading it does no work, so it runs only when something imports
  it. A statement (`main()`, `app.listen(…)`, `for`, `try`) or a top-level `await` makes it a
  program a command or a framework starts by its path. A class a package's class is extended
  by or that carries decorators is left out too: a framework may find it by scanning a folder
  (`export class Ping extends Command`, `@ApplyOptions(…)`).
- "loads-by-path": it loads modules by a path computed at run time (`import(file)`,
  `require(\\`./commands/${f}\\`)`, `require.context`, `import.meta.glob`), hands a folder to a
  loader (`requireAll({ dirname })`), or names source files by a glob (`'src/**/*.resolver.ts'`):
  any module of the repository may then be loaded without an import naming it. A tool's config
  file is not read: its globs list files for the tool (a CSS build, a linter, a test runner)."""

from __future__ import annotations

import re

import tree_sitter as ts

from .nodes import field, text, unwrap
from .parsed import ParsedFile

_DECLARATION_TYPES = frozenset({
    "import_statement", "function_declaration", "generator_function_declaration",
    "class_declaration", "abstract_class_declaration", "interface_declaration",
    "type_alias_declaration", "enum_declaration", "ambient_declaration", "module",
    "internal_module", "lexical_declaration", "variable_declaration", "comment", "empty_statement",
    "import_alias", "hash_bang_line"})
# A string naming source files by a pattern (`src/**/*.resolver.ts`, `*.{js,ts}`): a folder a
# loader or a framework reads.
_SOURCE_GLOB = re.compile(r"\*[^\s]*\.(?:[cm]?[jt]sx?\b|\{[^}]*\b[jt]sx?\b)")
# A tool's config (`tailwind.config.js`, `vitest.config.ts`, `.eslintrc.cjs`): its globs tell a
# build, lint or test tool which files to read; the app loads nothing by them.
_TOOL_CONFIG = re.compile(r"(^|/)(\.[^/]*|[^/]*\.config\.[cm]?[jt]s)$")
_LOADER_CALLS = ("require.context", "import.meta.glob", "import.meta.globEager")
_LOADER_WORDS = (b"import(", b"require(", b"require.context", b"import.meta.glob", b"dirname")
_SOURCE_GLOB_BYTES = re.compile(_SOURCE_GLOB.pattern.encode())


def extract(pf: ParsedFile) -> tuple[str, ...]:
    traits = []
    if _declarations_only(pf.root):
        traits.append("declarations")
    if not _TOOL_CONFIG.search(pf.path) and _may_load(pf.source) and _loads_by_path(pf.root):
        traits.append("loads-by-path")
    return tuple(traits)


def _declarations_only(root: ts.Node) -> bool:
    for stmt in root.named_children:
        if stmt.type == "export_statement":
            decl = field(stmt, "declaration")
            value = field(stmt, "value")
            if decl is not None and not _plain(decl):
                return False
            if value is not None and _awaits(value):
                return False
            continue
        if stmt.type not in _DECLARATION_TYPES or not _plain(stmt):
            return False
    return True


def _plain(decl: ts.Node) -> bool:
    """A declaration that does no work when loaded and that no framework finds by itself."""
    if decl.type in ("lexical_declaration", "variable_declaration"):
        return not _awaits(decl)
    if decl.type in ("class_declaration", "abstract_class_declaration"):
        if any(c.type == "decorator" for c in decl.children):
            return False
        heritage = next((c for c in decl.named_children if c.type == "class_heritage"), None)
        return heritage is None   # (whether the base is the repository's own is not known here)
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


def _may_load(source: bytes) -> bool:
    """A cheap look at the text first: most files hold no loader call and no glob."""
    return any(w in source for w in _LOADER_WORDS) or _SOURCE_GLOB_BYTES.search(source) is not None


def _loads_by_path(root: ts.Node) -> bool:
    pending = [root]
    while pending:
        n = pending.pop()
        pending.extend(n.named_children)
        if n.type == "call_expression":
            fn = field(n, "function")
            name = text(fn) if fn is not None else ""
            if name in _LOADER_CALLS:
                return True
            args = field(n, "arguments")
            first = unwrap(args.named_children[0]) if args is not None and args.named_children else None
            if name in ("import", "require") or (fn is not None and fn.type == "import"):
                if first is not None and first.type != "string" and not _literal_template(first):
                    return True
            if first is not None and first.type == "object" and any(
                    text(field(p, "key")) == "dirname" for p in first.named_children if p.type == "pair"):
                return True
        elif n.type in ("string_fragment",) and _SOURCE_GLOB.search(text(n)):
            return True
    return False


def _literal_template(node: ts.Node) -> bool:
    return node.type == "template_string" and not any(c.type == "template_substitution" for c in node.named_children)
