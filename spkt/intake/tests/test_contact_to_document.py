"""Issue 12, item 1: "Buat SKTLK" / "Buat LP" on a contact open the form with what the citizen
already told the desk, and issuing the document closes the contact with it, in one transaction."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from spkt.conftest import sktlk_post_data
from spkt.core import clock
from spkt.documents.lp import LpContent, lp_draft_save, lp_issue, lp_review
from spkt.documents.models import DocType, Document, Pasal
from spkt.dutylog.models import Mutasi
from spkt.intake.models import Contact, Outcome, Status
from spkt.intake.services import contact_close


def _form(client: Client, contact: Contact) -> str:
    response = client.get(reverse("documents:sktlk-new"), {"sumber": f"kontak:{contact.pk}"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_contact_page_links_to_forms_that_start_from_it(client, contact, petugas) -> None:
    client.force_login(petugas)
    html = client.get(reverse("intake:detail", args=[contact.pk])).content.decode()
    assert f"?sumber=kontak%3A{contact.pk}&amp;cari=6281234567890" in html
    assert f"?model=B&amp;sumber=kontak%3A{contact.pk}" in html


def test_the_sktlk_form_is_prefilled_from_the_contact(client, contact, petugas) -> None:
    client.force_login(petugas)
    html = _form(client, contact)
    assert 'value="Warga Biawu"' in html
    assert 'value="+6281234567890"' in html
    assert "Ada motor parkir di trotoar tiga hari" in html  # the chronology
    assert f'name="source" value="kontak:{contact.pk}"' in html
    assert f"Data dari kontak {contact.tracking_code} dimuat" in html


def test_the_lookup_on_the_form_keeps_the_contact(client, contact, petugas) -> None:
    """ "Muat data" (a pre-registration code or a phone number) must not drop the contact the form
    started from: issuing still closes it."""
    client.force_login(petugas)
    html = _form(client, contact)
    assert f'<input type="hidden" name="sumber" value="kontak:{contact.pk}">' in html
    looked_up = client.get(
        reverse("documents:sktlk-new"), {"sumber": f"kontak:{contact.pk}", "cari": "0812999"}
    ).content.decode()
    assert f'name="source" value="kontak:{contact.pk}"' in looked_up


def test_issuing_closes_the_contact_with_the_sktlk(client, contact, petugas, selatan) -> None:
    client.force_login(petugas)
    response = client.post(
        reverse("documents:sktlk-new"), sktlk_post_data(source=f"kontak:{contact.pk}")
    )
    assert response.status_code == 302
    doc = Document.objects.get(doc_type=DocType.SKTLK)
    contact.refresh_from_db()
    assert (contact.status, contact.outcome, contact.outcome_document) == (
        Status.CLOSED,
        Outcome.SKTLK,
        doc,
    )
    assert contact.first_response_at is not None
    assert Mutasi.objects.filter(text__contains=f"Menutup kontak {contact.tracking_code}").exists()


def test_another_stations_contact_is_neither_shown_nor_closed(client, other, petugas) -> None:
    client.force_login(petugas)
    html = _form(client, other)
    assert "Tolong" not in html
    assert "Kontak tidak ditemukan di satuan ini." in html
    response = client.post(
        reverse("documents:sktlk-new"), sktlk_post_data(source=f"kontak:{other.pk}")
    )
    assert response.status_code == 400
    assert "Kontak tidak ditemukan di satuan ini." in response.content.decode()
    assert not Document.objects.exists()
    other.refresh_from_db()
    assert other.status != Status.CLOSED


@pytest.mark.parametrize("value", ["kontak:abc", "kasus:12", "kontak:", "x" * 41, "kontak:1;2"])
def test_a_bad_source_is_refused_and_nothing_is_issued(client, petugas, value) -> None:
    client.force_login(petugas)
    response = client.post(reverse("documents:sktlk-new"), sktlk_post_data(source=value))
    assert response.status_code == 400
    assert not Document.objects.exists()


def test_a_contact_closed_meanwhile_keeps_its_outcome(client, contact, petugas) -> None:
    contact_close(actor=petugas, contact=contact, outcome=Outcome.INFO)
    client.force_login(petugas)
    response = client.post(
        reverse("documents:sktlk-new"), sktlk_post_data(source=f"kontak:{contact.pk}")
    )
    assert response.status_code == 302, "the citizen at the desk still gets the SKTLK"
    contact.refresh_from_db()
    assert (contact.outcome, contact.outcome_document) == (Outcome.INFO, None)


def test_an_lp_started_from_a_contact_closes_it_when_issued(
    client, contact, petugas, reskrim, selatan
) -> None:
    from spkt.documents.services import CitizenData

    pasal = Pasal.objects.get_or_create(
        book="KUHP_2023", article="476", defaults={"title": "Pencurian"}
    )[0]
    client.force_login(petugas)
    html = client.get(
        reverse("documents:lp-new"), {"model": "B", "sumber": f"kontak:{contact.pk}"}
    ).content.decode()
    assert "Ada motor parkir di trotoar tiga hari" in html  # the account
    draft = lp_draft_save(
        actor=petugas,
        unit=selatan,
        content=LpContent(
            model="B",
            classification="Kejahatan",
            event_when=clock.now() - timedelta(hours=2),
            event_where="Jl. Pertiwi 5",
            event_what="Pencurian motor",
            account="Motor hilang dari parkiran.",
            citizen=CitizenData(
                name="Hendra Pakaya",
                nik="7571021203790002",
                birth_place="Limboto",
                birth_date=clock.now().date() - timedelta(days=365 * 40),
                gender="L",
                address="Jl. Pertiwi 5",
            ),
            offences=[pasal],
            source=f"kontak:{contact.pk}",
        ),
    )
    assert draft.data["source"] == f"kontak:{contact.pk}"
    contact.refresh_from_db()
    assert contact.status != Status.CLOSED, "a draft does not close it"
    lp_review(actor=reskrim, draft=draft, recommendation="Unsur terpenuhi.", offences=[pasal])
    doc = lp_issue(actor=petugas, draft=draft, idempotency_key=uuid.uuid4().hex)
    contact.refresh_from_db()
    assert (contact.status, contact.outcome, contact.outcome_document) == (
        Status.CLOSED,
        Outcome.LP,
        doc,
    )


def test_a_draft_cannot_point_at_another_stations_contact(petugas, selatan, other) -> None:
    from django.core.exceptions import ValidationError

    from spkt.org.models import Personnel

    with pytest.raises(ValidationError, match="Kontak tidak ditemukan"):
        lp_draft_save(
            actor=petugas,
            unit=selatan,
            content=LpContent(
                model="A",
                classification="Kejahatan",
                event_when=clock.now() - timedelta(hours=1),
                event_where="Jl. Pertiwi",
                event_what="Perkelahian",
                account="Dua orang berkelahi.",
                officer=Personnel.objects.filter(unit=selatan).first(),
                source=f"kontak:{other.pk}",
            ),
        )
