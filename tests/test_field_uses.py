"""Field-use facts (facts/fields.py): which model-field values code writes,
filters on, compares or JSON-parses, tied to the recognised Prisma call."""

from __future__ import annotations

from scanner.config import load_config
from scanner.engine import client_config
from scanner.facts.extract import extract_facts


def uses(src: str):
    """(model, path, action, value, literal) of every field use of a file."""
    f = extract_facts("lib/x.ts", "lib", src.encode(), client_config(load_config(None)))
    return {(f.prisma_calls[u.call].model, ".".join(u.path), u.action, u.value, u.literal)
            for u in f.field_uses}


HEADER = "import { prisma } from './db'\n"


def test_written_values():
    got = uses(HEADER + """
const CLOSED = 'closed'
export async function f(x: any, urgent: boolean, n: number) {
  await prisma.ticket.create({ data: { status: 'open', title: x.title, tags: JSON.stringify(x.tags),
    ref: `T-${n}`, state: urgent ? 'high' : 'low', note: x.note ?? 'none' } })
  await prisma.ticket.update({ where: { id: x.id }, data: { status: CLOSED, kind: { set: 'bug' } } })
}
""")
    assert {
        ("ticket", "status", "write", "literal", "open"),
        ("ticket", "title", "write", "other", None),
        ("ticket", "tags", "write", "json", None),
        ("ticket", "ref", "write", "computed", None),
        ("ticket", "state", "write", "literal", "high"),
        ("ticket", "state", "write", "literal", "low"),
        ("ticket", "note", "write", "literal", "none"),
        ("ticket", "note", "write", "other", None),
        ("ticket", "status", "write", "literal", "closed"),
        ("ticket", "kind", "write", "literal", "bug"),
        ("ticket", "id", "filter", "other", None),
    } == got


def test_rows_built_by_map_nested_writes_and_upsert():
    got = uses(HEADER + """
export async function f(items: any[], id: string) {
  await prisma.trade.createMany({ data: items.map((t) => ({ ...t, tags: JSON.stringify(t.tags) })) })
  await prisma.user.update({ where: { id }, data: { posts: { create: [{ state: 'draft' }] },
    profile: { upsert: { create: { theme: 'dark' }, update: { theme: 'light' } } } } })
  const data = { meta: JSON.stringify({}) }
  await prisma.audit.create({ data })
}
""")
    assert ("trade", "tags", "write", "json", None) in got
    assert ("user", "posts.state", "write", "literal", "draft") in got
    assert ("user", "profile.theme", "write", "literal", "dark") in got
    assert ("user", "profile.theme", "write", "literal", "light") in got
    assert ("audit", "meta", "write", "json", None) in got


def test_filters_through_operators_logic_and_relations():
    got = uses(HEADER + """
export async function f(q: string) {
  return prisma.ticket.findMany({ where: {
    status: { in: ['open', 'pending'] }, kind: { not: 'bug' }, title: { contains: q },
    OR: [{ priority: 'high' }], owner: { role: 'admin' }, tags: { some: { label: 'x' } },
    userId_slug: { userId: q, slug: 's' },
  } })
}
""")
    assert {
        ("ticket", "status", "filter", "literal", "open"),
        ("ticket", "status", "filter", "literal", "pending"),
        ("ticket", "kind", "filter", "literal", "bug"),
        ("ticket", "title", "filter", "pattern", None),
        ("ticket", "priority", "filter", "literal", "high"),
        ("ticket", "owner.role", "filter", "literal", "admin"),
        ("ticket", "tags.label", "filter", "literal", "x"),
        ("ticket", "userId_slug.userId", "filter", "other", None),
        ("ticket", "userId_slug.slug", "filter", "literal", "s"),
    } == got


def test_json_parse_of_values_read_from_prisma():
    got = uses(HEADER + """
export async function f(id: string) {
  const quiz = await prisma.quiz.findUnique({ where: { id }, include: { lesson: true } })
  JSON.parse(quiz!.questions)
  JSON.parse(quiz?.lesson.resources ?? '[]')
  const { answers } = (await prisma.submission.findFirst({ where: { id } }))!
  JSON.parse(answers)
  const [rows, n] = await Promise.all([prisma.note.findMany({ take: 5 }), prisma.note.count()])
  rows.map((r) => JSON.parse(r.body))
  for (const r of rows.filter(Boolean)) JSON.parse(r.meta)
  rows.reduce((acc, r) => acc + JSON.parse(r.extra).length, 0)
  JSON.parse(rows[0].extra2)
}
""")
    parsed = {(m, p) for m, p, a, _, _ in got if a == "parse"}
    assert parsed == {("quiz", "questions"), ("quiz", "lesson.resources"), ("submission", "answers"),
                      ("note", "body"), ("note", "meta"), ("note", "extra"), ("note", "extra2")}


def test_comparisons_of_read_values():
    got = uses(HEADER + """
export async function f() {
  const rows = await prisma.ticket.findMany({ take: 9 })
  for (const t of rows) {
    if (t.status === 'open' || 'closed' !== t.status) {}
    switch (t.channel) { case 'email': break; case 'phone': break }
    if (['chat', 'web'].includes(t.channel)) {}
  }
}
""")
    compared = {(p, lit) for m, p, a, v, lit in got if a == "compare"}
    assert compared == {("status", "open"), ("status", "closed"), ("channel", "email"),
                        ("channel", "phone"), ("channel", "chat"), ("channel", "web")}


def test_values_not_from_prisma_say_nothing():
    got = uses(HEADER + """
const cache = new Map<string, any>()
export async function f(res: Response, row: { tags: string }) {
  const hit = cache.get('k')
  JSON.parse(hit.tags)
  JSON.parse(row.tags)
  const body = await res.json()
  if (body.status === 'open') {}
  const count = await prisma.ticket.count()
  JSON.parse((count as any).tags)
  await fetch('/x', { method: 'POST', body: JSON.stringify({ data: { tags: 'x' } }) })
}
""")
    assert got == set()


def test_a_computed_key_in_a_destructuring_pattern_is_not_an_array_position():
    # `{ [KEY]: intent }` puts `[KEY]` in the binding's path; it once crashed the scan.
    src = HEADER + (
        "const KEY = 'intent'\n"
        "export async function f(form: Record<string, string>) {\n"
        "  const { [KEY]: intent } = form\n"
        "  const [first] = await Promise.all([prisma.user.findMany({ take: 1 })])\n"
        "  switch (intent) { case 'a': return first\n default: return null }\n}\n")
    assert isinstance(uses(src), set)
