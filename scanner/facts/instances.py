"""What a variable or member holds an instance of, read where a call names it: the imported
class a constructor parameter property is typed with (dependency injection), or the imported
class or factory a variable's value is made by (`new TabelaController()`,
`nodemailer.createTransport()`). Call sites (facts/call_sites.py) name methods through them;
exports (facts/exports.py) record an exported instance's module."""

from __future__ import annotations

import tree_sitter as ts

from .generated import prisma_module
from .literals import required_module
from .nodes import field, text, unwrap
from .parsed import ParsedFile


def injected_class(pf: ParsedFile, obj: ts.Node) -> tuple[str, str] | None:
    """(module, name) of the imported class a `this.member` is declared as (a constructor
    parameter property or a field: `private readonly products: ProductService`)."""
    o = unwrap(field(obj, "object")) if obj.type == "member_expression" else None
    if o is None or o.type != "this":
        return None
    b = _type_binding(pf, pf.resolver.declared_type_of(obj))
    if b is None or b.kind != "import" or not b.module or b.imported in (None, "*"):
        return None
    return b.module, b.imported


def _type_binding(pf: ParsedFile, t: ts.Node | None):
    """The binding of the name a written type spells (`ProductService`, `Conversation<Ctx>`:
    `Conversation`), or None for any other type."""
    while t is not None and t.type in ("type_annotation", "generic_type"):
        t = t.named_children[0] if t.type == "type_annotation" and t.named_children else field(t, "name")
    return pf.resolver.lookup(text(t), t) if t is not None and t.type == "type_identifier" else None


def instance_of_import(pf: ParsedFile, b) -> str | None:
    """The module of the imported class a variable is a `new` instance of, or of the imported
    factory that made it (`nodemailer.createTransport(…)`, `createClient(…)`, `google.gmail(…)`,
    awaited or not): a client object of that module. The index tells a package from repo code."""
    if b is None or b.kind != "var" or b.path:
        return None
    return instance_module(pf, b.value)


def typed_parameter_module(pf: ParsedFile, b) -> str | None:
    """The module of the imported type a parameter is declared with (`conversation:
    Conversation<Ctx>` of `import type { Conversation } from '@grammyjs/conversations'`): an
    object of that module, handed in. The index tells a package from repo code."""
    if b is None or b.kind != "param" or b.path:
        return None
    imp = _type_binding(pf, field(b.node, "type"))
    module = imp.module if imp is not None and imp.kind == "import" and imp.module else None
    # (Awaited, its calls are work beside a query unless the package is the database: see
    # analysis/external_io.py; a relative import is the repository's own type.)
    return None if module is None or module.startswith(".") or prisma_module(module) else module


def class_of_new(pf: ParsedFile, b) -> tuple[str, str] | None:
    """(module, name) of the imported class a variable holds a `new` instance of."""
    return new_class(pf, b.value if b is not None and b.kind == "var" and not b.path else None)


def constructor_binding(pf: ParsedFile, value: ts.Node | None):
    """The binding of the class `value` makes a `new` instance of (`new App()`: `App`, an
    import or a class of the file), or None."""
    v = unwrap(value)
    ctor = field(v, "constructor") if v is not None and v.type == "new_expression" else None
    return pf.resolver.lookup(text(ctor), ctor) if ctor is not None and ctor.type == "identifier" else None


def new_class(pf: ParsedFile, value: ts.Node | None) -> tuple[str, str] | None:
    """(module, name) of the imported class `value` makes a `new` instance of."""
    c = constructor_binding(pf, value)
    if c is None or c.kind != "import" or not c.module or c.imported in (None, "*"):
        return None
    return c.module, c.imported


def instance_module(pf: ParsedFile, value: ts.Node | None) -> str | None:
    """The module of the imported class or factory a value is made by (see
    `instance_of_import`), or None."""
    v = unwrap(value)
    if v is not None and v.type == "await_expression" and v.named_children:
        v = unwrap(v.named_children[0])
    if v is None or v.type not in ("new_expression", "call_expression"):
        return None
    ctor = field(v, "constructor" if v.type == "new_expression" else "function")
    while ctor is not None and ctor.type == "member_expression" and v.type == "call_expression":
        ctor = field(ctor, "object")  # `nodemailer.createTransport`: the namespace import
    if ctor is None or ctor.type != "identifier":
        return None
    return _module_of(pf, pf.resolver.lookup(text(ctor), ctor))


def _module_of(pf: ParsedFile, b, depth: int = 0) -> str | None:
    """The module a name comes from: an import, `const nodemailer = require("nodemailer")`, or a
    member of one kept under another name (`const OAuth2 = google.auth.OAuth2`)."""
    if b is None or depth > 2:
        return None
    if b.kind == "import":
        return b.module
    v = unwrap(b.value) if b.kind == "var" else None
    if v is not None and v.type == "call_expression":
        return required_module(v)
    while v is not None and v.type == "member_expression":
        v = unwrap(field(v, "object"))
    if v is None or v.type != "identifier":
        return None
    return _module_of(pf, pf.resolver.lookup(text(v), v), depth + 1)
