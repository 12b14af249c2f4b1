"""/lacak/: one box for any tracking code the citizen was given."""

from __future__ import annotations

import pytest
from django.urls import reverse

from spkt.documents.models import DocType, Document
from spkt.documents.tests.test_masked_nik import issued_lp
from spkt.intake.services import Incoming, contact_receive

pytestmark = pytest.mark.django_db
URL = reverse("portal:track-entry")


def test_the_box_is_shown_without_a_code(client) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="kode"' in response.content.decode()


def test_an_sttlp_code_leads_to_the_lp_progress(client, petugas, reskrim, selatan) -> None:
    issued_lp(petugas, reskrim, selatan)
    code = Document.objects.get(doc_type=DocType.LP_B).tracking_code
    response = client.get(URL, {"kode": f"  {code.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:track", args=[code])


def test_a_message_code_leads_to_the_contact_status(client, selatan) -> None:
    contact = contact_receive(
        unit=selatan, incoming=Incoming(channel="web", body="Halo", sender_name="Rahma")
    )
    response = client.get(URL, {"kode": contact.tracking_code.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:track", args=[contact.tracking_code])


@pytest.mark.parametrize("code", ["TIDAKADA99", "x" * 5000, "'; DROP TABLE--", "ÄÖÜ"])
def test_an_unknown_or_malformed_code_says_so(client, code) -> None:
    response = client.get(URL, {"kode": code})
    assert response.status_code == 404
    assert "Kode tidak ditemukan" in response.content.decode()
