"""The byte-range tables (facts/spans.py) give what climbing `Node.parent` gives: the
scope and the function around every node of real files and of awkward snippets."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner import parse as P
from scanner.config import load_config
from scanner.engine import client_config
from scanner.facts.nodes import FUNCTION_TYPES, enclosing
from scanner.facts.parsed import ParsedFile
from scanner.facts.scopes import SCOPE_TYPES
from scanner.facts.spans import UNSETTLED, Spans

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "fixtures" / "apps" / "academy" / "src").rglob("*.ts*"))[:40]
SNIPPETS = {
    "arrow-statement.ts": "x => { const y = x; }\n(a) => a\nexport default () => 1\n",
    "nested.ts": "function f(a) { for (const u of a) { try { g(u) } catch (e) { h(e) } } "
                 "switch (a) { case 1: { const z = 1 } } class C { m() { return () => this } } }\n",
    "broken.ts": "function f( { const x = \nif (y) { z(\n",
    "empty.ts": "",
}


def _pf(path: str, source: bytes) -> ParsedFile:
    tree, grammar = P.parse_source(path, source)
    return ParsedFile(path, "lib", tree, grammar, client_config(load_config(None)))


def _all_nodes(root):
    stack = [root]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(n.children)


def _cases():
    for f in FILES:
        yield pytest.param(str(f.relative_to(ROOT)), f.read_bytes(), id=f.name)
    for name, src in SNIPPETS.items():
        yield pytest.param(name, src.encode(), id=name)


@pytest.mark.parametrize(("path", "source"), list(_cases()))
def test_spans_agree_with_climbing(path, source):
    pf = _pf(path, source)
    resolver = pf.resolver
    for node in _all_nodes(pf.root):
        climbed = enclosing(node, SCOPE_TYPES)
        assert resolver._enclosing_scope(node) == climbed, (node.type, node.start_point)
        assert pf.enclosing_function(node) == enclosing(node, FUNCTION_TYPES), (node.type, node.start_point)


def test_unsettled_when_ranges_cannot_tell():
    pf = _pf("x.ts", b"x => x\n")
    arrow = next(n for n in _all_nodes(pf.root) if n.type == "arrow_function")
    statement = arrow.parent  # an expression statement spanning exactly the arrow function
    spans = Spans([pf.root, arrow])
    assert spans.usable
    assert statement.start_byte == arrow.start_byte and statement.end_byte == arrow.end_byte
    assert spans.around(statement) is UNSETTLED
    assert spans.outside(arrow) == pf.root


def test_unusable_when_two_nodes_share_a_range():
    pf = _pf("x.ts", b"f()\n")
    assert not Spans([pf.root, pf.root]).usable
