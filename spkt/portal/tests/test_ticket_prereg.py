"""Issue 12, item 2: one code for the citizen. The kiosk ticket's QR opens a pre-registration that
carries the ticket; the confirmation gives back the ticket's own code; the officer who calls the
number opens "Buat SKTLK/LP" already filled, and issuing closes the ticket's contact."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from spkt.core.models import AuditEvent
from spkt.documents.models import Document, PreRegistration
from spkt.documents.tests.test_prereg import PUBLIC
from spkt.intake.models import Contact, Outcome, Status
from spkt.intake.services import contact_close, ticket_issue


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    cache.clear()


def prereg_url(unit, kind: str = "sktlk", ticket: str = "") -> str:
    url = reverse("portal:prereg", args=[unit.code, kind])
    return url + "?" + urlencode({"tiket": ticket}) if ticket else url


def test_the_tickets_qr_leads_to_a_prereg_carrying_the_ticket(client: Client, selatan) -> None:
    ticket = ticket_issue(unit=selatan)
    page = client.get(
        reverse("intake:kiosk-ticket", args=[selatan.code, ticket.tracking_code])
    ).content.decode()
    shown = re.search(r"data-prereg>([^<]+)<", page)[1]
    assert shown.endswith(prereg_url(selatan, ticket=ticket.tracking_code))
    # The printed ticket still names its tracking page and code.
    assert reverse("intake:track", args=[ticket.tracking_code]) in page
    assert f"data-ticket-code>{ticket.tracking_code}<" in page

    form = client.get(prereg_url(selatan, ticket=ticket.tracking_code)).content.decode()
    assert f'data-ticket="{ticket.queue_ticket}"' in form
    assert reverse("intake:track", args=[ticket.tracking_code]) in form
    # Switching to a crime report keeps the ticket.
    assert f'href="{prereg_url(selatan, "lp", ticket.tracking_code)}" data-other-kind' in form


def test_the_confirmation_gives_back_the_tickets_code(client: Client, selatan) -> None:
    ticket = ticket_issue(unit=selatan)
    response = client.post(prereg_url(selatan, ticket=ticket.tracking_code), PUBLIC)
    assert response.status_code == 200
    page = response.content.decode()
    prereg = PreRegistration.objects.get()
    # One code: the ticket's, and the link to the page that follows it.
    assert re.search(r"data-code>\s*([A-Z0-9]+)\s*<", page)[1] == ticket.tracking_code
    assert prereg.code not in page
    assert f'href="{reverse("intake:track", args=[ticket.tracking_code])}" data-track' in page
    ticket.refresh_from_db()
    assert ticket.preregistration == prereg
    assert ticket.sender_name == "Rahma Suleman"  # the inbox shows a name, not only "A-01"
    # The tracking page says the data arrived instead of offering the forms again.
    track = client.get(reverse("intake:track", args=[ticket.tracking_code])).content.decode()
    assert "data-preregistered" in track


def test_the_officer_who_calls_the_ticket_finds_the_form_filled(
    client: Client, petugas, selatan
) -> None:
    ticket = ticket_issue(unit=selatan)
    client.post(prereg_url(selatan, ticket=ticket.tracking_code), PUBLIC)
    prereg = PreRegistration.objects.get()
    client.force_login(petugas)
    called = client.post(reverse("intake:ticket-call"))
    assert called["Location"] == reverse("intake:detail", args=[ticket.pk])
    detail = client.get(called["Location"]).content.decode()
    assert 'data-preregistration="SKTLK"' in detail
    sktlk = re.search(r'href="([^"]+)" data-action="sktlk"', detail)[1].replace("&amp;", "&")
    assert 'class="button primary" href="' + sktlk.replace("&", "&amp;") in detail
    form = client.get(sktlk).context["form"]
    assert form.initial["name"] == "Rahma Suleman"
    assert form.initial["nik"] == "7571025506850003"
    assert form.initial["item_KTP"] is True
    assert form.initial["detail_ATM"] == "BRI"
    assert form.initial["prereg"] == prereg.code
    assert form.initial["source"] == f"kontak:{ticket.pk}"
    assert AuditEvent.objects.filter(
        action="citizen.nik.unmasked", target_id=str(prereg.pk)
    ).exists()
    # The officer checks the KTP and the papers, and issues: nothing else typed.
    data = {k: v for k, v in form.initial.items() if v not in (None, "", False)}
    data.update({"papers_KTP": "on", "papers_ATM": "on", "idempotency_key": "a" * 32})
    data["birth_date"] = str(data["birth_date"])
    data["lost_on"] = str(data["lost_on"])
    response = client.post(reverse("documents:sktlk-new"), data)
    doc = Document.objects.get()
    assert response.status_code == 302
    prereg.refresh_from_db()
    ticket.refresh_from_db()
    assert prereg.used_at is not None
    assert prereg.document == doc
    assert (ticket.status, ticket.outcome, ticket.outcome_document_id) == (
        Status.CLOSED,
        Outcome.SKTLK,
        doc.pk,
    )


def test_the_desk_can_type_the_tickets_code_instead(
    client: Client, petugas, outsider, selatan
) -> None:
    ticket = ticket_issue(unit=selatan)
    client.post(prereg_url(selatan, ticket=ticket.tracking_code), PUBLIC)
    client.force_login(petugas)
    form = client.get(
        reverse("documents:sktlk-new"), {"kode": ticket.tracking_code.lower()}
    ).context["form"]
    assert form.initial["name"] == "Rahma Suleman"
    assert form.initial["prereg"] == PreRegistration.objects.get().code
    # Another station's desk cannot open it with the ticket's code.
    client.force_login(outsider)
    page = client.get(reverse("documents:sktlk-new"), {"kode": ticket.tracking_code})
    assert "tidak ditemukan" in page.content.decode()
    assert "Rahma Suleman" not in page.content.decode()


def test_an_lp_from_the_ticket_prefills_the_lp_form(client: Client, petugas, selatan) -> None:
    ticket = ticket_issue(unit=selatan)
    data = {k: v for k, v in PUBLIC.items() if not k.startswith(("item", "detail", "lost"))}
    data.update(
        {
            "event_when": "2026-11-30T21:00",
            "event_where": "Jl. Pertiwi 5",
            "event_what": "Rumah dibobol",
            "account": "Pintu belakang rusak.",
        }
    )
    assert client.post(prereg_url(selatan, "lp", ticket.tracking_code), data).status_code == 200
    client.force_login(petugas)
    detail = client.get(reverse("intake:detail", args=[ticket.pk])).content.decode()
    assert 'data-preregistration="LP_B"' in detail
    lp = re.search(r'href="([^"]+)" data-action="lp"', detail)[1].replace("&amp;", "&")
    form = client.get(lp).context["form"]
    assert form.initial["event_what"] == "Rumah dibobol"  # not "Antrean A-01"
    assert form.initial["nik"] == "7571025506850003"
    assert form.initial["prereg"] == PreRegistration.objects.get().code


@pytest.mark.parametrize("case", ["unknown", "other-station", "served"])
def test_a_bad_ticket_is_refused_and_nothing_is_stored(
    client: Client, selatan, utara, petugas, case
) -> None:
    if case == "unknown":
        code = "ZZZZZZZZZZ"
    elif case == "other-station":
        code = ticket_issue(unit=utara).tracking_code
    else:
        served = ticket_issue(unit=selatan)
        contact_close(actor=petugas, contact=served, outcome=Outcome.INFO)
        code = served.tracking_code
    form = client.get(prereg_url(selatan, ticket=code)).content.decode()
    assert "data-ticket-unknown" in form
    assert f'href="{prereg_url(selatan)}"' in form  # the way on without the ticket
    response = client.post(prereg_url(selatan, ticket=code), PUBLIC)
    assert response.status_code == 400
    assert "Nomor antrean ini tidak ditemukan atau sudah selesai dilayani." in (
        response.content.decode()
    )
    assert not PreRegistration.objects.exists()
    assert not Contact.objects.filter(preregistration__isnull=False).exists()


def test_a_used_preregistration_leaves_the_contacts_own_words(
    client: Client, petugas, selatan
) -> None:
    ticket = ticket_issue(unit=selatan)
    client.post(prereg_url(selatan, ticket=ticket.tracking_code), PUBLIC)
    PreRegistration.objects.update(used_at=ticket.received_at)
    client.force_login(petugas)
    detail = client.get(reverse("intake:detail", args=[ticket.pk])).content.decode()
    assert "data-preregistration" not in detail
    sktlk = re.search(r'href="([^"]+)" data-action="sktlk"', detail)[1].replace("&amp;", "&")
    form = client.get(sktlk).context["form"]
    assert "nik" not in form.initial
    assert form.initial["name"] == "Rahma Suleman"
