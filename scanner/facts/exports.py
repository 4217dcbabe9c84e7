"""What a file exports, and whether each export holds (or returns, or has as a member)
a Prisma client: ES exports, re-exports, `export *`, CommonJS `module.exports`."""

from __future__ import annotations

import tree_sitter as ts

from .instances import constructor_binding, instance_module, new_class
from .classify import NEW_OF_IMPORT
from .client_types import class_base
from .entries import CLASS_TYPES
from .rpc_builders import procedure_input
from .functions import function_of_value
from .model import NOT_CLIENT, ClientRef, ExportRef, StarExport
from .nodes import FUNCTION_TYPES, field, key, text, unwrap
from .parsed import ParsedFile
from .scopes import pattern_bindings


def _object_members(pf: ParsedFile, obj: ts.Node | None) -> tuple[tuple[str, ClientRef], ...]:
    obj = unwrap(obj)
    if obj is None or obj.type != "object":
        return ()
    out = []
    for c in obj.named_children:
        if c.type == "pair":
            ref = pf.resolver.classify(field(c, "value"))
            name = text(field(c, "key")).strip("'\"")
        elif c.type == "shorthand_property_identifier":
            b = pf.resolver.lookup(text(c), c)
            ref = pf.resolver.classify_binding(b) if b is not None else NOT_CLIENT
            name = text(c)
        else:
            continue
        if ref.kind in ("client", "import"):
            out.append((name, ref))
    return tuple(out)


def member_functions(pf: ParsedFile, value: ts.Node | None) -> tuple[tuple[str, int], ...]:
    """The functions an exported value holds as members, by name: an object literal's
    values and methods (`{ createUser, remove: wrap(async (req) => …) }`), a class's
    methods and function fields, and those of `new C()` for a class of this file."""
    v = unwrap(value)
    b = pf.resolver.lookup(text(v), v) if v is not None and v.type == "identifier" else None
    if b is not None and b.kind == "class":
        v = b.node
    if v is not None and v.type == "new_expression":
        cls = unwrap(field(v, "constructor"))
        b = pf.resolver.lookup(text(cls), cls) if cls is not None and cls.type == "identifier" else None
        v = b.node if b is not None and b.kind == "class" else None
    if v is not None and v.type in CLASS_TYPES:
        body = field(v, "body")
        members = body.named_children if body is not None else []
    else:
        obj = pf.resolver.object_literal(v)
        members = obj.named_children if obj is not None else []
    out = []
    for m in members:
        if m.type == "method_definition":
            fid = pf.function_ids.get(key(m))
        elif m.type in ("pair", "public_field_definition", "field_definition"):
            fid = function_of_value(pf, field(m, "value"))
        elif m.type == "shorthand_property_identifier":
            fid = function_of_value(pf, m)
        else:
            continue
        name = text(field(m, "name") or field(m, "key") or m).strip("'\"")
        if fid is not None:
            out.append((name, fid))
    return tuple(out)


def _export_value(pf: ParsedFile, exported: str, value: ts.Node | None, line: int,
                  declarator: ts.Node | None = None) -> ExportRef:
    """`declarator`: the `const x: T = …` it comes from, whose written type counts."""
    if declarator is not None and field(declarator, "type") is not None:
        b = pf.resolver.lookup(exported, declarator)
        if b is not None and b.kind == "var" and not b.path:
            typed = pf.resolver.classify_binding(b)
            if typed.kind in ("client", "import"):
                return ExportRef(exported, typed, (), function_of_value(pf, unwrap(value)), line)
    value_u = unwrap(value)
    if value_u is not None and value_u.type == "identifier":
        b = pf.resolver.lookup(text(value_u), value_u)
        if b is not None and b.kind == "class":
            return _class_export(pf, exported, b.node, line)
        if b is not None and b.kind == "function":
            return _function_export(pf, exported, b.node, line)
    # `unknown` stays: the index may still trust a configured name for it.
    ref = pf.resolver.classify(value_u) if value_u is not None else NOT_CLIENT
    if ref.kind == "none" or ref.origin == NEW_OF_IMPORT:
        # (an instance's export names its class; the index reads a client class's instance
        # as a client, and another class's fields, `bot.db`)
        ref = _instance_ref(pf, value_u) or (NOT_CLIENT if ref.origin == NEW_OF_IMPORT else ref)
    members = _object_members(pf, pf.resolver.object_literal(value_u)) + _local_instance_members(pf, value_u)
    fid = function_of_value(pf, value_u)
    fn = value_u
    if fn is not None and fn.type == "identifier":  # `export default prisma`, a `const prisma = () => …`
        b = pf.resolver.lookup(text(fn), fn)
        fn = unwrap(b.value) if b is not None and b.kind == "var" and not b.path else None
    if fn is not None and fn.type in FUNCTION_TYPES:
        members += _returned_members(pf, fn)
    return ExportRef(exported, ref, members, fid, line, member_functions(pf, value_u))


def _local_instance_members(pf: ParsedFile, value: ts.Node | None) -> tuple[tuple[str, ClientRef], ...]:
    """The client fields of a class this module declares, for an instance of it it exports
    (`export const app = new App()`, `class App { prisma = prisma }`): read as `app.prisma`."""
    b = constructor_binding(pf, value)
    return pf.resolver.class_members(b.node) if b is not None and b.kind == "class" else ()


def _instance_ref(pf: ParsedFile, value: ts.Node | None) -> ClientRef | None:
    """Not a client, but an instance of an imported class or factory's product (`export const
    slack = new App(…)`, or `export default resend` of `const resend = new Resend(…)`): origin
    `instance`, module where the class comes from, and the class's imported name for a `new`
    one. The index tells a package from repo code."""
    if value is not None and value.type == "identifier":
        b = pf.resolver.lookup(text(value), value)
        value = b.value if b is not None and b.kind == "var" and not b.path else None
    module = instance_module(pf, value)
    if module is None:
        return None
    # A repo class's instance keeps the class's name: the index reads its fields (`bot.db`).
    made = new_class(pf, value)
    return ClientRef("none", "instance", module, made[1] if made is not None and made[0] == module else None)


def _function_export(pf: ParsedFile, exported: str, fn: ts.Node, line: int) -> ExportRef:
    return ExportRef(exported, NOT_CLIENT, _returned_members(pf, fn), pf.function_ids.get(key(fn)), line)


def _returned_members(pf: ParsedFile, fn: ts.Node) -> tuple[tuple[str, ClientRef], ...]:
    """A factory's result as export members: `()` for a client it returns, `().name`
    for each client of an object it returns (`return { read, write }`)."""
    r = pf.resolver.types.classify(field(fn, "return_type"))
    if r.kind in ("client", "import"):
        return (("()", r),)
    out: list[tuple[str, ClientRef]] = []
    for result in pf.resolver.returned_expressions(fn):
        r = pf.resolver.classify(result)
        if r.kind in ("client", "import"):
            return (("()", r),)
        out += [("()." + name, m) for name, m in
                _object_members(pf, pf.resolver.object_literal(result))]
    return tuple(dict(out).items())


def _class_export(pf: ParsedFile, exported: str, cls: ts.Node, line: int) -> ExportRef:
    """A class: whether an instance is a client (`extends PrismaClient`), its client
    members for subclasses in other files (`this._prisma`), and its imported base
    class as `ref`, where the index looks for members the class does not declare."""
    instance = pf.resolver.types.classify_class(cls)
    functions = member_functions(pf, cls)
    ref = instance if instance.kind == "client" else NOT_CLIENT
    members: dict[str, ClientRef] = {}
    for _ in range(6):  # up the chain of base classes declared in this file
        for name, m in pf.resolver.class_members(cls):
            members.setdefault(name, m)
        base = class_base(cls)
        b = pf.resolver.lookup(text(base), base) if base is not None and base.type == "identifier" else None
        if b is not None and b.kind == "class":
            cls = b.node
            continue
        if ref.kind != "client" and b is not None and b.kind == "import" and b.imported != "*":
            ref = pf.resolver.import_ref(b.module or "", b.imported or "default", origin="base class")
        break
    return ExportRef(exported, ref, tuple(members.items()), line=line, member_functions=functions)


def _pattern_exports(pf: ParsedFile, pattern: ts.Node, line: int) -> list[ExportRef]:
    """`export const { dbRead, dbWrite } = createClients()`."""
    out = []
    for name, _path, node in pattern_bindings(pattern):
        b = pf.resolver.lookup(name, node)
        ref = pf.resolver.classify_binding(b) if b is not None else NOT_CLIENT
        out.append(ExportRef(name, ref, line=line))
    return out


def input_builders(pf: ParsedFile, exports: tuple[ExportRef, ...]) -> tuple[str, ...]:
    """Exported variables whose procedure chain (through local variables) calls
    `.input(…)`: `export const withTeam = authed.input(z.object({ teamId }))`."""
    out = []
    for e in exports:
        b = pf.resolver.lookup(e.exported, pf.root) if e.exported != "default" else None
        value = b.value if b is not None and b.kind == "var" and not b.path else None
        if value is not None and procedure_input(value, pf.resolver)[0]:
            out.append(e.exported)
    return tuple(out)


def _named_export(pf: ParsedFile, exported: str, name: ts.Node, line: int) -> ExportRef:
    """`export { prisma }`, or `export type { Db }` of a type declared in this file, read as
    `export type Db = …` would be (a name with no value binding is the type's)."""
    decl = pf.resolver.types.declaration(text(name))
    if decl is not None and decl.type in ("type_alias_declaration", "interface_declaration") \
            and pf.resolver.lookup(text(name), name) is None:
        [ref] = _declaration_exports(pf, decl, False, line)
        return ExportRef(exported, ref.ref, ref.members, line=line)
    return _export_value(pf, exported, name, line)


def _declaration_exports(pf: ParsedFile, decl: ts.Node, is_default: bool, line: int) -> list[ExportRef]:
    """`export const …`, `export function …`, `export class …`, `export type …`."""
    out: list[ExportRef] = []
    if decl.type in ("lexical_declaration", "variable_declaration"):
        for d in decl.named_children:
            target = field(d, "name") if d.type == "variable_declarator" else None
            if target is not None and target.type == "identifier":
                out.append(_export_value(pf, text(target), field(d, "value"), line, d))
            elif target is not None and target.type == "object_pattern":
                out += _pattern_exports(pf, target, line)
    elif decl.type in FUNCTION_TYPES:
        out.append(_function_export(pf, "default" if is_default else text(field(decl, "name")),
                                    decl, line))
    elif decl.type in ("class_declaration", "abstract_class_declaration"):
        out.append(_class_export(pf, "default" if is_default else text(field(decl, "name")),
                                 decl, line))
    elif decl.type in ("type_alias_declaration", "interface_declaration"):
        # Types: `export type Db = PrismaClient | Prisma.TransactionClient`,
        # `export type Clients = { dbRead: PrismaClient }` (read by typed importers).
        types = pf.resolver.types
        ref = types.classify(field(decl, "value")) if decl.type == "type_alias_declaration" \
            else NOT_CLIENT
        out.append(ExportRef("default" if is_default else text(field(decl, "name")),
                             ref if ref.kind in ("client", "import") else NOT_CLIENT,
                             types.members(decl), line=line))
    return out


def extract(pf: ParsedFile) -> tuple[tuple[ExportRef, ...], tuple[StarExport, ...]]:
    out: list[ExportRef] = []
    stars: list[StarExport] = []
    for stmt in pf.captures("exports").get("export", []):
        line = stmt.start_point[0] + 1
        source = field(stmt, "source")
        module = text(source).strip("'\"`") if source is not None else None
        is_default = any(c.type == "default" for c in stmt.children)
        decl = field(stmt, "declaration")
        clause = next((c for c in stmt.named_children if c.type == "export_clause"), None)
        ns = next((c for c in stmt.named_children if c.type == "namespace_export"), None)
        if module is not None and clause is None:
            if ns is not None:
                out.append(ExportRef(text(ns.named_children[-1]) if ns.named_children else "*",
                                     ClientRef("import", "re-export", module, "*"), line=line))
            else:
                stars.append(StarExport(module, line))
            continue
        if clause is not None:
            for spec in clause.named_children:
                if spec.type != "export_specifier":
                    continue
                name, alias = field(spec, "name"), field(spec, "alias")
                exported = text(alias or name)
                if module is not None:
                    out.append(ExportRef(exported, ClientRef("import", "re-export", module, text(name)), line=line))
                else:
                    out.append(_named_export(pf, exported, name, line))
            continue
        if decl is not None:
            out += _declaration_exports(pf, decl, is_default, line)
            continue
        if is_default:
            value = field(stmt, "value") or next(
                (c for c in stmt.named_children if c.type not in ("comment", "decorator")), None)
            out.append(_export_value(pf, "default", value, line))
    out.extend(_commonjs_exports(pf))
    return tuple(out), tuple(stars)


def _commonjs_exports(pf: ParsedFile) -> list[ExportRef]:
    out = []
    for stmt in pf.root.named_children:
        if stmt.type != "expression_statement" or not stmt.named_children:
            continue
        e = stmt.named_children[0]
        if e.type != "assignment_expression":
            continue
        left = text(field(e, "left")).replace(" ", "")
        line = stmt.start_point[0] + 1
        if left == "module.exports":
            out.append(_export_value(pf, "default", field(e, "right"), line))
            for name, ref in _object_members(pf, field(e, "right")):
                out.append(ExportRef(name, ref, line=line))
        elif left.startswith(("exports.", "module.exports.")):
            out.append(_export_value(pf, left.rsplit(".", 1)[1], field(e, "right"), line))
    return out
