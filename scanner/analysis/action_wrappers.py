"""Server actions exported through a wrapper that validates their input
(`export const vote = createSafeAction(VoteSchema, voteHandler)`), for the
unvalidated-input rule and the coverage figure."""

from __future__ import annotations

from ..facts.model import ClientRef
from ..index import ProjectIndex


def validating_action_wrapper(index: ProjectIndex, path: str, fid: int) -> str | None:
    """The wrapper a server action is exported through, when it validates with the schema
    its caller passes before it runs the action (`export const act =
    createSafeAction(Schema, handler)` where the wrapper's returned function runs
    `schema.safeParse(data)` first): the handler gets validated input. Its name, else None."""
    facts = index.files[path]
    for e in facts.exports:
        if e.function != fid or e.ref is None or e.ref.kind != "import" or "()" not in e.ref.members:
            continue
        key = index.memo(f"wrapper-of:{path}:{e.ref.module}:{e.ref.name}", lambda: index.callee_of_import(
            path, ClientRef("import", "import", e.ref.module, e.ref.name)))
        if key is None:
            continue
        wfacts = index.files[key.path]
        inner = {f.id for f in wfacts.functions if f.parent == key.id} | {key.id}
        if any(v.function in inner and v.kind != "trpc-input"
               and (v.outer_schema_param >= 0 or v.schema_param >= 0) for v in wfacts.validations):
            return e.ref.name
    return None
