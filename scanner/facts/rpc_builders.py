"""Handlers built by an RPC builder chain: tRPC procedures (`t.procedure.input(S).mutation(fn)`)
and TanStack Start server functions (`createServerFn({ method }).inputValidator(S).handler(fn)`).
Each is an entry point whose one argument carries the caller's input (`input`, `data`), checked
only when the chain declares a schema."""

from __future__ import annotations

import tree_sitter as ts

from .nodes import FUNCTION_TYPES, field, text, unwrap


def _builder_call(fn: ts.Node, methods: tuple[str, ...]) -> tuple[ts.Node, ts.Node] | None:
    """(the call, its callee's object) when `fn` is the argument of `chain.<method>(fn)`."""
    parent = fn.parent
    if parent is None or parent.type != "arguments" or parent.parent is None:
        return None
    call = parent.parent
    callee = field(call, "function")
    if callee is None or callee.type != "member_expression" or text(field(callee, "property")) not in methods:
        return None
    return call, field(callee, "object")


def trpc_procedure(fn: ts.Node) -> str | None:
    """The procedure's name (its key in the router object, or `procedure`) when `fn` is the
    resolver of a tRPC procedure chain."""
    found = _builder_call(fn, ("query", "mutation", "subscription"))
    if found is None:
        return None
    call, chain = found
    chain = text(chain)
    if "rocedure" not in chain and ".input(" not in chain and "t.procedure" not in chain:
        return None
    holder = call.parent
    if holder is not None and holder.type == "pair":
        return text(field(holder, "key")).strip("'\"")
    return "procedure"


def procedure_input(chain: ts.Node | None, resolver, hops: int = 4) -> tuple[bool, str | None]:
    """Whether a tRPC procedure chain (`authed.input(S)`, followed through the local
    builder variables it starts from) calls `.input(…)`; when it does not, the name of
    the imported builder it starts from, whose `.input()` this file cannot see."""
    for _ in range(hops):
        if chain is None:
            return False, None
        raw = chain.text or b""  # the whole chain, handler included: searched, not decoded
        if b".input(" in raw or b".input<" in raw:
            return True, None
        root = _root(chain)
        if root is None or root.type != "identifier":
            return False, None
        b = resolver.lookup(text(root), root)
        if b is not None and b.kind == "import":
            return False, text(root)
        chain = b.value if b is not None and b.kind == "var" and not b.path else None
    return False, None


def _root(chain: ts.Node | None) -> ts.Node | None:
    while chain is not None and chain.type in ("call_expression", "member_expression"):
        chain = field(chain, "function") if chain.type == "call_expression" else field(chain, "object")
    return chain


def _server_fn_chain(fn: ts.Node, resolver, hops: int = 3) -> list[ts.Node] | None:
    """The calls of the builder chain `fn` is the `.handler()` of, when it starts from
    `createServerFn(…)`, here or through local variables holding a partial chain (`const
    authed = createServerFn().middleware([auth])`, then `authed.handler(fn)`)."""
    found = _builder_call(fn, ("handler",))
    if found is None:
        return None
    calls, chain = [], found[1]
    for _ in range(hops):
        node = chain
        while node is not None and node.type in ("call_expression", "member_expression"):
            if node.type == "call_expression":
                calls.append(node)
            node = field(node, "function") if node.type == "call_expression" else field(node, "object")
        if node is not None and node.type == "identifier" and text(node) == "createServerFn":
            return calls
        b = resolver.lookup(text(node), node) if node is not None and node.type == "identifier" else None
        chain = b.value if b is not None and b.kind == "var" and not b.path else None
        if chain is None:
            return None
    return None


def server_fn(fn: ts.Node, resolver) -> bool:
    """`fn` is the handler of a TanStack Start server function: an RPC endpoint a client calls
    with any `data` it likes."""
    return _server_fn_chain(fn, resolver) is not None


# A function validator checks its value when it hands it to a schema or rejects it itself;
# `(data: { id: string }) => data` only states a type, which nothing checks at run time.
_CHECKS = (b".parse(", b".safeParse(", b".parseAsync(", b".safeParseAsync(", b"assert", b"throw ", b".validate(")


def server_fn_validated(fn: ts.Node, resolver) -> bool:
    """The chain declares a checking validator: `.inputValidator(schema)` (or the older
    `.validator(…)`) with a schema object, or a function that parses or rejects its value."""
    for call in _server_fn_chain(fn, resolver) or ():
        callee = field(call, "function")
        if callee is None or callee.type != "member_expression" \
                or text(field(callee, "property")) not in ("inputValidator", "validator"):
            continue
        args = field(call, "arguments")
        arg = unwrap(args.named_children[0]) if args is not None and args.named_children else None
        if arg is None:
            continue
        if arg.type not in FUNCTION_TYPES:
            return True
        if any(c in (arg.text or b"") for c in _CHECKS):
            return True
    return False
