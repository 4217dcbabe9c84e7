"""Name resolution by lexical scope: the scope table of a file (`Resolver`), which
also decides whether an expression is a Prisma client (classify.py, bindings.py)."""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter as ts

from .bindings import BindingClassifier
from .classify import (  # noqa: F401 (the names other modules import from here)
    UNKNOWN, ClientClassifier, _returned_expressions, configured,
)
from .literals import array_element, object_property  # noqa: F401 (as above)
from .client_types import TypeReader
from .nodes import (
    FUNCTION_TYPES, field, import_names, is_field, key, param_nodes, param_pattern, param_type, text, unwrap,
)
from .spans import UNSETTLED, Spans

SCOPE_TYPES = frozenset({
    "program", "statement_block", "for_statement", "for_in_statement", "catch_clause",
    "class_body", "switch_body",
}) | FUNCTION_TYPES
_DECLARATIONS = ("lexical_declaration", "variable_declaration")
# The statements `_declare_statement` reads; a block's other statements are skipped unread.
_DECLARING = frozenset({
    "export_statement", *_DECLARATIONS, "function_declaration", "generator_function_declaration",
    "class_declaration", "abstract_class_declaration", "import_statement", "switch_case", "switch_default",
})


@dataclass(slots=True)
class Binding:
    kind: str                 # import, param, var, function, class, catch, loop
    name: str
    node: ts.Node             # declaring node (declarator, parameter, function, import)
    path: tuple[str, ...] = ()  # property path inside a destructuring pattern
    value: ts.Node | None = None  # initialiser (var) or function (param)
    index: int = 0            # parameter position
    type_text: str = ""
    module: str | None = None
    imported: str | None = None


class ClientConfig:
    """The parts of the configuration that decide what a client is."""

    def __init__(self, names, types, classes, modules):
        self.chains = frozenset(n for n in names if "." in n)
        self.names = frozenset(n for n in names if "." not in n)
        self.types = tuple(types)
        self.classes = frozenset(classes)
        self.modules = tuple(modules)
        # The tests below run for every member and type read, so their affixes are built once.
        self._type_affixes = (frozenset(self.types), tuple("." + t for t in self.types),
                              tuple(t + "<" for t in self.types))
        self._chain_suffixes = tuple("." + c for c in self.chains if not c.startswith("this."))
        self._module_prefixes = tuple(m.rstrip("*") for m in self.modules if m.endswith("*"))

    def type_is_client(self, type_text: str) -> bool:
        t = type_text.replace(" ", "")
        exact, dotted, generic = self._type_affixes
        return t in exact or t.endswith(dotted) or t.startswith(generic)

    def chain_is_client(self, chain: str) -> bool:
        # `opts.ctx.prisma` ends with the configured `ctx.prisma`.
        return chain in self.chains or chain.endswith(self._chain_suffixes)

    def module_is_client(self, module: str) -> bool:
        return module in self.modules or module.startswith(self._module_prefixes)


def pattern_bindings(pattern: ts.Node, path=()):
    """(name, path, node) for every identifier bound by a destructuring pattern."""
    stack = [(pattern, path)]
    while stack:
        node, p = stack.pop()
        t = node.type
        if t in ("identifier", "shorthand_property_identifier_pattern"):
            name = text(node)
            yield name, (p if t == "identifier" else p + (name,)), node
        elif t == "object_pattern":
            for c in node.named_children:
                stack.append((c, p))
        elif t == "pair_pattern":
            k, v = field(node, "key"), field(node, "value")
            if k is not None and v is not None:
                stack.append((v, p + (text(k).strip("'\""),)))
        elif t == "object_assignment_pattern":
            left = field(node, "left")
            if left is not None:
                stack.append((left, p))
        elif t == "assignment_pattern":
            left = field(node, "left")
            if left is not None:
                stack.append((left, p))
        elif t == "array_pattern":
            for i, c in enumerate(node.named_children):
                stack.append((c, p + (f"[{i}]",)))
        elif t == "rest_pattern" and node.named_children:
            stack.append((node.named_children[0], p + ("...",)))  # `{ id, ...rest }`: the rest of p
        elif t in ("required_parameter", "optional_parameter"):
            stack.append((param_pattern(node), p))


_UNLINKED = object()


class _Scope:
    """A scope node, its table, and the scope around it (linked on first use)."""

    __slots__ = ("node", "table", "up")

    def __init__(self, node: ts.Node, table: dict[str, Binding]):
        self.node = node
        self.table = table
        self.up: _Scope | None | object = _UNLINKED


class Resolver(ClientClassifier, BindingClassifier):
    def __init__(self, root: ts.Node, config: ClientConfig, scope_nodes: list[ts.Node] | None = None):
        self.root = root
        self.config = config
        # Every scope node of the file (None when the query pass may have missed some):
        # the scope around a node by its byte range, with the climb below as the fallback.
        spans = Spans(scope_nodes) if scope_nodes else None
        self._spans = spans if spans is not None and spans.usable else None
        self._tables: dict[int, dict[str, Binding]] = {}
        self._classifying: set[int] = set()
        # (id of a Binding of this file's tables, depth) -> its ClientRef (classify_binding)
        self._binding_refs: dict[tuple[int, int], object] = {}
        # Node -> its nearest enclosing scope node. `Node.parent` walks down from
        # the root, so walking up a deep expression (a 1,000-term `a + b + …`) for
        # every identifier in it would be cubic; each node is climbed once.
        self._scope_of: dict[tuple[int, int, int], ts.Node | None] = {}
        self._scopes: dict[tuple[int, int, int], _Scope] = {}  # scope node -> its table and outer scope
        self._resolved: dict[tuple[str, int, int], Binding | None] = {}  # (name, node id, start) -> lookup()
        # (function key, parameter index) -> what its local callers pass (local_call_arguments)
        self.call_arguments: dict[tuple, list[ts.Node] | None] = {}
        self._identifiers: dict[str, list[ts.Node]] | None = None
        self._returns: dict[int, list[ts.Node]] | None = None  # function key -> returned expressions
        # The values of the file's return statements (a query capture), when the extractor has them.
        self.return_values = None
        self.types = TypeReader(self)
        # Function node key -> function id, set by the extractor (parameters its callers settle).
        self.function_ids: dict[int, int] = {}
        self._class_members: dict[int, dict[str, list[tuple[str, ts.Node]]]] = {}
        self._imports: dict[int, tuple] = {}  # import statement key -> import_names(stmt)

    def close(self) -> None:
        """Drop the references back to this table (`ParsedFile.close`)."""
        self.types = None
        self.return_values = None

    def returned_expressions(self, fn: ts.Node) -> list[ts.Node]:
        """`_returned_expressions(fn)` for many functions of the file, from the return
        statements the combined query pass found (`return_values`, set by the extractor),
        each climbed to the function it leaves, instead of a walk of every body."""
        body = field(fn, "body")
        if body is not None and body.type != "statement_block":
            return [body]
        if self.return_values is None:
            return _returned_expressions(fn)
        if self._returns is None:
            self._returns = {}
            for value in self.return_values():
                n = value.parent.parent if value.parent is not None else None
                while n is not None and n.type not in FUNCTION_TYPES and n.type not in ("class_body", "program"):
                    n = n.parent
                if n is not None and n.type in FUNCTION_TYPES:
                    self._returns.setdefault(key(n), []).append(value)
        return self._returns.get(key(fn), [])

    def identifiers_named(self, name: str) -> list[ts.Node]:
        """Every identifier node of the file spelled `name` (one walk, on first use)."""
        if self._identifiers is None:
            self._identifiers = {}
            stack = [self.root]
            while stack:
                n = stack.pop()
                if n.type == "identifier":
                    self._identifiers.setdefault(text(n), []).append(n)
                else:
                    stack.extend(n.named_children)
        return self._identifiers.get(name, [])

    # -- scopes ---------------------------------------------------------------
    def lookup(self, name: str, at: ts.Node) -> Binding | None:
        """The binding `name` has at `at`: the innermost scope around it that declares it.
        The scopes above a scope are linked once (`_Scope.up`), so looking a name up
        through them is a dict lookup per scope, with no tree walk."""
        k = (name, at.id, at.start_byte)
        found = self._resolved.get(k, _UNLINKED)
        if found is not _UNLINKED:
            return found  # extractors look the same node up again (4 in 10 lookups)
        n = at if at.type in SCOPE_TYPES else self._enclosing_scope(at)
        s = self._scope(n) if n is not None else None
        found = None
        while s is not None:
            found = s.table.get(name)
            if found is not None:
                break
            up = s.up
            if up is _UNLINKED:
                outer = self._spans.outside(s.node) if self._spans is not None else UNSETTLED
                if outer is UNSETTLED:
                    outer = self._enclosing_scope(s.node)
                up = s.up = self._scope(outer) if outer is not None else None
            s = up
        self._resolved[k] = found
        return found

    def _scope(self, node: ts.Node) -> _Scope:
        k = (node.id, node.start_byte, node.end_byte)
        s = self._scopes.get(k)
        if s is None:
            s = self._scopes[k] = _Scope(node, self._table(node))
        return s

    def _enclosing_scope(self, node: ts.Node) -> ts.Node | None:
        if self._spans is not None:
            found = self._spans.around(node)
            if found is not UNSETTLED and found is not None:  # None: outside the program?
                return found
        climbed = []
        n = node
        scope = None
        while True:
            k = (n.id, n.start_byte, n.end_byte)
            if k in self._scope_of:
                scope = self._scope_of[k]
                break
            climbed.append(k)
            n = n.parent
            if n is None or n.type in SCOPE_TYPES:
                scope = n
                break
        for k in climbed:
            self._scope_of[k] = scope
        return scope

    def _table(self, scope: ts.Node) -> dict[str, Binding]:
        k = key(scope) ^ hash(scope.type)
        table = self._tables.get(k)
        if table is None:
            table = {}
            self._fill(scope, table)
            self._tables[k] = table
        return table

    def _fill(self, scope: ts.Node, table: dict[str, Binding]) -> None:
        t = scope.type
        if t in FUNCTION_TYPES:
            for i, p in enumerate(param_nodes(scope)):
                for name, path, node in pattern_bindings(param_pattern(p)):
                    table[name] = Binding("param", name, p, path, scope, i, param_type(p))
            own = field(scope, "name") if t == "function_expression" else None
            if own is not None:
                table.setdefault(text(own), Binding("function", text(own), scope))
            return
        if t == "for_in_statement":
            left = field(scope, "left")
            if left is not None:
                for name, path, node in pattern_bindings(left):
                    table[name] = Binding("loop", name, scope, path)
            return
        if t == "for_statement":
            init = field(scope, "initializer")
            if init is not None and init.type in _DECLARATIONS:
                self._declare(init, table)
            return
        if t == "catch_clause":
            p = field(scope, "parameter")
            if p is not None:
                for name, path, node in pattern_bindings(p):
                    table[name] = Binding("catch", name, scope, path)
            return
        for stmt in scope.named_children:
            if stmt.type in _DECLARING:
                self._declare_statement(stmt, table)

    def _declare_statement(self, stmt: ts.Node, table: dict[str, Binding]) -> None:
        t = stmt.type
        if t == "export_statement":
            decl = field(stmt, "declaration")
            if decl is not None:
                self._declare_statement(decl, table)
        elif t in _DECLARATIONS:
            self._declare(stmt, table)
        elif t in ("function_declaration", "generator_function_declaration", "class_declaration",
                   "abstract_class_declaration"):
            name = field(stmt, "name")
            if name is not None:
                local = text(name)
                table[local] = Binding("class" if "class" in t else "function", local, stmt)
        elif t == "import_statement":
            self._declare_import(stmt, table)
        elif t in ("switch_case", "switch_default"):
            for c in stmt.named_children:
                self._declare_statement(c, table)

    def _declare(self, decl: ts.Node, table: dict[str, Binding]) -> None:
        for d in decl.named_children:
            if d.type != "variable_declarator":
                continue
            name, value = field(d, "name"), field(d, "value")
            if name is None:
                continue
            if name.type == "identifier":  # what pattern_bindings yields for it, without the walk
                n = text(name)
                table[n] = Binding("var", n, d, (), value)
                continue
            for n, path, node in pattern_bindings(name):
                table[n] = Binding("var", n, d, path, value)

    def import_names(self, stmt: ts.Node) -> tuple[bool, tuple[tuple[str, str, bool], ...]]:
        """`nodes.import_names(stmt)`, read once per file: the scope table and the
        file's imports (`imports.extract`) both read every import statement."""
        k = key(stmt)
        got = self._imports.get(k)
        if got is None:
            got = self._imports[k] = import_names(stmt)
        return got

    def _declare_import(self, stmt: ts.Node, table: dict[str, Binding]) -> None:
        source = field(stmt, "source")
        module = text(source).strip("'\"`") if source is not None else ""
        for local, imported, _ in self.import_names(stmt)[1]:
            table[local] = Binding("import", local, stmt, module=module, imported=imported)


def same_binding(a: Binding | None, b: Binding | None) -> bool:
    return a is not None and b is not None and a.node == b.node and a.name == b.name




def _local_name(fn: ts.Node) -> str | None:
    """The name of a function no other module can call: a function declaration or a
    `const f = (…) => …` that is not exported."""
    if fn.type == "function_declaration":
        owner = fn
        name = text(field(fn, "name"))
    elif fn.type in ("arrow_function", "function_expression") and fn.parent is not None \
            and fn.parent.type == "variable_declarator" and fn.parent.parent is not None:
        owner = fn.parent.parent
        name = text(field(fn.parent, "name"))
    else:
        return None
    if owner.parent is None or owner.parent.type not in ("program", "statement_block"):
        return None
    return name or None


def const_binding(b: Binding | None) -> Binding | None:
    """`b` when it is a plain variable declared `const` with a value (`const N = 3`, not a
    destructured name), else None."""
    if b is None or b.kind != "var" or b.path or b.value is None:
        return None
    decl = b.node.parent
    return b if decl is not None and any(c.type == "const" for c in decl.children) else None


def local_call_arguments(fn: ts.Node, index: int, resolver: Resolver) -> list[ts.Node] | None:
    """What every caller passes as argument `index` of a function local to the file
    (not exported), when each use of the function is a call of it that passes one;
    None when the function can be called from elsewhere, is used as a value, or is
    never called. Callers' arguments then say what the parameter can hold."""
    memo = resolver.call_arguments
    k = (key(fn), index)
    if k not in memo:
        memo[k] = _local_call_arguments(fn, index, resolver)
    return memo[k]


def _local_call_arguments(fn: ts.Node, index: int, resolver: Resolver) -> list[ts.Node] | None:
    name = _local_name(fn)
    if name is None:
        return None
    given: list[ts.Node] = []
    for n in resolver.identifiers_named(name):
        if n.parent is not None and n.parent in (fn, fn.parent) and is_field(n.parent, "name", n):
            continue  # the declaration itself
        call = n.parent
        if call is None or call.type != "call_expression" or not is_field(call, "function", n):
            return None  # passed around as a value: callers unknown
        b = resolver.lookup(name, n)
        if b is None or not (b.node == fn or (b.value is not None and unwrap(b.value) == fn)):
            return None  # a shadowing binding of the same name
        args = field(call, "arguments")
        passed = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        if index >= len(passed) or passed[index].type == "spread_element":
            return None
        given.append(passed[index])
    return given or None
