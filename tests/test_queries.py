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
        # an emoji as a decimal reference of six digits: valid JSX, longer than the grammar reads
        ("e.tsx", b'export const A = () => <p>&#128680; {message} &#128680;</p>\n'),
    ]
    for name, src in cases:
        tree, _ = P.parse_source(name, src)
        assert P.parse_problems(tree) == [], name


# Valid TypeScript from real repositories (bench/corpus.py) that the grammars
# misread; each must parse without a warning.
GRAMMAR_GAPS = {
    "key `in` after a member without `;`": ("a.ts", 'export type Auth =\n  | {\n      kind: "apikey"\n'
                                           '      key: string\n      in: "header" | "query"\n    }\n'),
    "key `instanceof` and method `in`": ("a.ts", "interface K {\n  a: string\n  instanceof: string\n"
                                         "  b: number\n  in(x: string): boolean\n}\n"),
    "generic call signature after a call signature": (
        "a.ts", "type Invoke = {\n  (action: Plain, args?: undefined): void\n"
                "  <A extends WithArgs>(action: A, args: ArgsMap[A]): void\n}\n"),
    "invalid escapes in a tagged template": (
        "a.ts", "export const cases = [\n  ['bad', String.raw`Acme\\u00 Corp`],\n"
                "  ['braced', String.raw`Acme\\u{200bCorp`],\n  ['hex', String.raw`\\xZ`],\n]\n"),
    "typeof import next to a type-level `A<B> & {` in tsx": (
        "a.test.tsx", "vi.mock('next/image', () => ({\n  default: ({ src }: React.ImgHTMLAttributes<HTMLImageElement>"
                      " & { unoptimized?: boolean }) => <img src={src} />,\n}))\n"
                      "vi.mock('@/r', async (importOriginal) => {\n"
                      "  const actual = await importOriginal<typeof import('@/r')>();\n  return actual\n})\n"),
    "import attributes on a re-export": ("a.ts", 'export { default as data } from "./d.json" with { type: "json" }\n'
                                        'export * from "./e.json" assert { type: "json" }\n'),
    "static auto-accessor": ("a.ts", "export class Store {\n  static accessor current = 1\n  accessor x = 2\n}\n"),
    "variance annotations": ("a.ts", "interface Producer<out T> { make(): T }\n"
                             "interface State<in out T, U extends object = {}> { get(): T; set(v: T): void }\n"),
    "key `abstract` in interfaces and type literals": (
        "a.ts", "interface Paper {\n  title: string\n  abstract?: string\n  meta: { abstract: string }\n}\n"
                "type P = { abstract: string; abstract2: number }\n"),
}


@pytest.mark.parametrize("name", sorted(GRAMMAR_GAPS))
def test_valid_typescript_the_grammar_misreads_is_not_a_parse_warning(name):
    path, src = GRAMMAR_GAPS[name]
    tree, _ = P.parse_source(path, src.encode())
    assert P.parse_problems(tree) == []
    assert len(tree.root_node.text) == len(src.encode())      # same-length rewrites: spans stay put


def test_gap_rewrites_keep_real_errors_and_fact_text():
    # A real syntax error next to a gap: the gap is read, the error still reported on its line.
    src = b'type A = {\n  kind: "x"\n  in: "query"\n}\nconst broken = (1 + ;\n'
    tree, _ = P.parse_source("a.ts", src)
    assert [p.line for p in P.parse_problems(tree)] == [5]
    # Object literals (what Prisma arguments are) keep their `abstract` key; only the type changes.
    src = (b"interface Paper { abstract: string }\n"
           b"export const f = (a: string) => prisma.paper.create({ data: { abstract: a } })\n")
    tree, _ = P.parse_source("b.ts", src)
    assert P.parse_problems(tree) == [] and b"data: { abstract: a }" in tree.root_node.text
