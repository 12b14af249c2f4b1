"""Documents in one run: PDF render time per document type, LP-B and SKTLK issuance throughput on
PostgreSQL, and the desk's SKTLK-from-pre-registration flow in a real browser, each with the
baseline measured in the same run.

Run: .venv/bin/python bench/documents.py [--part all|render|issue|desk] [--warmup 15] [--runs 200]
     [--threads 16] [--seconds 8] [--keep-db]

Each part runs in its own Python process (``--part all``, the default, starts them in turn),
because Django reads its settings once: the render part uses a throwaway SQLite database, the
issuance part a throwaway PostgreSQL database, and the desk part a live ``runserver`` on SQLite.

1. render: issues a real SKTLK, LP model A, LP model B (long, several pages) and its STTLP through
   the services, then times ``spkt.core.pdf.render_pdf`` on copies of their snapshots that differ
   in every iteration (number, names, QR token, and for the LP the account and witnesses), so
   Typst's memoisation cannot serve cached output. Pages are counted with pypdf after timing.
   Baseline: a one-line Typst document. Target: p95 ≤ 20 ms a page.
2. issue: 16 threads on one unit. Baseline: the bare locked-counter insert of issuance_pg.py.
   Then ``lp_issue`` on model-B drafts saved and reviewed beforehand (each call issues the LP and
   its STTLP), then ``sktlk_issue``. Afterwards LP-B, STTLP and SKTLK numbers must each be 1..N
   and ``ledger.verify()`` must be OK.
3. desk: migrate + seed_demo into a temp dir, start ``manage.py runserver``, then in headless
   Chromium a citizen pre-registers an SKTLK on the portal and the desk officer issues it from the
   code. Counts what the officer types and clicks, and the officer's wall time (machine time only:
   no human reading or typing). Target: ≤ 15 fields typed.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from _common import (
    ROOT,
    Exhausted,
    Phase,
    boot_django,
    citizen,
    in_bench_database,
    percentile,
    run_clients,
    seed_demo,
    summary_ms,
)

TARGET_PAGE_P95_MS = 20.0
TARGET_RATIO = 0.7  # issuance_pg.py's target, per issuing call
TARGET_FIELDS_TYPED = 15
PASSWORD = "spkt-demo-2026"  # noqa: S105 (the documented demo password, spkt.demo.DEMO_PASSWORD)
NAMES = (
    "RAHMA SULEMAN",
    "HENDRA PAKAYA",
    "FITRI USMAN",
    "YAMIN OLII",
    "MOH. RIZKY ABDUL HAMID DUNGGIO",
    "SITI NURHAYATI LAMADJIDO",
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# --- Realistic LP content ------------------------------------------------------------------------
# A long model-B report: several paragraphs, two suspects, four witnesses, a list of evidence.
# ``{n}`` varies per render so that no paragraph is the same from one render to the next.
ACCOUNT_B = (
    "Pada hari Senin sekitar pukul 02.{n2} WITA pelapor terbangun karena mendengar suara pintu "
    "belakang rumahnya di Jl. Sultan Botutihe No. 12, Kelurahan Biawu, dibuka secara paksa. "
    "Pelapor keluar dari kamar dan melihat dua orang laki-laki yang tidak dikenal membawa tas "
    "ransel berwarna hitam keluar melalui pintu dapur menuju lorong samping rumah.",
    "Pelapor berteriak meminta tolong sehingga tetangga pelapor, saudara Rizal Kadir dan saudari "
    "Nurul Hulalata, keluar dari rumah masing-masing. Kedua orang tersebut melarikan diri dengan "
    "sepeda motor jenis Honda Beat warna hitam tanpa pelat nomor ke arah Jl. Nani Wartabone. "
    "Salah satu pelaku bertubuh kurus, tinggi sekitar 170 cm, memakai jaket hoodie abu-abu.",
    "Setelah diperiksa, pelapor mendapati laci lemari di kamar depan telah dibongkar dan barang "
    "yang hilang berupa satu unit laptop merek Asus warna abu-abu, dua buah telepon genggam merek "
    "Samsung dan Oppo, perhiasan emas berupa kalung dan dua cincin seberat kurang lebih 15 gram, "
    "serta uang tunai sebesar Rp {amount} yang disimpan di dalam amplop cokelat.",
    "Kunci gembok pintu belakang ditemukan dalam keadaan rusak dan tergeletak di teras belakang. "
    "Di halaman belakang ditemukan bekas jejak kaki pada tanah yang basah setelah hujan serta "
    "sebatang besi linggis sepanjang kurang lebih 60 cm yang diduga dipakai untuk mencongkel "
    "pintu. Pelapor tidak menyentuh barang tersebut sampai petugas datang ke tempat kejadian.",
    "Saksi saudara Andi Podungge, penjaga kios di ujung lorong, menerangkan bahwa sejak pukul "
    "23.{n2} WITA malam sebelumnya ia melihat sepeda motor dengan ciri yang sama berhenti beberapa "
    "kali di depan rumah pelapor. Rekaman kamera pengawas (CCTV) milik kios tersebut telah "
    "disalin oleh pelapor ke dalam sebuah flashdisk dan diserahkan kepada petugas.",
    "Atas kejadian tersebut pelapor mengalami kerugian materiil yang ditaksir sebesar "
    "Rp {loss} dan tidak mengalami luka. Pelapor merasa keberatan dan melaporkan kejadian ini ke "
    "SPKT Polsek Kota Selatan guna pengusutan lebih lanjut sesuai hukum yang berlaku.",
)
WITNESSES_B = [
    ("Rizal Kadir", "Gorontalo, 05-05-1988", "Wiraswasta", "Jl. Sultan Botutihe No. 14, Biawu"),
    ("Nurul Hulalata", "Limboto, 11-08-1994", "Guru", "Jl. Sultan Botutihe No. 10, Biawu"),
    ("Andi Podungge", "Gorontalo, 02-02-1998", "Pedagang", "Jl. Sultan Botutihe No. 2, Biawu"),
    ("Sari Mohamad", "Tilamuta, 15-07-1989", "Ibu rumah tangga", "Jl. Sultan Botutihe 8, Biawu"),
]
EVIDENCE_B = [
    "1 (satu) buah gembok merek Solid dalam keadaan rusak",
    "1 (satu) batang besi linggis panjang ±60 cm",
    "1 (satu) buah flashdisk 16 GB berisi salinan rekaman CCTV",
    "1 (satu) lembar foto kotak laptop Asus dengan nomor seri",
    "1 (satu) lembar nota pembelian perhiasan emas",
]
ACCOUNT_A = (
    "Pada saat melaksanakan patroli rutin sekitar pukul 01.{n2} WITA, anggota piket SPKT "
    "menemukan satu unit sepeda motor Yamaha Mio warna merah tanpa pelat nomor ditinggalkan di "
    "bahu Jl. Nani Wartabone dengan kunci kontak dalam keadaan rusak.",
    "Setelah dilakukan pengecekan nomor rangka dan nomor mesin, kendaraan tersebut tercatat "
    "dilaporkan hilang pada {n} hari sebelumnya. Sepeda motor diamankan ke Mapolsek Kota Selatan "
    "guna penyelidikan lebih lanjut.",
)


def lp_content_b(pasal: list, i: int, *, now: datetime) -> Any:
    from spkt.documents.lp import LpContent

    return LpContent(
        model="B",
        classification="Kejahatan",
        event_when=now - timedelta(hours=6),
        event_where="Jl. Sultan Botutihe No. 12, Kelurahan Biawu, Kecamatan Kota Selatan",
        event_what="Pencurian dengan pemberatan di rumah tinggal",
        account="\n\n".join(
            p.format(n2=f"{i % 60:02d}", amount=f"{2_500_000 + i:,}", loss=f"{31_000_000 + i:,}")
            for p in ACCOUNT_B
        ),
        citizen=citizen(i, "Sri Wahyuni Hasan"),  # citizen() gives a woman's identity
        reported=[
            {"name": "Belum diketahui (laki-laki, kurus, ±170 cm, hoodie abu-abu)"},
            {"name": "Belum diketahui (laki-laki, berboncengan)"},
        ],
        victims=[
            {
                "name": "Sri Wahyuni Hasan",
                "birth": "Gorontalo, 15-06-1985",
                "gender": "Perempuan",
                "occupation": "Pedagang",
                "address": "Jl. Sultan Botutihe No. 12, Biawu",
            }
        ],
        witnesses=[
            {"name": n, "birth": b, "occupation": o, "address": a, "contact": f"0813{i:08d}"}
            for n, b, o, a in WITNESSES_B
        ],
        evidence=EVIDENCE_B,
        offences=pasal,
    )


# --- Part 1: render ------------------------------------------------------------------------------
@dataclass
class RenderCase:
    label: str
    template: str
    doc: Any
    mutate: Callable[[dict, int], None]
    times: list[float] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    memo: list[float] = field(default_factory=list)
    first: float = 0.0


def renumber(number: str, seq: int, new: int) -> str:
    """Replace the sequence part of an issued number (the first path segment equal to ``seq``)."""
    parts = number.split("/")
    parts[parts.index(str(seq))] = str(new)
    return "/".join(parts)


def render_inputs(case: RenderCase, count: int) -> list[dict]:
    """``count`` render inputs through the real document_render_data, each with its own data."""
    from spkt.documents.models import Document
    from spkt.documents.services import document_render_data, verify_url

    doc = case.doc
    out = []
    for i in range(count):
        snap = deepcopy(doc.snapshot)
        snap["number"] = renumber(doc.number, doc.seq, doc.seq + 1 + i)
        snap["verify_url"] = verify_url(secrets.token_urlsafe(16))
        case.mutate(snap, i)
        out.append(document_render_data(Document(snapshot=snap)))
    assert len({v["qr_svg"] for v in out}) == count
    return out


def mutate_sktlk(snap: dict, i: int) -> None:
    snap["reporter"]["name"] = f"{NAMES[i % len(NAMES)]} {i}"
    snap["chronology"] = (
        f"Dompet terjatuh saat berbelanja di los ikan sekitar pukul 09.{i % 60:02d}."
    )


def mutate_lp(account: tuple[str, ...]) -> Callable[[dict, int], None]:
    def mutate(snap: dict, i: int) -> None:
        name = f"{NAMES[i % len(NAMES)]} {i}"
        snap["reporter"]["name"] = snap["reporter_sign_name"] = name
        snap["account"] = "\n\n".join(
            p.format(
                n=i, n2=f"{i % 60:02d}", amount=f"{2_500_000 + i:,}", loss=f"{31_000_000 + i:,}"
            )
            for p in account
        )
        for j, person in enumerate(snap["witnesses"]):
            person["contact"] = f"0813{i:04d}{j:04d}"

    return mutate


def mutate_sttlp(lp: Any) -> Callable[[dict, int], None]:
    def mutate(snap: dict, i: int) -> None:
        snap["reporter"]["name"] = f"{NAMES[i % len(NAMES)]} {i}"
        snap["lp_number"] = renumber(lp.number, lp.seq, lp.seq + 1 + i)
        snap["account_short"] = f"({i}) " + snap["account_short"][: 390 - len(str(i))]

    return mutate


def issue_render_samples(units: dict, users: dict) -> dict[str, Any]:
    """A real SKTLK, LP-A, LP-B and STTLP issued through the services on the throwaway DB."""
    from spkt.core import clock
    from spkt.core.timeutil import today
    from spkt.documents.lp import LpContent, lp_draft_save, lp_issue, lp_review
    from spkt.documents.models import Pasal
    from spkt.documents.services import LostItem, sktlk_issue
    from spkt.org.models import Personnel

    unit, jaga, reskrim = units["kota-selatan"], users["jaga"], users["reskrim"]
    pasal = list(Pasal.objects.filter(book="KUHP_2023", article__in=["476", "477"]))
    assert len(pasal) == 2, "Pasal rows missing: the migration loads spkt/documents/data/pasal.json"
    sktlk = sktlk_issue(
        actor=jaga,
        unit=unit,
        citizen=citizen(0),
        items=[
            LostItem(kind="KTP", papers_checked=True),
            LostItem(kind="ATM", details="BRI", papers_checked=True),
            LostItem(kind="SIM", details="SIM C", papers_checked=True),
        ],
        lost_on=today() - timedelta(days=1),
        lost_place="Pasar Sentral, Biawu",
        chronology="Dompet terjatuh saat berbelanja di los ikan sekitar pukul 09.00.",
        idempotency_key="bench-docs-sktlk",
    )
    now = clock.now()
    draft_a = lp_draft_save(
        actor=jaga,
        unit=unit,
        content=LpContent(
            model="A",
            classification="Kejahatan",
            event_when=now - timedelta(hours=3),
            event_where="Bahu Jl. Nani Wartabone, Kelurahan Biawu",
            event_what="Penemuan sepeda motor hasil curian",
            account="\n\n".join(p.format(n=3, n2="40") for p in ACCOUNT_A),
            officer=Personnel.objects.get(nrp="95110342"),
            evidence=["1 (satu) unit sepeda motor Yamaha Mio warna merah tanpa pelat nomor"],
            offences=[p for p in pasal if p.article == "476"],
        ),
    )
    lp_a = lp_issue(actor=jaga, draft=draft_a, idempotency_key="bench-docs-lp-a")
    draft_b = lp_draft_save(actor=jaga, unit=unit, content=lp_content_b(pasal, 1, now=now))
    lp_review(
        actor=reskrim,
        draft=draft_b,
        recommendation="Memenuhi unsur Pasal 477 UU 1/2023; dilanjutkan penyelidikan.",
        offences=pasal,
    )
    lp_b = lp_issue(actor=jaga, draft=draft_b, idempotency_key="bench-docs-lp-b")
    return {"SKTLK": sktlk, "LP_A": lp_a, "LP_B": lp_b, "STTLP": lp_b.children.get()}


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def part_render(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="spkt-bench-docs-render-") as tmp_name:
        tmp = Path(tmp_name)
        boot_django(var_dir=tmp / "var", database_url=None)
        from sktlk_render import trivial_renderer

        from spkt.core.pdf import render_pdf
        from spkt.documents.services import TEMPLATES

        print("== 1. PDF render per document type (warm process, spkt.core.pdf.render_pdf) ==")
        units, users = seed_demo()
        docs = issue_render_samples(units, users)
        print("issued on throwaway SQLite: " + ", ".join(d.number for d in docs.values()))
        cases = [
            RenderCase(label, TEMPLATES[docs[key].doc_type], docs[key], mutate)
            for label, key, mutate in (
                ("SKTLK", "SKTLK", mutate_sktlk),
                ("LP model A", "LP_A", mutate_lp(ACCOUNT_A)),
                ("LP model B", "LP_B", mutate_lp(ACCOUNT_B)),
                ("STTLP", "STTLP", mutate_sttlp(docs["LP_B"])),
            )
        ]
        total = args.warmup + args.runs
        trivial = trivial_renderer(tmp)
        start = time.perf_counter()
        base_first = trivial(-1)
        base_first_s = time.perf_counter() - start
        for i in range(args.warmup):
            trivial(i)
        base_times = []
        for i in range(args.warmup, total):
            start = time.perf_counter()
            trivial(i)
            base_times.append(time.perf_counter() - start)
        assert base_first.startswith(b"%PDF")

        for case in cases:
            inputs = render_inputs(case, total + 1)
            start = time.perf_counter()
            render_pdf(case.template, inputs[-1])  # builds the template's compiler if new
            case.first = time.perf_counter() - start
            for data in inputs[: args.warmup]:
                render_pdf(case.template, data)
            pdfs = []
            for data in inputs[args.warmup : total]:
                start = time.perf_counter()
                pdf = render_pdf(case.template, data)
                case.times.append(time.perf_counter() - start)
                pdfs.append(pdf)
            # What memoisation gives on a repeat of the same input, for comparison only.
            for _ in range(20):
                start = time.perf_counter()
                render_pdf(case.template, inputs[0])
                case.memo.append(time.perf_counter() - start)
            if len(set(pdfs)) != len(pdfs):
                print(f"FAIL: {case.label}: distinct inputs gave identical PDFs")
                return 1
            case.pages = [page_count(pdf) for pdf in pdfs]  # after timing, so not timed

    print(
        f"{args.runs} timed renders each after {args.warmup} warm-up; every render has its own data"
    )
    head = (
        f"{'':20s}{'pages':>6s}  {'per document p50 / p95':>24s}  {'per page p50 / p95':>20s}"
        f"  {'same data':>10s}  {'1st':>7s}"
    )
    print(head)
    base = [t * 1000 for t in base_times]
    b50, b95 = percentile(base, 50), percentile(base, 95)
    print(
        f"{'baseline, one line':20s}{1:>6d}  {b50:9.2f} / {b95:6.2f} ms  {b50:9.2f} / {b95:6.2f} ms"
        f"  {'':>10s}  {base_first_s * 1000:5.1f}ms"
    )
    verdicts = []
    for case in cases:
        ms = [t * 1000 for t in case.times]
        per_page = [t / p for t, p in zip(ms, case.pages, strict=True)]
        lo, hi = min(case.pages), max(case.pages)
        pages = str(lo) if lo == hi else f"{lo}-{hi}"
        p95_page = percentile(per_page, 95)
        print(
            f"{case.label:20s}{pages:>6s}  {percentile(ms, 50):9.2f} / {percentile(ms, 95):6.2f} ms"
            f"  {percentile(per_page, 50):9.2f} / {p95_page:6.2f} ms"
            f"  {percentile(case.memo, 50) * 1000:7.2f} ms  {case.first * 1000:5.1f}ms"
        )
        verdicts.append((case.label, p95_page))
    print("(same data = the identical input again, i.e. a memoised compile; 1st = first render)")
    print(
        f"target p95 <= {TARGET_PAGE_P95_MS:.0f} ms a page: "
        + "; ".join(
            f"{label} {'PASS' if p95 <= TARGET_PAGE_P95_MS else 'MISS'} ({p95:.2f} ms)"
            for label, p95 in verdicts
        )
    )
    return 0


# --- Part 2: issuance on PostgreSQL --------------------------------------------------------------
def lp_draft_factory(
    unit_pk: int, jaga_pk: int, reskrim_pk: int, count: int, pool: list[int]
) -> Callable[[], Callable[[], None]]:
    """Workers that save and review ``count`` model-B drafts between them, then stop."""
    from spkt.core import clock
    from spkt.documents.lp import lp_draft_save, lp_review
    from spkt.documents.models import Pasal
    from spkt.org.models import Unit, User

    # The SKTLK workers' citizens count up from 1; these start far above, so no NIK is shared.
    first = 1_000_000
    numbers = itertools.count(first)
    lock = threading.Lock()
    pasal_pks = list(
        Pasal.objects.filter(book="KUHP_2023", article__in=["476", "477"]).values_list(
            "pk", flat=True
        )
    )

    def make() -> Callable[[], None]:
        unit = Unit.objects.get(pk=unit_pk)
        jaga, reskrim = User.objects.get(pk=jaga_pk), User.objects.get(pk=reskrim_pk)
        pasal = list(Pasal.objects.filter(pk__in=pasal_pks))

        def work() -> None:
            i = next(numbers)
            if i >= first + count:
                raise Exhausted
            draft = lp_draft_save(
                actor=jaga, unit=unit, content=lp_content_b(pasal, i, now=clock.now())
            )
            lp_review(
                actor=reskrim,
                draft=draft,
                recommendation="Memenuhi unsur Pasal 477 UU 1/2023.",
                offences=pasal,
            )
            with lock:
                pool.append(draft.pk)

        return work

    return make


def lp_issue_factory(
    unit_pk: int, jaga_pk: int, pool: list[int]
) -> Callable[[], Callable[[], None]]:
    from spkt.documents.lp import lp_issue
    from spkt.documents.models import LaporanDraft
    from spkt.org.models import Unit, User

    lock = threading.Lock()

    def make() -> Callable[[], None]:
        unit = Unit.objects.get(pk=unit_pk)
        actor = User.objects.get(pk=jaga_pk)

        def work() -> None:
            with lock:
                if not pool:
                    raise Exhausted
                pk = pool.pop()
            # lp_issue re-reads the draft under a row lock; it only needs the pk and the unit.
            lp_issue(
                actor=actor,
                draft=LaporanDraft(pk=pk, unit=unit),
                idempotency_key=uuid.uuid4().hex,
            )

        return work

    return make


def report(phase: Phase, cores: float, unit: str) -> None:
    """issuance_pg.py's report line, with the unit named: an LP-B call issues two documents."""
    busy = phase.cpu / phase.elapsed if phase.elapsed else 0.0
    print(
        f"{phase.name:11s}: {phase.done:5d} in {phase.elapsed:5.2f} s = {phase.rate:7.1f} "
        f"{unit}/s; client CPU {busy:.2f} of {cores:.0f} cores, "
        f"machine {phase.machine_busy:.0%} busy"
    )
    if phase.latencies:
        print(f"{'':11s}  latency {summary_ms(phase.latencies)}")


def check_numbers(unit: Any, year: int) -> tuple[bool, list[str]]:
    """Each document type's numbers 1..N with its counter at N, every LP-B with one STTLP, and
    the baseline table 1..N."""
    from django.db import connection

    from spkt.core.models import DocumentCounter
    from spkt.documents.models import Document

    ok, lines = True, []
    for doc_type in ("LP_B", "STTLP", "SKTLK"):
        seqs = list(
            Document.objects.filter(unit=unit, doc_type=doc_type, year=year)
            .order_by("seq")
            .values_list("seq", flat=True)
        )
        last = DocumentCounter.objects.get(unit=unit, doc_type=doc_type, year=year).last_number
        numbers = Document.objects.filter(unit=unit, doc_type=doc_type, year=year)
        distinct = numbers.values("number").distinct().count()
        good = seqs == list(range(1, len(seqs) + 1)) and last == len(seqs) == distinct
        ok &= good
        lines.append(
            f"{doc_type:6s} numbers 1..{len(seqs)} gap-free: {'yes' if good else 'NO'} "
            f"(counter {last}, distinct numbers {distinct})"
        )
    lp = Document.objects.filter(unit=unit, doc_type="LP_B", year=year)
    unpaired = lp.exclude(children__doc_type="STTLP").count()
    ok &= unpaired == 0
    lines.append(f"LP_B without its STTLP: {unpaired}")
    with connection.cursor() as cur:
        cur.execute("SELECT n FROM bench_doc ORDER BY n")
        bare = [row[0] for row in cur.fetchall()]
    bare_ok = bare == list(range(1, len(bare) + 1))
    ok &= bare_ok
    lines.append(f"baseline numbers 1..{len(bare)} gap-free: {'yes' if bare_ok else 'NO'}")
    return ok, lines


def part_issue(args: argparse.Namespace) -> int:
    return in_bench_database(args, "spkt-bench-docs-issue-", run_issue)


def run_issue(args: argparse.Namespace, database_url: str, tmp: Path) -> int:
    boot_django(var_dir=tmp, database_url=database_url)
    from django.db import connection
    from huey.contrib.djhuey import HUEY
    from issuance_pg import BASELINE_TYPE, bare_worker_factory, issue_worker_factory

    from spkt.core import clock, ledger
    from spkt.core.models import DocumentCounter
    from spkt.core.timeutil import local

    print(f"== 2. Issuance on PostgreSQL, {args.threads} clients, one unit ==")
    print(f"{os.cpu_count()} cores; baseline = SELECT ... FOR UPDATE counter + UPDATE + INSERT")
    assert connection.vendor == "postgresql"
    assert not HUEY.immediate, "renders must be enqueued, not run inside the issue"
    start = time.perf_counter()
    units, users = seed_demo()
    unit, jaga, reskrim = units["kota-selatan"], users["jaga"], users["reskrim"]
    year = local(clock.now()).year
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_doc (id serial PRIMARY KEY, n int NOT NULL, payload text)")
    counter = DocumentCounter.objects.create(
        unit=unit, doc_type=BASELINE_TYPE, year=year, last_number=0
    )
    print(f"migrated and seeded {args.db} in {time.perf_counter() - start:.1f} s")

    pool: list[int] = []
    start = time.perf_counter()
    prep = run_clients(
        "drafts",
        lp_draft_factory(unit.pk, jaga.pk, reskrim.pk, args.drafts, pool),
        threads=args.threads,
        seconds=600,
    )
    print(
        f"prepared {len(pool)} reviewed LP-B drafts (lp_draft_save + lp_review), untimed, in "
        f"{time.perf_counter() - start:.1f} s"
    )
    bare = bare_worker_factory(counter.pk)
    lp = lp_issue_factory(unit.pk, jaga.pk, pool)
    sktlk = issue_worker_factory(unit.pk, jaga.pk)
    # Untimed rounds create the shift, counters and ledger head and warm the imports.
    for make in (bare, lp, sktlk):
        work = make()
        for _ in range(10):
            work()

    cores = float(os.cpu_count() or 1)
    baseline = run_clients("baseline", bare, threads=args.threads, seconds=args.seconds)
    report(baseline, cores, "docs")
    lp_phase = run_clients("lp_issue B", lp, threads=args.threads, seconds=args.seconds)
    report(lp_phase, cores, "calls")
    ran_out = not pool
    sk_phase = run_clients("sktlk", sktlk, threads=args.threads, seconds=args.seconds)
    report(sk_phase, cores, "docs")
    # Context, not part of the ratio: one client shows the cost of one issue without queueing.
    lp_one = run_clients("lp_issue x1", lp, threads=1, seconds=args.seconds / 3)
    report(lp_one, cores, "calls")
    sk_one = run_clients("sktlk x1", sktlk, threads=1, seconds=args.seconds / 3)
    report(sk_one, cores, "docs")
    if ran_out:
        print(f"NOTE: the {args.drafts} drafts ran out in the timed LP phase; use more --drafts")
    failed = False
    for phase in (prep, baseline, lp_phase, sk_phase, lp_one, sk_one):
        for error in phase.errors:
            failed = True
            print(f"ERROR in {phase.name}: {error}")

    print(
        f"{args.threads} clients: {'calls/s':>9s}{'docs/s':>9s}{'ratio':>8s}{'p50 ms':>9s}"
        f"{'p95 ms':>9s}   (ratio = calls/s over baseline)"
    )
    rows: list[tuple[str, Phase, int]] = [
        ("baseline", baseline, 1),
        ("LP-B + STTLP", lp_phase, 2),
        ("SKTLK", sk_phase, 1),
    ]
    for name, phase, per_call in rows:
        if not phase.latencies:
            continue
        ratio = phase.rate / baseline.rate if baseline.rate else 0.0
        print(
            f"{name:13s}{phase.rate:9.1f}{per_call * phase.rate:9.1f}{ratio:8.3f}"
            f"{percentile(phase.latencies, 50) * 1000:9.1f}"
            f"{percentile(phase.latencies, 95) * 1000:9.1f}"
        )
    verdicts = []
    for name, phase, _per_call in rows[1:]:
        ratio = phase.rate / baseline.rate if baseline.rate else 0.0
        verdicts.append(f"{name} {'PASS' if ratio >= TARGET_RATIO else 'MISS'} ({ratio:.3f})")
    print(f"target ratio >= {TARGET_RATIO} (as issuance_pg.py): " + "; ".join(verdicts))

    ok, lines = check_numbers(unit, year)
    for line in lines:
        print(line)
    print(f"render tasks waiting in the queue: {HUEY.pending_count()}")
    result = ledger.verify()
    print(
        f"ledger.verify(): {'OK' if result.ok else 'BROKEN: ' + str(result.first_break)} "
        f"({result.chains} chains, {result.entries} entries, {result.records} records)"
    )
    connection.close()
    return 0 if ok and result.ok and not failed else 1


# --- Part 3: the desk flow in a browser ----------------------------------------------------------
@dataclass
class Actor:
    """A person at the keyboard: counts what they type, choose and click on a Playwright page."""

    page: Any
    typed: int = 0
    clicks: int = 0
    ticks: int = 0
    choices: int = 0

    def fill(self, selector: str, value: str) -> None:
        self.page.fill(selector, value)
        self.typed += 1

    def select(self, selector: str, value: str | None = None, *, label: str | None = None) -> None:
        self.page.select_option(selector, value=value, label=label)
        self.choices += 1

    def tick(self, selector: str) -> None:
        self.page.check(selector)
        self.ticks += 1

    def click(self, selector: str, *, navigates: bool = True) -> None:
        if navigates:
            with self.page.expect_navigation():
                self.page.click(selector)
        else:
            self.page.click(selector)
        self.clicks += 1


# What the citizen enters on the portal; the officer must find the same values pre-filled.
PORTAL_CITIZEN = {
    "name": "Fitri Usman",
    "nik": "7571024708990001",
    "birth_place": "Gorontalo",
    "birth_date": "1999-08-07",
    "occupation": "Mahasiswa",
    "phone": "081298765432",
    "address": "Jl. Raja Eyato No. 33, Limba U I",
}
PORTAL_ITEMS = {"KTP": "", "ATM": "BNI Taplus"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, server: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"runserver exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own http://127.0.0.1)
                return
        except urllib.error.HTTPError:
            return  # the server answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def part_desk(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="spkt-bench-docs-desk-"))
    var = tmp / "var"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SPKT_ENV": "dev",
        "SPKT_VAR_DIR": str(var),
        "SPKT_LOG_LEVEL": "WARNING",
        "SPKT_PUBLIC_BASE_URL": base,
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("DATABASE_URL", "SPKT_REDIS_URL", "DJANGO_DEBUG"):
        env.pop(name, None)  # dev profile: SQLite in ``var``, DEBUG on so runserver serves static
    manage = [sys.executable, str(ROOT / "manage.py")]
    server = None
    log_path = tmp / "runserver.log"
    print("== 3. Desk flow in headless Chromium: SKTLK from a portal pre-registration ==")
    try:
        start = time.perf_counter()
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
        subprocess.run(
            [*manage, "seed_demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
        )
        print(f"migrate + seed_demo into {var} in {time.perf_counter() - start:.1f} s")
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_http(base + "/masuk/", server)
        print(f"runserver pid {server.pid} on {base}")
        result = browse(base)
        return check_desk(result, var)
    except Exception:
        if log_path.exists():
            print("--- runserver log (tail) ---")
            print("\n".join(log_path.read_text(errors="replace").splitlines()[-30:]))
        raise
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            print(f"stopped runserver pid {server.pid}")
        shutil.rmtree(tmp, ignore_errors=True)


@dataclass
class DeskResult:
    code: str
    number: str
    citizen: Actor
    officer: Actor
    login_typed: int
    login_clicks: int
    officer_s: float
    officer_no_login_s: float
    citizen_s: float
    prefill_mismatch: list[str]
    blocked: list[str]


def browse(base: str) -> DeskResult:
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yesterday = (datetime.now(ZoneInfo("Asia/Makassar")) - timedelta(days=1)).date().isoformat()
    blocked: list[str] = []

    def only_ours(route: Any) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        try:
            # (a) The citizen, on their phone, with no session.
            phone = browser.new_context(viewport={"width": 390, "height": 800})
            phone.route("**/*", only_ours)
            page = phone.new_page()
            citizen_actor = Actor(page)
            start = time.perf_counter()
            page.goto(base + "/lapor/kota-selatan/sktlk/")
            for name, value in PORTAL_CITIZEN.items():
                citizen_actor.fill(f"input[name={name}]", value)
            citizen_actor.select("select[name=gender]", "P")
            citizen_actor.select("select[name=religion]", "Islam")
            citizen_actor.select("select[name=kelurahan]", label="Limba U I")
            for kind, details in PORTAL_ITEMS.items():
                citizen_actor.tick(f"input[name=item_{kind}]")
                if details:
                    citizen_actor.fill(f"input[name=detail_{kind}]", details)
            citizen_actor.fill("input[name=lost_on]", yesterday)
            citizen_actor.fill("input[name=lost_place]", "Taman Kota Gorontalo")
            citizen_actor.fill(
                "textarea[name=chronology]", "Dompet hilang saat olahraga pagi di taman."
            )
            citizen_actor.click("form.card button.primary")
            code_el = page.locator("[data-code]")
            if code_el.count() == 0:
                raise RuntimeError("portal did not return a code: " + page.inner_text("main"))
            code = code_el.inner_text().strip()
            citizen_s = time.perf_counter() - start
            phone.close()

            # (b) The desk officer, on the desk PC.
            desk = browser.new_context(viewport={"width": 1280, "height": 900})
            desk.route("**/*", only_ours)
            page = desk.new_page()
            officer = Actor(page)
            start = time.perf_counter()
            page.goto(base + "/")
            officer.fill("input[name=username]", "jaga")
            officer.fill("input[name=password]", PASSWORD)
            officer.click("form button.primary")
            login_typed, login_clicks = officer.typed, officer.clicks
            logged_in = time.perf_counter()
            if "/masuk/" in page.url:
                raise RuntimeError("login failed: " + page.inner_text("main"))
            officer.click("main a:has-text('Terbitkan SKTLK')")
            officer.fill("input[name=kode]", code)
            officer.click("[data-action=lookup]")
            # The officer compares the pre-filled form with the KTP: reading, not typing.
            paused = time.perf_counter()
            mismatch = prefill_mismatches(page, yesterday)
            pause = time.perf_counter() - paused
            for kind in PORTAL_ITEMS:
                officer.tick(f"input[name=papers_{kind}]")
            officer.click("form.card button.primary:has-text('Terbitkan SKTLK')")
            docno = page.locator(".docno")
            if docno.count() == 0:
                errors = page.locator(".error").all_inner_texts()
                raise RuntimeError(f"no document page after issuing; errors: {errors}")
            number = docno.inner_text().strip()
            end = time.perf_counter()
            desk.close()
        finally:
            browser.close()
    return DeskResult(
        code=code,
        number=number,
        citizen=citizen_actor,
        officer=officer,
        login_typed=login_typed,
        login_clicks=login_clicks,
        officer_s=end - start - pause,
        officer_no_login_s=end - logged_in - pause,
        citizen_s=citizen_s,
        prefill_mismatch=mismatch,
        blocked=blocked,
    )


def prefill_mismatches(page: Any, lost_on: str) -> list[str]:
    """Fields that the desk form does not show as the citizen entered them."""
    expected = {
        **{f"input[name={k}]": v for k, v in PORTAL_CITIZEN.items()},
        "input[name=lost_on]": lost_on,
        "input[name=lost_place]": "Taman Kota Gorontalo",
        "select[name=gender]": "P",
        "select[name=religion]": "Islam",
        **{f"input[name=detail_{k}]": v for k, v in PORTAL_ITEMS.items()},
    }
    wrong = [
        f"{sel}={page.input_value(sel)!r}"
        for sel, value in expected.items()
        if page.input_value(sel) != value
    ]
    kel = page.locator("select[name=kelurahan] option:checked").inner_text().strip()
    if kel != "Limba U I":
        wrong.append(f"kelurahan={kel!r}")
    wrong += [
        f"item_{k} not ticked" for k in PORTAL_ITEMS if not page.is_checked(f"input[name=item_{k}]")
    ]
    return wrong


def check_desk(r: DeskResult, var: Path) -> int:
    """Print the counts, then check in the server's database what the browser showed."""
    boot_django(var_dir=var, database_url=None)
    from spkt.core import ledger
    from spkt.documents.models import Document, PreRegistration

    c, o = r.citizen, r.officer
    print(
        f"citizen: {c.typed} fields typed, {c.choices} choices, {c.ticks} ticks, "
        f"{c.clicks} clicks, {r.citizen_s:.2f} s -> code {r.code}"
    )
    print(
        f"officer: {o.typed} fields typed, {o.clicks + o.ticks} clicks, {r.officer_s:.2f} s "
        f"(incl. log-in: {r.login_typed} fields typed, {r.login_clicks} click)"
    )
    print(
        f"officer without log-in: {o.typed - r.login_typed} fields typed, "
        f"{o.clicks + o.ticks - r.login_clicks} clicks "
        f"({o.clicks - r.login_clicks} clicks + {o.ticks} papers ticks), "
        f"{r.officer_no_login_s:.2f} s"
    )
    print("(times are machine time for page loads and the issue; no human reading or typing)")
    verdict = "PASS" if o.typed <= TARGET_FIELDS_TYPED else "MISS"
    print(f"target <= {TARGET_FIELDS_TYPED} fields typed by the officer: {verdict} ({o.typed})")

    doc = Document.objects.filter(number=r.number).select_related("issued_by").first()
    prereg = PreRegistration.objects.filter(code=r.code).first()
    checks = {
        f"document page shows {r.number}": doc is not None and doc.doc_type == "SKTLK",
        "issued by jaga for the citizen": doc is not None
        and doc.issued_by.username == "jaga"
        and doc.subject_name == PORTAL_CITIZEN["name"],
        "items as pre-registered": doc is not None
        and [i["kind"] for i in doc.snapshot["items"]] == list(PORTAL_ITEMS),
        "pre-registration marked used by it": prereg is not None
        and prereg.used_at is not None
        and doc is not None
        and prereg.document_id == doc.pk,
        "form pre-filled as the citizen typed it": not r.prefill_mismatch,
        "nothing loaded from outside the app": not r.blocked,
        "ledger.verify() OK": ledger.verify().ok,
    }
    for label, good in checks.items():
        print(f"check: {label}: {'yes' if good else 'NO'}")
    if r.prefill_mismatch:
        print("  not pre-filled: " + ", ".join(r.prefill_mismatch))
    if r.blocked:
        print("  blocked: " + ", ".join(r.blocked))
    from django.db import connections

    connections.close_all()
    return 0 if all(checks.values()) else 1


# --- Orchestration -------------------------------------------------------------------------------
PARTS = {"render": part_render, "issue": part_issue, "desk": part_desk}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["all", *PARTS], default="all")
    parser.add_argument("--warmup", type=int, default=15)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument(
        "--drafts", type=int, default=900, help="reviewed LP-B drafts made before the timed phase"
    )
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--db", default="spkt_bench_documents")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for inspection")
    args = parser.parse_args()

    if args.part != "all":
        return PARTS[args.part](args)
    status = 0
    start = time.perf_counter()
    for part in PARTS:
        print()
        # A fresh interpreter per part: each boots Django against its own database.
        rc = subprocess.run(
            [sys.executable, __file__, *sys.argv[1:], "--part", part], check=False
        ).returncode
        if rc:
            print(f"FAILED: documents.py --part {part} (exit {rc})")
            status = 1
    print(f"\ndocuments.py: all parts in {time.perf_counter() - start:.0f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
