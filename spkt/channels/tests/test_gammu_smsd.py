"""End to end with the real gammu-smsd from Debian and Gammu's dummy phone driver (a directory
stands in for the USB modem: an SMS file put into <phone>/sms/1 is an SMS the modem received).

gammu-smsd runs as a child process with the FILES backend and calls its hooks (RunOnReceive,
RunOnSent) as it would in a station. The hook here records the arguments and environment it was
given, and the test runs ``manage.py gammu_receive`` with exactly those: the command must run in
this process, because the test database lives in it (in memory on SQLite).

gammu-smsd missing fails these tests (``apt-get install gammu-smsd``; scripts/test.sh installs it
as root). SPKT_SKIP_GAMMU=1 leaves them out loudly, never under CI (spkt/conftest.py fails a CI run
with skips)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command

from spkt.channels import gammu
from spkt.channels.tests.gammu_files import backup, concat_udh
from spkt.intake.models import Contact, Delivery, Message
from spkt.intake.outbox import outbox_deliver
from spkt.intake.services import contact_reply

HOOK = """\
#!{python}
import json, os, sys
record = {{
    "argv": sys.argv[1:],
    "env": {{k: v for k, v in os.environ.items() if k.startswith(("SMS_", "DECODED_"))}},
}}
with open({log!r}, "a") as stream:
    stream.write(json.dumps(record) + "\\n")
"""
WAIT = 30.0  # seconds for gammu-smsd to notice a file (it polls every second)


def _binary() -> str:
    found = shutil.which("gammu-smsd")
    if found:
        return found
    if os.environ.get("SPKT_SKIP_GAMMU") == "1" and os.environ.get("CI") != "true":
        pytest.skip("SKIPPED LOUDLY: gammu-smsd is not installed (SPKT_SKIP_GAMMU=1)")
    pytest.fail(
        "gammu-smsd is not installed: `apt-get install gammu-smsd` (make test does it as root), "
        "or set SPKT_SKIP_GAMMU=1 to leave the Gammu tests out"
    )


class Smsd:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.calls = root / "hook.log"
        self.seen = 0

    def wait_for(self, what, label: str):
        for _ in range(int(WAIT / 0.2)):
            found = what()
            if found:
                return found
            time.sleep(0.2)
        log = (self.root / "smsd.log").read_text(errors="replace")[-3000:]
        raise AssertionError(f"gammu-smsd did not {label} in {WAIT} s; its log:\n{log}")

    def next_call(self) -> dict:
        def read():
            lines = self.calls.read_text().splitlines() if self.calls.exists() else []
            return json.loads(lines[self.seen]) if len(lines) > self.seen else None

        call = self.wait_for(read, "run a hook")
        self.seen += 1
        return call

    def replay(self, call: dict) -> None:
        """Run the command as gammu-smsd ran the hook: same arguments, same environment."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("SMS_", "DECODED_"))}
        with mock.patch.dict(os.environ, {**clean, **call["env"]}, clear=True):
            call_command("gammu_receive", *call["argv"])

    def modem_receives(self, slot: int, text: str) -> None:
        folder = self.root / "phone" / "sms" / "1"
        (folder / f".{slot}").write_text(text)
        (folder / f".{slot}").rename(folder / str(slot))  # whole, or not at all


@pytest.fixture
def smsd(gammu_account, gammu_root) -> Iterator[Smsd]:
    binary = _binary()
    hook = gammu_root / "hook.py"
    hook.write_text(HOOK.format(python=sys.executable, log=str(gammu_root / "hook.log")))
    hook.chmod(0o755)
    process = subprocess.Popen(
        [binary, "-c", str(gammu_root / "smsdrc"), "-p", str(gammu_root / "smsd.pid")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield Smsd(gammu_root)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.ticking
def test_an_sms_to_the_modem_becomes_a_contact_and_the_reply_leaves(
    smsd, gammu_root, petugas
) -> None:
    smsd.modem_receives(1, backup(["Ada orang pingsan di halte Andalas"]))
    call = smsd.next_call()
    assert call["env"]["SMS_1_NUMBER"] == "+6281234567890"
    assert call["argv"][0] == "sms-gammu"
    assert call["argv"][1].startswith("IN")
    smsd.replay(call)
    contact = Contact.objects.get()
    assert contact.sender_key == "tel:6281234567890"
    assert contact.messages.get().body == "Ada orang pingsan di halte Andalas"

    reply = "Petugas kami menuju halte Andalas, mohon tunggu. " * 4  # over 160: two SMS
    message = contact_reply(actor=petugas, contact=contact, body=reply.strip())
    outbox_deliver(message.outbox.pk)
    message.refresh_from_db()
    sent = gammu_root / "sent" / message.external_id
    smsd.wait_for(sent.exists, "move the reply to the sent folder")
    assert sent.read_bytes().decode("utf-16") == reply.strip()
    log = (gammu_root / "smsd.log").read_text(errors="replace")
    assert f"Transmitted {message.external_id} (total: 2)" in log  # split by gammu-smsd
    call = smsd.next_call()
    assert call["argv"] == ["--event", "sent", "sms-gammu", message.external_id]
    smsd.replay(call)
    message.refresh_from_db()
    assert message.delivery == Delivery.SENT

    smsd.modem_receives(2, backup(["Delivered"], pdu="Status_Report", reference=255))
    smsd.replay(smsd.next_call())
    message.refresh_from_db()
    assert message.delivery == Delivery.DELIVERED
    assert Message.objects.filter(direction="in").count() == 1


@pytest.mark.ticking
def test_the_connection_check_sees_the_running_daemon(smsd, gammu_account) -> None:
    ok, text = smsd.wait_for(
        lambda: (r := gammu.connection_check(gammu_account))[0] and r, "answer its monitor"
    )
    assert ok
    assert text.startswith("Konfigurasi Gammu lengkap. gammu-smsd berjalan: terkirim 0")


@pytest.mark.ticking
def test_a_multipart_sms_from_the_modem_is_one_message(smsd, gammu_root) -> None:
    # Each part is an SMS of its own in the modem; gammu-smsd joins them (MultipartTimeout).
    smsd.modem_receives(1, backup(["Motor saya hilang di parkiran "], udh=[concat_udh(75, 2, 1)]))
    smsd.modem_receives(2, backup(["pasar sentral."], udh=[concat_udh(75, 2, 2)]))
    call = smsd.next_call()
    assert call["env"]["SMS_MESSAGES"] == "2"
    assert len(call["argv"]) == 2  # InboxFormat = detail: both parts in one inbox file
    smsd.replay(call)
    assert Message.objects.get().body == "Motor saya hilang di parkiran pasar sentral."


@pytest.mark.ticking
def test_parts_gammu_gave_up_waiting_for_are_joined_by_spkt(smsd, gammu_root) -> None:
    # The second part comes after gammu-smsd's MultipartTimeout (2 s here): two hook calls.
    smsd.modem_receives(1, backup(["pasar sentral."], udh=[concat_udh(76, 2, 2)]))
    smsd.replay(smsd.next_call())
    assert not Message.objects.exists()  # waiting for part 1
    smsd.modem_receives(2, backup(["Motor saya hilang di parkiran "], udh=[concat_udh(76, 2, 1)]))
    smsd.replay(smsd.next_call())
    assert Message.objects.get().body == "Motor saya hilang di parkiran pasar sentral."
