"""Where a site runs: its function, loops, try blocks, transaction scope and
branch arms.

A site's ancestors are found top-down (`Node.child_with_descendant`), not by climbing
`Node.parent`, which walks down from the root again at every step. The frames they open
(a loop, an if arm, a catch, a callback loop) do not depend on the site, so each is built
once per file and shared; only what does (the value path, the awaited receiver, awaits
before the site) is worked out per site."""

from __future__ import annotations

import tree_sitter as ts

from .branch_tests import after_tests, arm_tests, case_tests, flushes_buffer, negate_test, test_of
from .frames import (batch_loop, chunked, counted_collection, counted_origin, counted_rounds, first_await_end,
                     literal_len, chain_fields, loop_header, loop_kind, member_call, call_function)
from .model import (ITERATION_METHODS, SAME_TICK_METHODS, TRANSACTION_METHOD, BranchStep, ClientRef, LoopFrame,
                    SiteContext, TxFrame)
from .nodes import FUNCTION_TYPES, TRANSPARENT, field, is_async, is_field, key, param_nodes, param_pattern, short
from .nodes import ancestors_from, enclosing, holds_name, is_awaited, leaves_after, pushes, terminates, text
from .nodes import settles_before_binding, unwrap
from .origins import loop_origin, object_viewed
from .scopes import Resolver, same_binding
from .searches import found_exit

__all__ = ("ContextBuilder", "literal_len")

_PROMISE_COMBINATORS = frozenset({"all", "allSettled", "race", "any"})
# Timers: a callback handed to one runs after the code around the call has moved on.
_TIMERS = frozenset({"setTimeout", "setImmediate", "setInterval", "globalThis.setTimeout", "window.setTimeout"})
_LOOP_STATEMENTS = {"for_statement": "for", "while_statement": "while", "do_statement": "do",
                    "for_in_statement": ""}
# The parent kinds `_step` reads; the walk up from a site passes every other kind by.
_STEPS = frozenset({
    *_LOOP_STATEMENTS, "try_statement", "member_expression", "if_statement", "switch_body",
    "ternary_expression", "binary_expression", "augmented_assignment_expression", "arguments",
    "variable_declarator", "statement_block", "expression_statement", "return_statement",
})


class _Site:
    """What the walk up from one site has collected so far."""

    __slots__ = ("node", "chain", "receiver", "loops", "trys", "catches", "tx", "branches", "function", "flows_into",
                 "flows_fn", "parallel_group", "value_path", "returned", "lazy_return")

    def __init__(self, node: ts.Node, chain: list[ts.Node], receiver):
        self.node = node
        self.chain = chain
        self.receiver = receiver  # the binding of the receiver's root identifier, or None
        self.loops: list[LoopFrame] = []
        self.trys: list[int] = []
        self.catches: list[int] = []
        self.tx: list[TxFrame] = []
        self.branches: list[BranchStep] = []
        self.function: ts.Node | None = None
        self.flows_into: str | None = None
        self.flows_fn: ts.Node | None = None
        self.parallel_group: int | None = None
        self.value_path = True  # still on the expression whose value is the site's promise
        self.returned = False   # the innermost function returns that value
        self.lazy_return = -1

    def above(self, i: int) -> ts.Node | None:
        return self.chain[i] if i < len(self.chain) else None

    def function_above(self, i: int) -> ts.Node | None:
        """The nearest function strictly above chain[i] (its enclosing function)."""
        return next((n for n in self.chain[i + 1:] if n.type in FUNCTION_TYPES), None)


class ContextBuilder:
    def __init__(self, resolver: Resolver, function_ids: dict[int, int],
                 tx_arguments: dict[int, set[str]]):
        self.resolver = resolver
        self.root = resolver.root
        self.function_ids = function_ids  # function node key -> id
        # Names passed to $transaction(...) per enclosing function key (-1: module).
        self.tx_arguments = tx_arguments
        self._batch_loops: dict[int, bool] = {}  # loop node key -> batch_loop(loop)
        self._origins: dict[int, dict] = {}      # loop node key -> LoopFrame origin fields
        self._frames: dict[tuple, object] = {}   # (kind, node key, …) -> the frame it opens

    def function_id(self, fn: ts.Node | None) -> int:
        return -1 if fn is None else self.function_ids.get(key(fn), -1)

    def build(self, site: ts.Node, receiver_root: ts.Node | None = None) -> SiteContext:
        receiver = None
        if receiver_root is not None and receiver_root.type == "identifier":
            receiver = self.resolver.lookup(text(receiver_root), receiver_root)
        s = _Site(site, ancestors_from(self.root, site), receiver)
        child, child_type = site, site.type
        for i, parent in enumerate(s.chain):
            parent_type = parent.type  # read once: each read builds a new string
            if child_type in FUNCTION_TYPES:
                if not self._function(s, i, child):
                    break  # a declared function: what surrounds it does not run it
            elif parent_type in _STEPS:
                # Most ancestors (JSX, objects, calls, members) open no frame: no step for them.
                self._step(s, i, parent, parent_type, child)
            child, child_type = parent, parent_type
        awaited = is_awaited(site, s.chain)
        if s.flows_into is not None and not any(f.kind == "array" for f in s.tx):
            tx_args = self.tx_arguments.get(key(s.flows_fn) if s.flows_fn is not None else -1, ())
            lazy = not awaited and s.lazy_return < 0 and not settles_before_binding(s.chain)
            names = {s.flows_into}
            if s.flows_fn is not None and (tx_args or lazy):  # and the arrays it is pushed into
                names |= self._pushes(s.flows_fn).get(s.flows_into, set())
            if names.intersection(tx_args):  # `$transaction([q])`, or `ops.push(...q); $transaction(ops)`
                s.tx.append(TxFrame("array", site.start_point[0] + 1))
            elif lazy and s.flows_fn is not None and any(holds_name(r, n) for n in names  # `ops.push(q); return ops`
                                                         for r in self.resolver.returned_expressions(s.flows_fn)):
                s.lazy_return = self.function_id(s.flows_fn)
        searched = s.loops and s.flows_into and s.loops[0].kind != "callback"
        return SiteContext(
            function=self.function_id(s.function), loops=tuple(s.loops), trys=tuple(s.trys), tx=tuple(s.tx),
            branches=tuple(s.branches), awaited=awaited, parallel_group=s.parallel_group,
            start=site.start_byte, end=site.end_byte, catches=tuple(s.catches), lazy_return=s.lazy_return,
            found_exit=found_exit(site, s.chain, s.flows_into) if searched else 0)

    # -- a function on the way up --------------------------------------------------------
    def _function(self, s: _Site, i: int, fn: ts.Node) -> bool:
        """A function the site is in; False when it is not passed to a call right here."""
        if s.function is None:
            s.function = fn
        parent, call = s.chain[i], s.above(i + 1)
        if parent.type != "arguments" or call is None or call.type not in ("call_expression", "new_expression"):
            return False
        if call.type == "call_expression" and text(field(call, "function")) in _TIMERS:
            return False  # `setTimeout(() => …, delay)`: it runs later, outside what surrounds the call
        obj, prop = member_call(call)
        if prop in ("map", "flatMap") and (s.value_path or s.returned) and not is_async(fn) \
                and not s.loops and s.lazy_return < 0:
            s.lazy_return = self._returned_from(s, i + 1)
        if prop in ITERATION_METHODS:
            s.loops.append(LoopFrame(**self._callback_loop(s, i + 1, fn, obj, prop),
                                     awaits_before=0 <= self._first_await_end(fn) <= s.node.start_byte))
        elif prop == TRANSACTION_METHOD:
            s.tx.append(TxFrame("callback", call.start_point[0] + 1,
                                through_param=self._through_first_param(fn, s.receiver)))
        elif prop == "catch" and call.type == "call_expression":
            s.catches.append(key(call))   # `p.catch(async () => …)` runs only when `p` failed
        elif prop not in ("then", "catch", "finally") and call.type == "call_expression":
            callee = call_function(call)
            s.tx.append(TxFrame("wrapper-callback", call.start_point[0] + 1,
                                through_param=self._through_first_param(fn, s.receiver),
                                callee=short(callee, 80), callee_ref=self._callee_ref(callee)))
        s.value_path = False
        return True

    def _callback_loop(self, s: _Site, at: int, fn: ts.Node, obj: ts.Node | None, prop: str) -> dict:
        """LoopFrame fields of `items.map(fn)` (chain[at] is the call), but awaits_before."""
        call = s.chain[at]
        k = ("callback", key(call), key(fn))
        fields = self._frames.get(k)
        if fields is None:
            fields = dict(
                kind="callback", line=call.start_point[0] + 1, end_line=call.end_point[0] + 1, key=key(call),
                method=prop, parallel=is_async(fn) and prop in SAME_TICK_METHODS,
                literal_len=literal_len(obj, self.resolver), iterable_import=self._imported(obj),
                chunked=chunked(obj, self.resolver), **self._origin(call, obj),
                start=call.start_byte, end=call.end_byte, header=short(field(call, "function"), 120),
                function=self.function_id(s.function_above(at)))
            self._frames[k] = fields
        return fields

    # -- any other ancestor ------------------------------------------------------------------
    def _step(self, s: _Site, i: int, parent: ts.Node, pt: str, child: ts.Node) -> None:
        if pt in _LOOP_STATEMENTS:
            if not is_field(parent, "initializer", child) and not is_field(parent, "right", child):
                s.loops.append(self._loop(s, i, parent, child))
            s.value_path = False
        elif pt == "try_statement":
            self._try(s, parent, child)
        elif pt == "member_expression" and is_field(parent, "object", child) \
                and text(field(parent, "property")) == "catch":
            call = s.above(i + 1)
            if call is not None and call.type == "call_expression":
                s.trys.append(key(call))
        elif pt in ("if_statement", "switch_body", "ternary_expression", "binary_expression",
                    "augmented_assignment_expression"):
            self._branch(s, i, parent, child)
        elif pt == "arguments":
            self._argument(s, i, child)
        elif pt == "variable_declarator" and is_field(parent, "value", child):
            name = field(parent, "name")
            if name is not None and name.type == "identifier" and s.flows_into is None:
                s.flows_into = text(name)
                s.flows_fn = s.function_above(i)
            s.value_path = False
        elif pt in ("statement_block", "expression_statement", "return_statement"):
            if pt == "return_statement" and s.value_path and s.function is None:
                s.returned = True
            elif pt == "statement_block":
                self._loop_tail(s, i, parent, child)
            s.value_path = False

    def _loop(self, s: _Site, i: int, stmt: ts.Node, child: ts.Node) -> LoopFrame:
        in_condition = is_field(stmt, "condition", child)
        k = ("loop", key(stmt), in_condition)
        frame = self._frames.get(k)
        if frame is None:
            kind = _LOOP_STATEMENTS[stmt.type] or loop_kind(stmt)
            right = field(stmt, "right") if stmt.type == "for_in_statement" else counted_collection(stmt)
            rounds = counted_rounds(stmt, self.resolver) if stmt.type == "for_statement" else None
            frame = LoopFrame(kind, stmt.start_point[0] + 1, stmt.end_point[0] + 1, key(stmt), header=loop_header(stmt),
                              literal_len=rounds if stmt.type == "for_statement" else literal_len(right, self.resolver),
                              chunked=chunked(right, self.resolver),
                              batch=kind in ("while", "do") and self._batch_loop(stmt),
                              **chain_fields(stmt, kind),
                              iterable_import=self._imported(right),
                              **self._origin(stmt, right, rounds),
                              in_condition=in_condition,
                              start=stmt.start_byte, end=stmt.end_byte,
                              function=self.function_id(s.function_above(i)))
            self._frames[k] = frame
        return frame

    def _loop_tail(self, s: _Site, i: int, block: ts.Node, stmt: ts.Node) -> None:
        """A statement of a loop's body that one after it always leaves the loop (nodes.py
        leaves_after): noted as a `tail` step over the rest of the body, never `exits` (a
        `return` there may end only a callback around the loop)."""
        loop = s.above(i + 1)
        if loop is None or loop.type not in _LOOP_STATEMENTS:
            return
        k = ("tail", key(block), key(stmt))
        step = self._frames.get(k, False)
        if step is False:
            step = self._frames[k] = BranchStep(key(stmt), "tail", 0, False, stmt.start_byte, block.end_byte,
                                                True, True) if leaves_after(block, stmt) else None
        if step is not None:
            s.branches.append(step)

    def _try(self, s: _Site, stmt: ts.Node, child: ts.Node) -> None:
        if is_field(stmt, "body", child):
            s.trys.append(key(stmt))
        elif is_field(stmt, "handler", child):
            s.catches.append(key(stmt))
            # A catch that returns or throws: code after the try never follows it.
            k = ("catch", key(stmt))
            step = self._frames.get(k)
            if step is None:
                body = field(child, "body")
                step = self._frames[k] = BranchStep(key(stmt), "catch", 1, terminates(body), stmt.start_byte,
                                                    stmt.end_byte, terminates(body, loop_exits=True),
                                                    terminates(body, iteration_exits=True))
            s.branches.append(step)
        s.value_path = False

    def _branch(self, s: _Site, i: int, parent: ts.Node, child: ts.Node) -> None:
        pt = parent.type
        if pt == "if_statement":
            for arm, name in ((0, "consequence"), (1, "alternative")):
                if is_field(parent, name, child):
                    s.branches.append(self._if_arm(parent, child, arm))
            s.value_path = False
        elif pt == "switch_body":
            if child.type in ("switch_case", "switch_default"):
                s.branches.append(self._switch_arm(s, i, parent, child))
                s.value_path = False
        elif pt == "ternary_expression":
            for arm, name in ((0, "consequence"), (1, "alternative")):
                if is_field(parent, name, child):
                    s.branches.append(BranchStep(key(parent), "ternary", arm, False,
                                                 parent.start_byte, parent.end_byte))
        elif is_field(parent, "right", child) and text(field(parent, "operator")) in ("??", "||", "??=", "||="):
            # `hooks ?? await prisma.hook.findMany()`: the right runs only when the left
            # is missing, a test like an if arm's.
            t = test_of(field(parent, "left"))
            s.branches.append(BranchStep(key(parent), "nullish", 1, False, parent.start_byte,
                                         parent.end_byte, tests=(negate_test(t),) if t is not None else ()))

    def _if_arm(self, stmt: ts.Node, arm_node: ts.Node, arm: int) -> BranchStep:
        k = ("if", key(stmt), arm)
        step = self._frames.get(k)
        if step is None:
            condition = field(stmt, "condition")
            entry = arm_tests(condition, arm_node, arm)
            step = self._frames[k] = BranchStep(key(stmt), "if", arm, terminates(arm_node),
                                                stmt.start_byte, stmt.end_byte,
                                                terminates(arm_node, loop_exits=True),
                                                terminates(arm_node, iteration_exits=True),
                                                entry, after_tests(condition, arm_node, arm, entry),
                                                flushes_buffer(condition, arm_node, arm))
        return step

    def _switch_arm(self, s: _Site, i: int, body: ts.Node, case: ts.Node) -> BranchStep:
        stmt = s.above(i + 1) or body
        k = ("switch", key(stmt), key(case))
        step = self._frames.get(k)
        if step is None:
            arm = [c for c in body.named_children if c.type in ("switch_case", "switch_default")].index(case)
            step = self._frames[k] = BranchStep(key(stmt), "switch", arm, terminates(case), stmt.start_byte,
                                                stmt.end_byte, terminates(case),
                                                terminates(case, iteration_exits=True), case_tests(stmt, case))
        return step

    def _argument(self, s: _Site, i: int, child: ts.Node) -> None:
        """The site is (in) an argument of chain[i + 1]: `$transaction([…])`, `ops.push(…)`,
        `Promise.all(…)`, a wrapper given an array."""
        call = s.above(i + 1)
        if call is None or call.type != "call_expression":
            return
        obj, prop = member_call(call)
        if prop == TRANSACTION_METHOD and child.type not in FUNCTION_TYPES:
            s.tx.append(TxFrame("array", call.start_point[0] + 1))
        elif prop == "push" and s.value_path and obj is not None and obj.type == "identifier":
            if s.flows_into is None:
                s.flows_into = text(obj)
                declared = self.resolver.lookup(text(obj), obj)
                # The array may be pushed to inside a callback (`forEach`):
                # look for its $transaction where it is declared.
                s.flows_fn = enclosing(declared.node, FUNCTION_TYPES) if declared else s.function_above(i + 1)
        elif prop in _PROMISE_COMBINATORS and text(obj) == "Promise":
            s.parallel_group = s.parallel_group or key(call)
        elif child.type == "array" and prop not in ITERATION_METHODS:
            callee = field(call, "function")
            s.tx.append(TxFrame("wrapper-array", call.start_point[0] + 1,
                                callee=short(callee, 80), callee_ref=self._callee_ref(callee)))

    # -- helpers -------------------------------------------------------------------------------
    def _batch_loop(self, loop: ts.Node) -> bool:
        k = key(loop)
        if k not in self._batch_loops:
            self._batch_loops[k] = batch_loop(loop)
        return self._batch_loops[k]

    def _pushes(self, fn: ts.Node) -> dict[str, set[str]]:
        k = ("pushes", key(fn))
        if k not in self._frames:
            self._frames[k] = pushes(fn)
        return self._frames[k]

    def _first_await_end(self, fn: ts.Node) -> int:
        k = ("awaits", key(fn))
        end = self._frames.get(k)
        if end is None:
            end = self._frames[k] = first_await_end(fn)
        return end

    def _returned_from(self, s: _Site, at: int) -> int:
        """The function that returns the array a `.map` call (chain[at]) builds
        (`return xs.map(…)`, or the expression body of an arrow), or -1."""
        child, j = s.chain[at], at + 1
        parent = s.above(j)
        while parent is not None and parent.type in TRANSPARENT:
            child, j = parent, j + 1
            parent = s.above(j)
        if parent is None:
            return -1
        if parent.type == "return_statement":
            fn = s.function_above(j)
        elif parent.type in ("arrow_function",) and is_field(parent, "body", child):
            fn = parent
        else:
            return -1
        return self.function_id(fn) if fn is not None else -1

    def _origin(self, loop: ts.Node, collection: ts.Node | None, rounds: int | None = None) -> dict:
        """LoopFrame's origin fields, worked out once per loop (frames.py counted_origin)."""
        k = key(loop)
        if k not in self._origins:
            self._origins[k] = counted_origin(rounds) if rounds is not None and collection is None \
                else loop_origin(collection, self.resolver, self.function_id)
        return self._origins[k]

    def _imported(self, node: ts.Node | None) -> tuple[str, str] | None:
        """(module, name) when the iterable is an imported binding (`ROLES.map(...)`)."""
        node = object_viewed(unwrap(node))   # `Object.entries(CONFIG)`: as many as CONFIG's keys
        if node is None or node.type != "identifier":
            return None
        b = self.resolver.lookup(text(node), node)
        if b is not None and b.kind == "import" and b.module and b.imported not in (None, "*"):
            return b.module, b.imported
        return None

    def _through_first_param(self, fn: ts.Node, receiver_binding) -> bool:
        params = param_nodes(fn)
        if not params or receiver_binding is None:
            return False
        if receiver_binding.kind == "param":
            return receiver_binding.value == fn and receiver_binding.index == 0
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

