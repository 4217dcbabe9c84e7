"""Top-level functions whose name the file never mentions again: the declaration
(`function f`, `export async function f`, `const f = () => …`) is the name's only
occurrence in the source, so nothing in the file calls, registers, passes or re-exports it.
Also a class's plain method named once in its file (no decorator, and a class that extends
or implements only the repository's own classes, nothing a framework could call it through):
whether another file names it is for analysis/dead_code.py to ask.
Counting the raw source also counts strings that hold the name as a word (`'load'`, a
handler's name in a map), so the fact errs toward "used"; a longer name that contains it
(`load` in `loadAll`) is another name and calls nothing. A substring count per function, and
the file's words counted once when a name occurs more than once; what the file's comments say
is counted out (a call commented out calls
nothing), and so is the function's own name as a string inside its body (a label for its
errors). analysis/dead_code.py reads it with the project's imports."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import tree_sitter as ts

from .entries import CLASS_TYPES, member_decorators
from .nodes import field
from .parsed import ParsedFile

_DECLARATIONS = ("function_declaration", "generator_function_declaration")
# `onModuleInit`, `onMessage`: a hook or handler's name, which whatever raises the event calls
# by convention (a framework's lifecycle, an emitter), never by a name the scan can see.
_HOOK = re.compile(rb"on[A-Z]")
# The hooks a framework calls on a class of its own heritage by name alone: NestJS calls
# `onModuleInit` on any provider that has one, no `implements` needed. Another `on…` method of
# such a class (`onInvoiceCreated` of an EmailEventsService) is an ordinary method: only a call
# the scan can see runs it (an emitter that calls it is handed it by name: `bus.on('x',
# this.onX)`).
_LIFECYCLE = re.compile(rb"on(Module|Application)(Init|Bootstrap|Destroy|Shutdown)$")
_VALUES = ("arrow_function", "function_expression", "function")
_WORDS = re.compile(rb"[\w$]+")


def extract(pf: ParsedFile) -> tuple[int, ...]:
    out = []
    commented = words = None
    for i, fn in enumerate(pf.function_nodes):
        name = _top_level_name(fn) or _plain_method_name(pf, fn) or _object_method_name(fn)
        if name is None:
            continue
        n = pf.source.count(name)
        if n > 1:
            # As a whole word only: the file's words, counted once (a `#private` name is no word).
            if words is None:
                words = Counter(_WORDS.findall(pf.source))
            n = word_count(pf.source, name) if name.startswith(b"#") else words[name]
        if n > 1:
            # A call left in a comment (`// await notifyDoctor(id)`, code switched off) calls
            # nothing: the comments' text, joined once per file, is counted out.
            if commented is None:
                commented = b"\n".join(c.text for c in pf.captures("comments").get("comment", ()))
            n -= word_count(commented, name) + self_labels(fn.text, name)
        if n == 1:
            out.append(i)
    return tuple(out)


@lru_cache(maxsize=4096)
def word_pattern(name: bytes) -> re.Pattern:
    """`name` as a whole word: no identifier character (`$` included) on either side."""
    return re.compile(rb"(?<![\w$])" + re.escape(name) + rb"(?![\w$])")


def word_count(text: bytes, name: bytes) -> int:
    """How often `name` occurs in `text` as a whole word: in code, a string or a comment, not
    inside a longer name (`buyItem` in `buyItemKeyboard` is another function's name)."""
    return sum(1 for _ in word_pattern(name).finditer(text)) if name in text else 0


# String literals on one line, and template literals (analysis/untouched_models.py reads them too).
STRING_LITERALS = re.compile(rb"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`""")


def self_labels(text: bytes, name: bytes) -> int:
    """How often a function's own text (`text`) holds its name as a word of a string literal: a
    label for its own errors (`handleError(e, "createUnits")` inside `createUnits`, or
    `console.error('[syncUser] failed', e)` inside `syncUser`), which calls nothing, as a
    function names itself so only to say where a failure happened."""
    if name not in text:
        return 0
    return sum(word_count(m.group(0), name) for m in STRING_LITERALS.finditer(text))


def _top_level_name(fn: ts.Node) -> bytes | None:
    """The name a module-level function declaration or `const` binds, None for any other
    function (methods, callbacks, a value a wrapper call returns)."""
    if fn.type in _DECLARATIONS:
        name, holder = field(fn, "name"), fn
    elif fn.type in _VALUES and fn.parent is not None and fn.parent.type == "variable_declarator":
        name, holder = field(fn.parent, "name"), fn.parent.parent
    else:
        return None
    if name is None or name.type != "identifier" or holder is None:
        return None
    up = holder.parent
    if up is not None and up.type == "export_statement":
        up = up.parent
    return name.text if up is not None and up.type == "program" else None


def _plain_method_name(pf: ParsedFile, fn: ts.Node) -> bytes | None:
    """The name of a class method a framework cannot call by convention: not decorated
    (`@Get()`, `@Cron()`, `@Process()`), not a constructor, not named as a hook (`onModuleInit`,
    which NestJS calls on any provider that has one), and in a class whose `extends` /
    `implements` name only the repository's own classes (a relative import, or one declared
    in the file): lifecycle hooks like `onModuleInit`, `render`, `process` of a worker host are
    called through a package's base or interface, whose code the scan cannot read. A
    `private` method (or `#name`) in any class: TypeScript lets no base or interface member be
    one, so only the class itself calls it, by its name."""
    if fn.type != "method_definition" or fn.parent is None or fn.parent.type != "class_body":
        return None
    cls = fn.parent.parent
    name = field(fn, "name")
    private = name is not None and name.type == "private_property_identifier" or any(
        c.type == "accessibility_modifier" and c.text == b"private" for c in fn.children)
    if cls is None or cls.type not in CLASS_TYPES or not (private or _own_heritage(pf, cls)):
        return None
    if name is None or name.type not in ("property_identifier", "private_property_identifier") \
            or name.text == b"constructor" or member_decorators(fn) or _LIFECYCLE.match(name.text):
        return None
    return name.text


def object_holder(fn: ts.Node) -> str | None:
    """The name of the module-level `const` whose object literal holds the function as a method
    (`export const shop = { async buy() {…} }`, `{ buy: async () => … }`): a service object,
    whose methods other modules call as `shop.buy()`."""
    obj = fn.parent if fn.type == "method_definition" else \
        fn.parent.parent if fn.parent is not None and fn.parent.type == "pair" else None
    decl = obj.parent if obj is not None and obj.type == "object" else None
    holder = decl.parent if decl is not None and decl.type == "variable_declarator" else None
    up = holder.parent if holder is not None and holder.type == "lexical_declaration" else None
    if up is not None and up.type == "export_statement":
        up = up.parent
    name = field(decl, "name") if decl is not None else None
    if up is None or up.type != "program" or name is None or name.type != "identifier" \
            or not any(c.type == "const" for c in holder.children):
        return None
    return name.text.decode()


def _object_method_name(fn: ts.Node) -> bytes | None:
    """The name of a method of a service object (object_holder), not named as a hook."""
    key = field(fn, "name") if fn.type == "method_definition" else \
        field(fn.parent, "key") if fn.parent is not None and fn.parent.type == "pair" else None
    if key is None or key.type != "property_identifier" or _HOOK.match(key.text) or object_holder(fn) is None:
        return None
    return key.text


def _own_heritage(pf: ParsedFile, cls: ts.Node, depth: int = 0) -> bool:
    """Every name in the class's heritage is a class of this repository: declared in the file
    (with a heritage of its own that passes the same test), or imported from a relative path
    (`extends BaseService` of `import { BaseService } from './base'`)."""
    for heritage in (c for c in cls.named_children if c.type == "class_heritage"):
        for clause in heritage.named_children:
            for n in clause.named_children:
                if n.type not in ("identifier", "type_identifier"):
                    return False   # (`extends mixin(A)`, `implements ns.Hook`, generics: unknown)
                b = pf.resolver.lookup(n.text.decode(), n)
                if b is not None and b.kind == "class":
                    if depth > 4 or not _own_heritage(pf, b.node, depth + 1):
                        return False
                elif b is None or b.kind != "import" or not (b.module or "").startswith("."):
                    return False
    return True
