"""The fact extractors stay small enough to read (issue 19): no module in
scanner/facts/ over 400 lines, no function over 60 lines, and no module-level
mutable state beyond constants (a cache lives on the ParsedFile or the Resolver of
one file, never in a global)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

FACTS = Path(__file__).resolve().parent.parent / "scanner" / "facts"
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
MODULES = sorted(FACTS.glob("*.py"))


def test_facts_modules_found():
    assert len(MODULES) > 10


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_size(path: Path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_FILE_LINES, f"{path.name} has {lines} lines (at most {MAX_FILE_LINES})"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_function_size(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [f"{n.name} ({n.end_lineno - n.lineno + 1} lines, line {n.lineno})" for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and n.end_lineno - n.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"{path.name}: functions over {MAX_FUNCTION_LINES} lines: {', '.join(long)}"


_MUTABLE = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_module_level_mutable_state(path: Path):
    """Module-level names are bound to constants (frozensets, tuples, compiled
    patterns, read-only tables), not to dicts, lists or sets filled while files are
    extracted; class attributes are not assigned from methods (`Cls._active = …`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, _MUTABLE):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            # Read-only lookup tables spelled as dict literals are constants by convention
            # (UPPER_CASE or _UPPER_CASE) and never written to after import.
            if any(not n.lstrip("_").isupper() for n in names):
                found.append(f"{', '.join(names)} (line {node.lineno})")
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            found.append(f"global {', '.join(node.names)} (line {node.lineno})")
    assert not found, f"{path.name}: module-level mutable state: {'; '.join(found)}"


def test_constant_tables_are_not_written():
    """UPPER_CASE dict/list/set tables of the facts modules are never assigned into."""
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tables = {t.id for node in tree.body if isinstance(node, ast.Assign) and isinstance(node.value, _MUTABLE)
                  for t in node.targets if isinstance(t, ast.Name)}
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
            for t in targets:
                if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id in tables:
                    raise AssertionError(f"{path.name}:{node.lineno} writes into the table {t.value.id}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id in tables \
                    and node.func.attr in ("append", "add", "update", "setdefault", "extend", "pop", "clear"):
                raise AssertionError(f"{path.name}:{node.lineno} changes the table {node.func.value.id}")
