"""Prisma operations: the one Prisma-call recogniser. Model operations
(`prisma.user.findMany(…)`), raw SQL and `$transaction` calls on whatever the
scope table says is a client."""

from __future__ import annotations

from dataclasses import replace

import tree_sitter as ts

from .args import scoped_entries, summarise_args, where_object
from .augments import context_key
from .raw_sql import raw_summary
from .context import ContextBuilder
from .model import MODEL_OPS, RAW_METHODS, TRANSACTION_METHOD, ClientRef, PrismaCallCandidate, ShapedCall
from .client_types import UNKNOWN
from .narrowing import with_results
from .nodes import field, inline_argument, key, member_root, short, span, text, unwrap
from .parsed import ParsedFile
from .raw_origins import from_parameter

TxCalls = tuple[tuple[ts.Node, ClientRef], ...]


def transaction_calls(pf: ParsedFile) -> tuple[TxCalls, dict[int, set[str]]]:
    """$transaction calls on clients, and per function key (-1: module) the names
    passed to them."""
    out = []
    names: dict[int, set[str]] = {}
    for _, m in pf.matches("prisma_calls"):
        if "client_call" not in m or text(m["client_call.method"][0]) != TRANSACTION_METHOD:
            continue
        call = m["client_call"][0]
        ref = pf.resolver.classify(m["client_call.receiver"][0])
        if ref.kind in ("none", "unknown"):
            continue
        out.append((call, ref))
        fn = pf.enclosing_function(call)
        bucket = names.setdefault(key(fn) if fn is not None else -1, set())
        _passed_names(pf, m["client_call.args"][0], bucket)
    return tuple(out), names


def _passed_names(pf: ParsedFile, args: ts.Node, bucket: set[str]) -> None:
    """Names in a $transaction's arguments, following arrays composed of other arrays:
    `ops = [...removals, ...additions]`."""
    pending = [unwrap(a) for a in args.named_children]
    while pending and len(bucket) < 64:
        a = pending.pop()
        if a is None:
            continue
        if a.type == "spread_element":
            pending.extend(unwrap(c) for c in a.named_children)
        elif a.type == "array":
            pending.extend(unwrap(c) for c in a.named_children)
        elif a.type == "identifier" and text(a) not in bucket:
            bucket.add(text(a))
            b = pf.resolver.lookup(text(a), a)
            if b is not None and b.kind == "var" and not b.path:
                value = unwrap(b.value)
                if value is not None and value.type == "array":
                    pending.append(value)


def given_by_caller(pf: ParsedFile, receiver: ts.Node) -> tuple[int, int, str] | None:
    """(function id, parameter index, key) when the receiver is a parameter or a property of
    one: `({ prisma }) => …`, `const { prisma } = input`, `input.prisma` (or `{ prisma }`
    handing one of those on); key "" for the parameter itself (`db` of `f(db: Db)`, or a
    fallback's first choice, `const db = tx ?? this.prisma`)."""
    r, member = member_root(receiver)
    if r is None:
        return _chosen_by_parameter(pf, receiver)
    if member is not None:
        return _param_key(pf, pf.resolver.lookup(text(r), r), member)
    b = pf.resolver.lookup(text(r), r)
    value = unwrap(b.value) if b is not None and b.kind == "var" and not b.path else None
    if value is not None and value.type == "binary_expression" and text(field(value, "operator")) in ("??", "||"):
        # `const db = tx ?? this.prisma`: the parameter itself, when a caller hands one (key "").
        left = unwrap(field(value, "left"))
        return _param_key(pf, pf.resolver.lookup(text(left), left), "") \
            if left is not None and left.type == "identifier" else None
    if value is not None and value.type == "call_expression":   # `const client = this.client(tx)`
        return _chosen_by_parameter(pf, value)
    if b is not None and b.kind == "param" and not b.path:
        # `function createOrder(db: Db, …)`: the parameter itself, which a caller may hand a
        # transaction's client (key "").
        return _param_key(pf, b, "")
    if b is None or len(b.path) != 1:
        return None
    if b.kind == "param":   # `({ prisma }) => …`: the destructured parameter itself
        fid = pf.function_ids.get(key(b.value)) if b.value is not None else None
        return (fid, b.index, b.path[0]) if fid is not None else None
    value = unwrap(b.value) if b.kind == "var" else None
    if value is None or value.type != "identifier":
        return None
    return _param_key(pf, pf.resolver.lookup(text(value), value), b.path[0])


def _chosen_by_parameter(pf: ParsedFile, receiver: ts.Node) -> tuple[int, int, str] | None:
    """`this.client(tx).user.update()`: a method of the class picks the client by a parameter
    of this function it is handed, which a caller may fill with a transaction's client."""
    call = unwrap(receiver)
    fn = field(call, "function") if call is not None and call.type == "call_expression" else None
    if fn is None or fn.type != "member_expression" or text(field(fn, "object")) != "this":
        return None
    args = field(call, "arguments")
    for a in args.named_children if args is not None else ():
        a = unwrap(a)
        if a is not None and a.type == "identifier":
            handed = _param_key(pf, pf.resolver.lookup(text(a), a), "")
            if handed is not None:
                return handed
    return None


def _param_key(pf: ParsedFile, b, key_name: str) -> tuple[int, int, str] | None:
    """`key_name` of the whole parameter `b` names (`input`), as (function id, index, key)."""
    if b is None or b.kind != "param" or b.path or b.value is None:
        return None
    fid = pf.function_ids.get(key(b.value))
    return (fid, b.index, key_name) if fid is not None else None


def _member_of_client(pf: ParsedFile, receiver: ts.Node) -> bool:
    r = unwrap(receiver)
    return r is not None and r.type == "member_expression" \
        and pf.resolver.classify(field(r, "object")).kind == "client"


def _receiver_root(receiver: ts.Node) -> ts.Node:
    n = unwrap(receiver)
    while n is not None and n.type == "member_expression":
        n = unwrap(field(n, "object"))
    return n if n is not None else receiver


def _code_decided(args: ts.Node, pf: ParsedFile) -> tuple[str, ...]:
    """The `where` keys given a value the function decides itself (`userId: session.user.id`
    after `const session = await auth()`), or its context wrapper hands it, not one computed
    from a parameter, whose callers (or the framework, with the request) decide it."""
    where = where_object(args)
    # (A memo walks each variable once: without one, a function whose `let`s are assigned from
    # one another again and again is walked once per path, exponentially many.)
    return tuple(k for k, v in scoped_entries(where)
                 if _wrapper_context(v, pf) or not from_parameter(v, pf.resolver, strict=True, memo={})) \
        if where is not None else ()


def _wrapper_context(value: ts.Node, pf: ParsedFile) -> bool:
    """`organizationId` of `return withAuth(async ({ organizationId }) => …)` inside a
    function: a property the wrapper destructures into the callback it runs right there,
    from its own context (the session, the tenant), not from the outer function's callers."""
    v = unwrap(value)
    b = pf.resolver.lookup(text(v), v) if v is not None and v.type in ("identifier", "shorthand_property_identifier") \
        else None
    inline = inline_argument(b.value) if b is not None and b.kind == "param" and b.index == 0 and b.path else None
    if inline is None or inline[1] is None or inline[1].type != "identifier":
        return False
    call = inline[0].parent
    holder = call.parent if call is not None else None
    while holder is not None and holder.type in ("await_expression", "parenthesized_expression"):
        holder = holder.parent
    return holder is not None and holder.type == "return_statement"


def _model_args(args: ts.Node, pf: ParsedFile):
    """The ArgSummary of a model operation's arguments, with the `where` keys the code decides."""
    summary = summarise_args(args)
    scoped = _code_decided(args, pf)
    return replace(summary, where_scoped=scoped) if scoped else summary


def _shape(pf: ParsedFile, m: dict[str, list[ts.Node]]):
    """(call node, receiver, model, operation, args) of a match, None when the
    operation is not one Prisma has."""
    if "call" in m or "wrapped" in m:
        kind = "call" if "call" in m else "wrapped"
        op = text(m[f"{kind}.operation"][0])
        if op not in MODEL_OPS:
            return None
        if kind == "call":
            receiver, model = m["call.receiver"][0], text(m["call.model"][0])
        else:   # `(prisma.user as any).create(…)`: the delegate inside the wrapper
            delegate = unwrap(m["wrapped.delegate"][0])
            if delegate is None or delegate.type != "member_expression" \
                    or field(delegate, "property") is None or field(delegate, "property").type != "property_identifier":
                return None
            receiver, model = field(delegate, "object"), text(field(delegate, "property"))
        if model.startswith("$"):
            return None
        return m[kind][0], receiver, model, op, _model_args(m[f"{kind}.args"][0], pf)
    op = text(m["client_call.method"][0])
    if op not in RAW_METHODS and op != TRANSACTION_METHOD:
        return None
    args = raw_summary(m["client_call.args"][0], pf.resolver) if op in RAW_METHODS \
        else summarise_args(None)
    return m["client_call"][0], m["client_call.receiver"][0], None, op, args


def _delegate_shapes(pf: ParsedFile):
    """(call node, receiver, model, operation, args) of model operations called on a name that
    holds a model delegate: taken out of a client by destructuring (`const { goal } = new
    PrismaClient()`, `const { user: users } = prisma`) or by a member read (`const users =
    prisma.user`), then `goal.findMany(…)`. The receiver is the client expression the name was
    taken from; whether it is a client is decided as for `client.goal.findMany(…)`."""
    for _, m in pf.matches("call_sites"):
        obj, callee = m.get("callsite.object"), m.get("callsite.callee")
        if not obj or not callee or obj[0].type != "identifier" or text(callee[0]) not in MODEL_OPS:
            continue
        b = pf.resolver.lookup(text(obj[0]), obj[0])
        value = unwrap(b.value) if b is not None and b.kind == "var" else None
        if value is None:
            continue
        if len(b.path) == 1 and not b.path[0].startswith(("$", "[")):
            receiver, model = value, b.path[0]
        elif not b.path and value.type == "member_expression" and field(value, "property") is not None \
                and field(value, "property").type == "property_identifier":
            receiver, model = field(value, "object"), text(field(value, "property"))
        else:
            continue
        if model.startswith("$") or model in MODEL_OPS:
            continue
        call = m["callsite"][0]
        args_node = field(call, "arguments")
        if args_node is None or args_node.type != "arguments":
            continue
        yield call, receiver, model, text(callee[0]), _model_args(args_node, pf)


def _unbound(pf: ParsedFile, receiver: ts.Node) -> tuple[str, tuple[str, ...]] | None:
    """(name, `("()",)` when called) of a receiver that is a name no scope of the file
    declares (`db`), or a call of one (`usePrisma()`)."""
    r = unwrap(receiver)
    called = r is not None and r.type == "call_expression"
    if called:
        args = field(r, "arguments")
        r = unwrap(field(r, "function")) if args is not None and not args.named_children else None
    if r is None or r.type != "identifier" or pf.resolver.lookup(text(r), r) is not None:
        return None
    return text(r), ("()",) if called else ()


def extract(pf: ParsedFile, ctx: ContextBuilder,
            ) -> tuple[tuple[PrismaCallCandidate, ...], tuple[ShapedCall, ...]]:
    """The candidates, and the Prisma-shaped calls whose receiver this file cannot place."""
    out = []
    unresolved = []
    shapes = [(_shape(pf, m), False) for _, m in pf.matches("prisma_calls")]
    for shape, held in (*shapes, *((d, True) for d in _delegate_shapes(pf))):
        if shape is None:
            continue
        node, receiver, model, op, args = shape
        bare = unwrap(receiver) or receiver   # (`(db.prisma as any).user`: an assertion holds the same value)
        ref = pf.resolver.classify_this(bare, model) if bare.type == "this" \
            else pf.resolver.classify(receiver)
        if ref.kind == "unknown" and bare.type == "member_expression" \
                and field(bare, "property") is not None:
            # `fastify.prisma`: a member of a value this file cannot type; the index reads it
            # a client where the project declares one so (facts/augments.py), else unresolved.
            ref = ClientRef("member", "member of a value the file cannot type",
                            name=text(field(bare, "property")))
        if ref.kind == "unknown" and (unbound := _unbound(pf, receiver)) is not None:
            # `usePrisma().user` or `db.user` where nothing here declares the name: the index
            # looks it up where the framework imports names from (Nuxt's server/utils).
            ref = ClientRef("global", "a name no scope of the file declares", name=unbound[0], members=unbound[1])
        if ref.kind == "unknown" and (key := context_key(pf, receiver)) is not None:
            # `c.get('db')`: a request context's variable, a client where a middleware sets one.
            ref = ClientRef("member", "a request context's variable", name=key)
        if ref.kind == "none" and model is not None and _member_of_client(pf, receiver):
            # `db.client.user.findMany()` on a client: Prisma's API has no models under a
            # model or `$` member, so the receiver is something else the scan did not type;
            # counted, so that a wrapper it misreads is said, not silently dropped.
            ref = UNKNOWN
        if ref.kind == "unknown":
            # (a name taken out of a value the file cannot type, `const { items } = cart`, is
            # no Prisma shape to report unresolved: only a delegate of a client counts)
            if not held:
                unresolved.append(ShapedCall(short(receiver, 80), model, op, span(node)))
            continue
        if ref.kind == "none":
            continue
        given = given_by_caller(pf, receiver)
        if given is not None:
            ref = replace(ref, given=given)
        out.append((node, PrismaCallCandidate(
            receiver=short(receiver, 80), ref=ref, model=model, operation=op, span=span(node),
            args=args, ctx=ctx.build(node, _receiver_root(receiver)), text=short(node, 240),
        )))
    calls = with_results(pf, out)
    calls.sort(key=lambda c: (c.span.line, c.span.column))
    return tuple(calls), tuple(unresolved)
