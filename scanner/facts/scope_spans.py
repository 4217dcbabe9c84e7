"""The file's scope nodes by byte range: which scope a node sits in, found with a
bisect over the scopes in document order and a short climb through the scopes around
it, instead of climbing `Node.parent` (which walks down from the root at every step).

Built once per file from the combined query pass (`scopes.scm`). A node whose answer
the ranges cannot settle (it is empty, or spans exactly what a scope spans, so it may
be that scope's parent or child) gets `UNSETTLED`, and the caller climbs as before."""

from __future__ import annotations

from bisect import bisect_right

import tree_sitter as ts

UNSETTLED = object()


class ScopeSpans:
    __slots__ = ("nodes", "starts", "ends", "outer")

    def __init__(self, nodes: list[ts.Node]):
        nodes = sorted(nodes, key=lambda n: (n.start_byte, -n.end_byte))
        self.nodes = nodes
        self.starts = [n.start_byte for n in nodes]
        self.ends = [n.end_byte for n in nodes]
        self.outer = self._nest()

    def _nest(self) -> list[int]:
        """Index of the scope around each scope, -1 for none; empty when two scopes
        share a range, one is empty or two overlap: then nothing is settled here."""
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
        return len(self.outer) == len(self.nodes) > 0

    def around(self, node: ts.Node):
        """The innermost scope strictly around `node` (never `node` itself), or UNSETTLED."""
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
        return UNSETTLED

    def outside(self, scope: ts.Node):
        """The scope around a scope node of this file, or UNSETTLED (the outermost)."""
        s, e = scope.start_byte, scope.end_byte
        i = bisect_right(self.starts, s) - 1
        while i >= 0 and self.starts[i] == s and self.ends[i] != e:
            i -= 1
        if i < 0 or self.starts[i] != s or self.outer[i] < 0:
            return UNSETTLED
        return self.nodes[self.outer[i]]
