"""Gammu SMSD (FILES backend): what manage.py gammu_receive makes of the files and environment
gammu-smsd hands over, and the replies it writes into gammu-smsd's outbox. The daemon itself runs
in test_gammu_smsd.py."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from spkt.channels import gammu, inbound, smstext
from spkt.channels.models import InboundPayload, InboundStatus
from spkt.channels.tests.gammu_files import backup, concat_udh, inbox_file, minutes_ago
from spkt.core import clock
from spkt.intake.models import Contact, Delivery, Message, OutboxItem, OutboxStatus
from spkt.intake.outbox import outbox_deliver
from spkt.intake.services import contact_reply

NAME = "IN20261201_015500_00_+6281234567890_00.txt"


def receive(*names: str, env: dict | None = None, event: str = "received") -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SMS_", "DECODED_"))}
    with mock.patch.dict(os.environ, {**clean, **(env or {})}, clear=True):
        # As gammu-smsd calls it: the options of the configured hook, then the file names.
        call_command("gammu_receive", "--event", event, "sms-gammu", *names)


def test_an_sms_in_the_inbox_becomes_a_contact(gammu_account, gammu_root) -> None:
    inbox_file(gammu_root / "inbox", NAME, backup(["Ada pencurian motor di pasar"]))
    receive(NAME)
    contact = Contact.objects.get()
    assert (contact.channel, contact.sender_key) == ("sms", "tel:6281234567890")
    message = contact.messages.get()
    assert (message.body, message.external_id) == ("Ada pencurian motor di pasar", f"gammu:{NAME}")
    assert message.at == minutes_ago()  # the modem's time, in UTC in the backup file


def test_a_hook_run_twice_stores_the_sms_once(gammu_account, gammu_root) -> None:
    inbox_file(gammu_root / "inbox", NAME, backup(["Ada pencurian motor di pasar"]))
    receive(NAME)
    receive(NAME)  # gammu-smsd runs the hook again when it took over two minutes
    assert InboundPayload.objects.count() == 1
    assert Message.objects.count() == 1


def test_the_parts_gammu_joined_are_one_message(gammu_account, gammu_root) -> None:
    text = backup(
        ["Bagian satu. ", "Bagian dua."], udh=[concat_udh(0x4B, 2, 1), concat_udh(0x4B, 2, 2)]
    )
    inbox_file(gammu_root / "inbox", NAME, text)
    receive(NAME)
    assert Message.objects.get().body == "Bagian satu. Bagian dua."


def test_parts_arriving_one_by_one_are_joined_into_one_message(gammu_account, gammu_root):
    inbox = gammu_root / "inbox"
    second = "IN20261201_015600_00_+6281234567890_00.txt"
    inbox_file(inbox, NAME, backup(["Bagian dua dulu."], udh=[concat_udh(7, 2, 2)]))
    receive(NAME)
    # The second part waits for the first, without counting a failed attempt.
    waiting = InboundPayload.objects.get()
    assert (waiting.status, waiting.attempts) == (InboundStatus.PENDING, 0)
    assert waiting.next_attempt_at == waiting.received_at + gammu.PARTS_WAIT
    assert not Message.objects.exists()
    inbox_file(
        inbox,
        second,
        backup(
            [
                "Bagian satu, ",
            ],
            udh=[concat_udh(7, 2, 1)],
        ),
    )
    receive(second)
    message = Message.objects.get()
    assert message.body == "Bagian satu, Bagian dua dulu."
    assert message.warning == ""
    # The waiting piece, taken again by the sweep, is the same message: stored once.
    with time_machine.travel(clock.now() + gammu.PARTS_WAIT + timedelta(seconds=1)):
        inbound.sweep()
    assert Message.objects.count() == 1
    assert set(InboundPayload.objects.values_list("status", flat=True)) == {InboundStatus.DONE}


def test_a_part_whose_siblings_never_come_is_filed_with_a_warning(gammu_account, gammu_root):
    inbox_file(gammu_root / "inbox", NAME, backup(["Sepotong saja"], udh=[concat_udh(9, 3, 1)]))
    receive(NAME)
    assert not Message.objects.exists()
    with time_machine.travel(clock.now() + gammu.PARTS_WAIT + timedelta(seconds=1)):
        inbound.sweep()
    message = Message.objects.get()
    assert message.body.startswith("Sepotong saja")
    assert "bagian 2, 3 dari 3 tidak tiba" in message.warning


def test_an_sms_without_sender_number_is_kept_as_a_dead_letter(gammu_account, gammu_root):
    inbox_file(gammu_root / "inbox", NAME, backup(["Tanpa nomor"], number=""))
    receive(NAME)
    assert not Contact.objects.exists()
    payload = InboundPayload.objects.get()
    assert payload.status == InboundStatus.DEAD
    assert "nomor pengirim" in payload.error
    assert "Tanpa nomor" in payload.body


def test_an_over_long_sms_is_filed_cut_with_a_warning(gammu_account, gammu_root):
    text = "z" * (smstext.MAX_TEXT + 10)
    inbox_file(gammu_root / "inbox", NAME, backup([text]))
    receive(NAME)
    message = Message.objects.get()
    assert len(message.body) == smstext.MAX_TEXT
    assert "terlalu panjang" in message.warning


def test_without_files_the_environment_is_read(gammu_account) -> None:
    # Service = null: no inbox files, only RunOnReceive's environment (gammu-smsd-run(7)).
    env = {
        "SMS_MESSAGES": "2",
        "SMS_1_NUMBER": "+6285299990000",
        "SMS_1_TEXT": "Bagian satu. ",
        "SMS_2_NUMBER": "+6285299990000",
        "SMS_2_TEXT": "Bagian dua.",
        "DECODED_PARTS": "1",
        "DECODED_1_TEXT": "Bagian satu. Bagian dua.",
    }
    receive(env=env)
    contact = Contact.objects.get()
    assert contact.sender_key == "tel:6285299990000"
    assert contact.messages.get().body == "Bagian satu. Bagian dua."


def test_an_unreadable_inbox_file_falls_back_to_the_environment(gammu_account, gammu_root):
    inbox_file(gammu_root / "inbox", NAME, "[SMSBackup000]\nrusak tanpa sama dengan\n")
    receive(NAME, env={"SMS_MESSAGES": "1", "SMS_1_NUMBER": "0812999", "SMS_1_TEXT": "Tolong"})
    assert Message.objects.get().body == "Tolong"


def test_an_unknown_or_other_kind_of_account_is_an_error(sms_account) -> None:
    with pytest.raises(CommandError):
        call_command("gammu_receive", "sms-selatan")
    with pytest.raises(CommandError):
        call_command("gammu_receive", "tidak-ada")


def _reply(gammu_account, gammu_root, petugas, text="Petugas menuju lokasi."):
    inbox_file(gammu_root / "inbox", NAME, backup(["Tolong, ada kebakaran"]))
    receive(NAME)
    message = contact_reply(actor=petugas, contact=Contact.objects.get(), body=text)
    return message, outbox_deliver(message.outbox.pk)


def test_a_reply_is_written_into_the_outbox(gammu_account, gammu_root, petugas) -> None:
    message, result = _reply(gammu_account, gammu_root, petugas)
    assert result == OutboxStatus.SENT
    (file,) = (gammu_root / "outbox").iterdir()
    at = timezone.localtime(clock.now())
    assert file.name == f"OUTA{at:%Y%m%d_%H%M%S}_00_+6281234567890_spkt-{message.pk}.txtd"
    assert file.read_bytes().decode("utf-16") == "Petugas menuju lokasi."
    message.refresh_from_db()
    assert message.external_id == file.name
    # Sent again (a retry after a crash): the file is found, nothing written twice.
    assert gammu.send(gammu_account, message.pk, "+6281234567890", "x") == file.name
    assert len(list((gammu_root / "outbox").iterdir())) == 1


def test_an_outbox_that_cannot_be_written_is_retried(gammu_account, gammu_root, petugas):
    (gammu_root / "outbox").rmdir()
    _message, result = _reply(gammu_account, gammu_root, petugas)
    assert result == OutboxStatus.PENDING
    assert "Gammu outbox not writable" in OutboxItem.objects.get().last_error


def test_sent_failed_and_delivery_reports_update_the_reply(gammu_account, gammu_root, petugas):
    message, _ = _reply(gammu_account, gammu_root, petugas)
    message.refresh_from_db()
    receive(message.external_id, event="sent")
    message.refresh_from_db()
    assert message.delivery == Delivery.SENT
    report = "IN20261201_020000_00_+6281234567890_00.txt"
    inbox_file(
        gammu_root / "inbox",
        report,
        backup(["Delivered"], pdu="Status_Report", reference=255),
    )
    receive(report)
    message.refresh_from_db()
    assert message.delivery == Delivery.DELIVERED
    assert Message.objects.filter(direction="in").count() == 1  # the report is not a message


def test_a_failure_hook_marks_the_reply_failed(gammu_account, gammu_root, petugas) -> None:
    message, _ = _reply(gammu_account, gammu_root, petugas)
    message.refresh_from_db()
    receive(message.external_id, event="failed")
    item = OutboxItem.objects.get(message=message)
    assert item.status == OutboxStatus.FAILED
    receive("INIT", event="failed")  # the modem did not start: nothing to settle, nothing stored
    assert InboundPayload.objects.filter(key__contains="INIT").count() == 0


def test_the_connection_check_reads_the_configuration(gammu_account, gammu_root) -> None:
    # No daemon runs here (test_gammu_smsd.py checks one that does): only that is missing.
    ok, text = gammu.connection_check(gammu_account)
    if shutil.which("gammu-smsd-monitor"):
        assert (ok, text) == (False, "gammu-smsd tidak berjalan (gammu-smsd-monitor gagal).")
    else:
        assert (ok, text) == (True, "Konfigurasi Gammu lengkap.")
    config = gammu_root / "smsdrc"
    config.write_text(
        config.read_text()
        .replace("inboxformat = detail", "inboxformat = unicode")
        .replace("runonsent", "#runonsent")
    )
    (gammu_root / "sent").rmdir()
    ok, text = gammu.connection_check(gammu_account)
    assert not ok
    assert "InboxFormat = detail" in text
    assert "runonsent belum memanggil gammu_receive sms-gammu" in text
    assert f"sentsmspath ({gammu_root}/sent) tidak ada" in text
    gammu_account.config["gammu_config"] = str(gammu_root / "tidak-ada")
    ok, text = gammu.connection_check(gammu_account)
    assert not ok
    assert "tidak dapat dibaca" in text
    gammu_account.config["gammu_config"] = ""
    assert gammu.connection_check(gammu_account) == (False, "gammu_config belum diisi.")
