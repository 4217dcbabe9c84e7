"""Which field names keep bookkeeping (analysis/bookkeeping.py), whatever the naming style."""

import pytest

from scanner.analysis.bookkeeping import bookkeeping_field


@pytest.mark.parametrize("name, kept", [
    ("lastLoginAt", True), ("last_login_at", True), ("updated_at", True), ("view_count", True),
    ("updatedBy", True), ("updated_by", True), ("smsSent", True), ("sms_sent", True),
    # A person's last name is data, not bookkeeping, in either style; so is a plain name.
    ("lastName", False), ("last_name", False), ("title", False), ("created_by_id", False),
])
def test_bookkeeping_field(name, kept):
    assert bookkeeping_field(name) is kept
