"""Store, answer, then process: every webhook is stored in one row and answered before the worker
turns it into contacts; a backlog is processed when the worker returns; a payload that cannot be
processed becomes a dead letter, shown in the admin and sent through again from there."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
import time_machine
from django.db import OperationalError
from django.urls import reverse

from spkt.channels import inbound, views, webhooks
from spkt.channels.models import ChannelAccount, InboundPayload, InboundStatus
from spkt.channels.tests.helpers import signed_headers
from spkt.channels.tests.test_hostile_payloads import HOOKS, NOW, counts, message, post
from spkt.core.ledger import verify
from spkt.core.models import AuditEvent
from spkt.dutylog.models import Mutasi, PendingEntry
from spkt.intake.models import Contact, Message
from spkt.org.models import User


@pytest.fixture(autouse=True)
def _still_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(params=list(HOOKS))
def kind(request) -> str:
    request.getfixturevalue(HOOKS[request.param][2])
    return request.param


@pytest.fixture
def worker_down(monkeypatch) -> None:
    """Nothing is enqueued: payloads stay pending, as when the Huey consumer is stopped."""
    monkeypatch.setattr(views, "_enqueue", lambda account_id: None)


def account_of(kind: str) -> ChannelAccount:
    return ChannelAccount.objects.get(slug=HOOKS[kind][1])


def whatsapp_message(n: int) -> bytes:
    """Message ``n`` from its own sender."""
    data = copy.deepcopy(message("whatsapp", text=f"Laporan nomor {n}"))
    sent = data["entry"][0]["changes"][0]["value"]["messages"][0]
    sent["id"] = f"wamid.backlog.{n}"
    sent["from"] = f"62812{n:07d}"
    return json.dumps(data).encode()


def test_each_kind_is_stored_and_answered_before_it_is_processed(client, kind, worker_down):
    answer = post(client, kind, json.dumps(message(kind)).encode())
    assert (answer.status_code, answer.content) == (200, b"ok")
    stored = InboundPayload.objects.get()
    assert (stored.account, stored.status, stored.attempts) == (
        account_of(kind),
        InboundStatus.PENDING,
        0,
    )
    assert counts() == (0, 0, 0)  # answered before any contact exists

    assert inbound.process_account(stored.account_id) == 1
    stored.refresh_from_db()
    assert (stored.status, stored.attempts, stored.error) == (InboundStatus.DONE, 1, "")
    assert Message.objects.get().body == "Tolong, ada kecelakaan"


def test_with_the_worker_running_the_contact_follows_at_once(client, kind) -> None:
    assert post(client, kind, json.dumps(message(kind)).encode()).status_code == 200
    assert InboundPayload.objects.get().status == InboundStatus.DONE
    assert Contact.objects.count() == 1


@pytest.mark.parametrize("worker", ["running", "down"])
def test_a_replayed_webhook_is_stored_once_and_processed_once(
    client, kind, worker, monkeypatch
) -> None:
    if worker == "down":
        monkeypatch.setattr(views, "_enqueue", lambda account_id: None)
    body = json.dumps(message(kind)).encode()
    for _ in range(3):
        assert post(client, kind, body).status_code == 200
    assert InboundPayload.objects.count() == 1
    inbound.sweep(NOW + timedelta(minutes=1))
    assert (Contact.objects.count(), Message.objects.count()) == (1, 1)
    assert InboundPayload.objects.get().status == InboundStatus.DONE


def test_a_bad_signature_is_refused_and_nothing_stored(client, kind) -> None:
    body = json.dumps(message(kind)).encode()
    headers = signed_headers(kind, b"another body")
    if kind == "telegram":
        headers = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
    name, slug, _fixture = HOOKS[kind]
    answer = client.post(
        reverse(name, args=[slug]), data=body, content_type="application/json", headers=headers
    )
    assert answer.status_code == 403
    unsigned = client.post(reverse(name, args=[slug]), data=body, content_type="application/json")
    assert unsigned.status_code == 401
    assert InboundPayload.objects.count() == 0


def test_an_sms_outside_the_protocol_is_refused_at_once_and_nothing_stored(
    client, sms_account
) -> None:
    body = json.dumps({"id": "gw-1", "text": "tanpa pengirim"}).encode()
    answer = post(client, "sms", body)
    assert (answer.status_code, answer.content) == (400, b"refused: from and text are required")
    assert InboundPayload.objects.count() == 0


def test_webhooks_posted_while_the_worker_is_down_are_all_processed_when_it_returns(
    client, whatsapp_account, worker_down
) -> None:
    for n in range(500):
        assert post(client, "whatsapp", whatsapp_message(n)).status_code == 200
    assert InboundPayload.objects.filter(status=InboundStatus.PENDING).count() == 500
    assert Contact.objects.count() == 0
    assert inbound.sweep(NOW + timedelta(seconds=10)) == 0  # too fresh: a task may be on its way

    assert inbound.sweep(NOW + timedelta(minutes=1)) == 500
    assert Contact.objects.count() == 500
    threads = set(Contact.objects.values_list("external_thread", flat=True))
    assert len(threads) == 500
    assert Message.objects.values("external_id").distinct().count() == 500
    assert not InboundPayload.objects.exclude(status=InboundStatus.DONE).exists()
    assert inbound.sweep(NOW + timedelta(minutes=2)) == 0  # nothing twice
    # Each batch's book entries were appended once at its end, one per contact, none left over.
    booked = Mutasi.objects.filter(text__startswith="Menerima kontak WhatsApp")
    assert booked.count() == 500
    assert set(booked.values_list("shift__status", flat=True)) <= {"open", "planned"}
    assert not PendingEntry.objects.exists()
    assert verify().ok


def test_a_task_already_waiting_for_the_account_takes_the_next_webhooks_too(
    client, whatsapp_account, monkeypatch
) -> None:
    """One queued task per account, not one per webhook: while a task waits (its flag set), a
    webhook enqueues nothing; the waiting task, once it runs, processes them all."""
    from django.core.cache import cache as shared

    from spkt.channels import tasks
    from spkt.core.queueing import QUEUED_TTL, queued_key

    shared.set(queued_key("inbound", whatsapp_account.pk), 1, QUEUED_TTL)
    for n in range(3):
        assert post(client, "whatsapp", whatsapp_message(n)).status_code == 200
    assert InboundPayload.objects.filter(status=InboundStatus.PENDING).count() == 3
    tasks.inbound_process_task(whatsapp_account.pk)  # the waiting task runs (Huey is immediate)
    assert Contact.objects.count() == 3
    assert post(client, "whatsapp", whatsapp_message(9)).status_code == 200  # enqueued at once
    assert Contact.objects.count() == 4
    assert not InboundPayload.objects.exclude(status=InboundStatus.DONE).exists()


def test_a_book_that_cannot_be_flushed_loses_nothing_and_the_clock_books_it(
    client, whatsapp_account, worker_down, monkeypatch, caplog
) -> None:
    from spkt.dutylog import services as dutylog

    for n in range(3):
        post(client, "whatsapp", whatsapp_message(n))

    def locked_out(*, unit, limit=500):
        raise OperationalError("lock timeout")

    monkeypatch.setattr(dutylog, "mutasi_flush", locked_out)
    assert inbound.process_account(whatsapp_account.pk) == 3
    assert Contact.objects.count() == 3, "the contacts are made even when the book is held up"
    assert PendingEntry.objects.count() == 3
    assert "left for the clock's flush" in caplog.text
    monkeypatch.undo()
    assert dutylog.mutasi_flush_all() == 3
    assert Mutasi.objects.filter(text__startswith="Menerima kontak WhatsApp").count() == 3
    assert verify().ok


def test_one_senders_messages_are_filed_in_the_order_they_came(
    client, whatsapp_account, worker_down
) -> None:
    for n in range(5):
        data = copy.deepcopy(message("whatsapp", text=f"pesan {n}"))
        data["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = f"wamid.order.{n}"
        assert post(client, "whatsapp", json.dumps(data).encode()).status_code == 200
    inbound.sweep(NOW + timedelta(minutes=1))
    bodies = Message.objects.order_by("pk").values_list("body", flat=True)
    assert list(bodies) == [f"pesan {n}" for n in range(5)]


def test_a_payload_that_keeps_failing_becomes_a_dead_letter_and_can_be_reprocessed(
    client, whatsapp_account, monkeypatch
) -> None:
    real = webhooks.contact_receive

    def broken(*, unit, incoming, **kwargs):
        raise RuntimeError("ledger unavailable")

    monkeypatch.setattr(webhooks, "contact_receive", broken)
    assert post(client, "whatsapp", whatsapp_message(1)).status_code == 200  # tried once at once
    stored = InboundPayload.objects.get()
    assert (stored.status, stored.attempts) == (InboundStatus.PENDING, 1)
    assert inbound.sweep(NOW + timedelta(seconds=59)) == 0  # backing off: not yet due

    at = NOW
    for attempt in range(2, inbound.MAX_ATTEMPTS + 1):
        at += timedelta(hours=1)
        assert inbound.sweep(at) == 1
        stored.refresh_from_db()
        assert stored.attempts == attempt
    assert stored.status == InboundStatus.DEAD
    assert stored.error == "ProcessingError: RuntimeError: ledger unavailable"
    assert inbound.sweep(at + timedelta(days=1)) == 0  # never tried forever
    assert Contact.objects.count() == 0

    client.force_login(User.objects.create_superuser("root", password="x-very-long-pass-1"))
    changelist = reverse("admin:channels_inboundpayload_changelist")
    page = client.get(changelist, {"status": "dead"})
    assert page.status_code == 200
    assert "ledger unavailable" in page.content.decode()
    assert client.get(changelist, {"reason": "ProcessingError"}).status_code == 200
    detail = client.get(reverse("admin:channels_inboundpayload_change", args=[stored.pk]))
    assert detail.status_code == 200

    monkeypatch.setattr(webhooks, "contact_receive", real)  # the cause was fixed
    answer = client.post(
        changelist, {"action": "reprocess", "_selected_action": [stored.pk]}, follow=True
    )
    assert answer.status_code == 200
    stored.refresh_from_db()
    assert (stored.status, stored.attempts, stored.error) == (InboundStatus.DONE, 1, "")
    assert Message.objects.get().body == "Laporan nomor 1"
    assert AuditEvent.objects.filter(action="channels.inbound.reprocessed").count() == 1


def test_a_stored_payload_the_adapter_refuses_for_good_is_dead_at_once(sms_account) -> None:
    InboundPayload.objects.create(
        account=sms_account, received_at=NOW, key="bad", body=json.dumps({"id": "gw-9"})
    )
    assert inbound.sweep(NOW + timedelta(minutes=1)) == 1
    stored = InboundPayload.objects.get()
    assert (stored.status, stored.attempts) == (InboundStatus.DEAD, 1)
    assert stored.error == "MalformedError: from and text are required"


def test_the_intake_clock_works_off_a_backlog_a_bounded_round_at_a_time(
    client, whatsapp_account, worker_down
) -> None:
    from spkt.core import clock
    from spkt.core.pollers import POLLERS

    assert inbound.inbound_sweep in POLLERS
    for n in range(30):
        assert post(client, "whatsapp", whatsapp_message(n)).status_code == 200
    assert inbound.sweep(NOW + timedelta(minutes=1), limit=25) == 25
    assert Contact.objects.count() == 25
    # One round of the clock's job (the command itself closes the connection, which a test's
    # transaction cannot survive).
    with clock.travel(NOW + timedelta(minutes=1)):
        inbound.inbound_sweep()
    assert Contact.objects.count() == 30
    assert not InboundPayload.objects.exclude(status=InboundStatus.DONE).exists()
