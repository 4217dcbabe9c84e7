"""One parsed file, as every fact extractor reads it: the tree and its source, the
matches of the one combined query pass, the scope table (`Resolver`) and the
function table. Built once per file by `ParsedFile.build`; nothing here outlives it."""

from __future__ import annotations

import tree_sitter as ts

from .. import parse as P
from .nodes import FUNCTION_TYPES, enclosing, key
from .scopes import ClientConfig, Resolver
from .spans import UNSETTLED, Spans

Match = tuple[int, dict[str, list[ts.Node]]]


def run_queries(grammar: str, root: ts.Node) -> tuple[dict[str, list[Match]], bool]:
    """Every query file's matches from one cursor pass of the combined query, and
    whether the pass dropped patterns (`MATCH_LIMIT`)."""
    q, ranges = P.combined_query(grammar)
    by_name: dict[str, list[Match]] = {name: [] for name, _, _ in ranges}
    # Pattern index -> (its file's match list, the file's first index), one list lookup a match.
    owner = [(by_name[name], lo) for name, lo, hi in ranges for _ in range(lo, hi)]
    cursor = ts.QueryCursor(q, match_limit=P.MATCH_LIMIT)
    for index, caps in cursor.matches(root):
        bucket, lo = owner[index]
        bucket.append((index - lo, caps))
    return by_name, cursor.did_exceed_match_limit


class ParsedFile:
    """The per-file input of the extractors in this package."""

    def __init__(self, path: str, role: str, tree: ts.Tree, grammar: str, config: ClientConfig):
        self.path = path
        self.role = role
        self.tree = tree
        self.root = tree.root_node
        self.grammar = grammar
        self.source = self.root.text or b""
        self.config = config
        self._matches, self.incomplete = run_queries(grammar, self.root)
        self._captures: dict[str, dict[str, list[ts.Node]]] = {}
        self.memo: dict[tuple, object] = {}  # what a fact module works out once per node of this file
        scope_nodes = None if self.incomplete else [m["scope"][0] for _, m in self._matches["scopes"]]
        self.resolver = Resolver(self.root, config, scope_nodes)
        self.resolver.return_values = lambda: self.captures("returns").get("return.value", [])
        fn_nodes = sorted(self.captures("functions").get("function", []),
                          key=lambda n: (n.start_byte, -n.end_byte))
        self.function_nodes: list[ts.Node] = fn_nodes
        self.function_ids: dict[int, int] = {key(n): i for i, n in enumerate(fn_nodes)}
        self.resolver.function_ids = self.function_ids
        spans = None if self.incomplete else Spans(fn_nodes)
        self._function_spans = spans if spans is not None and spans.usable else None

    def close(self) -> None:
        """Break the file's reference cycles (the scope table and its type reader, the
        table and this file's return values), so that its trees, nodes and tables are
        freed when the facts are built instead of piling up until the garbage collector
        runs: 650,000 objects a documenso scan, 15 % of extraction time."""
        self.resolver.close()
        self.memo.clear()

    def matches(self, name: str) -> list[Match]:
        """The matches of query file `name` (pattern index within the file, captures)."""
        return self._matches[name]

    def captures(self, name: str) -> dict[str, list[ts.Node]]:
        """Capture name -> nodes of query file `name`, in match order, a node that
        several matches capture listed once."""
        out = self._captures.get(name)
        if out is not None:
            return out
        out: dict[str, list[ts.Node]] = {}
        ids: dict[str, list[int]] = {}  # the ids of each bucket's nodes, for the check below
        for _, caps in self._matches[name]:
            for cap, nodes in caps.items():
                bucket = out.get(cap)
                if bucket is None:
                    bucket = out[cap] = []
                    ids[cap] = [None, None, None]  # no node's id: the last three always exist
                seen = ids[cap]
                for n in nodes:
                    i = n.id
                    if i != seen[-1] and i != seen[-2] and i != seen[-3]:
                        bucket.append(n)
                        seen.append(i)
        self._captures[name] = out
        return out

    def method_calls(self, method: str) -> list[tuple[ts.Node, ts.Node]]:
        """(call, its arguments) of each `x.method(…)` the call-site query captures."""
        out = []
        for call in self.captures("call_sites").get("callsite", []):
            fn, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
            prop = fn.child_by_field_name("property") if fn is not None and fn.type == "member_expression" else None
            if prop is not None and args is not None and prop.text == method.encode():
                out.append((call, args))
        return out

    def enclosing_function(self, node: ts.Node) -> ts.Node | None:
        """The function `node` sits in (`nodes.enclosing(node, FUNCTION_TYPES)`), by byte
        range through the function table when it settles the answer."""
        spans = self._function_spans
        if spans is not None:
            fn = spans.outside(node) if node.type in FUNCTION_TYPES else spans.around(node)
            if fn is not UNSETTLED:
                return fn
        return enclosing(node, FUNCTION_TYPES)

    def fid(self, node: ts.Node | None) -> int:
        """The id of the function `node` sits in, -1 at module level."""
        fn = self.enclosing_function(node) if node is not None else None
        return -1 if fn is None else self.function_ids.get(key(fn), -1)
