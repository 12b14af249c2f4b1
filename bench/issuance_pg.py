"""SKTLK issuance on PostgreSQL against its raw-SQL floor: one busy desk with 16 clients, and many
units with one and two worker processes.

Run: .venv/bin/python bench/issuance_pg.py [--clients 16] [--seconds 8] [--units 100]
     [--threads-per-worker 8] [--paced-rate 20] [--queue redis|sqlite] [--quick] [--keep-db]

Creates (and at the end drops) the database ``spkt_bench``. The PDF render is only enqueued (on
Redis, as in production; ``--queue sqlite`` for SqliteHuey in a temp dir), never run here.

The floor sends, through psycopg with no ORM, the statements one ``sktlk_issue`` sends, in the same
order, with rows of the same shape and size (copied from a real issue), under the same locks: the
ledger head ``FOR UPDATE``, the counter ``FOR UPDATE`` + ``UPDATE``, two ledger entries each with
its head update, the document, the invitation update, the Buku Mutasi row, the audit row. It is
what the database must do for one issue; the distance from it to ``sktlk_issue`` is Python.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import secrets
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
from _common import (
    Phase,
    boot_django,
    citizen,
    in_bench_database,
    percentile,
    run_clients,
    run_process_threads,
    run_processes,
    seed_demo,
    summary_ms,
    use_redis_queue,
)
from psycopg.types.json import Jsonb

TARGET_RATIO = 0.5  # sktlk_issue / raw-SQL floor, one unit, 16 clients as processes
TARGET_P95_MS = 100.0  # sktlk_issue, one unit, 16 clients as processes
TARGET_SCALING = 1.6  # 2 worker processes / 1, issuing across the units
BASELINE_TYPE = "BENCH"  # the bare baseline's own counter row, so SKTLK numbers stay 1..N
PAYLOAD = "x" * 200
REDIS_URL = "redis://127.0.0.1:6379/12"  # this bench's own Redis database for the render queue
# Untimed calls each client makes before the start: a forked client first pays its copy-on-write
# page faults and its first statements, which a long-lived gunicorn worker has long paid.
WARM_CALLS = 3
# Citizens: each client of each phase gets its own NIK range (make_nik is valid below 3.36 M), so
# every issue inserts a new citizen, as the real desk's traffic mostly does.
PHASE_SPAN = 200_000
CLIENT_SPAN = 6_000


# --- Workers -------------------------------------------------------------------------------------
def bare_worker_factory(counter_pk: int, warm_calls: int = 0) -> Callable[..., Callable[[], None]]:
    """The three-statement baseline: lock the counter, bump it, insert one row. (documents.py
    uses it too.)"""
    from django.db import connection, transaction

    from spkt.core.models import DocumentCounter

    table = connection.ops.quote_name(DocumentCounter._meta.db_table)
    # Table name comes from model metadata, never from input.
    select = f"SELECT last_number FROM {table} WHERE id = %s FOR UPDATE"  # noqa: S608
    update = f"UPDATE {table} SET last_number = %s WHERE id = %s"  # noqa: S608

    def make(*_client: int) -> Callable[[], None]:
        def work() -> None:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(select, [counter_pk])
                n = cur.fetchone()[0] + 1
                cur.execute(update, [n, counter_pk])
                cur.execute("INSERT INTO bench_doc (n, payload) VALUES (%s, %s)", [n, PAYLOAD])

        warm(work, warm_calls)
        return work

    return make


def issue_worker_factory(
    unit_pks: int | list[int],
    actor_pk: int,
    phase_no: int = 0,
    lock_log: Path | None = None,
    warm_calls: int = 0,
) -> Callable[..., Callable[[], None]]:
    """``sktlk_issue`` with a new idempotency key and a new citizen every call, at a random one
    of ``unit_pks`` (one unit: all clients queue on its counter and book lock). With
    ``lock_log``, client 0 writes how long each of its issues held the book lock there.
    (documents.py calls it with one unit's pk.)"""
    if isinstance(unit_pks, int):
        unit_pks = [unit_pks]
    from spkt.core.timeutil import today
    from spkt.documents.services import LostItem, sktlk_issue
    from spkt.org.models import Unit, User

    # The desk ticks "Persyaratan diperiksa" per item; the service refuses unchecked items.
    items = [
        LostItem(kind="KTP", papers_checked=True),
        LostItem(kind="ATM", details="BRI", papers_checked=True),
    ]
    lost_on = today() - timedelta(days=1)
    clients = itertools.count()  # threads of one process; processes pass their own index

    def make(*client: int) -> Callable[[], None]:
        index = _client_index(client, clients)
        units = list(Unit.objects.filter(pk__in=unit_pks))
        actor = User.objects.get(pk=actor_pk)
        rng = random.Random(index)
        citizens = itertools.count(phase_no * PHASE_SPAN + index * CLIENT_SPAN)

        def work() -> None:
            sktlk_issue(
                actor=actor,
                unit=units[0] if len(units) == 1 else rng.choice(units),
                citizen=citizen(next(citizens)),
                items=items,
                lost_on=lost_on,
                lost_place="Pasar Sentral, Biawu",
                idempotency_key=uuid.uuid4().hex,
            )

        warm(work, warm_calls)
        if lock_log is not None and index == 0:
            attach_probe(Probe(sink=lock_log))
        return work

    return make


def warm(work: Callable[[], None], calls: int = WARM_CALLS) -> None:
    for _ in range(calls):
        work()


def _client_index(client: tuple[int, ...], threads: itertools.count) -> int:
    """A number unique to this client within the phase: (process,) or (process, thread) from the
    process runners, or the next of ``threads`` for ``run_clients``' threads."""
    if len(client) == 2:
        return client[0] * 16 + client[1]  # up to 16 threads a process
    if len(client) == 1:
        return client[0]
    return next(threads)  # next() is atomic under the GIL


# --- What one issue sends, and how long it holds the book lock ---------------------------------
class Probe:
    """Counts one client's statements per issue, those sent while the unit's book lock (the
    ledger head's ``FOR UPDATE``) is held, and the time from the lock being granted (that
    statement returns) to the end of COMMIT, when the locks are released. Every issue at a unit
    holds that lock in turn, so one unit issues at most 1 / hold per second, however many
    clients it has; with other clients waiting, a holder also waits for a CPU to run on."""

    def __init__(self, sink: Path | None = None) -> None:
        self.sink = sink  # a forked client appends each hold here: its lists die with it
        self.statements: list[int] = []
        self.locked: list[int] = []
        self.held: list[float] = []
        self.waited: list[float] = []  # of ``held``, the time spent inside statements
        self._sent = self._under_lock = 0
        self._waited = 0.0
        self._locked_at: float | None = None
        # Python time under the lock before each statement, by the statement it follows.
        self.gaps: dict[str, list[float]] = {}
        self._last: str | None = None
        self._ended = 0.0
        self._taking = False
        self.client_cpu = self.server_cpu = 0.0  # seconds per issue

    def before(self, query: str) -> None:
        self._sent += 1
        label = f"{self._under_lock + 1}. {_label(query)}"
        if self._locked_at is not None:
            self._under_lock += 1
            if self._last is not None:
                self.gaps.setdefault(self._last, []).append(time.perf_counter() - self._ended)
        elif "core_ledgerhead" in query and "FOR UPDATE" in query:
            self._under_lock += 1
            self._taking = True
        self._last = label

    def after(self, took: float) -> None:
        """After each statement: the clock starts when the lock statement returns, so the time
        spent queueing for the lock is not counted as holding it."""
        self._ended = time.perf_counter()
        if self._taking:
            self._taking = False
            self._locked_at = self._ended
        elif self._locked_at is not None:
            self._waited += took

    def end(self, *, implicit: bool = False) -> None:
        """After COMMIT. ``implicit``: Django's BEGIN and COMMIT, which psycopg sends itself and
        execute wrappers do not see, are added to the counts."""
        if self._locked_at is not None:
            self.held.append(time.perf_counter() - self._locked_at)
            self.waited.append(self._waited)
            if self.sink is not None:
                with self.sink.open("a") as out:
                    out.write(f"{self.held[-1]:.6f} {self._waited:.6f}\n")
        self.statements.append(self._sent + (2 if implicit else 0))
        self.locked.append(self._under_lock + (1 if implicit else 0))
        self._sent = self._under_lock = 0
        self._waited = 0.0
        self._locked_at = None
        self._last = None
        self._taking = False

    def summary(self) -> str:
        python = [h - w for h, w in zip(self.held, self.waited, strict=True)]
        return (
            f"{max(self.statements)} statements, {max(self.locked)} of them under the book lock; "
            f"lock held p50 {percentile(self.held, 50) * 1000:.2f} ms "
            f"(p95 {percentile(self.held, 95) * 1000:.2f}), of which in statements p50 "
            f"{percentile(self.waited, 50) * 1000:.2f} ms and in Python between them p50 "
            f"{percentile(python, 50) * 1000:.2f} ms; CPU per issue: client "
            f"{self.client_cpu * 1000:.2f} ms, its PostgreSQL backend "
            f"{self.server_cpu * 1000:.2f} ms"
        )

    @property
    def cpu(self) -> float:
        return self.client_cpu + self.server_cpu

    def gap_lines(self) -> list[str]:
        """Python time (p50) after each statement under the lock, in the order they are sent."""
        return [f"after {k}: {percentile(v, 50) * 1000:.2f} ms" for k, v in self.gaps.items()]


def _label(query: str) -> str:
    """A statement's verb and table, e.g. ``UPDATE core_documentcounter``."""
    words = query.replace('"', "").split()
    verb = words[0].upper() if words else "?"
    upper = [w.upper() for w in words]
    after = {"SELECT": "FROM", "INSERT": "INTO", "UPDATE": "UPDATE"}.get(verb)
    if after is None or after not in upper:
        return verb
    return f"{verb} {words[upper.index(after) + 1]}"


def backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) a PostgreSQL backend has used, from /proc: the server's share
    of an issue, which the machine-wide busy figure mixes with everything else running."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def probe_cpu(probe: Probe, pid: int, work: Callable[[], None], runs: int) -> None:
    """Run ``work`` ``runs`` times in this thread; note the client's and the backend's CPU."""
    client, server = time.process_time(), backend_cpu(pid)
    for _ in range(runs):
        work()
    probe.client_cpu = (time.process_time() - client) / runs
    probe.server_cpu = (backend_cpu(pid) - server) / runs


def probe_issue(make: Callable[..., Callable[[], None]], probe: Probe, runs: int) -> None:
    """Run ``runs`` issues of a Django worker in this thread, counting its statements through an
    execute wrapper and timing the lock hold up to the end of the connection's COMMIT."""
    from django.db import connection

    work = make()
    detach = attach_probe(probe)
    try:
        probe_cpu(probe, connection.connection.info.backend_pid, work, runs)
    finally:
        detach()


def attach_probe(probe: Probe) -> Callable[[], None]:
    """Feed ``probe`` every statement and COMMIT of this thread's Django connection; returns the
    function that detaches it."""
    from django.db import connection

    def wrapper(execute, sql, params, many, context):
        probe.before(sql)
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            probe.after(time.perf_counter() - start)

    original = connection._commit

    def commit() -> None:
        start = time.perf_counter()
        original()
        probe.after(time.perf_counter() - start)
        probe.end(implicit=True)

    connection._commit = commit
    connection.execute_wrappers.append(wrapper)

    def detach() -> None:
        connection.execute_wrappers.remove(wrapper)
        del connection._commit  # the instance attribute; the class's method shows again

    return detach


def lock_holds(path: Path) -> list[float]:
    """The hold times a probed client wrote to ``path`` (none if it never issued)."""
    if not path.exists():
        return []
    return [float(line.split()[0]) for line in path.read_text().splitlines() if line]


# --- The raw-SQL floor ---------------------------------------------------------------------------
@dataclass(frozen=True)
class FloorUnit:
    """What a floor client needs of one unit, read before the timed phases."""

    unit_id: int
    chain: tuple[int, ...]  # the unit and its ancestors, as the issue's letterhead reads them
    shift_id: int
    year: int


@dataclass(frozen=True)
class FloorRows:
    """One real issue's rows, as templates: the floor writes rows of the same shape and size."""

    citizen: dict
    invitation: dict
    issued_payload: dict
    document: dict
    mutasi_payload: dict
    mutasi: dict
    audit: dict


SHIFT_SELECT = (
    "SELECT s.*, r.*, p.*, t5.* FROM dutylog_shift s "
    "LEFT JOIN dutylog_regu r ON s.regu_id = r.id "
    "LEFT JOIN org_personnel p ON s.ka_spkt_id = p.id "
    "LEFT JOIN org_personnel t5 ON s.pawas_id = t5.id "
    "WHERE s.unit_id = %s AND {} ORDER BY s.starts_at DESC LIMIT 1"
)
SQL = {
    "idempotent": "SELECT * FROM documents_document WHERE idempotency_key = %s AND unit_id = %s "
    "ORDER BY issued_at DESC LIMIT 1",
    "citizen_lock": "SELECT * FROM documents_citizen WHERE nik_hash = %s AND unit_id = %s "
    "LIMIT 21 FOR UPDATE",
    "shift_open": SHIFT_SELECT.format("s.status = 'open'"),
    "shift_covering": SHIFT_SELECT.format("s.starts_at <= %s AND s.ends_at > %s"),
    "categories": "SELECT * FROM dutylog_entrycategory WHERE unit_id = %s OR unit_id IS NULL "
    'ORDER BY "order", code',
    "unit_key": "SELECT * FROM core_unitkey WHERE unit_id = %s LIMIT 21",
    "head_lock": "SELECT id, unit_id, seq, hash FROM core_ledgerhead WHERE unit_id = %s "
    "LIMIT 21 FOR UPDATE",
    "shift_closed": "SELECT 1 AS a FROM dutylog_shift WHERE id = %s AND status = 'closed' LIMIT 1",
    "counter_lock": "SELECT id, unit_id, doc_type, year, last_number FROM core_documentcounter "
    "WHERE doc_type = 'SKTLK' AND unit_id = %s AND year = %s LIMIT 21 FOR UPDATE",
    "counter_update": "UPDATE core_documentcounter SET last_number = %s WHERE id = %s",
    "entry": "INSERT INTO core_ledgerentry (unit_id, seq, kind, recorded_at, payload, prev_hash, "
    "hash) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
    "head_update": "UPDATE core_ledgerhead SET seq = %s, hash = %s WHERE id = %s",
    "invitation_update": "UPDATE ikm_surveyinvitation SET document_id = %s WHERE id = %s",
}


def _insert_sql(table: str, row: dict) -> str:
    columns = [c for c in row if c != "id"]
    # Table and column names come from the database's own rows, never from input.
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}) RETURNING id"
    )


def _values(row: dict, **changes: Any) -> list:
    merged = {**row, **changes}
    return [Jsonb(v) if isinstance(v, dict | list) else v for k, v in merged.items() if k != "id"]


def floor_rows(database_url: str, unit_id: int) -> FloorRows:
    """The rows of the unit's latest real SKTLK: its citizen, invitation, document, both ledger
    entries' payloads, its Buku Mutasi row and its audit row."""
    with psycopg.connect(database_url, row_factory=psycopg.rows.dict_row) as conn:

        def one(query: str, *params: Any) -> dict:
            row = conn.execute(query, params).fetchone()
            assert row is not None, query
            return row

        doc = one(
            "SELECT * FROM documents_document WHERE unit_id = %s AND doc_type = 'SKTLK' "
            "ORDER BY seq DESC LIMIT 1",
            unit_id,
        )
        issued = one("SELECT * FROM core_ledgerentry WHERE id = %s", doc["ledger_entry_id"])
        mutasi_entry = one(
            "SELECT * FROM core_ledgerentry WHERE unit_id = %s AND seq = %s",
            unit_id,
            issued["seq"] + 1,
        )
        return FloorRows(
            citizen=one("SELECT * FROM documents_citizen WHERE id = %s", doc["citizen_id"]),
            invitation=one("SELECT * FROM ikm_surveyinvitation WHERE document_id = %s", doc["id"]),
            issued_payload=issued["payload"],
            document=doc,
            mutasi_payload=mutasi_entry["payload"],
            mutasi=one(
                "SELECT * FROM dutylog_mutasi WHERE ledger_entry_id = %s", mutasi_entry["id"]
            ),
            audit=one(
                "SELECT * FROM core_auditevent WHERE target_type = 'documents.document' "
                "AND target_id = %s",
                str(doc["id"]),
            ),
        )


def floor_units(unit_ids: list[int]) -> list[FloorUnit]:
    """Each floor unit's chain and current shift; each has issued once for real already, so its
    counter, head, key and shift exist."""
    from spkt.core import clock
    from spkt.core.timeutil import local
    from spkt.dutylog.selectors import shift_on_duty
    from spkt.org.models import Unit

    year = local(clock.now()).year
    found = []
    for unit in Unit.objects.filter(pk__in=unit_ids).order_by("pk"):
        shift = shift_on_duty(unit=unit)
        assert shift is not None, unit
        chain = tuple(u.pk for u in unit.ancestors_and_self())
        found.append(FloorUnit(unit.pk, chain, shift.pk, year))
    return found


def floor_worker_factory(
    database_url: str,
    rows: FloorRows,
    units: list[FloorUnit],
    probe: Probe | None = None,
    lock_log: Path | None = None,
) -> Callable[..., Callable[[], None]]:
    """One issue's statements in raw SQL. Django's psycopg backend binds parameters on the client
    (``ClientCursor``), so the floor does too: the server parses the same literal statements.

    The floor units are not the units ``sktlk_issue`` runs on: the floor chains random hashes (it
    does not hash), so their chains fail ``verify`` by design and the check leaves them out. Their
    numbers must still be gap-free, which the check confirms."""
    from spkt.core import clock

    sql = {
        **SQL,
        "units": "SELECT * FROM org_unit WHERE id IN ({}) ORDER BY path",
        "citizen": _insert_sql("documents_citizen", rows.citizen),
        "invitation": _insert_sql("ikm_surveyinvitation", rows.invitation),
        "document": _insert_sql("documents_document", rows.document),
        "mutasi": _insert_sql("dutylog_mutasi", rows.mutasi),
        "audit": _insert_sql("core_auditevent", rows.audit),
    }
    number_parts = rows.document["number"].split("/")
    validity = rows.invitation["expires_at"] - rows.invitation["created_at"]
    clients = itertools.count()

    def make(*client: int) -> Callable[[], None]:
        index = _client_index(client, clients)
        rng = random.Random(index)
        mine = probe or (Probe() if lock_log is not None and index == 0 else None)
        conn = psycopg.connect(database_url, autocommit=True, cursor_factory=psycopg.ClientCursor)
        cur = conn.cursor()

        def ex(query: str, params: Any = None) -> None:
            if mine is None:
                cur.execute(query, params)
                return
            mine.before(query)
            start = time.perf_counter()
            cur.execute(query, params)
            mine.after(time.perf_counter() - start)

        def issue(unit: FloorUnit) -> None:
            u = unit.unit_id
            key = uuid.uuid4().hex
            now = clock.now()
            ex(sql["idempotent"], [key, u])
            cur.fetchall()
            ex("BEGIN")
            ex('SAVEPOINT "floor_issue"')
            nik_hash = secrets.token_hex(32)
            ex(sql["citizen_lock"], [nik_hash, u])
            cur.fetchall()
            ex('SAVEPOINT "floor_citizen"')
            ex(sql["citizen"], _values(rows.citizen, unit_id=u, nik_hash=nik_hash, created_at=now))
            citizen_id = cur.fetchone()[0]
            ex('RELEASE SAVEPOINT "floor_citizen"')
            ex(sql["shift_open"], [u])
            cur.fetchall()
            ex(sql["shift_covering"], [u, now, now])
            cur.fetchall()
            ex(sql["units"].format(", ".join(["%s"] * len(unit.chain))), unit.chain)
            cur.fetchall()
            ex(sql["categories"], [u])
            cur.fetchall()
            ex(
                sql["invitation"],
                _values(
                    rows.invitation,
                    unit_id=u,
                    document_id=None,
                    nonce=secrets.token_urlsafe(6),
                    created_at=now,
                    expires_at=now + validity,
                ),
            )
            invitation_id = cur.fetchone()[0]
            ex(sql["unit_key"], [u])
            cur.fetchall()
            # The locks, in the issue's order: book (ledger head), then the number counter.
            ex(sql["head_lock"], [u])
            head_id, _, head_seq, head_hash = cur.fetchone()
            ex(sql["shift_closed"], [unit.shift_id])
            cur.fetchall()
            ex(sql["counter_lock"], [u, unit.year])
            counter_id, *_, last = cur.fetchone()
            n = last + 1
            ex(sql["counter_update"], [n, counter_id])
            number = "/".join([number_parts[0], str(n), *number_parts[2:]])
            snapshot = {**rows.document["snapshot"], "number": number}
            issued_hash = secrets.token_hex(32)
            ex(
                sql["entry"],
                [
                    u,
                    head_seq + 1,
                    "documents.issued",
                    now,
                    Jsonb(
                        {
                            **rows.issued_payload,
                            "number": number,
                            "seq": n,
                            "citizen": citizen_id,
                            "shift": unit.shift_id,
                            "idempotency_key": key,
                            "issued_at": now.isoformat(),
                            "snapshot": snapshot,
                        }
                    ),
                    head_hash,
                    issued_hash,
                ],
            )
            issued_id = cur.fetchone()[0]
            ex(sql["head_update"], [head_seq + 1, issued_hash, head_id])
            ex(
                sql["document"],
                _values(
                    rows.document,
                    unit_id=u,
                    year=unit.year,
                    seq=n,
                    number=number,
                    issued_at=now,
                    shift_id=unit.shift_id,
                    citizen_id=citizen_id,
                    snapshot=snapshot,
                    verify_token=secrets.token_urlsafe(16),
                    idempotency_key=key,
                    ledger_entry_id=issued_id,
                ),
            )
            document_id = cur.fetchone()[0]
            ex(sql["invitation_update"], [document_id, invitation_id])
            text = f"Menerbitkan {number} a.n. RAHMA SULEMAN (kehilangan: KTP, Kartu ATM/kredit)."
            mutasi_hash = secrets.token_hex(32)
            ex(
                sql["entry"],
                [
                    u,
                    head_seq + 2,
                    "dutylog.mutasi",
                    now,
                    Jsonb(
                        {
                            **rows.mutasi_payload,
                            "at": now.isoformat(),
                            "shift": unit.shift_id,
                            "text": text,
                            "unit": u,
                        }
                    ),
                    issued_hash,
                    mutasi_hash,
                ],
            )
            mutasi_entry_id = cur.fetchone()[0]
            ex(sql["head_update"], [head_seq + 2, mutasi_hash, head_id])
            ex(
                sql["mutasi"],
                _values(
                    rows.mutasi,
                    unit_id=u,
                    shift_id=unit.shift_id,
                    at=now,
                    text=text,
                    ledger_entry_id=mutasi_entry_id,
                ),
            )
            ex(
                sql["audit"],
                _values(
                    rows.audit,
                    at=now,
                    unit_id=u,
                    target_id=str(document_id),
                    data={"number": number},
                ),
            )
            ex('RELEASE SAVEPOINT "floor_issue"')
            ex("COMMIT")
            if mine is not None:
                mine.end()

        def work() -> None:
            try:
                issue(units[0] if len(units) == 1 else rng.choice(units))
            except BaseException:
                if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    cur.execute("ROLLBACK")
                raise

        work.backend_pid = conn.info.backend_pid  # for probe_cpu
        warm(work)
        if mine is not None and probe is None:
            mine.sink = lock_log
        return work

    return make


# --- Set-up --------------------------------------------------------------------------------------
def create_units(parent: Any, count: int, prefix: str) -> list[int]:
    """``count`` Polsek under ``parent``, each with one squad whose head is its Ka SPKT, so the
    roster plans a shift with a signer on the first issue there."""
    from spkt.dutylog.models import Regu
    from spkt.org.models import Pangkat, Personnel, UnitKind
    from spkt.org.services import unit_create

    ids = []
    for i in range(1, count + 1):
        name = f"{prefix} {i:03d}"
        unit = unit_create(
            parent=parent,
            code=f"{prefix.lower()}-{i:03d}",
            name=f"Polsek {name}",
            kind=UnitKind.POLSEK,
            number_name=f"POLSEK {name.upper()}",
            letterhead_name=f"SEKTOR {name.upper()}",
            head_title=f"KEPALA KEPOLISIAN SEKTOR {name.upper()}",
            city="Gorontalo",
        )
        nrp = f"{9 if prefix == 'Bench' else 8}{i:07d}"
        head = Personnel.objects.create(
            unit=unit, name=f"Ka SPKT {name}", pangkat=Pangkat.IPTU, nrp=nrp, jabatan="Ka SPKT"
        )
        regu = Regu.objects.create(unit=unit, name="Regu I", order=1, head=head)
        regu.members.add(head)
        ids.append(unit.pk)
    return ids


def warm_up(unit_ids: list[int], actor_pk: int) -> None:
    """One real issue per unit, untimed: it plans the shift and makes the counter, the ledger
    head and the signing key, which the timed issues then only read and lock."""
    from spkt.core.timeutil import today
    from spkt.documents.services import LostItem, sktlk_issue
    from spkt.org.models import Unit, User

    actor = User.objects.get(pk=actor_pk)
    items = [LostItem(kind="KTP", papers_checked=True)]
    for n, unit in enumerate(Unit.objects.filter(pk__in=unit_ids)):
        sktlk_issue(
            actor=actor,
            unit=unit,
            citizen=citizen(PHASE_SPAN - 1 - n),
            items=items,
            lost_on=today() - timedelta(days=1),
            lost_place="Pasar Sentral, Biawu",
            idempotency_key=uuid.uuid4().hex,
        )


def time_enqueue() -> list[float]:
    """Wrap the on-commit enqueue to see what the huey queue adds to each issue's latency.
    The lambda in issue_document looks the name up at call time, so patching the module works.
    Only the threads' phases report it: forked clients append to their own copy."""
    from spkt.documents import services

    original = services._enqueue_render
    samples: list[float] = []

    def enqueue(document_id: int) -> None:
        start = time.perf_counter()
        original(document_id)
        samples.append(time.perf_counter() - start)

    services._enqueue_render = enqueue
    return samples


def use_queue(kind: str) -> str:
    """Put the render queue on Redis, as production has it (``SPKT_REDIS_URL``): with SqliteHuey,
    16 forked clients would take turns on one SQLite file lock to enqueue, which no deployment
    does. Falls back to SqliteHuey when Redis does not answer."""
    return use_redis_queue(REDIS_URL) if kind == "redis" else "SqliteHuey in a temp dir"


def before_fork() -> None:
    """The SqliteHuey connection must not be shared by forked children: each opens its own."""
    from django.db import connections
    from huey.contrib.djhuey import HUEY

    connections.close_all()
    HUEY.storage.close()


# --- Report --------------------------------------------------------------------------------------
def report(phase: Phase, cores: float) -> None:
    busy = phase.cpu / phase.elapsed if phase.elapsed else 0.0
    per_doc = phase.cpu / phase.done * 1000 if phase.done else 0.0
    cpu = (
        f"client CPU {busy:.2f} of {cores:.0f} cores ({per_doc:.1f} ms/doc), " if phase.cpu else ""
    )
    print(
        f"  {phase.name:28s}: {phase.done:6d} in {phase.elapsed:5.2f} s = "
        f"{phase.rate:7.1f} docs/s; {cpu}machine {phase.machine_busy:.0%} busy"
    )
    if phase.latencies:
        print(f"  {'':28s}  latency {summary_ms(phase.latencies)}")
    for error in phase.errors[:5]:
        print(f"  ERROR in {phase.name}: {error}")


def p95_ms(phase: Phase) -> float:
    return percentile(phase.latencies, 95) * 1000 if phase.latencies else float("inf")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def check_gap_free(year: int) -> tuple[bool, str]:
    """Every unit's SKTLK numbers are 1..N with the counter at N and N distinct numbers; the bare
    baseline's rows are 1..N too."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT d.unit_id, count(*), min(d.seq), max(d.seq), count(DISTINCT d.number), "
            "max(c.last_number) FROM documents_document d JOIN core_documentcounter c "
            "ON c.unit_id = d.unit_id AND c.doc_type = d.doc_type AND c.year = d.year "
            "WHERE d.doc_type = 'SKTLK' AND d.year = %s GROUP BY d.unit_id",
            [year],
        )
        rows = cur.fetchall()
        cur.execute("SELECT n FROM bench_doc ORDER BY n")
        bare = [row[0] for row in cur.fetchall()]
    broken = [r[0] for r in rows if not (r[1] == r[3] == r[4] == r[5] and r[2] == 1)]
    total = sum(r[1] for r in rows)
    bare_ok = bare == list(range(1, len(bare) + 1))
    text = (
        f"SKTLK numbers gap-free 1..N in {len(rows) - len(broken)} of {len(rows)} units "
        f"({total} documents){'' if not broken else f'; BROKEN in units {broken[:10]}'}; "
        f"bare baseline 1..{len(bare)} gap-free: {'yes' if bare_ok else 'NO'}"
    )
    return not broken and bare_ok, text


# --- Main ----------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16, help="clients at the one busy desk")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--units", type=int, default=100, help="units for the scaling part")
    parser.add_argument(
        "--threads-per-worker", type=int, default=8, help="client threads in each worker process"
    )
    parser.add_argument(
        "--paced-rate", type=float, default=20.0, help="issues/s offered in the paced phase"
    )
    parser.add_argument(
        "--queue", choices=["redis", "sqlite"], default="redis", help="where renders are enqueued"
    )
    parser.add_argument("--quick", action="store_true", help="2 s phases, 20 units")
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--db", default="spkt_bench")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for inspection")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.units = 2.0, 20

    return in_bench_database(args, "spkt-bench-issue-", run)


def run(args: argparse.Namespace, database_url: str, tmp: Path) -> int:
    boot_django(var_dir=tmp, database_url=database_url)
    from django.db import connection
    from huey.contrib.djhuey import HUEY

    from spkt.core import clock, ledger
    from spkt.core.models import DocumentCounter
    from spkt.core.timeutil import local

    cores = float(os.cpu_count() or 1)
    clients, seconds = args.clients, args.seconds
    print(f"== SKTLK issuance on PostgreSQL ({os.cpu_count()} cores, {seconds:g} s phases) ==")
    assert connection.vendor == "postgresql"
    assert not HUEY.immediate, "renders must be enqueued, not run inside the issue"
    print(f"PDF renders are only enqueued: {use_queue(args.queue)}")
    start = time.perf_counter()
    units, users = seed_demo()
    desk, floor_desk, actor = units["kota-selatan"], units["kota-utara"], users["jaga"]
    year = local(clock.now()).year
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_doc (id serial PRIMARY KEY, n int NOT NULL, payload text)")
    counter = DocumentCounter.objects.create(
        unit=desk, doc_type=BASELINE_TYPE, year=year, last_number=0
    )
    # sktlk_issue's many units and the floor's many units are distinct, so verify can check every
    # unit sktlk_issue wrote to while leaving out the floor's chains of random hashes.
    many = create_units(units["polres"], args.units, "Bench")
    many_floor = create_units(units["polres"], args.units, "Floor")
    warm_up([desk.pk, floor_desk.pk, *many, *many_floor], actor.pk)
    print(
        f"migrated and seeded {args.db}, {2 * args.units} more Polsek, one issue at each, "
        f"in {time.perf_counter() - start:.1f} s"
    )

    rows = floor_rows(database_url, desk.pk)
    size = len(json.dumps(rows.issued_payload, default=str))
    print(
        f"floor rows copied from a real issue: ledger payload {size} B, snapshot "
        f"{len(json.dumps(rows.document['snapshot']))} B"
    )
    bare = bare_worker_factory(counter.pk, WARM_CALLS)
    one_floor_unit = floor_units([floor_desk.pk])
    floor_many = floor_worker_factory(database_url, rows, floor_units(many_floor))
    phases = itertools.count(1)
    logs = itertools.count(1)
    holds: dict[str, list[float]] = {}

    def lock_log() -> Path:
        return tmp / f"locks-{next(logs)}.txt"

    def real(unit_pks: list[int], log: Path | None = None) -> Callable[..., Callable[[], None]]:
        return issue_worker_factory(unit_pks, actor.pk, next(phases), log, WARM_CALLS)

    def floor_one(log: Path | None = None) -> Callable[..., Callable[[], None]]:
        return floor_worker_factory(database_url, rows, one_floor_unit, lock_log=log)

    def held(key: str, log: Path) -> None:
        """Print how long client 0 held the book lock per issue while the others queued."""
        holds[key] = found = lock_holds(log)
        if found:
            print(f"  {'':28s}  client 0 held the book lock {summary_ms(found)}")

    # Warm the code paths of every kind in this process before the first fork.
    for make in (bare, floor_one(), real([desk.pk])):
        work = make()
        for _ in range(10):
            work()
    enqueue_times = time_enqueue()
    all_phases: list[Phase] = []

    def done(phase: Phase) -> Phase:
        report(phase, cores)
        all_phases.append(phase)
        return phase

    def forked(name: str, make: Callable[..., Callable[[], None]]) -> Phase:
        before_fork()  # run_processes reports no client CPU: the machine's busy share shows it
        return done(run_processes(name, make, processes=clients, seconds=seconds))

    def threaded(name: str, make: Callable[..., Callable[[], None]], n: int = clients) -> Phase:
        return done(run_clients(name, make, threads=n, seconds=seconds))

    print(f"\n-- one unit, {clients} clients as forked processes (gunicorn sync workers) --")
    bare_p = forked("bare 3-statement baseline", bare)
    floor_p = forked("raw-SQL floor", floor_one(log := lock_log()))
    held("floor processes", log)
    real_p = forked("sktlk_issue", real([desk.pk], log := lock_log()))
    held("sktlk processes", log)
    # Back-to-back clients queue by construction (Little: latency = clients / rate), so the
    # latency a desk sees at a given load is also measured at a pace below saturation.
    before_fork()
    paced = done(
        run_processes(
            f"sktlk_issue at {args.paced_rate:g}/s",
            real([desk.pk]),
            processes=clients,
            seconds=seconds,
            interval=clients / args.paced_rate,
        )
    )

    print(f"\n-- one unit, {clients} clients as threads of one process (one GIL) --")
    bare_t = threaded("bare 3-statement baseline", bare)
    floor_t = threaded("raw-SQL floor", floor_one(log := lock_log()))
    held("floor threads", log)
    del enqueue_times[:]
    real_t = threaded("sktlk_issue", real([desk.pk], log := lock_log()))
    held("sktlk threads", log)
    if enqueue_times:
        print(f"  {'':28s}  of which on-commit enqueue: {summary_ms(enqueue_times)}")

    print("\n-- one unit, one client: the cost of one issue without queueing --")
    floor_1 = threaded("raw-SQL floor x1", floor_one(), 1)
    real_1 = threaded("sktlk_issue x1", real([desk.pk]), 1)
    runs = 20 if args.quick else 100
    floor_probe, real_probe = Probe(), Probe()
    probe_floor = floor_worker_factory(database_url, rows, one_floor_unit, floor_probe)()
    probe_cpu(floor_probe, probe_floor.backend_pid, probe_floor, runs)
    probe_issue(real([desk.pk]), real_probe, runs)
    print(f"  per issue, {runs} issues by one client (statements include BEGIN and COMMIT):")
    print(f"  {'raw-SQL floor':28s}: {floor_probe.summary()}")
    print(f"  {'sktlk_issue':28s}: {real_probe.summary()}")
    print(f"  {'':28s}  Python (p50) under the lock after each statement:")
    gaps = real_probe.gap_lines()
    for i in range(0, len(gaps), 3):
        print(f"  {'':28s}    {'; '.join(gaps[i : i + 3])}")

    k = args.threads_per_worker
    print(f"\n-- {args.units} units, {k} client threads per worker process, random unit each --")
    scaled: dict[str, list[Phase]] = {}
    for label, make_for in (
        ("raw-SQL floor", lambda: floor_many),
        ("sktlk_issue", lambda: real(many)),
    ):
        for workers in (1, 2):
            before_fork()
            phase = run_process_threads(
                f"{label}, {workers} worker{'s' if workers > 1 else ''}",
                make_for(),
                processes=workers,
                threads=k,
                seconds=seconds,
            )
            scaled.setdefault(label, []).append(done(phase))

    print("\n-- summary --")
    ratio_p = real_p.rate / floor_p.rate if floor_p.rate else 0.0
    ratio_t = real_t.rate / floor_t.rate if floor_t.rate else 0.0
    print(
        f"one unit, {clients} processes: sktlk {real_p.rate:.1f} docs/s, floor "
        f"{floor_p.rate:.1f}, bare {bare_p.rate:.1f}; sktlk/floor {ratio_p:.2f} "
        f"(target >= {TARGET_RATIO}: {verdict(ratio_p >= TARGET_RATIO)}); sktlk/bare "
        f"{real_p.rate / bare_p.rate if bare_p.rate else 0:.2f}"
    )
    print(
        f"one unit, {clients} processes: sktlk p95 {p95_ms(real_p):.1f} ms, floor p95 "
        f"{p95_ms(floor_p):.1f} ms (target sktlk p95 <= {TARGET_P95_MS:g} ms: "
        f"{verdict(p95_ms(real_p) <= TARGET_P95_MS)}); back to back, p50 ~ clients / rate = "
        f"{clients / real_p.rate * 1000 if real_p.rate else 0:.0f} ms"
    )
    print(
        f"one unit, {clients} processes paced at {args.paced_rate:g} issues/s: sktlk "
        f"{paced.rate:.1f} docs/s, p95 {p95_ms(paced):.1f} ms "
        f"(<= {TARGET_P95_MS:g} ms: {verdict(p95_ms(paced) <= TARGET_P95_MS)})"
    )
    print(
        f"one unit, {clients} threads:   sktlk {real_t.rate:.1f} docs/s, floor "
        f"{floor_t.rate:.1f}, bare {bare_t.rate:.1f}; sktlk/floor {ratio_t:.2f}; "
        f"sktlk p95 {p95_ms(real_t):.1f} ms "
        f"(the issue's earlier figure: 45 docs/s, 0.18x, p95 1.3-1.7 s)"
    )
    held_real = percentile(real_probe.held, 50) * 1000
    held_floor = percentile(floor_probe.held, 50) * 1000
    print(
        f"book lock held per issue (p50, one client): sktlk {held_real:.1f} ms, floor "
        f"{held_floor:.1f} ms: at most {1000 / held_real:.0f} and {1000 / held_floor:.0f} "
        f"issues/s at one unit, however many clients"
    )
    for kind in ("processes", "threads"):
        real_held, floor_held = holds.get(f"sktlk {kind}"), holds.get(f"floor {kind}")
        if real_held and floor_held:
            print(
                f"book lock held per issue (p50) with {clients} clients as {kind}: sktlk "
                f"{percentile(real_held, 50) * 1000:.1f} ms, floor "
                f"{percentile(floor_held, 50) * 1000:.1f} ms (a holder waits for the CPU too)"
            )
    print(
        f"CPU per issue, client + its backend (one client): sktlk "
        f"{real_probe.cpu * 1000:.1f} ms, floor {floor_probe.cpu * 1000:.1f} ms: at most "
        f"{cores / real_probe.cpu:.0f} and {cores / floor_probe.cpu:.0f} issues/s on "
        f"{cores:.0f} idle cores, and a ratio sktlk/floor of at most "
        f"{floor_probe.cpu / real_probe.cpu:.2f} wherever the CPU is the limit"
    )
    print(
        f"one client: sktlk {real_1.rate:.1f} docs/s (p50 "
        f"{percentile(real_1.latencies, 50) * 1000:.1f} ms), floor {floor_1.rate:.1f} docs/s "
        f"(p50 {percentile(floor_1.latencies, 50) * 1000:.1f} ms)"
    )
    for label, (one, two) in scaled.items():
        factor = two.rate / one.rate if one.rate else 0.0
        target = f" (target >= {TARGET_SCALING}: {verdict(factor >= TARGET_SCALING)})"
        print(
            f"{args.units} units, {label}: 1 worker {one.rate:.1f} docs/s (machine "
            f"{one.machine_busy:.0%} busy), 2 workers {two.rate:.1f} docs/s (machine "
            f"{two.machine_busy:.0%} busy): x{factor:.2f}"
            f"{target if label == 'sktlk_issue' else ''}"
        )
    one_worker = scaled["sktlk_issue"][0]
    ceiling = cores / real_probe.cpu
    print(
        f"{args.units} units, sktlk_issue: {cores:.0f} cores at {real_probe.cpu * 1000:.1f} ms of "
        f"CPU per issue (client + backend) allow at most {ceiling:.0f} docs/s, "
        f"x{ceiling / one_worker.rate if one_worker.rate else 0:.2f} of the 1-worker figure, "
        f"however many workers"
    )
    if max(p.machine_busy for p in all_phases) > 0.9:
        print(
            "NOTE: the machine was over 90% busy in some phase; PostgreSQL shares its cores "
            "with the clients, so these figures are bounded by the CPU, not by the locks alone."
        )

    print("\n-- checks --")
    gap_ok, text = check_gap_free(year)
    print(text)
    print(f"render tasks waiting in the queue: {HUEY.pending_count()} (removed now)")
    HUEY.storage.flush_all()
    real_units = [desk.pk, *many]
    result = ledger.verify(unit_ids=real_units)
    print(
        f"ledger.verify() over the {len(real_units)} units sktlk_issue wrote to: "
        f"{'OK' if result.ok else 'BROKEN: ' + str(result.first_break)} "
        f"({result.chains} chains, {result.entries} entries, {result.records} records); "
        f"the floor's {1 + len(many_floor)} units are left out (random hashes by design)"
    )
    connection.close()
    failed = any(p.errors for p in all_phases)
    return 0 if gap_ok and result.ok and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
