"""The book is Indonesian: an officer whose screen is in English still writes Indonesian into the
Buku Mutasi, the documents and the ledger, while the pages around them stay English."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from spkt.conftest import PASSWORD, sktlk_post_data
from spkt.core.booktext import book_language
from spkt.documents.lp import LpContent, lp_draft_save, lp_issue, lp_review
from spkt.documents.models import Document, Pasal
from spkt.documents.services import CitizenData, document_pdf_ensure
from spkt.dutylog.models import Mutasi, MutasiCategory
from spkt.dutylog.printing import book_data
from spkt.dutylog.services import mutasi_append, mutasi_write
from spkt.intake.clock import sla_sweep
from spkt.intake.models import Contact
from spkt.intake.services import Incoming, contact_receive
from spkt.org.models import User


def english(client: Client, user) -> Client:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def texts(**filters: object) -> list[str]:
    return list(Mutasi.objects.filter(**filters).order_by("pk").values_list("text", flat=True))


def test_a_phone_call_logged_in_english_is_written_in_indonesian(
    client: Client, open_shift, petugas
) -> None:
    response = english(client, petugas).post(
        reverse("intake:phone-log"),
        {"caller": "0812 555 1234", "name": "Pak Umar", "summary": "Tanya syarat SKCK"},
        follow=True,
    )
    assert "Log out" in response.content.decode()  # the page around it is English
    call = Contact.objects.get(channel="phone")
    entry = Mutasi.objects.get(text__contains=call.tracking_code)
    assert entry.text == (
        f"Menerima kontak Telepon dari Pak Umar ({call.tracking_code}): Tanya syarat SKCK"
    )
    assert entry.ledger_entry.payload["text"] == entry.text


def test_the_clock_alert_is_indonesian_whatever_language_is_active(selatan, ka_spkt) -> None:
    contact = contact_receive(
        unit=selatan,
        incoming=Incoming(channel="whatsapp", body="Tolong", sender_address="+62 812 1"),
    )
    with translation.override("en"):
        assert sla_sweep(now=contact.first_response_due_at + timedelta(seconds=1)) == (1, 0)
    [alert] = texts(red=True)
    assert alert == (
        f"Kontak {contact.tracking_code} (WhatsApp) belum ditanggapi dalam 5 menit; "
        "Ka SPKT diberi tahu."
    )


def test_a_handover_confirmed_in_english_is_sealed_in_indonesian(
    client: Client, open_shift, ka_spkt
) -> None:
    client = english(client, ka_spkt)
    url = reverse("dutylog:handover", args=[open_shift.pk])
    client.post(url)
    handover = open_shift.handover_out
    client.post(url, {"step": "count", "fill_rest": "on", "notes": "Situasi aman."})
    out_user = User.objects.get(personnel=handover.outgoing.ka_spkt)
    in_user = User.objects.get(personnel=handover.incoming.ka_spkt)
    confirm = {
        "step": "confirm",
        "out_username": out_user.username,
        "out_password": PASSWORD,
        "in_username": in_user.username,
        "in_password": PASSWORD,
        **{f"present_{pid}": "on" for pid in handover.incoming.lineup()},
    }
    assert client.post(url, confirm).status_code == 302
    [seal] = texts(shift=open_shift, category=MutasiCategory.SERAH_TERIMA)
    assert seal.startswith("Serah terima dinas Regu I kepada Regu II: personel ")
    assert "Dikonfirmasi oleh" in seal
    assert "Catatan: Situasi aman." in seal
    [apel] = texts(shift=handover.incoming, category=MutasiCategory.APEL)
    assert apel.startswith("Apel pembukaan Regu II: hadir ")
    # The book page is English around Indonesian entries; its PDF is Indonesian throughout.
    page = client.get(reverse("dutylog:shift", args=[open_shift.pk])).content.decode()
    assert "Log out" in page
    assert "Serah terima dinas Regu I" in page
    with translation.override("en"):
        book = book_data(unit=open_shift.unit, shift=open_shift)
    assert book["entries"][-1]["text"] == seal
    assert book["entries"][-1]["category"] == "Serah terima"


def test_an_sktlk_issued_in_english_is_indonesian_in_the_book_and_on_paper(
    client: Client, open_shift, petugas
) -> None:
    response = english(client, petugas).post(reverse("documents:sktlk-new"), sktlk_post_data())
    doc = Document.objects.get()
    assert response.status_code == 302
    assert "Log out" in client.get(response["Location"]).content.decode()
    assert texts(text__contains=doc.number) == [
        f"Menerbitkan {doc.number} a.n. RAHMA SULEMAN (kehilangan: KTP)."
    ]
    assert doc.snapshot["reporter"]["gender"] == "Perempuan"
    text = pdf_text(document_pdf_ensure(document_id=doc.pk).pdf.read())
    assert "Perempuan" in text
    assert "Female" not in text


def test_an_lp_issued_in_english_is_indonesian(open_shift, petugas, reskrim) -> None:
    pasal = Pasal.objects.get_or_create(
        book="KUHP_2023", article="476", defaults={"title": "Pencurian"}
    )[0]
    content = LpContent(
        model="B",
        classification="Kejahatan",
        event_when=open_shift.opened_at,
        event_where="Jl. Pertiwi 5",
        event_what="Pencurian di rumah",
        account="Rumah pelapor dibobol.",
        citizen=CitizenData(
            name="Hendra Pakaya",
            nik="7571021203790002",
            birth_place="Limboto",
            birth_date=date(1979, 3, 12),
            gender="L",
            address="Jl. Pertiwi 5",
        ),
        offences=[pasal],
    )
    with translation.override("en"):
        draft = lp_draft_save(actor=petugas, unit=open_shift.unit, content=content)
        lp_review(actor=reskrim, draft=draft, recommendation="Unsur terpenuhi.", offences=[pasal])
        doc = lp_issue(actor=petugas, draft=draft, idempotency_key=uuid.uuid4().hex)
    assert doc.snapshot["reporter"]["gender"] == "Laki-laki"
    assert doc.snapshot["reporter"]["birth"] == "Limboto, 12 Maret 1979"
    [entry] = texts(text__contains=doc.number)
    assert entry.startswith(f"Menerbitkan {doc.number} a.n. HENDRA PAKAYA (Pasal 476 ")
    assert entry.endswith("diserahkan kepada pelapor.")


def test_a_correction_written_in_english_is_indonesian(client: Client, open_shift, petugas) -> None:
    with book_language():
        original = mutasi_append(
            unit=open_shift.unit, shift=open_shift, text="Patroli pagi.", category="patroli"
        )
    english(client, petugas).post(
        reverse("dutylog:correct", args=[original.pk]), {"text": "Patroli siang."}
    )
    [correction] = texts(corrects=original)
    assert correction.startswith("Koreksi atas entri ")


def test_book_text_composed_outside_book_language_is_refused(selatan) -> None:
    # A new caller that forgets book_language() fails at once, in any UI language.
    for language in ("id", "en"):
        with (
            translation.override(language),
            pytest.raises(RuntimeError, match="book_language"),
            transaction.atomic(),
        ):
            mutasi_append(unit=selatan, text="Apel pagi.", category=MutasiCategory.APEL)
    assert not Mutasi.objects.exists()


def test_a_refused_entry_is_explained_in_the_officers_language(open_shift, petugas) -> None:
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            mutasi_write(actor=petugas, unit=open_shift.unit, text="   ", category="patroli")
        assert refused.value.messages == ["Entry description cannot be empty."]
    assert not Mutasi.objects.filter(category="patroli").exists()
