"""The public verification page decides from the ledger as well as the rows: a void or replacement
the ledger records is never "Sah", and rows that disagree with the ledger say so."""

import uuid

from django.test import Client
from django.urls import reverse

from spkt.conftest import issue
from spkt.core.tests.test_ledger import tamper
from spkt.documents.services import document_void, sktlk_extend


def verdict(client: Client, doc) -> str:
    response = client.get(reverse("portal:verify", args=[doc.verify_token]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_voided_document_whose_void_row_was_deleted_is_not_sah(
    client: Client, petugas, ka_spkt, selatan
) -> None:
    doc = issue(petugas, selatan)
    void = document_void(actor=ka_spkt, document=doc, reason="Salah data")
    tamper("DELETE FROM documents_documentvoid WHERE id = %s", [void.pk])
    page = verdict(client, doc)
    assert 'data-status="inconsistent"' in page
    assert 'data-status="valid"' not in page
    assert "Catatan tidak konsisten" in page
    assert 'data-ledger="inconsistent"' in page


def test_a_replaced_document_whose_replacement_row_was_deleted_is_not_sah(
    client: Client, petugas, selatan
) -> None:
    old = issue(petugas, selatan)
    new = sktlk_extend(actor=petugas, old=old, idempotency_key=uuid.uuid4().hex)
    assert 'data-status="replaced"' in verdict(client, old)
    # The rows that point at it go first (its survey invitation), as they would for anyone
    # deleting it with the foreign keys on.
    tamper("DELETE FROM ikm_surveyinvitation WHERE document_id = %s", [new.pk])
    tamper("DELETE FROM documents_document WHERE id = %s", [new.pk])
    page = verdict(client, old)
    assert 'data-status="inconsistent"' in page
    assert 'data-status="valid"' not in page


def test_a_document_moved_to_another_unit_is_not_sah(
    client: Client, petugas, selatan, utara
) -> None:
    doc = issue(petugas, selatan)
    tamper("UPDATE documents_document SET unit_id = %s WHERE id = %s", [utara.pk, doc.pk])
    assert 'data-status="inconsistent"' in verdict(client, doc)


def test_a_changed_snapshot_is_not_sah(client: Client, petugas, selatan) -> None:
    doc = issue(petugas, selatan)
    tamper("UPDATE documents_document SET subject_name = %s WHERE id = %s", ["Orang Lain", doc.pk])
    assert 'data-status="inconsistent"' in verdict(client, doc)


def test_a_void_row_without_its_ledger_entry_is_not_trusted(
    client: Client, petugas, ka_spkt, selatan
) -> None:
    first, second = issue(petugas, selatan), issue(petugas, selatan)
    void = document_void(actor=ka_spkt, document=first, reason="Salah data")
    # The void row is moved to the other document: its entry still names the first one.
    tamper("UPDATE documents_documentvoid SET document_id = %s WHERE id = %s", [second.pk, void.pk])
    assert 'data-status="inconsistent"' in verdict(client, first)
    assert 'data-status="inconsistent"' in verdict(client, second)


def test_intact_documents_keep_their_status(client: Client, petugas, ka_spkt, selatan) -> None:
    valid, voided = issue(petugas, selatan), issue(petugas, selatan)
    document_void(actor=ka_spkt, document=voided, reason="Salah data")
    assert 'data-status="valid"' in verdict(client, valid)
    assert 'data-status="void"' in verdict(client, voided)
