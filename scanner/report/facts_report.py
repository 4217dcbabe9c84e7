"""`dbaudit facts`: the fact model made visible, for debugging precision."""

from __future__ import annotations

import io
import json

from rich.console import Console
from rich.table import Table

from .. import recognition


def _scope(call) -> str:
    c = call.call.ctx
    parts = []
    if c.loops:
        parts.append("loop:" + ",".join(f"{l.kind}{'/' + l.method if l.method else ''}@{l.line}" for l in c.loops))
    if c.tx:
        parts.append("tx:" + ",".join(f"{t.kind}{'' if t.through_param or t.kind == 'array' else '(outer client)'}"
                                      for t in c.tx))
    if c.trys:
        parts.append(f"try×{len(c.trys)}")
    if c.branches:
        parts.append("branch:" + ",".join(f"{b.kind}{b.arm}" for b in c.branches))
    if c.parallel_group is not None:
        parts.append("Promise.all")
    return " ".join(parts)


def facts_dict(result) -> dict:
    index = result.index
    clients = []
    for path in sorted(index.files):
        for cc in index.files[path].clients_created:
            clients.append({"path": path, "line": cc.span.line, "binding": cc.binding,
                            "in_function": cc.function >= 0, "global_reuse": cc.global_reuse})
    calls = [{
        "path": c.path, "line": c.line, "column": c.call.span.column, "receiver": c.call.receiver,
        "model": c.model, "operation": c.operation, "kind": c.kind, "origin": c.origin,
        "entry_point": c.entry_kind, "in_transaction": c.in_transaction,
        "args": sorted(c.call.args.keys) if not c.call.args.opaque else "opaque",
        "scope": _scope(c),
    } for c in index.prisma_calls]
    return {"clients_created": clients, "prisma_calls": calls,
            "schema_models": len(index.schema.models) if index.schema else None}


def unresolved_dict(result) -> dict:
    """The Prisma-shaped calls not analysed, grouped by receiver (most calls first)."""
    groups: dict[str, list] = {}
    for u in result.index.unresolved_calls:
        groups.setdefault(u.receiver, []).append(u)
    rec = result.stats["recognition"]
    return {"recognition": {k: rec[k] for k in ("prisma_shaped_calls", "analysed", "unresolved", "analysed_share")},
            "receivers": [{"receiver": r, "calls": [
                {"path": u.path, "line": u.line, "model": u.model, "operation": u.operation} for u in calls]}
                for r, calls in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))],
            # Calls on a client naming a model the schema read lacks (recognition.py).
            "off_schema": [{"path": u.path, "line": u.line, "receiver": u.receiver, "model": u.model,
                            "operation": u.operation} for u in result.index.off_schema_calls]}


def render_unresolved(result, fmt: str = "text") -> str:
    data = unresolved_dict(result)
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    lines = [recognition.headline(result.stats["recognition"]) + "."]
    for group in data["receivers"]:
        lines.append(f"{group['receiver']}: {len(group['calls'])} call(s)")
        for c in group["calls"]:
            call = f"{c['model']}.{c['operation']}" if c["model"] else c["operation"]
            lines.append(f"  {c['path']}:{c['line']}  {call}")
    fix = recognition.config_fix(result.stats["recognition"], result.config["prisma"]["client_names"])
    if fix:
        lines.append(f"If they are clients, put in .dbaudit.yaml: {fix}")
    if data["off_schema"]:
        lines.append(f"Models the schema read does not declare: {len(data['off_schema'])} call(s)")
        lines += [f"  {c['path']}:{c['line']}  {c['receiver']}.{c['model']}.{c['operation']}"
                  for c in data["off_schema"]]
        lines.append("If the client is generated from another schema, put in .dbaudit.yaml: "
                     "prisma: { schema: path/to/schema.prisma }")
    return "\n".join(lines) + "\n"


def render_facts(result, fmt: str = "text") -> str:
    data = facts_dict(result)
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    buf = io.StringIO()
    # markup=False: paths such as app/users/[id]/route.ts are not rich markup.
    console = Console(file=buf, width=160, no_color=True, highlight=False, markup=False)
    console.print(f"Clients created: {len(data['clients_created'])}")
    for c in data["clients_created"]:
        console.print(f"  {c['path']}:{c['line']} {c['binding'] or '(unbound)'}"
                      f"{' inside a function' if c['in_function'] else ''}"
                      f"{' (globalThis reuse)' if c['global_reuse'] else ''}")
    table = Table(title=f"Prisma calls: {len(data['prisma_calls'])}")
    # Location and call stay on one line (tests and people grep them); the rest folds.
    for col in ("location", "call", "kind", "entry", "client", "scope"):
        table.add_column(col, overflow="fold", no_wrap=col in ("location", "call"))
    for c in data["prisma_calls"]:
        label = f"{c['model']}.{c['operation']}" if c["model"] else c["operation"]
        table.add_row(f"{c['path']}:{c['line']}", label, c["kind"] + (" (tx)" if c["in_transaction"] else ""),
                      c["entry_point"] or "", c["origin"], c["scope"])
    console.print(table)
    return buf.getvalue()
