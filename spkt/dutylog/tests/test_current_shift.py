"""A handover hands the desk over: once both heads confirm, the outgoing book is sealed and the
incoming shift is current everywhere, even when the handover comes before the planned end.

Every instant is explicit (WITA). The rotation puts Regu I on the duty day of 1 December 2026 and
Regu II (head Hasan Lamato) on 2 December; the handover is at 07:30, half an hour early."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from spkt.conftest import issue
from spkt.core.booktext import book_language
from spkt.core.ledger import ledger_append, verify
from spkt.documents.models import Document
from spkt.dutylog.handover import handover_confirm, handover_start
from spkt.dutylog.models import Handover, Mutasi, Shift, ShiftStatus
from spkt.dutylog.selectors import shift_compliance, shift_on_duty
from spkt.dutylog.services import mutasi_append, mutasi_payload, shift_current, shift_open
from spkt.dutylog.tests.conftest import all_present
from spkt.dutylog.tests.test_handover import count_all, heads
from spkt.intake.clock import sla_sweep
from spkt.intake.services import Incoming, contact_receive, phone_log

WITA = ZoneInfo("Asia/Makassar")
OPENED = datetime(2026, 12, 1, 8, 5, tzinfo=WITA)  # the apel of Regu I
HANDOVER = datetime(2026, 12, 2, 7, 30, tzinfo=WITA)  # 30 minutes before the planned end, 08:00
AFTER = HANDOVER + timedelta(minutes=10)


def _open_regu_one(selatan, ka_spkt) -> Shift:
    with time_machine.travel(OPENED, tick=False):
        shift = shift_current(unit=selatan)
        return shift_open(shift=shift, actor=ka_spkt, roll_call=all_present(shift))


def _confirm(ho: Handover, actor) -> Handover:
    count_all(ho, actor)
    out_user, in_user = heads(ho)
    return handover_confirm(
        handover=ho,
        outgoing_user=out_user,
        incoming_user=in_user,
        roll_call=all_present(ho.incoming),
        actor=actor,
    )


@pytest.fixture
def handed_over(selatan, squads, ka_spkt) -> Handover:
    outgoing = _open_regu_one(selatan, ka_spkt)
    with time_machine.travel(HANDOVER, tick=False):
        return _confirm(handover_start(outgoing=outgoing, actor=ka_spkt), ka_spkt)


def _web_message() -> Incoming:
    return Incoming(
        channel="web",
        sender_name="Warga",
        sender_address="warga@example.id",
        body="Ada tiang listrik miring di Jl. Nani Wartabone.",
    )


def test_the_handover_closes_the_outgoing_and_opens_the_incoming_shift(handed_over) -> None:
    outgoing, incoming = handed_over.outgoing, handed_over.incoming
    outgoing.refresh_from_db()
    incoming.refresh_from_db()
    assert outgoing.status == ShiftStatus.CLOSED
    assert outgoing.closed_at == HANDOVER
    assert incoming.status == ShiftStatus.OPEN
    assert incoming.starts_at > HANDOVER  # opened before its planned start: an early handover
    with time_machine.travel(AFTER, tick=False):
        assert shift_on_duty(unit=outgoing.unit) == incoming
        assert shift_current(unit=outgoing.unit) == incoming


def test_after_an_early_handover_every_entry_lands_in_the_incoming_book(
    handed_over, selatan, petugas, kapolsek
) -> None:
    outgoing, incoming = handed_over.outgoing, handed_over.incoming
    sealed = set(Mutasi.objects.filter(shift=outgoing).values_list("pk", flat=True))
    with time_machine.travel(AFTER, tick=False):
        doc = issue(petugas, selatan)
        call = phone_log(
            actor=petugas, unit=selatan, caller="0813 4001 2002", summary="Tanya syarat SKTLK."
        )
        message = contact_receive(unit=selatan, incoming=_web_message())
    breach = message.first_response_due_at + timedelta(seconds=1)
    with time_machine.travel(breach, tick=False):
        assert sla_sweep() == (1, 0)
    escalation = breach + timedelta(minutes=selatan.kapolsek_escalation_minutes)
    with time_machine.travel(escalation, tick=False):
        assert sla_sweep() == (0, 1)
    assert escalation < incoming.starts_at + timedelta(hours=1)  # all of it around 08:00
    # The sealed book is exactly what it was at the seal.
    assert set(Mutasi.objects.filter(shift=outgoing).values_list("pk", flat=True)) == sealed
    texts = list(Mutasi.objects.filter(shift=incoming).values_list("text", flat=True))
    for needle in (doc.number, call.tracking_code, message.tracking_code, "eskalasi ke Kapolsek"):
        assert any(needle in t for t in texts), needle
    # The SKTLK belongs to the incoming shift and carries its Ka SPKT's signature.
    assert doc.shift_id == incoming.pk
    assert doc.snapshot["signer"]["name"] == incoming.ka_spkt.name.upper() == "HASAN LAMATO"
    assert verify().ok


@pytest.mark.parametrize("moment", [AFTER, HANDOVER + timedelta(hours=3)])
def test_every_screen_shows_the_incoming_squad(
    client: Client, handed_over, petugas, ka_spkt, moment
) -> None:
    from rest_framework.test import APIClient

    outgoing, incoming = handed_over.outgoing, handed_over.incoming
    mark = f'data-on-duty="{incoming.pk}"'
    with time_machine.travel(moment, tick=False):
        client.force_login(ka_spkt)
        dashboard = client.get(reverse("dashboard")).content.decode()
        book = client.get(reverse("dutylog:today")).content.decode()
        client.force_login(petugas)
        inbox = client.get(reverse("intake:inbox")).content.decode()
        poll = client.get(reverse("intake:inbox"), headers={"HX-Request": "true"}).content.decode()
        api = APIClient()
        api.force_authenticate(petugas)
        entries = api.get(reverse("api:mutasi")).json()
    for page in (dashboard, book, inbox, poll):
        assert mark in page
        assert "Regu II" in page
        assert "Hasan Lamato" in page
        assert f'data-on-duty="{outgoing.pk}"' not in page
    assert 'data-shift-status="open"' in book
    assert {e["id"] for e in entries} == set(
        Mutasi.objects.filter(shift=incoming).values_list("pk", flat=True)
    )
    assert entries[0]["text"].startswith("Apel pembukaan Regu II")


def test_the_service_refuses_an_entry_for_a_sealed_shift(handed_over, selatan, petugas) -> None:
    before = Mutasi.objects.count()
    with (
        time_machine.travel(AFTER, tick=False),
        pytest.raises(ValidationError, match="sudah disegel"),
        transaction.atomic(),  # mutasi_append joins its caller's transaction, which rolls back
        book_language(),
    ):
        mutasi_append(
            unit=selatan, shift=handed_over.outgoing, category="lain_lain", text="Terlambat."
        )
    assert Mutasi.objects.count() == before
    assert verify().ok


def _raw_entry(shift: Shift) -> Mutasi:
    """A Mutasi row made with the ORM alone, past every service check."""
    entry = Mutasi(
        unit=shift.unit, shift=shift, at=AFTER, category="lain_lain", text="Disisipkan langsung."
    )
    entry.ledger_entry = ledger_append(
        unit=shift.unit, kind="dutylog.mutasi", payload=mutasi_payload(entry)
    )
    entry.save()
    return entry


def test_the_database_refuses_a_row_for_a_sealed_shift(handed_over) -> None:
    """On SQLite and on PostgreSQL alike (a trigger on each, migration dutylog 0006)."""
    outgoing, incoming = handed_over.outgoing, handed_over.incoming
    sealed = Mutasi.objects.filter(shift=outgoing).count()
    with (
        time_machine.travel(AFTER, tick=False),
        pytest.raises(IntegrityError, match="sealed shift"),
        transaction.atomic(),
    ):
        _raw_entry(outgoing)
    assert Mutasi.objects.filter(shift=outgoing).count() == sealed
    with time_machine.travel(AFTER, tick=False):
        assert _raw_entry(incoming).shift_id == incoming.pk  # the same insert, an open shift


def test_the_compliance_page_shows_an_early_handover(client: Client, handed_over, penilai) -> None:
    outgoing = handed_over.outgoing
    with time_machine.travel(AFTER, tick=False):
        client.force_login(penilai)
        page = client.get(reverse("dutylog:compliance"), {"bulan": "2026-12"}).content.decode()
    row = page.split(f'data-shift="{outgoing.pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-flag="handover-early"' in row
    assert "30 menit sebelum akhir dinas" in row
    outgoing.refresh_from_db()
    result = shift_compliance(shift=outgoing, now=AFTER)
    assert result.handed_over_early_minutes == 30
    assert result.handed_over_on_time
    # Allowed: shown, not failed (the night without entries is this shift's only finding).
    assert replace(result, silences=[]).ok


def test_a_handover_after_the_planned_end_is_not_early(selatan, squads, ka_spkt) -> None:
    outgoing = _open_regu_one(selatan, ka_spkt)
    with time_machine.travel(outgoing.ends_at + timedelta(minutes=5), tick=False):
        _confirm(handover_start(outgoing=outgoing, actor=ka_spkt), ka_spkt)
    outgoing.refresh_from_db()
    result = shift_compliance(shift=outgoing, now=outgoing.ends_at + timedelta(hours=1))
    assert result.handed_over_early_minutes is None
    assert result.handed_over_on_time


def test_before_the_first_apel_system_entries_wait_in_the_planned_shift(selatan, squads) -> None:
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=WITA), tick=False):
        contact = contact_receive(unit=selatan, incoming=_web_message())
        entry = Mutasi.objects.get(text__contains=contact.tracking_code)
        assert entry.shift.status == ShiftStatus.PLANNED
        assert entry.shift.starts_at == datetime(2026, 12, 1, 8, 0, tzinfo=WITA)
        assert shift_on_duty(unit=selatan) == entry.shift


def test_the_current_shift_is_one_query_open_or_not(
    selatan, squads, ka_spkt, django_assert_num_queries
) -> None:
    """Every document and book entry asks for it: the open shift and the roster's covering shift
    are read together, and the rule picks between them in Python."""
    at = datetime(2026, 12, 1, 9, 0, tzinfo=WITA)
    with time_machine.travel(at, tick=False):
        planned = shift_current(unit=selatan)
        with django_assert_num_queries(1):
            assert shift_on_duty(unit=selatan) == planned
    opened = _open_regu_one(selatan, ka_spkt)
    # Long after its planned end, with no handover yet, the open shift is still current.
    with django_assert_num_queries(1):
        assert shift_on_duty(unit=selatan, at=opened.ends_at + timedelta(hours=3)) == opened


def test_a_sealed_shift_is_never_current_even_with_none_open(selatan, squads) -> None:
    """Only a hand-edited database has no open shift after a seal; the rule still holds."""
    at = datetime(2026, 12, 1, 9, 0, tzinfo=WITA)
    with time_machine.travel(at, tick=False):
        covering = shift_current(unit=selatan)
        Shift.objects.filter(pk=covering.pk).update(status=ShiftStatus.CLOSED, closed_at=at)
        assert shift_on_duty(unit=selatan) is None
        contact = contact_receive(unit=selatan, incoming=_web_message())
    entry = Mutasi.objects.get(text__contains=contact.tracking_code)
    assert entry.shift.starts_at == covering.ends_at
    assert entry.shift.status == ShiftStatus.PLANNED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_entries_during_a_handover_go_wholly_before_or_after_the_seal(
    selatan, squads, ka_spkt, petugas
) -> None:
    """Calls logged and SKTLKs issued while both heads confirm: no deadlock, nothing in the book
    after its seal, and each SKTLK signed by the shift that held the book when it was chained."""
    outgoing = _open_regu_one(selatan, ka_spkt)
    with time_machine.travel(HANDOVER, tick=False):
        ho = handover_start(outgoing=outgoing, actor=ka_spkt)
        count_all(ho, ka_spkt)
    start = threading.Barrier(5)
    errors: list[BaseException] = []

    def run(work) -> None:
        try:
            start.wait(timeout=30)
            for _ in range(3):
                work()
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    def confirm() -> None:
        if Handover.objects.get(pk=ho.pk).status == "draft":
            _confirm(ho, ka_spkt)

    def call() -> None:
        phone_log(actor=petugas, unit=selatan, caller="0813 4001 2002", summary="Tanya jalan.")

    def sktlk() -> None:
        issue(petugas, selatan)

    with time_machine.travel(HANDOVER, tick=False):
        threads = [threading.Thread(target=run, args=(confirm,))]
        threads += [threading.Thread(target=run, args=(call,)) for _ in range(2)]
        threads += [threading.Thread(target=run, args=(sktlk,)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    ho.refresh_from_db()
    seal = ho.seal_entry.seq
    before = Mutasi.objects.filter(shift=outgoing).values_list("ledger_entry__seq", flat=True)
    after = Mutasi.objects.filter(shift=ho.incoming).values_list("ledger_entry__seq", flat=True)
    assert max(before) == seal
    assert min(after) > seal
    assert Mutasi.objects.filter(text__contains="Tanya jalan").count() == 6
    docs = list(Document.objects.select_related("ledger_entry", "shift__ka_spkt"))
    assert len(docs) == 6
    for doc in docs:
        holder = outgoing if doc.ledger_entry.seq < seal else ho.incoming
        assert doc.shift_id == holder.pk, doc.number
        assert doc.snapshot["signer"]["name"] == doc.shift.ka_spkt.name.upper()
    assert verify().ok


@pytest.mark.parametrize(
    ("minutes", "text"), [(30, "30 menit"), (60, "1 jam"), (778, "12 jam 58 menit")]
)
def test_an_early_handover_reads_in_hours_and_minutes(minutes: int, text: str) -> None:
    from spkt.dutylog.selectors import Compliance

    assert Compliance(handed_over_early_minutes=minutes).handed_over_early_text == text
