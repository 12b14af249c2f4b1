"""ADR 0009 everywhere a document is shown: the issued LP's edit page and the SKTLK's item lines
carry the masked NIK, never the full one."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from spkt.conftest import issue
from spkt.core import clock
from spkt.core.canonical import canonical_json
from spkt.core.models import AuditEvent
from spkt.documents.lp import LpContent, lp_draft_save, lp_issue, lp_review
from spkt.documents.models import DraftStatus, LaporanDraft, Pasal
from spkt.documents.services import CitizenData, LostItem, document_pdf_ensure, sktlk_extend

NIK = "7571021203790002"
MASKED = "757102********02"
REPORTER_NIK = "7571025506850003"  # conftest.citizen_data


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def lp_content(**overrides: object) -> LpContent:
    """An LP model B of Hendra Pakaya (full NIK), three hours ago."""
    fields: dict[str, Any] = {
        "model": "B",
        "classification": "Kejahatan",
        "event_when": clock.now() - timedelta(hours=3),
        "event_where": "Jl. Pertiwi 5",
        "citizen": CitizenData(
            name="Hendra Pakaya",
            nik=NIK,
            birth_place="Limboto",
            birth_date=date(1979, 3, 12),
            gender="L",
            address="Jl. Pertiwi 5",
        ),
    }
    fields.update(overrides)
    return LpContent(**fields)


def issued_lp(petugas, reskrim, unit) -> LaporanDraft:
    pasal = Pasal.objects.get_or_create(
        book="KUHP_2023", article="476", defaults={"title": "Pencurian"}
    )[0]
    content = lp_content(
        event_what="Pencurian di rumah", account="Rumah pelapor dibobol.", offences=[pasal]
    )
    draft = lp_draft_save(actor=petugas, unit=unit, content=content)
    lp_review(actor=reskrim, draft=draft, recommendation="Unsur terpenuhi.", offences=[pasal])
    lp_issue(actor=petugas, draft=draft, idempotency_key=uuid.uuid4().hex)
    draft.refresh_from_db()
    assert draft.status == DraftStatus.ISSUED
    return draft


def test_the_edit_page_of_an_issued_lp_shows_the_masked_nik_only(
    client: Client, petugas, reskrim, selatan
) -> None:
    draft = issued_lp(petugas, reskrim, selatan)
    client.force_login(petugas)
    response = client.get(reverse("documents:lp-edit", args=[draft.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert MASKED in page
    assert NIK not in page
    assert "LP ini sudah diterbitkan dan tidak dapat diubah." in page
    assert 'data-action="save-draft"' not in page
    assert not AuditEvent.objects.filter(action="citizen.nik.unmasked").exists()


def test_a_post_to_an_issued_lp_is_refused_and_changes_nothing(
    client: Client, petugas, reskrim, selatan
) -> None:
    draft = issued_lp(petugas, reskrim, selatan)
    before = (draft.data, draft.citizen.name)
    client.force_login(petugas)
    response = client.post(
        reverse("documents:lp-edit", args=[draft.pk]),
        {"model": "B", "name": "Orang Lain", "nik": NIK, "account": "Diubah."},
    )
    assert response.status_code == 400
    assert "LP ini sudah diterbitkan dan tidak dapat diubah." in response.content.decode()
    assert NIK not in response.content.decode()
    draft.refresh_from_db()
    assert (draft.data, draft.citizen.name) == before


def test_a_draft_still_opens_with_the_full_nik_for_the_officer(
    client: Client, petugas, selatan
) -> None:
    draft = lp_draft_save(
        actor=petugas,
        unit=selatan,
        content=lp_content(event_what="Pencurian", account="Dibobol."),
    )
    client.force_login(petugas)
    page = client.get(reverse("documents:lp-edit", args=[draft.pk])).content.decode()
    assert NIK in page  # a draft is edited, so the form carries it (and the view is audited)
    assert AuditEvent.objects.filter(action="citizen.nik.unmasked").count() == 1


def test_a_nik_typed_into_an_sktlk_item_line_prints_masked(petugas, selatan) -> None:
    doc = issue(
        petugas,
        selatan,
        items=[
            LostItem(kind="KTP", details=f"NIK {REPORTER_NIK}", papers_checked=True),
            LostItem(kind="KK", details="No. KK 7571 0255 0685 0099", papers_checked=True),
        ],
        chronology=f"Dompet berisi KTP {REPORTER_NIK} jatuh di pasar.",
    )
    assert [i["details"] for i in doc.snapshot["items"]] == [
        "NIK 757102********03",
        "No. KK 757102********99",
    ]
    assert doc.snapshot["chronology"] == "Dompet berisi KTP 757102********03 jatuh di pasar."
    stored = canonical_json(doc.snapshot) + canonical_json(doc.ledger_entry.payload)
    assert REPORTER_NIK not in stored
    assert "7571025506850099" not in stored
    text = pdf_text(document_pdf_ensure(document_id=doc.pk).pdf.read())
    assert "KTP — NIK 757102********03" in text
    assert REPORTER_NIK not in text.replace(" ", "")
    assert "7571025506850099" not in text.replace(" ", "")
    # An extension carries the lines over, still masked.
    longer = sktlk_extend(actor=petugas, old=doc, idempotency_key=uuid.uuid4().hex)
    assert REPORTER_NIK not in canonical_json(longer.snapshot)
