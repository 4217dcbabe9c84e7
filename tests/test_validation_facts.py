"""Validation facts: which schema a `.parse` call validates with, and the
tRPC procedure an `.input(schema)` belongs to."""

from __future__ import annotations

from scanner.config import load_config
from scanner.engine import client_config
from scanner.facts.extract import extract_facts
from scanner.facts.validation import validates_input


def _facts(src: str, path: str = "app/api/x/route.ts"):
    ccfg = client_config(load_config(None))
    return extract_facts(path, "route", src.encode(), ccfg)


def _calls(ff):
    return [(v.span.line, v.kind, v.schema, v.origin, v.module,
             ff.functions[v.function].name if v.function >= 0 else None) for v in ff.validations]


def test_zod_schema_origins():
    ff = _facts("""import { z } from 'zod'
import { ProfileSchema } from '@/lib/schemas'
const Body = z.object({ a: z.string() }).strict()
export async function POST(req: Request) {
  const a = Body.parse(await req.json())
  const b = ProfileSchema.safeParse(a)
  const c = z.string().parseAsync(a)
  const d = JSON.parse('{}')
  const e = Date.parse('2020')
}
""")
    assert _calls(ff) == [
        (5, "parse", "Body", "zod", "zod", "POST"),
        (6, "safeParse", "ProfileSchema", "import", "@/lib/schemas", "POST"),
        (7, "parseAsync", "z.string()", "zod", "zod", "POST"),
        (8, "parse", "JSON", "unknown", None, "POST"),
        (9, "parse", "Date", "unknown", None, "POST"),
    ]
    assert [validates_input(v, ff) for v in ff.validations] == [True, True, True, False, False]


def test_local_schema_counts_only_with_a_zod_import():
    src = """const schema = makeSchema()
export async function POST(req: Request) { return schema.parse(await req.json()) }
"""
    ff = _facts(src)
    assert _calls(ff) == [(2, "parse", "schema", "local", None, "POST")]
    assert not validates_input(ff.validations[0], ff)
    ff = _facts("import * as zz from 'zod/v4'\n" + src)
    assert validates_input(ff.validations[0], ff)


def test_trpc_input_belongs_to_the_procedure_resolver():
    ff = _facts("""import { z } from 'zod'
export const router = createTRPCRouter({
  byId: publicProcedure.input(z.object({ id: z.string() })).use(mw).query(async ({ ctx, input }) => {
    return ctx.db.user.findUnique({ where: { id: input.id } })
  }),
  list: publicProcedure.query(async ({ ctx }) => ctx.db.user.findMany({ take: 10 })),
})
const x = form.input(1)
""", path="src/server/routers/user.ts")
    assert _calls(ff) == [(3, "trpc-input", "z.object({ id: z.string() })", "zod", "zod", "byId")]


def test_validated_parameters_of_a_wrapper():
    from scanner.facts.validation import validated_params
    ff = _facts("""import type { ZodSchema } from 'zod'
export async function parseRequest(request: Request, schema: ZodSchema) {
  const body = await request.json()
  return schema.safeParse(body)
}
export function parseWith(schema: ZodSchema, ctx: { input: unknown }) {
  return schema.parse(ctx.input)
}
export function notMine(x: unknown) {
  return JSON.parse(String(x))
}
""", "src/lib/http.ts")
    assert [(v.span.line, v.params, v.schema_param) for v in ff.validations] == [(4, (0,), 1), (7, (1,), 0), (10, (0,), -1)]
    fns = {f.name: f.id for f in ff.functions}
    assert validated_params(ff, fns["parseRequest"]) == {0}
    assert validated_params(ff, fns["parseWith"]) == {1}
    assert validated_params(ff, fns["notMine"]) == frozenset()


def test_other_schema_libraries():
    ff = _facts("""import * as v from 'valibot'
import { assert } from 'superstruct'
import * as yup from 'yup'
import { verifier } from '@/lib/auth'
const Y = yup.object({})
export function f(a: unknown, b: unknown, c: unknown, d: unknown) {
  v.parse(S, a)
  assert(b, Struct)
  Y.validateSync(c)
  verifier.validate(d)
  parse(S, d)
}
""", "src/lib/x.ts")
    assert [(v.span.line, v.kind, v.origin, v.module, v.params) for v in ff.validations] == [
        (7, "parse", "library", "valibot", (0,)),
        (8, "assert", "library", "superstruct", (1,)),
        (9, "validateSync", "import", "yup", (2,)),
        # `verifier.validate(d)`: an app import, counted because the file imports a schema library
        (10, "validate", "import", "@/lib/auth", (3,)),
    ]
