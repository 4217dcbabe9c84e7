"""Build one file's facts from its syntax tree: queries find the shapes, the
extractors of this package decide what they mean, each over the one `ParsedFile`."""

from __future__ import annotations

import os
from collections import Counter

from .. import parse as P
from . import (array_caps, augments, browser_handlers, call_sites, calls, catches, clients, dev_only, exports,
               functions, imports, inputs, lone_functions, module_traits, nest_globals, route_schemas)
from .callbacks import handed_callbacks
from .comments import extract_suppressions
from .context import ContextBuilder
from .entries import ENTRY_KINDS
from .fields import extract_field_uses
from .graphql import resolver_map_refs
from .middleware import extract_middlewares
from .model import FileFacts, FunctionFact
from .narrowing import raw_fragments
from .parsed import ParsedFile
from .scopes import ClientConfig
from .taint import extract_taint
from .validation import extract_validations


def _role(role: str, directives: tuple[str, ...], fns: tuple[FunctionFact, ...]) -> str:
    if "use server" in directives and role in ("lib", "component"):
        return "server-action"
    if role == "lib":
        # A file of tRPC procedures is a `trpc-router`, one of Express handlers an `http-router`, …
        return next((ENTRY_KINDS[f.entry_kind].role for f in fns
                     if f.entry_kind and ENTRY_KINDS[f.entry_kind].role), role)
    return role


def _handler_candidates(fns: tuple[FunctionFact, ...], exports, sites) -> frozenset[int]:
    """Functions another module may register on a path: exported ones that are not entry
    points already, and the members of exported objects and classes (`export default {
    createUser }`). One its own module calls is a helper (`findOrganisations({ query })`
    under a tRPC procedure), not a handler. The index decides which are registered
    (`ProjectIndex.registered_elsewhere`)."""
    called = {s.local_function for s in sites}
    out = {f.id for f in fns if f.exported_as and f.params}
    out |= {fid for e in exports for _, fid in e.member_functions if fns[fid].params}
    return frozenset(fid for fid in out if not fns[fid].entry_kind and fid not in called)


def _named_once(fns: tuple[FunctionFact, ...]) -> dict[str, int]:
    """{name: id} of the names exactly one function of the file is declared with."""
    seen = Counter(f.name for f in fns)
    return {f.name: f.id for f in fns if seen[f.name] == 1}


def _notes(pf: ParsedFile) -> tuple[tuple[str, str], ...]:
    if pf.incomplete:
        return (("parse", f"more than {P.MATCH_LIMIT:,} patterns open at once (generated code?): "
                 "some were not matched, so findings in this file may be missing"),)
    return ()


def extract(pf: ParsedFile) -> FileFacts:
    directives = functions.directives(pf.root)
    tx_calls, tx_arguments = calls.transaction_calls(pf)
    ctx = ContextBuilder(pf.resolver, pf.function_ids, tx_arguments)
    prisma_calls, unresolved = calls.extract(pf, ctx)
    file_imports = imports.extract(pf)
    file_exports, stars = exports.extract(pf)
    fns = functions.extract(pf, directives, file_exports, tx_calls)
    file_inputs = inputs.extract(pf)
    spans = frozenset(c.span for c in prisma_calls) | {u.span for u in unresolved}
    sites, waits, invoked = call_sites.extract(pf, ctx, spans)
    taint, handed, param_flows = extract_taint(
        pf, fns, file_inputs, prisma_calls, call_sites.querying_functions(fns, prisma_calls, sites),
        _handler_candidates(fns, file_exports, sites),
        frozenset(fid for e in file_exports for _, fid in e.member_functions))
    middlewares, handler_refs = extract_middlewares(
        pf.captures("entry_points").get("registration", []), pf.resolver, pf.function_ids,
        lambda value: functions.function_of_value(pf, value))
    return FileFacts(
        path=pf.path, role=_role(pf.role, directives, fns), grammar=pf.grammar, directives=directives,
        imports=file_imports, exports=file_exports, star_exports=stars, functions=fns,
        prisma_calls=prisma_calls, unresolved_calls=unresolved, call_sites=sites, opaque_waits=waits,
        param_calls=invoked, handed_callbacks=handed_callbacks(pf),
        browser_handlers=browser_handlers.extract(pf, _named_once(fns)),
        clients_created=clients.extract(pf), catches=catches.extract(pf),
        inputs=file_inputs,
        field_uses=extract_field_uses(pf, prisma_calls),
        taint=taint, handed_inputs=handed, param_flows=param_flows,
        raw_fragments=raw_fragments(pf),
        const_arrays=clients.const_arrays(pf), input_builders=exports.input_builders(pf, file_exports),
        dev_only=dev_only.extract(pf),
        array_caps=array_caps.extract(pf), lone_functions=lone_functions.extract(pf),
        augments=augments.extract(pf),
        validations=extract_validations(pf),
        middlewares=(*middlewares, *nest_globals.extract(pf)),
        handler_refs=(*handler_refs, *resolver_map_refs(pf), *functions.timer_refs(pf)),
        route_schemas=route_schemas.extract(pf, lambda value: functions.function_of_value(pf, value)),
        suppressions=extract_suppressions(pf),
        parse_errors=tuple((p.line, p.column, p.message) for p in P.parse_problems(pf.tree)),
        notes=_notes(pf), module_traits=module_traits.extract(pf),
    )


# Set by `--debug` (cli.py): a defect met in a file raises, for its traceback, instead of
# skipping the file with a note.
DEBUG_ENV = "DBAUDIT_DEBUG"


def extract_facts(path: str, role: str, source: bytes, client_config: ClientConfig) -> FileFacts:
    tree, grammar = P.parse_source(path, source)
    # A tree of fewer nodes than the limit cannot nest deeper than it: no need to sample.
    depth = P.nesting_depth(tree) if tree.root_node.descendant_count > P.MAX_NESTING else 0
    if depth > P.MAX_NESTING:
        return FileFacts(path=path, role=role, grammar=grammar,
                         notes=(("skipped", f"skipped: nested about {depth:,} levels deep (generated code?); "
                                 f"dbaudit reads files nested up to {P.MAX_NESTING:,} levels"),))
    pf = None
    try:
        pf = ParsedFile(path, role, tree, grammar, client_config)
        return extract(pf)
    except RecursionError:
        # A chain of definitions too long to follow must cost one file, not the scan.
        return FileFacts(path=path, role=role, grammar=grammar,
                         notes=(("skipped", "skipped: definitions nested too deeply to follow; "
                                 "please report this file's shape to dbaudit"),))
    except MemoryError:
        # So must a file whose analysis outgrows the memory a parse worker may take
        # (collect.cap_worker_memory): the worker lives on for the next file.
        return FileFacts(path=path, role=role, grammar=grammar,
                         notes=(("skipped", "skipped: analysing it needed more memory than dbaudit gives one "
                                 "file; please report this file's shape to dbaudit"),))
    except Exception as e:  # noqa: BLE001 - a defect met in one file must cost that file, not the scan
        if os.environ.get(DEBUG_ENV):
            raise
        return FileFacts(path=path, role=role, grammar=grammar,
                         notes=(("skipped", f"skipped: dbaudit failed on this file ({type(e).__name__}: "
                                 f"{str(e)[:120]}); please report it (rerun with --debug for the traceback)"),))
    finally:
        if pf is not None:
            pf.close()
