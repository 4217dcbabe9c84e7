"""Where a query's rows go next: the variable that holds them and the places
that narrow them in JavaScript (for full-scan-filter), and `Prisma.raw`
fragments (for raw-sql-injection)."""

from __future__ import annotations

from dataclasses import replace

import tree_sitter as ts

from .. import parse as P
from .args import sql_kind
from .model import PrismaCallCandidate, RawFragment
from .nodes import field, key, span, text, unwrap
from .scopes import Resolver


def _result_declarator(call: ts.Node) -> ts.Node | None:
    """The `const rows = await prisma.x.findMany()` declarator holding a call's result."""
    n = call.parent
    while n is not None and n.type in ("await_expression", "parenthesized_expression",
                                       "as_expression", "non_null_expression", "satisfies_expression"):
        n = n.parent
    if n is not None and n.type == "variable_declarator":
        name = field(n, "name")
        if name is not None and name.type == "identifier":
            return n
    return None


def with_results(root: ts.Node, grammar: str, resolver: Resolver,
                 calls: list[tuple[ts.Node, PrismaCallCandidate]]) -> list[PrismaCallCandidate]:
    """Fill `result` and `narrowed` for each call bound to a variable."""
    declarators: dict[int, int] = {}
    for i, (node, cand) in enumerate(calls):
        d = _result_declarator(node)
        if d is not None:
            declarators[key(d)] = i
    narrowed: dict[int, list[int]] = {}
    if declarators:
        for _, m in P.matches(grammar, "narrowing", root):
            rows = m["narrow.rows"][0]
            b = resolver.lookup(text(rows), rows)
            if b is None or b.kind != "var" or b.path:
                continue
            i = declarators.get(key(b.node))
            if i is not None:
                narrowed.setdefault(i, []).append(m["narrow"][0].start_point[0] + 1)
    out = []
    for i, (node, cand) in enumerate(calls):
        d = _result_declarator(node)
        if d is None:
            out.append(cand)
            continue
        out.append(replace(cand, result=text(field(d, "name")),
                           narrowed=tuple(sorted(set(narrowed.get(i, ()))))))
    return out


def raw_fragments(root: ts.Node, grammar: str, resolver: Resolver, fid) -> tuple[RawFragment, ...]:
    out = []
    for _, m in P.matches(grammar, "raw_fragments", root):
        node = m["raw"][0]
        out.append(RawFragment(span(node), sql_kind(unwrap(m["raw.sql"][0]), resolver), fid(node)))
    return tuple(out)
