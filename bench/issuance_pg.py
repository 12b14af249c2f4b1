"""SKTLK issuance throughput on PostgreSQL with concurrent clients at one busy desk, against a bare
locked-counter insert measured in the same run on the same database.

Run: .venv/bin/python bench/issuance_pg.py [--threads 16] [--seconds 8]

Creates (and at the end drops) the database ``spkt_bench``. All clients issue at the same unit, so
they queue on the same number counter and ledger head, which is the worst case a desk can meet.
The PDF render is only enqueued (SqliteHuey in a temp dir, immediate off), as in production.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from _common import (
    Phase,
    boot_django,
    citizen,
    in_bench_database,
    percentile,
    run_clients,
    seed_demo,
    summary_ms,
)

TARGET_RATIO = 0.7
BASELINE_TYPE = "BENCH"  # its own counter row, so the SKTLK numbers stay 1..N for the check
PAYLOAD = "x" * 200


def bare_worker_factory(counter_pk: int) -> Callable[[], Callable[[], None]]:
    from django.db import connection, transaction

    from spkt.core.models import DocumentCounter

    table = connection.ops.quote_name(DocumentCounter._meta.db_table)
    # Table name comes from model metadata, never from input.
    select = f"SELECT last_number FROM {table} WHERE id = %s FOR UPDATE"  # noqa: S608
    update = f"UPDATE {table} SET last_number = %s WHERE id = %s"  # noqa: S608

    def make() -> Callable[[], None]:
        def work() -> None:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(select, [counter_pk])
                n = cur.fetchone()[0] + 1
                cur.execute(update, [n, counter_pk])
                cur.execute("INSERT INTO bench_doc (n, payload) VALUES (%s, %s)", [n, PAYLOAD])

        return work

    return make


def issue_worker_factory(unit_pk: int, actor_pk: int) -> Callable[[], Callable[[], None]]:
    from spkt.core.timeutil import today
    from spkt.documents.services import LostItem, sktlk_issue
    from spkt.org.models import Unit, User

    citizens = itertools.count(1)  # next() is atomic under the GIL: every issue a new citizen
    # The desk ticks "Persyaratan diperiksa" per item; the service refuses unchecked items.
    items = [
        LostItem(kind="KTP", papers_checked=True),
        LostItem(kind="ATM", details="BRI", papers_checked=True),
    ]
    lost_on = today() - timedelta(days=1)

    def make() -> Callable[[], None]:
        unit = Unit.objects.get(pk=unit_pk)
        actor = User.objects.get(pk=actor_pk)

        def work() -> None:
            sktlk_issue(
                actor=actor,
                unit=unit,
                citizen=citizen(next(citizens)),
                items=items,
                lost_on=lost_on,
                lost_place="Pasar Sentral, Biawu",
                idempotency_key=uuid.uuid4().hex,
            )

        return work

    return make


def time_enqueue() -> list[float]:
    """Wrap the on-commit enqueue to see what the huey queue adds to each issue's latency.
    The lambda in _sktlk_issue looks the name up at call time, so patching the module works."""
    from spkt.documents import services

    original = services._enqueue_render
    samples: list[float] = []

    def enqueue(document_id: int) -> None:
        start = time.perf_counter()
        original(document_id)
        samples.append(time.perf_counter() - start)

    services._enqueue_render = enqueue
    return samples


def report(phase: Phase, cores: float) -> None:
    busy = phase.cpu / phase.elapsed if phase.elapsed else 0.0
    print(
        f"{phase.name:10s}: {phase.done:5d} in {phase.elapsed:5.2f} s = {phase.rate:7.1f} docs/s; "
        f"client CPU {busy:.2f} of {cores:.0f} cores, machine {phase.machine_busy:.0%} busy"
    )
    if phase.latencies:
        print(f"{'':10s}  latency {summary_ms(phase.latencies)}")


def check_gap_free(unit: Any, year: int) -> tuple[bool, str]:
    from django.db import connection

    from spkt.core.models import DocumentCounter
    from spkt.documents.models import Document

    seqs = list(
        Document.objects.filter(unit=unit, doc_type="SKTLK", year=year)
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    numbers = Document.objects.filter(unit=unit, year=year).values("number").distinct().count()
    last = DocumentCounter.objects.get(unit=unit, doc_type="SKTLK", year=year).last_number
    ok = seqs == list(range(1, len(seqs) + 1)) and last == len(seqs) and numbers == len(seqs)
    with connection.cursor() as cur:
        cur.execute("SELECT n FROM bench_doc ORDER BY n")
        bare = [row[0] for row in cur.fetchall()]
    bare_ok = bare == list(range(1, len(bare) + 1))
    text = (
        f"SKTLK numbers 1..{len(seqs)} gap-free: {'yes' if ok else 'NO'} "
        f"(counter {last}, distinct numbers {numbers}); "
        f"baseline 1..{len(bare)} gap-free: {'yes' if bare_ok else 'NO'}"
    )
    return ok and bare_ok, text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--db", default="spkt_bench")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for inspection")
    args = parser.parse_args()

    return in_bench_database(args, "spkt-bench-issue-", run)


def run(args: argparse.Namespace, database_url: str, tmp: Path) -> int:
    boot_django(var_dir=tmp, database_url=database_url)
    from django.db import connection
    from huey.contrib.djhuey import HUEY

    from spkt.core import clock, ledger
    from spkt.core.models import DocumentCounter
    from spkt.core.timeutil import local

    print(f"== SKTLK issuance on PostgreSQL, {args.threads} clients, one unit ==")
    print(f"{os.cpu_count()} cores; baseline = SELECT ... FOR UPDATE counter + UPDATE + INSERT")
    assert connection.vendor == "postgresql"
    assert not HUEY.immediate, "renders must be enqueued, not run inside the issue"
    start = time.perf_counter()
    units, users = seed_demo()
    unit, actor = units["kota-selatan"], users["jaga"]
    year = local(clock.now()).year
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_doc (id serial PRIMARY KEY, n int NOT NULL, payload text)")
    counter = DocumentCounter.objects.create(
        unit=unit, doc_type=BASELINE_TYPE, year=year, last_number=0
    )
    print(f"migrated and seeded {args.db} in {time.perf_counter() - start:.1f} s")

    bare = bare_worker_factory(counter.pk)
    issue = issue_worker_factory(unit.pk, actor.pk)
    # One untimed round per kind creates the shift, counter and ledger head and warms imports.
    for make in (bare, issue):
        work = make()
        for _ in range(10):
            work()
    enqueue_times = time_enqueue()

    cores = float(os.cpu_count() or 1)
    baseline = run_clients("baseline", bare, threads=args.threads, seconds=args.seconds)
    report(baseline, cores)
    real = run_clients("sktlk", issue, threads=args.threads, seconds=args.seconds)
    report(real, cores)
    if enqueue_times:
        print(f"{'':10s}  of which on-commit enqueue (SqliteHuey): {summary_ms(enqueue_times)}")
    # Context, not part of the ratio: one client shows the cost of a single issue without queueing,
    # so the reader can tell per-issue cost from contention.
    single = run_clients("sktlk x1", issue, threads=1, seconds=args.seconds / 2)
    report(single, cores)
    for phase in (baseline, real, single):
        for error in phase.errors:
            print(f"ERROR in {phase.name}: {error}")

    ratio = real.rate / baseline.rate if baseline.rate else 0.0
    print(f"ratio sktlk/baseline: {ratio:.3f}")
    verdict = "PASS" if ratio >= TARGET_RATIO else "MISS"
    print(f"target ratio >= {TARGET_RATIO}: {verdict}")
    print(
        f"p50/p95 per issuance: {percentile(real.latencies, 50) * 1000:.1f} / "
        f"{percentile(real.latencies, 95) * 1000:.1f} ms"
    )

    gap_ok, text = check_gap_free(unit, year)
    print(text)
    print(f"render tasks waiting in the queue: {HUEY.pending_count()}")
    result = ledger.verify()
    print(
        f"ledger.verify(): {'OK' if result.ok else 'BROKEN: ' + str(result.first_break)} "
        f"({result.chains} chains, {result.entries} entries, {result.records} records)"
    )
    connection.close()
    failed = baseline.errors or real.errors or single.errors
    return 0 if gap_ok and result.ok and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
