"""Where a value spliced into raw SQL comes from: a parameter of an enclosing function
(its callers decide it), or values computed where the SQL is built (constants,
configuration, rows read from the database). raw-sql-injection grades by it (rules.md §8)."""

from __future__ import annotations

import tree_sitter as ts

from .model import ITERATION_METHODS
from .operations import READ_OPS
from .nodes import FUNCTION_TYPES, class_method, field, inline_argument, text, unwrap
from .scopes import Resolver


def _own_uses(b, resolver: Resolver, keep):
    """The identifiers `keep` accepts that name variable `b` itself, not a shadowing binding
    of the same name (`keep` first: it is cheaper than the lookup)."""
    for ident in resolver.identifiers_named(b.name):
        if keep(ident):
            other = resolver.lookup(b.name, ident)
            if other is not None and other.node == b.node:
                yield ident


def assignments(b, resolver: Resolver) -> list[ts.Node]:
    """The assignments (`x = …`, `x += …`) to variable `b` itself, not to a shadowing
    binding of the same name."""
    return [ident.parent for ident in _own_uses(b, resolver, lambda i: i.parent is not None and i.parent.type in (
        "assignment_expression", "augmented_assignment_expression") and field(i.parent, "left") == i)]


def values_of(b, resolver: Resolver) -> list[ts.Node]:
    """What a variable may hold: its initialiser, for a `let` every value assigned to it, and
    for an array what is pushed into it (`parts.push(`name = '${v}'`)`)."""
    out = [b.value] if b.value is not None else []
    if b.value is not None and unwrap(b.value) is not None and unwrap(b.value).type == "array":
        out += pushed(b, resolver)
    decl = b.node.parent
    if decl is None or any(c.type == "const" for c in decl.children):
        return out
    return out + [field(a, "right") for a in assignments(b, resolver)]


# Array methods that read an array without putting anything into it.
_ARRAY_READS = frozenset({"length", "join", "map", "forEach", "filter", "some", "every", "includes",
                          "indexOf", "slice", "at", "find", "reduce", "entries", "keys", "values"})


def array_only_holds(b, resolver: Resolver, accepts) -> bool:
    """An array variable created from items `accepts` takes and given only such items
    (`parts.push('deadline > NOW()')`), never handed elsewhere or written by index: every
    other use of the name reads it (`parts.length`, `parts.join(' OR ')`)."""
    value = unwrap(b.value) if b is not None and b.kind == "var" and not b.path else None
    if value is None or value.type != "array":
        return False
    declared = field(b.node, "name")
    for use in _own_uses(b, resolver, lambda i: i != declared):
        method = _method_of(use)
        if method not in _ARRAY_READS and method not in _ADDS:
            return False
    return all(accepts(v) for v in [*value.named_children, *pushed(b, resolver)])


_ADDS = ("push", "unshift")


def _method_of(ident: ts.Node) -> str | None:
    """`push` of `parts.push(…)`: the member read on the identifier, None when it is used otherwise."""
    member = ident.parent
    if member is None or member.type != "member_expression" or field(member, "object") != ident:
        return None
    return text(field(member, "property"))


def pushed(b, resolver: Resolver) -> list[ts.Node]:
    """The arguments of `name.push(…)` / `name.unshift(…)` calls on the variable itself."""
    out = []
    for ident in _own_uses(b, resolver, lambda i: _method_of(i) in _ADDS and i.parent.parent is not None):
        args = field(ident.parent.parent, "arguments")
        if args is not None:
            out += [a for a in args.named_children if a.type != "comment"]
    return out


# Methods whose callback's first parameter is an item of the object they are called on.
_ITEM_CALLBACKS = ITERATION_METHODS | {"findLast", "sort"}


def _remembered(b, resolver: Resolver, depth: int, found: list | None, strict: bool, memo: dict) -> bool:
    """`_binding_from_parameter` once per binding (a file's call sites ask about the same
    variables again and again); a binding met again while it is being walked (a cycle of
    assignments) reads as not from a parameter."""
    k = (b.node.id, b.name)
    got = memo.get(k)
    if got is None:
        memo[k] = (False, ())
        sub: list = []
        # (Each parameter once: a binding whose values name another twice, `x = a + a`, would
        # otherwise double its list at every step of a chain of assignments.)
        got = memo[k] = (_binding_from_parameter(b, resolver, depth, sub, strict, memo), tuple(dict.fromkeys(sub)))
    if found is not None:
        found.extend(p for p in got[1] if p not in found)
    return got[0]


def _binding_from_parameter(b, resolver: Resolver, depth: int, found: list | None, strict: bool,
                            memo: dict | None = None, unsafe=None) -> bool:
    if b.kind == "var":
        # A list, not a generator: with `found`, every value is walked for its parameters.
        values = values_of(b, resolver)
        parts = [p for v in values for p in unsafe(v)] if unsafe else values
        return any([from_parameter(v, resolver, depth + 1, found, strict, memo, unsafe) for v in parts])
    if b.kind == "loop":     # `for (const x of xs)`: what `xs` is
        return from_parameter(field(b.node, "right"), resolver, depth + 1, found, strict, memo, unsafe)
    if b.kind != "param":
        return False
    fn = b.value
    inline = inline_argument(fn)
    if inline is None:
        if found is not None:
            found.append((fn, b.index))
        return True          # a named function's parameter: its callers decide it
    # An inline callback's parameter: `rows.map((r) => …)` takes it from `rows`, and a
    # method's callback (`prisma.$transaction(async (tx) => …)`) from that object; a wrapped
    # function's (`cache(async (id) => …)`) from the wrapper's callers.
    # `strict`: only an item callback's parameter comes from its object; a route's or a
    # procedure's handler (`router.post(p, async (req) => …)`) is given what the framework passes.
    callee = inline[1]
    if callee is None or callee.type != "member_expression" \
            or (strict and text(field(callee, "property")) not in _ITEM_CALLBACKS):
        if found is not None:
            found.append((None, -1))  # the wrapper's callers decide it, at no known position
        return True
    return from_parameter(field(callee, "object"), resolver, depth + 1, found, strict, memo, unsafe)


def local_function(call: ts.Node, resolver: Resolver) -> ts.Node | None:
    """The function of this file a call runs: `getColumn(kind)`, `this.tableFor(kind)`."""
    fn = unwrap(field(call, "function"))
    if fn is not None and fn.type == "identifier":
        b = resolver.lookup(text(fn), fn)
        if b is not None and b.kind == "function":
            return b.node
        if b is not None and b.kind == "var" and not b.path and b.value is not None \
                and unwrap(b.value) is not None and unwrap(b.value).type in FUNCTION_TYPES:
            return unwrap(b.value)
    elif fn is not None and fn.type == "member_expression" \
            and unwrap(field(fn, "object")) is not None and unwrap(field(fn, "object")).type == "this":
        return class_method(fn, text(field(fn, "property")))
    return None


def _passed_on(call: ts.Node, resolver: Resolver, depth: int, unsafe) -> list[ts.Node] | None:
    """The arguments of a call of a function of this file that reach what it returns, for
    `unsafe` (the parts of a returned value that matter: for SQL text, those not proven
    constant or numeric): `filterFor(type)` whose every return is a literal passes on
    nothing of `type`, though it branches on it. None: not a local function, or a spread."""
    target = local_function(call, resolver)
    args = field(call, "arguments")
    if target is None or args is None or depth > 4 \
            or any(a.type == "spread_element" for a in args.named_children):
        return None
    found: list = []
    for r in resolver.returned_expressions(target):
        for part in unsafe(r):
            from_parameter(part, resolver, depth + 1, found, False, None, unsafe)
    reached = {i for fn, i in found if fn == target}
    return [a for i, a in enumerate(c for c in args.named_children if c.type != "comment") if i in reached]


def from_parameter(node: ts.Node | None, resolver: Resolver, depth: int = 0, found: list | None = None,
                   strict: bool = False, memo: dict | None = None, unsafe=None) -> bool:
    """Whether a name in the expression is, or is computed from, a function parameter
    (through local variables, destructuring and loops over them). Property names and
    `this.x` are not names. `found` collects (function node, parameter position) of each
    such parameter, (None, -1) where no position says it. `strict`: a callback's parameter
    counts as computed from the callback's object only for item callbacks (`rows.map(r => …)`).
    `memo` (one per file) walks each binding once, without the depth limit. `unsafe`
    (without `memo`): follow a call of a function of this file through what it returns,
    keeping what `unsafe` keeps of each return (`_passed_on`), not through every argument."""
    node = unwrap(node)
    if node is None or depth > (6 if memo is None else 200):
        return False
    stack = [node]
    hit = False
    while stack:
        n = stack.pop()
        t = n.type  # each read builds a new string: once a node
        if t in _NOT_NAMES:
            continue
        if t in ("identifier", "shorthand_property_identifier"):
            b = resolver.lookup(text(n), n)
            if b is not None and (_remembered(b, resolver, depth, found, strict, memo) if memo is not None
                                  else _binding_from_parameter(b, resolver, depth, found, strict, None, unsafe)):
                hit = True
                if found is None:
                    return True
            continue
        if t in FUNCTION_TYPES or t == "call_expression" and _database_read(n):
            continue
        passed = _passed_on(n, resolver, depth, unsafe) if unsafe and t == "call_expression" else None
        stack += passed if passed is not None else n.named_children  # _NOT_NAMES skipped as popped
    return hit


def _database_read(call: ts.Node) -> bool:
    """`prisma.project.findUnique({ where: { slug } })`: what it returns is rows the database
    holds (ids it generated, stored fields), not the arguments that chose them."""
    callee = field(call, "function")
    return callee is not None and callee.type == "member_expression" \
        and text(field(callee, "property")) in READ_OPS \
        and field(callee, "object") is not None and field(callee, "object").type == "member_expression"


# Children that name nothing: property names and comments.
_NOT_NAMES = frozenset({"property_identifier", "comment"})


def parameter_positions(values: list[ts.Node], found: list) -> tuple[int, ...]:
    """The positions of the parameters of the function around the SQL that `values` are
    computed from (`found`: what `from_parameter` collected for them), when every such value
    comes from one of them; () otherwise (a closure's parameter, which no argument list of a
    caller shows). SQL in a callback written inline (`tables.map(async (t) => …${t}…)`, each
    function up from it an argument of a call) runs in one execution of the function it is
    written in, whose callers decide `tables`: positions of that function's parameters
    (index.owner's function: the rule asks its callers)."""
    if not values or not found:
        return ()
    around = values[0].parent
    while around is not None and around.type not in FUNCTION_TYPES:
        around = around.parent
    while around is not None and any(fn is not None and fn != around for fn, _ in found) \
            and inline_argument(around) is not None:
        around = around.parent
        while around is not None and around.type not in FUNCTION_TYPES:
            around = around.parent
    return positions_in(around, found)


def positions_in(around: ts.Node | None, found: list) -> tuple[int, ...]:
    """`parameter_positions` of values written in function `around` (found by the caller,
    who may know it without climbing `Node.parent`)."""
    if not found or around is None or any(fn is None or fn != around for fn, _ in found):
        return ()
    return tuple(sorted({i for _, i in found}))
