"""Small helpers over tree-sitter nodes, shared by the fact extractors."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

import tree_sitter as ts

from .model import Span

# A SCREAMING_CASE constant's name, dotted members included (`TABLE`, `COLUMNS.NAME`).
CONSTANT_NAME = re.compile(r"[A-Z][A-Z0-9_]*(\.[A-Z][A-Z0-9_]*)*")

FUNCTION_TYPES = frozenset({
    "function_declaration", "generator_function_declaration", "function_expression",
    "arrow_function", "method_definition", "function",
})
# The loop statements (`for…of` and `for…in` are both `for_in_statement`).
LOOP_TYPES = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})
# Wrappers that do not change what an expression evaluates to.
TRANSPARENT = frozenset({
    "parenthesized_expression", "non_null_expression", "as_expression",
    "satisfies_expression", "type_assertion",
})
_UNWRAPPED = TRANSPARENT | {"await_expression"}


def text(node: ts.Node | None) -> str:
    if node is None:
        return ""
    t = node.text  # each read slices the source again
    if t is None:
        return ""
    try:
        return t.decode()  # twice as fast as with an error handler named
    except UnicodeDecodeError:
        return t.decode("utf-8", errors="replace")


def short(node: ts.Node | None, limit: int = 200) -> str:
    """Whitespace-folded text, bounded (`split` folds what `\\s+` matches, faster than a regex)."""
    t = " ".join(text(node).split())
    return t if len(t) <= limit else t[: limit - 1] + "…"


def short_callee(node: ts.Node | None, limit: int = 80) -> str:
    """A callee's text bounded like `short`, keeping the method it calls when a long chain is
    cut (`ffmpeg().input(…)….on`): what is called decides how a callback handed to it runs."""
    t = short(node, limit)
    n = unwrap(node)
    if not t.endswith("…") or n is None or n.type != "member_expression":
        return t
    prop = text(field(n, "property"))
    return f"{t[:max(limit - len(prop) - 2, 1)]}….{prop}"


def ancestors_from(root: ts.Node, site: ts.Node) -> list[ts.Node]:
    """The site's ancestors, innermost first (as climbing `Node.parent`), found from the root
    (`Node.child_with_descendant`, one step per level: climbing walks down from the root again
    at every step)."""
    path = []
    n = root
    while n is not None and n != site:
        path.append(n)
        n = n.child_with_descendant(site)
    if n is None:  # not under root: climb instead
        return ancestors(site)
    path.reverse()
    return path


def key(node: ts.Node) -> int:
    """A key unique in one file and stable across parses of the same bytes."""
    return (node.start_byte << 24) | ((node.end_byte - node.start_byte) & 0xFFFFFF)


def span(node: ts.Node) -> Span:
    return Span(node.start_point[0] + 1, node.start_point[1] + 1,
                node.end_point[0] + 1, node.end_point[1] + 1)


# `field(node, name)`: the method itself, not a wrapper around it (900,000 calls a
# documenso scan; a Python frame each cost more than the lookup).
field = ts.Node.child_by_field_name


def is_field(parent: ts.Node, name: str, child: ts.Node) -> bool:
    c = parent.child_by_field_name(name)
    return c is not None and c.start_byte == child.start_byte and c.end_byte == child.end_byte \
        and c.type == child.type


def unwrap(node: ts.Node | None) -> ts.Node | None:
    """Strip parentheses, `!`, `as T`, `satisfies T` and `await`."""
    while node is not None and node.type in _UNWRAPPED:
        node = node.named_child(0) if node.named_child_count else None  # no list of all children
    return node


def unbound(node: ts.Node, named: bool = False) -> ts.Node:
    """The function a handler argument hands on: `fn` of `fn.bind(thisArg, …)` (binding
    `this` hands on the same function: `app.post('/x', opts, controller.create.bind(controller))`),
    the function literal a wrapper is given (`handleAsync(async (req, res) => …)`: what it
    returns runs that function per request), and with `named` the name it is given
    (`asyncHandler(ctrl.create)`, for a route's last argument); any other node itself."""
    n = unwrap(node)
    fn = field(n, "function") if n is not None and n.type == "call_expression" else None
    if fn is not None and fn.type == "member_expression" and text(field(fn, "property")) == "bind":
        return field(fn, "object") or node
    if fn is not None:
        args = [unwrap(a) for a in field(n, "arguments").named_children if a.type != "comment"] \
            if field(n, "arguments") is not None else []
        if len(args) == 1 and args[0] is not None and (
                args[0].type in FUNCTION_TYPES or named and args[0].type in ("identifier", "member_expression")):
            return args[0]
    return node


def object_pairs(obj: ts.Node | None) -> dict[str, ts.Node]:
    """An object literal's keys (quotes stripped) and value nodes; a shorthand property
    (`{ schema }`) is its own value."""
    if obj is None or obj.type != "object":
        return {}
    out = {}
    for p in obj.named_children:
        if p.type == "pair" and field(p, "value") is not None:
            out[text(field(p, "key")).strip("'\"")] = field(p, "value")
        elif p.type == "shorthand_property_identifier":
            out[text(p)] = p
    return out


def outermost(root: ts.Node, match) -> Iterator[ts.Node]:
    """The nodes under `root` for which `match(node)` holds, in source order, not looking
    inside one that does (a resolver map's `Query` object, a provider object)."""
    stack = [root]
    while stack:
        n = stack.pop()
        if match(n):
            yield n
            continue
        stack.extend(reversed(n.named_children))


def inline_argument(fn: ts.Node | None) -> tuple[ts.Node, ts.Node | None] | None:
    """(the arguments node, the call's callee unwrapped) when function `fn` is written inline
    as an argument of a call (`rows.map((r) => …)`); None otherwise."""
    holder = fn.parent if fn is not None else None
    if holder is None or holder.type != "arguments":
        return None
    return holder, unwrap(field(holder.parent, "function")) if holder.parent is not None else None


def enclosing(node: ts.Node, types) -> ts.Node | None:
    """The nearest proper ancestor of `node` whose type is in `types`."""
    n = node.parent
    while n is not None and n.type not in types:
        n = n.parent
    return n


def class_method(node: ts.Node, name: str) -> ts.Node | None:
    """The method `name` of the class whose body holds `node` (`this.name(…)`)."""
    body = enclosing(node, ("class_body",))
    for member in body.named_children if body is not None else ():
        if member.type == "method_definition" and text(field(member, "name")) == name:
            return member
    return None


def ancestors(node: ts.Node) -> list[ts.Node]:
    out = []
    n = node.parent
    while n is not None:
        out.append(n)
        n = n.parent
    return out


def member_chain(node: ts.Node | None) -> str | None:
    """`ctx.prisma` for a pure identifier/this member chain, else None."""
    parts: list[str] = []
    n = node
    while n is not None:
        n = unwrap(n) if n.type in TRANSPARENT else n
        if n.type == "member_expression":
            prop = field(n, "property")
            parts.append(text(prop))
            n = field(n, "object")
        elif n.type in ("identifier", "this"):
            parts.append(text(n))
            return ".".join(reversed(parts))
        else:
            return None
    return None


def callee_name(call: ts.Node) -> tuple[str, str | None]:
    """(callee text, member property name or None) of a call expression."""
    fn = field(call, "function")
    if fn is not None and fn.type == "member_expression":
        return short(fn, 120), text(field(fn, "property"))
    return short(fn, 120), None


def is_async(fn: ts.Node) -> bool:
    return any(c.type == "async" for c in fn.children)


def param_nodes(fn: ts.Node) -> list[ts.Node]:
    """Parameter nodes of a function, including an arrow's bare parameter."""
    single = field(fn, "parameter")
    if single is not None:
        return [single]
    params = field(fn, "parameters")
    if params is None:
        return []
    return [p for p in params.named_children if p.type != "comment"]


def param_pattern(p: ts.Node) -> ts.Node:
    if p.type in ("required_parameter", "optional_parameter"):
        pat = field(p, "pattern")
        if pat is not None:
            return pat
    return p


def param_type(p: ts.Node) -> str:
    if p.type in ("required_parameter", "optional_parameter"):
        t = field(p, "type")
        if t is not None:
            return short(t, 120).lstrip(":").strip()
    return ""


# Calls that never return: Next.js's navigation functions throw to end the render or action
# (`redirect()`, `notFound()`), as SvelteKit 2's `redirect()` does; `process.exit()`. (A bare
# `error()` is as often a logger as SvelteKit's.)
NEVER_RETURN = frozenset({"redirect", "permanentRedirect", "notFound", "unauthorized", "forbidden",
                          "process.exit"})


def never_returns(stmt: ts.Node) -> bool:
    """`redirect("/x");` as a statement of its own: the code after it does not run."""
    call = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_children else None
    if call is not None and call.type == "await_expression" and call.named_children:
        call = call.named_children[0]
    if call is None or call.type != "call_expression":
        return False
    callee = field(call, "function")
    return callee is not None and callee.type in ("identifier", "member_expression") and text(callee) in NEVER_RETURN


def terminates(node: ts.Node | None, loop_exits: bool = False, iteration_exits: bool = False) -> bool:
    """Whether a statement (or block) always ends in return/throw (or, with
    `loop_exits`, also `break`: it leaves the enclosing loop; with
    `iteration_exits`, also `continue`: it skips the rest of the iteration), or in a call
    that never returns (`redirect()`)."""
    enders = ("return_statement", "throw_statement") + (("break_statement",) if loop_exits else ()) \
        + (("break_statement", "continue_statement") if iteration_exits else ())
    while node is not None:
        if node.type in enders or never_returns(node):
            return True
        if node.type == "else_clause":
            node = node.named_children[-1] if node.named_children else None
            continue
        if node.type in ("statement_block", "switch_case", "switch_default"):
            stmts = [c for c in node.named_children if c.type != "comment"]
            node = stmts[-1] if stmts else None
            continue
        if node.type == "try_statement":
            # Leaves when the block does and, should it throw, the catch does too.
            handler = field(node, "handler")
            body_ends = terminates(field(node, "body"), loop_exits, iteration_exits)
            return body_ends and (handler is None or terminates(field(handler, "body"), loop_exits, iteration_exits))
        if node.type == "if_statement":
            alt = field(node, "alternative")
            return alt is not None and terminates(field(node, "consequence"), loop_exits, iteration_exits) \
                and terminates(alt, loop_exits, iteration_exits)
        return False
    return False


def leaves_after(block: ts.Node, stmt: ts.Node) -> bool:
    """Whether `stmt`, or a statement after it in `block`, always leaves the loop the block is
    the body of (`await create(x); break`): then `stmt` runs once per run of the loop, as it
    would in an if arm that breaks."""
    rest = block.named_children
    at = next((j for j, c in enumerate(rest) if c.start_byte == stmt.start_byte), None)
    return at is not None and any(terminates(c, loop_exits=True) for c in rest[at:])


def import_names(stmt: ts.Node) -> tuple[bool, tuple[tuple[str, str, bool], ...]]:
    """Whether an import statement has a clause, and (local name, imported name, type-only
    specifier) for each name it binds: `default` for a default import, `*` for a namespace."""
    out = []
    has_clause = False
    for clause in stmt.named_children:
        if clause.type != "import_clause":
            continue
        has_clause = True
        for c in clause.named_children:
            ct = c.type
            if ct == "identifier":
                out.append((text(c), "default", False))
            elif ct == "namespace_import":
                out += [(text(x), "*", False) for x in c.named_children if x.type == "identifier"]
            elif ct == "named_imports":
                for spec in c.named_children:
                    if spec.type == "import_specifier":
                        name, alias = field(spec, "name"), field(spec, "alias")
                        out.append((text(alias or name), text(name), any(x.type == "type" for x in spec.children)))
    return has_clause, tuple(out)


def member_root(node: ts.Node | None) -> tuple[ts.Node | None, str | None]:
    """(`x`, "k") for `x.k` whose object is a name, (`x`, None) for the name `x` itself,
    (None, None) otherwise: the name to look up, and the member read on it."""
    node = unwrap(node)
    if node is not None and node.type == "member_expression":
        obj = unwrap(field(node, "object"))
        return (obj, text(field(node, "property"))) if obj is not None and obj.type == "identifier" \
            else (None, None)
    return (node, None) if node is not None and node.type in ("identifier", "shorthand_property_identifier") \
        else (None, None)


@lru_cache(maxsize=4096)
def mention(name: str) -> re.Pattern:
    """`name` as a whole identifier in source text: not part of a longer name, nor a member
    read on something else (`x.name`)."""
    return re.compile(rf"(?<![\w$.]){re.escape(name)}(?![\w$])")


def is_awaited(site: ts.Node, chain) -> bool:
    """Whether the call is awaited: its nearest non-transparent ancestor (`chain`) is an `await`."""
    fn = field(site, "function")
    while fn is not None and fn.type in ("non_null_expression", "instantiation_expression"):
        fn = fn.named_children[0] if fn.named_children else None
    if fn is not None and fn.type == "await_expression":
        return True  # `await x.y<T>(...)`: the grammar nests the await in the callee
    for n in chain:
        if n.type not in TRANSPARENT:
            return n.type == "await_expression"
    return False


def map_callback(call: ts.Node | None) -> ts.Node | None:
    """The callback of `xs.map(cb)` (unwrapped), else None."""
    fn = field(call, "function") if call is not None and call.type == "call_expression" else None
    args = field(call, "arguments") if fn is not None else None
    if fn is None or fn.type != "member_expression" or text(field(fn, "property")) != "map" \
            or args is None or not args.named_children:
        return None
    return unwrap(args.named_children[0])


def holds_name(expr: ts.Node | None, name: str) -> bool:
    """`name` itself, or an array literal holding it (`[a, b]`, `[...a]`)."""
    n = unwrap(expr)
    if n is None:
        return False
    if n.type == "array":
        return any(holds_name(c.named_children[0] if c.type == "spread_element" and c.named_children else c, name)
                   for c in n.named_children)
    return text(n) == name


_PUSH = re.compile(r"(?<![\w$.])([A-Za-z_$][\w$]*)\.push\(([^;\n]*)")  # (the line it is on)
_PUSHED = re.compile(r"(?<![\w$])(?<![\w$]\.)([A-Za-z_$][\w$]*)")


def pushes(fn: ts.Node) -> dict[str, set[str]]:
    """Name -> the arrays function `fn` pushes it into (`ops.push(q)`, `ops.push(...qs)`): the
    names an unrun query held in a name travels on. One pass over the function's text."""
    out: dict[str, set[str]] = {}
    body = text(fn)
    if ".push(" not in body:
        return out
    for m in _PUSH.finditer(body):
        for name in _PUSHED.findall(m.group(2)):
            out.setdefault(name, set()).add(m.group(1))
    return out


def settles_before_binding(chain) -> bool:
    """An `await` between a site and the declaration its value reaches (`const rows = await
    Promise.all(ids.map((id) => q(id)))`): the name holds results, not unrun queries."""
    for n in chain:
        if n.type == "variable_declarator" or n.type in FUNCTION_TYPES and n.type != "arrow_function":
            return False
        if n.type == "await_expression":
            return True
    return False
