"""Generate a synthetic Next.js + Prisma monorepo of N source files, for
benchmarks: route handlers, server actions, lib modules with queries (some in
loops, some in transactions), components, and a schema.

    python bench/synth.py OUT_DIR [--files 7500] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

MODELS = ["User", "Post", "Comment", "Team", "Project", "Invoice", "Event", "Tag", "Asset", "Audit"]

ROUTE = """import {{ NextResponse }} from 'next/server'
import {{ z }} from 'zod'
import {{ prisma }} from '@/lib/prisma'
import {{ {helper} }} from '@/lib/{lib}'

const Body = z.object({{ name: z.string().min(1), ids: z.array(z.string()) }})

export async function GET(req: Request) {{
  const url = new URL(req.url)
  const cursor = url.searchParams.get('cursor') ?? undefined
  const rows = await prisma.{m}.findMany({{ where: {{ teamId: url.searchParams.get('team') ?? '' }}, take: 50, cursor: cursor ? {{ id: cursor }} : undefined }})
  const extra = await Promise.all(rows.map((r) => {helper}(r.id)))
  return NextResponse.json({{ rows, extra }})
}}

export async function POST(req: Request) {{
  const body = Body.parse(await req.json())
  try {{
    const created = await prisma.{m}.create({{ data: {{ name: body.name }} }})
    await prisma.audit.create({{ data: {{ action: 'create', entityId: created.id }} }})
    return NextResponse.json(created)
  }} catch (error) {{
    console.error(error)
    return NextResponse.json({{ error: 'failed' }}, {{ status: 500 }})
  }}
}}
"""

LIB = """import {{ prisma }} from './prisma'

export async function {helper}(id: string) {{
  const row = await prisma.{m}.findUnique({{ where: {{ id }} }})
  if (!row) return null
  for (const tag of await prisma.tag.findMany({{ where: {{ {fk}: id }}, take: 20 }})) {{
    await prisma.tag.update({{ where: {{ id: tag.id }}, data: {{ seen: true }} }})
  }}
  return prisma.$transaction(async (tx) => {{
    await tx.{m}.update({{ where: {{ id }}, data: {{ touched: new Date() }} }})
    return tx.audit.create({{ data: {{ action: 'touch', entityId: id }} }})
  }})
}}

export const {helper}Count = (teamId: string) => prisma.{m}.count({{ where: {{ teamId }} }})
"""

COMPONENT = """'use client'
import {{ useState, useEffect }} from 'react'

export function {name}({{ items }}: {{ items: {{ id: string; label: string }}[] }}) {{
  const [open, setOpen] = useState(false)
  useEffect(() => {{ setOpen(items.length > 0) }}, [items])
  return (
    <ul className="list">
      {{items.filter((i) => i.label).map((i) => (
        <li key={{i.id}} onClick={{() => setOpen(!open)}}>Terms & {{i.label}}</li>
      ))}}
    </ul>
  )
}}
"""

ACTION = """'use server'
import {{ z }} from 'zod'
import {{ prisma }} from '@/lib/prisma'

const Input = z.object({{ id: z.string(), title: z.string() }})

export async function update{name}(raw: unknown) {{
  const input = Input.parse(raw)
  const updated = await prisma.{m}.update({{ where: {{ id: input.id }}, data: {{ title: input.title }} }})
  await prisma.{m}.updateMany({{ where: {{ parentId: input.id }}, data: {{ stale: true }} }})
  return updated
}}
"""


def schema() -> str:
    out = ['datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n']
    for m in MODELS:
        out.append(f"model {m} {{\n  id String @id @default(cuid())\n  name String?\n  title String?\n"
                   f"  teamId String?\n  parentId String?\n  userId String?\n  postId String?\n"
                   f"  seen Boolean @default(false)\n  stale Boolean @default(false)\n"
                   f"  touched DateTime?\n  action String?\n  entityId String?\n  @@index([teamId])\n}}\n")
    return "\n".join(out)


def generate(out: Path, files: int, seed: int) -> int:
    rnd = random.Random(seed)
    (out / "src" / "lib").mkdir(parents=True, exist_ok=True)
    (out / "prisma").mkdir(exist_ok=True)
    (out / "prisma" / "schema.prisma").write_text(schema())
    (out / "package.json").write_text('{ "name": "synthetic", "dependencies": { "next": "15.0.0" } }\n')
    (out / "tsconfig.json").write_text('{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./src/*"] } } }\n')
    (out / "src" / "lib" / "prisma.ts").write_text(
        "import { PrismaClient } from '@prisma/client'\n"
        "const g = globalThis as unknown as { prisma?: PrismaClient }\n"
        "export const prisma = g.prisma ?? new PrismaClient()\n"
        "if (process.env.NODE_ENV !== 'production') g.prisma = prisma\n")
    written = 4
    n_lib = max(1, files // 5)
    for i in range(n_lib):
        m = rnd.choice(MODELS)
        (out / "src" / "lib" / f"lib{i}.ts").write_text(
            LIB.format(helper=f"load{i}", m=m[0].lower() + m[1:], fk=rnd.choice(["postId", "userId"])))
    written += n_lib
    i = 0
    while written < files:
        kind = i % 4
        m = rnd.choice(MODELS)
        lm = m[0].lower() + m[1:]
        if kind == 0:
            lib = rnd.randrange(n_lib)
            d = out / "app" / "api" / f"r{i}"
            d.mkdir(parents=True, exist_ok=True)
            (d / "route.ts").write_text(ROUTE.format(m=lm, helper=f"load{lib}", lib=f"lib{lib}"))
        elif kind == 1:
            d = out / "src" / "components"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"C{i}.tsx").write_text(COMPONENT.format(name=f"C{i}"))
        elif kind == 2:
            d = out / "src" / "actions"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"a{i}.ts").write_text(ACTION.format(name=f"A{i}", m=lm))
        else:
            d = out / "app" / f"p{i}"
            d.mkdir(parents=True, exist_ok=True)
            (d / "page.tsx").write_text(
                f"import {{ prisma }} from '@/lib/prisma'\n\nexport default async function Page() {{\n"
                f"  const rows = await prisma.{lm}.findMany({{ orderBy: {{ id: 'desc' }} }})\n"
                f"  return <main>{{rows.map((r) => <p key={{r.id}}>{{r.id}}</p>)}}</main>\n}}\n")
        written += 1
        i += 1
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--files", type=int, default=7500)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    n = generate(args.out, args.files, args.seed)
    print(f"wrote {n} files under {args.out}")


if __name__ == "__main__":
    main()
