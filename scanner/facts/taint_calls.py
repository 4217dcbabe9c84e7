"""Calls in the taint analysis (taint.py): tainted arguments handed to same-file
helpers (their parameters are seeded) or to other files' functions (`handed`),
and validators that stop the flow."""

from __future__ import annotations

from dataclasses import replace

import tree_sitter as ts

from .model import (
    HandedInput, TaintStep,
)
from .nodes import (
    FUNCTION_TYPES, LOOP_TYPES, field, param_nodes, param_pattern, short, span, text,
)
from .validation import schema_origin
from .taint_values import (
    _PARSERS, _VALIDATE_METHODS, _VALIDATE_METHODS_YUP_JOI, Taint, _handed_names, _line, _pattern_names,
    _statement_or_test, _unwrap,
)

# What every object has: calling one of these proves nothing about the value's type.
_OBJECT_METHODS = frozenset({"toString", "valueOf", "hasOwnProperty", "isPrototypeOf",
                             "propertyIsEnumerable", "toLocaleString"})


def _hmac_update(fn: ts.Node) -> bool:
    """`createHmac(alg, secret).update(value)`: the value is signed with a secret, the way a
    webhook handler checks that the raw body came from the key holder (then compares the
    digest with the request's signature)."""
    if fn.type != "member_expression" or text(field(fn, "property")) != "update":
        return False
    obj = _unwrap(field(fn, "object"))
    callee = field(obj, "function") if obj is not None and obj.type == "call_expression" else None
    return callee is not None and text(callee).rsplit(".", 1)[-1] == "createHmac"


# Where code may not run, or may run while a failure before it was swallowed.
_CONDITIONAL = frozenset({"if_statement", "else_clause", "switch_case", "switch_default", "ternary_expression",
                          "binary_expression", "try_statement", "catch_clause", *LOOP_TYPES})


def _awaited_on_every_path(call: ts.Node) -> bool:
    """The call's promise is awaited where it is made (`await prisma.x.findUnique(…)`), on
    every path through its function: in no branch, loop or try."""
    n = call.parent
    while n is not None and n.type in ("parenthesized_expression", "as_expression", "non_null_expression"):
        n = n.parent
    if n is None or n.type != "await_expression":
        return False
    while n is not None and n.type not in FUNCTION_TYPES:
        if n.type in _CONDITIONAL:
            return False
        n = n.parent
    return True


def _fixed_filter(entry: ts.Node) -> bool:
    """An entry of a unique lookup's `where` that cannot be its unique field: a boolean or null
    (`isActive: true`) or a filter object (`seats: { gt: 0 }`; a unique field takes only a
    plain value). The one entry left beside them is the unique field."""
    v = _unwrap(field(entry, "value")) if entry.type == "pair" else None
    return v is not None and v.type in ("true", "false", "null", "object")


def _type_assertion(args: ts.Node) -> bool:
    """`invariant(typeof id === 'string')`, `assert(typeof n == "number", …)` as a statement: a
    call whose first argument compares a `typeof` with a type's name asserts that type (it
    throws otherwise), as an `if` test that returns does."""
    first = _unwrap(args.named_children[0]) if args.named_children else None
    if first is None or first.type != "binary_expression" or text(field(first, "operator")) not in ("===", "=="):
        return False
    sides = [_unwrap(field(first, k)) for k in ("left", "right")]
    return any(s is not None and s.type == "unary_expression" and text(field(s, "operator")) == "typeof"
               for s in sides) and any(s is not None and s.type == "string" for s in sides)


class TaintCalls:
    def _on_call(self, call: ts.Node, _) -> None:
        """Same-file helpers get the taint of their arguments; calls that take a tainted
        value as a statement or an `if` test are recorded as checks on it."""
        fn = field(call, "function")
        args = field(call, "arguments")
        if fn is None or args is None or args.type != "arguments":
            return
        helper = self._local_function(fn)
        validator = self._is_validator(call)
        signed = _hmac_update(fn)
        guard = validator or signed or _statement_or_test(call)
        name = "signature:createHmac" if signed else short(fn, 60)
        if guard and not validator and _type_assertion(args):
            self._guards_in_test(args.named_children[0])  # `invariant(typeof id === 'string')`
        if helper is None and not validator and self.mode == "request" and self._imported_callee(fn):
            for i, a in enumerate(c for c in args.named_children if c.type != "comment"):
                self._hand(call, i, a, name)
        for i, a in enumerate(args.named_children):
            if helper is not None and not self._seed_properties(helper, i, a, call, name):
                t = self.eval(a)
                if t is not None:
                    self._seed_parameter(helper, i, t.then(_line(call), f"passed to {name}()", check=name))
            if guard:
                self._note_member_check(a, name)
                for u in _handed_names(a):
                    bk = self._binding_key(text(u), u)
                    if bk is not None:
                        self._add_check(bk, ("schema:" if validator else "") + name, repeat=True)

    # -- checks of one member (`body.email`) of a tainted object -------------------------
    def _note_member_check(self, node: ts.Node | None, check: str) -> None:
        """`isEmail(body.email)`, `ROLES.includes(body.role)` in a test or as a statement: that
        member of the tainted `body` is checked from here on (its siblings are not)."""
        member = self._member_key(node)
        if member is not None and member[0] in self.state:
            self.member_checks.setdefault(member, check)

    def _member_key(self, node: ts.Node | None) -> tuple[tuple, str] | None:
        """(binding key, property) of `body.email` whose object is a bound identifier."""
        u = _unwrap(node)
        obj = _unwrap(field(u, "object")) if u is not None and u.type == "member_expression" else None
        bk = self._binding_key(text(obj), obj) if obj is not None and obj.type == "identifier" else None
        return (bk, text(field(u, "property"))) if bk is not None else None

    def _check_binding(self, ident: ts.Node | None, check: str) -> None:
        """Record `check` on the taint of the binding an identifier names (once)."""
        bk = self._binding_key(text(ident), ident) \
            if ident is not None and ident.type in ("identifier", "shorthand_property_identifier") else None
        if bk is not None:
            self._add_check(bk, check)

    def _note_copy(self, bk: tuple, taint: Taint | None, value: ts.Node | None) -> None:
        """Binding `bk` is assigned `value`: a plain copy of a tainted name (`b = a`) holds the
        same value as it; a name assigned again holds another, no copy nor copied any more."""
        if self.copies:   # (every declaration and assignment comes here; most files copy nothing)
            self.copies = {k: o for k, o in self.copies.items() if bk not in (k, o)}
        source = _unwrap(value)
        origin = self._binding_key(text(source), source) \
            if taint is not None and source is not None and source.type == "identifier" else None
        if origin is not None and origin in self.state:
            self.copies[bk] = self.copies.get(origin, origin)

    def _add_check(self, bk: tuple, check: str, repeat: bool = False) -> None:
        """Record `check` on a binding's taint, and on every binding holding the same value:
        after `societeId = recordId`, `canAccess(societeId)` checks `recordId` too (a plain copy
        is the same string or the same object, until either name is assigned again)."""
        origin = self.copies.get(bk, bk)
        for b in {bk, origin, *(k for k, o in self.copies.items() if o == origin)}:
            t = self.state.get(b)
            if t is not None and (repeat or check not in t.checks):
                self.state[b] = replace(t, checks=t.checks + (check,))

    def _guards_in_test(self, test: ts.Node) -> None:
        """In an `if` test: `typeof x` checks `x` to be a primitive (a string or a number cannot
        carry a Prisma filter object), `typeof body.x` that member; `key in DEFAULTS` the key (only
        one the object holds passes); a member handed to a call
        (`ROLES.includes(body.role)`) is checked by it; and a method called on a member
        (`body.department.trim()`, `isbn?.trim()`, `body.tags.includes(t)`) proves it no plain object, since a
        JSON value has no such method unless it is a string or an array: an object throws
        there, before any query, so no filter object gets past the test."""
        stack = [test]
        while stack:
            n = stack.pop()
            if n.type in FUNCTION_TYPES:
                continue
            if n.type == "unary_expression" and text(field(n, "operator")) == "typeof":
                arg = _unwrap(field(n, "argument"))
                self._check_binding(arg if arg is not None and arg.type == "identifier" else None, "typeof")
                self._note_member_check(arg, "typeof")
                continue
            if n.type == "binary_expression" and text(field(n, "operator")) == "in":
                # `key in SITE_DEFAULTS`: only a key the object holds passes (an object as the
                # key reads as "[object Object]", which none is).
                arg, check = _unwrap(field(n, "left")), f"in {short(field(n, 'right'), 50)}"
                self._check_binding(arg if arg is not None and arg.type == "identifier" else None, check)
                self._note_member_check(arg, check)
                continue
            if n.type == "call_expression" and field(n, "function") is not None:
                callee = field(n, "function")
                for a in field(n, "arguments").named_children if field(n, "arguments") is not None else ():
                    self._note_member_check(a, short(callee, 60))
                if callee.type == "member_expression" and text(field(callee, "property")) not in _OBJECT_METHODS:
                    obj = _unwrap(field(callee, "object"))
                    # (`isbn?.trim()` of a destructured name: the binding itself.)
                    self._check_binding(obj if obj is not None and obj.type == "identifier" else None,
                                        short(callee, 60))
                    self._note_member_check(obj, short(callee, 60))
            stack.extend(n.named_children)

    def _looked_up(self, args: ts.Node, call: ts.Node) -> None:
        """`await prisma.plan.findUnique({ where: { id: planId } })`: a `where` of one field is a
        unique field, which takes only a plain value, so past this call `planId` (or
        `body.planId`) is no filter object: Prisma rejected one there, before any later query.
        The fields of a compound unique (`userId_planId: { userId, planId }`) are so too."""
        where = next((_unwrap(field(c, "value")) for c in args.named_children
                      if c.type == "pair" and text(field(c, "key")).strip("'\"") == "where"), None)
        if where is None or where.type != "object":
            return
        entries = [c for c in where.named_children if c.type != "comment" and not _fixed_filter(c)]
        # A compound unique (`userId_chapterId: { userId, chapterId }`), alone beside fixed
        # filters: each of its fields takes only a plain value too.
        compound = [v for c in where.named_children if c.type == "pair" and "_" in text(field(c, "key"))
                    and (v := _unwrap(field(c, "value"))) is not None and v.type == "object"]
        if not entries and len(compound) == 1:
            parts = [_unwrap(field(c, "value")) if c.type == "pair" else c for c in compound[0].named_children
                     if c.type in ("pair", "shorthand_property_identifier")]
        elif len(entries) == 1 and entries[0].type in ("pair", "shorthand_property_identifier"):
            parts = [_unwrap(field(entries[0], "value")) if entries[0].type == "pair" else entries[0]]
        else:
            return
        check = short(field(call, "function"), 60)
        for part in parts:
            self._check_binding(part, check)
            self._note_member_check(part, check)

    def _member_checked(self, node: ts.Node) -> Taint | None:
        """The taint of `body.x` when that member was checked before (see _note_member_check)."""
        member = self._member_key(node)
        check = self.member_checks.get(member) if member is not None else None
        t = self.state.get(member[0]) if check is not None else None
        if t is None:
            return None
        return t.then(_line(node), f"{short(node, 40)}, checked by {check}", whole=False, check=check)

    def _imported_callee(self, callee: ts.Node) -> bool:
        """`createUser(…)` or `users.create(…)` bound to an import: a function of another
        file, whose own facts say where its parameters go."""
        root = field(callee, "object") if callee.type == "member_expression" else callee
        if root is None or root.type != "identifier":
            return False
        b = self.resolver.lookup(text(root), root)
        return b is not None and b.kind == "import"

    def _hand(self, call: ts.Node, index: int, arg: ts.Node, name: str) -> None:
        """Record request input handed to another file's function: per property of an
        object-literal argument (`createUser({ email, name })`), else the whole argument."""
        obj = _unwrap(arg)
        parts: list[tuple[str, ts.Node]] = []
        if obj is not None and obj.type == "object":
            for c in obj.named_children:
                if c.type == "pair" and field(c, "key") is not None and field(c, "value") is not None:
                    parts.append((text(field(c, "key")).strip("'\""), field(c, "value")))
                elif c.type == "shorthand_property_identifier":
                    parts.append((text(c), c))
                elif c.type == "spread_element":
                    parts.append(("", c))  # `{ ...body, userId }`: the payload is the argument
        else:
            parts.append(("", arg))
        for prop, value in parts:
            t = self.eval(value)
            if t is None:
                continue
            h = HandedInput(t.source, span(call), index, prop, t.whole and not prop, t.coerced,
                            t.steps + (TaintStep(_line(call), f"passed to {name}()"),), t.function,
                            self._checks(t))
            k = (h.span, index, prop)
            old = self.handed.get(k)
            if old is None or (h.whole, not h.coerced) > (old.whole, not old.coerced):
                self.handed[k] = h

    def _seed_properties(self, fn: ts.Node, index: int, arg: ts.Node, call: ts.Node, name: str) -> bool:
        """`helper({ accountId, status })` into `function helper({ accountId, status })`:
        each destructured name gets the taint of its own property, so a value from the
        session beside one from the request stays clean. False when the argument is no
        plain object literal or the parameter no object pattern (then the whole value counts)."""
        obj = _unwrap(arg)
        params = param_nodes(fn)
        if obj is None or obj.type != "object" or index >= len(params):
            return False
        pattern = param_pattern(params[index])
        if pattern is None or pattern.type != "object_pattern":
            return False
        props: dict[str, ts.Node] = {}
        for c in obj.named_children:
            if c.type == "pair" and field(c, "key") is not None and field(c, "value") is not None:
                props[text(field(c, "key")).strip("'\"")] = field(c, "value")
            elif c.type == "shorthand_property_identifier":
                props[text(c)] = c
            elif c.type != "comment":
                return False  # a spread or a method: the names cannot be matched one by one
        body = field(fn, "body") or fn
        for n, path, at in _pattern_names(pattern):
            value = props.get(path[0]) if path and path[0] != "..." else None
            t = self.eval(value) if value is not None else None
            if t is None:
                continue
            t = t.then(_line(call), f"passed to {name}()", check=name)
            seeded = t if len(path) == 1 else t.then(_line(at), f"{{ {n} }}", whole=False)
            bk = self._binding_key(n, body)
            old = self.seeds.get(bk) if bk is not None else None
            if bk is not None and (old is None or seeded.rank() > old.rank()):
                self.seeds[bk] = seeded
        return True

    def _seed_parameter(self, fn: ts.Node, index: int, t: Taint) -> None:
        params = param_nodes(fn)
        if index >= len(params):
            return
        body = field(fn, "body") or fn
        for n, path, at in _pattern_names(param_pattern(params[index])):
            bk = self._binding_key(n, body)
            if bk is None:
                continue
            seeded = t if not path or path == ("...",) else t.then(_line(at), f"{{ {n} }}", whole=False)
            old = self.seeds.get(bk)
            if old is None or seeded.rank() > old.rank():
                self.seeds[bk] = seeded

    def _local_function(self, callee: ts.Node) -> ts.Node | None:
        if callee.type != "identifier":
            return None
        b = self.resolver.lookup(text(callee), callee)
        if b is None:
            return None
        if b.kind == "function":
            return b.node
        if b.kind == "var" and not b.path:
            v = _unwrap(b.value)
            if v is not None and v.type in FUNCTION_TYPES:
                return v
        return None

    def _is_validator(self, call: ts.Node) -> bool:
        fn = field(call, "function")
        if fn is None or fn.type != "member_expression":
            return False
        method = text(field(fn, "property"))
        if method not in _VALIDATE_METHODS and method not in _VALIDATE_METHODS_YUP_JOI:
            return False
        origin, module = schema_origin(self.resolver, field(fn, "object"))
        if method in _VALIDATE_METHODS_YUP_JOI:
            return origin == "import" and module in ("yup", "joi") or origin == "local" and self.schema_file
        if origin == "zod":
            return True
        if origin == "import":
            return module not in _PARSERS
        return origin == "local" and self.schema_file

    # -- sinks ----------------------------------------------------------------------
