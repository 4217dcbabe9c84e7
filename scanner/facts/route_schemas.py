"""Request schemas a route declares, which the framework checks before its handler runs.

- Fastify: `app.post('/x', { schema: { body: S, querystring: Q } }, handler)` and
  `app.route({ method, url, schema, handler })`. A `schema` this file cannot read (imported,
  built by a call) counts for the whole request: the author declared one for the route.
- Elysia: `app.post('/x', handler, { body: t.Object(…), query: 'model' })`, a schema (or a
  `.model()` name) per request part, checked (and, with `normalize`, stripped) before the
  handler runs.
- express-openapi: `POST.apiDoc = { parameters: [{ in: 'path', … }], requestBody: … }` on an
  operation handler; the library validates each declared part before calling it.
Read by analysis/middleware.py `validated_parts`, like validating middleware."""

from __future__ import annotations

from typing import Callable

import tree_sitter as ts

from .entries import handler_arguments, registered_handler_call
from .model import RouteSchema
from .nodes import FUNCTION_TYPES, field, object_pairs, text, unwrap
from .parsed import ParsedFile
from .scopes import Resolver

_FASTIFY_PARTS = {"body": "body", "querystring": "query", "query": "query", "params": "params"}
_OPENAPI_IN = {"path": "params", "query": "query", "body": "body", "formData": "body"}


def _value(resolver: Resolver, node: ts.Node | None) -> ts.Node | None:
    """The object a name holds, one hop (`const schema = { body: S }`), else the node."""
    node = unwrap(node)
    if node is not None and node.type in ("identifier", "shorthand_property_identifier"):
        b = resolver.lookup(text(node), node)
        if b is not None and b.kind == "var" and not b.path and b.value is not None:
            return unwrap(b.value)
    return node


def _fastify_parts(resolver: Resolver, schema: ts.Node | None) -> tuple[str, ...]:
    obj = _value(resolver, schema)
    if obj is None:
        return ()
    if obj.type != "object":
        return ("*",)
    return tuple(sorted({_FASTIFY_PARTS[k] for k in object_pairs(obj) if k in _FASTIFY_PARTS}))


def options_parts(resolver: Resolver, call: ts.Node) -> tuple[str, ...]:
    """The request parts a registration's options object declares a schema for: its `schema`
    (Fastify's `app.post('/x', { schema: S }, handler)`), or a schema per part (Elysia's
    `app.post('/x', handler, { body: t.Object(…), query: 'searchModel' })`, a schema or the
    name of a model `.model()` registered); () without one."""
    options = next((a for a in map(unwrap, handler_arguments(call)) if a is not None and a.type == "object"), None)
    if options is None:
        return ()
    pairs = object_pairs(options)
    if "schema" in pairs:
        return _fastify_parts(resolver, pairs["schema"])
    return _parts_with_schemas(pairs, names=True)


# Elysia's per-part route schemas (its `headers` and `cookie` carry no request data dbaudit traces).
_ELYSIA_PARTS = {"body": "body", "query": "query", "params": "params"}


def argument_parts(call: ts.Node) -> tuple[str, ...]:
    """The request parts a middleware factory's object argument gives a schema each
    (`validateRequest({ query: z.object(…), body: NoteBody })`); () for any other argument. A
    string, number or `true` is an option, not a schema."""
    args = field(call, "arguments")
    first = unwrap(args.named_children[0]) if args is not None and args.named_children else None
    if first is None or first.type != "object":
        return ()
    return _parts_with_schemas(object_pairs(first), names=False)


def _parts_with_schemas(pairs: dict, names: bool) -> tuple[str, ...]:
    """The request parts (`body`, `query`, `params`) whose value in `pairs` is schema-like."""
    return tuple(sorted(part for key, part in _ELYSIA_PARTS.items()
                        if key in pairs and _schema_like(unwrap(pairs[key]), names)))


def _schema_like(value: ts.Node | None, names: bool = True) -> bool:
    """A schema (`t.Object(…)`, a name holding one) or, with `names`, a model's name (Elysia's
    `.model()` ones); not `true` or a number."""
    return value is not None and (value.type in ("call_expression", "identifier", "member_expression")
                                  or names and value.type == "string")


def _openapi_parts(doc: ts.Node) -> tuple[str, ...]:
    pairs = object_pairs(doc)
    parts = {"body"} if "requestBody" in pairs else set()
    params = unwrap(pairs.get("parameters"))
    for item in params.named_children if params is not None and params.type == "array" else ():
        where = unwrap(object_pairs(unwrap(item)).get("in"))
        if where is not None and where.type == "string":
            parts.add(_OPENAPI_IN.get(text(where).strip("'\"`"), ""))
    return tuple(sorted(parts - {""}))


def extract(pf: ParsedFile, handler_of: Callable[[ts.Node], int | None]) -> tuple[RouteSchema, ...]:
    """`handler_of(node)`: the id of the function of this file a value is or names."""
    out = []
    caps = pf.captures("entry_points")
    for call in caps.get("registration", []):
        if not registered_handler_call(call):
            continue
        args = [unwrap(a) for a in handler_arguments(call)]
        parts = options_parts(pf.resolver, call)
        handler = next((h for a in reversed(args) if a is not None and a.type in ("identifier", *FUNCTION_TYPES)
                        and (h := handler_of(a)) is not None), None)
        if parts and handler is not None:
            out.append(RouteSchema(handler, parts, "schema option"))
    for call in caps.get("route_options", []):
        pairs = object_pairs(unwrap(field(call, "arguments").named_children[0]))
        parts = _fastify_parts(pf.resolver, pairs.get("schema")) if "schema" in pairs else ()
        handler = handler_of(pairs["handler"]) if "handler" in pairs else None
        if parts and handler is not None:
            out.append(RouteSchema(handler, parts, "schema option"))
    for node in caps.get("api_doc", []):
        fid = handler_of(field(field(node, "left"), "object"))
        parts = _openapi_parts(unwrap(field(node, "right")))
        if parts and fid is not None:
            out.append(RouteSchema(fid, parts, "apiDoc"))
    return tuple(out)
