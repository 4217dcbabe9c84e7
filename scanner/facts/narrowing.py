"""Where a query's rows go next: the variable that holds them and the places
that narrow them in JavaScript (for full-scan-filter), and `Prisma.raw`
fragments (for raw-sql-injection)."""

from __future__ import annotations

import re
from dataclasses import replace

import tree_sitter as ts

from .parsed import ParsedFile, enclosing
from .raw_sql import spliced_values, sql_kind
from .model import PrismaCallCandidate, RawFragment
from .nodes import FUNCTION_TYPES, field, key, span, terminates, text, unwrap
from .scopes import pattern_bindings


def _holder(call: ts.Node) -> ts.Node | None:
    """The node that takes a call's value, past `await`, parentheses and type assertions."""
    n = call.parent
    while n is not None and n.type in ("await_expression", "parenthesized_expression",
                                       "as_expression", "non_null_expression", "satisfies_expression"):
        n = n.parent
    return n


def _result_declarator(call: ts.Node) -> ts.Node | None:
    """The `const rows = await prisma.x.findMany()` declarator holding a call's result."""
    n = _holder(call)
    if n is not None and n.type == "variable_declarator":
        name = field(n, "name")
        if name is not None and name.type == "identifier":
            return n
    return None


def _assigned_name(call: ts.Node) -> str | None:
    """`current = await prisma.x.findUnique(…)`: the identifier the result is assigned to."""
    n = _holder(call)
    if n is not None and n.type == "assignment_expression":
        left = field(n, "left")
        if left is not None and left.type == "identifier":
            return text(left)
    return None


def _collected_into(call: ts.Node) -> str | None:
    """`ops.push(prisma.x.delete(…))` or `const ops = [prisma.x.delete(…), …]`, not awaited:
    the array the unrun query is collected into (a Prisma query runs where it is awaited)."""
    n = _holder(call)
    if n is None or n.type == "await_expression" or call.parent is not None and call.parent.type == "await_expression":
        return None
    name = None
    if n.type == "arguments" and n.parent is not None and n.parent.type == "call_expression":
        fn = field(n.parent, "function")
        if fn is not None and fn.type == "member_expression" \
                and text(field(fn, "property")) in ("push", "unshift"):
            name = text(field(fn, "object"))
    if n.type == "array" and n.parent is not None and n.parent.type == "variable_declarator":
        d = field(n.parent, "name")
        name = text(d) if d is not None and d.type == "identifier" else None
    if name is None:
        return None
    # `await Promise.all(ops)` in the same function runs them here, side by side.
    scope = enclosing(call, FUNCTION_TYPES)
    body = text(scope) if scope is not None else ""
    ran = re.search(rf"Promise\.(?:all|allSettled)\(\s*(?:\.\.\.)?{re.escape(name)}\s*[,)]", body)
    return None if ran else name


_FOUND = re.compile(r"^(?P<v>[A-Za-z_$][\w$]*)(?:\.(?:count|length|id))?(?:\s*(?:>\s*0|!==?\s*0|>=\s*1))?$")


def _bound_names(decl: ts.Node) -> set[str]:
    """`const row =`, `const [row] =`, `const { count } =`: the names bound at the top
    level of each declarator (a nested `const { a: { b } }` is not the result itself)."""
    return {name for d in decl.named_children if d.type == "variable_declarator"
            and (pattern := field(d, "name")) is not None
            for name, path, _ in pattern_bindings(pattern) if len(path) <= 1}


def _exit_guard(call: ts.Node) -> int:
    """The end byte of an `if (result) return …` right after the statement that
    binds the call's result (the fallback shape: what follows runs only when the
    call found or changed nothing), else 0."""
    stmt = call
    while stmt.parent is not None and stmt.parent.type not in ("statement_block", "program"):
        if stmt.type in FUNCTION_TYPES:
            return 0
        stmt = stmt.parent
    if stmt.type != "lexical_declaration" or stmt.parent is None:
        return 0
    names = _bound_names(stmt)
    nxt = stmt.next_named_sibling
    while nxt is not None and nxt.type == "comment":
        nxt = nxt.next_named_sibling
    if not names or nxt is None or nxt.type != "if_statement" or field(nxt, "alternative") is not None:
        return 0
    cond = unwrap(field(nxt, "condition"))
    if cond is None or not _found_test(cond, names) or not terminates(field(nxt, "consequence")):
        return 0
    return nxt.end_byte


def _found_test(cond: ts.Node, names: set[str]) -> bool:
    """`row`, `rows.length > 0`, or those joined by `&&` with the absence of a bound error
    (`!err && created`, of `const [err, created] = await to(prisma.x.create(…))`)."""
    parts, found = [cond], False
    while parts:
        n = unwrap(parts.pop())
        if n is None:
            return False
        if n.type == "binary_expression" and text(field(n, "operator")) == "&&":
            parts += [field(n, "left"), field(n, "right")]
            continue
        m = _FOUND.match(text(n).strip())
        if m is not None and m.group("v") in names:
            found = True
        elif not (n.type == "unary_expression" and text(n).startswith("!") and text(n)[1:].strip() in names):
            return False
    return found


def with_results(pf: ParsedFile,
                 calls: list[tuple[ts.Node, PrismaCallCandidate]]) -> list[PrismaCallCandidate]:
    """Fill `result` and `narrowed` for each call bound to a variable."""
    declarators: dict[int, int] = {}
    for i, (node, cand) in enumerate(calls):
        d = _result_declarator(node)
        if d is not None:
            declarators[key(d)] = i
    narrowed: dict[int, list[int]] = {}
    if declarators:
        for _, m in pf.matches("narrowing"):
            rows = m["narrow.rows"][0]
            b = pf.resolver.lookup(text(rows), rows)
            if b is None or b.kind != "var" or b.path:
                continue
            i = declarators.get(key(b.node))
            if i is not None:
                narrowed.setdefault(i, []).append(m["narrow"][0].start_point[0] + 1)
    out = []
    for i, (node, cand) in enumerate(calls):
        guard = _exit_guard(node)
        if guard:
            cand = replace(cand, exit_guard_end=guard)
        assigned = _assigned_name(node)
        if assigned:
            cand = replace(cand, assigned_to=assigned)
        collected = _collected_into(node)
        if collected:
            cand = replace(cand, collected_into=collected)
        d = _result_declarator(node)
        if d is None:
            out.append(cand)
            continue
        out.append(replace(cand, result=text(field(d, "name")),
                           narrowed=tuple(sorted(set(narrowed.get(i, ()))))))
    return out


def raw_fragments(pf: ParsedFile) -> tuple[RawFragment, ...]:
    resolver = pf.resolver
    out = []
    for _, m in pf.matches("raw_fragments"):
        node = m["raw"][0]
        sql = unwrap(m["raw.sql"][0])
        kind = sql_kind(sql, resolver)
        values, from_params, positions, imported, doubled = spliced_values(sql, resolver) \
            if kind in ("template", "concat") else ((), (), (), (), ())
        out.append(RawFragment(span(node), kind, pf.fid(node), values, from_params, positions, imported, doubled))
    return tuple(out)
