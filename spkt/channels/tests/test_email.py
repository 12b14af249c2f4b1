"""The email channel against a real IMAP server (Dovecot) and SMTP server (aiosmtpd): mail in as
contacts, replies out with threading headers, and everything that must not open a contact."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core.management import call_command

from spkt.channels import email as channel_email
from spkt.channels.email import (
    CURSOR,
    RAW_NAME,
    email_poll,
    email_poll_all,
    email_setup,
    html_to_text,
    normalize_msgid,
    parse_mail,
)
from spkt.channels.models import ChannelAccount
from spkt.channels.tests.mailserver import (
    SMTP_LOGIN,
    MailServer,
    MailServerUnavailableError,
    free_port,
)
from spkt.core.pollers import POLLERS
from spkt.dutylog.models import Mutasi
from spkt.intake.models import Contact, Delivery, Direction, OutboxItem, OutboxStatus, Status
from spkt.intake.outbox import SENDERS, outbox_deliver
from spkt.intake.services import contact_reply

mail = pytest.mark.mail
CITIZEN = "rahma.suleman@warga.test"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n% uji\n%%EOF\n"


@pytest.fixture(scope="session")
def mailserver():
    server = MailServer()
    try:
        server.start()
    except MailServerUnavailableError as exc:
        pytest.fail(str(exc))
    yield server
    server.stop()


@pytest.fixture
def mailbox(mailserver):
    return mailserver.mailbox()


@pytest.fixture
def registered():
    senders, pollers = dict(SENDERS), list(POLLERS)
    email_setup()
    email_setup()  # idempotent
    yield
    SENDERS.clear()
    SENDERS.update(senders)
    POLLERS[:] = pollers


def make_account(unit, mailserver, mailbox, **config) -> ChannelAccount:
    account = ChannelAccount(
        unit=unit,
        channel="email",
        name="Email SPKT",
        slug=f"email-{mailbox.user}",
        config={
            "imap_host": "127.0.0.1",
            "imap_port": mailserver.imap_port,
            "imap_ssl": False,
            "imap_user": mailbox.user,
            "imap_folder": "INBOX",
            "smtp_host": "127.0.0.1",
            "smtp_port": mailserver.smtp_port,
            "smtp_starttls": False,
            "smtp_user": "",
            "from_address": mailbox.address,
            "fax_senders": [],
            **config,
        },
    )
    account.set_secrets({"imap_password": mailbox.password, "smtp_password": ""})
    account.save()
    return account


@pytest.fixture
def account(selatan, mailserver, mailbox, registered) -> ChannelAccount:
    return make_account(selatan, mailserver, mailbox)


def citizen_mail(
    body: str = "Dompet saya hilang di Pasar Sentral tadi pagi.",
    *,
    subject: str = "Dompet hilang",
    sender: str = f"Rahma Suleman <{CITIZEN}>",
    to: str = "spkt@polsek.test",
    **headers: str,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="warga.test")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def only_contact() -> Contact:
    assert Contact.objects.count() == 1
    return Contact.objects.get()


# --- Mail in ------------------------------------------------------------------------------------
@mail
def test_a_plain_mail_opens_a_contact_with_its_mutasi_entry(account, mailserver, mailbox) -> None:
    sent = citizen_mail(subject="Dompet hilang — Pasar Sentral")  # encoded on the wire
    mailserver.send(sent, to=mailbox.address)

    result = email_poll(account)

    assert (result.received, result.failed, result.error) == (1, 0, "")
    contact = only_contact()
    assert contact.channel == "email"
    assert contact.sender_name == "Rahma Suleman"
    assert contact.sender_address == CITIZEN
    assert contact.sender_key == f"email:{CITIZEN}"
    assert contact.subject == "Dompet hilang — Pasar Sentral"
    assert contact.status == Status.OPEN
    message = contact.messages.get()
    assert message.direction == Direction.IN
    assert message.body == "Dompet saya hilang di Pasar Sentral tadi pagi."
    assert message.external_id == sent["Message-ID"]
    assert message.warning == ""
    assert Mutasi.objects.filter(text__contains=contact.tracking_code).exists()
    assert mailserver.unseen(mailbox) == 0  # handled mail is marked seen
    account.refresh_from_db()
    assert account.config[CURSOR]["uid"] == 1
    assert email_poll(account).received == 0  # nothing new


@mail
def test_an_html_only_mail_is_read_as_text(account, mailserver, mailbox) -> None:
    msg = citizen_mail(subject="Motor dicuri")
    msg.set_content(
        "<html><head><title>x</title><style>p {color: red}</style></head><body>"
        "<p>Motor saya <b>dicuri</b> di depan&nbsp;masjid.</p><ul><li>Honda Beat</li>"
        "<li>DM 1234 AB</li></ul><p>Lokasi: <a href='https://peta.example/titik'>di sini</a>"
        "<br>Terima kasih</p><script>alert('x')</script></body></html>",
        subtype="html",
    )
    mailserver.send(msg, to=mailbox.address)

    assert email_poll(account).received == 1

    body = only_contact().messages.get().body
    assert "Motor saya dicuri di depan masjid." in body
    assert "- Honda Beat\n- DM 1234 AB" in body
    assert "di sini (https://peta.example/titik)\nTerima kasih" in body
    assert "alert" not in body
    assert "color" not in body
    assert "<" not in body


@mail
def test_a_multipart_mail_keeps_its_attachments_and_skips_the_forbidden_ones(
    account, mailserver, mailbox
) -> None:
    msg = citizen_mail("Foto dan surat terlampir.", subject="Laporan kehilangan")
    msg.add_alternative("<p>Versi <i>HTML</i> yang tidak dipakai</p>", subtype="html")
    msg.add_attachment(PNG, maintype="image", subtype="png", filename="foto ktp.png")
    # Many clients send PDFs as octet-stream: the file name tells the type.
    msg.add_attachment(PDF, maintype="application", subtype="octet-stream", filename="surat.pdf")
    msg.add_attachment(b"MZ...", maintype="application", subtype="x-msdownload", filename="a.exe")
    msg.add_attachment(
        b"x" * (10 * 1024 * 1024 + 1), maintype="image", subtype="jpeg", filename="besar.jpg"
    )
    mailserver.send(msg, to=mailbox.address)

    assert email_poll(account).received == 1

    message = only_contact().messages.get()
    assert message.body == "Foto dan surat terlampir."
    files = {a.filename: a for a in message.attachments.all()}
    assert set(files) == {"foto ktp.png", "surat.pdf"}
    assert files["foto ktp.png"].content_type == "image/png"
    assert files["foto ktp.png"].file.read() == PNG
    assert files["surat.pdf"].content_type == "application/pdf"
    assert files["surat.pdf"].size == len(PDF)
    assert "a.exe" in message.warning
    assert "besar.jpg" in message.warning


@mail
def test_odd_charsets_are_read_without_crashing(account, mailserver, mailbox) -> None:
    head = f"From: Rahma Suleman <{CITIZEN}>\r\nTo: {mailbox.address}\r\n"
    cp1252 = (
        head.encode() + b"Subject: =?windows-1252?q?Caf=E9_=93kunci=94?=\r\n"
        b"Message-ID: <cp1252@warga.test>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=windows-1252\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + "Kunci café – “Honda”\r\n".encode("cp1252")
    )
    unknown = (
        head.encode() + b"Subject: Tanpa charset\r\nMessage-ID: <unknown8bit@warga.test>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=unknown-8bit\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nRumah di Jl. K\xe9\xe9 nomor 5 dibobol\r\n"
    )
    bogus = (
        head.encode()
        + "Subject: Surat dari Tondano ✓\r\n".encode()  # raw UTF-8 in a header
        + b"Message-ID: <bogus@warga.test>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: text/plain; charset="x-klingon"\r\n'
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + "Sepeda motor ✓ ditemukan\r\n".encode()
    )
    for raw in (cp1252, unknown, bogus):
        mailserver.send(raw, to=mailbox.address)

    result = email_poll(account)

    assert (result.received, result.failed) == (3, 0)
    by_id = {c.messages.get().external_id: (c, c.messages.get()) for c in Contact.objects.all()}
    contact, message = by_id["<cp1252@warga.test>"]
    assert contact.subject == "Café “kunci”"
    assert message.body == "Kunci café – “Honda”"
    contact, message = by_id["<unknown8bit@warga.test>"]
    assert message.body == "Rumah di Jl. Kéé nomor 5 dibobol"  # read by detection, not "�"
    assert "cp1252" in message.warning
    contact, message = by_id["<bogus@warga.test>"]
    assert contact.subject == "Surat dari Tondano ✓"
    assert message.body == "Sepeda motor ✓ ditemukan"


@mail
def test_bounces_auto_replies_and_our_own_mail_open_no_contact(
    account, mailserver, mailbox, caplog
) -> None:
    report = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.warga.test>\r\n"
        f"To: {mailbox.address}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn-1@mx.warga.test>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nPesan Anda tidak dapat dikirim.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.warga.test\r\n\r\nFinal-Recipient: rfc822; x@warga.test\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n--b1--\r\n"
    ).encode()
    mailserver.send(report, to=mailbox.address, mail_from="")  # MAIL FROM:<> -> Return-Path <>

    null_sender = citizen_mail("Pemberitahuan", sender="Server <noreply@warga.test>")
    mailserver.send(null_sender, to=mailbox.address, mail_from="")
    postmaster = citizen_mail("Kotak penuh", sender="postmaster@warga.test")
    mailserver.send(postmaster, to=mailbox.address)
    out_of_office = citizen_mail("Saya sedang cuti.", Auto_Submitted="auto-replied")
    mailserver.send(out_of_office, to=mailbox.address)
    x_autoreply = citizen_mail("Terima kasih, pesan Anda diterima.", X_Autoreply="yes")
    mailserver.send(x_autoreply, to=mailbox.address)
    newsletter = citizen_mail("Promo minggu ini", Precedence="bulk")
    mailserver.send(newsletter, to=mailbox.address)
    loop = citizen_mail("Salinan balasan kami", sender=f"SPKT <{mailbox.address}>")
    mailserver.send(loop, to=mailbox.address)
    human = citizen_mail("Ini saya sendiri, bukan mesin.", Auto_Submitted="no")
    mailserver.send(human, to=mailbox.address)

    with caplog.at_level(logging.INFO, logger="spkt.channels.email"):
        result = email_poll(account)

    assert (result.received, result.ignored, result.failed) == (1, 7, 0)
    assert only_contact().messages.get().body == "Ini saya sendiri, bukan mesin."
    assert mailserver.unseen(mailbox) == 0
    logged = caplog.text
    assert logged.count("bounce not opened") == 3
    assert logged.count("autoreply not opened") == 3
    assert "own not opened" in logged


@mail
def test_a_malformed_mail_is_kept_raw_and_a_poison_mail_blocks_nothing(
    account, mailserver, mailbox, monkeypatch
) -> None:
    broken = (
        f"From: Warga <{CITIZEN}>\r\nTo: {mailbox.address}\r\nSubject: Rusak\r\n"
        "Message-ID: <rusak@warga.test>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="tidak-pernah-ada"\r\n\r\n'
        "--batas-lain\r\nContent-Type: text/plain\r\n\r\nTolong, ada pencurian.\r\n"
    ).encode()
    poison = citizen_mail("Isi biasa", subject="RACUN")
    after = citizen_mail("Pesan sesudahnya tetap sampai.", subject="Sesudah")
    for msg in (broken, poison, after):
        mailserver.send(msg, to=mailbox.address)
    real_receive = channel_email.contact_receive

    def receive(*, unit, incoming):
        if incoming.subject == "RACUN":
            raise RuntimeError("a bug met a strange mail")
        return real_receive(unit=unit, incoming=incoming)

    monkeypatch.setattr(channel_email, "contact_receive", receive)

    result = email_poll(account)

    assert (result.received, result.failed, result.error) == (2, 1, "")
    broken_contact = Contact.objects.get(subject="Rusak")
    message = broken_contact.messages.get()
    assert RAW_NAME in message.warning
    assert RAW_NAME in message.body
    raw = message.attachments.get(filename=RAW_NAME)
    assert b"Tolong, ada pencurian." in raw.file.read()
    assert Contact.objects.get(subject="Sesudah").messages.get().body == (
        "Pesan sesudahnya tetap sampai."
    )
    assert mailserver.unseen(mailbox) == 0  # the poison mail too: it is not retried forever
    account.refresh_from_db()
    assert account.config[CURSOR]["uid"] == 3


@mail
def test_garbage_instead_of_a_mail_still_arrives_with_its_raw_source(
    account, mailserver, mailbox
) -> None:
    mailserver.deliver(mailbox, b"\x00\xff\xfe garbage\r\n\r\n--\x00\r\n", mail_from="x@y.test")
    mailserver.send(citizen_mail("Normal"), to=mailbox.address)

    result = email_poll(account)

    assert (result.received, result.failed) == (2, 0)
    garbage = Contact.objects.exclude(messages__body="Normal").get()
    assert garbage.messages.get().attachments.filter(filename=RAW_NAME).exists()


@mail
def test_mail_from_the_fax_gateway_is_a_fax_and_the_reply_goes_back_to_it(
    selatan, petugas, mailserver, mailbox, registered
) -> None:
    account = make_account(selatan, mailserver, mailbox, fax_senders=["fax@gateway.test"])
    fax = citizen_mail(
        "Faks masuk dari 0435-821234, 2 halaman.",
        subject="Fax dari 0435821234",
        sender="Fax Gateway <FAX@Gateway.test>",
    )
    fax.add_attachment(PDF, maintype="application", subtype="pdf", filename="faks.pdf")
    mailserver.send(fax, to=mailbox.address)
    mailserver.send(citizen_mail("Bukan faks"), to=mailbox.address)

    assert email_poll(account).received == 2

    contact = Contact.objects.get(channel="fax")
    assert contact.sender_address == "FAX@Gateway.test"
    assert contact.messages.get().attachments.get().filename == "faks.pdf"
    assert Contact.objects.get(sender_address=CITIZEN).channel == "email"
    message = contact_reply(actor=petugas, contact=contact, body="Surat Anda sudah kami terima.")
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.SENT
    (relayed,) = mailserver.relayed_to("FAX@Gateway.test")
    assert relayed.message()["Subject"] == "Re: Fax dari 0435821234"


@mail
def test_a_reply_goes_out_by_smtp_and_the_citizens_answer_threads_back(
    account, petugas, mailserver, mailbox
) -> None:
    first = citizen_mail(subject="Dompet hilang")
    mailserver.send(first, to=mailbox.address)
    email_poll(account)
    contact = only_contact()

    message = contact_reply(actor=petugas, contact=contact, body="Silakan datang ke SPKT.")
    assert outbox_deliver(message.outbox.pk) == OutboxStatus.SENT

    message.refresh_from_db()
    assert message.delivery == Delivery.SENT
    (relayed,) = mailserver.relayed_to(CITIZEN)
    assert relayed.mail_from == mailbox.address
    sent = relayed.message()
    assert sent["Message-ID"] == message.external_id
    assert message.external_id.endswith("@polsek.test>")
    assert sent["In-Reply-To"] == first["Message-ID"]
    assert sent["References"] == first["Message-ID"]
    assert sent["Subject"] == "Re: Dompet hilang"
    assert sent["To"].addresses[0].addr_spec == CITIZEN
    assert sent["From"].addresses[0].addr_spec == mailbox.address
    assert sent["From"].addresses[0].display_name == "Polsek Kota Selatan"
    assert sent.get_content().strip() == "Silakan datang ke SPKT."
    assert mailserver.unseen(mailbox) == 0  # our reply went to the citizen, not to us

    answer = citizen_mail(
        "Baik, saya datang besok.",
        subject="Re: Dompet hilang",
        In_Reply_To=message.external_id,
        References=f"{first['Message-ID']} {message.external_id}",
    )
    mailserver.send(answer, to=mailbox.address)
    # A client that keeps only References (newest last) threads too.
    later = citizen_mail(
        "Saya sudah di jalan.",
        subject="Balasan",
        References=f"{first['Message-ID']} {message.external_id}",
    )
    mailserver.send(later, to=mailbox.address)

    assert email_poll(account).received == 2

    contact = only_contact()
    assert [(m.direction, m.body) for m in contact.messages.all()] == [
        ("in", "Dompet saya hilang di Pasar Sentral tadi pagi."),
        ("out", "Silakan datang ke SPKT."),
        ("in", "Baik, saya datang besok."),
        ("in", "Saya sudah di jalan."),
    ]
    # The next reply answers the latest mail and keeps the thread's root.
    second = contact_reply(actor=petugas, contact=contact, body="Kami tunggu.")
    assert outbox_deliver(second.outbox.pk) == OutboxStatus.SENT
    sent = mailserver.relayed_to(CITIZEN)[-1].message()
    assert sent["In-Reply-To"] == later["Message-ID"]
    assert sent["References"] == f"{first['Message-ID']} {later['Message-ID']}"


@mail
def test_smtp_login_and_delivery_failures(selatan, petugas, mailserver, mailbox, registered):
    account = make_account(selatan, mailserver, mailbox, smtp_user=SMTP_LOGIN[0])
    account.set_secrets({"imap_password": mailbox.password, "smtp_password": SMTP_LOGIN[1]})
    account.save()
    for address in (CITIZEN, "tidak-ada@warga.test", "sibuk@warga.test"):
        mailserver.send(citizen_mail("Halo", sender=address), to=mailbox.address)
    email_poll(account)
    contact = {c.sender_address: c for c in Contact.objects.all()}

    ok = contact_reply(actor=petugas, contact=contact[CITIZEN], body="Diterima")
    assert outbox_deliver(ok.outbox.pk) == OutboxStatus.SENT
    assert mailserver.smtp_logins == [SMTP_LOGIN[0]]

    refused = contact_reply(actor=petugas, contact=contact["tidak-ada@warga.test"], body="Hai")
    assert outbox_deliver(refused.outbox.pk) == OutboxStatus.FAILED  # 550: never retried
    refused.refresh_from_db()
    assert refused.delivery == Delivery.FAILED
    assert "550" in OutboxItem.objects.get(message=refused).last_error

    deferred = contact_reply(actor=petugas, contact=contact["sibuk@warga.test"], body="Hai")
    assert outbox_deliver(deferred.outbox.pk) == OutboxStatus.PENDING  # 451: later
    assert "451" in OutboxItem.objects.get(message=deferred).last_error

    account.config["smtp_port"] = free_port()  # the SMTP server is down
    account.save()
    down = contact_reply(actor=petugas, contact=contact[CITIZEN], body="Lagi")
    assert outbox_deliver(down.outbox.pk) == OutboxStatus.PENDING
    assert OutboxItem.objects.get(message=down).attempts == 1


@mail
def test_the_same_mail_polled_twice_is_one_message(account, mailserver, mailbox) -> None:
    msg = citizen_mail()
    mailserver.send(msg, to=mailbox.address)
    mailserver.send(msg, to=mailbox.address)  # delivered twice by the citizen's server

    result = email_poll(account)
    assert (result.received, result.duplicates) == (1, 1)

    # The cursor lost (an admin edit) and every mail unread again: still one message.
    ChannelAccount.objects.filter(pk=account.pk).update(config={**account.config, CURSOR: {}})
    account.refresh_from_db()
    mailserver.mark_all_unseen(mailbox)
    result = email_poll(account)
    assert (result.received, result.duplicates) == (0, 2)
    assert only_contact().messages.count() == 1


@mail
def test_a_new_account_takes_unread_mail_then_everything_after_its_cursor(
    selatan, mailserver, mailbox, registered
) -> None:
    mailserver.send(citizen_mail("Lama, sudah dibaca", subject="Lama"), to=mailbox.address)
    mailserver.mark_all_unseen(mailbox)
    imap = mailserver.imap(mailbox)
    imap.uid("STORE", "1", "+FLAGS.SILENT", r"(\Seen)")
    imap.logout()
    mailserver.send(citizen_mail("Belum dibaca", subject="Baru"), to=mailbox.address)
    account = make_account(selatan, mailserver, mailbox)

    assert email_poll(account).received == 1
    assert only_contact().subject == "Baru"

    # Someone reads a new mail in a mail client before the poller comes by: it still arrives.
    mailserver.send(citizen_mail("Dibaca orang lain", subject="Dibaca"), to=mailbox.address)
    imap = mailserver.imap(mailbox)
    imap.uid("STORE", "1:*", "+FLAGS.SILENT", r"(\Seen)")
    imap.logout()
    assert email_poll(account).received == 1
    assert set(Contact.objects.values_list("subject", flat=True)) == {"Baru", "Dibaca"}


@mail
def test_a_mail_too_big_to_fetch_opens_a_contact_from_its_headers(
    account, mailserver, mailbox, monkeypatch
) -> None:
    monkeypatch.setattr(channel_email, "MAX_RAW", 2000)
    msg = citizen_mail("x" * 5000, subject="Rekaman CCTV")
    mailserver.send(msg, to=mailbox.address)

    assert email_poll(account).received == 1

    contact = only_contact()
    assert contact.subject == "Rekaman CCTV"
    assert "terlalu besar" in contact.messages.get().warning


@mail
def test_an_unreachable_mailbox_never_stops_the_clock(
    selatan, mailserver, mailbox, registered, caplog
) -> None:
    down = make_account(selatan, mailserver, mailbox, imap_port=free_port())
    wrong = ChannelAccount.objects.create(
        unit=selatan, channel="email", name="Salah", slug="salah", config=dict(down.config)
    )
    wrong.config["imap_port"] = mailserver.imap_port
    wrong.set_secrets({"imap_password": "salah"})
    wrong.save()
    ChannelAccount.objects.create(
        unit=selatan, channel="email", name="Kosong", slug="kosong", config={}
    )
    assert email_poll_all in POLLERS

    with caplog.at_level(logging.WARNING, logger="spkt.channels.email"):
        assert email_poll_all(min_interval=0) == 0
    assert caplog.text.count("cannot reach the mailbox") == 3

    assert "Connection refused" in email_poll(down).error
    assert "AUTHENTICATIONFAILED" in email_poll(wrong).error
    assert not Contact.objects.exists()


@mail
def test_the_clock_polls_each_account_at_most_every_interval(
    account, mailserver, mailbox, monkeypatch
) -> None:
    monkeypatch.setattr(channel_email, "_last_polled", {})
    mailserver.send(citizen_mail(), to=mailbox.address)
    assert email_poll_all() == 1
    mailserver.send(citizen_mail("Kedua", subject="Kedua"), to=mailbox.address)
    assert email_poll_all() == 0  # polled a moment ago
    assert email_poll_all(min_interval=0) == 1


@mail
def test_the_intake_clock_polls_the_mailbox(selatan, mailserver, mailbox, monkeypatch) -> None:
    monkeypatch.setattr(channel_email, "_last_polled", {})
    # The command closes expired connections each round; on PostgreSQL that would close the
    # connection holding this test's transaction.
    monkeypatch.setattr(
        "spkt.intake.management.commands.intake_clock.close_old_connections", lambda: None
    )
    make_account(selatan, mailserver, mailbox)  # no `registered`: ChannelsConfig.ready() did it
    mailserver.send(citizen_mail(), to=mailbox.address)

    call_command("intake_clock", "--once")

    assert only_contact().sender_address == CITIZEN


@mail
def test_an_unreachable_mailbox_is_tried_less_often(
    selatan, mailserver, mailbox, registered, monkeypatch
) -> None:
    monkeypatch.setattr(channel_email, "_last_polled", {})
    now = [1000.0]
    monkeypatch.setattr(channel_email.time, "monotonic", lambda: now[0])
    account = make_account(selatan, mailserver, mailbox, imap_port=free_port())
    polls = []
    real_poll = channel_email.email_poll
    monkeypatch.setattr(channel_email, "email_poll", lambda a: polls.append(now[0]) or real_poll(a))
    for _ in range(40):  # 10 minutes of a 15-second clock
        email_poll_all()
        now[0] += 15
    assert [int(t - 1000) for t in polls] == [0, 15, 45, 105, 225, 465]
    account.config["imap_port"] = mailserver.imap_port  # the server is back
    account.save()
    now[0] += 240
    email_poll_all()
    now[0] += 15
    email_poll_all()
    assert len(polls) == 8  # back to every round


# --- Parsing without a server -------------------------------------------------------------------
def test_message_ids_are_normalised() -> None:
    assert normalize_msgid("  <abc@host.test> ") == "<abc@host.test>"
    assert normalize_msgid("abc@host.test") == "<abc@host.test>"
    assert normalize_msgid("") == ""
    assert normalize_msgid("<" + "a" * 300 + "@x>").startswith("sha256:")


def test_html_to_text_keeps_structure_and_drops_code() -> None:
    text = html_to_text(
        "<div>Halo<br/>Pak</div><table><tr><td>A</td><td>B</td></tr></table>"
        "<pre>  satu\n  dua</pre><style>x{}</style>&lt;ok&gt;"
    )
    assert text == "Halo\nPak\n\nA  B\n\nsatu\ndua\n<ok>"


def test_a_forwarded_mail_is_kept_as_an_attachment() -> None:
    inner = citizen_mail("Anda menang undian! Kirim pulsa.", subject="Undian", sender="a@b.test")
    outer = citizen_mail("Saya terima penipuan ini, mohon ditindak.")
    outer.add_attachment(inner)
    parsed = parse_mail(outer.as_bytes())
    assert parsed.kind == "mail"
    # Its text is shown below the citizen's, under a line that says where it comes from.
    assert parsed.incoming.body == (
        "Saya terima penipuan ini, mohon ditindak.\n\n"
        "--- Pesan terlampir dari a@b.test: Undian ---\nAnda menang undian! Kirim pulsa."
    )
    (kept,) = parsed.incoming.files
    assert kept.filename.endswith(".eml")
    assert b"Anda menang undian!" in kept.data


def test_nul_characters_and_raw_8bit_headers_become_storable_text() -> None:
    raw = (
        b"From: =?utf-8?q?Bu_Ani?= <ani@warga.test>\r\nSubject: Rumah \xe2\x9c\x93 \xff\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nSatu\x00Dua\r\n"
    )
    incoming = parse_mail(raw).incoming
    assert incoming.sender_name == "Bu Ani"
    assert incoming.subject == "Rumah ✓ \ufffd"
    assert incoming.body == "SatuDua"


def test_a_mail_without_message_id_gets_a_stable_one() -> None:
    raw = f"From: {CITIZEN}\r\nSubject: x\r\n\r\nisi\r\n".encode()
    first, again = parse_mail(raw), parse_mail(raw)
    assert first.incoming.external_id.startswith("sha256:")
    assert first.incoming.external_id == again.incoming.external_id
