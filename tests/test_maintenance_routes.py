"""Routes whose path names a seed, a backfill or debugging (analysis/maintenance_routes.py):
one-off maintenance and diagnostics endpoints, graded low; a word of the path counts only whole."""

from __future__ import annotations

from conftest import scan_dir
from treeutil import make_tree

HANDLERS = {
    "app/api/users/route.ts": "export async function POST() { return Response.json(1) }\n",
    "app/api/seedlings/route.ts": "export async function POST() { return Response.json(1) }\n",
    "app/api/dev/seed/route.ts": "export async function POST() { return Response.json(1) }\n",
    "pages/api/backfill-slugs.ts": "export default async function handler(req: any, res: any) { res.json(1) }\n",
    "src/routes/api/seeder/+server.ts": "export async function GET() { return new Response('1') }\n",
    "app/routes/api+/seed/route.tsx": "export async function loader() { return null }\n",
    "app/api/debug-db/cleanup-chats/route.ts": "export async function POST() { return Response.json(1) }\n",
    "app/api/debugger-settings/route.ts": "export async function POST() { return Response.json(1) }\n",
}


def test_a_route_whose_path_names_a_seed_or_backfill(tmp_path):
    from scanner.analysis.maintenance_routes import maintenance_routes
    files = {"package.json": '{"dependencies": {"next": "15.0.0", "@sveltejs/kit": "2.0.0"}}', **HANDLERS}
    found = maintenance_routes(scan_dir(str(make_tree(tmp_path / "app", files))).index)
    assert set(found) == {"app/api/dev/seed/route.ts", "pages/api/backfill-slugs.ts",
                          "src/routes/api/seeder/+server.ts", "app/routes/api+/seed/route.tsx",
                          "app/api/debug-db/cleanup-chats/route.ts"}
    assert "names a seed (app/api/dev/seed/route.ts)" in found["app/api/dev/seed/route.ts"][0][2]
    assert "names debugging (app/api/debug-db/cleanup-chats/route.ts): a diagnostics endpoint" \
        in found["app/api/debug-db/cleanup-chats/route.ts"][0][2]
