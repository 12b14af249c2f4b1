from datetime import timedelta

import time_machine
from django.test import Client
from django.urls import reverse

from spkt.conftest import issue
from spkt.documents.services import document_void


def verify_page(client: Client, token: str):
    return client.get(reverse("portal:verify", args=[token]))


def test_a_valid_document_is_shown_valid_without_the_nik(client: Client, petugas, selatan) -> None:
    doc = issue(petugas, selatan)
    response = verify_page(client, doc.verify_token)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="valid"' in page
    assert doc.number in page
    assert "Polsek Kota Selatan" in page
    assert "7571025506850003" not in page
    assert "757102" not in page


def test_a_voided_document_is_shown_revoked(client: Client, petugas, ka_spkt, selatan) -> None:
    doc = issue(petugas, selatan)
    document_void(actor=ka_spkt, document=doc, reason="Salah data")
    page = verify_page(client, doc.verify_token).content.decode()
    assert 'data-status="void"' in page
    assert "Dibatalkan" in page


def test_an_sktlk_expires_after_its_validity(client: Client, petugas, selatan) -> None:
    doc = issue(petugas, selatan)
    with time_machine.travel(doc.issued_at + timedelta(days=15)):
        page = verify_page(client, doc.verify_token).content.decode()
    assert 'data-status="expired"' in page


def test_an_unknown_code_is_not_valid(client: Client, db) -> None:
    response = verify_page(client, "tidak-ada")
    assert response.status_code == 404
    assert "Tidak sah" in response.content.decode()
    assert verify_page(client, "x" * 200).status_code == 404
