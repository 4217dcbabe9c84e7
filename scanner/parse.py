"""tree-sitter grammars and the structural queries of `queries/typescript/`.

Grammars and compiled queries are built once per process (per worker) and
reused for every file."""

from __future__ import annotations

from bisect import bisect_right

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import tree_sitter as ts

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
    import tree_sitter_typescript as tst   # the grammars' library, loaded where files are parsed
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
    names = query_names()
    texts = [(query_dir() / f"{name}.scm").read_text(encoding="utf-8") for name in names]
    joined = "\n".join(texts)
    q = ts.Query(language(grammar), joined)
    # Each file's patterns by where they start in the joined text: compiling every
    # file again just to count its patterns doubled the cost (0.3 s per process).
    starts, offset = [], 0
    for t in texts:
        starts.append(offset)
        offset += len(t.encode("utf-8")) + 1
    owner = [bisect_right(starts, q.start_byte_for_pattern(i)) - 1 for i in range(q.pattern_count)]
    ranges = []
    for k, name in enumerate(names):
        idx = [i for i, o in enumerate(owner) if o == k]
        lo = idx[0] if idx else (ranges[-1][2] if ranges else 0)
        ranges.append((name, lo, lo + len(idx)))
    return q, tuple(ranges)


# Query states in progress at once. Real code nests a pattern a few dozen deep;
# machine-made chains (`a + a + … + a`, 10,000 terms) would keep one state per
# level alive and make matching quadratic. Past the limit tree-sitter drops the
# outermost states, and the file gets a note that its facts may be incomplete.
MATCH_LIMIT = 1024


def _cursor(q: ts.Query) -> ts.QueryCursor:
    return ts.QueryCursor(q, match_limit=MATCH_LIMIT)


def matches(grammar: str, name: str, node: ts.Node) -> list[tuple[int, dict[str, list[ts.Node]]]]:
    """One query file's matches under `node` (the fact extractors read the combined
    pass instead: scanner/facts/parsed.py)."""
    return _cursor(query(grammar, name)).matches(node)


def captures(grammar: str, name: str, node: ts.Node) -> dict[str, list[ts.Node]]:
    return _cursor(query(grammar, name)).captures(node)


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
# A type member on its own line, after a member ended by a line break instead of
# `;`, that the grammar glues to the line before: a key named `in` or
# `instanceof`, or a generic call signature `<A extends B>(a: A): void`.
_GLUED_MEMBER = re.compile(
    rb"(?<=[\w$)\]}\"'>])([ \t]*\r?\n(?:[ \t]*\r?\n)*[ \t]*)[ \t]"
    rb"(?=(?:in|instanceof)\??[ \t]*[:(]|<[A-Za-z_$][\w$]*(?:\s+extends\b|\s*[,>=])[^\n]*>\s*\()")
# `\u`/`\x` that do not start an escape: allowed in tagged templates (String.raw`\u00`).
_BAD_ESCAPE = re.compile(rb"\\(?:u(?![0-9a-fA-F]{4}|\{[0-9a-fA-F]+\})|x(?![0-9a-fA-F]{2}))")
_TAG_END = re.compile(rb"[\w$)\]]")
# `export { x } from "./d.json" with { type: "json" }` (import attributes on a re-export).
_EXPORT_ATTRIBUTES = re.compile(rb"""(\bexport\b[^;'"\n]*\bfrom\s*(['"])[^'"\n]*\2\s*)((?:with|assert)\s*\{[^}\n]*\})""")
# `static accessor x = 1` (auto-accessor fields, TypeScript 4.9)
_STATIC_ACCESSOR = re.compile(rb"\bstatic\s+(accessor)\s+(?=[#\w$\[])")
# Variance annotations on type parameters: `interface P<in out T>`, `type Q<out T>`.
_VARIANCE = re.compile(rb"(?<=[<,])(\s*)(in\s+out|in|out)(?=\s+[A-Za-z_$][\w$]*\s*(?:[,>=]|extends\b))")

# `&#128680;`: a decimal character reference of six or seven digits (an emoji), valid in JSX,
# which the tsx grammar reads only up to five. Its hex form has the same length: `&#x1F6A8;`.
_LONG_DECIMAL_REF = re.compile(rb"&#(\d{6,7});")


def _hex_ref(m: re.Match) -> bytes:
    digits = m.group(1)
    return b"&#x" + b"%0*X" % (len(digits) - 1, int(digits)) + b";"


# A member key named `abstract` in an interface or type alias body (`abstract: string`).
_ABSTRACT_KEY = re.compile(rb"(?<![\w$.])abstract(?=\??[ \t]*[:(])")
_MEMBER_HEAD = re.compile(rb"[\w$]\??\s*:\s*$")
_TYPE_BODY_HEAD = re.compile(rb"(?:\binterface\s+[\w$]+[^{;=]*|\btype\s+[\w$]+\s*(?:<[^=;]*>)?\s*=\s*)$")


def _in_type_body(source: bytes, i: int, nesting: int = 0) -> bool:
    """Whether offset i sits directly in an `interface X {` or `type X = {` body,
    or in a `key: {` type literal nested in one."""
    depth = 0
    for j in range(i - 1, max(-1, i - 4000), -1):
        c = source[j]
        if c == 0x7D:    # }
            depth += 1
        elif c == 0x7B:  # {
            if depth:
                depth -= 1
                continue
            if _TYPE_BODY_HEAD.search(source, max(0, j - 200), j):
                return True
            return (nesting < 8 and _MEMBER_HEAD.search(source, max(0, j - 200), j) is not None
                    and _in_type_body(source, j, nesting + 1))
    return False


def _quote_abstract_keys(source: bytes) -> bytes:
    """`abstract: T` in a type body becomes the same-length quoted key `"bstrac": T`."""
    out = bytearray(source)
    for m in _ABSTRACT_KEY.finditer(source):
        if _in_type_body(source, m.start()):
            out[m.start():m.end()] = b'"bstrac"'
    return bytes(out)


def _blank(m: re.Match, group: int = 0) -> bytes:
    """The match with `group` turned into spaces (line breaks kept)."""
    whole, start = m.group(0), m.start(group) - m.start(0)
    part = m.group(group)
    return whole[:start] + re.sub(rb"[^\r\n]", b" ", part) + whole[start + len(part):]


def _blank_bad_escapes(source: bytes) -> bytes:
    """Invalid escapes inside a tagged template, their backslash blanked."""
    out = bytearray(source)
    for m in _BAD_ESCAPE.finditer(source):
        i = m.start()
        tick = source.rfind(b"`", source.rfind(b"\n", 0, i) + 1, i)
        if tick > 0 and _TAG_END.match(source, tick - 1):
            out[i] = 0x20
    return bytes(out)


def _rewrite_grammar_gaps(grammar: str) -> list[Callable[[bytes], bytes]]:
    """Steps that each return a same-length copy of the source with one kind of
    valid TypeScript the grammars cannot read made readable. parse_source keeps a
    step only when it leaves fewer errors, so a step that misfires on one file
    (a type-level `A<B> & {` taken for JSX text) costs nothing. Offsets, lines
    and columns stay put; only text no fact depends on changes."""
    steps: list[Callable[[bytes], bytes]] = []
    if grammar == "tsx":
        steps.append(lambda s: _blank_jsx_ampersands(s) or s)
        # `href="/x?a=1&b=2"`: the tsx grammar reads `&b` as an entity.
        steps.append(lambda s: _ATTR_STRING.sub(lambda m: m.group(0).replace(b"&", b" "), s))
        steps.append(lambda s: _LONG_DECIMAL_REF.sub(_hex_ref, s))
    steps += [
        # `export type * from "./m"` (TypeScript 5.0)
        lambda s: _EXPORT_TYPE_STAR.sub(lambda m: _blank(m, 1), s),
        # `importOriginal<typeof import("./m")>()`: a type query the grammar cannot place.
        lambda s: _TYPEOF_IMPORT.sub(lambda m: b"any" + b" " * (len(m.group(0)) - 3), s),
        # the glued member gets the `;` it was allowed to leave out, in its indentation
        lambda s: _GLUED_MEMBER.sub(lambda m: m.group(1) + b";", s),
        _blank_bad_escapes,
        lambda s: _EXPORT_ATTRIBUTES.sub(lambda m: _blank(m, 3), s),
        lambda s: _STATIC_ACCESSOR.sub(lambda m: _blank(m, 1), s),
        lambda s: _VARIANCE.sub(lambda m: _blank(m, 2), s),
        _quote_abstract_keys,
    ]
    return steps


def _error_count(tree: ts.Tree) -> int:
    return len(parse_problems(tree, limit=50))


# Real code nests about 60 syntax nodes deep (the deepest in the corpus: 56, a JSX
# page). Machine-made chains (10,000 nested calls) go far past this limit; such files
# are skipped with a note, because tree-sitter's Node.parent walks down from the
# root, so climbing through a chain costs its whole depth at every step (a file
# nested 4,000 deep still scans in under 2 s).
MAX_NESTING = 4000


def nesting_depth(tree: ts.Tree, samples: int = 16) -> int:
    """The deepest of a few evenly spaced nodes: a chain deep enough to matter
    holds most of its file's nodes, so some samples land in it."""
    root = tree.root_node
    count = root.descendant_count
    cursor = root.walk()
    deepest = 0
    for i in range(0, count, max(1, count // samples)):
        cursor.goto_descendant(i)
        deepest = max(deepest, cursor.depth)
    return deepest


def parse_source(path: str, source: bytes) -> tuple[ts.Tree, str]:
    grammar = grammar_for(path)
    if b"\x00" in source:
        # A NUL inside a string literal ends tree-sitter's input early.
        source = source.replace(b"\x00", b" ")
    tree = parser(grammar).parse(source)
    if tree.root_node.has_error:
        errors, text = _error_count(tree), source
        for step in _rewrite_grammar_gaps(grammar):
            candidate = step(text)
            if candidate == text:
                continue
            retry = parser(grammar).parse(candidate)
            fewer = _error_count(retry)
            if fewer < errors:
                tree, errors, text = retry, fewer, candidate
                if not errors:
                    break
    if tree.root_node.has_error and grammar == "typescript" and path.lower().endswith(
        (".js", ".mjs", ".cjs")
    ):
        # Plain .js files often hold JSX; keep whichever grammar parses cleaner.
        alt = parser("tsx").parse(source)
        if not alt.root_node.has_error:
            return alt, "tsx"
    return tree, grammar


# Lines a merge left behind: `<<<<<<< HEAD`, `=======`, `>>>>>>> branch`.
_CONFLICT_MARKER = re.compile(rb"^(?:<{7}|={7}|>{7}|\|{7})(?:[ \t].*)?\r?$", re.M)


def parse_problems(tree: ts.Tree, limit: int = 5) -> list[ParseProblem]:
    """Merge-conflict markers, then the first few ERROR / MISSING nodes, found
    with an explicit stack (deeply nested input must not hit Python's recursion
    limit)."""
    out: list[ParseProblem] = []
    if not tree.root_node.has_error:
        return out
    source = tree.root_node.text or b""
    if b"<<<<<<<" in source or b">>>>>>>" in source:
        for m in _CONFLICT_MARKER.finditer(source):
            out.append(ParseProblem(source.count(b"\n", 0, m.start()) + 1, 1, "merge conflict marker"))
            if len(out) >= limit:
                return out
    marked = {p.line for p in out}
    stack = [tree.root_node]
    while stack and len(out) < limit:
        node = stack.pop()
        if (node.is_missing and _generic_tag_quirk(node)) or _jsx_ampersand_quirk(node):
            continue
        if node.is_error or node.is_missing:
            what = f"missing {node.type}" if node.is_missing else "syntax error"
            if node.start_point[0] + 1 in marked:
                continue
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
