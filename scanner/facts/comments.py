"""Suppression comments as facts: `// dbaudit-ignore <rule>[, <rule>]: reason`
(this line or the next code line), `// dbaudit-ignore-file <rule>: reason` (in
a file's first comment block), `{/* dbaudit-ignore … */}` in JSX, and `//`
comments of `.prisma` files. Rules and the engine read these facts; nothing
here decides whether a suppression was used."""

from __future__ import annotations

import re

import tree_sitter as ts

from .parsed import ParsedFile
from ..schema._lex import physical_lines, split_comment
from .model import Span, SuppressionComment
from .nodes import span

DIRECTIVE = "dbaudit-ignore"
_DIRECTIVE = re.compile(r"dbaudit-ignore(?P<suffix>[\w-]*)(?P<rest>.*)\Z", re.S)
_RULE_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_WS = re.compile(r"\s+")
SYNTAX = "`dbaudit-ignore <rule>[, <rule>]: reason`"


def comment_body(raw: str) -> str:
    """The words of a comment without its markers: `//`, `/* */`, and the `*`
    that starts each line of a block comment."""
    if raw.startswith("//"):
        return raw.lstrip("/").strip()
    body = raw[2:-2] if raw.startswith("/*") and raw.endswith("*/") else raw
    lines = [ln.strip() for ln in body.splitlines()]
    return " ".join(ln[1:].strip() if ln.startswith("*") else ln for ln in lines).strip()


def parse_directive(body: str) -> tuple[str, tuple[str, ...], str, str | None] | None:
    """(kind, rules, reason, problem) when the comment is a dbaudit-ignore
    directive (it must start with it: prose that mentions one is not), else None."""
    m = _DIRECTIVE.match(body)
    if m is None:
        return None
    suffix, rest = m.group("suffix"), m.group("rest")
    if suffix not in ("", "-file"):
        return ("line", (), "", f"`{DIRECTIVE}{suffix}` is not a directive; write {SYNTAX} "
                f"(this line or the next) or `dbaudit-ignore-file <rule>: reason`")
    kind = "file" if suffix == "-file" else "line"
    rules_part, colon, reason = rest.partition(":")
    reason = _WS.sub(" ", reason).strip()
    rules = tuple(r.strip() for r in rules_part.split(",") if r.strip())
    if not rules:
        return kind, (), reason, "names no rule id"
    bad = [r for r in rules if not _RULE_ID.match(r)]
    if bad:
        return kind, (), reason, f"`{bad[0]}` is not a rule id; write {SYNTAX}"
    if not colon or not reason:
        return kind, rules, "", "gives no reason (write it after a colon)"
    return kind, rules, reason, None


def _suppression(body: str, where: Span, target: int, in_header: bool) -> SuppressionComment | None:
    parsed = parse_directive(body)
    if parsed is None:
        return None
    kind, rules, reason, problem = parsed
    if kind == "file" and problem is None and not in_header:
        problem = "is not in the file's first comment block, where file suppressions belong"
    return SuppressionComment(kind, rules, reason, where, 0 if kind == "file" else target, problem)


def _next_code_line(after: int, comment_rows: set[int]) -> int:
    """1-based line of the first row after `after` (0-based) that is not a
    comment-only line: stacked comments between a suppression and its code
    are skipped, a blank line is not."""
    row = after + 1
    while row in comment_rows:
        row += 1
    return row + 1


def extract_suppressions(pf: ParsedFile) -> tuple[SuppressionComment, ...]:
    root, source = pf.root, pf.source
    nodes = sorted(pf.captures("comments").get("comment", []), key=lambda n: n.start_byte)
    if not any(DIRECTIVE.encode() in n.text for n in nodes):
        return ()
    lines = source.split(b"\n")
    header = _header_comments(root)
    comment_rows: set[int] = set()
    own_line: dict[int, bool] = {}
    for n in nodes:
        (sr, sc), (er, ec) = n.start_point, n.end_point
        before, after = lines[sr][:sc].strip(), lines[er][ec:].strip()
        if n.parent is not None and n.parent.type == "jsx_expression":
            before, after = before.removesuffix(b"{").strip(), after.removeprefix(b"}").strip()
        alone = not before and not after
        own_line[n.start_byte] = alone
        if alone:
            comment_rows.update(range(sr, er + 1))
    out = []
    for n in nodes:
        raw = n.text.decode("utf-8", errors="replace")
        if DIRECTIVE not in raw:
            continue
        where = span(n)
        target = _next_code_line(n.end_point[0], comment_rows) if own_line[n.start_byte] else where.line
        s = _suppression(comment_body(raw), where, target, n.start_byte in header)
        if s is not None:
            out.append(s)
    return tuple(out)


def _header_comments(root: ts.Node) -> set[int]:
    """Start bytes of the comments before a file's first statement (a hashbang
    and a directive prologue such as 'use client' may sit among them)."""
    out: set[int] = set()
    for child in root.children:
        if child.type == "comment":
            out.add(child.start_byte)
        elif child.type == "hash_bang_line" or (
                child.type == "expression_statement" and child.named_children
                and child.named_children[0].type == "string"):
            continue
        else:
            break
    return out


def prisma_suppressions(text: str) -> tuple[SuppressionComment, ...]:
    """The same directives in a `.prisma` file, where comments are `//` lines."""
    if DIRECTIVE not in text:
        return ()
    rows = physical_lines(text)
    found = []   # (row, column, raw, alone)
    comment_rows: set[int] = set()
    first_code = len(rows)
    for i, line in enumerate(rows):
        code, comment = split_comment(line)
        alone = not code.strip()
        if comment is not None and alone:
            comment_rows.add(i)
        elif code.strip() and first_code == len(rows):
            first_code = i
        if comment is not None and DIRECTIVE in comment:
            found.append((i, len(code), comment.rstrip(), alone))
    out = []
    for row, col, raw, alone in found:
        where = Span(row + 1, col + 1, row + 1, col + 1 + len(raw))
        target = _next_code_line(row, comment_rows) if alone else row + 1
        s = _suppression(comment_body(raw), where, target, row < first_code)
        if s is not None:
            out.append(s)
    return tuple(out)
