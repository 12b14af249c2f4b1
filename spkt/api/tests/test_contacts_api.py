"""Contacts in the REST API: the desk's inbox and its actions, with the desk's permissions."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from spkt.conftest import issue
from spkt.dutylog.models import Mutasi
from spkt.intake.models import (
    Contact,
    Delivery,
    Direction,
    Message,
    OutboxItem,
    Outcome,
    Status,
)
from spkt.intake.outbox import SENDERS, register_sender
from spkt.intake.services import Incoming, contact_close, contact_receive
from spkt.intake.tests.contacts import wa

READERS = ["kapolsek", "reskrim", "penilai", "polres_staff"]
WRITERS = ["petugas", "ka_spkt"]
ACTIONS = ["claim", "reply", "acknowledge", "close"]
VALID = {
    "claim": {},
    "reply": {"body": "Terima kasih, kami tindak lanjuti."},
    "acknowledge": {"note": "Dijawab lewat telepon"},
    "close": {"outcome": "info"},
}


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def sent():
    """A WhatsApp gateway that accepts everything; the registered one comes back afterwards."""
    previous = SENDERS.get("whatsapp")
    outbox: list[str] = []
    register_sender("whatsapp", lambda item: outbox.append(item.message.body) or "wamid.out")
    yield outbox
    if previous is None:
        SENDERS.pop("whatsapp", None)
    else:
        SENDERS["whatsapp"] = previous


def url(name: str, contact: Contact) -> str:
    return reverse(f"api:contact-{name}", args=[contact.pk])


def state(contact: Contact) -> tuple:
    """What an action may change: compared before and after a refused request."""
    c = Contact.objects.get(pk=contact.pk)
    return (
        c.status,
        c.claimed_by_id,
        c.first_response_at,
        c.closed_at,
        c.outcome,
        Message.objects.filter(contact=c).count(),
        OutboxItem.objects.count(),
        Mutasi.objects.count(),
    )


# --- Token auth ---------------------------------------------------------------------------------
def test_without_a_token_every_endpoint_is_a_401_with_www_authenticate(contact) -> None:
    client = APIClient()
    answers = [client.get(reverse("api:contacts")), client.get(reverse("api:contact", args=[1]))]
    answers += [client.post(url(action, contact), {}, format="json") for action in ACTIONS]
    for response in answers:
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
    assert Contact.objects.get(pk=contact.pk).status == Status.OPEN


def test_a_token_reads_the_contacts(petugas, contact) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=petugas).key}")
    assert client.get(reverse("api:contacts")).json()["count"] == 1
    client.credentials(HTTP_AUTHORIZATION="Token salah")
    assert client.get(reverse("api:contacts")).status_code == 401


# --- List and detail ----------------------------------------------------------------------------
def test_the_list_is_paginated_and_filtered(petugas, selatan, contact) -> None:
    phone = contact_receive(
        unit=selatan, incoming=Incoming(channel="sms", body="Halo", sender_address="0813111")
    )
    contact_close(actor=petugas, contact=phone, outcome=Outcome.INFO)
    client = api(petugas)
    body = client.get(reverse("api:contacts")).json()
    assert body["count"] == 2
    assert [c["id"] for c in body["results"]] == [phone.pk, contact.pk]  # newest first
    assert body["results"][1]["sender_name"] == "Warga Biawu"
    assert body["results"][1]["replyable"] is True
    one = client.get(reverse("api:contacts"), {"limit": 1}).json()
    assert len(one["results"]) == 1
    assert one["next"]
    assert [
        c["id"] for c in client.get(reverse("api:contacts"), {"status": "closed"}).json()["results"]
    ] == [phone.pk]
    assert [
        c["id"]
        for c in client.get(reverse("api:contacts"), {"channel": "whatsapp"}).json()["results"]
    ] == [contact.pk]
    assert client.get(reverse("api:contacts"), {"unit": selatan.pk}).json()["count"] == 2


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"status": "baru"}, "status", "Status tidak dikenal."),
        ({"channel": "merpati"}, "channel", "Saluran tidak dikenal."),
    ],
)
def test_an_unknown_filter_is_a_400(petugas, contact, query, field, message) -> None:
    response = api(petugas).get(reverse("api:contacts"), query)
    assert response.status_code == 400
    assert response.json() == {field: [message]}


def test_the_list_and_the_detail_pin_their_query_counts(
    petugas, selatan, django_assert_num_queries, contact
) -> None:
    for n in range(5):
        contact_receive(unit=selatan, incoming=wa(f"Pesan {n}", external_thread=f"t{n}"))
        contact_receive(unit=selatan, incoming=wa(f"Lagi {n}"))  # the first thread grows
    client = api(petugas)
    with django_assert_num_queries(3):  # the user's roles, count, page
        assert client.get(reverse("api:contacts")).json()["count"] == 6
    with django_assert_num_queries(4):  # contact, its unit in sight, thread, attachments
        body = client.get(reverse("api:contact", args=[contact.pk])).json()
    assert len(body["messages"]) == 6


def test_the_detail_shows_the_thread_with_internal_notes(petugas, contact) -> None:
    Message.objects.create(
        contact=contact, direction=Direction.OUT, body="Catatan", at=contact.received_at,
        public=False, author=petugas, delivery=Delivery.SENT,
    )  # fmt: skip
    body = api(petugas).get(reverse("api:contact", args=[contact.pk])).json()
    assert body["tracking_code"] == contact.tracking_code
    assert body["sender_address"] == "+62 812-3456-7890"
    assert [(m["direction"], m["public"]) for m in body["messages"]] == [
        ("in", True),
        ("out", False),
    ]
    assert body["messages"][0]["body"] == "Ada motor parkir di trotoar tiga hari"
    assert body["messages"][0]["attachments"] == []


@pytest.mark.parametrize("persona", [*WRITERS, *READERS])
def test_every_staff_role_reads_as_on_the_desk(persona, request, contact) -> None:
    client = api(request.getfixturevalue(persona))
    assert client.get(reverse("api:contacts")).json()["count"] == 1
    assert client.get(reverse("api:contact", args=[contact.pk])).status_code == 200


def test_another_stations_contacts_are_not_found(petugas, outsider, contact, other) -> None:
    client = api(outsider)
    assert [c["id"] for c in client.get(reverse("api:contacts")).json()["results"]] == [other.pk]
    assert client.get(reverse("api:contact", args=[contact.pk])).status_code == 404
    assert client.get(reverse("api:contacts"), {"unit": contact.unit_id}).status_code == 404
    before = state(contact)
    for action in ACTIONS:
        response = client.post(url(action, contact), VALID[action], format="json")
        assert response.status_code == 404, action
    assert state(contact) == before


def test_an_id_too_large_for_any_column_is_a_404(petugas) -> None:
    assert api(petugas).get(reverse("api:contact", args=[10**20])).status_code == 404
    assert api(petugas).post(url_for_pk("claim", 10**20)).status_code == 404


def url_for_pk(name: str, pk: int) -> str:
    return reverse(f"api:contact-{name}", args=[pk])


# --- Actions ------------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", READERS)
@pytest.mark.parametrize("action", ACTIONS)
def test_read_only_roles_get_403_on_actions(persona, action, request, contact) -> None:
    before = state(contact)
    response = api(request.getfixturevalue(persona)).post(
        url(action, contact), VALID[action], format="json"
    )
    assert response.status_code == 403
    assert state(contact) == before


def test_the_desk_officer_claims(petugas, contact) -> None:
    response = api(petugas).post(url("claim", contact))
    assert response.status_code == 200
    assert response.json()["claimed_by"] == petugas.pk
    assert Contact.objects.get(pk=contact.pk).claimed_by == petugas


def test_a_reply_goes_through_the_outbox(
    ka_spkt, contact, sent, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api(ka_spkt).post(url("reply", contact), VALID["reply"], format="json")
    assert response.status_code == 201
    assert response.json()["direction"] == "out"
    assert sent == ["Terima kasih, kami tindak lanjuti."]
    contact.refresh_from_db()
    assert contact.status == Status.ANSWERED
    assert contact.first_response_by == ka_spkt
    reply = contact.messages.get(direction=Direction.OUT)
    assert reply.outbox.channel == "whatsapp"
    assert reply.delivery == Delivery.SENT


def test_acknowledge_records_the_first_response_once(petugas, contact) -> None:
    response = api(petugas).post(url("acknowledge", contact), VALID["acknowledge"], format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "answered"
    assert body["messages"][-1]["public"] is False
    again = api(petugas).post(url("acknowledge", contact), {}, format="json")
    assert again.status_code == 400
    assert again.json() == {"detail": ["Kontak ini sudah ditanggapi."]}


def test_close_with_an_outcome_and_its_document(petugas, selatan, contact) -> None:
    doc = issue(petugas, selatan)
    response = api(petugas).post(
        url("close", contact), {"outcome": "sktlk", "document_number": doc.number}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "sktlk"
    contact.refresh_from_db()
    assert (contact.status, contact.outcome_document) == (Status.CLOSED, doc)


def test_a_closed_contact_refuses_every_action(petugas, contact) -> None:
    closing = api(petugas).post(url("close", contact), {"outcome": "info"}, format="json")
    assert closing.status_code == 200
    before = state(contact)
    for action in ACTIONS:
        response = api(petugas).post(url(action, contact), VALID[action], format="json")
        assert response.status_code == 400, action
        assert response.json() == {"detail": ["Kontak ini sudah selesai."]}
    assert state(contact) == before


def test_field_help_is_refused_and_points_to_the_desk_action(petugas, contact) -> None:
    before = state(contact)
    response = api(petugas).post(url("close", contact), {"outcome": "field_help"}, format="json")
    assert response.status_code == 400
    assert "bantuan lapangan di meja SPKT" in response.json()["outcome"][0]
    assert state(contact) == before


def test_a_walk_in_is_acknowledged_not_replied(petugas, selatan) -> None:
    walk_in = contact_receive(unit=selatan, incoming=Incoming(channel="walkin", body=""))
    before = state(walk_in)
    response = api(petugas).post(url("reply", walk_in), VALID["reply"], format="json")
    assert response.status_code == 400
    [detail] = response.json()["detail"]
    assert detail.startswith("Kontak ini tidak memiliki alamat balasan (nomor HP atau email)")
    assert state(walk_in) == before


def test_the_polres_reads_but_does_not_act_at_a_polsek(polres_staff, contact) -> None:
    assert api(polres_staff).get(reverse("api:contact", args=[contact.pk])).status_code == 200
    assert api(polres_staff).post(url("claim", contact)).status_code == 403


@pytest.mark.parametrize(
    ("action", "body", "field", "message"),
    [
        ("reply", {}, "body", "Balasan tidak boleh kosong."),
        ("reply", {"body": ""}, "body", "Balasan tidak boleh kosong."),
        ("reply", {"body": None}, "body", "Balasan tidak boleh kosong."),
        ("reply", {"body": ["a"]}, "body", "Balasan harus berupa teks."),
        ("reply", {"body": {"a": 1}}, "body", "Balasan harus berupa teks."),
        ("reply", {"body": "x" * 4001}, "body", "Balasan terlalu panjang (maksimal 4000 karakter)."),
        ("acknowledge", {"note": 5 * [1]}, "note", "Catatan harus berupa teks."),
        ("acknowledge", {"note": "x" * 4001}, "note", "Catatan terlalu panjang (maksimal 4000 karakter)."),
        ("close", {}, "outcome", "Pilih hasil penanganan."),
        ("close", {"outcome": None}, "outcome", "Pilih hasil penanganan."),
        ("close", {"outcome": "selesai"}, "outcome", "Hasil tidak dikenal."),
        ("close", {"outcome": 1}, "outcome", "Hasil tidak dikenal."),
        ("close", {"outcome": ["info"]}, "outcome", "Hasil tidak dikenal."),
        ("close", {"outcome": "info", "document_number": {"a": 1}}, "document_number", "Nomor dokumen harus berupa teks."),
        ("close", {"outcome": "info", "document_number": "x" * 201}, "document_number", "Nomor dokumen terlalu panjang (maksimal 200 karakter)."),
        ("close", {"outcome": "lp", "document_number": "LP/9/2026"}, "document_number", "Dokumen LP/9/2026 tidak ditemukan di satuan ini."),
        ("close", {"outcome": "info", "document_number": "SKTLK/1"}, "non_field_errors", "Nomor dokumen hanya untuk hasil SKTLK atau Laporan Polisi."),
    ],
)  # fmt: skip
def test_bad_input_is_a_400_in_indonesian_and_changes_nothing(
    petugas, contact, action, body, field, message
) -> None:
    before = state(contact)
    response = api(petugas).post(url(action, contact), body, format="json")
    assert response.status_code == 400
    assert message in response.json()[field]
    assert state(contact) == before


def test_a_body_that_is_not_an_object_is_a_400(petugas, contact) -> None:
    before = state(contact)
    for raw in ("[1, 2]", '"info"', "{", "null"):
        response = api(petugas).post(url("close", contact), raw, content_type="application/json")
        assert response.status_code == 400, raw
    assert state(contact) == before


def test_another_stations_document_is_not_found_for_the_outcome(
    petugas, outsider, utara, contact
) -> None:
    theirs = issue(outsider, utara)
    response = api(petugas).post(
        url("close", contact), {"outcome": "sktlk", "document_number": theirs.number}, format="json"
    )
    assert response.status_code == 400
    assert Contact.objects.get(pk=contact.pk).status == Status.OPEN
