"""unbounded-find-many says where the read runs: a helper that a request entry point calls is
on the request path (medium severity, "in a function a route-handler calls"), not "outside a
request entry point" (the labellers of fresh set 52 found that message wrong); a helper
nothing calls stays outside (low). The fingerprint (`matched`) does not change."""

from conftest import scan_dir

ROUTE = """import { listArchive } from '../../../lib/archive'

export async function GET() {
  return Response.json(await listArchive())
}
"""

LIB = """import { PrismaClient } from '@prisma/client'

const prisma = new PrismaClient()

export async function listArchive() {
  return prisma.post.findMany({ where: { archived: true } })
}

export async function nightlyArchive() {
  return prisma.post.findMany({ where: { archived: false } })
}
"""


def test_a_helper_an_entry_point_calls_runs_in_the_request(tmp_path):
    (tmp_path / "app" / "api" / "archive").mkdir(parents=True)
    (tmp_path / "app" / "api" / "archive" / "route.ts").write_text(ROUTE)
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "archive.ts").write_text(LIB)
    result = scan_dir(str(tmp_path), ("unbounded-find-many",), min_confidence="low")
    by_line = {f.line: f for f in result.findings if f.path == "lib/archive.ts"}
    called, uncalled = by_line[6], by_line[10]
    assert "(in a function a route-handler calls)" in called.message, called.message
    assert called.severity.value == "medium"
    assert "(outside a request entry point)" in uncalled.message, uncalled.message
    assert uncalled.severity.value == "low"
