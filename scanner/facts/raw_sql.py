"""How the SQL text of a raw call is built: constant, a template with `${}`, a
concatenation, or opaque; and which values are spliced into it."""

from __future__ import annotations

import re

import tree_sitter as ts

from .model import ArgSummary
from .nodes import enclosing, field, inline_argument, short, text, unwrap
from .declared_types import declared_type
from .raw_builders import text_pieces
from .raw_safe import safe_fragment
from .raw_quoting import between_quotes, doubles_quotes
from .raw_origins import from_parameter, local_function, parameter_positions
from .scopes import Resolver, _returned_expressions
from .raw_constants import const_init as _const_init, const_value as _const_value, imported_call, \
    strips_to_word_characters


def sql_kind(node: ts.Node | None, resolver: Resolver, depth: int = 0) -> str:
    """How raw SQL text is built: constant, template (with `${}`), concat,
    identifier (could not follow), or other."""
    node = unwrap(node)
    if node is None:
        return "other"
    t = node.type
    if t == "string":
        return "constant"
    if t == "template_string":
        return "constant" if safe_fragment(node, resolver) else "template"
    if t == "binary_expression" and text(field(node, "operator")) == "+":
        left = sql_kind(field(node, "left"), resolver, depth + 1)
        right = sql_kind(field(node, "right"), resolver, depth + 1)
        if left == right == "constant" or safe_fragment(node, resolver):
            return "constant"
        return "concat"
    if t == "identifier" and depth < 4:
        value = _const_init(resolver.lookup(text(node), node))
        if value is not None:
            return sql_kind(value, resolver, depth + 1)
        pieces = (text_pieces(node, resolver) or (None, []))[1]
        kinds = {sql_kind(p, resolver, depth + 1) for p in pieces}
        if kinds == {"constant"}:
            return "constant"
        if "template" in kinds:   # `let sql = '…'; sql += ` AND a = '${v}'``
            return "template"
        # (Grown with `+=` or from several values, some not constant: a concatenation.)
        return "concat" if "concat" in kinds or len(pieces) > 1 and "constant" in kinds else "identifier"
    return "other"


def _own_field_type(node: ts.Node, name: str) -> str:
    """The declared type of `this.<name>` in the enclosing class: a field
    (`private dims: number`) or a constructor parameter property."""
    body = enclosing(node, ("class_body",))
    for member in body.named_children if body is not None else ():
        if member.type in ("public_field_definition", "field_definition") \
                and text(field(member, "name")) == name and field(member, "type") is not None:
            return short(field(member, "type"), 40).lstrip(":").strip()
        if member.type == "method_definition" and text(field(member, "name")) == "constructor":
            params = field(member, "parameters")
            for p in params.named_children if params is not None else ():
                pattern = field(p, "pattern")
                if pattern is not None and text(pattern) == name and field(p, "type") is not None:
                    return short(field(p, "type"), 40).lstrip(":").strip()
    return ""


# Spliced values that can only render as numbers, booleans, dates or escaped text.
_HARMLESS_CALLS = frozenset({"Number", "parseInt", "parseFloat", "BigInt", "Boolean", "Math.floor",
                             "Math.ceil", "Math.round", "Math.min", "Math.max", "Math.abs", "Prisma.sql",
                             "Prisma.join", "Prisma.raw", "Prisma.empty"})
_HARMLESS_METHODS = frozenset({"toISOString", "toFixed", "getTime", "valueOf", "toUTCString"})
_HARMLESS_TYPES = frozenset({"number", "boolean", "bigint", "Date", "number[]", "bigint[]", "Array<number>"})
_ESCAPING = re.compile(r"(?i)(escape|quote|sanitize|sanitise|safe|allow|whitelist|identifier|ident)")


def spliced_values(node: ts.Node | None, resolver: Resolver) \
        -> tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...], tuple[tuple[str, str, str], ...], tuple[str, ...]]:
    """The values spliced into raw SQL text that are not proven harmless (neither
    constants nor numbers, booleans, dates or the results of an escaping or
    allow-list helper), as source text, empty when every value is harmless; those
    of them that derive from a parameter of an enclosing function (its callers decide
    them; the others are computed where the SQL is); and the positions of those
    parameters in the function around the SQL, () when not all are its own; (value,
    module, name) for those whose value an imported function returns, for the index to
    settle; and, apart, the values escaped by doubling their quotes (raw_quoting)."""
    unsafe = unsafe_spliced(node, resolver, quoted=True)
    params, found = [], []
    for n in unsafe:
        # One walk: whether, and which parameters; through a variable or a helper, only the
        # parts of its value that are not proven constant or numeric.
        if from_parameter(n, resolver, 0, found, unsafe=lambda v: _spliced_value(v, resolver, 0, quoted=True)):
            params.append(n)
    imported = tuple((short(n, 60), *call) for n in unsafe if (call := imported_call(n, resolver)) is not None)
    kept = {(n.start_byte, n.end_byte) for n in unsafe}
    doubled = tuple(dict.fromkeys(short(n, 60) for n in unsafe_spliced(node, resolver)
                                  if (n.start_byte, n.end_byte) not in kept))
    return (tuple(short(n, 60) for n in unsafe), tuple(short(n, 60) for n in params),
            parameter_positions(params, found), imported, doubled)


def unsafe_spliced(node: ts.Node | None, resolver: Resolver, depth: int = 0,
                   seen: frozenset = frozenset(), quoted: bool = False) -> list[ts.Node]:
    """The spliced values not proven harmless; `quoted`: also leave out those escaped by
    doubling their quotes inside a quoted string (raw_quoting)."""
    node = unwrap(node)
    if node is None or depth > 6:
        return []
    t = node.type
    if t == "template_string":
        out: list[ts.Node] = []
        for c in node.named_children:
            if c.type == "template_substitution" and c.named_children \
                    and not (quoted and between_quotes(c) and doubles_quotes(c.named_children[0])):
                out += _spliced_value(c.named_children[0], resolver, depth, seen, quoted)
        return out
    if t == "binary_expression" and text(field(node, "operator")) == "+":
        return unsafe_spliced(field(node, "left"), resolver, depth + 1, seen, quoted) \
            + unsafe_spliced(field(node, "right"), resolver, depth + 1, seen, quoted)
    if t == "identifier":
        value = _const_value(node, resolver)
        if value is not None:
            return unsafe_spliced(value, resolver, depth + 1, seen, quoted)
        pieces = _pieces(node, resolver, depth, seen, quoted)
        if pieces is not None:
            return pieces
        b = resolver.lookup(text(node), node)
        if b is not None and b.kind == "var" and not b.path and b.value is not None:
            return unsafe_spliced(b.value, resolver, depth + 1, seen, quoted)
        return []
    return _spliced_value(node, resolver, depth, seen, quoted)


def _spliced_value(node: ts.Node, resolver: Resolver, depth: int, seen: frozenset = frozenset(),
                   quoted: bool = False) -> list[ts.Node]:
    if safe_fragment(node, resolver) or _harmless(node, resolver, depth):
        return []
    inner = unwrap(node)
    if inner is not None and (inner.type == "template_string" or inner.type == "binary_expression"
                              and text(field(inner, "operator")) == "+"):
        return unsafe_spliced(inner, resolver, depth + 1, seen, quoted)
    pieces = _pieces(inner, resolver, depth, seen, quoted)
    return pieces if pieces is not None else [node]


def _pieces(node: ts.Node | None, resolver: Resolver, depth: int, seen: frozenset,
            quoted: bool) -> list[ts.Node] | None:
    """What text built in pieces splices (`text_pieces`): the union of what each piece
    splices; a piece that names the text itself (`where = where + …`) adds nothing new."""
    built = text_pieces(node, resolver) if depth < 6 else None
    if built is None:
        return None
    key, pieces = built
    if key in seen:
        return []
    inner = seen | {key}
    return [u for p in pieces for u in _spliced_value(p, resolver, depth + 1, inner, quoted)]


def _harmless(node: ts.Node | None, resolver: Resolver, depth: int = 0) -> bool:
    node = unwrap(node)
    if node is None or depth > 8:
        return False
    t = node.type
    if t in ("number", "true", "false", "update_expression"):   # (`$${i++}`: a number)
        return True
    if t == "binary_expression":
        op = text(field(node, "operator"))
        if op in ("-", "*", "/", "%", "**", "<", ">", "<=", ">=", "===", "!==", "==", "!="):
            return True  # arithmetic and comparisons give numbers and booleans
        if op == "&&":   # the left side comes out only when falsy: a primitive
            return _harmless(field(node, "right"), resolver, depth + 1)
        # `Number(v) || 0`, `a + b`, `'item_' + safe`: whichever side comes out is harmless or constant.
        return op in ("+", "||", "??") and all(_harmless(field(node, k), resolver, depth + 1)
                                               or safe_fragment(field(node, k), resolver) for k in ("left", "right"))
    if t in ("ternary_expression", "template_string"):   # (`item_${sanitised}`: each part)
        parts = [field(node, k) for k in ("consequence", "alternative")] if t == "ternary_expression" \
            else [c.named_children[0] for c in node.named_children if c.type == "template_substitution"]
        return all(safe_fragment(p, resolver) or _harmless(p, resolver, depth + 1) for p in parts)
    if t == "member_expression" and text(field(node, "property")) == "length":
        return True
    if t == "member_expression" and unwrap(field(node, "object")) is not None \
            and unwrap(field(node, "object")).type == "this":
        return _own_field_type(node, text(field(node, "property"))) in _HARMLESS_TYPES
    if t == "member_expression" and unwrap(field(node, "object")) is not None \
            and unwrap(field(node, "object")).type == "identifier":   # `params.limit` of a typed parameter
        obj = unwrap(field(node, "object"))
        b = resolver.lookup(text(obj), obj)
        return b is not None and declared_type(b, (text(field(node, "property")),)) in _HARMLESS_TYPES
    if t == "call_expression":
        fn = unwrap(field(node, "function"))
        name = text(fn)
        if name in _HARMLESS_CALLS or _ESCAPING.search(name.split(".")[-1]):
            return True
        if fn is not None and fn.type == "member_expression":
            prop = text(field(fn, "property"))
            if prop in _HARMLESS_METHODS or strips_to_word_characters(node):
                return True
            if prop == "join":  # `ids.join(",")` of numbers
                return _harmless(field(fn, "object"), resolver, depth + 1)
            if prop == "map":  # `ids.map(Number)`, `ids.map((id) => Number(id))`
                args = field(node, "arguments")
                first = args.named_children[0] if args is not None and args.named_children else None
                return first is not None and (text(first) in _HARMLESS_CALLS or _returns_harmless(first, resolver))
        # A function of this file whose every return is harmless (`= ${count}` of a number).
        target = local_function(node, resolver) if depth < 6 else None
        return target is not None and returns_harmless(target, resolver, depth + 1)
    if t == "identifier":
        b = resolver.lookup(text(node), node)
        if b is None or b.kind not in ("var", "param"):
            return False
        declared = field(b.node, "type") if b.kind == "var" else None
        if declared is not None and short(declared, 40).lstrip(":").strip() in _HARMLESS_TYPES \
                or b.kind == "param" and (declared_type(b) in _HARMLESS_TYPES or _item_index(b)):
            return True
        if b.kind == "var" and not b.path and b.value is not None:
            return _harmless(b.value, resolver, depth + 1)
    return False


# The position of the index among an array method's callback parameters: `(tag, i) => …`.
_INDEX_POSITION = {"forEach": 1, "map": 1, "flatMap": 1, "filter": 1, "some": 1, "every": 1, "find": 1,
                   "findIndex": 1, "reduce": 2, "reduceRight": 2}


def _item_index(b) -> bool:
    """The index parameter of an array method's callback (`tags.forEach((tag, i) => …)`): a
    number, whatever the array holds."""
    inline = inline_argument(b.value) if not b.path else None
    if inline is None or not inline[0].named_children or inline[0].named_children[0] != b.value:
        return False
    callee = inline[1]
    return callee is not None and callee.type == "member_expression" \
        and _INDEX_POSITION.get(text(field(callee, "property"))) == b.index


def _returns_harmless(fn: ts.Node, resolver: Resolver) -> bool:
    fn = unwrap(fn)
    if fn is None or fn.type != "arrow_function":
        return False
    body = field(fn, "body")
    return body is not None and body.type != "statement_block" and _harmless(body, resolver, 1)


def returns_harmless(fn: ts.Node, resolver: Resolver, depth: int = 0) -> bool:
    """Every value the function returns is a number, boolean, date or escaped text, or
    null: `(v) => { const n = Number(v); return Number.isFinite(n) ? n : null }`."""
    results = _returned_expressions(unwrap(fn)) if unwrap(fn) is not None else []
    return bool(results) and all(_harmless_result(unwrap(r), resolver, depth + 1) for r in results)


def _harmless_result(r: ts.Node | None, resolver: Resolver, depth: int) -> bool:
    """null, a harmless value, or an object of them (`return { page, limit, offset }` of numbers)."""
    if r is not None and r.type == "object":
        fields = [c for c in r.named_children if c.type != "comment"]
        return bool(fields) and all(
            _harmless(field(c, "value"), resolver, depth) if c.type == "pair" else
            c.type == "shorthand_property_identifier" and _harmless_name(c, resolver) for c in fields)
    return r is not None and (r.type in ("null", "undefined") or _harmless(r, resolver, depth))


def _harmless_name(node: ts.Node, resolver: Resolver) -> bool:
    b = resolver.lookup(text(node), node)
    return b is not None and b.kind == "var" and not b.path and b.value is not None and _harmless(b.value, resolver, 1)


def raw_summary(args: ts.Node | None, resolver: Resolver) -> ArgSummary:
    if args is None:
        return ArgSummary(present=False)
    if args.type == "template_string":
        return ArgSummary(raw_kind="tagged")
    named = [c for c in args.named_children if c.type != "comment"]
    if not named:
        return ArgSummary(present=False)
    kind = sql_kind(named[0], resolver)
    spliced, from_params, positions, imported, doubled = spliced_values(named[0], resolver) \
        if kind in ("template", "concat") else ((), (), (), (), ())
    return ArgSummary(opaque=unwrap(named[0]).type != "string", raw_kind=kind, raw_values=spliced,
                      raw_param_values=from_params, raw_param_positions=positions, raw_imported=imported,
                      raw_doubled=doubled)
