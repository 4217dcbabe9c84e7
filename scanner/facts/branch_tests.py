"""The tests that hold in a branch arm (`if`, `switch` case, `??`), normalised as strings
the rules compare: `a===b` (sides sorted), `a!==b`, `a`, `!a`, and `"a"===x||"b"===x` for
one value tested against several literals."""

from __future__ import annotations

import re
from functools import lru_cache

import tree_sitter as ts

from .nodes import field, text, unwrap


# A value compared with a number, the value first: `count>0`, `n<=10` (`0 < count` reads `count>0`).
RELATIONAL = re.compile(r"^([\w$.?]+)(<=|>=|<|>)(-?\d+(?:\.\d+)?)$")
_FLIPPED = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}
_OPPOSITE = {"<": ">=", ">": "<=", "<=": ">", ">=": "<"}


def negate_test(t: str) -> str:
    """The opposite of a BranchStep test: `a===b` / `a!==b`, `a` / `!a`, `"a"===x||"b"===x`
    / `!("a"===x||"b"===x)`, `n>0` / `n<=0`."""
    m = RELATIONAL.match(t)
    if m is not None:
        return f"{m.group(1)}{_OPPOSITE[m.group(2)]}{m.group(3)}"
    if t.startswith("!(") and t.endswith(")"):
        return t[2:-1]
    if "||" in t:
        return f"!({t})"
    if "===" in t:
        return t.replace("===", "!==", 1)
    if "!==" in t:
        return t.replace("!==", "===", 1)
    return t[1:] if t.startswith("!") else f"!{t}"


_EQUALITY = {"===": "===", "==": "===", "!==": "!==", "!=": "!=="}
_NAMES = re.compile(r"[A-Za-z_$][\w$]*")


def compact(node: ts.Node) -> str:
    return re.sub(r"\s+", "", text(node))


_LITERALS = ("string", "number")


def _one_of(node: ts.Node) -> str | None:
    """`kind === "a" || kind === "b"` as `"a"===kind||"b"===kind`: one value, several literals."""
    tests, values = [], set()
    for n in _conjuncts(node, "||"):
        left, right = unwrap(field(n, "left")), unwrap(field(n, "right"))
        if n.type != "binary_expression" or _EQUALITY.get(text(field(n, "operator"))) != "===" \
                or left is None or right is None:
            return None
        literal, value = (left, right) if left.type in _LITERALS else (right, left)
        if literal.type not in _LITERALS or value.type in _LITERALS:
            return None
        values.add(compact(value))
        tests.append("===".join(sorted((compact(left), compact(right)))))
    return "||".join(tests) if len(values) == 1 else None


def missing_names(tests: tuple[str, ...]) -> set[str]:
    """The values an arm's tests say hold nothing: `!user`, `user===null`, `undefined===user`."""
    out = {t[1:] for t in tests if t.startswith("!") and "=" not in t}
    for t in tests:
        a, sep, b = t.partition("===")
        if sep and {a, b} & {"null", "undefined"}:
            out.add(b if a in ("null", "undefined") else a)
    return out


def test_of(node: ts.Node | None) -> str | None:
    """`a !== b` as `a!==b` (sides sorted, so `b != a` is the same test), `!a`, `a`,
    `"a"===x||"b"===x` for a value tested against several literals, and `n>0` for a value
    compared with a number."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "binary_expression" and text(field(node, "operator")) == "||":
        return _one_of(node)
    if node.type == "binary_expression" and text(field(node, "operator")) in _FLIPPED:
        return _relational(node)
    if node.type == "binary_expression":
        op = _EQUALITY.get(text(field(node, "operator")))
        left, right = unwrap(field(node, "left")), unwrap(field(node, "right"))
        if op is None or left is None or right is None:
            return None
        a, b = sorted((compact(left), compact(right)))
        return f"{a}{op}{b}"
    if node.type == "unary_expression" and text(field(node, "operator")) == "!":
        inner = test_of(field(node, "argument"))
        return negate_test(inner) if inner is not None else None
    if node.type in ("identifier", "member_expression", "subscript_expression") or _pure_query(node):
        return compact(node)
    return None


def _relational(node: ts.Node) -> str | None:
    """`count > 0` as `count>0`, `0 < count` too: a value compared with a number written out."""
    op = text(field(node, "operator"))
    left, right = unwrap(field(node, "left")), unwrap(field(node, "right"))
    if left is None or right is None:
        return None
    if left.type == "number" and right.type != "number":
        left, right, op = right, left, _FLIPPED[op]
    t = f"{compact(left)}{op}{text(right)}"
    return t if right.type == "number" and RELATIONAL.match(t) else None


# Methods that answer from their receiver and arguments alone: `xs.includes(id)` holds again
# wherever neither is reassigned, as a member read does.
_PURE_QUERIES = frozenset({"includes", "has", "startsWith", "endsWith"})


def _pure_query(node: ts.Node) -> bool:
    """`xs.includes(id)`, `set.has(k)`, on names and members, with plain arguments."""
    fn, args = field(node, "function"), field(node, "arguments")
    if node.type != "call_expression" or fn is None or fn.type != "member_expression" or args is None:
        return False
    obj = unwrap(field(fn, "object"))
    return text(field(fn, "property")) in _PURE_QUERIES and obj is not None \
        and obj.type in ("identifier", "member_expression") \
        and all(a.type in ("identifier", "member_expression", "string", "number") for a in args.named_children)


def _conjuncts(node: ts.Node | None, op: str = "&&") -> list[ts.Node]:
    """The operands of a chain of `op` (`a && b && c`), left to right."""
    out, stack = [], [node]
    while stack:
        n = unwrap(stack.pop())
        if n is None:
            continue
        if n.type == "binary_expression" and text(field(n, "operator")) == op:
            stack += [field(n, "right"), field(n, "left")]
        else:
            out.append(n)
    return out


@lru_cache(maxsize=4096)
def _assignment_of(name: str) -> re.Pattern:
    return re.compile(rf"(?<![\w$.]){re.escape(name)}\s*(?:[-+*/%&|^]?=(?!=)|\+\+|--)")


def _assigned(name: str, body: str) -> int:
    return len(_assignment_of(name).findall(body))


# Any assignment target: a run of name characters at the start of a token. For a plain
# name, `name in _assigned_names(body)` is `_assigned(name, body) > 0` (the run before an
# operator is the whole token), with one scan of the body instead of a compiled pattern
# per name.
_ASSIGNMENT = re.compile(r"(?<![\w$.])([\w$.]+)\s*(?:[-+*/%&|^]?=(?!=)|\+\+|--)")


def _assigned_names(body: str) -> frozenset[str]:
    return frozenset(_ASSIGNMENT.findall(body))


_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')


def test_names(t: str) -> list[str]:
    """The names a test reads (`event.type` in `"checkout.session.completed"===event.type`),
    not the words of its string literals."""
    return _NAMES.findall(_QUOTED.sub("", t))


_PATH = re.compile(r"[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)*")


def _read_paths(t: str) -> list[str]:
    """The names a test reads and each member path of them (`slot`, `slot.count`), so an arm that
    assigns `slot.count = 0` is seen to change what `slot.count>0` tested."""
    out = test_names(t)   # (every word too, as before: `o.b?.c` counts as reading `c`, erring safe)
    for m in _PATH.finditer(_QUOTED.sub("", t)):
        parts = m.group(0).replace("?.", ".").split(".")
        out += [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return out


_CASE_ENDS = ("break_statement", "return_statement", "throw_statement", "continue_statement")


def case_tests(stmt: ts.Node, case: ts.Node) -> tuple[str, ...]:
    """`switch (table) { case "Faction": … }`: the case's body runs when `table==="Faction"`
    (as an if arm's test; a default case, or cases falling into this one, hold no single test)."""
    value, disc = field(case, "value"), unwrap(field(stmt, "value"))
    if case.type != "switch_case" or value is None or disc is None:
        return ()
    prev = case.prev_named_sibling
    body = [c for c in prev.named_children if c.type != "comment" and c != field(prev, "value")] \
        if prev is not None and prev.type in ("switch_case", "switch_default") else None
    if body is not None and (not body or body[-1].type not in _CASE_ENDS):
        return ()   # `case "A": case "B": …`: the case above falls into this one
    a, b = sorted((compact(disc), compact(unwrap(value))))
    return (f"{a}==={b}",)


def arm_tests(condition: ts.Node | None, arm_node: ts.Node, arm: int) -> tuple[str, ...]:
    """The tests that hold whenever an if arm is entered: every `&&` conjunct of the
    condition for the consequence, the negated condition for an else when it is
    one test."""
    parts = _conjuncts(condition)
    if arm == 1:
        if len(parts) != 1:
            return ()
        t = test_of(parts[0])
        return (negate_test(t),) if t is not None else ()
    return tuple(t for t in map(test_of, parts) if t is not None)


def after_tests(condition: ts.Node | None, arm_node: ts.Node, arm: int,
                entry: tuple[str, ...]) -> tuple[str, ...]:
    """The tests that still hold after an if arm has run: its entry tests (`arm_tests`)
    on variables the arm does not assign, and `x` for `if (!x && y) { x = y; … }` (one
    unconditional assignment of a value the condition tested truthy)."""
    body = text(arm_node)
    written = _assigned_names(body) if entry else frozenset()
    out = [t for t in entry if not any(n in written for n in _read_paths(t))]
    if arm != 0 or arm_node.type != "statement_block":
        return tuple(out)
    truthy = {compact(c).replace("?.", ".") for c in _conjuncts(condition)
              if c.type in ("identifier", "member_expression")}
    for stmt in arm_node.named_children:
        expr = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_children else None
        if expr is None or expr.type != "assignment_expression":
            continue
        left, right = field(expr, "left"), unwrap(field(expr, "right"))
        if left is None or left.type != "identifier" or right is None:
            continue
        if _assigned(text(left), body) == 1 and compact(right).replace("?.", ".") in truthy:
            out.append(text(left))
    return tuple(out)


_FULL_BUFFER = re.compile(r"^(?P<v>[A-Za-z_$][\w$]*)\.length(?:>=|>|===?)(?P<n>[\w$.]+)$")


def flushes_buffer(condition: ts.Node | None, arm_node: ts.Node, arm: int) -> bool:
    """`if (buffer.length >= SIZE) { await flush(buffer); buffer = [] }`: the arm empties
    the buffer its test found full."""
    cond = unwrap(condition)
    m = _FULL_BUFFER.match(compact(cond)) if arm == 0 and cond is not None else None
    if m is None or m.group("n") in ("0", "1"):
        return False
    v = re.escape(m.group("v"))
    return bool(re.search(rf"(?<![\w$.]){v}\s*=\s*\[\s*\]|(?<![\w$.]){v}\.length\s*=\s*0\b|"
                          rf"(?<![\w$.]){v}\.splice\(\s*0\b", text(arm_node)))
