"""Fixtures shared by the tests in this folder."""

from __future__ import annotations

import pytest

# Shared by the team tests (test_team*.py); replaces pytest-django's admin_client here, as the
# module-level fixture did before the split (no other test in tests/cvj uses admin_client).


@pytest.fixture
def admin_client(client, agency_admin):
    client.force_login(agency_admin.user)
    return client
