"""write-without-audit is on only when the project keeps an audit trail (or the
config says so); its mode is validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.config import ConfigError, load_config
from scanner.engine import scan

RULE = "write-without-audit"
ROUTE = """import { PrismaClient } from '@prisma/client'
const prisma = new PrismaClient()
export async function POST() {
  await prisma.post.create({ data: { title: 'x' } })
  return new Response(null, { status: 201 })
}
"""
AUDIT_WRITER = """import { PrismaClient } from '@prisma/client'
const prisma = new PrismaClient()
export async function audit(action: string) {
  await prisma.activityLog.create({ data: { action } })
}
"""


def _project(tmp_path: Path, models: str, audit_code: bool) -> Path:
    (tmp_path / "prisma").mkdir()
    (tmp_path / "prisma" / "schema.prisma").write_text(
        'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n' + models)
    route = tmp_path / "app" / "api" / "posts"
    route.mkdir(parents=True)
    (route / "route.ts").write_text(ROUTE)
    if audit_code:
        (tmp_path / "lib").mkdir()
        (tmp_path / "lib" / "audit.ts").write_text(AUDIT_WRITER)
    return tmp_path


POST = "model Post {\n  id String @id\n  title String\n}\n"
ACTIVITY = "model ActivityLog {\n  id String @id\n  action String\n}\n"


def _lines(root: Path, **overrides) -> list[int]:
    result = scan(root, load_config(root, overrides=overrides or None), select=[RULE])
    return [f.line for f in result.findings if f.rule == RULE]


def test_on_when_an_audit_model_is_written(tmp_path):
    assert _lines(_project(tmp_path, POST + ACTIVITY, audit_code=True)) == [4]


def test_off_without_an_audit_model(tmp_path):
    assert _lines(_project(tmp_path, POST, audit_code=False)) == []


def test_off_when_the_audit_model_is_never_written(tmp_path):
    assert _lines(_project(tmp_path, POST + ACTIVITY, audit_code=False)) == []


def test_mode_always_and_never(tmp_path):
    root = _project(tmp_path, POST, audit_code=False)
    assert _lines(root, audit={"mode": "always"}) == [4]
    assert _lines(root, audit={"mode": "never"}) == []


def test_exempt_models_are_configurable(tmp_path):
    root = _project(tmp_path, POST + ACTIVITY, audit_code=True)
    assert _lines(root, audit={"exempt_models": ["Post"]}) == []


def test_exempt_paths_skip_entry_points(tmp_path):
    root = _project(tmp_path, POST + ACTIVITY, audit_code=True)
    assert _lines(root) != []
    assert _lines(root, audit={"exempt_paths": ["app/api/posts/**"]}) == []
    assert _lines(root, audit={"exempt_paths": ["**/api/cron/**"]}) == _lines(root)


def test_exempt_paths_must_be_a_list(tmp_path):
    with pytest.raises(ConfigError, match="audit.exempt_paths"):
        load_config(tmp_path, overrides={"audit": {"exempt_paths": "app/api/cron/**"}})


def test_unknown_mode_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="audit.mode"):
        load_config(tmp_path, overrides={"audit": {"mode": "sometimes"}})


def test_exempt_models_take_wildcards(tmp_path):
    root = _project(tmp_path, POST + ACTIVITY, audit_code=True)
    assert _lines(root, audit={"exempt_models": ["Po*"]}) == []
    assert _lines(root, audit={"exempt_models": ["*Stat"]}) == _lines(root)


BOOKING_ROUTE = """import { PrismaClient } from '@prisma/client'
const prisma = new PrismaClient()
export async function PUT() {
  await prisma.bookingItem.update({ where: { id: 'b' }, data: { nights: 2 } })
  return new Response(null, { status: 204 })
}
"""
BOOKING_AUDIT = """import { PrismaClient } from '@prisma/client'
const prisma = new PrismaClient()
export async function POST() {
  await prisma.booking.create({ data: { id: 'b' } })
  await prisma.bookingAuditLog.create({ data: { action: 'create' } })
  return new Response(null, { status: 201 })
}
"""


def test_a_trail_named_for_a_model_covers_that_model_only(tmp_path):
    # BookingAuditLog records bookings: a route that writes Post (not a Booking* model) is
    # outside the trail the project keeps (low); one that writes BookingItem is a gap in it.
    booking = ("model Booking {\n  id String @id\n}\nmodel BookingItem {\n  id String @id\n  nights Int\n}\n"
               "model BookingAuditLog {\n  id String @id\n  action String\n}\n")
    root = _project(tmp_path, POST + booking, audit_code=False)
    for name, code in (("bookings", BOOKING_AUDIT), ("booking-items", BOOKING_ROUTE)):
        (root / "app" / "api" / name).mkdir(parents=True)
        (root / "app" / "api" / name / "route.ts").write_text(code)
    result = scan(root, load_config(root, overrides={"min_confidence": "low"}), select=[RULE])
    found = {f.path: f for f in result.findings}
    assert set(found) == {"app/api/posts/route.ts", "app/api/booking-items/route.ts"}
    assert found["app/api/posts/route.ts"].confidence == "low"
    assert "named for what it records (BookingAuditLog: Booking, BookingItem)" in \
        found["app/api/posts/route.ts"].evidence[0]
    assert found["app/api/booking-items/route.ts"].confidence == "medium"


@pytest.mark.parametrize("names, subjects", [
    (["BookingAuditLog"], {"Booking", "BookingItem"}),
    (["AuditLog"], set()),                        # generic: every change
    (["ActivityLog"], set()),
    (["AdminAuditLog"], set()),                   # names no model: a role, not a subject
    (["BookingAuditLog", "AuditLog"], set()),     # a generic trail beside it covers the rest
])
def test_trail_subjects(names, subjects):
    from types import SimpleNamespace
    from scanner.rules.write_without_audit import trail_subjects
    models = [SimpleNamespace(name=n, kind="model")
              for n in ("Booking", "BookingItem", "BookingAuditLog", "AuditLog", "ActivityLog", "User")]
    assert trail_subjects(SimpleNamespace(models=models), names) == subjects


NITRO_ROUTE = """import { prisma } from '../../db'
export default defineEventHandler(async (event) => {
  const body = await readBody(event)
  return prisma.post.create({ data: { title: String(body.title) } })
})
"""
NITRO_DB = "import { PrismaClient } from '@prisma/client'\nexport const prisma = new PrismaClient()\n"


def _nitro(tmp_path: Path, middleware: str) -> list[tuple[int, str, tuple[str, ...]]]:
    (tmp_path / "prisma").mkdir(parents=True)
    (tmp_path / "prisma" / "schema.prisma").write_text(
        'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n' + POST + ACTIVITY)
    log = ("import { prisma } from '../db'\n"
           "export default defineEventHandler(() => prisma.activityLog.create({ data: { action: 'x' } }))\n")
    for rel, text in {"server/db.ts": NITRO_DB, "server/api/posts.post.ts": NITRO_ROUTE,
                      "server/middleware/trail.ts": middleware, "server/api/log.post.ts": log}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    result = scan(tmp_path, load_config(tmp_path, overrides={"min_confidence": "low"}), select=[RULE])
    return [(f.line, f.confidence, f.evidence) for f in result.findings if f.rule == RULE]


def test_a_nitro_server_middleware_that_writes_the_trail_covers_the_routes(tmp_path):
    # Nitro runs every `server/middleware/` module ahead of each request: one that writes the
    # audit trail covers the routes (low, with where). Near miss: a middleware that only
    # logs leaves the route medium.
    trail = ("import { prisma } from '../db'\nexport default defineEventHandler(async (event) => {\n"
             "  await prisma.activityLog.create({ data: { action: event.path } })\n})\n")
    found = _nitro(tmp_path / "a", trail)
    assert [(line, conf) for line, conf, _ in found] == [(4, "low")]
    assert "the server middleware trail.ts" in found[0][2][-1]
    quiet = "export default defineEventHandler((event) => { console.log(event.path) })\n"
    assert [(line, conf) for line, conf, _ in _nitro(tmp_path / "b", quiet)] == [(4, "medium")]
