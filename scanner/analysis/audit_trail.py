"""The models that hold the audit trail (`audit.models` in the config): a model of that name,
or one whose name ends with it (`DocumentAuditLog`). Read by write-without-audit, which asks
for writes to them, and swallowed-error, for which a lost trail entry is best-effort work."""

from __future__ import annotations

import re


def audit_models(schema, names) -> dict[str, object]:
    """Client name -> schema model, for the models that hold the audit trail."""
    if schema is None:
        return {}
    return {m.client_name: m for m in schema.models
            if m.kind == "model" and any(m.name == n or m.name.endswith(n) for n in names)}


# A model named as a log of what happened: `SmsLog`, `WebhookLog`, `stripe_webhook_logs`.
_LOG_NAME = re.compile(r"(?:[a-z0-9]Logs?|_logs?)$")


def listed_logs(index, schema) -> dict[str, object]:
    """Client name -> schema model, for the models named as a log (`ApiLog`, `webhook_logs`)
    that the application only lists: every read of the model the scan sees is a `findMany()`
    (a page of entries shown), none a lookup, count or sum. Such a row records what happened,
    and nothing decides on it; a log read by key (a dedup record, `emailLog.findFirst({ where:
    { kind, userId } })`) or counted (usage billed from it) is state the app relies on."""
    if schema is None:
        return {}
    def compute() -> dict[str, object]:
        logs = {m.client_name: m for m in schema.models if m.kind == "model" and _LOG_NAME.search(m.name)}
        for c in index.prisma_calls:
            if c.model in logs and not c.writes and c.operation != "findMany":
                logs.pop(c.model)
        return logs
    return index.memo("listed-logs", compute)
