"""The project index: every file's facts joined up. Imports are resolved,
receivers settled into Prisma calls, functions linked into a call graph.
Rules read this, never the disk. The one reader is `imported_by_tests`, delegated to
test_loads.py: test files are outside the scan, so they have no facts to join."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, replace
from typing import Callable, Iterator
from pathlib import Path

from .facts.model import (
    CallSite, ClientRef, ExportRef, FileFacts, FunctionFact, HandlerRef, PrismaCallCandidate,
)
from .facts import operations as ops
from .facts.client_types import CONFIGURED_TYPE, INHERITED
from .facts.entries import H3_HANDLERS, cron_route
from .facts.scopes import ClientConfig, configured
from .resolve import ModuleResolver
from .schema.model import Schema
from .test_loads import ImportingFiles, TestLoads

# Hops through imports, re-exports, base classes and factories; loops stop at the
# export cache's cycle guard, so this only bounds pathological chains (a result cut
# here is cached for every importer, so it must be generous).
_MAX_DEPTH = 40
# How many callers up a question about where code runs (a timer, a listener) is followed.
_CALLER_DEPTH = 3
# Callers followed when a parameter's property is handed on from caller to caller.
_GIVEN_DEPTH = 3
_DOTS = re.compile(r"\s*(\??\.)\s*")
# A receiver under a type assertion, `(prisma as any)`, `(<any>prisma)`, `prisma!`: the name is
# the configured one all the same.
_CAST = re.compile(r"^\(\s*(?:<[^<>]*>\s*)?([A-Za-z_$][\w$.]*)(?:\s+as\s+[^()]+)?\s*\)$|^([A-Za-z_$][\w$.]*)!$")


@dataclass(frozen=True)
class _Invocation:
    """A function's call of its parameter, read as a call site of the callback it was handed:
    the clients it passes (facts/callbacks.py)."""
    client_args: tuple
    client_props: tuple = ()


@dataclass(frozen=True, slots=True)
class PrismaCall:
    """A recognised Prisma operation: the candidate plus what the index settled."""
    path: str
    call: PrismaCallCandidate
    origin: str                   # why the receiver is a client
    entry_kind: str | None        # request entry point it runs in, if any
    in_transaction: bool          # inside a transaction through its client

    @property
    def model(self) -> str | None:
        return self.call.model

    @property
    def operation(self) -> str:
        return self.call.operation

    @property
    def line(self) -> int:
        return self.call.span.line

    @property
    def kind(self) -> str:
        """read, write, raw or transaction (facts/operations.py)."""
        return ops.kind_of(self.call.operation)

    @property
    def op(self) -> ops.Operation | None:
        """What the operation is and does (facts/operations.py)."""
        return ops.operation(self.call.operation)

    @property
    def writes(self) -> bool:
        """A write, or raw SQL that executes (`$executeRaw`)."""
        return ops.writes(self.call.operation)

    @property
    def label(self) -> str:
        return f"{self.call.receiver}.{self.model}.{self.operation}" if self.model \
            else f"{self.call.receiver}.{self.operation}"


@dataclass(frozen=True, slots=True)
class UnresolvedCall:
    """A Prisma-shaped call (`X.<model>.<op>(` with a schema model, or `X.$transaction(`,
    `X.$queryRaw…(`) whose receiver was not recognised as a client: not analysed."""
    path: str
    receiver: str
    model: str | None
    operation: str
    line: int


def _bare(receiver: str) -> str:
    m = _CAST.match(receiver)
    return (m.group(1) or m.group(2)) if m else receiver


@dataclass(frozen=True, slots=True)
class FunctionKey:
    path: str
    id: int


# Module top-level code, for `scheduled`: it runs once, when the module loads.
_STARTUP = ("", "startup")


class ProjectIndex:
    def __init__(self, root: Path, facts: dict[str, FileFacts], schema: Schema | None,
                 project_files: list[str], client_config: ClientConfig, test_files=(), seed_files=(),
                 resolutions: tuple | None = None, modules: ModuleResolver | None = None):
        """`resolutions`: module resolutions a former scan kept (`modules.resolutions()`),
        taken when the files, tsconfigs and packages are the same. `modules`: the module
        resolver of these files and project files, when the caller has built it."""
        self.root = root
        self._test_loads = TestLoads(root, facts, test_files, self._resolve_module)
        self._seed_loads = ImportingFiles(seed_files, self._resolve_module)
        self.seed_files = tuple(seed_files)   # left out of the scan (config out_of_scope: seed)
        self._importers: dict[str, set[str]] | None = None
        self.client_config = client_config
        self.files = facts
        self.schema = schema
        self.modules = modules if modules is not None else ModuleResolver(root, set(facts), project_files)
        self.modules.adopt(resolutions)
        self._model_names = self._schema_client_names(schema)
        self._export_cache: dict[tuple[str, str, tuple[str, ...]], ClientRef] = {}
        # What callers hand a parameter, asked once per parameter and depth: every call
        # through a handed-on client parameter asks again up its callers' chain.
        self._given_cache: dict[tuple, ClientRef] = {}
        self._augmented: dict[tuple[str, str, bool], ClientRef] | None = None
        self._callee_cache: dict[tuple[str, int], FunctionKey | None] = {}
        self._exported_fn_cache: dict[tuple[str, str], FunctionKey | None] = {}
        self._memo: dict[str, object] = {}
        self._registered: dict[FunctionKey, list[tuple[str, HandlerRef]]] | None = None
        self._callers: dict[FunctionKey, list[tuple[str, CallSite]]] | None = None
        self._sites_by_owner: dict[str, dict[int, list[CallSite]]] = {}
        self.prisma_calls: list[PrismaCall] = []
        self.calls_by_function: dict[FunctionKey, list[PrismaCall]] = {}
        self.unresolved_calls: list[UnresolvedCall] = []
        # Calls on a client naming a model the schema read does not declare: a wrong or
        # partial schema hides them from every rule, so recognition counts them (not analysed).
        self.off_schema_calls: list[UnresolvedCall] = []
        self._settle_calls()
        self._db_chain: dict[tuple, tuple | None] = {}

    def _resolve_module(self, src: str, spec: str) -> str | None:
        return self.modules.resolve(src, spec)

    @staticmethod
    def _schema_client_names(schema: Schema | None) -> frozenset[str] | None:
        if schema is None or not schema.models:
            return None
        return frozenset(m.client_name for m in schema.models if m.kind in ("model", "view"))

    # -- receivers ---------------------------------------------------------------
    def resolve_ref(self, path: str, ref: ClientRef, depth: int = 0) -> ClientRef:
        """Settle an `import` or `param` ClientRef into `client` or `none`."""
        settled = self._resolve_ref(path, ref, depth)
        if settled.kind != "client" and ref.origin == CONFIGURED_TYPE and not ref.members:
            # `prisma: PrismaService` of a class the scan cannot read as a client (a mixin
            # base, a module it does not have): the configured type name stands.
            return ClientRef("client", "typed as a client (configured type)")
        return settled

    def _resolve_ref(self, path: str, ref: ClientRef, depth: int) -> ClientRef:
        if ref.kind == "param":
            return self._passed_client(path, ref)
        if ref.kind == "member":
            held = self._augmented_member(path, ref.name or "", fields=True)
            return self._given_client(path, ref.given) if held.kind != "client" and ref.given is not None \
                else held
        if ref.kind == "global":
            util = self._auto_import_module(path, ref.name or "")
            return self._export(util, ref.name or "", ref.members, depth + 1) if util is not None \
                else ClientRef("unknown")
        if ref.kind != "import":
            return ref
        if depth > _MAX_DEPTH or ref.module is None:
            return ClientRef("none")
        target = self.modules.resolve(path, ref.module)
        names = list(ref.members) if ref.name == "*" else [ref.name or "default", *ref.members]
        if target is None:
            return self._unresolved_module(path, ref, names)
        if not names:
            return ClientRef("none")  # a namespace object itself
        settled = self._export(target, names[0], tuple(names[1:]), depth + 1)
        if ref.tx_param and settled.kind == "client" and not settled.tx_param:
            # `Omit<Imported, "$transaction">`: the imported client's transaction form.
            return replace(settled, tx_param=True)
        return settled

    def _augmented_member(self, path: str, member: str, fields: bool = False) -> ClientRef:
        """A member the project declares a client on another module's interface (`declare
        module 'fastify' { interface FastifyInstance { prisma: PrismaClient } }`), in the
        package (nearest package.json) of `path`: another app of the repository may give the
        same name to something else. With `fields`, also a field the package's own classes
        hold a client in (`class App { prisma = prisma }`), for a member of a value the file
        cannot type; not for a member of a type from a package the scan lacks."""
        if self._augmented is None:
            self._augmented = {}
            for file in sorted(self.files):
                for module, interface, name, ref in self.files[file].augments:
                    settled = self.resolve_ref(file, ref) if ref.kind != "client" else ref
                    if settled.kind == "client":
                        field_ = module == "class"
                        self._augmented.setdefault((self.package_of(file), name, field_), ClientRef(
                            "client", f"`{name}` holds a client in class {interface} ({file})" if field_
                            else f"`{name}` declared a client on {module}'s {interface} ({file})"))
        package = self.package_of(path)
        return self._augmented.get((package, member, False)) \
            or (self._augmented.get((package, member, True)) if fields else None) or ClientRef("none")

    def package_of(self, path: str) -> str:
        """The folder of the nearest package.json above `path` ("" for the root)."""
        dirs = [d for d in self.modules.package_dirs if d == "" or path.startswith(d + "/")]
        return max(dirs, key=len, default="")

    def _passed_client(self, path: str, ref: ClientRef) -> ClientRef:
        return self._argument_client(path, ref.function, int(ref.name or 0))

    def _argument_client(self, path: str, fid: int, index: int, depth: int = 0) -> ClientRef:
        """Parameter `index` of function `fid` is a client when every resolved caller (any
        file) passes a client in its place (`doWork(tx)`, `syncUser(prisma, id)`)."""
        return self._callers_hand(path, fid, lambda _, site: dict(site.client_args).get(index), "parameter", depth)

    def _callers_hand(self, path: str, fid: int, pick, what: str, depth: int = 0) -> ClientRef:
        """A client when every resolved caller of function `fid` hands one where `pick(site)`
        reads it (a transaction's when each hands one, also when a caller hands on a
        parameter's property its own callers fill: `applyMutation({ prisma: tx })` →
        `deleteOwned({ prisma })`), none otherwise."""
        sites = (self.callers(FunctionKey(path, fid)) or self._callback_invocations(path, fid)) \
            if depth <= _GIVEN_DEPTH else []
        passed = []
        for caller, site in sites:
            arg = pick(caller, site)
            settled = self.resolve_ref(caller, arg) if arg is not None and arg.kind == "import" else arg
            if settled is None or settled.kind != "client":
                return ClientRef("none")
            if not settled.tx_param and arg.given is not None:
                handed = self._given_client(caller, arg.given, depth + 1)
                settled = handed if handed.kind == "client" else settled
            passed.append(settled)
        if not passed:
            return ClientRef("none")
        return ClientRef("client", f"{what} given a client by its {len(passed)} caller(s)",
                         tx_param=all(p.tx_param for p in passed))

    def _callback_invocations(self, path: str, fid: int) -> list[tuple[str, "_Invocation"]]:
        """For a function written inline as an argument (`tryPrisma((p) => …)`), the calls the
        function it is handed to makes of that parameter (`thunk(client)`, facts/callbacks.py):
        the callers whose arguments decide the callback's parameters. [] when that function
        is not in the scan or calls the parameter with no client."""
        facts = self.files.get(path)
        handed = next(((at, i) for f, at, i in facts.handed_callbacks if f == fid), None) if facts else None
        site = next((c for c in facts.call_sites if c.span == handed[0]), None) if handed else None
        target = self.callee(path, site) if site is not None else None
        receiving = self.files.get(target.path) if target is not None else None
        if receiving is None:
            return []
        return [(target.path, _Invocation(args)) for f, position, args in receiving.param_calls
                if f == target.id and position == handed[1]]

    def _unresolved_module(self, path: str, ref: ClientRef, names: list[str]) -> ClientRef:
        # A package outside the repository (or one we cannot resolve): trust the
        # configured client modules and names.
        cfg = self.client_config
        if cfg.module_is_client(ref.module or ""):
            return ClientRef("client", f"configured client module {ref.module}")
        if len(names) == 1 and names[0] in cfg.names:
            return ClientRef("client", f"configured name from unresolved module {ref.module}")
        if len(names) > 1:   # `request.server.prisma` of a package's type the project augments
            return self._augmented_member(path, names[-1])
        return ClientRef("none")

    def _export(self, path: str, name: str, rest: tuple[str, ...], depth: int) -> ClientRef:
        k = (path, name, rest)
        if k in self._export_cache:
            return self._export_cache[k]
        self._export_cache[k] = ClientRef("none")  # cycle guard
        result = self._export_uncached(path, name, rest, depth)
        self._export_cache[k] = result
        return result

    def _export_uncached(self, path: str, name: str, rest: tuple[str, ...], depth: int) -> ClientRef:
        facts = self.files.get(path)
        if facts is None or depth > _MAX_DEPTH:
            return ClientRef("none")
        exp = self.find_export(path, name)
        if exp is None:
            for star in facts.star_exports:
                target = self.modules.resolve(path, star.module)
                if target is not None and target != path:
                    r = self._export(target, name, rest, depth + 1)
                    if r.kind == "client":
                        return r
            return ClientRef("none")
        if rest:
            # Members are keyed by their path below the export: `client`, `()` (a factory's
            # result), `().dbWrite` (a client in the object a factory returns).
            for k in range(len(rest), 0, -1):
                wanted = ".".join(rest[:k])
                for member, mref in exp.members:
                    if member == wanted:
                        return self._continue(path, mref, rest[k:], depth)
            for member, mref in exp.members:
                if member == INHERITED:  # an interface's imported base may declare it
                    r = self._continue(path, mref, rest, depth)
                    if r.kind == "client":
                        return r
            r = exp.ref
            if r.kind == "import" or (r.origin == "instance" and r.name and r.module
                                      and self.modules.resolve(path, r.module) is not None):
                # (an instance of a repo class: its class's fields, `bot.db` of `new Bot()`)
                return self.resolve_ref(path, ClientRef("import", r.origin, r.module, r.name,
                                                        r.members + rest), depth + 1)
            return self._continue(path, exp.ref, rest, depth)
        settled = self._continue(path, exp.ref, (), depth)
        r = exp.ref
        if settled.kind != "client" and r.origin == "instance" and r.name and r.module \
                and self.modules.resolve(path, r.module) is not None:
            # `export const prisma = new PrismaService()`: an instance of a repo class that is a client.
            settled = self.resolve_ref(path, ClientRef("import", r.origin, r.module, r.name), depth + 1)
        if settled.kind != "client" and exp.ref.kind in ("unknown", "import") \
                and name in self.client_config.names:
            # An export we could not see through (`export const prisma = makeClient()`,
            # a wrapper from another module), under a configured client name.
            return ClientRef("client", f"configured name exported by {path}")
        return settled

    def _continue(self, path: str, ref: ClientRef, rest: tuple[str, ...], depth: int) -> ClientRef:
        if ref.kind == "client":
            return self._below_client(ref, rest)
        if ref.kind == "import":
            return self.resolve_ref(path, ClientRef("import", ref.origin, ref.module, ref.name,
                                                    ref.members + rest), depth + 1)
        return ClientRef("none")

    @staticmethod
    def _below_client(ref: ClientRef, rest: tuple[str, ...]) -> ClientRef:
        """What a path below a client is. A member alone is a model delegate (none); a
        called method (`txClient`, `()`) is a subclass's or extension's, which hands back
        a client; a call of the value itself (`()`) means it held a getter of one."""
        i = 0
        while i < len(rest):
            if rest[i] == "()":
                i += 1
            elif i + 1 < len(rest) and rest[i + 1] == "()" and not rest[i].startswith("$"):
                i += 2
            else:
                return ClientRef("none")
        if not rest:
            return ref
        return ClientRef("client", "method of a client returning a client", tx_param=ref.tx_param)

    def input_builder(self, path: str, local: str, depth: int = 0) -> bool | None:
        """Whether the tRPC procedure builder `local`, imported in `path`, declares
        `.input(schema)` where it is defined: True, False, or None when its module is not
        in the scan."""
        facts = self.files.get(path)
        imp = next((i for i in facts.imports if i.local == local), None) if facts is not None else None
        if imp is None:
            return None
        target = self.modules.resolve(path, imp.module)
        return self._exports_input_builder(target, imp.imported, depth) if target is not None else None

    def _exports_input_builder(self, path: str, name: str, depth: int) -> bool | None:
        facts = self.files.get(path)
        if facts is None or depth > _MAX_DEPTH:
            return None
        if name in facts.input_builders:
            return True
        exp = self.find_export(path, name)
        if exp is not None and exp.ref.origin == "re-export" and exp.ref.module and exp.ref.name:
            target = self.modules.resolve(path, exp.ref.module)  # `export { b } from "./procedures"`
            return self._exports_input_builder(target, exp.ref.name, depth + 1) if target else None
        if exp is None:
            for star in facts.star_exports:
                target = self.modules.resolve(path, star.module)
                found = self._exports_input_builder(target, name, depth + 1) if target else None
                if found is not None:
                    return found
            return None
        return False

    def export_home(self, path: str | None, name: str, depth: int = 0) -> tuple[str, str] | None:
        """(module, name) where what module `path` exports as `name` is declared, through named
        re-exports (`export { s } from './s'`) and star ones (`export * from './schemas'`), a
        few modules deep; None when no module of the scan declares it."""
        if path is None or path not in self.files or depth > 4:
            return None
        exp = self.find_export(path, name)
        r = exp.ref if exp is not None else None
        if r is not None and r.kind == "import" and r.module and r.name != "*" and not r.members:
            # re-exported as it was imported (`z.object(…)` of an import has members: declared here)
            return self.export_home(self.modules.resolve(path, r.module), r.name or name, depth + 1)
        if exp is not None:
            return path, name
        for star in self.files[path].star_exports:
            found = self.export_home(self.modules.resolve(path, star.module), name, depth + 1)
            if found is not None:
                return found
        return None

    def find_export(self, path: str, name: str) -> ExportRef | None:
        facts = self.files.get(path)
        if facts is None:
            return None
        for e in facts.exports:
            if e.exported == name:
                return e
        return None

    def memo(self, key: str, compute):
        """A value derived from the index once, shared by every rule that needs it."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def calls_in(self, path: str) -> list[PrismaCall]:
        """The settled Prisma calls of one file."""
        def compute():
            out: dict[str, list[PrismaCall]] = {}
            for c in self.prisma_calls:
                out.setdefault(c.path, []).append(c)
            return out
        return self.memo("calls-by-path", compute).get(path, [])

    def writes_in(self, path: str, function: int) -> list[PrismaCall]:
        """The Prisma writes whose innermost function is `function` of `path`."""
        def compute():
            out: dict[tuple[str, int], list[PrismaCall]] = {}
            for c in self.prisma_calls:
                if c.kind == "write":
                    out.setdefault((c.path, c.call.ctx.function), []).append(c)
            return out
        return self.memo("writes-by-function", compute).get((path, function), [])

    # -- Prisma calls --------------------------------------------------------------
    def _settle_calls(self) -> None:
        for path in sorted(self.files):
            facts = self.files[path]
            for cand in facts.prisma_calls:
                if not self._shaped(cand.model):
                    if self.resolve_ref(path, cand.ref).kind == "client":
                        self.off_schema_calls.append(UnresolvedCall(
                            path, _DOTS.sub(r"\1", cand.receiver), cand.model, cand.operation, cand.span.line))
                    continue
                ref = self.resolve_ref(path, cand.ref)
                if ref.kind != "client" and _bare(cand.receiver) in self.client_config.names:
                    # A configured name whose value could not be followed (`const db = getDb()`
                    # through a module we cannot see into): the name is trusted, as for exports.
                    ref = configured(_bare(cand.receiver))
                if ref.kind != "client":
                    self._unresolved(path, cand)
                    continue
                call = PrismaCall(path, cand, ref.origin or cand.ref.origin,
                                  self.entry_kind(path, cand.ctx.function),
                                  self._in_transaction(path, cand, ref))
                self.prisma_calls.append(call)
                self.calls_by_function.setdefault(
                    FunctionKey(path, self.owner(path, cand.ctx.function)), []).append(call)

            for shaped in facts.unresolved_calls:
                if self._shaped(shaped.model):
                    self._unresolved(path, shaped)

    def _shaped(self, model: str | None) -> bool:
        """A model accessor names one of the schema's models (any name without a schema);
        `$` methods (model None) are Prisma's own."""
        return model is None or self._model_names is None or model in self._model_names

    def _unresolved(self, path: str, call) -> None:
        # Without a schema `X.m.delete()` may be anything (a Map, a cache): count only `$` methods.
        if call.model is None or self._model_names is not None:
            # `db\n  .prisma()` and `db.prisma()` are one receiver, to group and to configure.
            receiver = _DOTS.sub(r"\1", call.receiver)
            self.unresolved_calls.append(UnresolvedCall(path, receiver, call.model,
                                                        call.operation, call.span.line))

    def _in_transaction(self, path: str, cand: PrismaCallCandidate, ref: ClientRef) -> bool:
        if cand.ctx.lazy_return >= 0 and self._callers_batch(FunctionKey(path, cand.ctx.lazy_return)):
            return True
        for frame in cand.ctx.tx:
            if frame.kind == "array":
                return True
            if frame.kind == "callback" and frame.through_param:
                return True
            if frame.kind in ("wrapper-callback", "wrapper-array") and self.is_transaction_wrapper(path, frame):
                if frame.kind == "wrapper-array" or frame.through_param:
                    return True
        if not ref.tx_param and cand.ref.given is not None:
            # `deleteOwned({ prisma: tx, id })` inside `$transaction`, from every caller.
            return self._given_client(path, cand.ref.given).tx_param
        return ref.tx_param

    def _given_client(self, path: str, given: tuple[int, int, str], depth: int = 0) -> ClientRef:
        """What every resolved caller hands in the parameter's property a receiver reads."""
        slot = (path, given, depth)
        known = self._given_cache.get(slot)
        if known is None:
            known = self._given_cache[slot] = ClientRef("none")  # cycle guard
            fid, index, key = given
            if not key:  # the parameter itself (`f(db: Db)`, `tx ?? this.prisma`)
                known = self._argument_client(path, fid, index, depth)
            else:
                known = self._callers_hand(
                    path, fid, lambda caller, site: self._handed_property(caller, site, index, key, depth),
                    "property", depth)
            self._given_cache[slot] = known
        return known

    def _handed_property(self, caller: str, site, index: int, key: str, depth: int) -> ClientRef | None:
        """What a call hands in property `key` of argument `index`: an object literal's value
        (`{ db: tx }`), or, for a parameter of the caller handed on whole (`splitDemand(ctx)`),
        what the caller's own callers put in that property of it."""
        props = site.client_props
        named = next((r for i, k, r in props if i == index and k == key), None)
        if named is not None:
            return named
        whole = next((r for i, k, r in props if i == index and k == "*"), None)
        if whole is None or whole.given is None:
            return None
        fid, position, _ = whole.given
        got = self._given_client(caller, (fid, position, key), depth + 1)
        return got if got.kind == "client" else None

    def importers(self, path: str) -> set[str]:
        """The scanned files that import `path` or re-export from it (`export … from`,
        `export * from`): a barrel makes a module loadable by the app (built once)."""
        if self._importers is None:
            self._importers = {}
            for src in sorted(self.files):
                facts = self.files[src]
                specs = [imp.module for imp in facts.imports]
                specs += [e.ref.module for e in facts.exports if e.ref.kind == "import" and e.ref.module]
                specs += [s.module for s in facts.star_exports]
                for spec in specs:
                    target = self.modules.resolve(src, spec)
                    if target is not None:
                        self._importers.setdefault(target, set()).add(src)
        return self._importers.get(path, set())

    def imported_by_tests(self, path: str) -> list[str]:
        """Test runner configs and out-of-scope test files that load `path` (test_loads.py,
        which reads them from disk, lazily: only for a module no scanned file imports)."""
        return self._test_loads.of(path)

    def test_paths(self) -> frozenset[str]:
        """The test files and test runner configs of the repository (test_loads.py)."""
        return self._test_loads.paths()

    def imported_by_seeds(self, path: str) -> list[str]:
        """The out-of-scope seed files that import `path` (read from disk, lazily)."""
        return self._seed_loads.of(path)

    def callers(self, key: FunctionKey) -> list[tuple[str, CallSite]]:
        """The call sites of a repo function, across the project (built once, on first use)."""
        if self._callers is None:
            self._callers = {}
            for path in sorted(self.files):
                for site in self.files[path].call_sites:
                    target = self.callee(path, site)
                    if target is not None:
                        self._callers.setdefault(target, []).append((path, site))
        return self._callers.get(key, [])

    def _callers_batch(self, key: FunctionKey, depth: int = 0) -> bool:
        """Every call of a function that returns lazy Prisma operations hands them
        to one `$transaction([...])` (or, itself unrun, into what its own function returns
        to callers that do): they run as one batch."""
        sites = self.callers(key) if depth <= _GIVEN_DEPTH else []
        return bool(sites) and all(
            any(f.kind == "array" for f in site.ctx.tx)
            or (site.ctx.lazy_return >= 0 and self._callers_batch(FunctionKey(path, site.ctx.lazy_return), depth + 1))
            for path, site in sites)

    def is_transaction_wrapper(self, path: str, frame) -> bool:
        target = None
        if frame.callee_ref is not None:
            target = self._function_of_import(path, frame.callee_ref)
        else:
            name = frame.callee
            for f in self.files[path].functions:
                if f.name == name and f.parent == -1:
                    target = FunctionKey(path, f.id)
                    break
        if target is None:
            # A method of an injected or imported instance (`this.tenantDb.forTenant(id, async (tx)
            # => …)`): the call site that opens the frame, settled through the call graph.
            site = next((s for s in self.files[path].call_sites
                         if s.span.line == frame.line and s.callee == frame.callee), None)
            target = self.callee(path, site) if site is not None else None
        if target is None:
            return False
        fn = self.function(target)
        return fn is not None and fn.forwards_to_transaction is not None

    # -- functions and the call graph ---------------------------------------------------
    def function(self, key: FunctionKey) -> FunctionFact | None:
        facts = self.files.get(key.path)
        if facts is None or not 0 <= key.id < len(facts.functions):
            return None
        return facts.functions[key.id]

    def enclosing(self, path: str, fid: int) -> Iterator[FunctionFact]:
        """Function `fid` of `path` and the functions around it, innermost first."""
        funcs = self.files[path].functions
        while fid >= 0:
            yield funcs[fid]
            fid = funcs[fid].parent

    def owner(self, path: str, fid: int) -> int:
        """The function whose one execution runs this code: inline callbacks
        (`.map(async ...)`, `$transaction(async tx => ...)`) belong to the
        function they are written in, but for listeners (`ipcMain.handle('x', async …)`,
        `client.on('ready', …)`, `hub.subscribe('edit-comment', async …)`), which run later,
        per event (facts/listeners.py)."""
        funcs = self.files[path].functions
        while fid >= 0:
            f = funcs[fid]
            if f.inline_callback is None or f.exported_as or f.entry_kind or f.parent < 0 or f.listener:
                return fid   # (a listener runs once per event, later: its own execution)
            fid = f.parent
        return fid

    def entry_kind(self, path: str, fid: int) -> str | None:
        funcs = self.files[path].functions
        while fid >= 0:
            kind = self.own_entry_kind(path, fid)
            if kind is not None:
                return kind
            fid = funcs[fid].parent
        return None

    def argument_offset(self, key: FunctionKey) -> int:
        """How many arguments of its own a wrapper passes before its callers' when it runs
        `key`, a callback handed to it inline (`export const f = withAuth(async (user, ids) =>
        …)`, called as `f(ids)`): a caller's argument i is the callback's parameter i + offset
        (facts/wrappers.py). 0 for a function called directly, or a wrapper the scan lacks."""
        fn = self.function(key)
        if fn is None or fn.inline_callback is None:
            return 0
        return self.memo(f"argument-offset:{key.path}:{key.id}", lambda: self._wrapper_offset(key, fn))

    def _wrapper_offset(self, key: FunctionKey, fn: FunctionFact) -> int:
        name = fn.inline_callback.rsplit(".", 1)[-1]
        sites = [s for s in self.files[key.path].call_sites if s.callee.rsplit(".", 1)[-1] == name
                 and s.span.contains(fn.span)]
        site = max(sites, key=lambda s: (s.span.line, s.span.column), default=None)  # the innermost
        target = self.callee(key.path, site) if site is not None else None
        wrapper = self.function(target) if target is not None else None
        return wrapper.passes_on[1] if wrapper is not None and wrapper.passes_on is not None else 0

    def own_entry_kind(self, path: str, fid: int) -> str | None:
        """The entry kind of the function itself (not of one around it): its own file's
        verdict, or `http-handler` when another module registers it. A module's top level
        (`fid` -1: a script awaiting outside any function) is none."""
        if fid < 0:
            return None
        f = self.files[path].functions[fid]
        if f.entry_kind:
            return f.entry_kind
        regs = self.registered_elsewhere().get(FunctionKey(path, fid))
        if regs:
            return regs[0][1].kind
        return "nitro-handler" if FunctionKey(path, fid) in self._wrapped_event_handlers() else None

    def _wrapped_event_handlers(self) -> frozenset[FunctionKey]:
        """Functions a module's default export hands to a repo wrapper that makes the h3 event
        handler itself (`export default safeHandler(async (event) => …)`, where `safeHandler =
        (h) => defineEventHandler(async (event) => … h(event) …)`): Nitro serves the default
        export, so the function is the route's handler, as with `defineEventHandler` in place
        (facts/entries.py nitro_handler). Built once."""
        def build() -> frozenset[FunctionKey]:
            out = set()
            for path in sorted(self.files):
                facts = self.files[path]
                for e in facts.exports:
                    fn = facts.functions[e.function] if e.exported == "default" and e.function is not None else None
                    if fn is None or fn.parent != -1 or not fn.inline_callback:
                        continue
                    imp = next((i for i in facts.imports if i.local == fn.inline_callback and not i.type_only), None)
                    wrapper = self._function_of_import(path, ClientRef("import", "import", imp.module, imp.imported)) \
                        if imp is not None else self._auto_imported(path, fn.inline_callback)
                    if wrapper is not None and self._makes_event_handler(wrapper):
                        out.add(FunctionKey(path, e.function))
            return frozenset(out)
        return self.memo("wrapped-event-handlers", build)

    def _auto_imported(self, path: str, name: str) -> FunctionKey | None:
        """The function a Nuxt app's server code calls by a name it never imports: what a
        module of the app's `server/utils/` exports under that name (Nitro imports those for
        it)."""
        util = self._auto_import_module(path, name)
        return self._exported_function(util, name, 1) if util is not None else None

    def _auto_import_module(self, path: str, name: str) -> str | None:
        """The module of a Nuxt app's `server/utils/` (its top level, which Nitro imports for
        the app's server code) that exports `name`, when `path` is such server code."""
        app = self.modules.app_dir(path, self.modules.nuxt_dirs)
        if app is None or not name or not path.startswith(f"{app}/server/" if app else "server/"):
            return None
        utils = f"{app}/server/utils/" if app else "server/utils/"
        return next((p for p in sorted(self.files) if p.startswith(utils) and "/" not in p[len(utils):]
                     and self.find_export(p, name) is not None), None)

    def _makes_event_handler(self, key: FunctionKey) -> bool:
        """The function defines one it hands to h3's `defineEventHandler` (or an alias)."""
        funcs = self.files[key.path].functions
        def inside(fid: int) -> bool:
            while fid >= 0 and fid != key.id:
                fid = funcs[fid].parent
            return fid == key.id
        return any(f.inline_callback in H3_HANDLERS and inside(f.parent) for f in funcs)

    def registered_elsewhere(self) -> dict[FunctionKey, list[tuple[str, HandlerRef]]]:
        """Functions another module registers on a path (`router.post('/x', ctrl.create)`,
        facts `handler_refs`), with (registering file, registration) each: http-handler
        entry points, though their own file shows no registration. Built once."""
        if self._registered is None:
            self._registered = {}
            for path in sorted(self.files):
                for h in self.files[path].handler_refs:
                    if h.kind.startswith("timer:"):
                        continue   # a timer runs it: not a request handler (see _timed_elsewhere)
                    targets = self._exported_functions(path, h.ref) if h.every_export else \
                        [self._function_of_import(path, h.ref, members=True)]
                    for target in targets:
                        if target is not None:
                            self._registered.setdefault(target, []).append((path, h))
        return self._registered

    def _timed_elsewhere(self) -> dict[FunctionKey, str]:
        """Functions a timer of another module runs by name (`cron.schedule(expr, unassignCron)`
        of an import: handler refs of kind `timer:…`), with how. Built once."""
        def build():
            out: dict[FunctionKey, str] = {}
            for path in sorted(self.files):
                for h in self.files[path].handler_refs:
                    target = self._function_of_import(path, h.ref, members=True) \
                        if h.kind.startswith("timer:") else None
                    if target is not None:
                        out.setdefault(target, h.kind.removeprefix("timer:"))
            return out
        return self.memo("timed-elsewhere", build)

    def _exported_functions(self, path: str, ref: ClientRef, depth: int = 0) -> list[FunctionKey]:
        """Every function the module namespace `ref` names exports (`import * as q from
        './user'`, or a name another module re-exports one as: `export * as q from './user'`),
        or that the object it names holds (`export const q = { bucket, bucketsPage }`)."""
        target = self.modules.resolve(path, ref.module) if ref.module and depth <= _MAX_DEPTH else None
        if target is None:
            return []
        if ref.name != "*":
            exp = self.find_export(target, ref.name or "default")
            if exp is not None and exp.member_functions:   # `export const q = { bucket, … }`
                return [FunctionKey(target, fid) for _, fid in exp.member_functions]
            if exp is None or exp.ref.kind != "import" or exp.ref.module is None:
                return []
            return self._exported_functions(target, exp.ref, depth + 1)
        return [FunctionKey(target, e.function) for e in self.files[target].exports if e.function is not None]

    def scheduled(self, path: str, fid: int, routes: bool = True) -> tuple[str, str] | None:
        """(function name, how a timer runs it) when this code runs in a scheduled job: a
        timer runs the function or one around it, or every call of one of them sits in code
        a timer runs (`cron.schedule('0 * * * *', () => seedMetadata())`), three callers deep
        (a job that calls a helper whose nested function holds the query). With `routes`, code
        whose path names a cron counts too (a route a scheduler calls, `jobs/cleanup.cron.ts`):
        the next run meets what a failed one left; without, only timers in the process, as a
        scheduler's request still waits for its route (and its platform times it out)."""
        own = self._timed_or_startup if routes else self._timer_or_startup
        found = self.through_callers(path, fid, own)
        if found is None or found[1] is _STARTUP:
            return None
        f, (name, how) = found
        return (f.name if f is not None else name), how

    def _timed_or_startup(self, path: str, fid: int):
        """`_timed`, or _STARTUP for a module's top-level code: a job's first run, started when
        the process starts (`main()` calls `runCycle()` once, then `setInterval(runCycle, …)`),
        is part of its schedule. Startup alone is not a schedule (see `through_callers`)."""
        return self._timed(path, fid) or (_STARTUP if fid < 0 else None)

    def _timer_or_startup(self, path: str, fid: int):
        return self._timed(path, fid, routes=False) or (_STARTUP if fid < 0 else None)

    def _timed(self, path: str, fid: int, routes: bool = True) -> tuple[str, str] | None:
        """(name, how) of the function or one around it that a timer (or a scheduler's
        request to a cron route) runs."""
        funcs = self.files[path].functions
        while fid >= 0:
            f = funcs[fid]
            timed = f.scheduled or self._timed_elsewhere().get(FunctionKey(path, fid), "")
            if not timed and routes and cron_route(path):
                timed = "a scheduler calls its route, which names a cron" if f.entry_kind else \
                    "its module's path names a cron: the author files it as scheduled work"
            if timed:
                return f.name, timed
            fid = f.parent
        return None

    def through_callers(self, path: str, fid: int, own, depth: int = 0):
        """Where code runs, asked of its callers: `own(path, fid)`'s answer when it holds for the
        code (None for the function), else (the function, or one around it, every call of which
        sits in code the question holds for, that code's answer), `_CALLER_DEPTH` callers deep.
        A recursive call (`fetchPage(offset + count)` in fetchPage) runs where the first did."""
        hit = own(path, fid)
        if hit is not None:
            return None, hit
        if depth >= _CALLER_DEPTH:
            return None
        funcs = self.files[path].functions
        while fid >= 0:
            sites = [(p, site) for p, site in self.callers(FunctionKey(path, fid))
                     if p != path or all(g.id != fid for g in self.enclosing(path, site.ctx.function))]
            found = [self.through_callers(p, site.ctx.function, own, depth + 1) for p, site in sites]
            if found and all(found):
                # A caller whose answer is a placeholder (_STARTUP) defers to one that has one.
                return funcs[fid], next((x[1] for x in found if x[1] is not _STARTUP), found[0][1])
            fid = funcs[fid].parent
        return None

    def _function_of_import(self, path: str, ref: ClientRef, depth: int = 0,
                            members: bool = False) -> FunctionKey | None:
        """The repo function an import names; with `members`, also a member of an exported
        object or class (`userController.createUser` of `import { userController }`)."""
        if depth > _MAX_DEPTH or ref.module is None:
            return None
        target = self.modules.resolve(path, ref.module)
        if target is None:
            return None
        names = list(ref.members) if ref.name == "*" else [ref.name or "default", *ref.members]
        if len(names) == 2 and members:
            return self._exported_member(target, names[0], names[1], depth + 1)
        if len(names) != 1:
            return None
        return self._exported_function(target, names[0], depth + 1)

    def _exported_member(self, path: str, name: str, member: str, depth: int) -> FunctionKey | None:
        """Function `member` of what `path` exports as `name`: an object's or a class's
        (`export default { createUser }`), through re-exports (`export { default as
        userController } from './user.controller'`, `export * as userController from …`)."""
        exp = self.find_export(path, name)
        if exp is None or depth > _MAX_DEPTH:
            return None
        fid = dict(exp.member_functions).get(member)
        if fid is not None:
            return FunctionKey(path, fid)
        r = exp.ref
        if r.kind == "import" and r.module is not None:
            return self._function_of_import(path, ClientRef("import", r.origin, r.module, r.name,
                                                            r.members + (member,)), depth + 1, members=True)
        return None

    def _exported_function(self, path: str, name: str, depth: int) -> FunctionKey | None:
        k = (path, name)
        if k not in self._exported_fn_cache:
            self._exported_fn_cache[k] = None  # cycle guard
            self._exported_fn_cache[k] = self._exported_function_uncached(path, name, depth)
        return self._exported_fn_cache[k]

    def _exported_function_uncached(self, path: str, name: str, depth: int) -> FunctionKey | None:
        exp = self.find_export(path, name)
        if exp is None:
            for star in self.files[path].star_exports:
                target = self.modules.resolve(path, star.module)
                if target is not None and target != path and depth <= _MAX_DEPTH:
                    hit = self._exported_function(target, name, depth + 1)
                    if hit is not None:
                        return hit
            return None
        if exp.function is not None:
            return FunctionKey(path, exp.function)
        if exp.ref.kind == "import":
            return self._function_of_import(path, exp.ref, depth + 1)
        return None

    def callee_of_import(self, path: str, ref: ClientRef) -> FunctionKey | None:
        """The repo function an imported name is (`import { wrap } from './wrap'`)."""
        return self._function_of_import(path, ref)

    def callee(self, path: str, site: CallSite) -> FunctionKey | None:
        if site.local_function is not None:
            return FunctionKey(path, site.local_function)
        if site.ref is None:
            return None
        k = (path, site.span.line * 10000 + site.span.column)
        if k not in self._callee_cache:
            self._callee_cache[k] = self._function_of_import(path, site.ref, members=True)
        return self._callee_cache[k]

    def dev_only_line(self, path: str, line: int) -> bool:
        """The line runs only outside production: behind a NODE_ENV test (facts/dev_only.py)."""
        facts = self.files.get(path)
        return facts is not None and any(a <= line <= b for a, b, _ in facts.dev_only)

    def db_chain(self, key: FunctionKey, depth: int = 4,
                 kinds: frozenset[str] | None = None) -> tuple[tuple[str, str, int], ...] | None:
        """Shortest chain of calls from a function to a Prisma operation (of one of
        `kinds`, e.g. {"write"}, when given): ((label, path, line), ...) ending at
        the Prisma call; None if it runs none."""
        ck = (key, depth, kinds)
        if ck not in self._db_chain:
            self._db_chain[ck] = self.find_chain(
                key, (lambda c: True) if kinds is None else (lambda c: c.kind in kinds), depth=depth)
        return self._db_chain[ck]

    def callees_of(self, key: FunctionKey) -> list[tuple[CallSite, FunctionKey]]:
        """The repo functions a function calls, with the call sites."""
        out = []
        for site in self.sites_of(key):
            target = self.callee(key.path, site)
            if target is not None:
                out.append((site, FunctionKey(target.path, self.owner(target.path, target.id))))
        return out

    def sites_of(self, key: FunctionKey) -> list[CallSite]:
        """The call sites one execution of a function runs (its inline callbacks' too), in
        file order; grouped once per file, as call-chain searches ask for many functions."""
        by_owner = self._sites_by_owner.get(key.path)
        if by_owner is None:
            by_owner = self._sites_by_owner[key.path] = {}
            facts = self.files.get(key.path)
            for site in facts.call_sites if facts is not None else ():
                by_owner.setdefault(self.owner(key.path, site.ctx.function), []).append(site)
        return by_owner.get(key.id, [])

    def reachable_calls(self, key: FunctionKey, depth: int = 4, limit: int = 50) -> list[PrismaCall]:
        """Every Prisma call a function runs, directly or through repo functions
        (breadth-first, bounded)."""
        seen = {key}
        frontier = [key]
        out: list[PrismaCall] = []
        for _ in range(depth + 1):
            nxt = []
            for cur in frontier:
                out.extend(self.calls_by_function.get(cur, ()))
                if len(out) >= limit:
                    return out
                for _, target in self.callees_of(cur):
                    if target not in seen:
                        seen.add(target)
                        nxt.append(target)
            frontier = nxt
        return out

    def find_chain(self, key: FunctionKey, call_ok: Callable[[PrismaCall], bool],
                   site_ok: Callable[[str, CallSite], bool] | None = None,
                   depth: int = 4,
                   enter: Callable[[FunctionFact | None], bool] | None = None,
                   ) -> tuple[tuple[str, str, int], ...] | None:
        """Shortest chain of calls from a function to a Prisma call with
        `call_ok(call)`, or to a call site with `site_ok(path, site)` (a call of a
        configured writer, say): ((label, path, line), ...); None if none is reached.
        `enter(fn)` false keeps the search out of a callee (a memoised getter, say)."""
        # Breadth-first over the call graph, so the reported chain is the shortest. What runs
        # only outside production (facts/dev_only.py) is no step of it.
        seen = {key}
        queue = deque([(key, ())])
        while queue:
            cur, chain = queue.popleft()
            hit = next((c for c in self.calls_by_function.get(cur, ())
                        if call_ok(c) and not self.dev_only_line(c.path, c.line)), None)
            if hit is not None:
                return chain + ((hit.label, hit.path, hit.line),)
            facts = self.files.get(cur.path)
            if facts is None:
                continue
            sites = self.sites_of(cur)
            if facts.dev_only:
                sites = [s for s in sites if not self.dev_only_line(cur.path, s.span.line)]
            if site_ok is not None:
                site = next((s for s in sites if site_ok(cur.path, s)), None)
                if site is not None:
                    return chain + ((f"{site.callee}()", cur.path, site.span.line),)
            if len(chain) >= depth:
                continue
            for site in sites:
                nxt = self.callee(cur.path, site)
                if nxt is None:
                    continue
                nxt = FunctionKey(nxt.path, self.owner(nxt.path, nxt.id))
                if nxt in seen:
                    continue
                seen.add(nxt)
                fn = self.function(nxt)
                if enter is not None and not enter(fn):
                    continue
                label = f"{fn.name if fn else site.callee}()"
                queue.append((nxt, chain + ((label, cur.path, site.span.line),)))
        return None
