"""Summaries of a Prisma operation's argument: which keys a literal object
argument holds, the fields its `where`/`orderBy`/`data` name, nested writes,
and (raw_sql.py) for raw calls how the SQL text is built."""

from __future__ import annotations


import tree_sitter as ts

from .model import ArgSummary
from .nodes import CONSTANT_NAME, field, text, unwrap

FILTER_OPERATORS = frozenset({
    "equals", "in", "notIn", "lt", "lte", "gt", "gte", "contains", "startsWith", "endsWith",
    "not", "mode", "search", "has", "hasEvery", "hasSome", "isEmpty", "path",
    "string_contains", "string_starts_with", "string_ends_with", "array_contains",
})
RELATION_FILTERS = frozenset({"some", "every", "none", "is", "isNot"})
# Tests a plain B-tree index cannot serve: substring, full-text, case-insensitive,
# scalar-list and JSON filters.
PATTERN_OPERATORS = frozenset({
    "contains", "endsWith", "search", "mode", "has", "hasEvery", "hasSome", "isEmpty", "path",
    "string_contains", "string_starts_with", "string_ends_with", "array_contains",
})
POINT_OPERATORS = frozenset({"equals", "in"})
# Negations (`not: "x"`, `notIn`) match most rows: no index narrows them. `not: null`
# (IS NOT NULL) is the exception, kept as an indexable test.
NEGATIONS = frozenset({"not", "notIn"})


def _unindexable_test(test: ts.Node, keys: set[str]) -> bool:
    if keys & PATTERN_OPERATORS:
        return True
    if not keys or not keys <= NEGATIONS:
        return False
    negated = [unwrap(v) for k, v, s in object_entries(test) if k == "not" and not s]
    return not (keys == {"not"} and negated and negated[0] is not None and negated[0].type == "null")


def _null_test(value: ts.Node | None) -> bool:
    """`f: null`, `f: { equals: null }`, `f: { not: null }`: a presence test."""
    v = unwrap(value)
    if v is None:
        return False
    if v.type == "null":
        return True
    if v.type != "object":
        return False
    entries = [(k, unwrap(x)) for k, x, s in object_entries(v) if not s]
    return len(entries) == 1 and entries[0][0] in ("equals", "not") \
        and entries[0][1] is not None and entries[0][1].type == "null"


# A filter on a set of values: one query serves many items.
SET_OPERATORS = frozenset({"in", "hasSome"})
LOGICAL = frozenset({"AND", "OR", "NOT"})
NESTED_WRITES = frozenset({
    "create", "createMany", "connect", "connectOrCreate", "update", "updateMany", "upsert",
    "delete", "deleteMany", "set", "disconnect",
})
# The nested writes that may insert rows of the related model.
NESTED_CREATES = frozenset({"create", "createMany", "connectOrCreate", "upsert"})
# … and those that may set fields of the related model's rows.
NESTED_SETS = NESTED_CREATES | {"update", "updateMany"}


def _key_name(pair: ts.Node) -> str:
    k = field(pair, "key")
    return text(k).strip("'\"`") if k is not None else ""


def object_entries(obj: ts.Node):
    """(key, value node or None, is_spread) for each entry of an object literal."""
    for c in obj.named_children:
        if c.type == "pair":
            yield _key_name(c), field(c, "value"), False
        elif c.type == "shorthand_property_identifier":
            yield text(c), None, False
        elif c.type == "spread_element":
            yield "", None, True
        elif c.type == "method_definition":
            yield text(field(c, "name")), None, False


def _compound_unique(name: str, obj: ts.Node) -> bool:
    """`host_path: { host: h, path: p }`: Prisma's default name of a compound
    unique is its fields joined by `_`, each given a plain value."""
    entries = list(object_entries(obj))
    if len(entries) < 2 or any(spread or not key for key, _, spread in entries):
        return False
    if sorted(name.split("_")) != sorted(key for key, _, _ in entries):
        return False
    return all(unwrap(value) is None or unwrap(value).type not in ("object", "array")
               for _, value, _ in entries)


def _where_fields(obj: ts.Node, out: list[str], equality: list[bool],
                  patterns: dict[str, bool], nulls: dict[str, bool]) -> None:
    """Scalar keys tested anywhere in a where; `patterns[name]` stays True while
    every test of that key is one no index serves (`_unindexable_test`, or any
    test under `NOT`), `nulls[name]` while every test is a null test."""
    stack: list[tuple[ts.Node | None, bool]] = [(obj, False)]
    while stack:
        node, negated = stack.pop()
        node = unwrap(node)
        if node is None:
            continue
        if node.type == "array":
            stack.extend((c, negated) for c in node.named_children)
            equality[0] = False
            continue
        if node.type != "object":
            equality[0] = False
            continue
        for name, value, spread in object_entries(node):
            if spread:
                equality[0] = False
                continue
            if name in LOGICAL:
                equality[0] = False
                if value is not None:
                    stack.append((value, negated or name == "NOT"))
                continue
            v = unwrap(value)
            pattern = negated
            if v is not None and v.type == "object":
                keys = {k for k, _, s in object_entries(v) if not s}
                pattern = negated or _unindexable_test(v, keys)
                if keys & SET_OPERATORS:
                    equality.append("set")  # marks a set lookup (`{ in: ids }`)
                if keys and keys <= RELATION_FILTERS:
                    equality[0] = False
                    continue  # a relation filter, not a column of this model
                if keys and not keys <= FILTER_OPERATORS:
                    # A nested relation filter (`author: { email }`) or a compound unique
                    # (`userId_trackId: { userId, trackId }`): not a column of this model.
                    # A compound unique of plain values is still an equality lookup.
                    if not _compound_unique(name, v):
                        equality[0] = False
                    continue
                if keys != {"equals"}:
                    equality[0] = False
            if name and name not in out:
                out.append(name)
            if name:
                patterns[name] = patterns.get(name, True) and pattern
                nulls[name] = nulls.get(name, True) and _null_test(value)


def _where_points(obj: ts.Node) -> tuple[list[str], bool]:
    """Keys of the top level (and of `AND`) compared with one value or a list
    of values, plus compound unique keys: the columns an index prefix can use;
    and whether a spread or variable there hides more of them."""
    out: list[str] = []
    hidden = False
    stack = [obj]
    while stack:
        node = unwrap(stack.pop())
        if node is None:
            continue
        if node.type == "array":
            stack.extend(node.named_children)
            continue
        if node.type != "object":
            hidden = True
            continue
        for name, value, spread in object_entries(node):
            hidden = hidden or spread
            if name in ("OR", "NOT"):
                # `OR: conditions` may hold indexed alternatives we cannot see.
                v = unwrap(value)
                hidden = hidden or v is None or v.type not in ("array", "object")
                continue
            if spread or not name:
                continue
            if name == "AND":
                stack.append(value)
                continue
            v = unwrap(value)
            if v is not None and v.type == "object":
                keys = {k for k, _, s in object_entries(v) if not s}
                # `{ in: ids }`, or a compound unique `userId_trackId: { userId, trackId }`
                # (a relation filter lands here too; it names no column of an index).
                if not keys or not (keys <= POINT_OPERATORS
                                    or not keys <= FILTER_OPERATORS | RELATION_FILTERS):
                    continue
            elif v is not None and v.type == "array":
                continue
            if name not in out:
                out.append(name)
    return out, hidden


def where_object(args: ts.Node | None) -> ts.Node | None:
    """The object literal of the first argument's `where`, if written inline."""
    named = [c for c in args.named_children if c.type != "comment"] if args is not None else []
    first = unwrap(named[0]) if named else None
    if first is None or first.type != "object":
        return None
    v = next((unwrap(value) for name, value, spread in object_entries(first) if name == "where"), None)
    return v if v is not None and v.type == "object" else None


def scoped_entries(obj: ts.Node) -> list[tuple[str, ts.Node]]:
    """(key, value) at the top of `where` (and of `AND`) for keys given a plain value named
    by a variable or a member (`userId`, `userId: user.id`), not a literal or a SCREAMING_CASE
    constant: a value the code decides, which may be the signed-in user's or the request's
    (the call's taint and where the value comes from tell which)."""
    out: list[tuple[str, ts.Node]] = []
    stack = [obj]
    while stack:
        node = unwrap(stack.pop())
        if node is None or node.type != "object":
            continue
        for c in node.named_children:
            if c.type == "shorthand_property_identifier":
                out.append((text(c), c))
                continue
            if c.type != "pair":
                continue
            name, v = _key_name(c), unwrap(field(c, "value"))
            if name == "AND":
                stack.append(v)
            elif v is not None and name not in ("OR", "NOT") and (
                    v.type == "member_expression" or v.type == "identifier"
                    and not CONSTANT_NAME.fullmatch(text(v)) and text(v) not in ("undefined", "null")):
                out.append((name, v))
    return out


def _relation_points(obj: ts.Node) -> list[str]:
    """`rel.key` for each key given one plain value inside an object at the top of `where`
    that is not an operator object (`team: { slug }`, not `name: { contains: q }`)."""
    out: list[str] = []
    for name, value, spread in object_entries(obj):
        v = unwrap(value)
        if spread or not name or name in ("AND", "OR", "NOT") or v is None or v.type != "object":
            continue
        entries = list(object_entries(v))
        if any(k in FILTER_OPERATORS or k in RELATION_FILTERS for k, _, _ in entries):
            continue
        for k, inner, sp in entries:
            iv = unwrap(inner)
            if not sp and k and (inner is None or iv is not None and iv.type not in ("object", "array")):
                out.append(f"{name}.{k}")
    return out


def _order_fields(node: ts.Node | None) -> list[str]:
    node = unwrap(node)
    out: list[str] = []
    if node is None:
        return out
    items = node.named_children if node.type == "array" else [node]
    for item in items:
        item = unwrap(item)
        if item is not None and item.type == "object":
            for name, value, spread in object_entries(item):
                v = unwrap(value)
                # `{ author: { name: 'asc' } }` orders by a relation: not a column here.
                if name and not spread and (v is None or v.type != "object" or name == "_count"):
                    if name != "_count":
                        out.append(name)
    return out


def _data_entries(data: ts.Node, data_fields: list[str], nested: list[str], counters: list[str]) -> bool:
    """Collect a `data` object's fields, nested writes and the fields it moves as counters
    (`{ views: { increment: 1 } }`, `views: row.views + 1`); whether it only moves counters."""
    counters_only = True
    for dname, dvalue, dspread in object_entries(data):
        if dspread or not dname:
            counters_only = False
            continue
        data_fields.append(dname)
        dv = unwrap(dvalue)
        if dv is not None and dv.type == "object":
            ops = [(op, sp) for op, _, sp in object_entries(dv)]
            for op, sp in ops:
                if op in NESTED_WRITES and not sp:
                    nested.append(f"{dname}.{op}")
            counted = bool(ops) and not any(sp or op not in ("increment", "decrement") for op, sp in ops)
        else:
            counted = _counted(dname, dv)
        counters += [dname] if counted else []
        counters_only = counters_only and counted
    return counters_only


def _counted(name: str, value: ts.Node | None) -> bool:
    """`views: property.views + 1`: the field the row was read with, moved by one, a counter
    written the long way round (what `{ increment: 1 }` does without the read)."""
    if value is None or value.type != "binary_expression" or text(field(value, "operator")) not in ("+", "-"):
        return False
    left, right = unwrap(field(value, "left")), unwrap(field(value, "right"))
    return right is not None and text(right) == "1" and left is not None \
        and left.type == "member_expression" and text(field(left, "property")) == name


def _read_paths(v: ts.Node | None, prefix: str, out: list[str], depth: int = 0) -> None:
    """The fields an `include` / `select` object reads, as dotted paths through nested
    `include` / `select` (`posts`, `posts.comments`); scalars of a `select` too (the schema
    tells relations apart)."""
    if v is None or v.type != "object" or depth > 3:
        return
    for name, value, spread in object_entries(v):
        inner = unwrap(value)
        if spread or inner is None or inner.type == "false":
            continue
        out.append(prefix + name)
        if inner.type == "object":
            for key, nested, _ in object_entries(inner):
                if key in ("include", "select"):
                    _read_paths(unwrap(nested), f"{prefix}{name}.", out, depth + 1)


def summarise_args(args: ts.Node | None) -> ArgSummary:
    first = None
    if args is not None:
        named = [c for c in args.named_children if c.type != "comment"]
        first = unwrap(named[0]) if named else None
    if first is None:
        return ArgSummary(present=False)
    if first.type != "object":
        return ArgSummary(opaque=True)
    keys: list[str] = []
    opaque = False
    where_fields: list[str] = []
    points: list[str] = []
    relation_points: list[str] = []
    where_opaque = False
    patterns: dict[str, bool] = {}
    nulls: dict[str, bool] = {}
    equality = [True]
    where_empty = False
    order: list[str] = []
    data_fields, nested, counters = [], [], []
    counters_only = True
    has_where, reads = False, []
    for name, value, spread in object_entries(first):
        if spread:
            opaque = True
            continue
        keys.append(name)
        v = unwrap(value)
        if name == "where":
            has_where = True
            if v is not None and v.type == "object":
                if not v.named_children:
                    where_empty = True
                _where_fields(v, where_fields, equality, patterns, nulls)
                points, where_opaque = _where_points(v)
                relation_points = _relation_points(v)
            else:
                equality[0] = False
                where_opaque = True
        elif name == "orderBy":
            order = _order_fields(v)
        elif name in ("include", "select"):
            _read_paths(v, "", reads)
        elif name == "data" and v is not None and v.type == "object":
            counters_only = _data_entries(v, data_fields, nested, counters) and counters_only
    return ArgSummary(
        opaque=opaque, keys=tuple(keys), where_empty=where_empty,
        where_fields=tuple(where_fields), order_by_fields=tuple(order),
        data_fields=tuple(data_fields), nested_writes=tuple(nested),
        data_counters_only=bool(data_fields) and counters_only and not opaque, data_counters=tuple(counters),
        where_equality_only=has_where and equality[0] and not opaque,
        where_points=tuple(points),
        where_relation_points=tuple(relation_points),
        where_opaque=where_opaque,
        where_set="set" in equality,
        where_pattern_fields=tuple(n for n in where_fields if patterns.get(n)),
        where_null_fields=tuple(n for n in where_fields if nulls.get(n)), reads=tuple(dict.fromkeys(reads)),
    )
