"""tree-sitter grammars and the structural queries of `queries/typescript/`.

Grammars and compiled queries are built once per process (per worker) and
reused for every file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import tree_sitter as ts
import tree_sitter_typescript as tst

from .resources import data_dir

TS_EXTENSIONS = (".ts", ".mts", ".cts", ".js", ".mjs", ".cjs")
TSX_EXTENSIONS = (".tsx", ".jsx")
SOURCE_EXTENSIONS = TS_EXTENSIONS + TSX_EXTENSIONS


def grammar_for(path: str) -> str:
    """`tsx` for JSX-bearing extensions, `typescript` otherwise.

    `.js` files may hold JSX too; parse_source retries them with tsx when the
    typescript grammar reports errors."""
    return "tsx" if path.lower().endswith(TSX_EXTENSIONS) else "typescript"


@lru_cache(maxsize=None)
def language(grammar: str) -> ts.Language:
    if grammar == "tsx":
        return ts.Language(tst.language_tsx())
    if grammar == "typescript":
        return ts.Language(tst.language_typescript())
    raise ValueError(f"unknown grammar {grammar!r}")


@lru_cache(maxsize=None)
def parser(grammar: str) -> ts.Parser:
    return ts.Parser(language(grammar))


def query_dir() -> Path:
    return data_dir("queries") / "typescript"


def query_names() -> list[str]:
    return sorted(p.stem for p in query_dir().glob("*.scm"))


@lru_cache(maxsize=None)
def query(grammar: str, name: str) -> ts.Query:
    text = (query_dir() / f"{name}.scm").read_text(encoding="utf-8")
    return ts.Query(language(grammar), text)


@lru_cache(maxsize=None)
def combined_query(grammar: str) -> tuple[ts.Query, tuple[tuple[str, int, int], ...]]:
    """All query files as one query, with each file's range of pattern indices.

    One cursor pass over a tree serves every fact extractor: a tree walk per
    query file would cost several times the parse itself."""
    ranges = []
    texts = []
    start = 0
    for name in query_names():
        count = query(grammar, name).pattern_count
        ranges.append((name, start, start + count))
        texts.append((query_dir() / f"{name}.scm").read_text(encoding="utf-8"))
        start += count
    return ts.Query(language(grammar), "\n".join(texts)), tuple(ranges)


class SharedMatches:
    """Within `with SharedMatches(grammar, root):`, `matches`/`captures` on that
    root are served from one pass of the combined query."""

    _active: "SharedMatches | None" = None

    def __init__(self, grammar: str, root: ts.Node):
        self.grammar = grammar
        self.root = root
        q, ranges = combined_query(grammar)
        by_index: dict[int, str] = {}
        offsets: dict[str, int] = {}
        for name, lo, hi in ranges:
            offsets[name] = lo
            for i in range(lo, hi):
                by_index[i] = name
        self.by_name: dict[str, list] = {name: [] for name, _, _ in ranges}
        for index, caps in ts.QueryCursor(q).matches(root):
            name = by_index[index]
            self.by_name[name].append((index - offsets[name], caps))

    def serves(self, grammar: str, node: ts.Node) -> bool:
        return grammar == self.grammar and node.id == self.root.id \
            and node.start_byte == self.root.start_byte and node.end_byte == self.root.end_byte

    def __enter__(self):
        SharedMatches._active = self
        return self

    def __exit__(self, *exc):
        SharedMatches._active = None
        return False


def matches(grammar: str, name: str, node: ts.Node) -> list[tuple[int, dict[str, list[ts.Node]]]]:
    shared = SharedMatches._active
    if shared is not None and shared.serves(grammar, node):
        return shared.by_name[name]
    return ts.QueryCursor(query(grammar, name)).matches(node)


def captures(grammar: str, name: str, node: ts.Node) -> dict[str, list[ts.Node]]:
    shared = SharedMatches._active
    if shared is None or not shared.serves(grammar, node):
        return ts.QueryCursor(query(grammar, name)).captures(node)
    out: dict[str, list[ts.Node]] = {}
    for _, caps in shared.by_name[name]:
        for cap, nodes in caps.items():
            bucket = out.setdefault(cap, [])
            for n in nodes:
                if not any(n.id == m.id for m in bucket[-3:]):
                    bucket.append(n)
    return out


@dataclass(frozen=True, slots=True)
class ParseProblem:
    line: int
    column: int
    message: str


_BARE_AMP = re.compile(rb"(?<![&|])&(?=\s)")
_DELIMS = b"<>{};=()"


def _blank_jsx_ampersands(source: bytes) -> bytes | None:
    """A copy with bare `&` in JSX text (`Terms & Conditions`) turned into spaces.

    TSX allows them, the tsx grammar does not. Same length, so every offset,
    line and column stays put. Used only to retry a parse that failed."""
    out = bytearray(source)
    changed = False
    for m in _BARE_AMP.finditer(source):
        i = m.start()
        back = max((source.rfind(bytes([d]), max(0, i - 400), i) for d in _DELIMS), default=-1)
        ahead = [j for j in (source.find(bytes([d]), i + 1, i + 400) for d in _DELIMS) if j >= 0]
        if back < 0 or not ahead:
            continue
        if source[back:back + 1] in (b">", b"}") and source[min(ahead):min(ahead) + 1] in (b"<", b"{"):
            out[i] = 0x20
            changed = True
    return bytes(out) if changed else None


_ATTR_STRING = re.compile(rb'(?<=[\w-]=)"[^"\n]*&[^"\n]*"')
_EXPORT_TYPE_STAR = re.compile(rb"\bexport\s+(type)\s+\*")
_TYPEOF_IMPORT = re.compile(rb"""\btypeof\s+import\s*\(\s*(['"])[^'"\n]*\1\s*\)""")


def _rewrite_grammar_gaps(source: bytes, grammar: str) -> bytes | None:
    """A same-length copy with valid TypeScript the grammars cannot read made
    readable, so a retry parses the rest of the file. Offsets, lines and columns
    stay put; only text no fact depends on changes."""
    out = source
    if grammar == "tsx":
        out = _blank_jsx_ampersands(out) or out
        # `href="/x?a=1&b=2"`: the tsx grammar reads `&b` as an entity.
        out = _ATTR_STRING.sub(lambda m: m.group(0).replace(b"&", b" "), out)
    # `export type * from "./m"` (TypeScript 5.0)
    out = _EXPORT_TYPE_STAR.sub(lambda m: m.group(0).replace(b"type", b"    ", 1), out)
    # `importOriginal<typeof import("./m")>()`: a type query the grammar cannot place.
    out = _TYPEOF_IMPORT.sub(lambda m: b"any" + b" " * (len(m.group(0)) - 3), out)
    return out if out != source else None


def _error_count(tree: ts.Tree) -> int:
    return len(parse_problems(tree, limit=50))


def parse_source(path: str, source: bytes) -> tuple[ts.Tree, str]:
    grammar = grammar_for(path)
    if b"\x00" in source:
        # A NUL inside a string literal ends tree-sitter's input early.
        source = source.replace(b"\x00", b" ")
    tree = parser(grammar).parse(source)
    if tree.root_node.has_error:
        rewritten = _rewrite_grammar_gaps(source, grammar)
        if rewritten is not None:
            retry = parser(grammar).parse(rewritten)
            if _error_count(retry) < _error_count(tree):
                tree = retry
    if tree.root_node.has_error and grammar == "typescript" and path.lower().endswith(
        (".js", ".mjs", ".cjs")
    ):
        # Plain .js files often hold JSX; keep whichever grammar parses cleaner.
        alt = parser("tsx").parse(source)
        if not alt.root_node.has_error:
            return alt, "tsx"
    return tree, grammar


def parse_problems(tree: ts.Tree, limit: int = 5) -> list[ParseProblem]:
    """First few ERROR / MISSING nodes, found with an explicit stack (deeply
    nested input must not hit Python's recursion limit)."""
    out: list[ParseProblem] = []
    if not tree.root_node.has_error:
        return out
    stack = [tree.root_node]
    while stack and len(out) < limit:
        node = stack.pop()
        if (node.is_missing and _generic_tag_quirk(node)) or _jsx_ampersand_quirk(node):
            continue
        if node.is_error or node.is_missing:
            what = f"missing {node.type}" if node.is_missing else "syntax error"
            out.append(ParseProblem(node.start_point[0] + 1, node.start_point[1] + 1, what))
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return out


def _generic_tag_quirk(node: ts.Node) -> bool:
    """`prisma.$queryRaw<T>`...`` is valid TypeScript that the grammar reads as
    a non-null expression missing its `!`: not a problem of the file."""
    parent = node.parent
    return (node.type == "!" and parent is not None and parent.type == "non_null_expression"
            and any(c.type == "instantiation_expression" for c in parent.children))


def _jsx_ampersand_quirk(node: ts.Node) -> bool:
    """A bare `&` in JSX text (`Terms & Conditions`) is valid TSX that the grammar
    marks as an error: not a problem of the file."""
    parent = node.parent
    return (node.is_error and parent is not None and parent.type in ("jsx_element", "jsx_fragment")
            and node.text is not None and node.text.startswith(b"&")
            and not any(c.is_error or c.is_missing for c in node.children if c.type != "identifier"))
