"""Every structural query compiles against both grammars and carries a comment
showing the code each pattern matches."""

from __future__ import annotations

import pytest
import tree_sitter as ts

from scanner import parse as P

NAMES = P.query_names()


def test_queries_exist():
    assert {"prisma_calls", "imports", "exports", "functions", "call_sites", "catches"} <= set(NAMES)


@pytest.mark.parametrize("grammar", ["typescript", "tsx"])
@pytest.mark.parametrize("name", NAMES)
def test_query_compiles(grammar: str, name: str):
    q = P.query(grammar, name)
    assert isinstance(q, ts.Query)
    assert q.pattern_count >= 1


@pytest.mark.parametrize("name", NAMES)
def test_every_pattern_has_an_example_comment(name: str):
    text = (P.query_dir() / f"{name}.scm").read_text(encoding="utf-8")
    blocks = [b for b in text.split("\n\n") if b.strip()]
    for block in blocks:
        lines = block.strip().splitlines()
        assert lines[0].startswith(";"), f"{name}.scm: a pattern without a comment above it:\n{block}"


def test_grammar_choice():
    assert P.grammar_for("a/b.tsx") == "tsx"
    assert P.grammar_for("a/b.jsx") == "tsx"
    assert P.grammar_for("a/b.ts") == "typescript"
    assert P.grammar_for("a/b.mts") == "typescript"


def test_plain_js_with_jsx_parses_with_tsx():
    src = b"export default function A() { return <div className='x'>{1}</div> }\n"
    tree, grammar = P.parse_source("a.js", src)
    assert grammar == "tsx" and not tree.root_node.has_error


def test_parse_problems_are_iterative_and_located():
    src = b"const a = 1\nfunction (\n" + b"(" * 20000 + b"\n"
    tree, _ = P.parse_source("x.ts", src)
    problems = P.parse_problems(tree)
    assert problems and problems[0].line >= 1


def test_grammar_quirks_are_not_parse_warnings():
    """Valid TypeScript the grammars mis-read must not become parse warnings."""
    jsx = b"export const A = () => <p className='x'>Terms & Conditions, Drag & drop</p>\n"
    tree, _ = P.parse_source("a.tsx", jsx)
    assert P.parse_problems(tree) == []
    generic_tag = b"export const f = (id: string) => prisma.$queryRaw<Row[]>`SELECT * FROM t WHERE id = ${id}`\n"
    tree, _ = P.parse_source("a.ts", generic_tag)
    assert P.parse_problems(tree) == []
    broken = b"export const A = () => <p>ok</p>\nconst x = (1 + ;\n"
    tree, _ = P.parse_source("b.tsx", broken)
    assert [p.line for p in P.parse_problems(tree)] == [2]


def test_more_grammar_gaps_are_not_parse_warnings():
    cases = [
        ("a.ts", b'const actual = await importOriginal<typeof import("@/lib/constants")>();\n'),
        ("b.ts", b'export type * from "./models";\nexport const x = 1\n'),
        ("c.tsx", b'export const A = () => <a href="https://x.com/?a=b&c=d&e=f">x</a>\n'),
        ("d.ts", b'const marker = "\x00RESULT\x00";\nexport const y = marker\n'),
    ]
    for name, src in cases:
        tree, _ = P.parse_source(name, src)
        assert P.parse_problems(tree) == [], name
