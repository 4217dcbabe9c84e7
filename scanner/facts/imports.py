"""What a file imports: ES imports (default, namespace, named, type-only,
side-effect) and `require` calls."""

from __future__ import annotations

from .model import Import
from .nodes import field, text
from .parsed import ParsedFile


def extract(pf: ParsedFile) -> tuple[Import, ...]:
    out = []
    for _, m in pf.matches("imports"):
        if "import" in m:
            stmt = m["import"][0]
            module = text(m["import.source"][0])
            type_only = any(c.type == "type" for c in stmt.children)
            line = stmt.start_point[0] + 1
            for clause in stmt.named_children:
                if clause.type != "import_clause":
                    continue
                for c in clause.named_children:
                    if c.type == "identifier":
                        out.append(Import(text(c), module, "default", line, type_only))
                    elif c.type == "namespace_import":
                        for x in c.named_children:
                            if x.type == "identifier":
                                out.append(Import(text(x), module, "*", line, type_only))
                    elif c.type == "named_imports":
                        for spec in c.named_children:
                            if spec.type == "import_specifier":
                                name, alias = field(spec, "name"), field(spec, "alias")
                                spec_type = type_only or any(x.type == "type" for x in spec.children)
                                out.append(Import(text(alias or name), module, text(name), line, spec_type))
            if not any(c.type == "import_clause" for c in stmt.named_children):
                out.append(Import("", module, "", line))  # side-effect import
        elif "require" in m:
            name = m["require.name"][0]
            module = text(m["require.source"][0])
            line = name.start_point[0] + 1
            if name.type == "identifier":
                out.append(Import(text(name), module, "*", line))
            else:
                for spec in name.named_children:
                    if spec.type == "shorthand_property_identifier_pattern":
                        out.append(Import(text(spec), module, text(spec), line))
                    elif spec.type == "pair_pattern":
                        out.append(Import(text(field(spec, "value")), module,
                                          text(field(spec, "key")), line))
    return tuple(out)