"""The Prisma operations dbaudit knows, in one table: what each one is (a read,
a write, raw SQL or a transaction), what its `where` must name, whether it
returns rows of its model, works on many rows in one statement, is batched by
Prisma Client's dataloader, and which argument keys hold what it writes.

Every module that asks "what kind of operation is this" asks here: extraction
(which member calls are Prisma operations), the index (`PrismaCall.kind`), the
analyses and the rules. The frozensets below are views of the table, kept for
the modules that test membership."""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("read", "write", "raw", "transaction")


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    kind: str                         # read, write, raw, transaction
    # What its `where` is: `unique` must name a unique key (WhereUniqueInput) and finds
    # at most one row; `filter` is any filter and matches many rows; None: no `where`.
    where: str | None = None
    # Returns or changes every row its `where` matches (not the first, a count or groups).
    every_match: bool = False
    returns_rows: bool = False        # its result is the row(s) of its model (fields are model fields)
    one_row: bool = False             # … and it is one row (or null), not a list
    bulk: bool = False                # one statement for many rows (createMany, updateMany, deleteMany)
    data_keys: tuple[str, ...] = ()   # argument keys holding the values it writes
    # Prisma Client batches the calls of one tick into one `IN` query (its dataloader).
    batched_by_dataloader: bool = False
    writes: bool = False              # changes rows: every `write`, and raw SQL that executes
    unsafe: bool = False              # raw SQL run from text: what is spliced into it is not escaped
    updates: bool = False             # sets fields of rows that exist (update, updateMany, upsert's update)
    creates: bool = False             # may insert rows (create…, upsert's create)
    deletes: bool = False             # removes rows (delete, deleteMany)


def _read(name: str, where: str, **kw) -> Operation:
    return Operation(name, "read", where, **kw)


def _write(name: str, where: str | None, **kw) -> Operation:
    return Operation(name, "write", where, writes=True, **kw)


_DATA = ("data",)

OPERATIONS: dict[str, Operation] = {op.name: op for op in (
    # Model delegate reads: prisma.<model>.<op>(…)
    _read("findMany", "filter", every_match=True, returns_rows=True),
    _read("findFirst", "filter", returns_rows=True, one_row=True),
    _read("findFirstOrThrow", "filter", returns_rows=True, one_row=True),
    _read("findUnique", "unique", returns_rows=True, one_row=True, batched_by_dataloader=True),
    _read("findUniqueOrThrow", "unique", returns_rows=True, one_row=True, batched_by_dataloader=True),
    _read("count", "filter"),
    _read("aggregate", "filter"),
    _read("groupBy", "filter", returns_rows=True),
    # Model delegate writes
    _write("create", None, returns_rows=True, one_row=True, data_keys=_DATA, creates=True),
    _write("createMany", None, bulk=True, data_keys=_DATA, creates=True),
    _write("createManyAndReturn", None, returns_rows=True, bulk=True, data_keys=_DATA, creates=True),
    _write("update", "unique", returns_rows=True, one_row=True, data_keys=_DATA, updates=True),
    _write("updateMany", "filter", every_match=True, bulk=True, data_keys=_DATA, updates=True),
    _write("updateManyAndReturn", "filter", every_match=True, returns_rows=True, bulk=True, data_keys=_DATA,
           updates=True),
    _write("upsert", "unique", returns_rows=True, one_row=True, data_keys=("create", "update"), updates=True,
           creates=True),
    _write("delete", "unique", returns_rows=True, one_row=True, deletes=True),
    _write("deleteMany", "filter", every_match=True, bulk=True, deletes=True),
    # Client methods: prisma.$<method>(…)
    Operation("$queryRaw", "raw"),
    Operation("$executeRaw", "raw", writes=True),
    Operation("$queryRawUnsafe", "raw", unsafe=True),
    Operation("$executeRawUnsafe", "raw", writes=True, unsafe=True),
    Operation("$runCommandRaw", "raw"),
    Operation("$transaction", "transaction"),
)}


def operation(name: str) -> Operation | None:
    """The operation of that name, or None for a method Prisma does not have."""
    return OPERATIONS.get(name)


def kind_of(name: str) -> str:
    """read, write, raw, transaction, or `other` for a name not in the table."""
    op = OPERATIONS.get(name)
    return op.kind if op is not None else "other"


def writes(name: str) -> bool:
    """A write, or raw SQL that executes (`$executeRaw`)."""
    op = OPERATIONS.get(name)
    return op is not None and op.writes


def _names(**want) -> frozenset[str]:
    return frozenset(op.name for op in OPERATIONS.values()
                     if all(getattr(op, k) == v for k, v in want.items()))


READ_OPS = _names(kind="read")
WRITE_OPS = _names(kind="write")
MODEL_OPS = READ_OPS | WRITE_OPS                      # called on a model delegate
RAW_METHODS = _names(kind="raw")
UNSAFE_RAW_METHODS = _names(kind="raw", unsafe=True)  # raw-sql-injection's sinks
TRANSACTION_METHOD = "$transaction"
ROW_OPS = _names(returns_rows=True)
ONE_ROW_OPS = _names(one_row=True)                    # return one row: a list in it is one parent's
UNIQUE_WHERE_OPS = _names(where="unique")
UNIQUE_LOOKUP_OPS = READ_OPS & UNIQUE_WHERE_OPS         # read one row by a unique `where`
FIRST_ROW_OPS = READ_OPS & _names(where="filter", one_row=True)   # the first row a filter matches
FILTER_WHERE_OPS = _names(where="filter")             # match (or change) many rows
EVERY_MATCH_OPS = _names(every_match=True)            # return or change every row matched
BATCHED_BY_DATALOADER = _names(batched_by_dataloader=True)
UPDATE_OPS = _names(updates=True)                     # set fields of existing rows
CREATE_OPS = _names(creates=True)                     # may insert rows
DELETE_OPS = _names(deletes=True)                     # remove rows
# Bulk writes that return only how many rows they changed (`{ count }`).
COUNT_OPS = _names(bulk=True) - ROW_OPS
WRITE_DATA_KEYS = {op.name: op.data_keys for op in OPERATIONS.values() if op.data_keys}
