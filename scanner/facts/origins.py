"""Where a loop's collection comes from (rules.md §8, n-plus-one confidence). Rows of an
unbounded read or request input: as many rounds as production data or a caller decides. A
literal list, module constant, enum's keys or fixed-length range: a known, small number.
Anything else is unknown. The answer is a kind and a note naming the fact, for evidence."""

from __future__ import annotations

import tree_sitter as ts

from .args import object_entries, summarise_args, where_object
from .class_constants import class_constant
from .generated import prisma_module
from .operations import MODEL_OPS, ONE_ROW_OPS
from .scopes import const_binding
from .nodes import CONSTANT_NAME, field, span, text, unwrap
from .length_caps import length_cap
from .literals import longest_listed
from .written_lists import literal_in_lists
from .reaching import reaching_value

# Kinds, strongest proof first.
ROWS = "rows"            # rows of a Prisma read without `take`
INPUT = "input"          # request input (body, form data, search params)
CONSTANT = "constant"    # literal, module constant, enum, fixed-length range
BOUNDED = "bounded"      # rows of a read with `take` (how many the code does not fix)
PAGE = "page"            # rows of a read whose `take` the code fixes (a literal or constant)
CAPPED = "capped"        # a list the function rejects when longer than a few items
PINNED = "pinned"        # rows of a read without `take` whose `where` pins a field to a value
ONE_ROW = "one-row"      # a list held by one row a read returned (a relation, a JSON array)
PARAM = "param"          # a parameter of the function around the loop: its callers decide
CALL = "call"            # what a call of a repo function returns: that function's returns decide
UNKNOWN = "unknown"


# Calls that keep (a subset of) their receiver's items: the origin is the receiver's.
_KEEPS = frozenset({"filter", "map", "slice", "flat", "flatMap", "sort", "toSorted", "reverse",
                    "concat", "values", "keys", "entries", "toReversed"})
_INPUT_CALLS = frozenset({"json", "formData", "getAll"})
_INPUT_MEMBERS = frozenset({"body", "query"})
_OBJECT_KEY_VIEWS = frozenset({"Object.keys", "Object.values", "Object.entries"})
_OBJECT_VIEWS = _OBJECT_KEY_VIEWS | {"Array.from", "new Set"}


def object_viewed(node: ts.Node | None) -> ts.Node | None:
    """X of `Object.keys(X)` / `Object.values(X)` / `Object.entries(X)`, else `node` itself."""
    if node is None or node.type != "call_expression" or text(field(node, "function")) not in _OBJECT_KEY_VIEWS:
        return node
    args = field(node, "arguments")
    first = next((c for c in args.named_children if c.type != "comment"), None) if args is not None else None
    return unwrap(first) if first is not None else node


def collection_origin(node: ts.Node | None, resolver, depth: int = 0,
                      found: list | None = None) -> tuple[str, str]:
    """(kind, note) for the collection expression `node` a loop iterates. For a parameter,
    `found` receives (its function node, position, destructured key or "")."""
    node = unwrap(node)
    if node is None or depth > 8:
        return UNKNOWN, ""
    t = node.type
    line = node.start_point[0] + 1
    if t == "array":
        items = [c for c in node.named_children if c.type != "comment"]
        spread = [c for c in items if c.type == "spread_element"]
        if not spread:
            return CONSTANT, f"a literal list of {len(items)} item(s) (line {line})"
        return _spread_origin(spread, resolver, depth, found)
    if t in ("identifier", "shorthand_property_identifier"):
        return _binding_origin(node, resolver, depth, found)
    if t == "member_expression":
        obj, prop = field(node, "object"), text(field(node, "property"))
        kind, note = collection_origin(obj, resolver, depth + 1, found)
        if kind == INPUT or prop in _INPUT_MEMBERS and _request_like(obj):
            return INPUT, note if kind == INPUT else f"request input `{_short(node)}` (line {line})"
        if kind in (ROWS, BOUNDED, PAGE, PINNED):
            return kind, f"`{_short(node)}` of {note}"
        if kind == CONSTANT:
            return CONSTANT, note
        if kind == ONE_ROW and note.startswith("the row "):
            return ONE_ROW, f"`{_short(node)}`, held by {note}"
        if kind == PARAM:
            return PARAM, note
        return _static_constant(obj, prop, resolver)
    if t == "call_expression":
        return _call_origin(node, resolver, depth, found)
    if t == "subscript_expression":   # `COLUMNS[kind]` of a constant map of lists
        return _static_constant(field(node, "object"), "", resolver)
    if t == "ternary_expression":
        return _either(field(node, "consequence"), field(node, "alternative"), resolver, depth)
    if t == "binary_expression" and text(field(node, "operator")) in ("??", "||"):
        return _either(field(node, "left"), field(node, "right"), resolver, depth)
    if t == "new_expression" and text(field(node, "constructor")) == "Set":
        args = field(node, "arguments")
        return collection_origin(args.named_children[0] if args is not None and args.named_children else None,
                                 resolver, depth + 1, found)
    return UNKNOWN, ""


def loop_origin(collection: ts.Node | None, resolver, function_id) -> dict:
    """LoopFrame's origin fields for the collection a loop iterates; for a parameter, also
    (the id `function_id` gives its function, its position, its destructured key)."""
    found: list = []
    kind, note = collection_origin(collection, resolver, found=found) if collection is not None \
        else (UNKNOWN, "")
    cap = length_cap(collection, resolver) if kind not in (CONSTANT, CAPPED) else None
    if cap is not None and cap[0] <= _FEW:
        kind, note = CAPPED, f"`{_short(collection)}`, which the code rejects beyond {cap[0]} items (line {cap[1]})"
    out = {"origin": kind, "origin_note": note}
    if kind == PARAM and found:
        fn, position, name = found[-1]
        out["origin_param"] = (function_id(fn), position, name)
    if kind == CALL and found:
        out["origin_call"] = found[-1]
    return out


# The kinds this file settles (the others, PARAM and CALL, another place must), by how many
# items they can hold, fewest first: what a function returns is as large as the largest list
# any of its returns is.
SIZE_ORDER = (CONSTANT, CAPPED, ONE_ROW, PAGE, PINNED, BOUNDED, INPUT, ROWS)
_FEW = 10   # a list checked to hold at most this many items is small by construction


def returned_origin(fn: ts.Node, resolver) -> tuple[str, str] | None:
    """(kind, note) of the largest list a function returns, when its file shows where every
    one of its returns comes from (rows of a read, a page, one row's list, a constant, request
    input; an empty `[]` holds nothing and does not count); None when one is not known."""
    found = []
    for e in sorted(resolver.returned_expressions(fn), key=lambda n: n.start_byte):
        v = unwrap(e)
        if v is not None and v.type == "array" and not v.named_children:
            continue
        kind, note = collection_origin(e, resolver)
        if kind not in SIZE_ORDER:
            return None
        found.append((kind, note))
    return max(found, key=lambda k: SIZE_ORDER.index(k[0])) if found else None


def _call_origin(node: ts.Node, resolver, depth: int, found: list | None) -> tuple[str, str]:
    fn = unwrap(field(node, "function"))
    args = field(node, "arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    line = node.start_point[0] + 1
    callee = text(fn) if fn is not None else ""
    if callee in _OBJECT_VIEWS:
        if callee == "Array.from" and first is not None and unwrap(first).type == "object":
            length = next((c for c in unwrap(first).named_children if c.type == "pair"
                           and text(field(c, "key")) == "length"), None)
            if length is not None and _constant_count(unwrap(field(length, "value")), resolver, depth):
                return CONSTANT, f"a range of {text(field(length, 'value'))} (line {line})"
        return collection_origin(first, resolver, depth + 1, found)
    if fn is not None and fn.type == "identifier":
        return _called(node, fn, found)
    if fn is None or fn.type != "member_expression":
        return UNKNOWN, ""
    prop = text(field(fn, "property"))
    obj = field(fn, "object")
    if prop in _KEEPS:
        return collection_origin(obj, resolver, depth + 1, found)
    if prop in _INPUT_CALLS and _request_like(obj):
        return INPUT, f"request input `{_short(node)}` (line {line})"
    if prop in MODEL_OPS and prop in ("findMany", "groupBy"):
        owner = unwrap(obj)
        receiver = field(owner, "object") if owner is not None and owner.type == "member_expression" else None
        if receiver is not None and resolver.classify(receiver).kind in ("client", "import"):
            label = f"{_short(fn)}()"
            if _has_key(first, "take"):
                size = _fixed_take(first, resolver)
                if size is not None:
                    return PAGE, f"rows of {label} (line {line}), which has take: {size}"
                return BOUNDED, f"rows of {label} (line {line}), which has take"
            pinned = (*summarise_args(args).where_points, *_relation_pins(args)) if args is not None else ()
            if pinned:
                # One parent's rows, one account's, one status's: bounded by the filter,
                # by how much is not known here (the rule knows which fields are unique).
                lists = "".join(f", {k} in a list of {n}" for k, n in literal_in_lists(args, resolver))
                return PINNED, f"rows of {label} (line {line}), filtered on {', '.join(pinned[:3])}{lists}"
            return ROWS, f"rows of {label} (line {line}), which has no take and no filter pinning a field"
    if prop in ONE_ROW_OPS:
        owner = unwrap(obj)
        receiver = field(owner, "object") if owner is not None and owner.type == "member_expression" else None
        if receiver is not None and resolver.classify(receiver).kind in ("client", "import"):
            return ONE_ROW, f"the row {_short(fn)}() returned (line {line})"
    if prop in MODEL_OPS or prop in _KEEPS:
        return UNKNOWN, ""
    return _called(node, fn, found)


def _constant_count(value: ts.Node | None, resolver, depth: int) -> bool:
    """A count the code fixes: a number, a `const` holding one, or a constant of the module or
    of a config import (`DRAFT.RESERVE_GK`, `MAX_SLOTS`), as a loop over such a constant is."""
    if value is None:
        return False
    if value.type == "number":
        return True
    from .frames import _stated_number  # frames builds loops from this module
    if _stated_number(value, resolver) is not None:
        return True
    return value.type in ("identifier", "member_expression") \
        and collection_origin(value, resolver, depth + 1)[0] == CONSTANT


def _spread_origin(spread: list, resolver, depth: int, found: list | None) -> tuple[str, str]:
    """A list literal with spreads (`[first, ...rest.slice(0, 3)]`, `[...DEFAULTS, ...rows]`)
    holds at least as many items as its largest part: one this file settles as unbounded (rows
    of an unbounded read, request input) decides; else a part another place must settle (a
    parameter, a call's result) or an unknown one, the first such; else the largest."""
    parts = []
    for s in spread:
        own: list = []
        parts.append((*collection_origin(s.named_children[0] if s.named_children else None,
                                         resolver, depth + 1, own), own))
    settled = [p for p in parts if p[0] in SIZE_ORDER]
    largest = max(settled, key=lambda p: SIZE_ORDER.index(p[0])) if settled else None
    open_ = [p for p in parts if p[0] not in SIZE_ORDER]
    kind, note, own = largest if largest is not None and (largest[0] in (INPUT, ROWS) or not open_) else open_[0]
    if found is not None:
        found.extend(own)
    return kind, note


def _called(node: ts.Node, fn: ts.Node, found: list | None) -> tuple[str, str]:
    """A call of a function (`loadItems(id)`, `this.repo.list()`): its returns decide, if it
    is one the scan has (the call site's span finds it)."""
    if found is not None:
        s = span(node)
        found.append((s.line, s.column))
    return CALL, f"what {_short(fn)}() returns (line {node.start_point[0] + 1})"


def _either(a: ts.Node | None, b: ts.Node | None, resolver, depth: int) -> tuple[str, str]:
    """The origin of a list that is one of two (`module ? [module] : ALL_MODULES`,
    `Array.isArray(body) ? body : [body]`, `ids ?? []`): constant when both are; the rows of an
    unbounded read or request input when one arm is that and the other constant or unbounded
    too; otherwise unknown. (Taking any other origin of one arm, `job.assemblies || []` as one
    row's list or a parameter's callers, moved 4 FALSE to high and 3 TRUE to low on the tuning
    labels.)"""
    (ka, na), (kb, nb) = (_arm_origin(x, resolver, depth) for x in (a, b))
    if ka == CONSTANT and kb == CONSTANT:
        return CONSTANT, f"{na} or {nb}"
    proven = [(k, n) for k, n in ((ka, na), (kb, nb)) if k in (ROWS, INPUT)]
    if proven and all(k in (ROWS, INPUT, CONSTANT) for k in (ka, kb)):
        return proven[0]
    return UNKNOWN, ""


def _arm_origin(node: ts.Node | None, resolver, depth: int) -> tuple[str, str]:
    """An arm of `_either`; `undefined` or `null` holds no list at all (`offset ? [offset] :
    undefined` hands a callee one item or lets its default decide)."""
    node = unwrap(node)
    if node is not None and node.type in ("undefined", "null"):
        return CONSTANT, f"no list (`{node.type}`)"
    return collection_origin(node, resolver, depth + 1)


def _binding_origin(node: ts.Node, resolver, depth: int, found: list | None) -> tuple[str, str]:
    name = text(node)
    b = resolver.lookup(name, node)
    if b is None:
        decl = resolver.types.declaration(name)
        if decl is not None and decl.type == "enum_declaration":
            return CONSTANT, f"the enum {name}"
        return UNKNOWN, ""
    if b.kind == "import":
        if name.isupper() or (b.imported or "").isupper():
            return CONSTANT, f"the imported constant {name}"
        if prisma_module(b.module or ""):
            # The values the generated client exports are the schema's enums (`Role`,
            # `$Enums.Role`) and constant namespaces (`Prisma.ModelName`): fixed by the schema.
            return CONSTANT, f"{name} from the generated Prisma client (an enum of the schema)"
        return UNKNOWN, ""
    if b.kind == "var" and not b.path and (reached := reaching_value(node, name, b.node)) is not None:
        return collection_origin(reached, resolver, depth + 1, found)  # `let xs; … xs = [a]; for (x of xs)`
    if b.kind == "var" and b.value is not None:
        value = unwrap(b.value)
        if not b.path and value is not None and value.type == "array" \
                and not any(c.type == "spread_element" for c in value.named_children):
            from .frames import counted_rounds, literal_len  # frames builds loops from this module
            n = literal_len(node, resolver)
            if n:
                return CONSTANT, f"the constant list {name} of {n} item(s)"
            # `const rows = []` filled later is a collection, not a constant list, unless it
            # is filled one item per round of a loop over a constant one, or by pushes
            # written out one by one.
            from .filled_lists import filled_from_constant
            source = filled_from_constant(name, b.node, lambda c: collection_origin(c, resolver, depth + 1)[0],
                                          lambda loop: counted_rounds(loop, resolver)) \
                if not value.named_children else None
            return (CONSTANT, f"`{name}`, filled {source}") if source else (UNKNOWN, "")
        decl = b.node.parent
        module_level = decl is not None and decl.parent is not None \
            and decl.parent.type in ("program", "export_statement")
        kind, note = collection_origin(b.value, resolver, depth + 1, found)
        if b.path and kind in (ROWS, BOUNDED, PAGE, PINNED, INPUT):
            return kind, f"`{name}` of {note}"
        if b.path and kind == ONE_ROW and note.startswith("the row "):
            return ONE_ROW, f"`{name}`, held by {note}"
        if b.path:
            return UNKNOWN, ""
        if kind == UNKNOWN and module_level and any(c.type == "const" for c in decl.children) \
                and unwrap(b.value) is not None and unwrap(b.value).type == "object":
            return CONSTANT, f"the module constant {name}"
        return kind, note
    if b.kind == "loop" and b.node.type == "for_in_statement" and any(c.type == "of" for c in b.node.children):
        # An item of a constant list, and what it holds (`for (const rule of DEFAULT_RULES)`
        # then `rule.lines`): written in the same literal, as fixed as the list.
        kind, note = collection_origin(field(b.node, "right"), resolver, depth + 1)
        return (CONSTANT, f"`{name}`, an item of {note}") if kind == CONSTANT else (UNKNOWN, "")
    if b.kind == "param":
        if found is not None and b.value is not None:
            found.append((b.value, b.index, b.path[0] if b.path else ""))
        return PARAM, f"the parameter `{name}`" + (f" (`{'.'.join(b.path)}` of argument {b.index + 1})" if b.path else "")
    return UNKNOWN, ""


def _static_constant(obj: ts.Node | None, prop: str, resolver) -> tuple[str, str]:
    """A class's constant (class_constants.py), fixed like a module constant, or a list of a
    `const` map of literal lists (`columnMap.custom`, `columnMap[kind]`)."""
    obj = unwrap(obj)
    b = resolver.lookup(text(obj), obj) if obj is not None and obj.type == "identifier" else None
    n = longest_listed(unwrap(b.value)) if b is not None and b.kind == "var" and not b.path \
        and b.node.parent is not None and any(c.type == "const" for c in b.node.parent.children) else None
    if n is not None:
        return CONSTANT, f"a list of the constant map {text(obj)} ({n} item(s) at most)"
    note = class_constant(obj, prop, resolver)
    return (CONSTANT, note) if note is not None else (UNKNOWN, "")


def _relation_pins(args: ts.Node) -> list[str]:
    """`members: { some: { userId } }`, `owner: { is: { id } }`: rows related to a row the
    filter names by a value, one user's organisations: a pin as much as `userId: id` is."""
    where = where_object(args)
    out = []
    for name, value, spread in object_entries(where) if where is not None else ():
        v = unwrap(value)
        if spread or name in ("AND", "OR", "NOT") or v is None or v.type != "object":
            continue
        for op, inner, _ in object_entries(v):
            iv = unwrap(inner)
            if op not in ("some", "is") or iv is None or iv.type != "object":
                continue
            out += [f"{name}.{k}" for k, kv, sp in object_entries(iv)
                    if not sp and (kv is None or unwrap(kv) is not None and unwrap(kv).type in _PLAIN)]
    return out


_PLAIN = frozenset({"identifier", "member_expression", "string", "number"})


def _request_like(node: ts.Node | None) -> bool:
    """`req`, `request`, `ctx.req`, `c.req`: the request object of a handler."""
    chain = text(unwrap(node)) if node is not None else ""
    last = chain.split(".")[-1]
    return last in ("req", "request") or chain.endswith("searchParams")


def _fixed_take(arg: ts.Node | None, resolver) -> str | None:
    """The page size when the code fixes it: `take: 50`, `take: BATCH_SIZE`, or a `const`
    bound to a number; None when a variable (a caller's, the request's) decides it."""
    arg = unwrap(arg)
    for c in arg.named_children if arg is not None else ():
        if c.type != "pair" or text(field(c, "key")) != "take":
            continue
        v = unwrap(field(c, "value"))
        if v is None:
            return None
        if v.type == "number" or v.type == "unary_expression" and text(v).lstrip("-").isdigit():
            return text(v)
        if v.type == "identifier":
            if CONSTANT_NAME.fullmatch(text(v)):
                return text(v)
            b = const_binding(resolver.lookup(text(v), v))
            init = unwrap(b.value) if b is not None else None
            if init is not None and init.type == "number":
                return f"{text(v)} = {text(init)}"
        return None
    return None


def _has_key(arg: ts.Node | None, key: str) -> bool:
    arg = unwrap(arg)
    if arg is None or arg.type != "object":
        return False
    # A spread may carry it: not proven either way, so not counted as unbounded.
    return any(c.type == "pair" and text(field(c, "key")) == key
               or c.type == "shorthand_property_identifier" and text(c) == key
               or c.type == "spread_element"
               for c in arg.named_children)


def _short(node: ts.Node) -> str:
    s = " ".join(text(node).split())
    return s if len(s) <= 60 else s[:57] + "…"
