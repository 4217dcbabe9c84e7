"""Coverage figures and schema architecture over a fixture whose every count is
known by construction (fixtures/report/coverage)."""

from __future__ import annotations

from conftest import FIXTURES, scan_dir
from scanner.report.coverage import coverage_figures
from scanner.report.schema_overview import schema_overview

ROOT = FIXTURES / "report" / "coverage"


def _figures():
    result = scan_dir(str(ROOT))
    return coverage_figures(result.index, result.config)


def _items(fig):
    return [(i.path, i.line, i.label, i.ok) for i in fig.items]


def test_every_figure_has_numerator_denominator_and_items():
    figs = _figures()
    assert list(figs) == ["calls_in_lib", "transactions", "multi_write_in_transaction",
                          "entry_points_validated", "find_many_take", "relation_fields_indexed",
                          "relations_on_delete", "db_catches_handled"]
    for f in figs.values():
        assert f.items and f.denominator >= f.numerator >= 0
        counted = [i for i in f.items if i.ok is not None]
        if f.key not in ("calls_in_lib", "transactions"):
            # The items are the figure: one per counted thing.
            assert len(counted) == f.denominator and sum(1 for i in counted if i.ok) == f.numerator


def test_calls_in_library_modules():
    f = _figures()["calls_in_lib"]
    assert (f.numerator, f.denominator) == (7, 14)
    assert _items(f) == [
        ("app/api/items/[id]/route.ts", None, "2 operation(s), route", False),
        ("app/api/orders/route.ts", None, "1 operation(s), route", False),
        ("src/lib/actions/orders.ts", None, "4 operation(s), server-action", False),
        ("src/lib/orders.ts", None, "7 operation(s), lib", True),
    ]


def test_transactions_listed_by_file_and_line():
    f = _figures()["transactions"]
    assert (f.numerator, f.denominator) == (2, 4)
    assert _items(f) == [
        ("src/lib/actions/orders.ts", 10, "prisma.$transaction in order()", None),
        ("src/lib/orders.ts", 16, "prisma.$transaction in placeOrder()", None),
    ]


def test_multi_write_functions_count_side_effect_writers_and_array_transactions():
    f = _figures()["multi_write_in_transaction"]
    assert (f.numerator, f.denominator) == (2, 4)
    assert _items(f) == [
        ("app/api/items/[id]/route.ts", 3, "DELETE(): 2 writes, 0 in a transaction", False),
        ("src/lib/actions/orders.ts", 8, "order(): 2 writes, 2 in a transaction", True),
        ("src/lib/orders.ts", 15, "placeOrder(): 2 writes, 2 in a transaction", True),
        # prisma.order.update + logAudit() (a configured side-effect writer)
        ("src/lib/orders.ts", 23, "closeOrder(): 2 writes, 0 in a transaction", False),
    ]


def test_entry_points_validating_input():
    f = _figures()["entry_points_validated"]
    assert (f.numerator, f.denominator) == (2, 4)
    # `ping()` is a server action without parameters: it takes no input.
    assert _items(f) == [
        ("app/api/items/[id]/route.ts", 3, "DELETE (route-handler)", False),
        ("app/api/orders/route.ts", 8, "POST (route-handler)", True),
        ("app/api/orders/route.ts", 19, "GET (route-handler)", False),
        ("src/lib/actions/orders.ts", 8, "order (server-action)", True),
    ]


def test_find_many_with_take_leaves_opaque_arguments_out():
    f = _figures()["find_many_take"]
    assert (f.numerator, f.denominator) == (1, 2)
    assert [i.ok for i in f.items] == [True, False, None]


def test_relation_fields_indexed_and_on_delete():
    figs = _figures()
    f = figs["relation_fields_indexed"]
    assert (f.numerator, f.denominator) == (2, 4)
    # Item.orderId is second in @@unique([productId, orderId]); Audit.userId has no index.
    assert [(i.label, i.ok) for i in f.items] == [
        ("Order.userId → User", True), ("Item.orderId → Order", False),
        ("Item.productId → Product", True), ("Audit.userId → User", False)]
    f = figs["relations_on_delete"]
    assert (f.numerator, f.denominator) == (3, 4)
    assert [i.line for i in f.items if not i.ok] == [36]


def test_catches_around_db_work():
    f = _figures()["db_catches_handled"]
    assert (f.numerator, f.denominator) == (2, 3)
    assert _items(f) == [
        ("app/api/orders/route.ts", 13, "catch around prisma.order.create(): handles the error", True),
        ("app/api/orders/route.ts", 23, "catch around listOrders() → prisma.order.findMany: only logs", False),
        ("src/lib/actions/orders.ts", 14, ".catch() around prisma.order.findFirst(): handles the error", True),
    ]


def test_schema_overview_counts():
    result = scan_dir(str(ROOT))
    o = schema_overview(result.schema, result.discovery.migrations)
    d = o.to_dict()
    assert d["provider"] == "postgresql" and d["relation_mode"] == "foreignKeys"
    assert (d["models"], d["fields"], d["relations"], d["enums"]) == (5, 21, 4, 1)
    assert d["indexes_by_kind"] == {"id": 5, "unique": 2, "index": 1, "fulltext": 0}
    assert d["relations_with_on_delete"] == 3
    assert [(r["model"], r["field"], r["optional"]) for r in d["relations_without_on_delete"]] == [
        ("Item", "order", False)]
    assert d["on_delete_actions"] == {"Cascade": 1, "Restrict": 1, "SetNull": 1}
    assert d["largest_models"][0] == {"model": "Item", "fields": 5, "path": "prisma/schema.prisma", "line": 33}
    assert (d["migrations_folder"], d["migration_files"]) == ("prisma/migrations", 1)
    assert d["notes"] == []


def test_schema_overview_notes_sqlite_and_missing_migrations():
    from scanner.schema import parse_schema_files
    schema = parse_schema_files([("prisma/schema.prisma", 'datasource db {\n  provider = "sqlite"\n  url = "file:dev.db"\n}\n'
                                "model A {\n  id Int @id\n}\n")])
    o = schema_overview(schema, [])
    assert o.models == 1 and o.migrations_folder is None
    assert len(o.notes) == 2
    assert "sqlite" in o.notes[0] and "one writer" in o.notes[0]
    assert "prisma/migrations" in o.notes[1]
