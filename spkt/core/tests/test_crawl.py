"""No 5xx anywhere (issue 8): after a lived-in day on the demo data, every URL pattern of the
project, filled with real ids from that day, is requested as every demo account, with an API
token and anonymously. Every date a URL takes is also sent out of range and must get a 4xx.

A new URL pattern with a parameter this file cannot fill fails the crawl until it is added to
``PARAMS`` (by URL name) or ``BY_PARAM`` (by parameter name). Templates are rendered with a
``string_if_invalid`` that raises (config/test_settings.py), so a missing variable counts too.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token

from spkt.alerts.models import PushSubscription
from spkt.alerts.services import subscription_save
from spkt.alerts.tests.pushserver import Browser
from spkt.channels.models import ChannelAccount, WebSubmission
from spkt.channels.tests.helpers import APP_SECRET, VERIFY_TOKEN, hub_signature
from spkt.conftest import sktlk_post_data
from spkt.demo import seed_all
from spkt.documents.lp import LpContent, lp_draft_save, lp_issue, lp_review, progress_add
from spkt.documents.models import Document, LaporanDraft, Pasal, PreRegistration
from spkt.documents.prereg import prereg_create
from spkt.documents.services import CitizenData, document_void
from spkt.dutylog.handover import Count, handover_confirm, handover_count, handover_start
from spkt.dutylog.models import Mutasi, Shift, ShiftStatus
from spkt.fieldhelp.clock import report_sweep
from spkt.fieldhelp.models import ReportPhoto, Task, TaskAlert
from spkt.intake.clock import sla_sweep
from spkt.intake.models import Attachment, Channel, Contact, IncomingLetter, Message, Notification
from spkt.intake.services import Incoming, IncomingFile, contact_receive, letter_register
from spkt.org.models import Unit, User
from spkt.reports.ikm.models import SurveyInvitation
from spkt.reports.ikm.services import survey_token
from spkt.reports.models import DailyReport, ReportAlert
from spkt.reports.services import report_submit

WITA = timezone(timedelta(hours=8))  # a fixed offset: time-machine then leaves the process zone
DAY = date(2026, 11, 30)  # the lived-in duty day; the crawl runs the next morning
USERNAMES = [
    "jaga",
    "kaspkt",
    "kaspkt2",
    "kaspkt3",
    "kapolsek",
    "reskrim",
    "penilai",
    "admin",
    "jaga.utara",
]
BAD_DAYS = ["9999-12-31", "0001-01-01", "0001-01", "2026-13-45", "1900-02-29", "x" * 40, "%00"]
BAD_MONTHS = ["9999-12", "0001-01", "2026-13", "1899-12", "9999-12-31", "garbage"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WITA)


# --- The lived-in day --------------------------------------------------------------------------
@dataclass
class Day:
    """What happened, for filling URL parameters."""

    selatan: Unit
    utara: Unit
    users: dict[str, User]
    account: ChannelAccount
    walk_in: Contact

    def pks(self, model) -> list[int]:
        return list(model.objects.order_by("pk").values_list("pk", flat=True))


def _heads(shift: Shift) -> User:
    return User.objects.get(personnel=shift.ka_spkt)


def _whatsapp(client: Client, account: ChannelAccount, when: datetime) -> None:
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "WABA1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": "1055"},
                                "contacts": [{"profile": {"name": "Arif"}, "wa_id": "6281299"}],
                                "messages": [
                                    {
                                        "from": "6281299",
                                        "id": "wamid.crawl.1",
                                        "timestamp": str(int(when.timestamp()) - 20),
                                        "type": "text",
                                        "text": {"body": "Ada kecelakaan di Jl. Nani Wartabone"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()
    answer = client.post(
        reverse("channels:whatsapp-webhook", args=[account.slug]),
        data=body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": hub_signature(body)},
    )
    assert answer.status_code == 200, answer.content


def _web_message(client: Client, unit: Unit, name: str) -> None:
    answer = client.post(
        reverse("portal:web-message", args=[unit.code]),
        {"name": name, "reply_to": "081234500001", "message": "Tetangga saya ribut tiap malam."},
        REMOTE_ADDR=f"10.0.0.{len(name)}",  # one address per message (rate limit)
    )
    assert answer.status_code == 303, answer.content  # to the confirmation page
    assert client.get(answer["Location"]).status_code == 200
    # The worker's turn (ADR 0040): no task runs inside the test's transaction.
    from spkt.channels.webform import process_unit

    process_unit(unit.pk)


def live_a_day(settings, tmp_path) -> Day:
    """Demo seed, then a day at the desk through the real endpoints and services, then the
    handover to the next squad the next morning and a first web message on its shift."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    public, desk = Client(), Client()
    with time_machine.travel(at(DAY, 9), tick=False):
        seed_all()
        users = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}
        selatan, utara = Unit.objects.get(code="kota-selatan"), Unit.objects.get(code="kota-utara")
        account = ChannelAccount(
            unit=selatan, channel="whatsapp", name="wa", slug="wa-selatan", config={}
        )
        account.set_secrets(
            {"verify_token": VERIFY_TOKEN, "app_secret": APP_SECRET, "access_token": "t"}
        )
        account.save()
    with time_machine.travel(at(DAY, 9, 5), tick=False):
        _web_message(public, selatan, "Warga Biawu")
    with time_machine.travel(at(DAY, 9, 6), tick=False):
        # Addresses of its own: the kiosk and the web form are rate-limited per address.
        answer = public.post(reverse("intake:kiosk", args=[selatan.code]), REMOTE_ADDR="10.0.1.1")
        assert answer.status_code == 302
        walk_in = Contact.objects.filter(channel=Channel.WALKIN).latest("received_at")
    with time_machine.travel(at(DAY, 9, 7), tick=False):
        _whatsapp(public, account, at(DAY, 9, 7))
        contact_receive(
            unit=selatan,
            incoming=Incoming(
                channel=Channel.EMAIL,
                body="Foto motor yang hilang terlampir.",
                sender_name="Nur Hasan",
                sender_address="nur.hasan@example.id",
                subject="Motor hilang",
                files=[IncomingFile("foto.pdf", "application/pdf", PDF)],
            ),
        )
        letter_register(
            actor=users["jaga"],
            unit=selatan,
            sender="Kelurahan Biawu",
            subject="Pemberitahuan kegiatan",
            letter_number="005/KB/XI/2026",
            letter_date=DAY,
            scan=IncomingFile("surat.pdf", "application/pdf", PDF),
        )
    # The clock sweeps: unanswered contacts breach at 5 minutes, reach the Kapolsek 5 later.
    for minute in (13, 30):
        with time_machine.travel(at(DAY, 9, minute), tick=False):
            sla_sweep()
            report_sweep()  # the demo's TPTKP is late with its hourly report
    assert TaskAlert.objects.filter(kind="report_overdue").exists()
    assert Notification.objects.filter(kind="escalation", user=users["kapolsek"]).exists()
    with time_machine.travel(at(DAY, 9, 40), tick=False):
        desk.force_login(users["jaga"])
        assert desk.post(reverse("intake:ticket-call")).status_code == 302
        assert (
            desk.post(
                reverse("dutylog:write"),
                {"text": "Patroli siang ke Pasar Sentral; aman.", "category": "patroli"},
            ).status_code
            == 302
        )
    with time_machine.travel(at(DAY, 10), tick=False):
        answer = desk.post(reverse("documents:sktlk-new"), sktlk_post_data(lost_on="2026-11-29"))
        assert answer.status_code == 302, answer.content
    with time_machine.travel(at(DAY, 10, 30), tick=False):
        # The citizen rates the service by the link printed on the SKTLK (spkt.reports.ikm).
        rated = SurveyInvitation.objects.filter(service="sktlk").latest("pk")
        scores = {f"u{i}": "4" for i in range(1, 10)}
        answer = public.post(
            reverse("ikm:survey", args=[survey_token(rated)]), {**scores, "comment": "Cepat."}
        )
        assert answer.status_code == 200, answer.content
    with time_machine.travel(at(DAY, 11), tick=False):
        pasal = Pasal.objects.order_by("pk").first()
        content = LpContent(
            model="B",
            classification="Kejahatan",
            event_when=at(DAY, 6),
            event_where="Jl. Raja Eyato No. 33",
            event_what="Pencurian sepeda motor di halaman rumah",
            account="Motor diparkir pukul 22.00; pagi hari sudah tidak ada.",
            citizen=CitizenData(
                name="Fitri Usman",
                nik="7571024708990001",
                birth_place="Gorontalo",
                birth_date=date(1999, 8, 7),
                gender="P",
                address="Jl. Raja Eyato No. 33",
            ),
            witnesses=[{"name": "Siti", "contact": "0813"}],
            offences=[pasal] if pasal else [],
        )
        draft = lp_draft_save(actor=users["jaga"], unit=selatan, content=content)
        lp_draft_save(actor=users["jaga"], unit=selatan, content=content)  # stays a draft
    with time_machine.travel(at(DAY, 11, 20), tick=False):
        lp_review(
            actor=users["reskrim"],
            draft=draft,
            offences=list(draft.offences.all()),
            recommendation="Memenuhi unsur; lanjut penyelidikan.",
        )
    with time_machine.travel(at(DAY, 11, 30), tick=False):
        lp = lp_issue(actor=users["jaga"], draft=draft, idempotency_key=uuid.uuid4().hex)
    with time_machine.travel(at(DAY, 14), tick=False):
        progress_add(
            actor=users["reskrim"], lp=lp, stage="penyelidikan", public_note="Saksi diperiksa."
        )
        citizen = CitizenData(
            name="Yamin Olii",
            nik="7571020101700004",
            birth_place="Tilamuta",
            birth_date=date(1970, 1, 1),
            gender="L",
            address="Jl. Agus Salim No. 2",
        )
        prereg_create(unit=selatan, kind="SKTLK", citizen=citizen, items=[{"kind": "KTP"}])
        prereg_create(unit=selatan, kind="LP_B", citizen=citizen, event={"what": "Penipuan"})
        sktlk = Document.objects.filter(unit=selatan, doc_type="SKTLK").order_by("pk").first()
        assert sktlk is not None
        document_void(actor=users["kapolsek"], document=sktlk, reason="Salah tulis nama.")
    # The next morning both heads confirm the handover; the new squad's book is current.
    with time_machine.travel(at(DAY + timedelta(days=1), 8, 5), tick=False):
        outgoing = Shift.objects.get(unit=selatan, status=ShiftStatus.OPEN)
        handover = handover_start(outgoing=outgoing, actor=_heads(outgoing))
        counts = {item.pk: Count(counted=item.expected) for item in handover.items.all()}
        handover_count(handover=handover, counts=counts, notes="", actor=_heads(outgoing))
        incoming = handover.incoming
        handover_confirm(
            handover=handover,
            outgoing_user=_heads(outgoing),
            incoming_user=_heads(incoming),
            roll_call=[(pid, True, "") for pid in sorted(incoming.lineup())],
            actor=_heads(outgoing),
        )
    with time_machine.travel(at(DAY + timedelta(days=1), 8, 12), tick=False):
        # The Ka SPKT sends the day's report; the Kapolsek has not acknowledged it yet.
        report_submit(actor=users["kaspkt"], unit=selatan, day=DAY, situation="", matters="HT")
        # The Kapolsek's phone takes alerts (spkt.alerts): the crawl reaches its device pages.
        phone = Browser(endpoint="https://push.example.invalid/crawl").subscription()
        subscription_save(user=users["kapolsek"], data=phone, label="Chrome · Android")
    with time_machine.travel(at(DAY + timedelta(days=1), 8, 30), tick=False):
        _web_message(public, selatan, "Warga Limba B")
    return Day(selatan=selatan, utara=utara, users=users, account=account, walk_in=walk_in)


# --- Filling URL parameters --------------------------------------------------------------------
Kwargs = dict[str, object]


def _each(name: str, values: list) -> list[Kwargs]:
    return [{name: v} for v in values]


def _pk(model) -> Callable[[Day], list[Kwargs]]:
    def fill(day: Day) -> list[Kwargs]:
        pks = day.pks(model)
        return _each("pk", pks[:3] + pks[-3:] if len(pks) > 6 else pks)

    return fill


def _documents(day: Day) -> list[Kwargs]:
    # One of each type (and status) is enough: the same template serves the rest.
    chosen: dict[tuple[str, bool], int] = {}
    for pk, doc_type, voided in Document.objects.order_by("pk").values_list(
        "pk", "doc_type", "void"
    ):
        chosen.setdefault((doc_type, voided is not None), pk)
    return _each("pk", list(chosen.values()))


def _shifts(day: Day) -> list[Kwargs]:
    # The sealed book of the lived-in day, the open one after the handover, a planned one.
    shifts = Shift.objects.filter(unit=day.selatan).order_by("-starts_at")
    picked: dict[Any, Any] = {}
    for shift in shifts:
        picked.setdefault(shift.status, shift.pk)
    return _each("pk", list(picked.values()))


def _entries(day: Day) -> list[Kwargs]:
    # One entry an officer wrote, one the system wrote (web form, kiosk, webhook, clock).
    entries = Mutasi.objects.filter(unit=day.selatan).order_by("-pk")
    return _each(
        "pk",
        [
            entries.filter(author__isnull=False).values_list("pk", flat=True).first(),
            entries.filter(author=None).values_list("pk", flat=True).first(),
        ],
    )


def _contacts(day: Day) -> list[Kwargs]:
    by_channel: dict[str, int] = {}
    for pk, channel in Contact.objects.order_by("pk").values_list("pk", "channel"):
        by_channel.setdefault(channel, pk)
    return _each("pk", list(by_channel.values()))


def _days(day: Day) -> list[Kwargs]:
    # The lived-in day, the day with the silent night (demo), and today after the handover.
    return _each("day", [(DAY + timedelta(days=n)).isoformat() for n in (-2, 0, 1)])


# By URL name: every parameter of that pattern. ``pk`` means a different model on every page.
PARAMS: dict[str, Callable[[Day], list[Kwargs]]] = {
    "documents:lp-draft": _pk(LaporanDraft),
    "documents:lp-edit": _pk(LaporanDraft),
    "documents:lp-review": _pk(LaporanDraft),
    "documents:lp-issue": _pk(LaporanDraft),
    "documents:detail": _documents,
    "documents:pdf": _documents,
    "documents:void": _documents,
    "documents:extend": _documents,
    "documents:sktlk-reissue": _documents,
    "documents:progress": _documents,
    "documents:lp-reissue": _documents,
    "documents:register": lambda day: _each("kind", ["lp", "sttlp", "sktlk", "lain"]),
    "dutylog:correct": _entries,
    "dutylog:shift": _shifts,
    "dutylog:shift-pdf": _shifts,
    "dutylog:open": _shifts,
    "dutylog:handover": _shifts,
    "dutylog:roster-change": _shifts,
    "dutylog:day": _days,
    "intake:detail": _contacts,
    "intake:contact-claim": _contacts,
    "intake:contact-reply": _contacts,
    "intake:contact-acknowledge": _contacts,
    "intake:contact-close": _contacts,
    "intake:contact-link": _contacts,
    "intake:message-retry": _pk(Message),
    "intake:attachment": _pk(Attachment),
    "intake:letter-scan": _pk(IncomingLetter),
    "intake:kiosk-ticket": lambda day: [
        {"code": day.selatan.code, "tracking": day.walk_in.tracking_code},
        {"code": day.utara.code, "tracking": day.walk_in.tracking_code},
    ],
    "portal:web-message-done": lambda day: [
        {"code": unit.code, "tracking": code}
        for unit in (day.selatan, day.utara)
        for code in [
            *WebSubmission.objects.values_list("tracking_code", flat=True)[:2],
            "TIDAKADA",
        ]
    ],
    "intake:track": lambda day: _each(
        "code", [*Contact.objects.values_list("tracking_code", flat=True)[:4], "TIDAKADA"]
    ),
    "portal:track": lambda day: _each(
        "code",
        [
            *Document.objects.exclude(tracking_code="").values_list("tracking_code", flat=True),
            "TIDAKADA",
        ],
    ),
    "portal:verify": lambda day: _each(
        "token", [*Document.objects.values_list("verify_token", flat=True)[:3], "tidak-ada"]
    ),
    "portal:prereg": lambda day: [
        {"code": day.selatan.code, "kind": kind} for kind in ("sktlk", "lp", "lain")
    ],
    "portal:prereg-track": lambda day: _each(
        "code", [*PreRegistration.objects.values_list("code", flat=True)[:3], "TIDAKADA"]
    ),
    "reports:alert-read": _pk(Notification),
    "alerts:device-delete": _pk(PushSubscription),
    "ikm:survey": lambda day: _each(
        "token",
        [*(survey_token(i) for i in SurveyInvitation.objects.order_by("pk")[:3]), "1.x:palsu"],
    ),
    "reports:detail": _pk(DailyReport),
    "reports:pdf": _pk(DailyReport),
    "reports:acknowledge": _pk(DailyReport),
    "reports:addendum": _pk(DailyReport),
    "reports:report-alert-read": _pk(ReportAlert),
    "api:report-daily-acknowledge": _pk(DailyReport),
    "fieldhelp:detail": _pk(Task),
    "fieldhelp:task-dispatch": _pk(Task),
    "fieldhelp:task-status": _pk(Task),
    "fieldhelp:task-correct": _pk(Task),
    "fieldhelp:task-step": _pk(Task),
    "fieldhelp:task-report": _pk(Task),
    "fieldhelp:task-clear": _pk(Task),
    "fieldhelp:alert-read": _pk(TaskAlert),
    "fieldhelp:task-lp": _pk(Task),
    "fieldhelp:photo": lambda day: _each("pk", day.pks(ReportPhoto)[:3] or [2147483647]),
    "api:field-task": _pk(Task),
    "api:field-task-status": _pk(Task),
    "api:field-task-reports": _pk(Task),
    "api:document": _documents,
    "api:document-pdf": _documents,
    "api:mutasi-entry": _entries,
    "api:mutasi-correct": _entries,
    "api:contact": _contacts,
    "api:contact-claim": _contacts,
    "api:contact-reply": _contacts,
    "api:contact-acknowledge": _contacts,
    "api:contact-close": _contacts,
}
# By parameter name, for every other pattern.
BY_PARAM: dict[str, Callable[[Day], list[object]]] = {
    "code": lambda day: [day.selatan.code, day.utara.code, "tidak-ada"],
    "slug": lambda day: [day.account.slug, "tidak-ada"],
    "path": lambda day: ["tidak-ada/", "documents/99999999999999999999999/"],
}

# Query strings each page is also asked with (exports, formats, filters, lookups).
VARIANTS: dict[str, Callable[[Day], list[str]]] = {
    "portal:prereg": lambda day: [f"tiket={day.walk_in.tracking_code}", "tiket=TIDAKADA"],
    "dutylog:day": lambda day: ["format=pdf", "format=hash"],
    "dutylog:roster": lambda day: ["bulan=2026-11", "bulan=2026-12"],
    "dutylog:compliance": lambda day: ["bulan=2026-11", f"unit={day.selatan.pk}"],
    "anev:standards": lambda day: ["bulan=2026-11", f"unit={day.selatan.pk}", "format=xlsx"],
    "anev:standards-polres": lambda day: ["bulan=2026-11", "format=xlsx"],
    "anev:anev": lambda day: [
        f"periode=minggu&tanggal={DAY}",
        f"periode=bulan&tanggal={DAY}&unit={day.selatan.pk}",
        f"periode=bulan&tanggal={DAY}&format=xlsx",
        "periode=tahun",
    ],
    "api:anev": lambda day: [f"periode=minggu&tanggal={DAY}", f"unit={day.selatan.pk}"],
    "api:standards": lambda day: ["bulan=2026-11", f"unit={day.selatan.pk}"],
    "reports:daily": lambda day: [f"tanggal={DAY}", f"tanggal={DAY}&unit={day.selatan.pk}"],
    "ikm:results": lambda day: [
        "bulan=2026-11",
        f"unit={day.selatan.pk}&bulan=2026-11&layanan=sktlk",
        f"dari=2026-11-01&sampai={DAY}",
        "bulan=2026-11&format=pdf",
        "bulan=2026-10&format=pdf",
    ],
    "api:ikm": lambda day: [f"unit={day.selatan.pk}&bulan=2026-11", f"dari={DAY}&sampai={DAY}"],
    "api:report-daily": lambda day: [f"date={DAY}", f"unit={day.selatan.pk}"],
    "api:mutasi": lambda day: [f"unit={day.selatan.pk}"],
    "api:documents": lambda day: [f"unit={day.selatan.pk}", "limit=2&offset=1"],
    "api:contacts": lambda day: [
        f"unit={day.selatan.pk}",
        "status=open&channel=whatsapp",
        "status=closed&limit=2&offset=1",
        "status=x&channel=y",
    ],
    "documents:list": lambda day: [f"unit={day.selatan.pk}", "page=2"],
    "documents:register": lambda day: [
        "format=csv",
        "format=xlsx",
        f"unit={day.selatan.pk}&q=Rahma&status=void&date_from=2026-11-01&date_to={DAY}",
    ],
    "documents:pdf": lambda day: ["inline=1"],
    "documents:sktlk-new": lambda day: (
        [
            f"kode={p}"
            for p in PreRegistration.objects.filter(kind="SKTLK").values_list("code", flat=True)
        ]
        + ["cari=7571025506850003", "cari=081234567890"]
    ),
    "documents:lp-new": lambda day: [
        "model=A",
        *(
            f"kode={p}"
            for p in PreRegistration.objects.filter(kind="LP_B").values_list("code", flat=True)
        ),
    ],
    "dutylog:today": lambda day: [f"unit={day.selatan.pk}"],
    "intake:inbox": lambda day: [f"unit={day.selatan.pk}"],
    "fieldhelp:board": lambda day: [f"unit={day.selatan.pk}", f"unit={day.utara.pk}"],
    "fieldhelp:register": lambda day: [
        "format=csv",
        "format=xlsx",
        f"unit={day.selatan.pk}&type=tptkp&status=on_scene&date_from=2026-11-01&date_to={DAY}",
        "officer=x&type=y&status=z&date_from=2026-13-45",
    ],
    "api:field-tasks": lambda day: [
        f"unit={day.selatan.pk}",
        "status=on_scene&type=tptkp&open=true&limit=2&offset=1",
        "status=x&type=y&open=z",
    ],
    "fieldhelp:task-new": lambda day: (
        [f"kontak={pk}" for pk in Contact.objects.values_list("pk", flat=True)[:3]] + ["kontak=x"]
    ),
    "intake:letters": lambda day: [f"unit={day.selatan.pk}"],
    "portal:verify": lambda day: [
        urlsplit(d["verify_url"]).query for d in Document.objects.values_list("snapshot", flat=True)
    ][:2],
    "api:docs": lambda day: ["script"],
    "channels:whatsapp-webhook": lambda day: [
        f"hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1"
    ],
}
# Pages that answer HTMX polls with a fragment.
HTMX = {
    "dutylog:today",
    "intake:inbox",
    "intake:detail",
    "intake:lobby",
    "intake:track",
    "fieldhelp:board",
}


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name", or the route when unnamed
    named: bool
    route: str
    params: dict[str, str]  # name -> converter or regex
    callback: Callable


def _walk(resolvers: list, prefix: str = "", ns: str = "") -> Iterator[Pattern]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{ns}{entry.namespace}:" if entry.namespace else ns
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            names = re.findall(r"<(?:(\w+):)?(\w+)>", route) + [
                ("re", n) for n in re.findall(r"\(\?P<(\w+)>", route)
            ]
            params = {n: conv or "str" for conv, n in names}
            name = f"{ns}{entry.name}" if entry.name else route
            yield Pattern(
                name=name,
                named=bool(entry.name),
                route=route,
                params=params,
                callback=entry.callback,
            )


def patterns() -> list[Pattern]:
    return list(_walk(get_resolver().url_patterns))


def _admin_kwargs(p: Pattern, day: Day) -> list[Kwargs] | None:
    admin = getattr(p.callback, "model_admin", None)
    params = set(p.params)
    if params == {"object_id"} and admin is not None:
        pk = admin.model.objects.order_by("pk").values_list("pk", flat=True).first()
        return _each("object_id", [pk if pk is not None else 1])
    if params == {"id"} and "/user/" in p.route:  # the user admin's password page
        return _each("id", [day.users["jaga"].pk])
    if params == {"app_label"}:
        labels = re.search(r"\(\?P<app_label>([^)]*)\)", p.route)
        return _each("app_label", labels.group(1).split("|") if labels else [])
    if params == {"content_type_id", "object_id"}:
        doc = Document.objects.first()
        assert doc is not None
        return [{"content_type_id": ContentType.objects.get_for_model(doc).pk, "object_id": doc.pk}]
    if params == {"url"}:
        return _each("url", ["tidak-ada/"])
    return None


def fill(p: Pattern, day: Day) -> list[Kwargs] | None:
    """Every set of real parameter values for the pattern, or None if it cannot be filled."""
    if not p.params:
        return [{}]
    if p.name in PARAMS:
        return PARAMS[p.name](day)
    if p.name.startswith("admin:") or p.route.startswith("admin/"):
        return _admin_kwargs(p, day)
    if all(n in BY_PARAM for n in p.params):
        combos: list[Kwargs] = [{}]
        for n in p.params:
            combos = [{**c, n: v} for c in combos for v in BY_PARAM[n](day)]
        return combos
    return None


def _path(p: Pattern, kwargs: Kwargs) -> str:
    if p.named:
        return reverse(p.name, kwargs=kwargs)
    path = "/" + p.route  # unnamed: substitute by hand (the catch-alls of admin and API)
    for name, value in kwargs.items():
        path = re.sub(rf"<(\w+:)?{name}>|\(\?P<{name}>[^)]*\)", str(value), path)
    return re.sub(r"\^|\$|\\Z", "", path)


@dataclass
class Request:
    pattern: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)


def requests_for(p: Pattern, day: Day, failures: list[str]) -> list[Request]:
    combos = fill(p, day)
    if combos is None:
        failures.append(
            f"{p.name} ({p.route}): cannot fill {sorted(p.params)}; add it to PARAMS or BY_PARAM"
        )
        return []
    out = []
    for kwargs in combos:
        path = _path(p, kwargs)
        out.append(Request(p.name, path))
        out += [
            Request(p.name, f"{path}?{q}") for q in VARIANTS.get(p.name, lambda d: [])(day) if q
        ]
        if p.name in HTMX:
            out.append(Request(p.name, path, {"HX-Request": "true"}))
    return out


HOSTILE_QUERY = "unit=99999999999999999999&page=x&format=zzz&limit=-1&offset=abc&bulan=&tanggal="


def hostile_requests(everything: list[Pattern], day: Day) -> list[Request]:
    """Ids too large for any column, and junk in every query parameter the pages read."""
    out = []
    for p in everything:
        combos = fill(p, day) or []
        if not combos or p.route.startswith("admin/"):
            continue
        kwargs = dict(combos[0])
        ints = [n for n, conv in p.params.items() if conv == "int"]
        if ints:
            huge = {**kwargs, **dict.fromkeys(ints, 10**20)}
            out.append(Request(p.name, _path(p, huge)))
        out.append(Request(p.name, f"{_path(p, kwargs)}?{HOSTILE_QUERY}"))
    return out


def _get(client: Client, request: Request) -> Any:  # the test client's response, or the error
    try:
        with transaction.atomic():  # one failure must not poison the rest (PostgreSQL)
            response = client.get(request.path, headers=request.headers)
            if response.streaming:
                # Read to the end: a file or export that fails halfway is a failure too. (The
                # test client closes the response itself; closing it again here would close
                # the database connection inside the test's transaction.)
                response.getvalue()
            return response
    except Exception as exc:  # collected and reported with the rest
        return exc


def crawl(clients: dict[str, Client], requests: list[Request]) -> list[str]:
    failures = []
    for who, client in clients.items():
        for request in requests:
            result = _get(client, request)
            if isinstance(result, Exception):
                failures.append(f"{who} GET {request.path}: {type(result).__name__}: {result}")
            elif result.status_code >= 500:
                failures.append(f"{who} GET {request.path}: {result.status_code}")
    return failures


# --- The tests ---------------------------------------------------------------------------------
@pytest.fixture
def day(db, settings, tmp_path) -> Iterator[Day]:
    lived = live_a_day(settings, tmp_path)
    with time_machine.travel(at(DAY + timedelta(days=1), 9), tick=False):
        yield lived


def _clients(day: Day) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for username in USERNAMES:
        clients[username] = Client()
        clients[username].force_login(day.users[username])
    return clients


def test_no_page_answers_5xx_for_any_role_after_a_lived_in_day(day: Day) -> None:
    failures: list[str] = []
    everything = patterns()
    assert len(everything) > 60  # the walk found the project, not an empty resolver
    requests = [r for p in everything for r in requests_for(p, day, failures)]
    clients = _clients(day)
    failures += crawl(clients, requests)
    hostile = hostile_requests(everything, day)
    failures += crawl({k: clients[k] for k in ("anonymous", "jaga", "penilai", "admin")}, hostile)
    # The API once more with a token instead of a session: each pattern once.
    api = list({r.pattern: r for r in requests if r.path.startswith("/api/")}.values())
    tokens = {}
    for username in USERNAMES:
        key = Token.objects.get_or_create(user=day.users[username])[0].key
        tokens[f"{username} (token)"] = Client(headers={"Authorization": f"Token {key}"})
    failures += crawl(tokens, api)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)


def test_the_day_holds_what_the_crawl_is_meant_to_reach(day: Day) -> None:
    sealed = Shift.objects.get(unit=day.selatan, starts_at=at(DAY, 8))
    assert sealed.status == ShiftStatus.CLOSED
    assert set(Document.objects.values_list("doc_type", flat=True)) >= {
        "SKTLK",
        "LP_A",
        "LP_B",
        "STTLP",
    }
    assert Document.objects.filter(void__isnull=False).exists()
    # Daily reports: the demo's acknowledged one and the lived-in day's, waiting for the Kapolsek.
    assert set(DailyReport.objects.values_list("status", flat=True)) == {
        "acknowledged",
        "submitted",
    }
    assert set(Contact.objects.values_list("channel", flat=True)) >= {
        "web",
        "walkin",
        "whatsapp",
        "email",
        "letter",
        "phone",
    }
    # The 500 of issue 8: entries written by the system (web form, kiosk, webhook, clock), in
    # the sealed book and in the open one, shown with the system as their source.
    for shift in (sealed, Shift.objects.get(unit=day.selatan, status=ShiftStatus.OPEN)):
        assert Mutasi.objects.filter(shift=shift, author=None).exists()
    client = Client()
    client.force_login(day.users["jaga"])
    for path in (
        reverse("dutylog:today"),
        reverse("dutylog:shift", args=[sealed.pk]),
        reverse("dutylog:day", args=[DAY.isoformat()]),
    ):
        answer = client.get(path)
        assert answer.status_code == 200
        assert b'data-source="system"' in answer.content


def date_urls(day: Day) -> list[tuple[Callable[[str], str], str, list[str]]]:
    """Every URL that takes a date or a month: (build it from a value, a good value, bad ones)."""
    book = reverse("dutylog:day", args=["D"])
    register = reverse("documents:register", args=["sktlk"])
    days = [
        lambda v: book.replace("/D/", f"/{v}/"),
        lambda v: book.replace("/D/", f"/{v}/") + "?format=pdf",
        lambda v: book.replace("/D/", f"/{v}/") + "?format=hash",
        lambda v: f"{reverse('reports:daily')}?tanggal={v}",
        lambda v: f"{reverse('anev:anev')}?tanggal={v}",
        lambda v: f"{reverse('api:anev')}?tanggal={v}",
        lambda v: f"{reverse('api:report-daily')}?date={v}",
        lambda v: f"{reverse('ikm:results')}?dari={v}&sampai={v}",
        lambda v: f"{reverse('api:ikm')}?dari={v}&sampai={v}",
        lambda v: f"{register}?date_from={v}",
        lambda v: f"{register}?date_to={v}&format=csv",
    ]
    months = [
        lambda v: f"{reverse('dutylog:roster')}?bulan={v}",
        lambda v: f"{reverse('dutylog:compliance')}?bulan={v}",
        lambda v: f"{reverse('ikm:results')}?bulan={v}",
        lambda v: f"{reverse('ikm:results')}?bulan={v}&format=pdf",
        lambda v: f"{reverse('api:ikm')}?bulan={v}",
        lambda v: f"{reverse('anev:standards')}?bulan={v}",
        lambda v: f"{reverse('anev:standards-polres')}?bulan={v}",
        lambda v: f"{reverse('api:standards')}?bulan={v}",
    ]
    return [(url, DAY.isoformat(), BAD_DAYS) for url in days] + [
        (url, DAY.strftime("%Y-%m"), BAD_MONTHS) for url in months
    ]


def test_every_date_parameter_refuses_out_of_range_values_with_a_4xx(day: Day) -> None:
    failures = []
    client = Client()
    client.force_login(day.users["kapolsek"])
    for url, good, bad_values in date_urls(day):
        # The good value opens the page, so a 4xx below is the date's refusal, not the role's.
        result = _get(client, Request("", url(good)))
        if isinstance(result, Exception) or result.status_code != 200:
            failures.append(f"GET {url(good)}: {result!r}, expected 200")
        for value in bad_values:
            path = url(quote(value))
            result = _get(client, Request("", path))
            if isinstance(result, Exception):
                failures.append(f"GET {path}: {type(result).__name__}: {result}")
            elif not 400 <= result.status_code < 500:
                failures.append(f"GET {path}: {result.status_code}, expected 4xx")
            elif (
                "Tanggal" not in result.content.decode() and "Bulan" not in result.content.decode()
            ):
                failures.append(f"GET {path}: {result.status_code} without a reason")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
