"""Walk every unit's hash chain: exit 0 when all are intact, 1 naming the first broken entry."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandParser

from spkt.core.ledger import verify


class Command(BaseCommand):
    help = "Verify every per-unit ledger chain and the records linked to it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", type=int, action="append", help="only this unit id")

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        result = verify(unit_ids=options["unit"])
        took = time.perf_counter() - started
        if result.ok:
            self.stdout.write(
                f"OK: {result.chains} chain(s), {result.entries} entries, {result.records} "
                f"linked records verified in {took:.2f}s"
            )
            return
        self.stderr.write(f"BROKEN: {result.first_break}")
        sys.exit(1)
