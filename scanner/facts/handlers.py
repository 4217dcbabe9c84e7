"""What a catch handler does, read from its syntax tree: throws, returns,
responses, logging, other calls, and whether it looks at the error. The error
rules read the `HandlerSummary`; they never look at handler text."""

from __future__ import annotations

import re

import tree_sitter as ts

from .model import HandlerSummary
from .nodes import FUNCTION_TYPES, field, member_chain, param_nodes, param_pattern, short, text, unwrap

# Objects whose method calls are logging: console.*, log.*, logger.*, ctx.logger.*, apiLogger.*
_LOG_OBJECTS = frozenset({"console", "log", "logger"})
# Calls that hand the error to someone who will deal with it.
_FORWARDERS = frozenset({"reject", "next", "done", "callback", "cb"})
# Functions that answer the request.
_RESPONSE_FUNCTIONS = frozenset({"redirect", "permanentRedirect", "notFound", "unauthorized",
                                  "forbidden", "json", "error"})
_RESPONSE_CLASSES = frozenset({"NextResponse", "Response"})
_RESPONSE_OBJECTS = frozenset({"res", "response", "reply"})
_RESPONSE_METHODS = frozenset({"status", "json", "send", "end", "sendStatus", "redirect", "writeHead"})
# The methods whose first argument is the body; Hono's context takes the status second.
_BODY_METHODS = frozenset({"json", "text", "html", "body", "send"})
_HONO_METHODS = _RESPONSE_METHODS | _BODY_METHODS
# Calls that only format a value for a log line.
_PURE = frozenset({"String", "JSON.stringify", "Number", "Boolean"})
_COLLECTION_METHODS = frozenset({"push", "unshift", "add", "set"})
_PRISMA_CODE = re.compile(r"^P\d{4}$")
_CONDITION_FIELDS = {"if_statement": "condition", "while_statement": "condition",
                     "switch_statement": "value", "ternary_expression": "condition"}
_TESTS = frozenset({"instanceof", "==", "===", "!=", "!==", "in"})
_INSPECTED_MEMBERS = frozenset({"code", "meta", "errorCode", "clientVersion"})
_STATUS_KEYS = frozenset({"status", "statusCode", "code"})


def is_log_call(callee: ts.Node | None) -> bool:
    if callee is None or callee.type != "member_expression":
        return False
    obj = field(callee, "object")
    while obj is not None and obj.type == "call_expression":  # logger.child({...}).error
        inner = field(obj, "function")
        obj = field(inner, "object") if inner is not None and inner.type == "member_expression" else None
    chain = member_chain(obj) if obj is not None else None
    if chain is None:
        return False
    last = chain.rsplit(".", 1)[-1]
    return last in _LOG_OBJECTS or last.lower().endswith("logger")


def _callee_text(call: ts.Node) -> str:
    fn = field(call, "function")
    chain = member_chain(fn) if fn is not None else None
    return chain if chain is not None else short(fn, 80)


def _is_response_call(call: ts.Node) -> bool:
    fn = field(call, "function")
    if fn is None:
        return False
    if fn.type == "identifier":
        return text(fn) in _RESPONSE_FUNCTIONS
    if fn.type != "member_expression":
        return False
    prop = text(field(fn, "property"))
    obj = unwrap(field(fn, "object"))
    while obj is not None and obj.type == "call_expression":  # res.status(500).json(...)
        inner = field(obj, "function")
        obj = unwrap(field(inner, "object")) if inner is not None and inner.type == "member_expression" else None
    chain = member_chain(obj) if obj is not None else None
    if chain is None:
        return False
    root, last = chain.split(".", 1)[0], chain.rsplit(".", 1)[-1]
    if root in _RESPONSE_CLASSES:
        return True
    # `c.json(...)` (Hono) and `res.status(500)`
    return (last in _RESPONSE_OBJECTS and prop in _RESPONSE_METHODS) or \
        (last == "c" and prop in _HONO_METHODS)


class _Walker:
    def __init__(self, names: set[str]):
        self.names = set(names)          # the error binding and its aliases
        self.statements = 0
        self.throws = self.rethrows = self.returns = self.forwards = False
        self.responds = self.records = self.inspects = False
        self.statuses: list[str] = []
        self.logs: list[str] = []
        self.calls: list[str] = []
        self.passes: list[str] = []
        self.locals: set[str] = set()    # names declared inside the handler
        self.falls_through = False

    def refers_to_error(self, node: ts.Node | None) -> bool:
        if node is None:
            return False
        stack = [node]
        while stack:
            n = stack.pop()
            if n.type == "identifier" and text(n) in self.names:
                return True
            if n.type not in FUNCTION_TYPES:
                stack.extend(n.named_children)
        return False

    def walk(self, root: ts.Node) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            t = node.type
            if t in FUNCTION_TYPES:
                continue  # runs later, if at all
            children = True
            if t == "throw_statement":
                self.throws = True
                thrown = unwrap(node.named_children[0]) if node.named_children else None
                if thrown is not None and thrown.type == "identifier" and text(thrown) in self.names:
                    self.rethrows = True
                if thrown is not None and thrown.type == "new_expression":
                    self._statuses_in(field(thrown, "arguments"))
            elif t == "return_statement":
                self.returns = True
            elif t == "yield_expression" and self.refers_to_error(node):
                self.returns = True  # a generator hands the error to its consumer
            elif t in ("call_expression", "new_expression"):
                children = self._call(node)
            elif t in ("assignment_expression", "augmented_assignment_expression"):
                self._assignment(field(node, "left"))
            elif t == "update_expression":
                self._assignment(field(node, "argument"))  # failures++
            elif t == "variable_declarator":
                self._declarator(node)
            elif t in _CONDITION_FIELDS:
                if self.refers_to_error(field(node, _CONDITION_FIELDS[t])):
                    self.inspects = True
            elif t == "binary_expression":
                op = text(field(node, "operator"))
                if op in _TESTS or op in ("&&", "||", "??"):
                    if op in _TESTS and (self.refers_to_error(field(node, "left"))
                                         or self.refers_to_error(field(node, "right"))):
                        self.inspects = True
                    elif op in ("&&", "||") and self.refers_to_error(field(node, "left")):
                        self.inspects = True
            elif t == "member_expression":
                obj = unwrap(field(node, "object"))
                if text(field(node, "property")) in _INSPECTED_MEMBERS and obj is not None \
                        and obj.type == "identifier" and text(obj) in self.names:
                    self.inspects = True
            elif t in ("string", "string_fragment"):
                if _PRISMA_CODE.match(text(node).strip("'\"`")):
                    self.inspects = True
            if children:
                stack.extend(reversed(node.named_children))

    def _call(self, node: ts.Node) -> bool:
        """Classify one call; returns whether to look inside its arguments."""
        args = field(node, "arguments")
        if node.type == "new_expression":
            cls = text(field(node, "constructor")).split(".")[-1]
            if cls in _RESPONSE_CLASSES:
                self.responds = True
                self._statuses_in(args, default="200")
            elif not cls.endswith("Error"):
                self.calls.append(f"new {cls}")  # new Promise(...): some other work
            return True
        fn = field(node, "function")
        name = _callee_text(node)
        passes_error = args is not None and any(self.refers_to_error(a) for a in args.named_children)
        if is_log_call(fn):
            self.logs.append(name)
            return False
        if _is_response_call(node):
            self.responds = True
            self._response_status(node)
            return True
        if fn is not None and fn.type == "identifier" and text(fn) in _FORWARDERS and passes_error:
            self.forwards = True
            return True
        if fn is not None and fn.type == "identifier" and re.match(r"^set[A-Z]", text(fn)):
            self.records = True
            return True
        if fn is not None and fn.type == "member_expression" \
                and text(field(fn, "property")) in _COLLECTION_METHODS:
            root = member_chain(field(fn, "object"))
            if root is not None and root.split(".", 1)[0] not in self.locals:
                self.records = True
                return True
        if name in _PURE or (fn is not None and fn.type == "member_expression"
                             and self.refers_to_error(field(fn, "object"))):
            return True  # String(error), error.toString(): formatting
        self.calls.append(name)
        if passes_error:
            self.passes.append(name)
        return True

    def _response_status(self, call: ts.Node) -> None:
        fn = field(call, "function")
        prop = text(field(fn, "property")) if fn is not None and fn.type == "member_expression" else ""
        args = field(call, "arguments")
        if prop in ("status", "sendStatus", "writeHead") or (fn is not None and fn.type == "identifier"
                                                             and text(fn) == "error"):
            first = unwrap(args.named_children[0]) if args is not None and args.named_children else None
            self.statuses.append(text(first) if first is not None and first.type == "number" else "?")
            return
        if prop in ("json", "send", "end") and fn is not None:
            obj = unwrap(field(fn, "object"))
            if obj is not None and obj.type == "call_expression":
                return  # res.status(500).json(...): the status call counted it
        if prop == "error" and fn is not None and text(field(fn, "object")) in ("Response", "NextResponse"):
            # `Response.error()`: a network error (status 0, the fetch rejects), not a 200.
            self.statuses.append(f"{text(field(fn, 'object'))}.error()")
            return
        if prop in ("redirect",) or (fn is not None and fn.type == "identifier"
                                     and text(fn) in ("redirect", "permanentRedirect", "notFound")):
            self.statuses.append("redirect" if "edirect" in (prop or text(fn)) else "404")
            return
        second = unwrap(args.named_children[1]) if args is not None and len(args.named_children) > 1 else None
        if prop in _BODY_METHODS and second is not None and second.type == "number":
            # Hono's `c.json(body, 500)`, `c.text(msg, 404)`: the status is the second argument.
            self.statuses.append(text(second))
            return
        self._statuses_in(args, default="200")

    def _statuses_in(self, args: ts.Node | None, default: str | None = None) -> None:
        """`{ status: 500 }` / `{ code: 'INTERNAL_SERVER_ERROR' }` among the arguments."""
        found = False
        stack = list(args.named_children) if args is not None else []
        while stack:
            n = stack.pop()
            if n.type == "pair" and text(field(n, "key")).strip("'\"") in _STATUS_KEYS:
                v = unwrap(field(n, "value"))
                found = True
                if v is not None and v.type == "number":
                    self.statuses.append(text(v))
                elif v is not None and v.type == "string":
                    self.statuses.append(text(v).strip("'\"`"))
                else:
                    self.statuses.append("?")
            elif n.type == "object":
                stack.extend(n.named_children)
        if not found and default is not None:
            self.statuses.append(default)

    def _assignment(self, target: ts.Node | None) -> None:
        left = unwrap(target)
        if left is None:
            return
        if left.type == "identifier":
            if text(left) not in self.locals:
                self.records = True
            return
        chain = member_chain(left)
        root = chain.split(".", 1)[0] if chain else None
        if root is None or root not in self.locals:
            self.records = True

    def _declarator(self, node: ts.Node) -> None:
        name = field(node, "name")
        value = field(node, "value")
        if name is None:
            return
        stack = [name]
        names = []
        while stack:
            n = stack.pop()
            if n.type in ("identifier", "shorthand_property_identifier_pattern"):
                names.append(text(n))
            else:
                stack.extend(n.named_children)
        self.locals.update(names)
        v = unwrap(value)
        if v is not None and v.type == "identifier" and text(v) in self.names:
            if name.type == "identifier":
                self.names.add(text(name))       # const err = error as PrismaError
            elif any(n in _INSPECTED_MEMBERS for n in names):
                self.inspects = True             # const { code } = error

    def summary(self, comments: bool) -> HandlerSummary:
        return HandlerSummary(
            statements=self.statements, comments=comments, throws=self.throws,
            rethrows=self.rethrows, returns=self.returns, forwards=self.forwards,
            responds=self.responds, records=self.records, inspects=self.inspects,
            statuses=tuple(dict.fromkeys(self.statuses)), logs=tuple(self.logs),
            calls=tuple(self.calls), passes=tuple(dict.fromkeys(self.passes)),
            falls_through=self.falls_through,
        )


def ends_in_answer(stmts: list[ts.Node]) -> bool:
    """Whether a block's last statement returns, throws or answers the request:
    otherwise (`if (!member) notFound()` then carry on) the answer is conditional."""
    if not stmts:
        return False
    last = stmts[-1]
    if last.type in ("return_statement", "throw_statement"):
        return True
    if last.type != "expression_statement" or not last.named_children:
        return False
    value = unwrap(last.named_children[0])
    if value is not None and value.type == "await_expression" and value.named_children:
        value = unwrap(value.named_children[0])
    if value is None:
        return False
    if value.type == "new_expression":
        return text(field(value, "constructor")).split(".")[-1] in _RESPONSE_CLASSES
    return value.type == "call_expression" and _is_response_call(value)


# Comments addressed to tools, not readers: lint and type-check directives, coverage
# markers, suppressions, and dbaudit's own fixture annotations. `match` a comment's text,
# or `sub` them out of a handler's text, to the end of their line.
TOOL_COMMENT = re.compile(r"\s*(?://|/\*)\s*(?:eslint|@ts-|prettier|istanbul|c8\b|biome-ignore|"
                          r"dbaudit-ignore|ruleid|todoruleid|ok:|todook|prisma-call|not-prisma-call)[^\n]*")


def _reader_comments(body: ts.Node) -> bool:
    """Whether a block holds a comment for readers (`/* ignore: best effort */`), not a tool's."""
    return any(c.type == "comment" and not TOOL_COMMENT.match(text(c)) for c in body.named_children)


def _pattern_names(pattern: ts.Node | None) -> set[str]:
    if pattern is None:
        return set()
    if pattern.type == "identifier":
        return {text(pattern)}
    return set()


def summarise_catch_clause(clause: ts.Node) -> HandlerSummary:
    """`catch (error) { ... }`"""
    param = field(clause, "parameter")
    body = field(clause, "body")
    w = _Walker(_pattern_names(param))
    if body is None:
        return w.summary(False)
    stmts = [c for c in body.named_children if c.type != "comment"]
    w.statements = len(stmts)
    for s in stmts:
        w.walk(s)
    w.falls_through = bool(stmts) and not ends_in_answer(stmts)
    return w.summary(_reader_comments(body))


def summarise_catch_callback(handler: ts.Node) -> HandlerSummary:
    """The argument of `.catch(handler)`: a function, or a reference such as
    `console.error` or `noop`."""
    handler = unwrap(handler)
    if handler is None:
        return HandlerSummary()
    if handler.type not in FUNCTION_TYPES:
        name = member_chain(handler) or short(handler, 80)
        if handler.type == "member_expression" and is_log_call(handler):
            return HandlerSummary(statements=1, logs=(name,))
        # A named function handles it; what it does is beyond this file's tree.
        return HandlerSummary(statements=1, calls=(name,), passes=(name,))
    params = param_nodes(handler)
    w = _Walker(_pattern_names(param_pattern(params[0])) if params else set())
    body = field(handler, "body")
    if body is None:
        return w.summary(False)
    if body.type == "statement_block":
        stmts = [c for c in body.named_children if c.type != "comment"]
        w.statements = len(stmts)
        for s in stmts:
            w.walk(s)
        w.falls_through = bool(stmts) and not ends_in_answer(stmts)
        return w.summary(_reader_comments(body))
    # An expression body is the handler's value: `() => null` returns, `(e) => console.error(e)` logs.
    value = unwrap(body)
    w.statements = 1
    if value is not None and value.type == "undefined" or (value is not None and value.type == "unary_expression"
                                                             and text(value).startswith("void")):
        w.walk(value)
        return w.summary(False)
    w.walk(body)
    if not (value is not None and value.type == "call_expression" and is_log_call(field(value, "function"))):
        w.returns = True
    return w.summary(False)
