"""Nodes of some kinds (a file's scopes, its functions) by byte range: which of them
a node sits in, found with a bisect over them in document order and a short climb
through the ones around it, instead of climbing `Node.parent` (which walks down from
the root at every step).

Built once per file from the combined query pass (`scopes.scm`, `functions.scm`), which
finds every node of those kinds. A node whose answer the ranges cannot settle (it is
empty, or spans exactly what one of them spans, so it may be its parent or its child)
gets `UNSETTLED`, and the caller climbs as before."""

from __future__ import annotations

from bisect import bisect_right

import tree_sitter as ts

UNSETTLED = object()


class Spans:
    __slots__ = ("nodes", "starts", "ends", "outer")

    def __init__(self, nodes: list[ts.Node]):
        nodes = sorted(nodes, key=lambda n: (n.start_byte, -n.end_byte))
        self.nodes = nodes
        self.starts = [n.start_byte for n in nodes]
        self.ends = [n.end_byte for n in nodes]
        self.outer = self._nest()

    def _nest(self) -> list[int]:
        """Index of the node around each node, -1 for none; empty when two share a
        range, one is empty or two overlap: then nothing is settled here."""
        outer: list[int] = []
        stack: list[int] = []
        starts, ends = self.starts, self.ends
        for i, (s, e) in enumerate(zip(starts, ends)):
            if s == e:
                return []
            while stack and ends[stack[-1]] <= s:
                stack.pop()
            top = stack[-1] if stack else -1
            if top >= 0 and (e > ends[top] or (starts[top] == s and ends[top] == e)):
                return []
            outer.append(top)
            stack.append(i)
        return outer

    @property
    def usable(self) -> bool:
        return len(self.outer) == len(self.nodes)

    def around(self, node: ts.Node):
        """The innermost of the nodes strictly around `node` (never `node` itself), None
        when none is, or UNSETTLED."""
        s, e = node.start_byte, node.end_byte
        if s == e:
            return UNSETTLED
        i = bisect_right(self.starts, s) - 1
        ends, outer = self.ends, self.outer
        while i >= 0:
            if e <= ends[i]:
                if self.starts[i] == s and ends[i] == e:
                    return UNSETTLED
                return self.nodes[i]
            i = outer[i]
        return None

    def outside(self, node: ts.Node):
        """The node around one of the nodes (None for an outermost one), or UNSETTLED
        when no node of them spans what `node` spans. A node spanning exactly what one of
        them spans is taken for it: callers pass nodes of the kinds held."""
        s, e = node.start_byte, node.end_byte
        i = bisect_right(self.starts, s) - 1
        while i >= 0 and self.starts[i] == s and self.ends[i] != e:
            i -= 1
        if i < 0 or self.starts[i] != s or self.ends[i] != e:
            return UNSETTLED
        return self.nodes[self.outer[i]] if self.outer[i] >= 0 else None
