"""GraphQL operation resolvers: schema-first ones, known by the types code generators give
them (graphql-codegen's `MutationResolvers`, graphql-tools' `IResolvers`), and code-first ones,
known by the schema builder call that puts them on the root type (Pothos'
`builder.mutationField`, Nexus' `queryField` / `extendType({ type: "Query" })`). Request entry
points whose `args` the GraphQL server has checked against the schema's types."""

from __future__ import annotations

import re

import tree_sitter as ts

from .object_types import contextual_type, object_method
from .entries import GRAPHQL_OPS
from .model import ClientRef, HandlerRef
from .nodes import field, outermost, span, text, unwrap

# Types graphql-codegen and graphql-tools give resolvers: `MutationResolvers['submit']`,
# `QueryResolvers<Ctx>`, and the whole map's `Resolvers` / `IResolvers`.
_OPERATION_RESOLVERS = re.compile(r"^(?:Query|Mutation|Subscription)Resolvers\b")
_RESOLVER_MAPS = re.compile(r"^I?Resolvers\b")


def _type_name(annotation: ts.Node | None) -> str:
    """`MutationResolvers['x']` of `: MutationResolvers['x']` (a type annotation node, or the
    type of `satisfies` / `as`), its namespace dropped (`gql.Resolvers`)."""
    name = text(annotation).lstrip(":").strip() if annotation is not None else ""
    m = re.match(r"(?:[\w$]+\.)*([\w$]+)", name)
    return name[m.start(1):] if m else ""


def typed_graphql_resolver(fn: ts.Node) -> bool:
    """A schema-first GraphQL operation resolver: a function typed `MutationResolvers['submit']`
    (a factory's return type, a variable's annotation), a member of an object typed
    `QueryResolvers<Ctx>`, or a function directly in the `Query` / `Mutation` /
    `Subscription` object of a resolver map (`{ Query: { feed: (_, args, ctx) => … } }`, the
    object graphql-tools and Apollo Server take) that is typed `Resolvers` or not typed at
    all. A map declared as another type is not a resolver map."""
    if _OPERATION_RESOLVERS.match(_type_name(contextual_type(fn))):
        return True
    member = object_method(fn)
    if member is None:
        return False
    obj = member[0]
    if _OPERATION_RESOLVERS.match(_type_name(contextual_type(obj))):
        return True
    pair = obj.parent
    if pair is None or pair.type != "pair" or text(field(pair, "key")) not in GRAPHQL_OPS:
        return False
    return _resolver_map(pair.parent)


def _resolver_map(obj: ts.Node | None) -> bool:
    """An object literal holding `Query` / `Mutation` / `Subscription`, typed `Resolvers` or
    not typed at all: a resolver map. One declared as another type is not."""
    if obj is None or obj.type != "object":
        return False
    declared = contextual_type(obj)
    return declared is None or bool(_RESOLVER_MAPS.match(_type_name(declared)))


_OP_KEY = re.compile(rb"\b(?:Query|Mutation|Subscription)\s*:\s*\{")


def resolver_map_refs(pf) -> tuple[HandlerRef, ...]:
    """The operation resolvers a resolver map names from other modules: `Query: { bucket }`
    or `bucket: bucketResolver` of an imported function, and `...bucketQueries` of an
    imported module namespace (each function it exports). The index settles them to the
    functions, which are then graphql-resolver entry points."""
    if _OP_KEY.search(pf.source) is None:
        return ()
    out = []
    for pair in _op_pairs(pf.root):
        for member in unwrap(field(pair, "value")).named_children:
            spread = member.type == "spread_element"
            if member.type == "shorthand_property_identifier":
                name = member
            elif member.type == "pair" or spread:
                name = unwrap(field(member, "value") if not spread else
                              (member.named_children[0] if member.named_children else None))
            else:
                continue
            if name is None or name.type not in ("identifier", "shorthand_property_identifier"):
                continue
            b = pf.resolver.lookup(text(name), name)
            if b is not None and b.kind == "import" and b.module:
                out.append(HandlerRef(text(name), ClientRef("import", "import", b.module, b.imported),
                                      span(name), kind="graphql-resolver", every_export=spread))
    return tuple(out)


def _op_pairs(root: ts.Node):
    """`Query: { … }` pairs of resolver maps, in source order."""
    def op_pair(n: ts.Node) -> bool:
        value = unwrap(field(n, "value")) if n.type == "pair" else None
        return value is not None and value.type == "object" \
            and text(field(n, "key")).strip("'\"") in GRAPHQL_OPS and _resolver_map(n.parent)
    return outermost(root, op_pair)


# Code-first schema builders: the call that adds fields to a root type. Pothos
# (`builder.queryField(name, t => t.field({ resolve }))`, `builder.mutationFields(t => ({ … }))`)
# and Nexus (`mutationField(name, { resolve })`, `queryType({ definition(t) { t.field(…) } })`).
_ROOT_FIELD_CALLS = re.compile(r"^(?:query|mutation|subscription)(?:Field|Fields|Type)$")
_TYPE_EXTENSIONS = ("extendType", "objectType")
# Hops from a `resolve` function up to the builder call: the field options object, the field
# call (`t.prismaField(…)`), the callback giving `t`, a field map, `definition(t) { … }`.
_MAX_HOPS = 16


def code_first_graphql_resolver(fn: ts.Node) -> bool:
    """The `resolve` of a field a code-first schema builder adds to Query, Mutation or
    Subscription. A field of another object type (`Post.author`) is not an entry point."""
    member = object_method(fn)
    if member is None or member[1] != "resolve":
        return False
    n = member[0]
    for _ in range(_MAX_HOPS):
        n = n.parent if n is not None else None
        if n is None or n.type in ("program", "class_body"):
            return False
        if n.type != "call_expression":
            continue
        callee = field(n, "function")
        name = text(field(callee, "property")) if callee is not None and callee.type == "member_expression" \
            else text(callee)
        if _ROOT_FIELD_CALLS.match(name):
            return True
        if name in _TYPE_EXTENSIONS:
            return _extends_root(n)
    return False


def _extends_root(call: ts.Node) -> bool:
    """`extendType({ type: "Mutation", definition(t) { … } })` (Nexus): a root type's fields."""
    args = field(call, "arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    if first is None or first.type != "object":
        return False
    for pair in first.named_children:
        if pair.type == "pair" and text(field(pair, "key")) in ("type", "name"):
            return text(field(pair, "value")).strip("'\"`") in GRAPHQL_OPS
    return False


# A field config's functions called with the resolver's arguments: graphql-js' `resolve` and
# `subscribe`, and Nexus' field-authorize plugin's `authorize`.
_RESOLVER_ARGS = frozenset({"resolve", "subscribe", "authorize"})
# Pothos' Prisma plugin puts the query first: `t.prismaField({ resolve: (query, root, args, ctx) })`.
_QUERY_FIRST = frozenset({"prismaField", "prismaFieldWithInput", "prismaConnection"})


def context_param_index(fn: ts.Node) -> int:
    """Which parameter of `fn` is GraphQL's request context, or -1: graphql-js calls every field
    resolver as `(source, args, context, info)`. A resolver is the `resolve` (or `subscribe`,
    `authorize`) of a field config object (graphql-js, Nexus, Pothos), or a function in a
    resolver map beside a `Query`, `Mutation` or `Subscription` object
    (`{ Query: { feed: (_, args, ctx) => … } }`)."""
    member = object_method(fn)
    if member is None:
        return -1
    obj, key = member
    if key in _RESOLVER_ARGS:
        call = obj.parent.parent if obj.parent is not None and obj.parent.type == "arguments" else None
        callee = field(call, "function") if call is not None and call.type == "call_expression" else None
        name = text(field(callee, "property")) if callee is not None and callee.type == "member_expression" else ""
        return 3 if name in _QUERY_FIRST else 2
    pair = obj.parent
    if pair is None or pair.type != "pair" or pair.parent is None or pair.parent.type != "object":
        return -1
    keys = {text(field(p, "key")).strip("'\"") for p in pair.parent.named_children if p.type == "pair"}
    return 2 if keys & GRAPHQL_OPS else -1
