"""Store the Anev's daily figures for closed duty days (idempotent: a day is replaced whole).

manage.py anev_aggregate                 # the last 7 closed duty days, every unit
manage.py anev_aggregate --from 2026-11-01 --to 2026-11-30 --unit kota-selatan
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from spkt.core import clock
from spkt.core.dates import parse_date
from spkt.core.timeutil import local
from spkt.org.models import Unit
from spkt.reports.anev.metrics import aggregate_days


class Command(BaseCommand):
    help = "Hitung ulang dan simpan angka harian Anev untuk hari dinas yang sudah selesai."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", help="TTTT-BB-HH (default: 7 hari lalu)")
        parser.add_argument("--to", dest="last", help="TTTT-BB-HH (default: kemarin)")
        parser.add_argument("--unit", help="kode satuan; default semua satuan")

    def handle(
        self,
        *args: Any,
        first: str | None = None,
        last: str | None = None,
        unit: str | None = None,
        **options: Any,
    ) -> None:
        today = local(clock.now()).date()
        try:
            last_day = parse_date(last) if last else today - timedelta(days=1)
            first_day = parse_date(first) if first else last_day - timedelta(days=6)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from None
        if first_day > last_day:
            raise CommandError("Tanggal --from harus sebelum --to.")
        units = Unit.objects.order_by("path")
        if unit:
            units = units.filter(code=unit)
            if not units.exists():
                raise CommandError(f"Satuan {unit!r} tidak ada.")
        stored = aggregate_days(units=list(units), first=first_day, last=last_day)
        self.stdout.write(f"{stored} baris angka harian disimpan ({first_day} s.d. {last_day}).")
