"""The explicit rule registry: one module per rule, listed here in order."""

from __future__ import annotations

from .base import Rule, RuleContext
from . import (
    bulk_write_without_where,
    float_for_money,
    foreign_key_missing_index,
    full_scan_filter,
    generic_db_error_response,
    invalid_suppression,
    json_in_string_column,
    multiple_prisma_clients,
    n_plus_one,
    prisma_client_per_request,
    raw_sql_injection,
    relation_missing_on_delete,
    string_enum_column,
    swallowed_error,
    unbounded_find_many,
    unindexed_filter,
    unvalidated_input,
    write_without_audit,
    write_without_transaction,
)

REGISTRY: tuple[Rule, ...] = (
    # Query patterns
    n_plus_one.RULE,
    unbounded_find_many.RULE,
    full_scan_filter.RULE,
    unindexed_filter.RULE,
    # Transactions and integrity
    write_without_transaction.RULE,
    write_without_audit.RULE,
    bulk_write_without_where.RULE,
    prisma_client_per_request.RULE,
    multiple_prisma_clients.RULE,
    # Errors
    swallowed_error.RULE,
    generic_db_error_response.RULE,
    # Input
    unvalidated_input.RULE,
    raw_sql_injection.RULE,
    # Schema
    relation_missing_on_delete.RULE,
    foreign_key_missing_index.RULE,
    json_in_string_column.RULE,
    string_enum_column.RULE,
    float_for_money.RULE,
    # The audit's own upkeep
    invalid_suppression.RULE,
)
RULES_BY_ID = {r.id: r for r in REGISTRY}


class UnknownRule(ValueError):
    pass


def select_rules(select=(), ignore=()) -> list[Rule]:
    for rid in list(select) + list(ignore):
        if rid not in RULES_BY_ID:
            import difflib
            close = difflib.get_close_matches(rid, RULES_BY_ID, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else " Run `dbaudit rules` for the list."
            raise UnknownRule(f"unknown rule id '{rid}'.{hint}")
    chosen = [r for r in REGISTRY if (not select or r.id in select) and r.id not in ignore]
    return chosen


__all__ = ["REGISTRY", "RULES_BY_ID", "Rule", "RuleContext", "select_rules", "UnknownRule"]
