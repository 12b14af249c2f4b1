"""One leader among the clocks: every node may run ``intake_clock``; only the one holding the lock
acts in a round, the others wait and take over within a round when it dies.

PostgreSQL: a session-level advisory lock on a connection of its own (not Django's, which is
closed between rounds). The lock dies with the session, so a clock killed with -9, or whose
backend is terminated, frees it at once. SQLite (one machine): an exclusive ``flock`` on a file
in ``SPKT_VAR_DIR``, freed by the kernel when the process dies.
"""

from __future__ import annotations

import fcntl
import logging
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from django.conf import settings
from django.db import connection

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger("spkt.clock")
# pg_advisory_lock takes a bigint: "SPKTCLK1" read as an integer.
LOCK_KEY = int.from_bytes(b"SPKTCLK1", "big") & 0x7FFF_FFFF_FFFF_FFFF


class Leadership:
    def __init__(self, name: str = "intake_clock") -> None:
        self.name = name
        self._pg: psycopg.Connection | None = None
        self._file: TextIO | None = None

    def acquire(self) -> bool:
        """True when this process leads this round (keeps the lock while it lives)."""
        if connection.vendor == "postgresql":
            return self._acquire_pg()
        return self._acquire_file()

    def release(self) -> None:
        self._held = False
        if self._pg is not None:
            try:
                self._pg.close()
            finally:
                self._pg = None
        if self._file is not None:
            try:
                fcntl.flock(self._file, fcntl.LOCK_UN)
                self._file.close()
            finally:
                self._file = None

    # --- PostgreSQL ---
    def _acquire_pg(self) -> bool:
        import psycopg

        for _attempt in range(2):  # a terminated backend: reconnect once and ask again
            try:
                if self._pg is None or self._pg.closed:
                    self._pg = self._connect()
                if self._held:
                    # Still ours? A live session keeps it; a check costs one round trip.
                    self._pg.execute("SELECT 1")
                    return True
                row = self._pg.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()
                self._held = bool(row and row[0])
                return self._held
            except psycopg.Error as exc:
                log.warning("clock leadership: connection lost (%s); reconnecting", exc)
                self._held = False
                if self._pg is not None:
                    self._pg.close()
                self._pg = None
        return False

    _held = False

    def _connect(self) -> psycopg.Connection:
        import psycopg

        db = connection.settings_dict
        return psycopg.connect(
            dbname=db["NAME"],
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            autocommit=True,
            application_name=f"spkt-{self.name}-leader",
        )

    # --- SQLite / one machine ---
    def _acquire_file(self) -> bool:
        if self._file is None:
            path = Path(settings.VAR_DIR) / f"{self.name}.lock"
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("a+")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
