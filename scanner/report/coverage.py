"""Coverage figures: how much of the code base already does the right thing.

Pure functions over the `ProjectIndex` (and its `Schema`); no rule findings go
in, so the figures hold whichever rules run. Each figure carries its numerator,
its denominator and the items behind both, so every number in a report can be
traced to `path:line`. The HTML and text reports and the history read them
from `coverage_figures()`."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass

from ..analysis.callee_names import callee_matches
from ..analysis.guarded_work import guarded_work, is_write, swallows
from ..analysis.action_wrappers import validating_action_wrapper
from ..analysis.middleware import validated_parts
from ..facts.entries import ENTRY_ROLES, entry_kind
from ..facts.validation import validated_params, validates_input
from ..index import FunctionKey, ProjectIndex
from ..schema.model import Field, Model, Schema

_OPERATION_KINDS = ("read", "write", "raw")


@dataclass(frozen=True, slots=True)
class Item:
    path: str
    line: int | None
    label: str
    ok: bool | None = None   # counted in the numerator / only in the denominator / context


@dataclass(frozen=True, slots=True)
class Figure:
    key: str
    title: str
    subject: str          # what the denominator counts, as a noun phrase: "functions with 2+ writes"
    numerator: int
    denominator: int
    items: tuple[Item, ...]
    counted: str          # what the numerator counts, as a phrase: "run inside a transaction"
    note: str = ""        # how the figure is computed, where that is not obvious
    detail: str = ""      # a computed phrase a summary sentence ends with: "5 calls in all"

    @property
    def share(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def to_dict(self) -> dict:
        return {
            "key": self.key, "title": self.title, "subject": self.subject, "numerator": self.numerator,
            "denominator": self.denominator,
            "share": round(self.share, 4) if self.share is not None else None,
            "counted": self.counted, "note": self.note, "detail": self.detail,
            "items": [{"path": i.path, "line": i.line, "label": i.label, "ok": i.ok} for i in self.items],
        }


def _function_label(index: ProjectIndex, key: FunctionKey) -> tuple[str, int | None]:
    fn = index.function(key)
    if fn is None:
        return "module level", None
    return f"{fn.name}()", fn.span.line


def calls_outside_entry_files(index: ProjectIndex) -> Figure:
    """Prisma operations in library modules, out of all operations."""
    per_file: Counter = Counter()
    for c in index.prisma_calls:
        if c.kind in _OPERATION_KINDS:
            per_file[c.path] += 1
    items = []
    for path in sorted(per_file):
        role = index.files[path].role
        items.append(Item(path, None, f"{per_file[path]} operation(s), {role}", role not in ENTRY_ROLES))
    lib = sum(per_file[i.path] for i in items if i.ok)
    return Figure("calls_in_lib", "Prisma operations in library modules", "Prisma operations", lib, sum(per_file.values()),
                  tuple(items), "sit in library modules rather than in route, page, action or component files",
                  "Reads, writes and raw queries; `$transaction` calls are counted separately.")


def transaction_uses(index: ProjectIndex) -> Figure:
    """`$transaction` uses, listed; the share is of the files that write."""
    uses = [c for c in index.prisma_calls if c.kind == "transaction"]
    writing = {c.path for c in index.prisma_calls if is_write(c)}
    using = {c.path for c in uses}
    items = []
    for c in uses:
        label, _ = _function_label(index, FunctionKey(c.path, index.owner(c.path, c.call.ctx.function)))
        items.append(Item(c.path, c.line, f"{c.call.receiver}.$transaction in {label}"))
    return Figure("transactions", "`$transaction` uses", "files that write", len(using & writing), len(writing), tuple(items),
                  "use `$transaction`", f"{len(uses)} `$transaction` call(s) in {len(using)} file(s).",
                  f"{len(uses)} call{'' if len(uses) == 1 else 's'} in all")


def _side_effect_writes(index: ProjectIndex, writers: frozenset[str]):
    """Calls of configured side-effect writers (`logAudit`), per owning function,
    as (path, line, label, in_transaction)."""
    out: dict[FunctionKey, list[tuple[str, int, str, bool]]] = defaultdict(list)
    for path, facts in index.files.items():
        for site in facts.call_sites:
            name = site.callee.rsplit(".", 1)[-1]
            if name not in writers:
                continue
            key = FunctionKey(path, index.owner(path, site.ctx.function))
            # Inside a transaction callback or array: the writer is assumed to get the tx client.
            in_tx = any(f.kind in ("callback", "array") for f in site.ctx.tx)
            out[key].append((path, site.span.line, f"{site.callee}()", in_tx))
    return out


def multi_write_functions(index: ProjectIndex, side_effect_writers=()) -> Figure:
    """Functions with two or more writes, and how many run all of them in a transaction."""
    extra = _side_effect_writes(index, frozenset(side_effect_writers))
    keys = set(index.calls_by_function) | set(extra)
    items = []
    for key in sorted(keys, key=lambda k: (k.path, k.id)):
        writes = [c.in_transaction for c in index.calls_by_function.get(key, ()) if is_write(c)]
        writes += [in_tx for *_, in_tx in extra.get(key, ())]
        if len(writes) < 2:
            continue
        label, line = _function_label(index, key)
        inside = sum(writes)
        items.append(Item(key.path, line, f"{label}: {len(writes)} writes, {inside} in a transaction",
                          inside == len(writes)))
    return Figure("multi_write_in_transaction", "Functions with 2+ writes that run them in a transaction",
                  "functions with 2+ writes",
                  sum(1 for i in items if i.ok), len(items), tuple(items),
                  "run every write inside a transaction",
                  "Prisma writes plus calls of the configured side-effect writers "
                  f"({', '.join(sorted(side_effect_writers)) or 'none'}), anywhere in one function "
                  "(branches are not told apart here).")


def _validating_calls(index: ProjectIndex, path: str, fn, validators) -> list[str]:
    """Calls in an entry point that validate what they are handed: a function (of any
    file) that validates the parameter the call fills (`parseRequest(request, schema)`,
    one call deep), or a configured validator given an argument."""
    out = []
    for site in index.sites_of(FunctionKey(path, fn.id)):
        given = site.given.count if site.given is not None else None
        if given != 0 and validators and callee_matches(site.callee, validators):
            out.append(site.callee)
            continue
        target = index.callee(path, site)
        if target is None:
            continue
        params = validated_params(index.files[target.path], target.id)
        if params and (given is None or any(i < given for i in params)):
            out.append(site.callee)
    return out


def _middleware_check(index: ProjectIndex, path: str, fn, validators=()) -> str | None:
    """The middleware that validates what a handler reads (`validate(S)` in
    `router.post('/x', validate(S), handler)`): a part it reads (`req.body`), or any part
    when it reads none here. None when no middleware validates, or only parts it does
    not read (the query, for a handler that writes the body)."""
    parts = validated_parts(index, path, fn.id, validators)
    if not parts:
        return None
    reads = {i.kind for i in index.files[path].inputs if index.owner(path, i.function) == fn.id}
    if "*" in parts or not reads:
        return parts.get("*") or next(iter(parts.values()))
    return next((parts[r] for r in sorted(reads) if r in parts), None)


def _takes_input(index: ProjectIndex, path: str, fn, kind_id: str, validators=()) -> bool:
    facts = index.files[path]
    if any(index.owner(path, i.function) == fn.id for i in facts.inputs):
        return True
    # A handler behind a validating middleware takes what it validates.
    if validated_parts(index, path, fn.id, validators):
        return True
    # Handing something to a validating wrapper means taking it (`parseRequest(request, S)`).
    if _validating_calls(index, path, fn, validators):
        return True
    # Validating something means taking something (`req.nextUrl.searchParams` and other
    # sources the input facts do not list yet).
    if any(v.function >= 0 and index.owner(path, v.function) == fn.id and validates_input(v, facts)
           for v in facts.validations):
        return True
    kind = entry_kind(kind_id)
    if kind.every_param:
        return bool(fn.params)
    if kind.id == "trpc-procedure":
        return any(v.kind == "trpc-input" and v.function == fn.id for v in facts.validations)
    if kind.id == "server-fn":
        return bool(fn.params) and "data" in fn.params[0]
    # Decorated parameters (`@Body() dto` of a NestJS handler) are not judged here yet.
    # The parameter that carries route params: `(req, { params })`, a page's `{ params }`.
    return any(i < len(fn.params) and any(prop.lower() in fn.params[i].lower() for prop in props)
               for i, props in kind.params.items() if "params" in props)


def entry_points_validating(index: ProjectIndex, validators=()) -> Figure:
    """Request entry points that take input and validate it (see facts/validation.py),
    themselves, through a wrapper that validates a parameter, or with a configured validator."""
    items = []
    for path in sorted(index.files):
        facts = index.files[path]
        for fn in facts.functions:
            kind_id = index.own_entry_kind(path, fn.id)
            if not kind_id or index.owner(path, fn.id) != fn.id \
                    or not _takes_input(index, path, fn, kind_id, validators):
                continue
            ok = any(index.owner(path, v.function) == fn.id and validates_input(v, facts)
                     for v in facts.validations if v.function >= 0)
            via = _validating_calls(index, path, fn, validators) if not ok else []
            guard = _middleware_check(index, path, fn, validators) if not ok and not via else None
            wrapper = validating_action_wrapper(index, path, fn.id) \
                if kind_id == "server-action" and not (ok or via or guard) else None
            via = via or ([wrapper] if wrapper else [])
            label = f"{fn.name} ({kind_id})" + (f" via {via[0]}()" if via else "") \
                + (f" behind {guard}() middleware" if guard else "")
            items.append(Item(path, fn.span.line, label, ok or bool(via) or bool(guard)))
    return Figure("entry_points_validated", "Entry points that validate their input",
                  "entry points that take input",
                  sum(1 for i in items if i.ok), len(items), tuple(items),
                  "validate with a schema",
                  "An entry point takes input when it reads the request (body, form, query, search "
                  "params), has a `params` argument, is a server action with parameters or a tRPC "
                  "procedure with `.input`, or runs a schema validation. It validates when it (or a callback "
                  "inside it) calls `.parse`/`.safeParse`/`.parseAsync`/`.safeParseAsync` on a zod schema or "
                  "a schema imported from another module (yup/joi `.validate`, valibot, superstruct and "
                  "typebox functions too), or its procedure has `.input(schema)`, or it passes an argument "
                  "to a function that validates that parameter itself (`parseRequest(request, schema)`, "
                  "one call deep), or calls a configured validator (`input_validation.validators`), or "
                  "is registered behind an Express-style middleware that validates the part of the request "
                  "it reads (`router.post('/x', validate(Schema), handler)`, `router.use(validate(Schema))`).")


def find_many_with_take(index: ProjectIndex) -> Figure:
    items = []
    for c in index.prisma_calls:
        if c.operation != "findMany":
            continue
        args = c.call.args
        ok = None if args.opaque else "take" in args.keys
        items.append(Item(c.path, c.line, f"{c.model}.findMany" + (" (argument not visible)" if ok is None else ""), ok))
    return Figure("find_many_take", "`findMany` calls bounded by `take`", "`findMany` calls",
                  sum(1 for i in items if i.ok), sum(1 for i in items if i.ok is not None), tuple(items),
                  "pass `take`",
                  "Calls whose argument is a variable or spread the scanner cannot see into are listed "
                  "but left out of the count.")


def _owning_relations(schema: Schema) -> list[tuple[Model, Field]]:
    return [(m, f) for m in schema.models if m.kind == "model"
            for f in m.fields if f.relation is not None and f.relation.is_owning_side]


def relation_index_covers(model: Model, fields: tuple[str, ...]) -> bool:
    """Some id, unique or index starts with exactly these columns (in any order)."""
    n = len(fields)
    want = set(fields)
    return any(ix.kind != "fulltext" and len(ix.fields) >= n and set(ix.fields[:n]) == want
               for ix in model.indexes)


def relation_fields_indexed(schema: Schema | None) -> Figure:
    items = []
    for m, f in _owning_relations(schema) if schema else ():
        cols = f.relation.fields
        items.append(Item(f.path, f.line, f"{m.name}.{', '.join(cols)} → {f.type}",
                          relation_index_covers(m, cols)))
    return Figure("relation_fields_indexed", "Relation scalar fields that lead an index",
                  "relation scalar fields",
                  sum(1 for i in items if i.ok), len(items), tuple(items),
                  "are the leading columns of an `@id`, `@unique`, `@@id`, `@@unique` or `@@index`")


def relations_with_on_delete(schema: Schema | None) -> Figure:
    items = []
    for m, f in _owning_relations(schema) if schema else ():
        od = f.relation.on_delete
        items.append(Item(f.path, f.line, f"{m.name}.{f.name} → {f.type}: " + (f"onDelete: {od}" if od else
                          "no onDelete"), od is not None))
    return Figure("relations_on_delete", "Relations that state `onDelete`", "relations",
                  sum(1 for i in items if i.ok), len(items), tuple(items),
                  "say what happens to the row when its parent is deleted",
                  "Owning sides (`@relation(fields: [...])`) only.")


def db_catches_handled(index: ProjectIndex, error_trackers=()) -> Figure:
    """Catches guarding DB work (the error rules' `guarded_work`) whose handler
    does not swallow the error (the `swallowed-error` rule's reading)."""
    items = []
    for path in sorted(index.files):
        work = guarded_work(index, path)
        for catch in index.files[path].catches:
            w = work.get(catch.key)
            if w is None:
                continue
            swallowed = swallows(catch.handler, error_trackers)
            outcome = ("only logs" if catch.handler.logs else "empty") if swallowed else "handles the error"
            form = "catch" if catch.kind == "try" else ".catch()"
            items.append(Item(path, catch.span.line, f"{form} around {w.what()}: {outcome}", not swallowed))
    return Figure("db_catches_handled", "Catch blocks around DB work that handle the error",
                  "catch blocks around DB work",
                  sum(1 for i in items if i.ok), len(items), tuple(items),
                  "rethrow, return, respond, report or record the error",
                  "A handler that is empty or only logs (`console.*`, `logger.*`) does not handle it; "
                  "the same reading as the `swallowed-error` rule.")


def figures_key(config) -> str:
    """The `index.memo` key of the figures under `config`'s options."""
    return "coverage_figures\0" + json.dumps([config["side_effect_writers"],
                                               config["input_validation"]["validators"],
                                               config["error_handling"]["error_trackers"]], default=str)


def coverage_figures(index: ProjectIndex, config) -> dict[str, Figure]:
    """Every figure, keyed; `config` gives the side-effect writers and error trackers.
    Computed once per index and options (`index.memo`), which the engine keeps with the
    cached rule results, so a warm scan reports them without its index."""
    return index.memo(figures_key(config), lambda: _figures(index, config))


def _figures(index: ProjectIndex, config) -> dict[str, Figure]:
    figures = (
        calls_outside_entry_files(index),
        transaction_uses(index),
        multi_write_functions(index, config["side_effect_writers"]),
        entry_points_validating(index, config["input_validation"]["validators"]),
        find_many_with_take(index),
        relation_fields_indexed(index.schema),
        relations_with_on_delete(index.schema),
        db_catches_handled(index, config["error_handling"]["error_trackers"]),
    )
    return {f.key: f for f in figures}
