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
            has_clause, names = pf.resolver.import_names(stmt)
            out += [Import(local, module, imported, line, type_only or spec_type)
                    for local, imported, spec_type in names]
            if not has_clause:
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