"""The public web form under gunicorn on PostgreSQL, side by side with django-helpdesk's public
ticket form at 250,000 existing tickets each, in the same run on the same machine; and the kiosk's
queue ticket, which keeps its synchronous path (ADR 0040).

Run: .venv/bin/python bench/webform.py [--threads 16] [--seconds 8] [--workers 2]
     [--tickets 250000] [--helpdesk-venv /tmp/spkt-bench-helpdesk-venv] [--no-helpdesk]
     [--quick] [--keep-db]

SPKT: creates (and at the end drops) ``spkt_bench_webform``, migrates, seeds the demo units and
people, bulk-loads ``--tickets`` contacts with their messages (bench/intake.py's SQL), starts
gunicorn (``--workers`` sync workers, bench/_bare_wsgi.py: the real app plus the bare one-INSERT
view ``/bench/bare/``) and a Huey consumer (``manage.py run_huey``, Redis), as in production.

django-helpdesk: a bench-only comparison, never committed. The script makes a throwaway venv
(``--helpdesk-venv``, reused when it already imports helpdesk), ``pip install django-helpdesk
gunicorn psycopg[binary]`` from PyPI, writes a minimal project into the temp dir (settings made
here: PostgreSQL, CONN_MAX_AGE 60, DEBUG off, e-mail to the dummy backend, so it pays no SMTP),
creates ``spkt_bench_webform_helpdesk``, migrates, makes one public queue and bulk-loads
``--tickets`` tickets with their opening follow-up, and serves it with gunicorn, the same number
of sync workers. If any of that fails the script says so and compares with the bare view only.

Clients are threads here; each fetches the form once (the CSRF cookie and token, as a browser
does), then POSTs multipart submissions on a new connection each, for ``--seconds``: 16 clients.
SPKT: each POST has a new idempotency token and a new ``X-Forwarded-For`` address (gunicorn
runs with SPKT_TRUSTED_PROXIES=1, as behind nginx), so the per-address rate limit (Redis) is paid
and never hit. Phases: helpdesk, SPKT, (SPKT's backlog worked off), helpdesk, SPKT; the ratio is
the mean of SPKT's two over the mean of helpdesk's two. The consumer works on the same two cores
during SPKT's phases, and is idle (its backlog done) during helpdesk's. Then, for context,
helpdesk following its redirect to the ticket page, and SPKT with the consumer's process stopped
(SIGSTOP by its pid; SIGCONT after): the form still answers, the backlog is filed afterwards.

Prints submissions/s (SPKT: 303 to the page with its tracking code; helpdesk: 302 to the ticket:
both Post/Redirect/Get), latency, and
"lost" for both: an accepted submission without exactly one ticket/contact afterwards. SPKT:
p50/p95 from the start of the POST to the contact being in the inbox (``processed_at`` of its
submission), at a paced rate the consumer keeps up with and for the 16-client phases. The kiosk:
16 clients and 1 client taking queue tickets (302 to the printed ticket); numbers must be 1..N.
Target: SPKT ≥ 5× helpdesk. A MISS prints and does not fail; a lost or duplicated submission, a
client error, an error in a server log or a crash makes the exit code non-zero.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import signal
import subprocess
import sys
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import psycopg
from _common import (
    Phase,
    boot_django,
    free_port,
    in_bench_database,
    percentile,
    recreate_database,
    run_clients,
    seed_demo,
    summary_ms,
)
from intake import (
    BARE_PATH,
    bulk_load,
    call,
    start_consumer,
    start_gunicorn,
    stop_gunicorn,
)

TARGET_RATIO = 5.0
UNIT = "kota-selatan"
FORM_PATH = f"/lapor/{UNIT}/pesan/"
KIOSK_PATH = f"/kontak/kios/{UNIT}/"
HD_FORM_PATH = "/tickets/submit/"
REDIS_URL = "redis://127.0.0.1:6379/14"  # this bench's own Redis database (queue, rate limits)
PACED_PAUSE = 0.1
TEXT = "Ada pohon tumbang menutup jalan di depan SD 5 Biawu, mohon dibantu petugas. Terima kasih."
CODE = re.compile(rb"data-code>([A-Z0-9]+)<")
DONE = re.compile(r"/pesan/terkirim/([A-Z0-9]+)/$")  # where SPKT's 303 sends the citizen
OK = 303  # SPKT's answer to a stored submission
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
HD_QUEUE = re.compile(rb'<option value="(\d+)"[^>]*>Bench</option>')


# --- HTTP -----------------------------------------------------------------------------------------
def multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    """A browser's multipart/form-data body (both forms have a file input, so browsers send it)."""
    boundary = "----spktbench" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def address(n: int) -> str:
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def form_session(port: int, path: str) -> tuple[str, str, bytes]:
    """GET the form as a browser does: (csrftoken cookie, the form's token, the page)."""
    page = call(port, "GET", path)
    jar = SimpleCookie()
    for header in page.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    found = CSRF_INPUT.search(page.body)
    if page.status != 200 or found is None or "csrftoken" not in jar:
        raise RuntimeError(f"GET {path}: HTTP {page.status}, no CSRF token")
    return jar["csrftoken"].value, found.group(1).decode(), page.body


def poster(
    port: int,
    path: str,
    fields: Callable[[int], dict[str, str]],
    numbers: itertools.count,
    sink: list[tuple[int, int, str]],
    sent: dict[int, float],
    answer: Callable[[Any], str],
    follow: bool = False,
) -> Callable[[], Callable[[], None]]:
    """Clients that fetch the form once, then POST a new submission each time; every (number,
    status, what the answer promised) goes to ``sink``, the wall time the POST started to ``sent``.
    With ``follow`` a redirect is followed as a browser does (the page that shows the ticket); a
    page that is not 200 is recorded with its status. ``next()``, ``append`` and a dict store are
    atomic under the GIL."""

    def make() -> Callable[[], None]:
        cookie, token, _ = form_session(port, path)

        def work() -> None:
            n = next(numbers)
            body, content_type = multipart({"csrfmiddlewaretoken": token, **fields(n)})
            sent[n] = time.time()
            try:
                reply = call(
                    port,
                    "POST",
                    path,
                    body=body,
                    headers={
                        "Content-Type": content_type,
                        "Cookie": f"csrftoken={cookie}",
                        "X-Forwarded-For": address(n),
                    },
                )
                status = reply.status
                if follow and status in (302, 303):
                    target = urlsplit(reply.headers["Location"])
                    page = call(port, "GET", f"{target.path}?{target.query}")
                    status = status if page.status == 200 else page.status
            except OSError:
                sink.append((n, 0, ""))
                return
            sink.append((n, status, answer(reply)))

        return work

    return make


def spkt_fields(n: int) -> dict[str, str]:
    return {
        "token": f"bench-{n:012d}-{'x' * 8}",
        "name": f"Warga Bench {n}",
        "reply_to": f"0813{n:08d}",
        "message": f"{TEXT} (#{n})",
    }


def spkt_answer(reply) -> str:
    found = DONE.search(reply.headers.get("Location", "")) if reply.status == OK else None
    return found.group(1) if found else ""


def bare_poster(port: int, numbers: itertools.count, sink: list) -> Callable:
    def make() -> Callable[[], None]:
        def work() -> None:
            n = next(numbers)
            body, content_type = multipart(spkt_fields(n))
            try:
                status = call(
                    port, "POST", BARE_PATH, body=body, headers={"Content-Type": content_type}
                ).status
            except OSError:
                status = 0
            sink.append((n, status, ""))

        return work

    return make


def report(phase: Phase, ok: int, cores: float, expect: str) -> float:
    rate = ok / phase.elapsed if phase.elapsed else 0.0
    busy = phase.cpu / phase.elapsed if phase.elapsed else 0.0
    print(
        f"{phase.name:16s}: {ok:5d} x {expect} of {phase.done:5d} in {phase.elapsed:5.2f} s = "
        f"{rate:7.1f} /s; client CPU {busy:.2f} of {cores:.0f} cores, "
        f"machine {phase.machine_busy:.0%} busy"
    )
    if phase.latencies:
        print(f"{'':16s}  latency {summary_ms(phase.latencies)}")
    for error in phase.errors:
        print(f"ERROR in {phase.name}: {error}")
    return rate


def timed(name, make, sink, status: int, args, cores, expect: str) -> tuple[float, Phase]:
    before = len(sink)
    phase = run_clients(name, make, threads=args.threads, seconds=args.seconds)
    ok = sum(1 for _, s, _ in sink[before:] if s == status)
    return report(phase, ok, cores, expect), phase


# --- SPKT's worker --------------------------------------------------------------------------------
def wait_processed(timeout: float = 600.0) -> tuple[int, float]:
    from spkt.channels.models import InboundStatus, WebSubmission

    start = time.monotonic()
    while True:
        pending = WebSubmission.objects.filter(status=InboundStatus.PENDING).count()
        if not pending or time.monotonic() - start > timeout:
            return pending, time.monotonic() - start
        time.sleep(0.25)


def visible(codes: dict[str, int], sent: dict[int, float]) -> list[float]:
    """Seconds from the start of each POST to its contact being in the inbox."""
    from spkt.channels.models import WebSubmission

    done = dict(
        WebSubmission.objects.filter(
            tracking_code__in=list(codes), processed_at__isnull=False
        ).values_list("tracking_code", "processed_at")
    )
    return [done[c].timestamp() - sent[n] for c, n in codes.items() if c in done and n in sent]


def queries_per_submission(unit: Any, sink: list[tuple[int, int, str]]) -> int:
    """One POST in this process (Django's test Client), to count its SQL queries. This process
    enqueues to its own queue, not the consumer's: its contact is made here."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from spkt.channels import webform

    client = Client()
    client.get(FORM_PATH)
    n = 10**9
    with CaptureQueriesContext(connection) as queries:
        reply = client.post(FORM_PATH, spkt_fields(n), REMOTE_ADDR="192.0.2.1")
    assert reply.status_code == OK, reply.status_code
    sink.append((n, OK, DONE.search(reply["Location"]).group(1)))
    webform.process_unit(unit.pk)
    return len(queries)


def check_spkt(port: int, unit: Any, sink: list[tuple[int, int, str]], since) -> bool:
    """Every 303 is exactly one web contact with the code it promised, its message and its Buku
    Mutasi entry; nothing else was made; a resent form is answered with its code, nothing new."""
    from spkt.channels.models import InboundStatus, WebSubmission
    from spkt.core import ledger
    from spkt.dutylog.models import Mutasi
    from spkt.intake.models import Contact, Message

    accepted = [(n, code) for n, status, code in sink if status == OK]
    not_ok = Counter(status for _, status, _ in sink if status != OK)
    promised = {code for _, code in accepted}
    made = list(
        Contact.objects.filter(unit=unit, channel="web", received_at__gte=since).values_list(
            "tracking_code", flat=True
        )
    )
    messages = Counter(
        Message.objects.filter(contact__tracking_code__in=promised, direction="in").values_list(
            "contact__tracking_code", flat=True
        )
    )
    lost = promised - set(made)
    duplicated = len(made) - len(set(made)) + sum(1 for c in messages.values() if c != 1)
    unexpected = set(made) - promised
    mutasi = Mutasi.objects.filter(unit=unit, text__contains="Formulir web").count()
    not_done = WebSubmission.objects.exclude(status=InboundStatus.DONE).count()
    ok = (
        len(promised) == len(accepted)
        and not lost
        and not duplicated
        and not unexpected
        and mutasi == len(made)
        and not not_done
    )
    print(
        f"SPKT: {OK} answers {len(accepted)} ({len(promised)} distinct codes), other answers "
        f"{dict(not_ok) or 'none'}; web contacts {len(made)}, Buku Mutasi entries {mutasi}, "
        f"submissions not done {not_done}; lost {len(lost)}, duplicated {duplicated}, "
        f"unexpected {len(unexpected)}: {'OK' if ok else 'MISMATCH'}"
    )
    # A double click or a resent form: the same token again is answered with the same code.
    again = accepted[:20]
    rows = WebSubmission.objects.count()
    cookie, token, _ = form_session(port, FORM_PATH)
    same = 0
    for n, code in again:
        body, content_type = multipart({"csrfmiddlewaretoken": token, **spkt_fields(n)})
        reply = call(
            port,
            "POST",
            FORM_PATH,
            body=body,
            headers={
                "Content-Type": content_type,
                "Cookie": f"csrftoken={cookie}",
                "X-Forwarded-For": address(n),
            },
        )
        same += spkt_answer(reply) == code
    unchanged = WebSubmission.objects.count() == rows
    print(
        f"SPKT: {len(again)} forms sent again: {same} answered with their code; nothing stored: "
        f"{'yes' if unchanged else 'NO'}"
    )
    result = ledger.verify()
    print(f"ledger.verify(): {'OK' if result.ok else 'BROKEN: ' + str(result.first_break)}")
    return ok and same == len(again) and unchanged and result.ok


def check_kiosk(unit: Any, answers: int, since) -> bool:
    from spkt.intake.models import Contact

    tickets = list(
        Contact.objects.filter(unit=unit, channel="walkin", received_at__gte=since).values_list(
            "queue_ticket", flat=True
        )
    )
    numbers = sorted(int(t.split("-", 1)[1]) for t in tickets)
    ok = numbers == list(range(1, answers + 1))
    print(
        f"kiosk: {answers} tickets printed, {len(tickets)} walk-in contacts, numbers "
        f"{'1..' + str(len(numbers)) + ' without gaps' if ok else 'WRONG'}: "
        f"{'OK' if ok else 'MISMATCH'}"
    )
    return ok


# --- django-helpdesk ------------------------------------------------------------------------------
HD_SETTINGS = '''"""Written by bench/webform.py for one run; not part of SPKT."""
SECRET_KEY = "bench-only-{key}"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "django.contrib.sites", "django.contrib.humanize", "rest_framework", "helpdesk",
]
SITE_ID = 1
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "hdbench.urls"
WSGI_APPLICATION = "hdbench.wsgi.application"
TEMPLATES = [{{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {{"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]}},
}}]
DATABASES = {{"default": {{
    "ENGINE": "django.db.backends.postgresql", "NAME": "{db}", "USER": "{user}",
    "HOST": "{host}", "PORT": "{port}", "CONN_MAX_AGE": 60,
}}}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "/static/"
USE_TZ = True
TIME_ZONE = "Asia/Makassar"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
LOGIN_URL = "/login/"
HELPDESK_TEAMS_MODE_ENABLED = False
LOGGING = {{
    "version": 1, "disable_existing_loggers": False,
    "handlers": {{"console": {{"class": "logging.StreamHandler"}}}},
    "root": {{"handlers": ["console"], "level": "WARNING"}},
}}
'''
HD_URLS = """from django.urls import include, path

urlpatterns = [
    path("", include("django.contrib.auth.urls")),
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
"""
HD_WSGI = """import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdbench.settings")
application = get_wsgi_application()
"""
# Ticket i of generate_series: spread over the last year, nine in ten closed; each with the
# follow-up the public form writes when a ticket is opened.
HD_TICKETS_SQL = """
INSERT INTO helpdesk_ticket (title, created, modified, submitter_email, status, on_hold,
    description, resolution, priority, due_date, last_escalation, assigned_to_id, queue_id,
    secret_key, kbitem_id, merged_to_id)
SELECT 'Laporan warga ' || i, now() - (%(total)s - i) * interval '2 minutes',
    now() - (%(total)s - i) * interval '2 minutes', 'warga' || i || '@mail.example',
    CASE WHEN mod(i, 10) = 0 THEN 1 ELSE 4 END, false, %(text)s, '', 3, NULL, NULL, NULL,
    %(queue)s, gen_random_uuid()::text, NULL, NULL
FROM generate_series(1, %(total)s) AS i
"""
HD_FOLLOWUPS_SQL = """
INSERT INTO helpdesk_followup (date, title, comment, public, new_status, ticket_id, user_id,
    message_id, time_spent, email_recipients)
SELECT created, 'Ticket Opened', description, true, NULL, id, NULL, NULL, NULL, NULL
FROM helpdesk_ticket
"""


def helpdesk_venv(path: Path) -> Path:
    python = path / "bin" / "python"
    probe = [str(python), "-c", "import helpdesk, gunicorn, psycopg"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        print(f"django-helpdesk venv {path} (reused)")
        return python
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(path)], check=True)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "django-helpdesk",
            "gunicorn",
            "psycopg[binary]",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    print(
        f"django-helpdesk venv {path}: installed from PyPI in {time.perf_counter() - start:.0f} s"
    )
    return python


def helpdesk_setup(args, tmp: Path) -> tuple[Path, str, dict[str, str]]:
    """The venv's python, the database URL and the environment of the helpdesk project."""
    python = helpdesk_venv(Path(args.helpdesk_venv))
    versions = subprocess.run(
        [
            str(python),
            "-c",
            "import django, importlib.metadata as m; "
            "print(m.version('django-helpdesk'), django.get_version())",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    print(f"django-helpdesk {versions[0]} on Django {versions[1]}")
    project = tmp / "helpdesk"
    (project / "hdbench").mkdir(parents=True)
    base = args.admin_url.rsplit("/", 1)[0]
    url = f"{base}/{args.helpdesk_db}"
    info = psycopg.conninfo.conninfo_to_dict(url)
    (project / "hdbench" / "__init__.py").write_text("")
    (project / "hdbench" / "settings.py").write_text(
        HD_SETTINGS.format(
            key=uuid.uuid4().hex,
            db=args.helpdesk_db,
            user=info.get("user", "postgres"),
            host=info.get("host", "127.0.0.1"),
            port=info.get("port", "5432"),
        )
    )
    (project / "hdbench" / "urls.py").write_text(HD_URLS)
    (project / "hdbench" / "wsgi.py").write_text(HD_WSGI)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(tmp)),
        "DJANGO_SETTINGS_MODULE": "hdbench.settings",
        "PYTHONPATH": str(project),
        "PYTHONUNBUFFERED": "1",
    }
    recreate_database(args.admin_url, args.helpdesk_db)
    start = time.perf_counter()
    subprocess.run(
        [str(python), "-m", "django", "migrate", "-v0"],
        env=env,
        cwd=project,
        check=True,
        capture_output=True,
    )
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO helpdesk_queue (title, slug, email_address, allow_public_submission, "
            "allow_email_submission, email_box_ssl, enable_notifications_on_email_events) "
            "VALUES ('Bench', 'bench', 'spkt@mail.example', true, false, false, false) "
            "RETURNING id"
        )
        queue = cur.fetchone()[0]
        cur.execute(HD_TICKETS_SQL, {"total": args.tickets, "text": TEXT, "queue": queue})
        tickets = cur.rowcount
        cur.execute(HD_FOLLOWUPS_SQL)
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE helpdesk_ticket")
        conn.execute("VACUUM ANALYZE helpdesk_followup")
    print(
        f"helpdesk: migrated {args.helpdesk_db}, one public queue, {tickets:,} tickets with their "
        f"follow-up, in {time.perf_counter() - start:.1f} s"
    )
    return python, url, env


def start_helpdesk(python: Path, env: dict[str, str], port: int, log: Path, workers: int):
    command = [
        str(python.parent / "gunicorn"),
        "hdbench.wsgi:application",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--error-logfile",
        "-",
        "--log-level",
        "warning",
    ]
    cwd = env["PYTHONPATH"]
    with log.open("ab") as out:
        server = subprocess.Popen(
            command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"helpdesk gunicorn exited with {server.returncode}; see {log}")
        try:
            if call(port, "GET", HD_FORM_PATH, timeout=5).status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop_gunicorn(server)
    raise RuntimeError("helpdesk gunicorn did not answer within 60 s")


def helpdesk_answer(reply) -> str:
    location = reply.headers.get("Location", "") if reply.status == 302 else ""
    found = re.search(r"ticket=([^&]+)", location)
    return found.group(1) if found else ""


def check_helpdesk(url: str, sink: list[tuple[int, int, str]]) -> bool:
    accepted = [(n, ticket) for n, status, ticket in sink if status == 302]
    not_ok = Counter(status for _, status, _ in sink if status != 302)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT title FROM helpdesk_ticket WHERE title LIKE 'Bench %%'")
        titles = [row[0] for row in cur.fetchall()]
    promised = {f"Bench {n}" for n, _ in accepted}
    lost = promised - set(titles)
    duplicated = len(titles) - len(set(titles))
    unexpected = set(titles) - promised
    ok = not lost and not duplicated and not unexpected
    print(
        f"helpdesk: 302 answers {len(accepted)}, other answers {dict(not_ok) or 'none'}; tickets "
        f"{len(titles)}; lost {len(lost)}, duplicated {duplicated}, unexpected {len(unexpected)}: "
        f"{'OK' if ok else 'MISMATCH'}"
    )
    return ok


# --- The run --------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers, each")
    parser.add_argument("--tickets", type=int, default=250_000, help="existing, on each side")
    parser.add_argument("--helpdesk-venv", default="/tmp/spkt-bench-helpdesk-venv")  # noqa: S108
    parser.add_argument("--no-helpdesk", action="store_true", help="the bare view only")
    parser.add_argument(
        "--consumer-nice",
        type=int,
        default=0,
        help="run the Huey consumer under nice -n N: answers first, the backlog after",
    )
    parser.add_argument("--quick", action="store_true", help="2 s phases, 20,000 tickets")
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--db", default="spkt_bench_webform")
    parser.add_argument("--helpdesk-db", default="spkt_bench_webform_helpdesk")
    parser.add_argument("--keep-db", action="store_true", help="leave the databases")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.tickets = 2.0, 20_000
    try:
        return in_bench_database(args, "spkt-bench-webform-", run)
    finally:
        if not args.keep_db and not args.no_helpdesk:
            recreate_database(args.admin_url, args.helpdesk_db, drop_only=True)
            print(f"dropped database {args.helpdesk_db}")


def run(args: argparse.Namespace, database_url: str, tmp: Path) -> int:
    started = time.perf_counter()
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    boot_django(var_dir=tmp / "var", database_url=database_url)
    import redis
    from django.db import connection

    from spkt.core import clock
    from spkt.org.models import Unit, UnitKind, User

    cores = float(os.cpu_count() or 1)
    print(
        f"== The public web form on PostgreSQL under gunicorn -w {args.workers}, "
        f"{args.threads} clients, {args.tickets:,} existing tickets each side; {cores:.0f} cores"
    )
    start = time.perf_counter()
    seed_demo()
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_bare (id bigserial PRIMARY KEY, body text NOT NULL)")
    unit = Unit.objects.get(code=UNIT)
    others = list(
        Unit.objects.filter(kind=UnitKind.POLSEK).exclude(pk=unit.pk).values_list("pk", flat=True)
    )
    jaga = User.objects.get(username="jaga").pk
    print(f"migrated and seeded {args.db} in {time.perf_counter() - start:.1f} s")
    shape = SimpleNamespace(
        contacts=args.tickets, demo_contacts=args.tickets // 2, demo_open=300, demo_waiting=60
    )
    bulk_load(
        database_url, total=args.tickets, demo_unit=unit.pk, others=others, jaga=jaga, args=shape
    )
    connection.close()
    redis.Redis.from_url(REDIS_URL).flushdb()  # this bench's own database: no stale tasks

    port = free_port()
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "SPKT_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_CONN_MAX_AGE": "60",
        "PYTHONUNBUFFERED": "1",
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
        "SPKT_REDIS_URL": REDIS_URL,
        "SPKT_TRUSTED_PROXIES": "1",
    }
    consumer = start_consumer(env, tmp / "huey.log", args.consumer_nice)
    server = start_gunicorn(port, env, tmp / "gunicorn.log", args.workers)
    print(
        f"SPKT: gunicorn pid {server.pid} on :{port}, huey consumer pid {consumer.pid} "
        f"(run_huey, 2 threads, nice {args.consumer_nice})"
    )
    helpdesk = hd_port = hd_url = None
    if not args.no_helpdesk:
        try:
            python, hd_url, hd_env = helpdesk_setup(args, tmp)
            hd_port = free_port()
            helpdesk = start_helpdesk(python, hd_env, hd_port, tmp / "helpdesk.log", args.workers)
            print(f"helpdesk: gunicorn pid {helpdesk.pid} on :{hd_port}")
        except Exception as exc:  # the comparison falls back to the bare view
            print(
                f"NOTE: django-helpdesk could not be set up ({type(exc).__name__}: {exc}); "
                "comparing with the bare one-INSERT view only"
            )
            helpdesk = None
    ok = True
    try:
        ok = measure(args, port, hd_port, hd_url, unit, cores, clock, consumer)
    finally:
        stop_gunicorn(server)
        if helpdesk is not None:
            stop_gunicorn(helpdesk)
        consumer.terminate()
        try:
            consumer.wait(timeout=30)
        except subprocess.TimeoutExpired:
            consumer.kill()
            consumer.wait()
        print(f"stopped huey consumer pid {consumer.pid}")
        connection.close()
    markers = ("Traceback", "[ERROR]", "[CRITICAL]", "Internal Server Error")
    for name in ("gunicorn.log", "huey.log", "helpdesk.log"):
        path = tmp / name
        lines = path.read_text(errors="replace").splitlines() if path.exists() else []
        bad = [line for line in lines if any(m in line for m in markers)]
        if bad:
            ok = False
            print(f"ERROR: {len(bad)} error line(s) in {name}:")
            print("\n".join(lines[-30:]))
    print(f"\ntotal {time.perf_counter() - started:.0f} s; {'OK' if ok else 'FAILED'}")
    return 0 if ok else 1


def measure(args, port: int, hd_port, hd_url, unit, cores: float, clock, consumer) -> bool:
    from django.db import connection

    since = clock.now()
    numbers = itertools.count(1)
    sink: list[tuple[int, int, str]] = []
    sent: dict[int, float] = {}
    spkt = poster(port, FORM_PATH, spkt_fields, numbers, sink, sent, spkt_answer)
    # What the citizen waits for, as for helpdesk below: the redirect and the page with the code.
    spkt_page = poster(port, FORM_PATH, spkt_fields, numbers, sink, sent, spkt_answer, True)
    bare_sink: list[tuple[int, int, str]] = []
    bare = bare_poster(port, itertools.count(10**8), bare_sink)
    hd_sink: list[tuple[int, int, str]] = []
    hd = None
    if hd_port is not None:
        _, _, page = form_session(hd_port, HD_FORM_PATH)
        queue = HD_QUEUE.search(page)
        if queue is None:
            raise RuntimeError("helpdesk form: no public queue 'Bench'")

        def hd_fields(n: int) -> dict[str, str]:
            return {
                "queue": queue.group(1).decode(),
                "title": f"Bench {n}",
                "body": f"{TEXT} (#{n})",
                "priority": "3",
                "due_date": "",
                "submitter_email": f"warga{n}@mail.example",
            }

        hd_numbers = itertools.count(1)
        hd = poster(hd_port, HD_FORM_PATH, hd_fields, hd_numbers, hd_sink, {}, helpdesk_answer)
        # What the citizen waits for: helpdesk answers 302 and shows the ticket on the next page,
        # SPKT shows the code in its answer.
        hd_page = poster(
            hd_port, HD_FORM_PATH, hd_fields, hd_numbers, hd_sink, {}, helpdesk_answer, True
        )

    print("\n-- warm-up (untimed): 4 clients, 1.5 s each --")
    for name, make, target, want in (
        ("warm SPKT", spkt, sink, OK),
        ("warm bare", bare, bare_sink, 200),
        *((("warm helpdesk", hd, hd_sink, 302),) if hd else ()),
    ):
        warm = run_clients(name, make, threads=4, seconds=1.5)
        failed = Counter(s for _, s, _ in target if s != want)
        if warm.errors or failed:
            print(f"ERROR while warming up {name}: {warm.errors or failed}")
            return False
    print(
        "SQL queries per SPKT submission (one in-process POST): "
        f"{queries_per_submission(unit, sink)}"
    )
    connection.close()
    wait_processed()

    print(f"\n-- time to the inbox at a paced rate (4 clients, {PACED_PAUSE} s pause) --")
    before = len(sink)

    def paced() -> Callable[[], None]:
        work = spkt()

        def step() -> None:
            work()
            time.sleep(PACED_PAUSE)

        return step

    phase = run_clients("paced SPKT", paced, threads=4, seconds=args.seconds)
    report(phase, sum(1 for _, s, _ in sink[before:] if s == OK), cores, str(OK))
    pending, waited = wait_processed()
    paced_codes = {code: n for n, s, code in sink[before:] if s == OK}
    latencies = visible(paced_codes, sent)
    if latencies:
        print(
            f"submit to inbox: p50 {percentile(latencies, 50):.3f} s, p95 "
            f"{percentile(latencies, 95):.3f} s, max {max(latencies):.3f} s (n={len(latencies)})"
        )

    print(f"\n-- {args.threads} clients, {args.seconds:g} s each --")
    bare_rate, _ = timed("bare one-INSERT", bare, bare_sink, 200, args, cores, "200")
    rates: dict[str, list[float]] = {"SPKT": [], "helpdesk": []}
    loaded: list[int] = []
    for _round in range(2):
        if hd:
            rate, _ = timed("helpdesk form", hd, hd_sink, 302, args, cores, "302")
            rates["helpdesk"].append(rate)
        before = len(sink)
        rate, _ = timed("SPKT form", spkt, sink, OK, args, cores, str(OK))
        rates["SPKT"].append(rate)
        loaded.extend(range(before, len(sink)))
        pending, waited = wait_processed()
        print(f"{'':16s}  backlog worked off {waited:.1f} s after the phase; pending {pending}")
        if pending:
            return False
    page_rate = None
    if hd:
        page_rate, _ = timed("helpdesk + page", hd_page, hd_sink, 302, args, cores, "302")
    spkt_page_rate, _ = timed("SPKT + page", spkt_page, sink, OK, args, cores, str(OK))
    pending, waited = wait_processed()
    if pending:
        return False
    # The worker down (its process stopped by its pid): the form still accepts and answers; the
    # backlog becomes contacts when it comes back. Also what answering alone costs.
    consumer.send_signal(signal.SIGSTOP)
    try:
        stopped_rate, _ = timed("SPKT, no worker", spkt, sink, OK, args, cores, str(OK))
    finally:
        consumer.send_signal(signal.SIGCONT)
    pending, waited = wait_processed()
    print(f"{'':16s}  worker resumed: backlog worked off in {waited:.1f} s; pending {pending}")
    if pending:
        return False
    codes = {sink[i][2]: sink[i][0] for i in loaded if sink[i][1] == OK}
    latencies = visible(codes, sent)
    if latencies:
        print(
            f"SPKT submit to inbox under {args.threads} clients: p50 "
            f"{percentile(latencies, 50):.2f} s, p95 {percentile(latencies, 95):.2f} s, max "
            f"{max(latencies):.2f} s (n={len(latencies)})"
        )

    print("\n-- one client, 2 s each (the cost of one submission, no queue) --")
    solo = argparse.Namespace(threads=1, seconds=2.0)
    timed("1 SPKT form", spkt, sink, OK, solo, cores, str(OK))
    wait_processed()
    timed("1 bare", bare, bare_sink, 200, solo, cores, "200")
    if hd:
        timed("1 helpdesk form", hd, hd_sink, 302, solo, cores, "302")

    print("\n-- the kiosk's queue ticket (synchronous: number and contact at once) --")
    kiosk_sink: list[tuple[int, int, str]] = []

    def kiosk() -> Callable[[], None]:
        cookie, token, _ = form_session(port, KIOSK_PATH)

        def work() -> None:
            n = next(kiosk_numbers)
            body = f"csrfmiddlewaretoken={token}".encode()
            try:
                reply = call(
                    port,
                    "POST",
                    KIOSK_PATH,
                    body=body,
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": f"csrftoken={cookie}",
                        "X-Forwarded-For": address(5_000_000 + n),
                    },
                )
            except OSError:
                kiosk_sink.append((n, 0, ""))
                return
            kiosk_sink.append((n, reply.status, reply.headers.get("Location", "")))

        return work

    kiosk_numbers = itertools.count(1)
    kiosk_since = clock.now()
    timed("kiosk", kiosk, kiosk_sink, 302, args, cores, "302")
    timed("1 kiosk", kiosk, kiosk_sink, 302, solo, cores, "302")

    print("\n-- checks --")
    checked = check_spkt(port, unit, sink, since)
    checked &= check_kiosk(unit, sum(1 for _, s, _ in kiosk_sink if s == 302), kiosk_since)
    if hd:
        checked &= check_helpdesk(hd_url, hd_sink)
    bare_ok = sum(1 for _, s, _ in bare_sink if s == 200)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM bench_bare")
        rows = cur.fetchone()[0]
    print(f"bare: {bare_ok} x 200, {rows} rows: {'OK' if rows == bare_ok else 'MISMATCH'}")
    checked &= rows == bare_ok

    print("\n-- result --")
    spkt_rate = sum(rates["SPKT"]) / len(rates["SPKT"])
    print(
        f"SPKT web form: {spkt_rate:.1f} submissions/s (phases "
        f"{', '.join(f'{r:.1f}' for r in rates['SPKT'])})"
    )
    print(f"bare one-INSERT view: {bare_rate:.1f} req/s; SPKT/bare {spkt_rate / bare_rate:.2f}x")
    print(
        f"SPKT answering with its worker stopped: {stopped_rate:.1f}/s "
        f"({stopped_rate / bare_rate:.2f}x bare; the backlog processed after, none lost)"
    )
    if rates["helpdesk"]:
        hd_rate = sum(rates["helpdesk"]) / len(rates["helpdesk"])
        ratio = spkt_rate / hd_rate if hd_rate else float("inf")
        verdict = "PASS" if ratio >= TARGET_RATIO else "MISS"
        print(
            f"django-helpdesk public form: {hd_rate:.1f} submissions/s (phases "
            f"{', '.join(f'{r:.1f}' for r in rates['helpdesk'])})"
        )
        print(f"SPKT / helpdesk: {ratio:.2f}x (target >= {TARGET_RATIO:g}x): {verdict}")
        print(
            f"for context, SPKT with its worker stopped / helpdesk: {stopped_rate / hd_rate:.2f}x"
        )
        if page_rate:
            print(
                f"with the page each citizen is sent to (redirect followed, both sides): SPKT "
                f"{spkt_page_rate:.1f}/s, helpdesk {page_rate:.1f}/s: "
                f"{spkt_page_rate / page_rate:.2f}x"
            )
    else:
        print("django-helpdesk not measured: see the NOTE above")
    return checked


if __name__ == "__main__":
    sys.exit(main())
