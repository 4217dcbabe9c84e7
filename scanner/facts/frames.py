"""What the frames of a site's context record: how many items a loop runs over, whether it
runs over chunks or fetches batches. The tests of branch arms are in branch_tests.py."""

from __future__ import annotations

import re

import tree_sitter as ts

from .nodes import (
    FUNCTION_TYPES, field, terminates, text, unwrap,
)
from .branch_tests import compact, test_names
from .loop_bounds import break_bound
from .length_caps import slice_size
from .private_calls import caller_arguments
from .scopes import const_binding, local_call_arguments, pattern_bindings



def call_function(call: ts.Node) -> ts.Node | None:
    """The callee of a call. The grammar reads `await f<T>(x)` as `(await f)<T>(x)`, nesting
    the await in the callee: the callee is `f`."""
    fn = field(call, "function")
    return fn.named_children[0] if fn is not None and fn.type == "await_expression" and fn.named_children else fn


def member_call(call: ts.Node) -> tuple[ts.Node | None, str | None]:
    fn = call_function(call)
    if fn is not None and fn.type == "member_expression":
        return field(fn, "object"), text(field(fn, "property"))
    return None, None


_GROWS = (".push(", ".unshift(", ".splice(", ".concat(")
# Array methods whose result has at most as many items as the array.
_SHRINKS = frozenset({"filter", "slice", "toSorted", "toReversed", "sort", "reverse", "map"})


def _grown(name: str, decl: ts.Node) -> bool:
    """Whether a `const` array is grown after its declaration in its scope."""
    scope = decl.parent
    body = scope.text.decode("utf-8", "replace") if scope is not None and scope.text else ""
    return any(f"{name}{g}" in body for g in _GROWS)


def _bound_value(name: ts.Node, resolver):
    """The binding of a plain variable with an initialiser (`const x = …`), or None."""
    return _plain_var(resolver.lookup(text(name), name))


def _plain_var(b):
    return b if b is not None and b.kind == "var" and not b.path and b.value is not None else None


def counted_rounds(stmt: ts.Node, resolver) -> int | None:
    """How many rounds a counted `for` runs between two numbers the code writes, counting up
    or down (`for (let i = 0; i < 12; i++)`, `for (let i = 5; i >= 0; i--)`, a bound that is a
    `const` holding a number, or a body's `if (i >= MAX_ROUNDS) break` when the `for` has no
    condition): as many as `Array.from({ length: N })` makes; else None."""
    cond = unwrap(field(stmt, "condition"))
    op = text(field(cond, "operator")) if cond is not None and cond.type == "binary_expression" else ""
    if op and text(unwrap(field(cond, "left"))) != _counter(stmt):
        return None   # (`for (let i = 0; total < 100; i++)`: the bound is another value's)
    op, bound = (op, field(cond, "right")) if op else break_bound(stmt) or ("", None)
    start = _literal_start(stmt, resolver)
    if start is None or op not in _ROUNDS:
        return None
    bound = _stated_number(unwrap(bound), resolver)
    if bound is None:
        return None
    step = "".join(text(field(stmt, "increment")).split())
    down = step.endswith("--") or step.startswith("--") or step.endswith("-=1")
    if op in (">", ">=") and not down or op in ("<", "<=") and down:
        return None   # counting away from the bound: not a number of rounds the code states
    rounds = _ROUNDS[op](start, bound)
    return max(rounds, 0)


def _stated_number(node: ts.Node | None, resolver, depth: int = 0) -> int | None:
    """The whole number a bound holds when the code writes it: a literal, a `const` holding
    one, or a parameter every caller of a function only its file calls passes one in (`for
    (let i = months - 1; i >= 0; i--)` of a private method always called with `6`: the
    largest)."""
    if node is not None and node.type == "identifier" and depth < 2:
        b = resolver.lookup(text(node), node)
        if b is not None and b.kind == "param" and not b.path and b.value is not None:
            given = caller_arguments(b.value, b.index, resolver)
            values = [_stated_number(unwrap(a), resolver, depth + 1) for a in given or ()]
            return max(values) if values and None not in values else None
        b = const_binding(b)
        node = unwrap(b.value) if b is not None else None
    if node is not None and node.type == "binary_expression" and text(field(node, "operator")) in ("+", "-"):
        # (`months - 1`: a start one below the number of rounds)
        a, b = (_stated_number(unwrap(field(node, k)), resolver, depth) for k in ("left", "right"))
        if a is None or b is None:
            return None
        return a + b if text(field(node, "operator")) == "+" else a - b
    return int(text(node)) if node is not None and node.type == "number" and text(node).isdigit() else None


# Rounds of a loop from `start` while `counter <op> bound`, one step a round.
_ROUNDS = {"<": lambda a, b: b - a, "<=": lambda a, b: b - a + 1,
           ">": lambda a, b: a - b, ">=": lambda a, b: a - b + 1}


def _declarator(stmt: ts.Node) -> ts.Node | None:
    """The one `let i = …` a `for` declares its counter with."""
    init = field(stmt, "initializer")
    decls = [c for c in init.named_children if c.type == "variable_declarator"] if init is not None else []
    return decls[0] if len(decls) == 1 else None


def _counter(stmt: ts.Node) -> str:
    d = _declarator(stmt)
    return text(field(d, "name")) if d is not None else ""


def _literal_start(stmt: ts.Node, resolver) -> int | None:
    """A of the `let i = A` a `for` starts its one counter at, A a number the code states."""
    d = _declarator(stmt)
    return _stated_number(unwrap(field(d, "value")), resolver) if d is not None else None


def counted_origin(rounds: int) -> dict:
    """LoopFrame's origin fields for a loop counting between two numbers the code states:
    a constant number of rounds, as `Array.from({ length: N })` makes."""
    return {"origin": "constant", "origin_note": f"{rounds} round(s), counted between numbers the code states"}


def counted_collection(stmt: ts.Node) -> ts.Node | None:
    """`xs` of a `for` that counts from 0 through its items one by one (`for (let i = 0; i <
    xs.length; i++)`, `xs.length > i`): the list the loop walks, as `for (const x of xs)`
    would. Not one stepping by more (`i += 100`): that walks batches of `xs`."""
    cond = unwrap(field(stmt, "condition"))
    op = text(field(cond, "operator")) if cond is not None and cond.type == "binary_expression" else ""
    bound = field(cond, "right") if op in ("<", "<=") else field(cond, "left") if op in (">", ">=") else None
    bound = unwrap(bound)
    if bound is None or bound.type != "member_expression" or text(field(bound, "property")) != "length" \
            or "= 0" not in text(field(stmt, "initializer")):
        return None
    step = "".join(text(field(stmt, "increment")).split())
    return field(bound, "object") if step.endswith("++") or step.startswith("++") or step.endswith("+=1") else None


def literal_len(node: ts.Node | None, resolver=None, depth: int = 0) -> int | None:
    """How many items a literal array has: the loop runs a fixed, small number
    of times. `[a, b]`, `[...new Set([a, 4000])]`, `ROLES` bound to `const ROLES = [...]`."""
    node = unwrap(node)
    if node is None or depth > 3:
        return None
    if node.type == "identifier" and resolver is not None:
        p = resolver.lookup(text(node), node)
        if p is not None and p.kind == "param" and not p.path and p.value is not None:
            # `checkAccess(userId, [{ teamId }])`: a local function whose every caller
            # passes a literal list in that place loops at most that many times.
            given = local_call_arguments(p.value, p.index, resolver)
            lens = [literal_len(a, resolver, depth + 1) for a in given or ()]
            return max(lens) if lens and None not in lens else None
        b = const_binding(p)
        if b is not None and not _grown(text(node), b.node.parent):
            n = literal_len(b.value, resolver, depth + 1)
            # `const rows = []` filled later is a collection, not a constant list.
            return n if n else None
        return None
    if node.type == "ternary_expression":
        # `ok ? ids.slice(0, 5) : []`: never more items than the longer branch.
        both = [literal_len(field(node, k), resolver, depth + 1) for k in ("consequence", "alternative")]
        return None if None in both else max(both)
    if node.type == "call_expression":
        # `[a, b].filter(…)`, `ROLES.slice(1)`: never more items than the list.
        fn = unwrap(field(node, "function"))
        method = text(field(fn, "property")) if fn is not None and fn.type == "member_expression" else ""
        if method not in _SHRINKS:
            return None
        n = literal_len(field(fn, "object"), resolver, depth + 1)
        if method == "slice":
            # `items.slice(0, 5)`: never more than the literal bounds, whatever `items` holds.
            bound = slice_size(field(node, "arguments"), resolver)
            return bound if n is None else n if bound is None else min(n, bound)
        return n
    if node.type != "array":
        return None
    # `[first, ...rest.slice(0, 3)]`, `[...new Set([a, b])]`: the items written out, and those
    # of each spread list of a known length.
    total = 0
    for c in (c for c in node.named_children if c.type != "comment"):
        if c.type != "spread_element":
            total += 1
            continue
        inner = unwrap(c.named_children[0]) if c.named_children else None
        if inner is not None and inner.type == "new_expression" and text(field(inner, "constructor")) == "Set":
            args = field(inner, "arguments")
            inner = args.named_children[0] if args is not None and args.named_children else None
        n = literal_len(inner, resolver, depth + 1)
        if n is None:
            return None
        total += n
    return total


# Helpers that split a list into chunks or batches: `chunk(ids, 250)`, `_.chunk`,
# `splitIntoBatches(rows, n)`. A loop over their result runs once per chunk.
_CHUNKER = re.compile(r"chunk|batch", re.I)


def chunked(node: ts.Node | None, resolver=None, depth: int = 0) -> bool:
    """Whether an iterable is the result of a chunking helper, directly or through
    a `const` bound to one."""
    node = unwrap(node)
    if node is None or depth > 3:
        return False
    if node.type == "identifier" and resolver is not None:
        b = _bound_value(node, resolver)
        return b is not None and chunked(b.value, resolver, depth + 1)
    if node.type == "await_expression" and node.named_children:
        return chunked(node.named_children[0], resolver, depth + 1)
    if node.type != "call_expression":
        return False
    callee = field(node, "function")
    name = text(field(callee, "property")) if callee is not None and callee.type == "member_expression" \
        else text(callee)
    return bool(_CHUNKER.search(name or ""))


# `batch.length === 0`, `!batch.length`, `page.length < PAGE`: the fetched batch came back
# empty or short.
_SHORT_BATCH = re.compile(r"^(?:!(?P<a>[A-Za-z_$][\w$]*)\.length|(?P<b>[A-Za-z_$][\w$]*)\.length"
                          r"(?:===?0|<=?[\w$.]+))$")


def batch_loop(loop: ts.Node) -> bool:
    """`while (…) { const batch = await next(…); if (batch.length < SIZE) break; … }`
    (or `return`): the loop ends when a batch it fetched comes back short or empty, so what runs in
    it runs once per batch, not once per item. Only `.length` tests count: `if (!job)
    break` after taking one job is a worker taking items one at a time."""
    body = field(loop, "body")
    if body is None or body.type != "statement_block":
        return False
    fetched: set[str] = set()
    for stmt in body.named_children:
        if stmt.type in ("lexical_declaration", "variable_declaration"):
            for d in stmt.named_children:
                value, pattern = field(d, "value"), field(d, "name")
                if d.type == "variable_declarator" and value is not None and pattern is not None \
                        and value.type == "await_expression":
                    fetched.update(n for n, path, _ in pattern_bindings(pattern) if len(path) <= 1)
        elif stmt.type == "expression_statement" and stmt.named_children \
                and stmt.named_children[0].type == "assignment_expression":
            left, right = field(stmt.named_children[0], "left"), field(stmt.named_children[0], "right")
            if left is not None and left.type == "identifier" and right is not None \
                    and right.type == "await_expression":
                fetched.add(text(left))
        elif stmt.type == "if_statement" and field(stmt, "alternative") is None \
                and terminates(field(stmt, "consequence"), loop_exits=True):
            cond = unwrap(field(stmt, "condition"))
            for part in compact(cond).split("||") if cond is not None else ():
                m = _SHORT_BATCH.match(part.strip("()"))
                if m is not None and (m.group("a") or m.group("b")) in fetched:
                    return True
    return False


def loop_kind(stmt: ts.Node) -> str:
    tokens = {c.type for c in stmt.children if not c.is_named}
    if "await" in tokens:
        return "for-await"
    return "for-of" if "of" in tokens else "for-in"


def loop_header(stmt: ts.Node) -> str:
    body = field(stmt, "body")
    end = body.start_byte if body is not None else stmt.end_byte
    raw = stmt.text[: end - stmt.start_byte] if stmt.text is not None else b""
    return " ".join(raw.decode("utf-8", "replace").split())[:160]


def first_await_end(fn: ts.Node) -> int:
    """Where the earliest-ending `await` of a callback's own body ends (those of functions
    nested in it left out), -1 for none: a site after that offset does not start in the
    same tick as the other items' calls. One walk per callback, whatever its sites."""
    body = field(fn, "body")
    stack = [body] if body is not None else []
    first = -1
    while stack:
        node = stack.pop()
        t = node.type
        if t == "await_expression" and (first < 0 or node.end_byte < first):
            first = node.end_byte
        if t not in FUNCTION_TYPES:
            stack.extend(node.named_children)
    return first


def _root(node: ts.Node | None) -> str | None:
    """The name a member chain starts from: `current` of `current.parent?.id`."""
    node = unwrap(node)
    while node is not None and node.type in ("member_expression", "subscript_expression"):
        node = unwrap(field(node, "object"))
    return text(node) if node is not None and node.type == "identifier" else None


def _identifiers(node: ts.Node | None) -> set[str]:
    """The variables an expression reads (not its property names)."""
    out, stack = set(), [node] if node is not None else []
    while stack:
        n = stack.pop()
        if n.type == "identifier":
            out.add(text(n))
        stack.extend(n.named_children)
    return out


def chain_fields(loop: ts.Node, kind: str) -> dict:
    """LoopFrame's `chain_from` and `flag_by` of a while/do loop (none for other loops), from
    one walk of its body for the assignments to the names its test reads."""
    cond, body = field(loop, "condition"), field(loop, "body")
    if kind not in ("while", "do") or cond is None or body is None:
        return {}
    tested = set(test_names(text(cond)))
    assigned = []
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type == "assignment_expression" and _root(field(node, "left")) in tested:
            assigned.append(node)
        if node.type not in FUNCTION_TYPES:
            stack.extend(node.named_children)
    return {"chain_from": _chain_sources(assigned, tested), "flag_by": _flag_tests(assigned, body, tested)}


def _chain_sources(assigned: list[ts.Node], tested: set[str]) -> tuple[str, ...]:
    """`while (id) { const row = await q({ where: { id } }); id = row?.parentId }`: the names
    read on the right of an assignment (in the body, not in nested functions) to a name the
    loop's test reads. A query whose result is one of them finds the next link of a chain, so
    the loop walks that chain: one query per link, each needing the last one's row."""
    sources: set[str] = set()
    for node in assigned:
        sources.update(_identifiers(field(node, "right")) - tested)
    return tuple(sorted(sources))


def _flag_tests(assigned: list[ts.Node], body: ts.Node, tested: set[str]) -> tuple[str, ...]:
    """`while (!valid) { const taken = await q(ref); if (!taken) valid = true }`: when every
    name the loop's test reads is a flag the body only sets to `true` or `false`, the names the
    `if`s around those assignments test. A query whose result is one of them decides when
    the loop ends: it probes for a free value, item by item of nothing."""
    decided: set[str] = set()
    for node in assigned:
        right, arm = unwrap(field(node, "right")), node.parent
        if right is None or right.type not in ("true", "false"):
            return ()
        while arm is not None and arm is not body and arm.type != "if_statement":
            arm = arm.parent
        if arm is None or arm.type != "if_statement":
            return ()   # (set on every round: a state, not an answer)
        decided |= _identifiers(field(arm, "condition"))
    return tuple(sorted(decided - tested)) if assigned else ()
