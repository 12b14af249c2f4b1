"""Hand-off of a TPTKP task to an LP model A: what is carried over, once only, TPTKP only, and
the issue of the LP closing the contact the task came from in the same transaction."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from spkt.core import clock
from spkt.documents.lp import lp_issue
from spkt.documents.models import DocType, Document, LaporanDraft, LpModel, Pasal
from spkt.documents.services import ISSUED_HOOKS
from spkt.dutylog.models import Mutasi
from spkt.fieldhelp.handoff import task_lp_handoff
from spkt.fieldhelp.models import Source, Task
from spkt.fieldhelp.services import (
    task_create,
    task_dispatch,
    task_from_contact,
    task_report,
    task_status,
    task_step_tick,
)
from spkt.fieldhelp.tests.conftest import T0
from spkt.intake.models import Outcome, Status
from spkt.intake.services import phone_log


@pytest.fixture
def pasal(db) -> Pasal:
    return Pasal.objects.get_or_create(
        book="KUHP_2023", article="466", defaults={"title": "Penganiayaan"}
    )[0]


@pytest.fixture
def worked(task, ka_spkt, on_duty) -> Task:
    """The TPTKP dispatched, on scene, two steps ticked and a report with evidence and witnesses."""
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    task_status(actor=ka_spkt, task=task, status="on_scene", idempotency_key="k1")
    task_step_tick(actor=ka_spkt, task=task, step=1)
    task_report(
        actor=ka_spkt,
        task=task,
        text="Korban dibawa ke RS Aloei Saboe.",
        evidence="Sebilah pisau\nBaju korban",
        witnesses="Rahmat Dunggio - 0813 1111\nSiti",
    )
    return Task.objects.get(pk=task.pk)


def test_the_draft_carries_place_time_account_evidence_and_witnesses(
    worked, ka_spkt, on_duty
) -> None:
    draft, created = task_lp_handoff(actor=ka_spkt, task=worked)
    assert created
    assert (draft.model, draft.unit_id, draft.officer) == (LpModel.A, worked.unit_id, on_duty[0])
    data = draft.data
    assert data["event"]["where"] == "Jl. Nani Wartabone 5"
    assert data["event"]["what"] == "Perkelahian, satu orang luka"
    assert data["event"]["when"].startswith("2026-12-01T10:00")
    assert "Perkelahian, satu orang luka" in data["account"]
    assert "Korban dibawa ke RS Aloei Saboe." in data["account"]
    assert data["evidence"] == ["Sebilah pisau", "Baju korban"]
    assert [(w["name"], w["contact"]) for w in data["witnesses"]] == [
        ("Rahmat Dunggio", "0813 1111"),
        ("Siti", ""),
    ]
    assert worked.type.steps[0] in data["actions"]
    worked.refresh_from_db()
    assert worked.lp_draft == draft


def test_a_second_handoff_returns_the_first_draft(worked, ka_spkt) -> None:
    first, _ = task_lp_handoff(actor=ka_spkt, task=worked)
    again, created = task_lp_handoff(actor=ka_spkt, task=worked)
    assert (again, created) == (first, False)
    assert LaporanDraft.objects.count() == 1


def test_only_a_tptkp_task_is_handed_over(patroli, ka_spkt, selatan, on_duty) -> None:
    task = task_create(
        actor=ka_spkt, unit=selatan, task_type=patroli, source=Source.PLANNED, address="Rute A"
    )
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    with pytest.raises(ValidationError, match="Hanya tugas TPTKP"):
        task_lp_handoff(actor=ka_spkt, task=task)
    assert not LaporanDraft.objects.exists()


def test_a_task_not_dispatched_is_refused(task, ka_spkt) -> None:
    with pytest.raises(ValidationError, match="belum diberangkatkan"):
        task_lp_handoff(actor=ka_spkt, task=task)
    assert not LaporanDraft.objects.exists()


def test_issuing_the_lp_closes_the_open_contact_with_it(
    ka_spkt, petugas, selatan, tptkp, on_duty, pasal
) -> None:
    contact = phone_log(actor=petugas, unit=selatan, caller="0812", summary="Ada perkelahian")
    task = task_create(
        actor=ka_spkt,
        unit=selatan,
        task_type=tptkp,
        source=Source.CONTACT,
        contact=contact,
        address="Jl. Pertiwi",
        known="Perkelahian",
    )
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    draft, _ = task_lp_handoff(actor=ka_spkt, task=task)
    draft.offences.set([pasal])
    contact.refresh_from_db()
    assert contact.status != Status.CLOSED
    doc = lp_issue(actor=ka_spkt, draft=draft, idempotency_key=uuid.uuid4().hex)
    assert doc.doc_type == DocType.LP_A
    contact.refresh_from_db()
    assert (contact.status, contact.outcome, contact.outcome_document) == (
        Status.CLOSED,
        Outcome.LP,
        doc,
    )


def test_a_failing_hook_issues_nothing(worked, ka_spkt, pasal) -> None:
    """The hook runs in the issuing transaction: when it fails, no LP exists."""
    draft, _ = task_lp_handoff(actor=ka_spkt, task=worked)
    draft.offences.set([pasal])

    def broken(document) -> None:
        raise ValidationError("rusak")

    ISSUED_HOOKS.append(broken)
    try:
        with pytest.raises(ValidationError, match="rusak"):
            lp_issue(actor=ka_spkt, draft=draft, idempotency_key=uuid.uuid4().hex)
    finally:
        ISSUED_HOOKS.remove(broken)
    draft.refresh_from_db()
    assert draft.document is None
    assert not Document.objects.exists()


def test_a_contact_closed_as_field_help_ends_in_the_lp(
    ka_spkt, petugas, selatan, tptkp, on_duty, pasal
) -> None:
    contact = phone_log(actor=petugas, unit=selatan, caller="0812", summary="Ada perkelahian")
    task = task_from_contact(
        actor=ka_spkt, contact=contact, task_type=tptkp, address="Jl. Pertiwi", known="Luka"
    )
    contact.refresh_from_db()
    assert (contact.status, contact.outcome) == (Status.CLOSED, Outcome.FIELD_HELP)
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    with clock.travel(T0 + timedelta(hours=2)):  # the LP is written after the work at the scene
        draft, _ = task_lp_handoff(actor=ka_spkt, task=task)
        draft.offences.set([pasal])
        doc = lp_issue(actor=ka_spkt, draft=draft, idempotency_key=uuid.uuid4().hex)
    contact.refresh_from_db()
    assert (contact.status, contact.outcome, contact.outcome_document) == (
        Status.CLOSED,
        Outcome.LP,
        doc,
    )
    entry = Mutasi.objects.filter(unit=selatan).order_by("pk").last()
    assert contact.tracking_code in entry.text
    assert doc.number in entry.text
    # The SOP's standard 4 measures the police's own report from its draft, not from the call.
    from spkt.reports.anev.standards import document_starts

    draft.refresh_from_db()
    assert draft.created_at == T0 + timedelta(hours=2) > contact.received_at
    assert document_starts([doc]) == {doc.pk: draft.created_at}
    # The contact page shows the LP it ended in.
    client = Client()
    client.force_login(petugas)
    page = client.get(reverse("intake:detail", args=[contact.pk]))
    assert doc.number in page.content.decode()


def test_only_a_field_help_contact_without_a_document_takes_one(
    ka_spkt, petugas, selatan, utara, pasal, worked
) -> None:
    from spkt.intake.services import contact_close, contact_document_follows

    draft, _ = task_lp_handoff(actor=ka_spkt, task=worked)
    draft.offences.set([pasal])
    doc = lp_issue(actor=ka_spkt, draft=draft, idempotency_key=uuid.uuid4().hex)
    open_contact = phone_log(actor=petugas, unit=selatan, caller="0813", summary="Tanya")
    with pytest.raises(ValidationError, match="bantuan lapangan"):
        contact_document_follows(actor=ka_spkt, contact=open_contact, document=doc)
    info = contact_close(actor=petugas, contact=open_contact, outcome=Outcome.INFO)
    with pytest.raises(ValidationError, match="bantuan lapangan"):
        contact_document_follows(actor=ka_spkt, contact=info, document=doc)
    elsewhere = phone_log(actor=petugas, unit=utara, caller="0814", summary="Lain")
    with pytest.raises(ValidationError, match="satuan"):
        contact_document_follows(actor=ka_spkt, contact=elsewhere, document=doc)
    for c in (info, elsewhere):
        c.refresh_from_db()
        assert c.outcome_document is None


# --- The page ---------------------------------------------------------------------------------
def test_the_button_drafts_then_shows_the_draft_then_the_number(
    client: Client, worked, petugas, ka_spkt, pasal
) -> None:
    client.force_login(petugas)
    detail = reverse("fieldhelp:detail", args=[worked.pk])
    assert 'data-action="handoff-lp"' in client.get(detail).content.decode()
    answer = client.post(reverse("fieldhelp:task-lp", args=[worked.pk]))
    draft = LaporanDraft.objects.get()
    assert answer["Location"] == reverse("documents:lp-draft", args=[draft.pk])
    again = client.post(reverse("fieldhelp:task-lp", args=[worked.pk]))
    assert again["Location"] == reverse("documents:lp-draft", args=[draft.pk])
    assert LaporanDraft.objects.count() == 1
    html = client.get(detail).content.decode()
    assert 'data-action="handoff-lp"' not in html
    assert reverse("documents:lp-draft", args=[draft.pk]) in html
    draft.offences.set([pasal])
    doc = lp_issue(actor=ka_spkt, draft=draft, idempotency_key=uuid.uuid4().hex)
    assert doc.number in client.get(detail).content.decode()


def test_the_button_refuses_other_types_and_other_stations(
    client: Client, patroli, worked, petugas, outsider, reskrim, selatan, on_duty
) -> None:
    client.force_login(outsider)
    assert client.post(reverse("fieldhelp:task-lp", args=[worked.pk])).status_code == 404
    client.force_login(reskrim)
    assert client.post(reverse("fieldhelp:task-lp", args=[worked.pk])).status_code == 403
    patrol = task_create(
        actor=petugas, unit=selatan, task_type=patroli, source=Source.PLANNED, address="Rute"
    )
    client.force_login(petugas)
    html = client.get(reverse("fieldhelp:detail", args=[patrol.pk])).content.decode()
    assert 'data-action="handoff-lp"' not in html
    answer = client.post(reverse("fieldhelp:task-lp", args=[patrol.pk]), follow=True)
    assert "Hanya tugas TPTKP" in answer.content.decode()
    assert client.get(reverse("fieldhelp:task-lp", args=[worked.pk])).status_code == 405
    assert not LaporanDraft.objects.exists()


def test_a_reissued_lp_moves_the_task_to_the_new_number(worked, ka_spkt, kapolsek, pasal) -> None:
    from rest_framework.test import APIClient

    from spkt.documents.lp import lp_reissue_draft

    draft, _ = task_lp_handoff(actor=ka_spkt, task=worked)
    draft.offences.set([pasal])
    old = lp_issue(actor=ka_spkt, draft=draft, idempotency_key=uuid.uuid4().hex)
    client = APIClient()
    client.force_authenticate(kapolsek)
    assert client.get(f"/api/field-tasks/{worked.pk}/").json()["lp_number"] == old.number
    again = lp_reissue_draft(actor=kapolsek, old=old, reason="Salah tulis tempat kejadian.")
    new = lp_issue(actor=ka_spkt, draft=again, idempotency_key=uuid.uuid4().hex)
    worked.refresh_from_db()
    assert worked.lp_draft == again
    assert client.get(f"/api/field-tasks/{worked.pk}/").json()["lp_number"] == new.number
