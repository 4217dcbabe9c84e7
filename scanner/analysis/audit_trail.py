"""The models that hold the audit trail (`audit.models` in the config): a model of that name,
or one whose name ends with it (`DocumentAuditLog`). Read by write-without-audit, which asks
for writes to them, and swallowed-error, for which a lost trail entry is best-effort work."""

from __future__ import annotations


def audit_models(schema, names) -> dict[str, object]:
    """Client name -> schema model, for the models that hold the audit trail."""
    if schema is None:
        return {}
    return {m.client_name: m for m in schema.models
            if m.kind == "model" and any(m.name == n or m.name.endswith(n) for n in names)}
