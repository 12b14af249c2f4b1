import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from spkt.conftest import citizen_data, issue
from spkt.core.ledger import verify
from spkt.documents.selectors import document_status
from spkt.documents.services import LostItem, sktlk_extend, sktlk_reissue


def test_an_extension_is_a_new_certificate_that_refers_to_the_old(petugas, selatan) -> None:
    old = issue(petugas, selatan)
    with time_machine.travel(old.issued_at + timedelta(days=13)):
        new = sktlk_extend(actor=petugas, old=old, idempotency_key=uuid.uuid4().hex)
        assert new.replaces == old
        assert new.snapshot["replaces"] == old.number
        assert new.snapshot["items"] == old.snapshot["items"]
        assert new.valid_until == old.valid_until + timedelta(days=13)
        assert document_status(old) == "replaced"
        assert document_status(new) == "valid"
    with pytest.raises(ValidationError, match="diganti"):
        sktlk_extend(actor=petugas, old=old, idempotency_key=uuid.uuid4().hex)
    assert verify().ok


def test_a_reissue_voids_the_old_and_numbers_the_new(petugas, ka_spkt, selatan) -> None:
    old = issue(petugas, selatan)
    new = sktlk_reissue(
        actor=ka_spkt,
        old=old,
        reason="Nama salah ketik",
        citizen=citizen_data(name="Rahma Sulemana"),
        items=[LostItem(kind="KTP", papers_checked=True)],
        lost_on=old.issued_at.date() - timedelta(days=1),
        lost_place="Pasar",
        idempotency_key=uuid.uuid4().hex,
    )
    old.refresh_from_db()
    assert old.void.reason == "Nama salah ketik"
    assert new.replaces == old
    assert new.seq == old.seq + 1
    assert new.subject_name == "Rahma Sulemana"


def test_the_detail_page_extends(client: Client, petugas, selatan) -> None:
    old = issue(petugas, selatan)
    client.force_login(petugas)
    response = client.post(
        reverse("documents:extend", args=[old.pk]), {"idempotency_key": uuid.uuid4().hex}
    )
    assert response.status_code == 302
    assert old.replaced_by.count() == 1


def test_others_cannot_extend(client: Client, petugas, outsider, penilai, selatan) -> None:
    old = issue(petugas, selatan)
    client.force_login(outsider)
    assert client.post(reverse("documents:extend", args=[old.pk])).status_code == 404
    client.force_login(penilai)
    assert client.post(reverse("documents:extend", args=[old.pk])).status_code == 403
    assert not old.replaced_by.exists()


def test_the_ka_spkt_reissues_an_sktlk_from_the_page(
    client: Client, petugas, ka_spkt, selatan
) -> None:
    from spkt.conftest import sktlk_post_data
    from spkt.documents.models import Document

    old = issue(petugas, selatan)
    client.force_login(ka_spkt)
    form = client.get(reverse("documents:sktlk-reissue", args=[old.pk])).context["form"]
    assert form.initial["nik"] == "7571025506850003"
    assert form.initial["item_ATM"] is True
    data = sktlk_post_data(name="Rahma Sulemana", reason="Nama salah ketik")
    response = client.post(reverse("documents:sktlk-reissue", args=[old.pk]), data)
    new = Document.objects.exclude(pk=old.pk).get()
    assert response["Location"] == reverse("documents:detail", args=[new.pk])
    assert new.replaces == old
    assert Document.objects.get(pk=old.pk).void.reason == "Nama salah ketik"


def test_a_reissue_without_a_reason_changes_nothing(
    client: Client, petugas, ka_spkt, selatan
) -> None:
    from spkt.conftest import sktlk_post_data
    from spkt.documents.models import Document

    old = issue(petugas, selatan)
    client.force_login(ka_spkt)
    response = client.post(reverse("documents:sktlk-reissue", args=[old.pk]), sktlk_post_data())
    assert response.status_code == 400
    assert Document.objects.count() == 1


def test_desk_officers_and_other_stations_cannot_reissue(
    client: Client, petugas, outsider, selatan
) -> None:
    old = issue(petugas, selatan)
    client.force_login(petugas)
    assert client.get(reverse("documents:sktlk-reissue", args=[old.pk])).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("documents:sktlk-reissue", args=[old.pk])).status_code == 404
