"""The import layering of docs/architecture.md, read from the source: facts below
the index, the index below the analyses, the analyses below the rules, the rules
below the reports, and no module importing a layer above its own. Imports inside
functions count too: a lazy import is still a dependency."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from scanner.rules import REGISTRY

PACKAGE = Path(__file__).resolve().parents[1] / "scanner"

# Lowest first. A module may import its own layer and the layers below it. Names are
# modules or packages (a package stands for every module in it).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundation", ("scanner", "scanner.resources", "scanner.findings", "scanner.config", "scanner.parse",
                    "scanner.schema", "scanner.resolve", "scanner.test_loads", "scanner.recognition",
                    "scanner.baseline", "scanner.gitdiff", "scanner.progress", "scanner.docs_page")),
    ("facts", ("scanner.facts", "scanner.fact_pickle", "scanner.discover", "scanner.cache", "scanner.collect",
               "scanner.suppress")),
    ("index", ("scanner.index",)),
    ("analysis", ("scanner.analysis",)),
    ("rules", ("scanner.rules",)),
    ("reports", ("scanner.report", "scanner.review")),
    ("commands", ("scanner.engine", "scanner.rule_results", "scanner.project_results", "scanner.cli", "scanner.history",
                  "scanner.init_config")),
)


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The scanner modules `name` imports, anywhere in its file."""
    is_package = path.name == "__init__.py"
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.add(sub if sub in MODULES else target)
    return {m for m in out if m == "scanner" or m.startswith("scanner.")}


IMPORTS = {name: _imports(name, path) for name, path in MODULES.items()}


def layer_of(module: str) -> int:
    best, rank = None, -1
    for i, (_, members) in enumerate(LAYERS):
        for m in members:
            # `scanner` is the package's own __init__ (its version), not all of it.
            inside = module == m or (m != "scanner" and module.startswith(m + "."))
            if inside and len(m) > len(best or ""):
                best, rank = m, i
    return rank


def test_every_module_has_a_layer():
    missing = [m for m in MODULES if layer_of(m) < 0]
    assert not missing, f"add these modules to a layer in LAYERS (and docs/architecture.md): {missing}"


def test_no_module_imports_a_higher_layer():
    bad = [f"{m} ({LAYERS[layer_of(m)][0]}) imports {dep} ({LAYERS[layer_of(dep)][0]})"
           for m in sorted(IMPORTS) for dep in sorted(IMPORTS[m]) if layer_of(dep) > layer_of(m)]
    assert not bad, "\n".join(bad)


def _rule_modules() -> list[str]:
    return [m for m in MODULES if m.startswith("scanner.rules.") and m != "scanner.rules.base"]


def test_rules_holds_only_rules():
    """Every module of rules/ but the registry and base is a registered rule; what
    several rules share lives in analysis/."""
    registered = {r.check.__module__ for r in REGISTRY}
    assert set(_rule_modules()) == registered


def test_a_rule_imports_no_other_rule():
    bad = [f"{m} imports {dep}" for m in _rule_modules() for dep in sorted(IMPORTS[m])
           if dep.startswith("scanner.rules.") and dep != "scanner.rules.base"]
    assert not bad, "\n".join(bad)


def test_reports_read_the_registry_never_rule_modules():
    """Reports take rule metadata from the registry (`scanner.rules`) and shared
    analyses from analysis/, never a rule's internals."""
    bad = [f"{m} imports {dep}" for m in MODULES if layer_of(m) == 5 for dep in sorted(IMPORTS[m])
           if dep.startswith("scanner.rules.")]
    assert not bad, "\n".join(bad)


def test_no_import_circle_between_packages():
    """No circle between the packages and top-level modules (config and rules
    imported each other before); a package's own modules may still refer to its
    `__init__` (the rule registry)."""
    def unit(m: str) -> str:
        parts = m.split(".")
        return ".".join(parts[:2]) if len(parts) > 1 else m
    graph: dict[str, set[str]] = {}
    for m, deps in IMPORTS.items():
        graph.setdefault(unit(m), set()).update(unit(d) for d in deps if unit(d) != unit(m))
    # Tarjan-free check: a unit reaching itself through others is a circle.
    circles = []
    for start in sorted(graph):
        seen, stack = set(), list(graph[start])
        while stack:
            n = stack.pop()
            if n == start:
                circles.append(start)
                break
            if n not in seen:
                seen.add(n)
                stack.extend(graph.get(n, ()))
    assert not circles, f"import circles through: {circles}"


@pytest.mark.parametrize("lower,higher", [("scanner.config", "scanner.rules"),
                                          ("scanner.report.coverage", "scanner.rules")])
def test_the_old_circles_stay_gone(lower, higher):
    assert not any(d == higher or d.startswith(higher + ".") for d in IMPORTS[lower])
