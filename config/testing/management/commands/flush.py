"""Django's ``flush`` for the test suite on PostgreSQL.

Transactional tests (``transactional_db``, ``live_server``) end with ``flush``, which TRUNCATEs
every table. The append-only tables refuse TRUNCATE with a trigger (core 0005_refuse_truncate),
so here the flush runs in a transaction whose session is a replica: ordinary triggers do not fire
for a replica, and ``SET LOCAL`` ends with the transaction. That needs a superuser, as the test
database's user is. The production settings do not install this app: there ``flush`` is refused.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        database = options.get("database") or DEFAULT_DB_ALIAS
        connection = connections[database]
        if connection.vendor != "postgresql":
            super().handle(**options)
            return
        with transaction.atomic(using=database):
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
            super().handle(**options)
