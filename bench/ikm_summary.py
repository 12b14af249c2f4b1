"""The IKM summary of a month on a Polres with years of survey answers.

Run: .venv/bin/python bench/ikm_summary.py [--per-day 40] [--days 365] [--runs 20]
     [--database-url URL]

Builds, in a throwaway SQLite database (or the PostgreSQL URL given), the demo unit tree and
``--days`` days of answers (``--per-day`` a day, spread over the Polsek of the Polresta, with a
profile and some comments), bulk-inserted. Then times ``ikm_summary`` for one month in the middle,
rolled up over every unit of the Polresta (what /laporan/ikm/ and /api/ikm/ compute), ``--runs``
times. Baseline, in the same run: a bare ``COUNT(*)`` of those units' answers in that month.
Target: p95 ≤ 500 ms.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from _common import boot_django, percentile, seed_demo, summary_ms

TARGET_P95_S = 0.5


def build(days: int, per_day: int):
    from django.db import transaction

    from spkt.core import clock
    from spkt.reports.ikm.models import SurveyInvitation, SurveyResponse

    units, _ = seed_demo()
    polres = next(u for u in units.values() if u.kind == "polres")
    stations = [u for u in units.values() if u.path.startswith(polres.path)]
    now = clock.now()
    first = now - timedelta(days=days)
    with transaction.atomic():
        for day in range(days):
            at = first + timedelta(days=day)
            invitations = SurveyInvitation.objects.bulk_create(
                [
                    SurveyInvitation(
                        unit=stations[i % len(stations)],
                        service=("sktlk", "sttlp", "contact", "kiosk")[i % 4],
                        nonce=f"n{day}-{i}",
                        created_at=at,
                        expires_at=at + timedelta(days=30),
                        used_at=at,
                    )
                    for i in range(per_day)
                ]
            )
            SurveyResponse.objects.bulk_create(
                [
                    SurveyResponse(
                        invitation=inv,
                        unit=inv.unit,
                        service=inv.service,
                        **{f"u{k}": 1 + (i + k) % 4 for k in range(1, 10)},
                        gender=("L", "P", "")[i % 3],
                        age_band=("<20", "20-29", "30-39", "40-49", "50+")[i % 5],
                        education=("sma", "s1", "")[i % 3],
                        occupation=("swasta", "wirausaha", "lainnya")[i % 3],
                        comment="Pelayanan cepat." if i % 7 == 0 else "",
                        submitted_at=at + timedelta(minutes=i * 13),
                    )
                    for i, inv in enumerate(invitations)
                ]
            )
    middle = (first + timedelta(days=days // 2)).date().replace(day=1)
    return polres, [u.pk for u in stations], middle


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=40)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default=None, help="default: a throwaway SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="spkt-bench-ikm-") as tmp:
        boot_django(var_dir=Path(tmp), database_url=args.database_url)
        from spkt.reports.ikm.models import SurveyResponse
        from spkt.reports.ikm.period import month_period
        from spkt.reports.ikm.selectors import ikm_summary

        t0 = time.perf_counter()
        polres, unit_ids, month = build(args.days, args.per_day)
        print(
            f"ikm summary: built {args.days} days in {time.perf_counter() - t0:.1f} s "
            f"({SurveyResponse.objects.count()} answers, {len(unit_ids)} units under "
            f"{polres.name})"
        )
        period = month_period(month)
        base, timed = [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            expected = SurveyResponse.objects.filter(
                unit_id__in=unit_ids, submitted_at__gte=period.start, submitted_at__lt=period.end
            ).count()
            base.append(time.perf_counter() - t)
            t = time.perf_counter()
            summary = ikm_summary(unit_ids=unit_ids, start=period.start, end=period.end)
            timed.append(time.perf_counter() - t)
        assert summary.responses == expected > 0, (summary.responses, expected)
        assert summary.ikm is not None
        print(f"  month {period.month}: {summary.responses} answers, IKM {summary.ikm}")
        print(f"  baseline COUNT(*) of the month's answers: {summary_ms(base)}")
        print(f"  ikm_summary(...):                         {summary_ms(timed)}")
        p95 = percentile(timed, 95)
        verdict = "met" if p95 <= TARGET_P95_S else "MISSED"
        print(f"  target p95 <= {TARGET_P95_S * 1000:.0f} ms: {verdict} ({p95 * 1000:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
