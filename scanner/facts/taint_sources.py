"""The sources of the taint analysis (taint.py): request input, entry point
parameters, and in `params` mode the parameters of exported functions."""

from __future__ import annotations


import tree_sitter as ts

from .entries import (
    CONTEXT_PARAMS, REQUEST_MEMBERS, EntryKind, checked_by_graphql, checked_by_pipe, decorator_arguments,
    decorator_name, entry_kind,
)
from .rpc_builders import procedure_input, server_fn_validated
from .model import (
    FunctionFact, TaintStep,
)
from .nodes import (
    field, key, param_nodes, param_pattern, short, text,
)
from .taint_values import _WHOLE_SOURCES, Taint, _line, _pattern_names


class TaintSources:
    def _input_sources(self) -> None:
        for src in self.inputs:
            s = src.span
            node = self.root.descendant_for_point_range((s.line - 1, s.column - 1), (s.end_line - 1, s.end_column - 1))
            while node is not None and node.type not in ("call_expression", "member_expression"):
                node = node.parent
            if node is not None:
                self.sources[key(node)] = (src.kind, src.text)

    def _binding_key(self, name: str, at: ts.Node) -> tuple | None:
        b = self.resolver.lookup(name, at)
        return None if b is None else (key(b.node), b.name)

    def _parameter_sources(self) -> None:
        for f in self.functions:
            kind = entry_kind(f.entry_kind or ("http-handler" if f.id in self.handlers else None))
            if kind is None:
                continue
            fn = self.function_nodes[f.id]
            body = field(fn, "body") or fn
            for index, p in enumerate(param_nodes(fn)):
                members = self._request_members(kind, f, fn, index, p)
                if not members:
                    continue
                pattern = param_pattern(p)
                for name, path, node in _pattern_names(pattern):
                    bk = self._binding_key(name, body)
                    if bk is None:
                        continue
                    if "" in members:  # the parameter itself is input
                        source, rest = members[""], path
                    elif "." in members:  # a part of it
                        source, rest = members["."], (".",)
                    elif path and path[0] in members:
                        source, rest = members[path[0]], path[1:]
                    else:
                        if not path:
                            self.containers[bk] = members
                        continue
                    whole = source in _WHOLE_SOURCES and rest in ((), ("...",))
                    note = f"{kind.id} parameter `{short(pattern, 60)}`"
                    self.seeds[bk] = Taint(source, whole, False, (TaintStep(_line(node), note),), f.id)

    def _exported_parameter_sources(self) -> None:
        for f in self.functions:
            if not (f.exported_as or f.id in self.members) or f.entry_kind is not None \
                    or f.id not in self.querying:
                continue  # entry points read request input themselves
            fn = self.function_nodes[f.id]
            body = field(fn, "body") or fn
            for index, p in enumerate(param_nodes(fn)):
                pattern = param_pattern(p)
                if pattern is None:
                    continue
                for name, path, node in _pattern_names(pattern):
                    whole = not path or path == ("...",)
                    prop = "" if whole else path[0]
                    if prop.startswith("[") or prop == "...":
                        continue  # array elements, nested rests
                    bk = self._binding_key(name, body)
                    if bk is not None:
                        note = f"parameter `{short(pattern, 60)}` of {f.name}()"
                        self.seeds[bk] = Taint(f"param:{index}:{prop}", whole, False,
                                               (TaintStep(_line(node), note),), f.id)

    def _request_members(self, kind: EntryKind, f: FunctionFact, fn: ts.Node, index: int,
                         p: ts.Node) -> dict[str, str] | None:
        """What parameter `index` of an entry point carries, as {property: input source}
        (`{ params }` of a route handler, `req.body` of an Express handler); the key `""`
        when the parameter is the input itself, `"."` when it is one part of it
        (`@Body('title') title`). None when it carries no request input."""
        if kind.every_param:
            # A wrapped action (`client.schema(S).action(async ({ parsedInput }) => …)`) gets
            # what its wrapper hands it, validated or not: that is the wrapper's business.
            return {"": kind.every_param} if f.inline_callback is None else None
        if kind.decorators:
            for dec in (c for c in p.children if c.type == "decorator"):
                source = kind.decorators.get(decorator_name(dec))
                if source == "*":
                    return REQUEST_MEMBERS
                checked = checked_by_graphql if source == "graphql-args" else checked_by_pipe
                if source is not None and not checked(p, dec):
                    keyed = any(a.type == "string" for a in decorator_arguments(dec))
                    return {"." if keyed else "": source}
            return None
        if kind.id == "trpc-procedure" and self._procedure_has_input(fn, f.id):
            return None
        if kind.id == "server-fn" and server_fn_validated(fn, self.resolver):
            return None
        members = kind.params.get(index)
        if kind.id == "http-handler" and index == 0 and members and text(param_pattern(p)) in CONTEXT_PARAMS:
            return {k: v for k, v in members.items() if k != "body"}
        return members

    def _procedure_has_input(self, fn: ts.Node, fid: int) -> bool:
        """`.input(schema)` on the procedure chain, or on the procedure it is built from.
        A builder imported from another module is noted in `unseen_base`: its `.input()`
        cannot be seen here, which the rule grades as low confidence."""
        call = fn.parent.parent if fn.parent is not None else None
        callee = field(call, "function") if call is not None else None
        chain = field(callee, "object") if callee is not None and callee.type == "member_expression" else None
        declares, imported = procedure_input(chain, self.resolver)
        if imported:
            self.unseen_base[fid] = imported
        return declares

    # -- events -------------------------------------------------------------------
