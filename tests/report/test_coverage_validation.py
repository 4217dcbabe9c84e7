"""The "entry points that validate their input" figure over small trees whose counts are
known by construction: validation through wrappers of any file, configured validator
names, schema libraries besides zod, and entry points that take no input."""

from __future__ import annotations

from conftest import scan_dir
from scanner.report.coverage import coverage_figures
from treeutil import make_tree

_DB = 'import { PrismaClient } from "@prisma/client"\nexport const prisma = new PrismaClient()\n'

# A shared helper that validates its first parameter with the schema its caller passes.
_HTTP = """import type { ZodSchema } from 'zod'
export async function parseRequest(request: Request, schema: ZodSchema) {
  const body = await request.json()
  const result = schema.safeParse(body)
  if (!result.success) throw new Error('invalid')
  return result.data
}
export function readJson(body: any) {
  return JSON.parse(JSON.stringify(body))
}
"""

_TREE = {
    "src/lib/db.ts": _DB,
    "src/lib/http.ts": _HTTP,
    "src/lib/schemas.ts": "import { z } from 'zod'\nexport const Post = z.object({ title: z.string() })\n",
    # superstruct: assert(value, struct), the value first.
    "src/lib/check.ts": ("import { assert } from 'superstruct'\n"
                         "export function checked(input: unknown, struct: any) {\n"
                         "  assert(input, struct)\n  return input\n}\n"),
    # 1. validates through the helper of another file
    "app/api/a/route.ts": """import { parseRequest } from '../../../src/lib/http'
import { Post } from '../../../src/lib/schemas'
import { prisma } from '../../../src/lib/db'
export async function POST(request: Request) {
  const data = await parseRequest(request, Post)
  return Response.json(await prisma.post.create({ data }))
}
""",
    # 2. reads the body and hands it to a helper that does not validate
    "app/api/b/route.ts": """import { readJson } from '../../../src/lib/http'
import { prisma } from '../../../src/lib/db'
export async function POST(request: Request) {
  const data = readJson(await request.json())
  return Response.json(await prisma.post.create({ data }))
}
""",
    # 3. valibot, called directly: parse(schema, value)
    "app/api/c/route.ts": """import * as v from 'valibot'
import { prisma } from '../../../src/lib/db'
const Body = v.object({ title: v.string() })
export async function POST(request: Request) {
  const data = v.parse(Body, await request.json())
  return Response.json(await prisma.post.create({ data }))
}
""",
    # 4. a same-file wrapper (superstruct in another file) and a local check named in config
    "app/api/d/route.ts": """import { checked } from '../../../src/lib/check'
import { prisma } from '../../../src/lib/db'
function sanePayload(body: unknown) {
  if (!body) throw new Error('empty')
}
export async function PUT(request: Request) {
  const body = await request.json()
  sanePayload(body)
  return Response.json(await prisma.post.create({ data: body }))
}
export async function PATCH(request: Request) {
  const body = checked(await request.json(), {})
  return Response.json(await prisma.post.create({ data: body }))
}
""",
    # 5. no input at all: not in the denominator
    "app/api/e/route.ts": """import { prisma } from '../../../src/lib/db'
export async function GET() {
  return Response.json(await prisma.post.findMany({ take: 10 }))
}
export async function DELETE(request: Request) {
  await prisma.post.deleteMany({ where: { draft: true } })
  return new Response(null)
}
""",
}


def _figure(root):
    result = scan_dir(str(root))
    return coverage_figures(result.index, result.config)["entry_points_validated"]


def _items(fig):
    return [(i.path, i.line, i.label, i.ok) for i in fig.items]


def test_wrappers_and_schema_libraries_count(tmp_path):
    f = _figure(make_tree(tmp_path / "app", _TREE))
    # GET() and DELETE(request) read nothing: they take no input and are left out.
    assert _items(f) == [
        ("app/api/a/route.ts", 4, "POST (route-handler) via parseRequest()", True),
        ("app/api/b/route.ts", 3, "POST (route-handler)", False),
        ("app/api/c/route.ts", 4, "POST (route-handler)", True),
        ("app/api/d/route.ts", 6, "PUT (route-handler)", False),
        ("app/api/d/route.ts", 11, "PATCH (route-handler) via checked()", True),
    ]
    assert (f.numerator, f.denominator) == (3, 5)


def test_configured_validator_names_count(tmp_path):
    tree = dict(_TREE)
    tree[".dbaudit.yaml"] = "input_validation:\n  validators: [sanePayload]\n"
    f = _figure(make_tree(tmp_path / "app", tree))
    assert ("app/api/d/route.ts", 6, "PUT (route-handler) via sanePayload()", True) in _items(f)
    assert (f.numerator, f.denominator) == (4, 5)


def test_entry_points_without_input_are_not_counted(tmp_path):
    f = _figure(make_tree(tmp_path / "app", {"src/lib/db.ts": _DB, "app/api/e/route.ts": _TREE["app/api/e/route.ts"]}))
    assert (f.numerator, f.denominator, f.items) == (0, 0, ())


_MIDDLEWARE = """import type { NextFunction, Request, Response } from 'express'
import type { ZodTypeAny } from 'zod'
export const validate = (schema: ZodTypeAny) => (req: Request, _res: Response, next: NextFunction) => {
  req.body = schema.parse(req.body)
  next()
}
export const validateQuery = (schema: ZodTypeAny) => (req: Request, _res: Response, next: NextFunction) => {
  schema.parse(req.query)
  next()
}
export const audit = (label: string) => (req: Request, _res: Response, next: NextFunction) => {
  console.log(label, req.body)
  next()
}
"""

_EXPRESS = {
    "src/lib/db.ts": _DB,
    "src/lib/middleware.ts": _MIDDLEWARE,
    "src/lib/schemas.ts": _TREE["src/lib/schemas.ts"],
    "src/server/posts.ts": """import express from 'express'
import { validateRequestBody } from 'zod-express-middleware'
import { prisma } from '../lib/db'
import { audit, validate, validateQuery } from '../lib/middleware'
import { Post } from '../lib/schemas'
const router = express.Router()
router.post('/posts', validate(Post), async (req, res) => {
  res.json(await prisma.post.create({ data: req.body }))
})
router.post('/posts/import', validateQuery(Post), async (req, res) => {
  res.json(await prisma.post.create({ data: req.body }))
})
router.get('/posts', validateQuery(Post), async (req, res) => {
  res.json(await prisma.post.findMany({ where: { title: String(req.query.title) }, take: 5 }))
})
router.put('/posts/:id', audit('put'), async (req, res) => {
  res.json(await prisma.post.update({ where: { id: req.params.id }, data: req.body }))
})
router.patch('/posts/:id', validateRequestBody(Post), async (req, res) => {
  res.json(await prisma.post.update({ where: { id: '1' }, data: req.body }))
})
router.delete('/posts', async (_req, res) => {
  res.json(await prisma.post.deleteMany({ where: { draft: true } }))
})
export default router
""",
}


def test_handlers_behind_a_validating_middleware_count(tmp_path):
    """`router.post('/x', validate(Schema), handler)`: the handler validates what the
    middleware validates, if it reads that part (issue 18)."""
    f = _figure(make_tree(tmp_path / "app", _EXPRESS))
    assert _items(f) == [
        ("src/server/posts.ts", 7, "<callback of router.post> (http-handler) behind validate() middleware", True),
        ("src/server/posts.ts", 10, "<callback of router.post> (http-handler)", False),   # checks the query only
        ("src/server/posts.ts", 13, "<callback of router.get> (http-handler) behind validateQuery() middleware",
         True),
        ("src/server/posts.ts", 16, "<callback of router.put> (http-handler)", False),    # only logs
        # A package's middleware (not in the scan), by its name: `validate*` is a configured validator.
        ("src/server/posts.ts", 19,
         "<callback of router.patch> (http-handler) behind validateRequestBody() middleware", True),
    ]
    assert (f.numerator, f.denominator) == (3, 5)
    tree = {**_EXPRESS, ".dbaudit.yaml": "input_validation:\n  validators: [checkBody]\n"}
    f = _figure(make_tree(tmp_path / "configured", tree))
    assert (f.numerator, f.denominator) == (2, 5), "validateRequestBody is no longer a configured name"


_SAFE_ACTION = """import { z } from 'zod'
export const createSafeAction = <I, O>(schema: z.Schema<I>, handler: (data: I) => Promise<O>) =>
  async (data: I) => {
    const parsed = schema.safeParse(data)
    if (!parsed.success) return { error: 'invalid' }
    return handler(parsed.data)
  }
export const createAction = <I, O>(_schema: z.Schema<I>, handler: (data: I) => Promise<O>) =>
  async (data: I) => handler(data)
"""


def test_server_actions_exported_through_a_validating_wrapper_count(tmp_path):
    """`export const vote = createSafeAction(Schema, handler)`: the wrapper parses with the
    schema it is given before the handler runs; `createAction` ignores it."""
    f = _figure(make_tree(tmp_path / "app", {
        "src/lib/db.ts": _DB,
        "src/lib/safe-action.ts": _SAFE_ACTION,
        "src/actions/votes.ts": """'use server'
import { z } from 'zod'
import { prisma } from '../lib/db'
import { createAction, createSafeAction } from '../lib/safe-action'
const Vote = z.object({ postId: z.string() })
const voteHandler = async (data: { postId: string }) => prisma.vote.create({ data })
export const vote = createSafeAction(Vote, voteHandler)
const unvoteHandler = async (data: { postId: string }) => prisma.vote.deleteMany({ where: data })
export const unvote = createAction(Vote, unvoteHandler)
""",
    }))
    assert _items(f) == [
        ("src/actions/votes.ts", 6, "voteHandler (server-action) via createSafeAction()", True),
        ("src/actions/votes.ts", 8, "unvoteHandler (server-action)", False),
    ]
    assert (f.numerator, f.denominator) == (1, 2)
