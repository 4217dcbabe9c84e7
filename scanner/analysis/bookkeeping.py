"""Writes that only keep bookkeeping: timestamps (`…At`, `…Until`), counters, `last…`/`updated…` fields.
When such a write is lost, the cost is a stale timestamp or counter, not inconsistent
data (write-without-transaction pairs, swallowed-error catches; rules.md §8 quiet/low)."""

from __future__ import annotations

import re

from ..facts.model import ArgSummary
from ..facts.operations import UPDATE_OPS

# Also the markers that a message went out or a copy was synced (`smsSent`, `reminder1Sent`,
# `hmisSynced`): a lost one means the side step is redone or shown as pending, not that data
# disagrees.
# (Not a person's `lastName`.)
# And who stamped a row's last change (`updatedBy`, `deletedBy`), beside when (`deletedAt`); not
# an owner's key (`createdById`), which moving reassigns the row.
FIELD = re.compile(r"(?:At|Until|Date|Time|Count|Counter|Attempts?|Retries|Sent|Notified|Synced)$"
                   r"|^(?:last(?!Name)[A-Z]|updated)|^(?:updated|modified|deleted|changed|edited)By$")


def bookkeeping_field(name: str) -> bool:
    """`lastLoginAt`, whatever the naming style (`last_login_at`, `view_count`)."""
    return bool(FIELD.search(_camel(name)))


def bookkeeping_only(operation: str | None, args: ArgSummary | None) -> bool:
    """An update or upsert whose `data` sets only bookkeeping fields or counters (`lastMessageAt`,
    `unread: { increment: 1 }`)."""
    if args is None or operation not in UPDATE_OPS or args.opaque or args.nested_writes:
        return False
    return args.data_counters_only or bool(args.data_fields) and all(
        bookkeeping_field(f) or f in args.data_counters for f in args.data_fields)


# A field recording that an item's side step happened (`reminderSentAt`, `smsSent`, `hmisSyncedAt`).
_STEP_MARKER = re.compile(r"(?:Sent|Notified|Synced|Delivered|Reminded)(?:At|On|Date)?$")


def step_marker(operation: str | None, args: ArgSummary | None) -> str | None:
    """The marker an update or upsert stamps when its `data` sets only bookkeeping fields and one
    of them records that a side step went out (`data: { reminderSentAt: now, lastReminderType }`):
    the checkpoint of that item's step, None otherwise."""
    if not bookkeeping_only(operation, args) or args.data_counters_only:
        return None
    return next((f for f in args.data_fields if _STEP_MARKER.search(_camel(f))), None)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)
