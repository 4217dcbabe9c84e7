"""unvalidated-input names every kind of input its flows carry: an id from the route path
handed beside a body field is not "the request body" (the labellers of fresh set 11 found the
message wrong). The fingerprint (`matched`) does not change."""

from conftest import scan_dir

ROUTE = """import { setStatus } from '../../../../lib/bookings'

export async function PUT(req: Request, context: { params: Promise<{ id: string }> }) {
  const { id } = await context.params
  const { status } = await req.json()
  return Response.json(await setStatus(id, status))
}
"""

LIB = """import { PrismaClient } from '@prisma/client'

const prisma = new PrismaClient()

export async function setStatus(id: string, status: string) {
  return prisma.booking.update({ where: { id }, data: { status } })
}
"""


def test_both_inputs_are_named(tmp_path):
    (tmp_path / "app" / "api" / "bookings" / "[id]").mkdir(parents=True)
    (tmp_path / "app" / "api" / "bookings" / "[id]" / "route.ts").write_text(ROUTE)
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "bookings.ts").write_text(LIB)
    result = scan_dir(str(tmp_path), ("unvalidated-input",), min_confidence="low")
    [finding] = [f for f in result.findings if f.path == "lib/bookings.ts"]
    assert "the request body (`req.json()`) and a route parameter (`params`) are passed to setStatus() " \
           "and reach `where` (id), `data` (status)" in finding.message, finding.message
