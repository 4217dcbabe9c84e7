"""Where a site runs: its function, loops, try blocks, transaction scope and
branch arms, found by walking up from the site once."""

from __future__ import annotations

import re

import tree_sitter as ts

from .model import (
    ITERATION_METHODS, TRANSACTION_METHOD, BranchStep, ClientRef, LoopFrame, SiteContext, TxFrame,
    negate_test,
)
from .nodes import (
    FUNCTION_TYPES, TRANSPARENT, field, is_async, is_field, key, param_nodes, param_pattern,
    short, terminates, text, unwrap,
)
from .origins import collection_origin
from .scopes import Resolver, local_call_arguments, pattern_bindings, same_binding

_LITERALS = frozenset({"string", "number", "true", "false", "null", "template_string"})
_PROMISE_COMBINATORS = frozenset({"all", "allSettled", "race", "any"})


def _call_of_argument(node: ts.Node) -> ts.Node | None:
    """The call expression a node is passed to as a direct argument."""
    parent = node.parent
    if parent is not None and parent.type == "arguments":
        call = parent.parent
        if call is not None and call.type in ("call_expression", "new_expression"):
            return call
    return None


def _member_call(call: ts.Node) -> tuple[ts.Node | None, str | None]:
    fn = field(call, "function")
    if fn is not None and fn.type == "member_expression":
        return field(fn, "object"), text(field(fn, "property"))
    return None, None


_GROWS = (".push(", ".unshift(", ".splice(", ".concat(")
# Array methods whose result has at most as many items as the array.
_SHRINKS = frozenset({"filter", "slice", "toSorted", "toReversed", "sort", "reverse"})


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


_EQUALITY = {"===": "===", "==": "===", "!==": "!==", "!=": "!=="}
_NAMES = re.compile(r"[A-Za-z_$][\w$]*")


def _compact(node: ts.Node) -> str:
    return re.sub(r"\s+", "", text(node))


def _test(node: ts.Node | None) -> str | None:
    """`a !== b` as `a!==b` (sides sorted, so `b != a` is the same test), `!a`, `a`."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "binary_expression":
        op = _EQUALITY.get(text(field(node, "operator")))
        left, right = unwrap(field(node, "left")), unwrap(field(node, "right"))
        if op is None or left is None or right is None:
            return None
        a, b = sorted((_compact(left), _compact(right)))
        return f"{a}{op}{b}"
    if node.type == "unary_expression" and text(field(node, "operator")) == "!":
        inner = _test(field(node, "argument"))
        return negate_test(inner) if inner is not None else None
    if node.type in ("identifier", "member_expression"):
        return _compact(node)
    return None


def _conjuncts(node: ts.Node | None) -> list[ts.Node]:
    out, stack = [], [node]
    while stack:
        n = unwrap(stack.pop())
        if n is None:
            continue
        if n.type == "binary_expression" and text(field(n, "operator")) == "&&":
            stack += [field(n, "right"), field(n, "left")]
        else:
            out.append(n)
    return out


def _assigned(name: str, body: str) -> int:
    return len(re.findall(rf"(?<![\w$.]){re.escape(name)}\s*(?:[-+*/%&|^]?=(?!=)|\+\+|--)", body))


def arm_tests(condition: ts.Node | None, arm_node: ts.Node, arm: int) -> tuple[str, ...]:
    """The tests that hold whenever an if arm is entered: every `&&` conjunct of the
    condition for the consequence, the negated condition for an else when it is
    one test."""
    parts = _conjuncts(condition)
    if arm == 1:
        if len(parts) != 1:
            return ()
        t = _test(parts[0])
        return (negate_test(t),) if t is not None else ()
    return tuple(t for t in map(_test, parts) if t is not None)


def after_tests(condition: ts.Node | None, arm_node: ts.Node, arm: int,
                entry: tuple[str, ...]) -> tuple[str, ...]:
    """The tests that still hold after an if arm has run: its entry tests (`arm_tests`)
    on variables the arm does not assign, and `x` for `if (!x && y) { x = y; … }` (one
    unconditional assignment of a value the condition tested truthy)."""
    body = text(arm_node)
    out = [t for t in entry
           if not any(_assigned(n, body) for n in _NAMES.findall(t))]
    if arm != 0 or arm_node.type != "statement_block":
        return tuple(out)
    truthy = {_compact(c).replace("?.", ".") for c in _conjuncts(condition)
              if c.type in ("identifier", "member_expression")}
    for stmt in arm_node.named_children:
        expr = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_children else None
        if expr is None or expr.type != "assignment_expression":
            continue
        left, right = field(expr, "left"), unwrap(field(expr, "right"))
        if left is None or left.type != "identifier" or right is None:
            continue
        if _assigned(text(left), body) == 1 and _compact(right).replace("?.", ".") in truthy:
            out.append(text(left))
    return tuple(out)


_FULL_BUFFER = re.compile(r"^(?P<v>[A-Za-z_$][\w$]*)\.length(?:>=|>|===?)(?P<n>[\w$.]+)$")


def flushes_buffer(condition: ts.Node | None, arm_node: ts.Node, arm: int) -> bool:
    """`if (buffer.length >= SIZE) { await flush(buffer); buffer = [] }`: the arm empties
    the buffer its test found full."""
    cond = unwrap(condition)
    m = _FULL_BUFFER.match(_compact(cond)) if arm == 0 and cond is not None else None
    if m is None or m.group("n") in ("0", "1"):
        return False
    v = re.escape(m.group("v"))
    return bool(re.search(rf"(?<![\w$.]){v}\s*=\s*\[\s*\]|(?<![\w$.]){v}\.length\s*=\s*0\b|"
                          rf"(?<![\w$.]){v}\.splice\(\s*0\b", text(arm_node)))


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
        b = _plain_var(p)
        if b is not None:
            decl = b.node.parent
            if decl is not None and any(c.type == "const" for c in decl.children) \
                    and not _grown(text(node), decl):
                n = literal_len(b.value, resolver, depth + 1)
                # `const rows = []` filled later is a collection, not a constant list.
                return n if n else None
        return None
    if node.type == "call_expression":
        # `[a, b].filter(…)`, `ROLES.slice(1)`: never more items than the list.
        fn = unwrap(field(node, "function"))
        if fn is not None and fn.type == "member_expression" \
                and text(field(fn, "property")) in _SHRINKS:
            return literal_len(field(fn, "object"), resolver, depth + 1)
        return None
    if node.type != "array":
        return None
    items = [c for c in node.named_children if c.type != "comment"]
    if len(items) == 1 and items[0].type == "spread_element" and items[0].named_children:
        inner = unwrap(items[0].named_children[0])
        if inner is not None and inner.type == "new_expression" and text(field(inner, "constructor")) == "Set":
            args = field(inner, "arguments")
            return literal_len(args.named_children[0], resolver, depth + 1) \
                if args is not None and args.named_children else None
    if any(c.type == "spread_element" for c in items):
        return None
    return len(items)


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
            for part in _compact(cond).split("||") if cond is not None else ():
                m = _SHORT_BATCH.match(part.strip("()"))
                if m is not None and (m.group("a") or m.group("b")) in fetched:
                    return True
    return False


def _loop_kind(stmt: ts.Node) -> str:
    tokens = {c.type for c in stmt.children if not c.is_named}
    if "await" in tokens:
        return "for-await"
    return "for-of" if "of" in tokens else "for-in"


def _header(stmt: ts.Node) -> str:
    body = field(stmt, "body")
    end = body.start_byte if body is not None else stmt.end_byte
    raw = stmt.text[: end - stmt.start_byte] if stmt.text is not None else b""
    return " ".join(raw.decode("utf-8", "replace").split())[:160]


class ContextBuilder:
    def __init__(self, resolver: Resolver, function_ids: dict[int, int],
                 tx_arguments: dict[int, set[str]]):
        self.resolver = resolver
        self.function_ids = function_ids  # function node key -> id
        # Names passed to $transaction(...) per enclosing function key (-1: module).
        self.tx_arguments = tx_arguments
        self._batch_loops: dict[int, bool] = {}  # loop node key -> batch_loop(loop)
        self._origins: dict[int, dict] = {}      # loop node key -> LoopFrame origin fields

    def _batch_loop(self, loop: ts.Node) -> bool:
        k = key(loop)
        if k not in self._batch_loops:
            self._batch_loops[k] = batch_loop(loop)
        return self._batch_loops[k]

    def function_id(self, fn: ts.Node | None) -> int:
        return -1 if fn is None else self.function_ids.get(key(fn), -1)

    def build(self, site: ts.Node, receiver_root: ts.Node | None = None) -> SiteContext:
        loops: list[LoopFrame] = []
        trys: list[int] = []
        catches: list[int] = []
        tx: list[TxFrame] = []
        branches: list[BranchStep] = []
        function: ts.Node | None = None
        flows_into: str | None = None
        flows_fn: ts.Node | None = None
        parallel_group: int | None = None
        receiver_binding = None
        if receiver_root is not None and receiver_root.type == "identifier":
            receiver_binding = self.resolver.lookup(text(receiver_root), receiver_root)

        child = site
        parent = site.parent
        value_path = True  # still on the expression whose value is the site's promise
        returned = False   # the innermost function returns that value
        lazy_return = -1
        while parent is not None:
            pt = parent.type
            if child.type in FUNCTION_TYPES:
                if function is None:
                    function = child
                call = _call_of_argument(child)
                if call is None:
                    break  # a declared function: what surrounds it does not run it
                obj, prop = _member_call(call)
                if prop in ("map", "flatMap") and (value_path or returned) and not is_async(child) \
                        and not loops and lazy_return < 0:
                    lazy_return = self._returned_from(call)
                if prop in ITERATION_METHODS:
                    loops.append(LoopFrame(
                        "callback", call.start_point[0] + 1, call.end_point[0] + 1, key(call),
                        method=prop, parallel=is_async(child) and prop in ("map", "flatMap", "forEach"),
                        literal_len=literal_len(obj, self.resolver), iterable_import=self._imported(obj),
                        chunked=chunked(obj, self.resolver), **self._origin(call, obj),
                        awaits_before=_awaits_before(child, site),
                        start=call.start_byte, end=call.end_byte, header=short(field(call, "function"), 120),
                        function=self.function_id(self._enclosing_function(call))))
                elif prop == TRANSACTION_METHOD:
                    tx.append(TxFrame("callback", call.start_point[0] + 1,
                                      through_param=self._through_first_param(child, receiver_binding)))
                elif prop not in ("then", "catch", "finally") and call.type == "call_expression":
                    callee = field(call, "function")
                    tx.append(TxFrame("wrapper-callback", call.start_point[0] + 1,
                                      through_param=self._through_first_param(child, receiver_binding),
                                      callee=short(callee, 80),
                                      callee_ref=self._callee_ref(callee)))
                value_path = False
            elif pt == "await_expression" or pt in TRANSPARENT:
                pass
            elif pt in ("for_statement", "while_statement", "do_statement", "for_in_statement"):
                if not is_field(parent, "initializer", child) and not is_field(parent, "right", child):
                    kind = {"for_statement": "for", "while_statement": "while",
                            "do_statement": "do"}.get(pt) or _loop_kind(parent)
                    right = field(parent, "right") if pt == "for_in_statement" else None
                    literal = literal_len(right, self.resolver)
                    loops.append(LoopFrame(kind, parent.start_point[0] + 1, parent.end_point[0] + 1,
                                           key(parent), literal_len=literal, header=_header(parent),
                                           chunked=chunked(right, self.resolver),
                                           batch=kind in ("while", "do") and self._batch_loop(parent),
                                           iterable_import=self._imported(right),
                                           **self._origin(parent, right),
                                           in_condition=is_field(parent, "condition", child),
                                           start=parent.start_byte, end=parent.end_byte,
                                           function=self.function_id(self._enclosing_function(parent))))
                value_path = False
            elif pt == "try_statement":
                if is_field(parent, "body", child):
                    trys.append(key(parent))
                elif is_field(parent, "handler", child):
                    catches.append(key(parent))
                    # A catch that returns or throws: code after the try never follows it.
                    body = field(child, "body")
                    branches.append(BranchStep(key(parent), "catch", 1, terminates(body),
                                               parent.start_byte, parent.end_byte,
                                               terminates(body, loop_exits=True),
                                               terminates(body, iteration_exits=True)))
                value_path = False
            elif pt == "member_expression" and is_field(parent, "object", child) \
                    and text(field(parent, "property")) == "catch":
                call = parent.parent
                if call is not None and call.type == "call_expression":
                    trys.append(key(call))
            elif pt == "if_statement":
                for arm, name in ((0, "consequence"), (1, "alternative")):
                    if is_field(parent, name, child):
                        condition = field(parent, "condition")
                        entry = arm_tests(condition, child, arm)
                        branches.append(BranchStep(key(parent), "if", arm, terminates(child),
                                                   parent.start_byte, parent.end_byte,
                                                   terminates(child, loop_exits=True),
                                                   terminates(child, iteration_exits=True),
                                                   entry, after_tests(condition, child, arm, entry),
                                                   flushes_buffer(condition, child, arm)))
                value_path = False
            elif pt == "switch_body" and child.type in ("switch_case", "switch_default"):
                arm = [c for c in parent.named_children if c.type in ("switch_case", "switch_default")].index(child)
                stmt = parent.parent or parent
                branches.append(BranchStep(key(stmt), "switch", arm, terminates(child),
                                           stmt.start_byte, stmt.end_byte, terminates(child),
                                           terminates(child, iteration_exits=True)))
                value_path = False
            elif pt == "ternary_expression":
                for arm, name in ((0, "consequence"), (1, "alternative")):
                    if is_field(parent, name, child):
                        branches.append(BranchStep(key(parent), "ternary", arm, False,
                                                   parent.start_byte, parent.end_byte))
            elif pt in ("binary_expression", "augmented_assignment_expression") \
                    and is_field(parent, "right", child) \
                    and text(field(parent, "operator")) in ("??", "||", "??=", "||="):
                # `hooks ?? await prisma.hook.findMany()`: the right runs only when the left
                # is missing, a test like an if arm's.
                t = _test(field(parent, "left"))
                branches.append(BranchStep(key(parent), "nullish", 1, False, parent.start_byte,
                                           parent.end_byte,
                                           tests=(negate_test(t),) if t is not None else ()))
            elif pt == "arguments":
                call = parent.parent
                if call is not None and call.type == "call_expression":
                    obj, prop = _member_call(call)
                    if prop == TRANSACTION_METHOD and child.type not in FUNCTION_TYPES:
                        tx.append(TxFrame("array", call.start_point[0] + 1))
                    elif prop == "push" and value_path and obj is not None and obj.type == "identifier":
                        if flows_into is None:
                            flows_into = text(obj)
                            declared = self.resolver.lookup(text(obj), obj)
                            # The array may be pushed to inside a callback (`forEach`):
                            # look for its $transaction where it is declared.
                            flows_fn = self._enclosing_function(declared.node if declared else call)
                    elif prop in _PROMISE_COMBINATORS and text(obj) == "Promise":
                        parallel_group = parallel_group or key(call)
                    elif child.type == "array" and prop not in ITERATION_METHODS:
                        callee = field(call, "function")
                        tx.append(TxFrame("wrapper-array", call.start_point[0] + 1,
                                          callee=short(callee, 80), callee_ref=self._callee_ref(callee)))
            elif pt == "variable_declarator" and is_field(parent, "value", child):
                name = field(parent, "name")
                if name is not None and name.type == "identifier" and flows_into is None:
                    flows_into = text(name)
                    flows_fn = self._enclosing_function(parent)
                value_path = False
            elif pt in ("statement_block", "expression_statement", "return_statement"):
                if pt == "return_statement" and value_path and function is None:
                    returned = True
                value_path = False
            child, parent = parent, parent.parent

        if flows_into is not None and not any(f.kind == "array" for f in tx):
            fkey = key(flows_fn) if flows_fn is not None else -1
            if flows_into in self.tx_arguments.get(fkey, ()):
                tx.append(TxFrame("array", site.start_point[0] + 1))

        return SiteContext(
            function=self.function_id(function), loops=tuple(loops), trys=tuple(trys), tx=tuple(tx),
            branches=tuple(branches), awaited=_is_awaited(site), parallel_group=parallel_group,
            start=site.start_byte, end=site.end_byte, catches=tuple(catches), lazy_return=lazy_return,
        )

    def _returned_from(self, call: ts.Node) -> int:
        """The function that returns the array a `.map` call builds (`return xs.map(…)`,
        or the expression body of an arrow), or -1."""
        child, parent = call, call.parent
        while parent is not None and parent.type in TRANSPARENT:
            child, parent = parent, parent.parent
        if parent is None:
            return -1
        if parent.type == "return_statement":
            fn = self._enclosing_function(parent)
        elif parent.type in ("arrow_function",) and is_field(parent, "body", child):
            fn = parent
        else:
            return -1
        return self.function_id(fn) if fn is not None else -1

    def _origin(self, loop: ts.Node, collection: ts.Node | None) -> dict:
        """LoopFrame's origin fields, worked out once per loop."""
        k = key(loop)
        if k not in self._origins:
            kind, note = collection_origin(collection, self.resolver) if collection is not None \
                else ("unknown", "")
            self._origins[k] = {"origin": kind, "origin_note": note}
        return self._origins[k]

    def _imported(self, node: ts.Node | None) -> tuple[str, str] | None:
        """(module, name) when the iterable is an imported binding (`ROLES.map(...)`)."""
        node = unwrap(node)
        if node is None or node.type != "identifier":
            return None
        b = self.resolver.lookup(text(node), node)
        if b is not None and b.kind == "import" and b.module and b.imported not in (None, "*"):
            return b.module, b.imported
        return None

    def _enclosing_function(self, node: ts.Node) -> ts.Node | None:
        n = node.parent
        while n is not None and n.type not in FUNCTION_TYPES:
            n = n.parent
        return n

    def _through_first_param(self, fn: ts.Node, receiver_binding) -> bool:
        params = param_nodes(fn)
        if not params or receiver_binding is None:
            return False
        if receiver_binding.kind == "param" and receiver_binding.value == fn and receiver_binding.index == 0:
            return True
        # An alias of the parameter (`const db = tx`).
        if receiver_binding.kind == "var" and receiver_binding.value is not None:
            v = unwrap(receiver_binding.value)
            if v is not None and v.type == "identifier":
                return same_binding(self.resolver.lookup(text(v), v),
                                    self.resolver.lookup(text(param_pattern(params[0])), field(fn, "body") or fn))
        return False

    def _callee_ref(self, callee: ts.Node | None):
        if callee is None or callee.type != "identifier":
            return None
        b = self.resolver.lookup(text(callee), callee)
        if b is not None and b.kind == "import":
            return ClientRef("import", "import", b.module, b.imported)
        return None


def _awaits_before(fn: ts.Node, site: ts.Node) -> bool:
    """Whether the callback awaits something before reaching the site: then the
    site does not start in the same tick as the other items' calls."""
    body = field(fn, "body")
    stack = [body] if body is not None else []
    while stack:
        node = stack.pop()
        if node.start_byte >= site.start_byte:
            continue
        if node.type == "await_expression" and node.end_byte <= site.start_byte:
            return True
        if node.type in FUNCTION_TYPES:
            continue
        stack.extend(c for c in node.named_children if c.start_byte < site.start_byte)
    return False


def _is_awaited(site: ts.Node) -> bool:
    fn = field(site, "function")
    while fn is not None and fn.type in ("non_null_expression", "instantiation_expression"):
        fn = fn.named_children[0] if fn.named_children else None
    if fn is not None and fn.type == "await_expression":
        return True  # `await x.y<T>(...)`: the grammar nests the await in the callee
    n = site.parent
    while n is not None and n.type in TRANSPARENT:
        n = n.parent
    return n is not None and n.type == "await_expression"
