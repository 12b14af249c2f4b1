"""The public web form on the store-answer-process path (ADR 0040): the citizen gets the tracking
code from one INSERT; the worker makes the contact with exactly that code, in order, once; the
clock starts when the citizen pressed send; a backlog left while the worker was down is filed by
the intake clock; a submission that cannot be filed becomes a dead letter."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from spkt.channels import webform
from spkt.channels.models import InboundStatus, WebSubmission
from spkt.core import clock
from spkt.core.models import AuditEvent
from spkt.intake import services
from spkt.intake.management.commands.intake_clock import Command
from spkt.intake.models import Attachment, Contact
from spkt.org.models import User

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    cache.clear()


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


GOOD = {"name": "Warga", "reply_to": "0812 3456 7890", "message": "Ada pohon tumbang di jalan"}


def url(unit) -> str:
    return reverse("portal:web-message", args=[unit.code])


def token(n: int = 0) -> str:
    return f"tok-{n:04d}-abcdefghijklmnop"


def code_of(response) -> str:
    """The code the citizen is shown: the answer is a 303 to the confirmation page."""
    assert response.status_code == 303, response.status_code
    page = Client().get(response["Location"])
    assert page.status_code == 200
    found = re.search(r"data-code>([A-Z0-9]+)<", page.content.decode())
    assert found, page.content.decode()[:500]
    assert response["Location"].endswith(f"/pesan/terkirim/{found.group(1)}/")
    return found.group(1)


def staged_files() -> list[str]:
    try:
        folders = default_storage.listdir(webform.STAGING)[0]
    except FileNotFoundError:
        return []
    return [name for folder in folders for name in default_storage.listdir(f"webform/{folder}")[1]]


# --- Store and answer ------------------------------------------------------------------------
def test_the_citizen_gets_the_code_before_any_contact_exists(client: Client, selatan) -> None:
    response = client.post(url(selatan), {**GOOD, "token": token()})
    assert response.status_code == 303  # Post/Redirect/Get: a reload never sends it again
    code = code_of(response)
    stored = WebSubmission.objects.get()
    assert (stored.unit, stored.tracking_code, stored.status) == (
        selatan,
        code,
        InboundStatus.PENDING,
    )
    assert (stored.sender_name, stored.reply_to, stored.body) == (
        "Warga",
        "0812 3456 7890",
        GOOD["message"],
    )
    assert stored.received_at == clock.now()
    assert not Contact.objects.exists()  # the test transaction never commits: no worker ran
    page = client.get(reverse("intake:track", args=[code]))
    assert page.status_code == 200
    assert "Pesan diterima, sedang diproses" in page.content.decode()
    assert '<meta http-equiv="refresh" content="10">' in page.content.decode()
    entry = client.get(reverse("portal:track-entry"), {"kode": code.lower()})
    assert entry.status_code == 302
    assert entry["Location"] == reverse("intake:track", args=[code])


def test_the_form_page_carries_a_fresh_token(client: Client, selatan) -> None:
    first, second = (client.get(url(selatan)).content.decode() for _ in range(2))
    tokens = [re.search(r'name="token" value="([^"]+)"', page).group(1) for page in (first, second)]
    assert tokens[0] != tokens[1]
    assert all(webform.TOKEN.fullmatch(t) for t in tokens)
    assert 'enctype="multipart/form-data"' in first


def test_with_the_worker_running_the_contact_has_the_promised_code(
    client: Client, selatan, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(selatan), {**GOOD, "token": token()})
    contact = Contact.objects.get()
    assert contact.tracking_code == code_of(response)
    assert (contact.channel, contact.unit, contact.sender_name) == ("web", selatan, "Warga")
    assert contact.messages.get().body == GOOD["message"]
    assert WebSubmission.objects.get().status == InboundStatus.DONE
    page = client.get(reverse("intake:track", args=[contact.tracking_code]))
    assert "Pesan diterima, sedang diproses" not in page.content.decode()
    assert "Diterima, menunggu tanggapan petugas" in page.content.decode()


def test_the_clock_starts_when_the_citizen_pressed_send(client: Client, selatan) -> None:
    sent = clock.now()
    client.post(url(selatan), {**GOOD, "token": token()})
    with time_machine.travel(sent + timedelta(minutes=3), tick=False):
        assert webform.sweep() == 1
    contact = Contact.objects.get()
    assert contact.received_at == sent
    assert contact.first_response_due_at == sent + timedelta(minutes=selatan.response_minutes)
    assert WebSubmission.objects.get().processed_at == sent + timedelta(minutes=3)


def test_a_double_click_is_one_message_with_one_code(client: Client, selatan) -> None:
    answers = [client.post(url(selatan), {**GOOD, "token": token()}) for _ in range(3)]
    assert [a.status_code for a in answers] == [303, 303, 303]
    assert len({code_of(a) for a in answers}) == 1
    assert WebSubmission.objects.count() == 1
    webform.process_unit(selatan.pk)
    webform.process_unit(selatan.pk)
    assert Contact.objects.get().tracking_code == code_of(answers[0])


def test_a_resent_form_past_the_rate_limit_still_gets_its_code(client: Client, selatan) -> None:
    codes = [
        code_of(client.post(url(selatan), {**GOOD, "token": token(n)}, REMOTE_ADDR="10.9.9.8"))
        for n in range(5)
    ]
    again = client.post(url(selatan), {**GOOD, "token": token(4)}, REMOTE_ADDR="10.9.9.8")
    assert (again.status_code, code_of(again)) == (303, codes[4])
    new = client.post(url(selatan), {**GOOD, "token": token(5)}, REMOTE_ADDR="10.9.9.8")
    assert new.status_code == 429
    assert WebSubmission.objects.count() == 5


def test_a_client_without_the_token_is_stored_but_not_deduplicated(client, selatan) -> None:
    first, second = client.post(url(selatan), GOOD), client.post(url(selatan), GOOD)
    assert code_of(first) != code_of(second)
    assert WebSubmission.objects.count() == 2


def test_the_same_token_at_another_unit_is_another_message(client, selatan, utara) -> None:
    a = client.post(url(selatan), {**GOOD, "token": token()})
    b = client.post(url(utara), {**GOOD, "token": token()})
    assert code_of(a) != code_of(b)
    assert sorted(WebSubmission.objects.values_list("unit__code", flat=True)) == sorted(
        [selatan.code, utara.code]
    )


# --- Worker down, backlog, order, dead letters -----------------------------------------------
def test_a_backlog_left_while_the_worker_was_down_becomes_contacts_once_in_order(
    client: Client, selatan, utara
) -> None:
    promised = []
    for n in range(12):
        unit = selatan if n % 3 else utara
        answer = client.post(
            url(unit),
            {**GOOD, "message": f"Laporan {n}", "token": token(n)},
            REMOTE_ADDR=f"10.0.0.{n}",
        )
        assert answer.status_code == 303
        promised.append((unit.pk, f"Laporan {n}", code_of(answer)))
    assert not Contact.objects.exists()
    assert webform.sweep() == 0  # younger than SWEEP_AFTER: a task may still take them
    with time_machine.travel(clock.now() + timedelta(seconds=31), tick=False):
        Command._round()  # the intake clock's round, with every job it runs
        Command._round()
    contacts = list(Contact.objects.order_by("pk"))
    assert len(contacts) == 12
    made = {(c.unit_id, c.messages.get().body, c.tracking_code) for c in contacts}
    assert made == set(promised)
    for unit in (selatan, utara):  # each unit's messages filed in the order they were sent
        filed = [c.tracking_code for c in contacts if c.unit_id == unit.pk]
        assert filed == [code for unit_id, _, code in promised if unit_id == unit.pk]
    assert set(WebSubmission.objects.values_list("status", flat=True)) == {InboundStatus.DONE}


def test_the_sweep_takes_at_most_its_limit_a_round(client: Client, selatan) -> None:
    for n in range(5):
        client.post(url(selatan), {**GOOD, "token": token(n)}, REMOTE_ADDR=f"10.1.0.{n}")
    with time_machine.travel(clock.now() + timedelta(minutes=1), tick=False):
        assert webform.sweep(limit=3) == 3
        assert Contact.objects.count() == 3
        assert webform.sweep(limit=3) == 2
    assert Contact.objects.count() == 5


def test_a_submission_that_cannot_be_filed_is_retried_then_dead_then_reprocessed(
    client: Client, selatan, monkeypatch
) -> None:
    code = code_of(client.post(url(selatan), {**GOOD, "token": token()}))
    real = services.contact_receive

    def broken(**kwargs):
        raise RuntimeError("database said no")

    monkeypatch.setattr(services, "contact_receive", broken)
    at = clock.now()
    for attempt in range(1, 6):
        at += timedelta(minutes=20)
        with time_machine.travel(at, tick=False):
            webform.sweep()
        stored = WebSubmission.objects.get()
        assert stored.attempts == attempt
    assert stored.status == InboundStatus.DEAD
    assert stored.error == "RuntimeError: database said no"
    assert not Contact.objects.exists()
    assert (
        "Pesan diterima, sedang diproses"
        in client.get(reverse("intake:track", args=[code])).content.decode()
    )
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        assert webform.sweep() == 0  # dead letters wait for a person

    monkeypatch.setattr(services, "contact_receive", real)  # the cause was fixed
    admin = User.objects.create_superuser("admin-web", "a@example.org", "rahasia-uji-123")
    client.force_login(admin)
    changelist = reverse("admin:channels_websubmission_changelist")
    assert client.get(changelist).status_code == 200
    client.post(
        changelist,
        {"action": "reprocess", "_selected_action": [stored.pk]},
    )
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        webform.sweep()
    assert Contact.objects.get().tracking_code == code
    assert AuditEvent.objects.filter(action="channels.webform.reprocessed").exists()


def test_a_submission_whose_contact_exists_is_marked_done_not_made_twice(client, selatan):
    code = code_of(client.post(url(selatan), {**GOOD, "token": token()}))
    webform.process_unit(selatan.pk)
    WebSubmission.objects.update(status=InboundStatus.PENDING)  # the row's update was lost
    assert webform.process_unit(selatan.pk) == 1
    assert Contact.objects.filter(tracking_code=code).count() == 1
    assert WebSubmission.objects.get().status == InboundStatus.DONE


# --- Attachments ------------------------------------------------------------------------------
def test_attachments_are_stored_first_and_reach_the_contact(client: Client, selatan) -> None:
    photo = SimpleUploadedFile("pohon.png", PNG, content_type="image/png")
    response = client.post(url(selatan), {**GOOD, "token": token(), "files": [photo]})
    assert response.status_code == 303
    assert staged_files() == ["pohon.png"]  # on disk before the citizen is answered
    webform.process_unit(selatan.pk)
    attachment = Attachment.objects.get()
    assert attachment.message.contact.tracking_code == code_of(response)
    assert (attachment.filename, attachment.content_type) == ("pohon.png", "image/png")
    assert attachment.file.read() == PNG


# --- Bad input: a clear Indonesian error, nothing stored ---------------------------------------
@pytest.mark.parametrize(
    ("bad", "error"),
    [
        ({"message": ""}, "Bidang ini harus diisi."),
        ({"name": ""}, "Bidang ini harus diisi."),
        ({"reply_to": "abc"}, "Isi nomor HP atau alamat email yang benar."),
        ({"reply_to": "a@b"}, "Masukkan alamat email dengan format yang benar."),
        ({"message": "x" * 2001}, "paling banyak 2000 karakter"),
        ({"name": "n" * 121}, "paling banyak 120 karakter"),
        ({"token": "pendek"}, "Formulir tidak sah. Muat ulang halaman lalu kirim lagi."),
        ({"token": "x" * 65}, "Formulir tidak sah."),
        ({"token": "../../etc/passwd-aaaaaaaa"}, "Formulir tidak sah."),
        ({"message": ["satu", "dua"]}, ""),
    ],
)
def test_bad_web_messages_store_nothing(client: Client, selatan, bad, error) -> None:
    data = {**GOOD, "token": token(), **bad}
    if bad.get("message") == ["satu", "dua"]:
        data["message"] = ["", ""]  # a repeated field: the last one counts, and it is empty
        error = "Bidang ini harus diisi."
    response = client.post(url(selatan), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not WebSubmission.objects.exists()
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("files", "error"),
    [
        (
            [SimpleUploadedFile(f"f{n}.png", PNG, content_type="image/png") for n in range(4)],
            "Paling banyak 3 lampiran.",
        ),
        (
            [SimpleUploadedFile("x.html", b"<script>1</script>", content_type="text/html")],
            "Jenis lampiran x.html tidak diizinkan.",
        ),
        (
            [
                SimpleUploadedFile(
                    "besar.png", b"\0" * (services.MAX_ATTACHMENT + 1), content_type="image/png"
                )
            ],
            "terlalu besar",
        ),
        ([SimpleUploadedFile("kosong.png", b"", content_type="image/png")], "Berkas kosong."),
    ],
)
def test_bad_attachments_store_nothing(client: Client, selatan, files, error) -> None:
    response = client.post(url(selatan), {**GOOD, "token": token(), "files": files})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not WebSubmission.objects.exists()
    assert staged_files() == []


def test_a_body_over_the_limit_is_refused(client: Client, selatan) -> None:
    response = client.post(url(selatan), {**GOOD, "token": token(), "message": "x" * 2_000_000})
    assert response.status_code == 400
    assert not WebSubmission.objects.exists()


def test_the_web_form_is_rate_limited_without_a_captcha(client: Client, selatan) -> None:
    codes = [
        client.post(url(selatan), {**GOOD, "token": token(n)}, REMOTE_ADDR="10.9.9.9").status_code
        for n in range(6)
    ]
    assert codes == [303] * 5 + [429]
    assert WebSubmission.objects.count() == 5


def test_an_unknown_unit_is_not_found(client: Client, db) -> None:
    assert client.get(reverse("portal:web-message", args=["tidak-ada"])).status_code == 404
    assert client.post(reverse("portal:web-message", args=["tidak-ada"]), GOOD).status_code == 404
    assert not WebSubmission.objects.exists()


def test_an_unknown_code_is_still_not_found(client: Client, db) -> None:
    response = client.get(reverse("intake:track", args=["ZZZZZZZZZZ"]))
    assert response.status_code == 404
    assert "Kode tidak ditemukan" in response.content.decode()


def test_a_renamed_unit_shows_its_new_name_on_the_form_at_once(client: Client, selatan) -> None:
    assert selatan.name in client.get(url(selatan)).content.decode()  # now kept in the process
    selatan.name = "Polsek Kota Selatan Baru"
    selatan.save()
    assert "Polsek Kota Selatan Baru" in client.get(url(selatan)).content.decode()


# --- The kiosk keeps its synchronous path (ADR 0040) ------------------------------------------
def test_the_kiosk_ticket_is_in_the_queue_at_once_without_any_worker(client, selatan, petugas):
    """No task runs here (the test transaction never commits): the printed number can be called
    all the same, so a citizen never holds a number the desk cannot call."""
    answer = client.post(reverse("intake:kiosk", args=[selatan.code]), REMOTE_ADDR="10.7.7.7")
    assert answer.status_code == 302
    contact = Contact.objects.get(channel="walkin")
    assert contact.queue_ticket == "A-01"
    assert contact.received_at == clock.now()
    assert answer["Location"] == reverse(
        "intake:kiosk-ticket", args=[selatan.code, contact.tracking_code]
    )
    assert services.ticket_call_next(actor=petugas, unit=selatan) == contact
    assert not WebSubmission.objects.exists()


def test_a_code_another_contact_took_meanwhile_is_a_dead_letter_not_a_loss(client, selatan):
    code = code_of(client.post(url(selatan), {**GOOD, "token": token()}))
    services.contact_receive(
        unit=selatan,
        incoming=services.Incoming(channel="sms", body="lain", sender_address="0812999"),
        tracking_code=code,
    )
    webform.process_unit(selatan.pk)
    stored = WebSubmission.objects.get()
    assert stored.status == InboundStatus.DEAD
    assert "tracking code taken" in stored.error
    assert Contact.objects.filter(channel="web").count() == 0


def test_a_task_already_waiting_for_the_unit_takes_the_next_submissions_too(
    client: Client, selatan, django_capture_on_commit_callbacks
) -> None:
    """One queued task per unit, not one per submission: while a task waits (its flag set), a
    submission enqueues nothing; the waiting task, once it runs, files them all."""
    from django.core.cache import cache as shared

    from spkt.channels import tasks
    from spkt.core.queueing import QUEUED_TTL, queued_key

    shared.set(queued_key("webform", selatan.pk), 1, QUEUED_TTL)  # a task is waiting
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            client.post(url(selatan), {**GOOD, "token": token(n)}, REMOTE_ADDR=f"10.2.0.{n}")
    assert not Contact.objects.exists()
    tasks.webform_process_task(selatan.pk)  # the waiting task runs (Huey is immediate in tests)
    assert Contact.objects.count() == 3
    with django_capture_on_commit_callbacks(execute=True):  # its flag is gone: enqueued at once
        client.post(url(selatan), {**GOOD, "token": token(9)}, REMOTE_ADDR="10.2.0.9")
    assert Contact.objects.count() == 4


def test_the_confirmation_page_shows_only_a_code_this_unit_stored(client: Client, selatan, utara):
    code = code_of(client.post(url(selatan), {**GOOD, "token": token()}))
    done = "portal:web-message-done"
    assert client.get(reverse(done, args=[selatan.code, code])).status_code == 200
    assert client.get(reverse(done, args=[utara.code, code])).status_code == 404
    assert client.get(reverse(done, args=[selatan.code, "ABCDEF2345"])).status_code == 404
    assert client.get(reverse(done, args=[selatan.code, "x" * 40])).status_code == 404
    assert client.get(reverse(done, args=["tidak-ada", code])).status_code == 404
