"""The one table of Prisma operations (scanner/facts/operations.py): consistent
with itself, and the only list of operations outside extraction's argument readers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from scanner.facts import operations as ops

SCANNER = Path(__file__).resolve().parents[1] / "scanner"


@pytest.mark.parametrize("op", ops.OPERATIONS.values(), ids=lambda o: o.name)
def test_each_operation_is_consistent(op):
    assert op.kind in ops.KINDS
    assert op.where in (None, "unique", "filter")
    model_op = not op.name.startswith("$")
    assert model_op == (op.kind in ("read", "write"))
    assert op.writes == (op.kind == "write" or op.name.startswith("$execute"))
    assert not op.unsafe or (op.kind == "raw" and op.name.endswith("Unsafe"))
    assert not (op.returns_rows or op.bulk or op.data_keys or op.where) or model_op
    assert not op.every_match or op.where == "filter"
    assert not op.batched_by_dataloader or op.where == "unique"
    assert not op.data_keys or op.kind == "write"
    assert ops.kind_of(op.name) == op.kind and ops.operation(op.name) is op


def test_views_of_the_table():
    assert ops.MODEL_OPS == ops.READ_OPS | ops.WRITE_OPS and not ops.READ_OPS & ops.WRITE_OPS
    assert ops.UNSAFE_RAW_METHODS == {"$queryRawUnsafe", "$executeRawUnsafe"}
    assert ops.OPERATIONS[ops.TRANSACTION_METHOD].kind == "transaction"
    assert ops.kind_of("findManyish") == "other" and not ops.writes("findManyish")
    assert ops.UNIQUE_WHERE_OPS == {"findUnique", "findUniqueOrThrow", "update", "upsert", "delete"}
    assert ops.BATCHED_BY_DATALOADER == {"findUnique", "findUniqueOrThrow"}
    assert ops.EVERY_MATCH_OPS == {"findMany", "updateMany", "updateManyAndReturn", "deleteMany"}
    assert ops.UPDATE_OPS == {"update", "updateMany", "updateManyAndReturn", "upsert"}
    assert ops.CREATE_OPS == {"create", "createMany", "createManyAndReturn", "upsert"}


# Lists of operations still written out in a module, each for a reason of its rule (not a
# property of the operation) or waiting to become one: (module, names).
KNOWN = {
    ("facts/origins.py", frozenset({"findMany", "groupBy"})),
    ("rules/write_without_transaction.py", frozenset({"update", "updateMany"})),
}
# Extraction's argument readers name nested-write keys (`create`, `connectOrCreate`) that
# share names with operations but are not calls.
ARGUMENT_READERS = ("facts/args.py", "facts/fields.py")


def _literal_lists(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            elts = node.elts
        elif isinstance(node, ast.Dict):
            elts = [k for k in node.keys if k is not None]
        else:
            continue
        names = frozenset(e.value for e in elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
        if len(names & ops.OPERATIONS.keys()) >= 2:
            yield node.lineno, frozenset(names & ops.OPERATIONS.keys())


def test_no_second_list_of_operations():
    found = []
    for path in sorted(SCANNER.rglob("*.py")):
        rel = path.relative_to(SCANNER).as_posix()
        if rel in ("facts/operations.py", *ARGUMENT_READERS):
            continue
        for line, names in _literal_lists(ast.parse(path.read_text(encoding="utf-8"))):
            if (rel, names) not in KNOWN:
                found.append(f"scanner/{rel}:{line}: {sorted(names)}")
    assert not found, ("lists of Prisma operations outside facts/operations.py; give the table the "
                       "property they stand for:\n" + "\n".join(found))
