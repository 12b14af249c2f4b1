"""The behaviour some tables get from database triggers survives every migration.

On SQLite, Django rebuilds a table for many schema changes (a new column with a foreign key, a
changed constraint), and a rebuilt table has lost its triggers without a word. This test fails the
day a migration does that, so the trigger is re-created in the same change."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

EXPECTED = {
    # intake 0003: the inbox's change marker.
    "intake_contact_inbox_version",
    # dutylog 0006: nothing is written into a sealed shift's book.
    "dutylog_mutasi_sealed_shift",
}


def trigger_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall()}


def test_every_trigger_is_in_place() -> None:
    assert trigger_names() >= EXPECTED
