"""The daily report's draft on a unit with a year of history.

Run: .venv/bin/python bench/daily_report.py [--days 365] [--runs 20] [--database-url URL]

Builds, in a throwaway SQLite database (or the PostgreSQL URL given), the demo unit tree and one
year of a busy Polsek's records, bulk-inserted: per duty day 30 contacts (a mix of channels, some
late, some unanswered), 5 documents, 40 Buku Mutasi entries (a few in red), 3 field tasks and the
handover that closed the day with its checklist. Then times ``daily_report(...).snapshot()`` (what
the page and the submission compute) for one day in the middle of the year, ``--runs`` times.
Baseline, in the same run: a bare ``COUNT(*)`` of the unit's contacts in that duty day.
Target: p95 ≤ 1 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from _common import boot_django, percentile, seed_demo, summary_ms

TARGET_P95_S = 1.0
CHANNELS = ["walkin", "whatsapp", "sms", "phone", "email", "web"]


def build(days: int):
    from django.db import transaction

    from spkt.core import clock
    from spkt.core.models import LedgerEntry
    from spkt.core.timeutil import duty_day_bounds, duty_day_of
    from spkt.documents.models import Document
    from spkt.dutylog.models import Handover, HandoverItem, Mutasi, Shift
    from spkt.fieldhelp.models import Task
    from spkt.fieldhelp.services import task_types_for
    from spkt.intake.models import Contact

    units, users = seed_demo()
    unit = units["kota-selatan"]
    actor = users["kaspkt"]
    types = task_types_for(unit)[:3]
    today = duty_day_of(clock.now(), unit.shift_start_hour)
    first = today - timedelta(days=days)
    seq = 0

    def ledger(n: int, at) -> list[LedgerEntry]:
        nonlocal seq
        rows = []
        for _ in range(n):
            seq += 1
            rows.append(
                LedgerEntry(
                    unit=unit,
                    seq=seq,
                    kind="bench",
                    recorded_at=at,
                    payload={},
                    prev_hash="0" * 64,
                    hash=f"{seq:064x}",
                )
            )
        return LedgerEntry.objects.bulk_create(rows)

    with transaction.atomic():
        shifts = Shift.objects.bulk_create(
            [
                Shift(
                    unit=unit,
                    starts_at=duty_day_bounds(first + timedelta(days=i), 8)[0],
                    ends_at=duty_day_bounds(first + timedelta(days=i), 8)[1],
                    status="planned",
                )
                for i in range(days + 1)
            ]
        )
        for i, shift in enumerate(shifts[:-1]):
            start = shift.starts_at
            contacts = []
            for c in range(30):
                at = start + timedelta(minutes=c * 47)
                answer = None if c % 10 == 0 else at + timedelta(minutes=2 + c % 7)
                contacts.append(
                    Contact(
                        unit=unit,
                        channel=CHANNELS[c % len(CHANNELS)],
                        tracking_code=f"B{i:04d}{c:03d}",
                        received_at=at,
                        first_response_due_at=at + timedelta(minutes=5),
                        first_response_at=answer,
                    )
                )
            Contact.objects.bulk_create(contacts)
            entries = ledger(45, start)
            Mutasi.objects.bulk_create(
                [
                    Mutasi(
                        unit=unit,
                        shift=shift,
                        at=start + timedelta(minutes=m * 35),
                        category="kejadian" if m % 10 == 0 else "patroli",
                        red=m % 10 == 0,
                        text=f"Entri {m} hari {i}",
                        author=actor,
                        ledger_entry=entries[m],
                    )
                    for m in range(40)
                ]
            )
            Document.objects.bulk_create(
                [
                    Document(
                        unit=unit,
                        doc_type=("SKTLK", "SKTLK", "LP_B", "STTLP", "LP_A")[d],
                        year=start.year,
                        seq=i * 5 + d + 1,
                        number=f"B/{i}/{d}",
                        issued_at=start + timedelta(hours=2 + d * 3),
                        issued_by=actor,
                        shift=shift,
                        subject_name="WARGA",
                        snapshot={},
                        verify_token=f"t{i:05d}{d}",
                        idempotency_key=f"k{i}{d}",
                        ledger_entry=entries[40 + d],
                    )
                    for d in range(5)
                ]
            )
            Task.objects.bulk_create(
                [
                    Task(
                        unit=unit,
                        type=types[t],
                        source="phone",
                        address="Jl. Bench",
                        requested_at=start + timedelta(hours=4 + t * 5),
                        response_seconds=300 + t * 120,
                        status="cleared",
                        cleared_at=start + timedelta(hours=5 + t * 5),
                        created_by=actor,
                    )
                    for t in range(3)
                ]
            )
            ho = Handover.objects.create(
                outgoing=shift,
                incoming=shifts[i + 1],
                status="done",
                started_by=actor,
                started_at=shift.ends_at,
                confirmed_at=shift.ends_at + timedelta(minutes=5),
            )
            HandoverItem.objects.bulk_create(
                [
                    HandoverItem(handover=ho, kind="weapon", label="Pistol", counted=4, expected=4),
                    HandoverItem(
                        handover=ho,
                        kind="radio",
                        label="HT",
                        counted=2,
                        expected=3,
                        discrepancy_reason="Dibawa patroli",
                    ),
                    HandoverItem(handover=ho, kind="detainee", label="Tahanan", counted=1),
                    HandoverItem(handover=ho, kind="open_case", label="LP/B/1", counted=1),
                ]
            )
        Shift.objects.filter(pk__in=[s.pk for s in shifts[:-1]]).update(closed_at=shifts[0].ends_at)
    return unit, first + timedelta(days=days // 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default=None, help="default: a throwaway SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="spkt-bench-daily-") as tmp:
        boot_django(var_dir=Path(tmp), database_url=args.database_url)
        from spkt.core.timeutil import duty_day_bounds
        from spkt.intake.models import Contact
        from spkt.reports.selectors import daily_report

        t0 = time.perf_counter()
        unit, day = build(args.days)
        print(
            f"daily report: built {args.days} days in {time.perf_counter() - t0:.1f} s "
            f"({Contact.objects.count()} contacts)"
        )
        start, end = duty_day_bounds(day, unit.shift_start_hour)
        base, draft = [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            Contact.objects.filter(unit=unit, received_at__gte=start, received_at__lt=end).count()
            base.append(time.perf_counter() - t)
            t = time.perf_counter()
            snap = daily_report(unit=unit, day=day).snapshot()
            draft.append(time.perf_counter() - t)
        assert snap["contacts"]["total"] == 30, snap["contacts"]
        assert snap["handover"] is not None
        print(f"  baseline COUNT(*) of the day's contacts: {summary_ms(base)}")
        print(f"  daily_report(...).snapshot():            {summary_ms(draft)}")
        p95 = percentile(draft, 95)
        verdict = "met" if p95 <= TARGET_P95_S else "MISSED"
        print(f"  target p95 <= {TARGET_P95_S * 1000:.0f} ms: {verdict} ({p95 * 1000:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
