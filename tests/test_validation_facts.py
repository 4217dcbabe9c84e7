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


def test_the_request_parts_a_validation_reads_and_a_factory_schema():
    """`parts` says which part of a parameter is validated (`req.body` → body); a schema that
    is a parameter of the function around (`validate(schema)` returning a middleware) is
    `outer_schema_param`."""
    from scanner.facts.validation import middleware_parts
    ff = _facts("""import type { ZodTypeAny } from 'zod'
export const validate = (schema: ZodTypeAny) => (req: any, res: any, next: any) => {
  req.body = schema.parse(req.body)
  next()
}
export function everything(schema: ZodTypeAny) {
  return async (req: any, _res: any, next: any) => {
    const { query } = req
    await schema.parseAsync({ q: query, p: req.params })
    schema.parse(req[part])
    next()
  }
}
export function viaJson(schema: ZodTypeAny) {
  return async (request: Request) => schema.parse(await request.json())
}
export function logs(label: string) {
  return (req: any, _res: any, next: any) => { console.log(label, JSON.stringify(req.body)); next() }
}
""", path="src/lib/middleware.ts")
    got = [(v.span.line, v.params, v.parts, v.schema_param, v.outer_schema_param) for v in ff.validations]
    assert got == [
        (3, (0,), ((0, "body"),), -1, 0),
        (9, (0,), ((0, "params"), (0, "query")), -1, 0),
        (10, (0,), ((0, "*"),), -1, 0),
        (15, (0,), ((0, "*"),), -1, 0),
    ]
    by_name = {f.name: f.id for f in ff.functions if f.parent == -1}
    assert middleware_parts(ff, by_name["validate"], called=True) == {"body"}
    assert middleware_parts(ff, by_name["everything"], called=True) == {"query", "params", "*"}
    assert middleware_parts(ff, by_name["logs"], called=True) == frozenset()
    assert middleware_parts(ff, by_name["validate"], called=False) == frozenset(), \
        "the factory itself is no middleware"


def test_middleware_registered_ahead_of_a_handler():
    ff = _facts("""import express from 'express'
import { validate } from './middleware'
import * as checks from './checks'
const router = express.Router()
const checked = validate(A)
function own(req: any, res: any, next: any) { next() }
router.post('/a', validate(A), [checks.body(B), own], async (req: any, res: any) => res.end())
router.use(checked)
router.get('/b', async (req: any, res: any) => res.end())
other.get('/c', async (req: any, res: any) => res.end())
router.use('/d', validate(D))
router.put('/d/x', async (req: any, res: any) => res.end())
router.put('/dx', async (req: any, res: any) => res.end())
""", path="src/server/routes.ts")
    # handler -1: what a `use` call names runs ahead of the whole app's routes, wherever registered
    names = {-1: "<app>", **{f.id: f"{f.name}:{f.span.line}" for f in ff.functions}}
    got = [(names[m.handler], m.callee, m.called, m.local_function is not None,
            m.ref.module if m.ref else None, m.span.line) for m in ff.middlewares]
    assert got == [
        ("<app>", "validate", True, False, "./middleware", 5),
        ("<app>", "validate", True, False, "./middleware", 11),
        ("own:6", "validate", True, False, "./middleware", 7),
        ("own:6", "checks.body", True, False, "./checks", 7),
        ("<callback of router.post>:7", "validate", True, False, "./middleware", 7),
        ("<callback of router.post>:7", "checks.body", True, False, "./checks", 7),
        ("<callback of router.post>:7", "own", False, True, None, 7),
        ("<callback of router.get>:9", "validate", True, False, "./middleware", 5),
        # `router.use(checked)` and `router.use('/d', validate(D))`: one function, listed once
        ("<callback of router.put>:12", "validate", True, False, "./middleware", 11),
        ("<callback of router.put>:13", "validate", True, False, "./middleware", 5),   # not under /d
    ]
