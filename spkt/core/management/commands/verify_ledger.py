"""Walk every unit's hash chain and the records its entries point to: exit 0 when all are intact,
1 naming the first break (unit, seq, entry id and kind; or the record that has no entry).

``--anchor FILE`` also checks day head hashes kept outside the system (lines ``unit:seq:hash``, as
exported from a day's Buku Mutasi page): the chain must still hold that hash at that position.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spkt.core.ledger import verify
from spkt.core.models import LedgerEntry


class Command(BaseCommand):
    help = "Verify every per-unit ledger chain and the records linked to it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", type=int, action="append", help="only this unit id")
        parser.add_argument("--anchor", type=Path, action="append", help="file of unit:seq:hash")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = verify(unit_ids=options["unit"])
        took = time.perf_counter() - started
        if not result.ok:
            self.stderr.write(f"BROKEN: {result.first_break}")
            sys.exit(1)
        anchors = 0
        for path in options["anchor"] or []:
            try:
                lines = path.read_text().split()
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"Cannot read anchor file {path}: {exc}") from None
            for line in lines:
                unit_id, seq, digest = self._parse(line)
                stored = (
                    LedgerEntry.objects.filter(unit_id=unit_id, seq=seq)
                    .values_list("hash", flat=True)
                    .first()
                )
                if stored != digest:
                    self.stderr.write(
                        f"BROKEN: unit {unit_id}, seq {seq}: the chain no longer holds the "
                        f"anchored hash {digest[:16]}… (found {stored or 'nothing'})"
                    )
                    sys.exit(1)
                anchors += 1
        self.stdout.write(
            f"OK: {result.chains} chain(s), {result.entries} entries, {result.records} "
            f"linked records, {anchors} anchor(s) verified in {took:.2f}s"
        )

    @staticmethod
    def _parse(line: str) -> tuple[int, int, str]:
        try:
            unit_id, seq, digest = line.strip().split(":")
            return int(unit_id), int(seq), digest
        except ValueError:
            raise CommandError(
                f"Malformed anchor line: {line!r} (expected unit:seq:hash)"
            ) from None
