"""Contact intake in one run: signed WhatsApp webhooks under a real WSGI server on PostgreSQL, and
the desk's inbox page with a million contacts in the database, each with its baseline measured in
the same run.

Run: .venv/bin/python bench/intake.py [--threads 16] [--seconds 8] [--contacts 1000000]
     [--units 1000] [--runs 200] [--quick] [--keep-db]

Creates (and at the end drops) the database ``spkt_bench_intake``, migrates it and seeds the demo
units and people, then starts gunicorn (2 sync workers) on 127.0.0.1 serving
``bench/_bare_wsgi.py``: the real app, plus a bare Django view at ``/bench/bare/``.

1. Webhooks: 16 client threads POST correctly signed WhatsApp payloads for 8 s, each with a new
   message id and a new sender, so every one opens a contact. Baseline: the same clients POST the
   same bodies to the bare view, which does one INSERT, before and after the rest. Target: ratio
   ≥ 0.7. The webhook stores the payload and answers; a real Huey consumer (``manage.py run_huey``,
   Redis) turns it into a contact: p95 from the POST to the contact being visible (its payload
   done) is measured under the 16 clients, target ≤ 5 s, and first at a paced ~35 webhooks/s.
   Afterwards the contacts must match the 200 answers one for one: nothing lost, nothing stored
   twice.
2. Inbox: bulk-loads contacts (and their messages) up to ``--contacts`` over ``--units`` more
   Polsek and the demo unit, VACUUM ANALYZE, then the demo desk officer ``jaga`` logs in over HTTP
   and GETs the inbox page, its HTMX partial and the 304 poll through gunicorn. Target: page
   p95 ≤ 100 ms. Query counts come from one in-process request each (Django's test Client).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import itertools
import json
import os
import re
import subprocess
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message as HeaderMessage
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg
from _common import (
    ROOT,
    Phase,
    boot_django,
    free_port,
    in_bench_database,
    percentile,
    run_clients,
    seed_demo,
    summary_ms,
)

TARGET_RATIO = 0.7
TARGET_PAGE_P95_MS = 100.0
PASSWORD = "spkt-demo-2026"  # noqa: S105 (the documented demo password, spkt.demo.DEMO_PASSWORD)
APP_SECRET = "bench-app-secret"  # noqa: S105 (a throwaway account in a throwaway database)
SLUG = "wa-bench"
PHONE_NUMBER_ID = "1055"
WEBHOOK_UNIT = "kota-utara"  # not the demo desk's unit, so part 2 decides what its inbox holds
WEBHOOK_PATH = f"/hooks/whatsapp/{SLUG}/"
BARE_PATH = "/bench/bare/"
TARGET_VISIBLE_P95_S = 5.0
PACED_PAUSE = 0.1  # 4 clients that pause this long after each POST: about 35 webhooks/s
REDIS_URL = "redis://127.0.0.1:6379/13"  # the bench's own Redis database for the Huey queue
INBOX_PATH = "/kontak/"
NAMES = ("Rahma Suleman", "Hendra Pakaya", "Fitri Usman", "Yamin Olii", "Siti Lamadjido")
TEXTS = (
    "Selamat pagi pak, motor saya hilang di Pasar Sentral tadi malam, STNK masih ada.",
    "Dompet saya jatuh di angkot, isinya KTP dan ATM BRI. Bagaimana cara lapor?",
    "Ada keributan di Jl. Nani Wartabone dekat terminal, mohon petugas datang.",
    "Saya mau tanya syarat membuat SKTLK untuk ijazah yang hilang.",
)


# --- HTTP ---------------------------------------------------------------------------------------
@dataclass
class Reply:
    status: int
    headers: HeaderMessage
    body: bytes


def call(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Reply:
    """One request on a new connection: gunicorn's sync workers close after every answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        return Reply(answer.status, answer.headers, answer.read())
    finally:
        conn.close()


def start_gunicorn(port: int, env: dict[str, str], log: Path, workers: int) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "_bare_wsgi:application",
        "--pythonpath",
        str(ROOT / "bench"),
        "--chdir",
        str(ROOT),
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--error-logfile",
        "-",
        "--log-level",
        "warning",
    ]
    # Gunicorn's own log and the app's (Django logs to the workers' stderr) go to one file.
    with log.open("ab") as out:
        server = subprocess.Popen(
            command, env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see {log}")
        try:
            if call(port, "GET", BARE_PATH, timeout=5).status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop_gunicorn(server)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_gunicorn(server: subprocess.Popen) -> None:
    server.terminate()  # SIGTERM to the master (its own pid): it stops its workers and exits
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    print(f"stopped gunicorn pid {server.pid}")


# --- 1. Signed webhooks -------------------------------------------------------------------------
def external_id(n: int) -> str:
    return f"wamid.BENCH{n:010d}"


def wa_payload(n: int, stamp: int) -> bytes:
    """A WhatsApp Cloud API notification with one text message from a sender no one else uses."""
    wa_id = f"62813{n:08d}"
    message = {
        "from": wa_id,
        "id": external_id(n),
        "timestamp": str(stamp),
        "type": "text",
        "text": {"body": TEXTS[n % len(TEXTS)]},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "628111000", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": NAMES[n % len(NAMES)]}, "wa_id": wa_id}],
        "messages": [message],
    }
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA-BENCH", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def hub_signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_signed(port: int, path: str, body: bytes, secret: str = APP_SECRET) -> int:
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": hub_signature(body, secret),
    }
    return call(port, "POST", path, body=body, headers=headers).status


def poster_factory(
    port: int,
    path: str,
    numbers: itertools.count,
    sink: list[tuple[int, int]],
    stamp: int,
    sent: dict[int, float] | None = None,
) -> Callable[[], Callable[[], None]]:
    """Clients that POST a new signed payload each; every (number, status) goes to ``sink``
    (status 0: the connection failed) and, with ``sent``, the wall time the POST started.
    ``next()``, ``append`` and a dict store are atomic under the GIL."""

    def make() -> Callable[[], None]:
        def work() -> None:
            n = next(numbers)
            if sent is not None:
                sent[n] = time.time()
            try:
                status = post_signed(port, path, wa_payload(n, stamp))
            except OSError:
                status = 0
            sink.append((n, status))

        return work

    return make


def ok_rate(phase: Phase, sink: list[tuple[int, int]], before: int) -> tuple[int, float]:
    ok = sum(1 for _, status in sink[before:] if status == 200)
    return ok, ok / phase.elapsed if phase.elapsed else 0.0


def report(phase: Phase, ok: int, rate: float, cores: float) -> None:
    busy = phase.cpu / phase.elapsed if phase.elapsed else 0.0
    print(
        f"{phase.name:12s}: {ok:5d} x 200 of {phase.done:5d} in {phase.elapsed:5.2f} s = "
        f"{rate:7.1f} req/s; client CPU {busy:.2f} of {cores:.0f} cores, "
        f"machine {phase.machine_busy:.0%} busy"
    )
    if phase.latencies:
        print(f"{'':12s}  latency {summary_ms(phase.latencies)}")
    for error in phase.errors:
        print(f"ERROR in {phase.name}: {error}")


def create_account(unit: Any) -> Any:
    from spkt.channels.models import ChannelAccount

    account = ChannelAccount(
        unit=unit,
        channel="whatsapp",
        name="WhatsApp bench",
        slug=SLUG,
        # No media in these payloads; a closed local port if anything tried to fetch some.
        config={"phone_number_id": PHONE_NUMBER_ID, "api_base": "http://127.0.0.1:9/v21.0"},
    )
    account.set_secrets(
        {"verify_token": "bench-verify", "app_secret": APP_SECRET, "access_token": "bench"}
    )
    account.save()
    return account


def queries_per_webhook(numbers: itertools.count, sink: list[tuple[int, int]], stamp: int) -> int:
    """Signed POSTs in this process (Django's test Client), to count the SQL queries of one: the
    second, once the account is cached as it is in the warm gunicorn workers."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        n = next(numbers)
        body = wa_payload(n, stamp)
        with CaptureQueriesContext(connection) as queries:
            response = Client().post(
                WEBHOOK_PATH,
                data=body,
                content_type="application/json",
                headers={"X-Hub-Signature-256": hub_signature(body)},
            )
        sink.append((n, response.status_code))
    # This process enqueues to its own queue, not the consumer's: process the payload here.
    from spkt.channels import inbound
    from spkt.channels.models import ChannelAccount

    inbound.process_account(ChannelAccount.objects.get(slug=SLUG).pk)
    return len(queries)


def start_consumer(env: dict[str, str], log: Path, nice: int) -> subprocess.Popen:
    command = [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "run_huey"]
    if nice:  # the deployment choice of answering webhooks before working off the backlog
        command = ["nice", "-n", str(nice), *command]
    with log.open("ab") as out:
        return subprocess.Popen(
            command, env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )


def wait_processed(timeout: float = 600.0) -> tuple[int, float]:
    """Wait until the consumer has processed every stored payload: (still pending, seconds)."""
    from spkt.channels.models import InboundPayload, InboundStatus

    start = time.monotonic()
    while True:
        pending = InboundPayload.objects.filter(status=InboundStatus.PENDING).count()
        if not pending or time.monotonic() - start > timeout:
            return pending, time.monotonic() - start
        time.sleep(0.25)


def visible_latencies(numbers: list[int], sent: dict[int, float]) -> list[float]:
    """Seconds from the start of each POST to its payload being processed (the contact visible)."""
    from spkt.channels.models import InboundPayload

    done = dict(
        InboundPayload.objects.filter(
            key__in=[f"id:{external_id(n)}" for n in numbers], processed_at__isnull=False
        ).values_list("key", "processed_at")
    )
    return [
        done[f"id:{external_id(n)}"].timestamp() - sent[n]
        for n in numbers
        if f"id:{external_id(n)}" in done and n in sent
    ]


def check_webhooks(
    port: int, unit: Any, sink: list[tuple[int, int]], bare_sink: list[tuple[int, int]], stamp: int
) -> bool:
    """Every 200 is exactly one contact with exactly its message and its Buku Mutasi entry;
    redelivered payloads and a wrong signature change nothing."""
    from django.db import connection

    from spkt.core import ledger
    from spkt.dutylog.models import Mutasi, MutasiCategory
    from spkt.intake.models import Contact, Message

    ok_numbers = [n for n, status in sink if status == 200]
    not_ok = Counter(status for _, status in sink if status != 200)
    expected = {external_id(n) for n in ok_numbers}

    def state() -> tuple[int, list[tuple[str, int]], int]:
        contacts = Contact.objects.filter(unit=unit, channel="whatsapp").count()
        rows = list(
            Message.objects.filter(contact__unit=unit, direction="in").values_list(
                "external_id", "contact_id"
            )
        )
        mutasi = Mutasi.objects.filter(
            unit=unit, category=MutasiCategory.LAPORAN_MASYARAKAT
        ).count()
        return contacts, rows, mutasi

    contacts, rows, mutasi = state()
    ids = [e for e, _ in rows]
    per_contact = Counter(c for _, c in rows)
    duplicated = len(ids) - len(set(ids))
    lost = expected - set(ids)
    unexpected = set(ids) - expected
    ok = (
        contacts == len(ok_numbers)
        and len(set(ok_numbers)) == len(ok_numbers)
        and not duplicated
        and not lost
        and not unexpected
        and set(per_contact.values()) <= {1}
        and len(per_contact) == contacts
        and mutasi == contacts
    )
    print(
        f"200 answers {len(ok_numbers)}, other answers {dict(not_ok) or 'none'}; contacts "
        f"{contacts}, messages {len(ids)}, Buku Mutasi entries {mutasi}; lost {len(lost)}, "
        f"duplicated {duplicated}, unexpected {len(unexpected)}: {'OK' if ok else 'MISMATCH'}"
    )

    # Providers deliver at least once: the same payloads again must be answered 200 and stored once.
    again = ok_numbers[:50]
    statuses = Counter(post_signed(port, WEBHOOK_PATH, wa_payload(n, stamp)) for n in again)
    forged = post_signed(port, WEBHOOK_PATH, wa_payload(10**9, stamp), secret=APP_SECRET + "-wrong")
    after = state()
    unchanged = after[0] == contacts and len(after[1]) == len(ids) and after[2] == mutasi
    redelivery_ok = statuses == Counter({200: len(again)}) and forged == 403 and unchanged
    print(
        f"redelivered {len(again)} payloads: answers {dict(statuses)}; wrong signature: {forged}; "
        f"contacts/messages/mutasi unchanged: {'yes' if unchanged else 'NO'}"
    )

    with connection.cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT body) FROM bench_bare")
        bare_rows, bare_distinct = cur.fetchone()
    bare_ok_count = sum(1 for _, status in bare_sink if status == 200)
    bare_ok = bare_rows == bare_ok_count == bare_distinct
    print(
        f"baseline: {bare_ok_count} x 200, {bare_rows} rows ({bare_distinct} distinct): "
        f"{'OK' if bare_ok else 'MISMATCH'}"
    )
    result = ledger.verify()
    print(
        f"ledger.verify(): {'OK' if result.ok else 'BROKEN: ' + str(result.first_break)} "
        f"({result.chains} chains, {result.entries} entries)"
    )
    return ok and redelivery_ok and bare_ok and result.ok


def paced_visible(
    args: argparse.Namespace,
    webhook: Callable[[], Callable[[], None]],
    sink: list[tuple[int, int]],
    sent: dict[int, float],
) -> None:
    """Webhooks at a rate the consumer keeps up with (4 clients, each pausing PACED_PAUSE s after
    a POST): the time to visible without a backlog. Context for the 16-client figure."""

    def make() -> Callable[[], None]:
        work = webhook()

        def paced() -> None:
            work()
            time.sleep(PACED_PAUSE)

        return paced

    before = len(sink)
    phase = run_clients("webhook paced", make, threads=4, seconds=args.seconds)
    numbers = [n for n, status in sink[before:] if status == 200]
    pending, waited = wait_processed()
    visible = visible_latencies(numbers, sent)
    rate = len(numbers) / phase.elapsed if phase.elapsed else 0.0
    if visible:
        print(
            f"POST to visible at {rate:.1f} req/s (4 paced clients, {len(visible)} webhooks): "
            f"p50 {percentile(visible, 50):.2f} s, p95 {percentile(visible, 95):.2f} s, "
            f"max {max(visible):.2f} s; drained {waited:.1f} s after, {pending} pending"
        )


def part_webhooks(args: argparse.Namespace, port: int, unit: Any) -> bool:
    from django.db import connection

    print(
        f"\n-- 1. signed WhatsApp webhooks, {args.threads} clients, {args.seconds:g} s each, "
        f"gunicorn -w {args.workers} --"
    )
    stamp = int(time.time())
    numbers = itertools.count(1)
    bare_numbers = itertools.count(10**8)
    sink: list[tuple[int, int]] = []
    bare_sink: list[tuple[int, int]] = []
    sent: dict[int, float] = {}
    webhook = poster_factory(port, WEBHOOK_PATH, numbers, sink, stamp, sent)
    bare = poster_factory(port, BARE_PATH, bare_numbers, bare_sink, stamp)
    sample = wa_payload(1, stamp)
    print(
        f"payload {len(sample)} bytes, one text message, new message id and sender each; "
        f"account {SLUG} of {unit.code}"
    )
    # Untimed: both workers import and warm every code path (URLs, templates, translations).
    for name, make, target in (
        ("warm bare", bare, bare_sink),
        ("warm hook", webhook, sink),
    ):
        warm = run_clients(name, make, threads=4, seconds=1.5)
        failed = [s for _, s in target if s != 200]
        if warm.errors or failed:
            print(f"ERROR while warming up {name}: {warm.errors or Counter(failed)}")
            return False
    print(f"queries per webhook (one in-process POST): {queries_per_webhook(numbers, sink, stamp)}")
    connection.close()
    paced_visible(args, webhook, sink, sent)

    # Timed, in this order: the baseline before and after the rest brackets any drift in the
    # machine (the two cores are shared with PostgreSQL and whatever else runs).
    cores = float(os.cpu_count() or 1)
    threads, seconds = args.threads, args.seconds
    plan = [
        ("bare INSERT", bare, bare_sink, threads, seconds),
        ("webhook", webhook, sink, threads, seconds),
        ("bare again", bare, bare_sink, threads, seconds),
        # Context: one client at a time, no queue in front of the workers: the cost of one request.
        ("bare x1", bare, bare_sink, 1, seconds / 4),
        ("webhook x1", webhook, sink, 1, seconds / 4),
    ]
    phases: dict[str, Phase] = {}
    rates: dict[str, float] = {}
    for name, make, target, n, secs in plan:
        before = len(target)
        phase = run_clients(name, make, threads=n, seconds=secs)
        ok, rates[name] = ok_rate(phase, target, before)
        report(phase, ok, rates[name], cores)
        phases[name] = phase
        if name == "webhook":
            under_load = [n for n, status in sink[before:] if status == 200]

    first, second = rates["bare INSERT"], rates["bare again"]
    base_rate = (first + second) / 2
    print(f"baseline: {first:.1f} before, {second:.1f} after, mean {base_rate:.1f} req/s")
    if abs(first - second) > 0.15 * base_rate:
        print("NOTE: the two baselines differ by more than 15%: the machine was not quiet")
    ratio = rates["webhook"] / base_rate if base_rate else 0.0
    print(f"ratio webhook/baseline: {ratio:.3f}")
    print(f"target ratio >= {TARGET_RATIO}: {'PASS' if ratio >= TARGET_RATIO else 'MISS'}")
    real, baseline = phases["webhook"], phases["bare INSERT"]
    print(
        f"p50/p95 per webhook: {percentile(real.latencies, 50) * 1000:.1f} / "
        f"{percentile(real.latencies, 95) * 1000:.1f} ms (baseline "
        f"{percentile(baseline.latencies, 50) * 1000:.1f} / "
        f"{percentile(baseline.latencies, 95) * 1000:.1f} ms)"
    )
    pending, waited = wait_processed()
    print(f"consumer: payloads processed {waited:.1f} s after the last phase; {pending} pending")
    visible = visible_latencies(under_load, sent)
    p95 = percentile(visible, 95) if visible else float("inf")
    if visible:
        print(
            f"POST to visible under {threads} clients ({len(visible)} of {len(under_load)}): "
            f"p50 {percentile(visible, 50):.2f} s, p95 {p95:.2f} s, max {max(visible):.2f} s"
        )
    from django.db.models import Count, Max, Min

    from spkt.channels.models import InboundPayload

    # From the first webhook of the 16-client phase on, the consumer always had a backlog.
    start = (
        InboundPayload.objects.filter(key=f"id:{external_id(min(under_load))}")
        .values_list("processed_at", flat=True)
        .first()
    )
    spread = InboundPayload.objects.filter(processed_at__gte=start).aggregate(
        n=Count("id"), first=Min("processed_at"), last=Max("processed_at")
    )
    if spread["n"] > 1:
        span = (spread["last"] - spread["first"]).total_seconds()
        print(
            f"consumer throughput with a backlog: {spread['n']} payloads in {span:.1f} s = "
            f"{spread['n'] / span:.1f}/s"
        )
    print(
        f"target p95 to visible <= {TARGET_VISIBLE_P95_S:g} s: "
        f"{'PASS' if p95 <= TARGET_VISIBLE_P95_S else 'MISS'}"
    )
    checked = check_webhooks(port, unit, sink, bare_sink, stamp)
    alone_ok = worker_alone(args.worker_alone, stamp)
    return checked and alone_ok and not pending and not any(p.errors for p in phases.values())


def worker_alone(n: int, stamp: int) -> bool:
    """The worker's own pace: ``n`` payloads stored with no task enqueued, then processed by one
    worker thread in this process (``inbound.process_account``) while gunicorn idles. What the
    consumer does per contact, without the webhooks competing for the cores."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from spkt.channels import inbound
    from spkt.channels.models import ChannelAccount, InboundPayload, InboundStatus

    if n <= 0:
        return True
    account = ChannelAccount.objects.get(slug=SLUG)
    first = 10**9  # numbers no client used

    def store(numbers: range) -> None:
        for i in numbers:
            body = wa_payload(i, stamp)
            inbound.store(account, inbound.key("whatsapp", json.loads(body), body), body)

    store(range(first, first + inbound.BATCH))
    with CaptureQueriesContext(connection) as queries:
        inbound.process_account(account.pk)
    per_contact = len(queries.captured_queries) / inbound.BATCH
    store(range(first + inbound.BATCH, first + inbound.BATCH + n))
    # The burst before left dirty pages and WAL behind: write them out first, so the figure is the
    # worker's and not a checkpoint's (a run without it measured half the rate).
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
    start, cpu = time.perf_counter(), time.process_time()
    done = inbound.process_account(account.pk)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    left = InboundPayload.objects.exclude(status=InboundStatus.DONE).count()
    print(
        f"worker alone (one thread in this process, gunicorn idle): {done} payloads in "
        f"{elapsed:.2f} s = {done / elapsed:.0f} contacts/s, {cpu / done * 1000:.1f} ms of its CPU "
        f"and {per_contact:.1f} SQL statements per contact (a batch of {inbound.BATCH}, its book "
        f"flush included); {left} not done"
    )
    return done == n and left == 0


# --- 2. The inbox with a million contacts -------------------------------------------------------
# Row i of generate_series(1, total) is one contact. Time runs with i over the last year, so the
# units' rows are interleaved in the heap as live intake writes them. Every ``every``-th row is
# the demo unit's (a busy station); the others cycle over the other units. All are closed except
# the demo unit's newest ``demo_open`` (the newest ``demo_waiting`` of them still unanswered, the
# rest answered and being handled) and the newest two of every other unit.
CONTACTS_SQL = """
INSERT INTO intake_contact (
    unit_id, channel, tracking_code, sender_name, sender_address, sender_key, subject, category,
    status, queue_ticket, received_at, first_response_due_at, first_response_at,
    first_response_by_id, breached_at, escalated_kapolsek_at, claimed_by_id, claimed_at,
    called_at, closed_at, outcome, outcome_document_id, possible_duplicate_of_id, linked_to_id,
    external_thread, updated_at)
SELECT unit_id, channel, tracking_code, sender_name, address,
    CASE WHEN address = '' THEN ''
         WHEN channel = 'email' THEN 'email:' || address
         WHEN channel IN ('whatsapp', 'sms', 'phone', 'web') THEN 'tel:62' || substr(address, 2)
         ELSE channel || ':' || address END,
    CASE WHEN channel IN ('email', 'web') THEN 'Pengaduan pelayanan' ELSE '' END,
    (ARRAY['informasi', 'kehilangan', 'laporan', 'bantuan', 'lainnya'])[1 + mod(i, 5)],
    status,
    CASE WHEN channel = 'walkin' THEN 'A-' || lpad((1 + mod(i, 99))::text, 2, '0') ELSE '' END,
    received_at, received_at + interval '5 minutes', answered_at,
    CASE WHEN demo AND answered_at IS NOT NULL THEN %(jaga)s::bigint END,
    CASE WHEN answered_at IS NULL AND received_at + interval '5 minutes' < %(now)s
              THEN received_at + interval '5 minutes'
         WHEN answered_at > received_at + interval '5 minutes'
              THEN received_at + interval '5 minutes' END,
    NULL,
    CASE WHEN demo AND status = 'answered' THEN %(jaga)s::bigint END,
    CASE WHEN demo AND status = 'answered' THEN answered_at END,
    CASE WHEN channel = 'walkin' THEN answered_at END,
    closed_at,
    CASE WHEN status = 'closed'
         THEN (ARRAY['info', 'sktlk', 'lp', 'field_help', 'referred'])[1 + mod(i, 5)]
         ELSE '' END,
    NULL, NULL, NULL,
    CASE WHEN channel IN ('whatsapp', 'telegram', 'sms', 'facebook') THEN address ELSE '' END,
    coalesce(closed_at, answered_at, received_at)
FROM (
    SELECT i, demo, unit_id, channel, status, received_at,
        'Z1' || lpad(upper(to_hex(mod(i * 2654435761, 4294967296))), 8, '0') AS tracking_code,
        CASE WHEN status <> 'open'
             THEN received_at + (1 + mod(i, 9)) * interval '1 minute' END AS answered_at,
        CASE WHEN status = 'closed'
             THEN received_at + (20 + mod(i, 90)) * interval '1 minute' END AS closed_at,
        CASE WHEN channel = 'walkin' THEN ''
             ELSE (%(names)s::text[])[1 + mod(i, %(n_names)s)] END AS sender_name,
        CASE channel WHEN 'walkin' THEN ''
             WHEN 'email' THEN 'warga' || mod(i, 600000) || '@mail.example'
             WHEN 'telegram' THEN (500000000 + mod(i, 600000))::text
             WHEN 'facebook' THEN 'psid' || mod(i, 600000)
             ELSE '0812' || lpad(mod(i, 600000)::text, 8, '0') END AS address
    FROM (
        SELECT i, d.demo,
            CASE WHEN d.demo THEN %(demo_unit)s::bigint
                 ELSE (%(others)s::bigint[])[1 + mod(i - i / %(every)s, %(n_others)s)]
                 END AS unit_id,
            (ARRAY['whatsapp', 'sms', 'walkin', 'phone', 'email', 'telegram', 'web', 'facebook'])
                [1 + mod(i / 3, 8)] AS channel,
            CASE WHEN d.demo AND i > %(total)s - %(demo_waiting)s * %(every)s THEN 'open'
                 WHEN d.demo AND i > %(total)s - %(demo_open)s * %(every)s THEN 'answered'
                 WHEN NOT d.demo AND i > %(total)s - 2 * %(n_others)s
                      THEN (ARRAY['open', 'answered'])[1 + mod(i, 2)]
                 ELSE 'closed' END AS status,
            %(now)s - (%(total)s - i) * %(step)s::interval AS received_at
        FROM generate_series(1, %(total)s) AS i
        CROSS JOIN LATERAL (SELECT mod(i, %(every)s) = 0 AS demo) AS d
    ) AS a
) AS b
"""
# One inbound message per contact, and the desk's reply on the channels it can answer on.
MESSAGES_SQL = """
INSERT INTO intake_message (
    contact_id, direction, body, at, author_id, public, external_id, delivery, warning)
SELECT id, 'in', (%(texts)s::text[])[1 + mod(id, %(n_texts)s)], received_at, NULL, true,
       CASE WHEN external_thread <> '' THEN 'bench.in.' || id ELSE '' END, 'received', ''
FROM intake_contact WHERE id > %(after)s
UNION ALL
SELECT id, 'out', 'Terima kasih, laporan Anda kami terima. Silakan datang ke SPKT membawa KTP.',
       first_response_at, first_response_by_id, true,
       CASE WHEN external_thread <> '' THEN 'bench.out.' || id ELSE '' END, 'read', ''
FROM intake_contact
WHERE id > %(after)s AND first_response_at IS NOT NULL
  AND channel IN ('sms', 'email', 'whatsapp', 'telegram', 'facebook')
"""


def create_units(count: int) -> list[int]:
    """``count`` more Polsek under a Polres of their own, through ``unit_create`` like the admin."""
    from django.db import transaction

    from spkt.org.models import UnitKind
    from spkt.org.services import unit_create

    with transaction.atomic():
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
        return [
            unit_create(
                parent=polres,
                code=f"bench-{i:04d}",
                name=f"Polsek Bench {i}",
                kind=UnitKind.POLSEK,
                number_name=f"POLSEK BENCH {i}",
                letterhead_name=f"SEKTOR BENCH {i}",
                city="Gorontalo",
            ).pk
            for i in range(count)
        ]


def bulk_load(
    database_url: str, *, total: int, demo_unit: int, others: list[int], jaga: int, args: Any
) -> None:
    from spkt.core import clock

    every = max(2, round(args.contacts / args.demo_contacts))
    params = {
        "total": total,
        "every": every,
        "demo_unit": demo_unit,
        "others": others,
        "n_others": len(others),
        "demo_open": args.demo_open,
        "demo_waiting": args.demo_waiting,
        "jaga": jaga,
        "now": clock.now(),
        "step": timedelta(days=365) / total,
        "names": list(NAMES),
        "n_names": len(NAMES),
        "texts": list(TEXTS),
        "n_texts": len(TEXTS),
    }
    with psycopg.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM intake_contact")
        params["after"] = cur.fetchone()[0]
        start = time.perf_counter()
        cur.execute(CONTACTS_SQL, params)
        contacts = cur.rowcount
        took_contacts = time.perf_counter() - start
        start = time.perf_counter()
        cur.execute(MESSAGES_SQL, params)
        messages = cur.rowcount
        took_messages = time.perf_counter() - start
        conn.commit()
    print(
        f"loaded {contacts:,} contacts in {took_contacts:.1f} s and {messages:,} messages in "
        f"{took_messages:.1f} s (INSERT ... SELECT generate_series, one transaction, every index "
        f"and foreign key in place)"
    )
    start = time.perf_counter()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE intake_contact")
        conn.execute("VACUUM ANALYZE intake_message")
    print(f"VACUUM ANALYZE intake_contact, intake_message in {time.perf_counter() - start:.1f} s")


def login(port: int) -> str:
    """Log in as the demo desk officer through the real form; returns the Cookie header."""
    form = call(port, "GET", "/masuk/")
    jar = SimpleCookie()
    for header in form.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)
    if form.status != 200 or found is None or "csrftoken" not in jar:
        raise RuntimeError(f"login form: HTTP {form.status}, no CSRF token")
    body = urlencode(
        {"username": "jaga", "password": PASSWORD, "csrfmiddlewaretoken": found.group(1).decode()}
    ).encode()
    answer = call(
        port,
        "POST",
        "/masuk/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={jar['csrftoken'].value}",
        },
    )
    for header in answer.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    if answer.status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"login as jaga: HTTP {answer.status}, no session")
    return "; ".join(f"{name}={jar[name].value}" for name in ("csrftoken", "sessionid"))


def time_get(
    port: int, path: str, headers: dict[str, str], *, runs: int, warmup: int, expect: int
) -> tuple[list[float], Reply]:
    reply = None
    samples: list[float] = []
    for i in range(warmup + runs):
        start = time.perf_counter()
        reply = call(port, "GET", path, headers=headers)
        took = time.perf_counter() - start
        if reply.status != expect:
            raise RuntimeError(f"GET {path} {headers}: HTTP {reply.status}, expected {expect}")
        if i >= warmup:
            samples.append(took)
    assert reply is not None
    return samples, reply


def explain(sql: str) -> tuple[float, str]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in cur.fetchall())
    found = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return (float(found.group(1)) if found else float("nan")), plan


def in_process_queries(
    user: Any, runs: int = 20
) -> tuple[dict[str, int], dict[str, tuple[float, float]], list[str], list[str]]:
    """Queries per request of each kind, from one in-process request after a warm-up; the median
    time of ``runs`` requests and of the SQL in them (the rest is Python: view and template);
    and the SQL of the full page and of the poll for EXPLAIN."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    htmx = {"HX-Request": "true"}
    counts: dict[str, int] = {}
    split: dict[str, tuple[float, float]] = {}
    sql: dict[str, list[str]] = {}
    client.get(INBOX_PATH)
    etag = client.get(INBOX_PATH, headers=htmx)["ETag"]
    for name, headers, status in (
        ("full page", {}, 200),
        ("HTMX partial", htmx, 200),
        ("304 poll", {**htmx, "If-None-Match": etag}, 304),
    ):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(INBOX_PATH, headers=headers)
        if response.status_code != status:
            raise RuntimeError(f"in-process {name}: HTTP {response.status_code}")
        counts[name] = len(queries)
        sql[name] = [q["sql"] for q in queries.captured_queries]
        totals, in_sql = [], []
        for _ in range(runs):
            spent = [0.0]

            def timer(execute, sql, params, many, context, spent=spent):
                start = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    spent[0] += time.perf_counter() - start

            with connection.execute_wrapper(timer):
                start = time.perf_counter()
                client.get(INBOX_PATH, headers=headers)
                totals.append(time.perf_counter() - start)
            in_sql.append(spent[0])
        split[name] = (percentile(totals, 50), percentile(in_sql, 50))
    return counts, split, sql["full page"], sql["304 poll"]


def part_inbox(args: argparse.Namespace, port: int, database_url: str, units: dict, users: dict):
    from spkt.intake import selectors
    from spkt.intake.models import Contact, Message, Status

    print(f"\n-- 2. the inbox page with {args.contacts:,} contacts --")
    start = time.perf_counter()
    others = create_units(args.units)
    print(
        f"created {len(others)} more Polsek with unit_create in {time.perf_counter() - start:.1f} s"
    )
    demo, jaga = units["kota-selatan"], users["jaga"]
    existing = Contact.objects.count()
    bulk_load(
        database_url,
        total=args.contacts - existing,
        demo_unit=demo.pk,
        others=others,
        jaga=jaga.pk,
        args=args,
    )
    total = Contact.objects.count()
    mine = Contact.objects.filter(unit=demo)
    not_closed = mine.exclude(status=Status.CLOSED).count()
    waiting = mine.filter(status=Status.OPEN, first_response_at=None).count()
    print(
        f"{total:,} contacts and {Message.objects.count():,} messages over "
        f"{Contact.objects.values('unit').distinct().count()} units; the demo unit "
        f"{demo.code}: {mine.count():,} contacts, {not_closed} not closed "
        f"({waiting} waiting for a first response)"
    )
    inbox = selectors.inbox(unit=demo)
    shown_waiting = len(inbox.waiting)
    print(
        f"inbox rows: {len(inbox.waiting) + len(inbox.handling)} (limit {selectors.INBOX_LIMIT}): "
        f"{shown_waiting} waiting, {len(inbox.handling)} being handled"
    )
    if shown_waiting < min(waiting, selectors.INBOX_LIMIT) or inbox.waiting_total != waiting:
        print(
            f"PROBLEM: the inbox shows {shown_waiting} of the {waiting} contacts still waiting for "
            f"a first response and counts {inbox.waiting_total}: a waiting contact is hidden "
            f"without a word."
        )
    elif inbox.waiting_hidden:
        print(
            f"the page shows the {shown_waiting} most urgent waiting contacts and says "
            f"{inbox.waiting_hidden} more wait"
        )

    cookie = login(port)
    print("timed through gunicorn over HTTP, logged in as jaga; one client, a new connection each")
    plain = {"Cookie": cookie}
    htmx = {"Cookie": cookie, "HX-Request": "true", "HX-Current-URL": INBOX_PATH}
    runs, warmup = args.runs, args.warmup
    bare, _ = time_get(port, BARE_PATH, plain, runs=runs, warmup=warmup, expect=200)
    page, full = time_get(port, INBOX_PATH, plain, runs=runs, warmup=warmup, expect=200)
    partial, rows = time_get(port, INBOX_PATH, htmx, runs=runs, warmup=warmup, expect=200)
    etag = rows.headers["ETag"]
    conditional = {**htmx, "If-None-Match": etag}
    polls, _ = time_get(port, INBOX_PATH, conditional, runs=runs, warmup=warmup, expect=304)
    shown = full.body.count(b"data-contact-id=")
    print(f"full page {len(full.body) / 1024:.0f} KiB with {shown} contact rows")
    print(f"baseline GET {BARE_PATH:13s} {summary_ms(bare)}")
    print(f"inbox page    {INBOX_PATH:13s} {summary_ms(page)}")
    print(f"HTMX partial  {INBOX_PATH:13s} {summary_ms(partial)}")
    print(f"304 poll      If-None-Match {summary_ms(polls)}")
    p95 = percentile(page, 95) * 1000
    verdict = "PASS" if p95 <= TARGET_PAGE_P95_MS else "MISS"
    print(f"target inbox page p95 <= {TARGET_PAGE_P95_MS:.0f} ms: {verdict} ({p95:.1f} ms)")

    counts, split, page_sql, poll_sql = in_process_queries(jaga)
    print(
        "SQL queries per request (in-process, Django test Client, once each): "
        + ", ".join(f"{name} {n}" for name, n in counts.items())
    )
    print(
        "in-process p50 (20 each), of which in SQL: "
        + ", ".join(
            f"{name} {total * 1000:.1f} ms / {db * 1000:.1f} ms"
            for name, (total, db) in split.items()
        )
    )
    # Every query of the page and the poll that reads contacts, timed by PostgreSQL itself.
    timed = [
        (*explain(sql), sql)
        for sql in dict.fromkeys(page_sql + poll_sql)
        if sql.lstrip().upper().startswith("SELECT") and "intake_" in sql
    ]
    print("EXPLAIN ANALYZE of the queries that read intake tables:")
    for ms, _, sql in timed:
        print(f"  {ms:7.2f} ms  {' '.join(sql.split())[:110]}")
    slowest = max(timed, key=lambda t: t[0]) if timed else None
    if slowest and (verdict == "MISS" or slowest[0] > 5 or args.plans):
        print(f"plan of the slowest ({slowest[0]:.2f} ms):\n{slowest[1]}")
    return verdict


# --- main ---------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="DATABASE_CONN_MAX_AGE for gunicorn (60 is the prod profile's default)",
    )
    parser.add_argument(
        "--consumer-nice", type=int, default=0, help="run the Huey consumer under nice -n N"
    )
    parser.add_argument(
        "--worker-alone", type=int, default=1000, help="payloads for the worker-alone phase"
    )
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=1000, help="Polsek besides the demo units")
    parser.add_argument("--demo-contacts", type=int, default=12_000)
    parser.add_argument("--demo-open", type=int, default=300, help="demo contacts not closed")
    parser.add_argument("--demo-waiting", type=int, default=60, help="of those, not answered")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--plans", action="store_true", help="print the slowest query's plan")
    parser.add_argument("--quick", action="store_true", help="2 s phases, 50,000 contacts")
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--db", default="spkt_bench_intake")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for inspection")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.contacts, args.units, args.runs = 2.0, 50_000, 100, 50
        args.worker_alone = 200

    return in_bench_database(args, "spkt-bench-intake-", run)


def run(args: argparse.Namespace, database_url: str, tmp: Path) -> int:
    started = time.perf_counter()
    # STATIC_ROOT does not exist outside a deployment; WhiteNoise says so on every start.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    boot_django(var_dir=tmp / "var", database_url=database_url)
    from django.db import connection

    print(
        f"== Contact intake on PostgreSQL: webhooks under gunicorn, the inbox at {args.contacts:,}"
    )
    print(f"{os.cpu_count()} cores; baseline = a bare Django view doing one INSERT, same server")
    assert connection.vendor == "postgresql"
    start = time.perf_counter()
    units, users = seed_demo()
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_bare (id bigserial PRIMARY KEY, body text NOT NULL)")
    unit = units[WEBHOOK_UNIT]
    create_account(unit)
    connection.close()
    print(f"migrated and seeded {args.db} in {time.perf_counter() - start:.1f} s")

    port = free_port()
    env = {
        **os.environ,  # boot_django set DATABASE_URL, SPKT_ENV=dev, SPKT_VAR_DIR, SPKT_LOG_LEVEL
        "DJANGO_DEBUG": "false",
        "SPKT_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_CONN_MAX_AGE": str(args.conn_max_age),
        "PYTHONUNBUFFERED": "1",
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
        "SPKT_REDIS_URL": REDIS_URL,
    }
    consumer = start_consumer(env, tmp / "huey.log", args.consumer_nice)
    print(
        f"huey consumer pid {consumer.pid} (run_huey, Redis {REDIS_URL}, nice {args.consumer_nice})"
    )
    log = tmp / "gunicorn.log"
    start = time.perf_counter()
    server = start_gunicorn(port, env, log, args.workers)
    print(
        f"gunicorn pid {server.pid} on 127.0.0.1:{port}, {args.workers} sync workers, "
        f"DEBUG off, CONN_MAX_AGE {args.conn_max_age}; up in {time.perf_counter() - start:.1f} s"
    )
    try:
        hooks_ok = part_webhooks(args, port, unit)
        part_inbox(args, port, database_url, units, users)
    except Exception:
        if log.exists():
            print("--- gunicorn log (tail) ---")
            print("\n".join(log.read_text(errors="replace").splitlines()[-30:]))
        raise
    finally:
        stop_gunicorn(server)
        consumer.terminate()  # SIGTERM: huey finishes its running tasks and exits
        try:
            consumer.wait(timeout=30)
        except subprocess.TimeoutExpired:
            consumer.kill()
            consumer.wait()
        print(f"stopped huey consumer pid {consumer.pid}")
        connection.close()
    markers = ("Traceback", "[ERROR]", "[CRITICAL]", "Internal Server Error")
    lines = log.read_text(errors="replace").splitlines()
    huey_log = tmp / "huey.log"
    if huey_log.exists():
        lines += huey_log.read_text(errors="replace").splitlines()
    errors = [line for line in lines if any(m in line for m in markers)]
    print(f"gunicorn and huey logs: {len(lines)} lines, {len(errors)} errors")
    for line in errors[:5]:
        print(f"  {line[:200]}")
    print(f"intake.py finished in {time.perf_counter() - started:.0f} s")
    return 0 if hooks_ok and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
