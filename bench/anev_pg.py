"""The monthly Anev of a Polda with 100 Polsek and 10,000,000 contacts on PostgreSQL, read from the
daily aggregates (anev.DailyStat) against the same figures computed by GROUP BY over the raw
contacts table (the baseline), in the same run on the same database.

Run: .venv/bin/python bench/anev_pg.py [--contacts 10000000] [--polsek 100] [--runs 5]

Creates (and at the end drops) the database ``spkt_bench_anev``. The contacts are generated in one
INSERT ... SELECT over generate_series, spread over the last full calendar month (every duty day
closed) with a few thousand more today, so the current month's Anev also shows the live part.
Target: the monthly Anev with aggregates at p95 <= 5 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from _common import boot_django, in_bench_database, percentile, seed_demo

TARGET_S = 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000_000)
    parser.add_argument("--polsek", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-runs", type=int, default=1)
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--db", default="spkt_bench_anev")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for inspection")
    args = parser.parse_args()
    return in_bench_database(args, "spkt-bench-anev-", run)


def _units(polsek: int):
    """One Polda, ten Polres, ``polsek`` Polsek spread over them."""
    from spkt.org.models import Unit, UnitKind
    from spkt.org.services import unit_create

    polda = Unit.objects.get(code="polda-gorontalo")
    polres = [
        unit_create(
            parent=polda,
            code=f"bench-polres-{r}",
            name=f"Polres Bench {r}",
            kind=UnitKind.POLRES,
            number_name=f"POLRES BENCH {r}",
            letterhead_name=f"RESOR BENCH {r}",
        )
        for r in range(10)
    ]
    return polda, [
        unit_create(
            parent=polres[i % 10],
            code=f"bench-polsek-{i}",
            name=f"Polsek Bench {i}",
            kind=UnitKind.POLSEK,
            number_name=f"POLSEK BENCH {i}",
            letterhead_name=f"SEKTOR BENCH {i}",
        )
        for i in range(polsek)
    ]


def _insert_contacts(unit_ids: list[int], start, seconds: int, count: int, prefix: str) -> float:
    """One INSERT ... SELECT: units in turn, times spread over ``seconds`` from ``start``; 94%
    answered within 5 minutes, 4% late, 2% never answered."""
    from django.db import connection

    from spkt.intake.models import Contact

    exprs = {
        "unit_id": "(%(units)s)[1 + (i %% %(n)s)]",
        "channel": "(ARRAY['walkin','phone','whatsapp','sms','email','web'])[1 + (i %% 6)]",
        "tracking_code": "%(prefix)s::text || i",
        "received_at": "%(start)s + make_interval(secs => (i * 7919) %% %(seconds)s)",
        "first_response_due_at": (
            "%(start)s + make_interval(secs => (i * 7919) %% %(seconds)s + 300)"
        ),
        "first_response_at": (
            "CASE WHEN i %% 50 = 0 THEN NULL "
            "WHEN i %% 25 = 1 THEN %(start)s + make_interval(secs => (i * 7919) %% %(seconds)s "
            "+ 420) "
            "ELSE %(start)s + make_interval(secs => (i * 7919) %% %(seconds)s + 60 + i %% 200) END"
        ),
        "status": "CASE WHEN i %% 50 = 0 THEN 'open' ELSE 'answered' END",
        "updated_at": "now()",
    }
    columns, values, params = (
        [],
        [],
        {
            "units": unit_ids,
            "n": len(unit_ids),
            "prefix": prefix,
            "start": start,
            "seconds": seconds,
        },
    )
    for f in Contact._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.column in exprs:
            columns.append(f.column)
            values.append(exprs[f.column])
        elif not f.null:  # any other required column: its model default ("" for text)
            key = f"d_{f.column}"
            params[key] = f.get_default()
            columns.append(f.column)
            values.append(f"%({key})s")
    table = connection.ops.quote_name(Contact._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    # Column names come from model metadata, never from input.
    sql = (
        f"INSERT INTO {table} ({cols}) SELECT {', '.join(values)} "  # noqa: S608
        f"FROM generate_series(1::bigint, {int(count)}) AS i"
    )
    begun = time.perf_counter()
    with connection.cursor() as cur:
        # A bulk load: the secondary indexes are rebuilt once afterwards instead of row by row,
        # and the unit foreign key (every id comes from the units just made) is not re-checked.
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
            [Contact._meta.db_table],
        )
        indexes = cur.fetchall()
        for name, _definition in indexes:
            cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        cur.execute("SET session_replication_role = replica")
        cur.execute(sql, params)
        cur.execute("SET session_replication_role = DEFAULT")
        for _name, definition in indexes:
            cur.execute(definition)
        cur.execute(f"ANALYZE {table}")
    return time.perf_counter() - begun


def _timed(fn, runs: int) -> tuple[list[float], object]:
    samples, result = [], None
    for _ in range(runs):
        begun = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - begun)
    return samples, result


def _fmt(samples: list[float]) -> str:
    return (
        f"p50 {percentile(samples, 50):7.2f} s  p95 {percentile(samples, 95):7.2f} s  "
        f"(n={len(samples)})"
    )


def run(args: argparse.Namespace, database_url: str, tmp: Path) -> int:
    boot_django(var_dir=tmp, database_url=database_url)
    from spkt.core import clock
    from spkt.core.timeutil import duty_day_bounds, duty_day_of, local_datetime
    from spkt.org.models import Unit
    from spkt.reports.anev.anev import anev_report
    from spkt.reports.anev.metrics import aggregate_days, live_stats
    from spkt.reports.anev.periods import MONTH, period_of, previous, year_before

    seed_demo()
    polda, polsek = _units(args.polsek)
    now = clock.now()
    today = duty_day_of(now, 8)
    month = previous(period_of(MONTH, today))
    ids = [u.pk for u in polsek]
    start = local_datetime(month.first, polsek[0].shift_start_hour)
    seconds = month.days * 86400
    print(
        f"Anev benchmark: {len(polsek)} Polsek under {polda.name}, {args.contacts:,} contacts "
        f"in {month.label}"
    )
    took = _insert_contacts(ids, start, seconds, args.contacts, "B")
    print(f"  generated {args.contacts:,} contacts in {took:.1f} s")
    # Today's duty day so far: the live part of the current month's Anev.
    duty_today = duty_day_of(now, polsek[0].shift_start_hour)
    today_start = duty_day_bounds(duty_today, polsek[0].shift_start_hour)[0]
    live_count = min(5000, args.contacts)
    span = max(60, int((now - today_start).total_seconds()) - 600)
    _insert_contacts(ids, today_start, span, live_count, "L")

    units = list(Unit.objects.filter(path__startswith=polda.path))
    # Baseline: the same figures straight from the raw table (GROUP BY over every contact).
    base, base_stats = _timed(lambda: live_stats(units, month.first, month.last, now), 1)
    base_anev, _ = _timed(
        lambda: anev_report(unit=polda, kind=MONTH, day=month.first, now=now), args.baseline_runs
    )
    # The nightly job keeps the closed days; at deployment the history is aggregated once (here
    # from the month a year before, so every period the Anev compares with is stored).
    begun = time.perf_counter()
    aggregate_days(units=units, first=year_before(month).first, last=month.last, now=now)
    aggregate_s = time.perf_counter() - begun
    with_agg, report = _timed(
        lambda: anev_report(unit=polda, kind=MONTH, day=month.first, now=now), args.runs
    )
    current, _ = _timed(lambda: anev_report(unit=polda, kind=MONTH, day=today, now=now), args.runs)
    total = int(report.services[0].values[0])
    expected = sum(v for (_u, _d, m, _k), v in base_stats.items() if m == "contacts")
    print(f"  baseline GROUP BY over raw contacts, month figures: {_fmt(base)}")
    print(f"  baseline monthly Anev, no aggregates:               {_fmt(base_anev)}")
    print(f"  aggregating 13 months x {len(units)} units once: {aggregate_s:.1f} s")
    print(f"  monthly Anev from aggregates:                       {_fmt(with_agg)}")
    print(f"  current month (aggregates + today live):            {_fmt(current)}")
    speedup = percentile(base_anev, 50) / max(percentile(with_agg, 50), 1e-9)
    print(f"  speed-up at p50: {speedup:.0f}x; target p95 <= {TARGET_S:.0f} s: ", end="")
    print("met" if percentile(with_agg, 95) <= TARGET_S else "MISSED")
    if total != expected or total != args.contacts:
        print(f"FAILED: Anev counts {total:,} contacts, raw GROUP BY {expected:,}", file=sys.stderr)
        return 1
    print(f"  check: both count {total:,} contacts in {month.label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
