"""The taint facts (facts/taint.py) and catch-handler summaries (facts/handlers.py)
beyond the annotated fixtures: the path a flow records, its sink index, and
walks that stay iterative on deep trees."""

from __future__ import annotations

from scanner.config import load_config
from scanner.engine import client_config
from scanner.facts.extract import extract_facts

CFG = client_config(load_config(None))
HEAD = "import { prisma } from '@/lib/prisma'\n"


def _facts(src: str, path: str = "app/api/x/route.ts", role: str = "route"):
    directive = "'use server'\n" if src.startswith("'use server'") else ""
    return extract_facts(path, role, (directive + HEAD + src[len(directive):]).encode(), CFG)


def test_flow_records_the_path_from_source_to_sink():
    ff = _facts(
        "export async function POST(req: Request) {\n"        # 2
        "  const body = await req.json()\n"                   # 3
        "  const { title, ...rest } = body\n"                 # 4
        "  await prisma.post.findFirst({ where: { title } })\n"  # 5
        "  await prisma.post.create({ data: rest })\n"        # 6
        "}\n")
    flows = {(ff.prisma_calls[f.sink].span.line, f.argument): f for f in ff.taint}
    where = flows[(5, "where")]
    assert where.source == "json" and not where.mass_assignment and where.fields == ("title",)
    assert [s.line for s in where.steps] == [3, 3, 4, 5]
    data = flows[(6, "data")]
    assert data.mass_assignment, "the rest of the body is still the client's object"
    assert ff.prisma_calls[data.sink].operation == "create"


def test_validated_and_derived_values_carry_no_flow():
    ff = _facts(
        "import { z } from 'zod'\n"
        "const S = z.object({ name: z.string() })\n"
        "export async function POST(req: Request) {\n"
        "  const data = S.parse(await req.json())\n"
        "  const raw = await req.json()\n"
        "  await prisma.user.create({ data })\n"
        "  await prisma.user.update({ where: { id: '1' }, data: { hash: await digest(raw.password) } })\n"
        "}\n")
    assert ff.taint == ()


def test_server_action_and_trpc_parameters_are_sources():
    action = _facts("'use server'\nexport async function save(input: { id: string }) {\n"
                    "  await prisma.post.update({ where: { id: input.id }, data: { seen: true } })\n}\n",
                    path="src/actions/posts.ts", role="lib")
    assert [f.source for f in action.taint] == ["action-param"]
    trpc = _facts("export const r = router({ a: publicProcedure.mutation(({ input }) =>\n"
                  "  prisma.post.delete({ where: { id: input.id } })) })\n",
                  path="src/server/router.ts", role="lib")
    assert [f.source for f in trpc.taint] == ["trpc-input"]
    validated = _facts("export const r = router({ a: publicProcedure.input(S).mutation(({ input }) =>\n"
                       "  prisma.post.delete({ where: { id: input.id } })) })\n",
                       path="src/server/router.ts", role="lib")
    assert validated.taint == ()


def test_deep_expressions_do_not_recurse():
    depth = 2500
    deep = "(" * depth + "body.title" + ")" * depth
    chain = " + ".join(["body.title"] * 1500)
    ff = _facts(
        "export async function POST(req: Request) {\n"
        "  const body = await req.json()\n"
        f"  await prisma.post.create({{ data: {{ title: {deep}, slug: {chain} }} }})\n"
        "}\n")
    assert [f.argument for f in ff.taint] == ["data"]


def test_deep_catch_handlers_are_summarised():
    nested = "if (x) {" * 1500 + "console.error(error)" + "}" * 1500
    ff = _facts(
        "export async function f(x: boolean) {\n"
        "  try { await prisma.post.create({ data: {} }) }\n"
        f"  catch (error) {{ {nested} }}\n"
        "}\n", path="src/lib/x.ts", role="lib")
    (catch,) = ff.catches
    assert catch.handler.logs == ("console.error",) and not catch.handler.returns


def test_cross_file_halves_record_the_argument_and_the_parameter():
    route = _facts(
        "import { createUser, setBio } from '@/lib/users'\n"     # 2
        "export async function POST(req: Request) {\n"          # 3
        "  const body = await req.json()\n"                     # 4
        "  await createUser(body)\n"                            # 5
        "  await setBio({ userId: 'me', bio: body.bio })\n"     # 6
        "}\n")
    handed = [(h.span.line, h.arg, h.key, h.source, h.whole) for h in route.handed_inputs]
    assert handed == [(5, 0, "", "json", True), (6, 0, "bio", "json", False)]
    assert [(s.line, s.note) for s in route.handed_inputs[0].steps] == [
        (4, "req.json()"), (4, "body = await req.json()"), (5, "passed to createUser()")]
    lib = _facts(
        "export async function createUser(input: { email: string }) {\n"           # 2
        "  return prisma.user.create({ data: input })\n"                          # 3
        "}\n"
        "export async function setBio({ userId, bio }: { userId: string; bio: string }) {\n"  # 5
        "  return prisma.profile.update({ where: { userId }, data: { bio } })\n"  # 6
        "}\n", path="src/lib/users.ts", role="lib")
    flows = sorted((p.function, p.param, p.key, p.flow.argument, p.flow.mass_assignment) for p in lib.param_flows)
    assert flows == [(0, 0, "", "data", True), (1, 0, "bio", "data", False), (1, 0, "userId", "where", False)]
    assert all(p.flow.source == "param" for p in lib.param_flows)


def test_parameters_of_unexported_functions_are_not_followed():
    lib = _facts("async function hidden(input: object) {\n  return prisma.user.create({ data: input })\n}\n",
                 path="src/lib/users.ts", role="lib")
    assert lib.param_flows == ()
