"""Schema-first GraphQL resolvers, known by the types code generators give them
(graphql-codegen's `MutationResolvers`, graphql-tools' `IResolvers`): request entry
points whose `args` the GraphQL server has checked against the schema's types."""

from __future__ import annotations

import re

import tree_sitter as ts

from .client_types import contextual_type
from .entries import GRAPHQL_OPS
from .nodes import field, text

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
    """A schema-first GraphQL operation resolver, known by its generated type: a function
    typed `MutationResolvers['submit']` (a factory's return type, a variable's annotation),
    a member of an object typed `QueryResolvers<Ctx>`, or a member of the `Query` /
    `Mutation` / `Subscription` object of a map typed `Resolvers`."""
    if _OPERATION_RESOLVERS.match(_type_name(contextual_type(fn))):
        return True
    holder = fn.parent
    if fn.type == "method_definition":
        obj = holder
    elif holder is not None and holder.type == "pair" and field(holder, "value") == fn:
        obj = holder.parent
    else:
        return False
    if obj is None or obj.type != "object":
        return False
    if _OPERATION_RESOLVERS.match(_type_name(contextual_type(obj))):
        return True
    pair = obj.parent
    if pair is None or pair.type != "pair" or text(field(pair, "key")) not in GRAPHQL_OPS:
        return False
    return pair.parent is not None and bool(_RESOLVER_MAPS.match(_type_name(contextual_type(pair.parent))))
