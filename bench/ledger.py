"""Ledger append throughput on PostgreSQL against a bare jsonb insert, and ``verify`` over a
million entries against its 60 s target.

Run: .venv/bin/python bench/ledger.py [--threads 16] [--seconds 6] [--units 1000]
                                     [--entries 1000000] [--no-records] [--quick] [--keep-db]

Creates (and at the end drops) the database ``spkt_bench_ledger``.

Part 1 times ``ledger_append`` with 16 client threads, first all on one unit (they queue on its
LedgerHead row) and then spread at random over 1,000 Polsek units, against a bare one-row INSERT
per transaction into a plain table with a jsonb payload.

Part 2 bulk-loads valid chains (hashes computed with ``spkt.core.ledger.entry_hash``, rows sent
with COPY, interleaved across units as live appends would be) continuing the chains of part 1.
The entries are Buku Mutasi entries and each gets its ``dutylog_mutasi`` row, as in real use, so
``verify`` also checks that every entry has its record and every record its entry (ADR 0032);
``--no-records`` loads ledger-only entries instead (the chain walk alone). It times ``verify()``
in this process and ``manage.py verify_ledger`` in a fresh one. Last it changes one entry's
payload past the append-only trigger, then deletes one record, and checks that ``verify()`` names
each.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from _common import (
    ROOT,
    Phase,
    boot_django,
    in_bench_database,
    percentile,
    run_clients,
)

TARGET_VERIFY_S = 60.0
KIND = "bench"
BULK_KIND = "bench.bulk"  # ledger only (--no-records)
RECORD_KIND = "dutylog.mutasi"  # with a dutylog_mutasi row each
COPY_BATCH = 20_000  # rows per COPY write: a few MB, so memory stays flat whatever --entries is
ENTRY_COLUMNS = "unit_id, seq, kind, recorded_at, payload, prev_hash, hash"


def small_payload(i: int, unit_id: int) -> dict:
    """A few keys, like a Mutasi or document payload; already normalised (only str and int)."""
    return {"n": i, "ref": f"BENCH/{unit_id}/{i}", "by": "bench", "items": ["KTP", "ATM"]}


# --- Part 1: appends ------------------------------------------------------------------------------
def create_units(count: int) -> tuple[int, int, list[int]]:
    """One Polres with a hot Polsek (part 1b) and ``count`` more Polsek (part 1c), all through
    ``unit_create`` like the admin does. Returns (polres, hot unit, spread units) ids."""
    from spkt.org.models import UnitKind
    from spkt.org.services import unit_create

    def polsek(parent: object, code: str) -> int:
        return unit_create(
            parent=parent,
            code=code,
            name=f"Polsek {code}",
            kind=UnitKind.POLSEK,
            number_name=f"POLSEK {code.upper()}",
            letterhead_name=f"SEKTOR {code.upper()}",
            city="Gorontalo",
        ).pk

    polda = unit_create(
        code="bench-polda",
        name="Polda Bench",
        kind=UnitKind.POLDA,
        number_name="POLDA BENCH",
        letterhead_name="DAERAH BENCH",
    )
    polres = unit_create(
        parent=polda,
        code="bench-polres",
        name="Polres Bench",
        kind=UnitKind.POLRES,
        number_name="POLRES BENCH",
        letterhead_name="RESOR BENCH",
    )
    hot = polsek(polres, "bench-hot")
    spread = [polsek(polres, f"bench-{i:04d}") for i in range(count)]
    return polres.pk, hot, spread


def bare_worker_factory(unit_pk: int) -> Callable[[], Callable[[], None]]:
    """Baseline: the same row shape and payload as a ledger entry, no lock, no hash, no index but
    the primary key, one INSERT per transaction."""
    from django.db import connection, transaction

    from spkt.core import clock
    from spkt.core.canonical import canonical_json

    numbers = itertools.count(1)  # next() is atomic under the GIL

    def make() -> Callable[[], None]:
        def work() -> None:
            i = next(numbers)
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(
                    "INSERT INTO bench_append (unit_id, kind, recorded_at, payload)"
                    " VALUES (%s, %s, %s, %s::jsonb)",
                    [unit_pk, KIND, clock.now(), canonical_json(small_payload(i, unit_pk))],
                )

        return work

    return make


def append_worker_factory(unit_pks: list[int]) -> Callable[[], Callable[[], None]]:
    """``ledger_append`` on one unit picked at random from ``unit_pks`` (always the same if one)."""
    from spkt.core.ledger import ledger_append
    from spkt.org.models import Unit

    numbers = itertools.count(1)

    def make() -> Callable[[], None]:
        units = list(Unit.objects.filter(pk__in=unit_pks))  # this thread's own instances
        rng = random.Random()

        def work() -> None:
            unit = units[0] if len(units) == 1 else rng.choice(units)
            i = next(numbers)
            ledger_append(unit=unit, kind=KIND, payload=small_payload(i, unit.pk))

        return work

    return make


def report(phase: Phase, baseline: Phase | None) -> None:
    p50 = percentile(phase.latencies, 50) * 1000 if phase.latencies else 0.0
    p95 = percentile(phase.latencies, 95) * 1000 if phase.latencies else 0.0
    line = (
        f"{phase.name:20s}: {phase.done:6d} in {phase.elapsed:5.2f} s = {phase.rate:7.1f} "
        f"appends/s  p50 {p50:6.2f}  p95 {p95:6.2f} ms"
    )
    if phase.done:
        line += (
            f"\n{'':20s}  client CPU {phase.cpu / phase.done * 1e6:5.0f} us per append, "
            f"machine {phase.machine_busy:.0%} busy"
        )
    if baseline is not None and baseline.rate and baseline.latencies:
        b50 = percentile(baseline.latencies, 50) * 1000
        line += f"\n{'':20s}  {phase.rate / baseline.rate:.2f}x baseline rate, {p50 / b50:.2f}x p50"
    print(line)
    for error in phase.errors:
        print(f"ERROR in {phase.name}: {error}")


def part_appends(args: argparse.Namespace) -> tuple[list[int], bool]:
    from django.db import connection

    from spkt.core import ledger

    print(f"\n-- 1. appends per second, {args.threads} threads, {args.seconds:g} s each --")
    start = time.perf_counter()
    _, hot, spread = create_units(args.units)
    took = time.perf_counter() - start
    print(f"created 1 Polda, 1 Polres, {1 + len(spread)} Polsek with unit_create in {took:.1f} s")
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE bench_append (id bigserial PRIMARY KEY, unit_id bigint NOT NULL,"
            " kind varchar(60) NOT NULL, recorded_at timestamptz NOT NULL, payload jsonb NOT NULL)"
        )

    bare = bare_worker_factory(hot)
    one = append_worker_factory([hot])
    many = append_worker_factory(spread)
    for make in (bare, one):  # warm imports and the hot unit's head, untimed
        work = make()
        for _ in range(10):
            work()
    # Each unit's first append also creates its LedgerHead; that happens once in a unit's life,
    # so do it here, untimed for the phase but printed, and let part 1c measure the steady state.
    from spkt.org.models import Unit

    start = time.perf_counter()
    for unit in Unit.objects.filter(pk__in=spread).order_by("pk"):
        ledger.ledger_append(unit=unit, kind=KIND, payload=small_payload(0, unit.pk))
    took = time.perf_counter() - start
    print(
        f"first append of each of {len(spread)} units (creates its head), one thread: "
        f"{took:.1f} s = {len(spread) / took:.0f}/s"
    )
    connection.close()

    phases = []
    baseline = run_clients("a. baseline INSERT", bare, threads=args.threads, seconds=args.seconds)
    report(baseline, None)
    phases.append(baseline)
    for name, make in (("b. append 1 unit", one), (f"c. append {len(spread)} units", many)):
        phase = run_clients(name, make, threads=args.threads, seconds=args.seconds)
        report(phase, baseline)
        phases.append(phase)
    # Context, not part of the ratios: one client shows the cost of one append without queueing.
    single = run_clients("d. append x1", many, threads=1, seconds=args.seconds / 2)
    report(single, None)
    phases.append(single)

    start = time.perf_counter()
    result = ledger.verify()
    print(
        f"verify(): {'OK' if result.ok else 'BROKEN: ' + str(result.first_break)} "
        f"({result.chains} chains, {result.entries} entries) in {time.perf_counter() - start:.2f} s"
    )
    connection.close()
    ok = result.ok and not any(p.errors for p in phases)
    return spread, ok


# --- Part 2: verify over a million entries ------------------------------------------------------
def copy_text(value: str) -> str:
    """Escape a value for COPY's text format (backslash, tab, newline, carriage return)."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def mutasi_like_payload(i: int, unit_id: int, shift_id: int, at: datetime) -> dict:
    """What ``dutylog.services.mutasi_payload`` gives for the row part 2 inserts, normalised."""
    return {
        "type": "mutasi",
        "unit": unit_id,
        "shift": shift_id,
        "at": at.isoformat(timespec="microseconds"),
        "category": "lain_lain",
        "text": f"BENCH {unit_id}/{i}: patroli rutin, situasi aman.",
        "red": False,
        "author": None,
        "corrects": None,
    }


def chain_rows(
    heads: dict[int, tuple[int, str]],
    entries: int,
    start: datetime,
    shifts: dict[int, int] | None,
) -> Iterator[str]:
    """Yield the COPY line of each of ``entries`` new entries continuing ``heads``, one unit
    after the other in turn (as live appends interleave), updating ``heads`` as it goes. With
    ``shifts`` (unit -> open shift) they are Buku Mutasi entries, else ledger-only ones."""
    from spkt.core.canonical import canonical_json, normalise
    from spkt.core.ledger import entry_hash

    units = sorted(heads)
    step = timedelta(microseconds=250)
    kind = BULK_KIND if shifts is None else RECORD_KIND
    for i in range(entries):
        unit_id = units[i % len(units)]
        prev_seq, prev_hash = heads[unit_id]
        seq = prev_seq + 1
        at = start + step * i  # aware UTC, like clock.now().astimezone(UTC) in ledger_append
        if shifts is None:
            payload = small_payload(i, unit_id)
        else:
            payload = mutasi_like_payload(i, unit_id, shifts[unit_id], at)
        if i == 0:
            assert normalise(payload) == payload, "bulk payload must already be normalised"
        digest = entry_hash(
            prev_hash=prev_hash, unit_id=unit_id, seq=seq, kind=kind, at=at, payload=payload
        )
        heads[unit_id] = (seq, digest)
        line = (
            f"{unit_id}\t{seq}\t{kind}\t{at.isoformat(timespec='microseconds')}\t"
            f"{copy_text(canonical_json(payload))}\t{prev_hash}\t{digest}\n"
        )
        yield line


def open_shifts(unit_ids: list[int], start: datetime) -> dict[int, int]:
    """One open shift per unit, for the bulk Buku Mutasi entries to belong to."""
    from spkt.dutylog.models import Shift, ShiftStatus

    Shift.objects.bulk_create(
        Shift(
            unit_id=unit_id,
            starts_at=start,
            ends_at=start + timedelta(days=1),
            status=ShiftStatus.OPEN,
            opened_at=start,
        )
        for unit_id in unit_ids
    )
    return dict(Shift.objects.filter(unit_id__in=unit_ids).values_list("unit_id", "pk"))


# Each bulk entry's dutylog_mutasi row, read back from its payload (so they agree by construction).
INSERT_RECORDS = """
INSERT INTO dutylog_mutasi (unit_id, shift_id, at, category, text, red, ledger_entry_id)
SELECT e.unit_id, (e.payload->>'shift')::bigint, (e.payload->>'at')::timestamptz,
       e.payload->>'category', e.payload->>'text', false, e.id
FROM core_ledgerentry e WHERE e.kind = 'dutylog.mutasi'
"""


def bulk_load(
    database_url: str, unit_ids: list[int], entries: int, *, records: bool
) -> tuple[int, int]:
    """COPY ``entries`` valid entries continuing the chains of ``unit_ids`` and move their heads,
    in one transaction; with ``records``, insert each entry's Buku Mutasi row too. Returns
    (unit, seq) of an entry in the middle of the middle unit's new entries, to tamper with later."""
    from spkt.core.ledger import GENESIS

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT unit_id, seq, hash FROM core_ledgerhead WHERE unit_id = ANY(%s)", [unit_ids]
        ).fetchall()
        heads = dict.fromkeys(unit_ids, (0, GENESIS))
        heads.update({unit_id: (seq, digest) for unit_id, seq, digest in rows})
        middle_unit = sorted(heads)[len(heads) // 2]
        first_seq = heads[middle_unit][0] + 1
        start = datetime.now(UTC)
        shifts = open_shifts(unit_ids, start) if records else None
        gen_cpu = 0.0
        started = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY core_ledgerentry ({ENTRY_COLUMNS}) FROM STDIN") as copy,
        ):
            batch: list[str] = []
            cpu = time.process_time()
            for line in chain_rows(heads, entries, start, shifts):
                batch.append(line)
                if len(batch) == COPY_BATCH:
                    gen_cpu += time.process_time() - cpu
                    copy.write("".join(batch))
                    batch.clear()
                    cpu = time.process_time()
            gen_cpu += time.process_time() - cpu
            if batch:
                copy.write("".join(batch))
        ids, seqs, digests = zip(*((u, q, h) for u, (q, h) in heads.items()), strict=True)
        moved = conn.execute(
            "UPDATE core_ledgerhead h SET seq = v.seq, hash = v.hash"
            " FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) AS v(unit_id, seq, hash)"
            " WHERE h.unit_id = v.unit_id",
            [list(ids), list(seqs), list(digests)],
        ).rowcount
        assert moved == len(heads), f"moved {moved} heads of {len(heads)}"
        assert RECORD_KIND in INSERT_RECORDS
        inserted = conn.execute(INSERT_RECORDS).rowcount if records else 0
        conn.commit()
        took = time.perf_counter() - started
    print(
        f"generated and COPYed {entries:,} entries over {len(unit_ids)} chains in {took:.1f} s "
        f"= {entries / took:,.0f}/s (hashing and formatting: {gen_cpu:.1f} s CPU "
        f"= {entries / max(gen_cpu, 1e-9):,.0f}/s)"
        + (f"; {inserted:,} Buku Mutasi rows inserted from them" if records else "")
    )
    with psycopg.connect(database_url, autocommit=True) as conn:
        started = time.perf_counter()
        # A live table is vacuumed and analysed by autovacuum; a fresh bulk load is not yet, and
        # its first reader would pay for setting hint bits on every page.
        conn.execute("VACUUM (ANALYZE) core_ledgerentry")
        conn.execute("VACUUM (ANALYZE) dutylog_mutasi")
        conn.execute("ANALYZE core_ledgerhead")
        size = conn.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('core_ledgerentry'))"
        ).fetchone()[0]
    print(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s; core_ledgerentry is {size}")
    return middle_unit, (first_seq + heads[middle_unit][0]) // 2


def raw_scan(database_url: str) -> tuple[int, float]:
    """Floor for verify: read the same columns in the same order through a psycopg server-side
    cursor (jsonb decoded to dicts), no ORM, no hashing."""
    started = time.perf_counter()
    n = 0
    with psycopg.connect(database_url) as conn, conn.cursor(name="bench_scan") as cur:
        cur.itersize = 5000
        cur.execute(
            "SELECT id, unit_id, seq, kind, recorded_at, payload, prev_hash, hash"
            " FROM core_ledgerentry ORDER BY unit_id, seq"
        )
        for _ in cur:
            n += 1
    return n, time.perf_counter() - started


# ``manage.py verify_ledger`` with this benchmark's ledger-only kinds declared first.
VERIFY_LEDGER = (
    "import sys, django; django.setup(); "
    "from spkt.core.ledger import register_ledger_only; "
    f"register_ledger_only({KIND!r}, {BULK_KIND!r}); "
    "from django.core.management import call_command; "
    "call_command('verify_ledger', *sys.argv[1:])"
)


def verify_command(*extra: str) -> tuple[int, str, float]:
    """``manage.py verify_ledger`` in a fresh process with this run's DATABASE_URL and settings."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", VERIFY_LEDGER, *extra],
        cwd=ROOT,
        env=os.environ.copy(),  # boot_django set DATABASE_URL, SPKT_ENV, SPKT_VAR_DIR
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - started
    return proc.returncode, (proc.stdout + proc.stderr).strip(), took


def verdict(seconds: float) -> str:
    return "PASS" if seconds <= TARGET_VERIFY_S else "MISS"


def part_verify(args: argparse.Namespace, database_url: str, unit_ids: list[int]) -> bool:
    from django.db import connection

    from spkt.core import ledger

    what = "Buku Mutasi entries with their rows" if args.records else "ledger-only entries"
    print(f"\n-- 2. verify over {args.entries:,} bulk-loaded {what} (target <= 60 s) --")
    unit_id, seq = bulk_load(database_url, unit_ids, args.entries, records=args.records)

    rows, took = raw_scan(database_url)
    print(
        f"baseline raw scan : {rows:,} rows in {took:6.1f} s = {rows / took:9,.0f} rows/s "
        "(psycopg server-side cursor, same query, no ORM, no hashing)"
    )

    started, cpu = time.perf_counter(), time.process_time()
    result = ledger.verify()
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    connection.close()
    print(
        f"verify()          : {result.entries:,} entries, {result.records:,} records in "
        f"{took:6.1f} s = {result.entries / took:9,.0f} entries/s, {result.chains} chains: "
        f"{'OK' if result.ok else 'BROKEN: ' + str(result.first_break)}"
        f"\n{'':20s}client CPU {cpu:.1f} s (the rest is the database and waiting for a core)"
    )
    print(f"{'':20s}{took:.1f} s vs target {TARGET_VERIFY_S:.0f} s: {verdict(took)}")
    ok = result.ok

    code, output, took = verify_command()
    print(f"manage.py verify_ledger (fresh process): exit {code} in {took:.1f} s wall: {output}")
    print(f"{'':20s}{took:.1f} s vs target {TARGET_VERIFY_S:.0f} s: {verdict(took)}")
    ok = ok and code == 0

    print(f"\n-- tamper: change the payload of unit {unit_id} seq {seq} --")
    change = "UPDATE core_ledgerentry SET payload = payload || '{\"n\": -1}' WHERE id = %s"
    with psycopg.connect(database_url, autocommit=True) as conn:
        (entry_id,) = conn.execute(
            "SELECT id FROM core_ledgerentry WHERE unit_id = %s AND seq = %s", [unit_id, seq]
        ).fetchone()
        try:
            conn.execute(change, [entry_id])
            print("UPDATE without bypass: NOT refused (no append-only trigger?)")
            ok = False
        except psycopg.Error as exc:
            print(f"UPDATE without bypass refused: {str(exc).splitlines()[0]}")
        # Superuser only: triggers of the default ("origin") kind do not fire for a replica.
        conn.execute("SET session_replication_role = replica")
        changed = conn.execute(change, [entry_id]).rowcount
        print(f"UPDATE with session_replication_role = replica: {changed} row changed")

    started = time.perf_counter()
    result = ledger.verify()
    took = time.perf_counter() - started
    connection.close()
    found = result.first_break
    detected = found is not None and (found.unit_id, found.seq) == (unit_id, seq)
    print(
        f"verify() after {result.entries:,} entries, {took:.1f} s: "
        f"{'BROKEN: ' + str(found) if found else 'OK'}"
    )
    print(f"names the changed entry (unit {unit_id}, seq {seq}): {'yes' if detected else 'NO'}")
    code, output, took = verify_command("--unit", str(unit_id))
    print(f"manage.py verify_ledger --unit {unit_id}: exit {code} in {took:.1f} s: {output}")
    ok = ok and detected and code == 1
    if args.records:
        ok = tamper_record(database_url, unit_id, seq) and ok
    return ok


def tamper_record(database_url: str, unit_id: int, changed_seq: int) -> bool:
    """Put the changed payload back, delete one Buku Mutasi row past its trigger, and check that
    verify names the entry whose record is gone."""
    from django.db import connection

    from spkt.core import ledger

    seq = changed_seq + 1
    print(f"\n-- tamper: delete the Buku Mutasi row of unit {unit_id} seq {seq} --")
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(
            "UPDATE core_ledgerentry SET payload = payload - 'n' WHERE unit_id = %s AND seq = %s",
            [unit_id, changed_seq],
        )
        (entry_id,) = conn.execute(
            "SELECT id FROM core_ledgerentry WHERE unit_id = %s AND seq = %s", [unit_id, seq]
        ).fetchone()
        deleted = conn.execute(
            "DELETE FROM dutylog_mutasi WHERE ledger_entry_id = %s", [entry_id]
        ).rowcount
        print(f"DELETE with session_replication_role = replica: {deleted} row deleted")
    started = time.perf_counter()
    result = ledger.verify()
    took = time.perf_counter() - started
    connection.close()
    found = result.first_break
    detected = found is not None and (found.unit_id, found.seq, found.entry_id) == (
        unit_id,
        seq,
        entry_id,
    )
    print(f"verify() in {took:.1f} s: {'BROKEN: ' + str(found) if found else 'OK'}")
    print(
        f"names the entry whose record is gone (unit {unit_id}, seq {seq}): "
        f"{'yes' if detected else 'NO'}"
    )
    return detected


# --- Main -----------------------------------------------------------------------------------------
def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--units", type=int, default=1000, help="units for part 1c and part 2")
    parser.add_argument("--entries", type=int, default=1_000_000, help="bulk entries for part 2")
    parser.add_argument(
        "--no-records",
        dest="records",
        action="store_false",
        help="bulk-load ledger-only entries (no Buku Mutasi rows): the chain walk alone",
    )
    parser.add_argument("--quick", action="store_true", help="2 s phases, 100 units, 20k entries")
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--db", default="spkt_bench_ledger")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for inspection")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.units, args.entries = 2.0, 100, 20_000

    started = time.perf_counter()
    try:
        return in_bench_database(args, "spkt-bench-ledger-", run)
    finally:
        print(f"total {time.perf_counter() - started:.0f} s, peak RSS {peak_rss_mb():.0f} MB")


def run(args: argparse.Namespace, database_url: str, tmp: Path) -> int:
    boot_django(var_dir=tmp, database_url=database_url)
    from django.core.management import call_command
    from django.db import connection

    from spkt.core.ledger import register_ledger_only

    register_ledger_only(KIND, BULK_KIND)  # this benchmark's entries that have no record

    print("== Ledger on PostgreSQL: appends/s and verify over a million entries ==")
    print(f"{os.cpu_count()} cores; database {args.db}")
    assert connection.vendor == "postgresql"
    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    connection.close()
    print(f"migrated in {time.perf_counter() - start:.1f} s")

    unit_ids, appends_ok = part_appends(args)
    verify_ok = part_verify(args, database_url, unit_ids)
    return 0 if appends_ok and verify_ok else 1


if __name__ == "__main__":
    sys.exit(main())
