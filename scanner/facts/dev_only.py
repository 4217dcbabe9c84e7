"""Code that runs only outside production: behind a test of `NODE_ENV` (`process.env.NODE_ENV`,
`env.NODE_ENV`). A development reset, a QA endpoint that answers 404 in production, the
default arm of `switch (env.NODE_ENV) { case 'production': throw … }`. Findings there are
graded low (findings.in_dev_only): no production request reaches them.

Each span is (first line, last line, line of the test), 1-based. Read from:
- `if (ENV !== 'production') { … }`, `if (ENV === 'development' | 'test') { … }`: the arm;
- `if (ENV === 'production') { … } else { … }`: the else arm;
- `if (ENV === 'production') return …` (or `!== 'development'`, an arm that always returns or
  throws, no else): the rest of the block after it;
- `switch (ENV)`: arms labelled 'development' or 'test', and the default arm when a
  'production' case ends in return or throw."""

from __future__ import annotations

import tree_sitter as ts

from .nodes import field, terminates, text, unwrap
from .parsed import ParsedFile

_DEV = frozenset({"development", "test", "dev", "local"})
_EQ, _NE = ("===", "=="), ("!==", "!=")


def _is_env(node: ts.Node | None) -> bool:
    node = unwrap(node)
    return node is not None and node.type == "member_expression" and text(field(node, "property")) == "NODE_ENV"


def _literal(node: ts.Node | None) -> str | None:
    node = unwrap(node)
    return text(node)[1:-1] if node is not None and node.type == "string" else None


def _test(cond: ts.Node | None, flags: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """(operator, value) of `ENV op 'value'` (either side), or None. A condition that holds
    only outside production reads as `ENV === 'development'`: a module flag built from such a
    test (`const devBypass = ENV === 'development' && …`), or an `&&` chain with one of them
    (`if (devBypass && !user)`)."""
    cond = unwrap(cond)
    if cond is not None and cond.type == "identifier" and text(cond) in flags:
        return "===", "development"
    if cond is None or cond.type != "binary_expression":
        return None
    left, right, op = field(cond, "left"), field(cond, "right"), text(field(cond, "operator"))
    if op == "&&":
        return next((("===", "development") for side in (left, right) if _dev_only(side, flags)), None)
    value = _literal(right) if _is_env(left) else _literal(left) if _is_env(right) else None
    return (op, value) if value is not None and op in _EQ + _NE else None


def _dev_only(cond: ts.Node | None, flags: frozenset[str]) -> bool:
    """The condition holds only outside production."""
    t = _test(cond, flags)
    return t is not None and ((t[0] in _NE and t[1] == "production") or (t[0] in _EQ and t[1] in _DEV))


def _dev_flags(pf: ParsedFile) -> frozenset[str]:
    """Module-level `const NAME = <a test that holds only outside production>`."""
    out: set[str] = set()
    for stmt in pf.root.named_children:
        decl = stmt.named_children[0] if stmt.type == "export_statement" and stmt.named_children else stmt
        if decl.type != "lexical_declaration" or not text(decl).startswith("const"):
            continue
        for d in decl.named_children:
            name = field(d, "name")
            if d.type == "variable_declarator" and name is not None and name.type == "identifier" \
                    and _dev_only(field(d, "value"), frozenset(out)):
                out.add(text(name))
    return frozenset(out)


def _lines(node: ts.Node) -> tuple[int, int]:
    return node.start_point[0] + 1, node.end_point[0] + 1


def _if_spans(stmt: ts.Node, op: str, value: str) -> list[tuple[int, int]]:
    cons, alt = field(stmt, "consequence"), field(stmt, "alternative")
    dev_when_true = (op in _NE and value == "production") or (op in _EQ and value in _DEV)
    prod_when_true = (op in _EQ and value == "production") or (op in _NE and value in _DEV)
    if dev_when_true and cons is not None:
        return [_lines(cons)]
    if not prod_when_true:
        return []
    if alt is not None:
        return [_lines(alt)]
    block = stmt.parent
    if cons is None or not terminates(cons) or block is None or block.type != "statement_block":
        return []
    rest = [c for c in block.named_children if c.start_byte > stmt.end_byte and c.type != "comment"]
    return [(rest[0].start_point[0] + 1, rest[-1].end_point[0] + 1)] if rest else []


def _switch_spans(stmt: ts.Node) -> list[tuple[int, int]]:
    body = field(stmt, "body")
    out, guarded = [], False
    arms = [c for c in body.named_children if c.type in ("switch_case", "switch_default")] if body else []
    for arm in arms:
        label = _literal(field(arm, "value")) if arm.type == "switch_case" else None
        if label == "production" and terminates(arm):
            guarded = True
        elif label in _DEV:
            out.append(_lines(arm))
    out += [_lines(arm) for arm in arms if arm.type == "switch_default" and guarded]
    return out


def extract(pf: ParsedFile) -> tuple[tuple[int, int, int], ...]:
    if b"NODE_ENV" not in pf.source:
        return ()
    out: list[tuple[int, int, int]] = []
    flags = _dev_flags(pf)
    stack = [pf.root]
    while stack:
        n = stack.pop()
        if n.type == "if_statement":
            t = _test(field(n, "condition"), flags)
            if t is not None:
                out += [(a, b, n.start_point[0] + 1) for a, b in _if_spans(n, *t)]
        elif n.type == "switch_statement" and _is_env(field(n, "value")):
            out += [(a, b, n.start_point[0] + 1) for a, b in _switch_spans(n)]
        stack += n.named_children
    return tuple(sorted(out))
