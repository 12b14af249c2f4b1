"""Mail that nobody here wrote: a corpus of raw mails written by hand, byte for byte, with the
faults real mail has (mailcorpus/manifest.json says which fault each one carries, and what must
come out of it). Every mail is read by parse_mail, then the whole corpus goes through one mailbox
on the real IMAP server and must come out right, none blocking the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from spkt.channels import email as channel_email
from spkt.channels import mailparse
from spkt.channels.email import CURSOR, email_poll, parse_mail, receive_raw
from spkt.channels.models import ChannelAccount, MailSeen
from spkt.channels.tests import test_email
from spkt.intake.models import Attachment, Contact, Direction
from spkt.intake.models import Message as DeskMessage
from spkt.intake.services import ALLOWED_TYPES

CORPUS = Path(__file__).parent / "mailcorpus"
MANIFEST: dict[str, dict] = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
LIMIT = 48 * 1024  # the attachment limit while reading the corpus (10 MB files do not belong here)
ENVELOPE = "envelope@relay.test"  # the MAIL FROM when a manifest names none: never the answer
FAULTS = (
    "sender-",  # two From lines, Sender/Reply-To/Return-Path only, names without an address
    "junk-",  # something before the headers
    "charset-",  # GB2312 that is GBK, raw 8-bit headers, undeclared text, broken RFC 2047
    "mime-",  # files anywhere in the tree, uuencode, forwarded mail, office files, refusals
    "kind-",  # bounces, auto-replies, garbage
    "dup-",  # a Message-ID reused by a different mail
)
mail = pytest.mark.mail
# The mail server fixtures of the email tests (one Dovecot per module, a mailbox per test).
mailserver, mailbox = test_email.mailserver, test_email.mailbox
registered, account = test_email.registered, test_email.account


def raw(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


@pytest.fixture(autouse=True)
def small_limit(monkeypatch):
    monkeypatch.setattr(mailparse, "MAX_ATTACHMENT", LIMIT)


def test_the_corpus_has_forty_mails_or_more_with_every_fault() -> None:
    on_disk = {p.name for p in CORPUS.glob("*.eml")}
    assert on_disk == set(MANIFEST)
    assert len(on_disk) >= 40
    for prefix in FAULTS:
        assert sum(name.startswith(prefix) for name in on_disk) >= 2, prefix
    for name, expect in MANIFEST.items():
        assert expect["fault"], name
        assert {"kind", "sender", "subject", "attachments"} <= set(expect), name


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_each_mail_of_the_corpus_is_read_right(name: str) -> None:
    expect = MANIFEST[name]
    parsed = parse_mail(raw(name))
    assert parsed.kind == expect["kind"], parsed.reason
    if expect["kind"] != "mail":
        return
    incoming = parsed.incoming
    assert incoming.sender_address == expect["sender"]
    if "name" in expect:
        assert incoming.sender_name == expect["name"]
    assert incoming.subject == expect["subject"]
    assert len(incoming.files) == expect["attachments"], incoming.warning
    if "files" in expect:
        assert sorted(f.filename for f in incoming.files) == sorted(expect["files"])
    for f in incoming.files:
        assert f.content_type in ALLOWED_TYPES
        assert f.data
    for text in expect.get("warns", []):
        assert text in incoming.warning
    if "body" in expect:
        assert expect["body"] in incoming.body
    # Read, not replaced: no character of the corpus is unreadable.
    for value in (incoming.sender_name, incoming.subject, incoming.body):
        assert "\ufffd" not in value


def test_the_corpus_reads_the_same_every_time() -> None:
    """The digest is what dedup relies on: stable per mail, different between mails."""
    digests = {name: parse_mail(raw(name)).digest for name in MANIFEST}
    assert digests == {name: parse_mail(raw(name)).digest for name in MANIFEST}
    assert len(set(digests.values())) == len(digests)


def _check_stored(expect: dict) -> None:
    contact = Contact.objects.get(subject=expect["subject"])
    message = contact.messages.get(direction=Direction.IN)
    assert contact.sender_address == expect["sender"]
    if "name" in expect:
        assert contact.sender_name == expect["name"]
    names = sorted(message.attachments.values_list("filename", flat=True))
    assert len(names) == expect["attachments"], message.warning
    if "files" in expect:
        assert names == sorted(expect["files"])
    for text in [*expect.get("warns", []), *expect.get("desk_warns", [])]:
        assert text in message.warning
    if "body" in expect:
        assert expect["body"] in message.body


@mail
def test_the_whole_corpus_through_the_mailbox_none_blocking_the_rest(
    account, mailserver, mailbox, monkeypatch
) -> None:
    for name in sorted(MANIFEST):
        envelope = MANIFEST[name].get("envelope", ENVELOPE)
        mailserver.deliver(mailbox, raw(name), mail_from=envelope)
    poison = "Pencurian ayam"
    real_receive = channel_email.contact_receive

    def receive(*, unit, incoming):
        if incoming.subject == poison:
            raise RuntimeError("a bug met a strange mail")
        return real_receive(unit=unit, incoming=incoming)

    monkeypatch.setattr(channel_email, "contact_receive", receive)
    mails = [e for e in MANIFEST.values() if e["kind"] == "mail"]

    first, second = email_poll(account), email_poll(account)  # 50 per round

    assert first.error == second.error == ""
    assert first.failed + second.failed == 1
    assert first.received + second.received == len(mails) - 1
    assert first.ignored + second.ignored == len(MANIFEST) - len(mails)
    assert mailserver.unseen(mailbox) == 0

    # The bug fixed, the cursor lost and every mail unread again: only the poisoned one is new.
    monkeypatch.setattr(channel_email, "contact_receive", real_receive)
    ChannelAccount.objects.filter(pk=account.pk).update(config={**account.config, CURSOR: {}})
    account.refresh_from_db()
    mailserver.mark_all_unseen(mailbox)
    again = [email_poll(account), email_poll(account)]
    assert sum(r.received for r in again) == 1
    assert sum(r.duplicates for r in again) == len(mails) - 1
    assert sum(r.failed for r in again) == 0

    assert Contact.objects.count() == len(mails)
    assert MailSeen.objects.count() == len(mails)
    for expect in mails:
        _check_stored(expect)
    for att in Attachment.objects.all():
        assert att.content_type in ALLOWED_TYPES
        assert att.size == len(att.file.read())


# --- Duplicates: Message-ID and content -----------------------------------------------------------
@mail
def test_a_different_mail_reusing_a_message_id_is_its_own_message(account) -> None:
    assert receive_raw(account, raw("dup-reused-id-a.eml")) == "received"
    assert receive_raw(account, raw("dup-reused-id-b.eml")) == "received"
    # Each fetched again (a lost cursor): stored once each.
    assert receive_raw(account, raw("dup-reused-id-a.eml")) == "duplicate"
    assert receive_raw(account, raw("dup-reused-id-b.eml")) == "duplicate"

    first = DeskMessage.objects.get(body__contains="Pengaduan pertama")
    second = DeskMessage.objects.get(body__contains="Pengaduan kedua")
    assert first.external_id == "<formulir@desa.test>"
    assert first.warning == ""
    assert second.external_id.startswith("sha256:")
    assert "<formulir@desa.test>" in second.warning
    assert "pesan sendiri" in second.warning
    assert first.contact_id != second.contact_id
    # A third mail under the same id is its own message as well.
    third = raw("dup-reused-id-b.eml").replace(b"kedua", b"ketiga")
    assert receive_raw(account, third) == "received"
    assert DeskMessage.objects.filter(direction=Direction.IN).count() == 3


@mail
def test_the_same_mail_through_other_relays_is_one_message(account) -> None:
    mail_bytes = raw("mime-gmail-mixed-pdf.eml")
    relayed = (
        b"Received: from mx2.relay.test by mx.polsek.test; Tue, 1 Dec 2026 09:13:00 +0800\r\n"
        b"Delivered-To: alias@polsek.test\r\nX-Spam-Score: 0.1\r\n" + mail_bytes
    )
    assert receive_raw(account, mail_bytes) == "received"
    assert receive_raw(account, relayed) == "duplicate"
    assert receive_raw(account, b"\r\n\r\n" + relayed.replace(b"\r\n", b"\n")) == "duplicate"
    assert DeskMessage.objects.filter(direction=Direction.IN).count() == 1


@mail
def test_mail_stored_before_digests_were_kept_is_still_one_message(account) -> None:
    """A message stored by the earlier poller has no digest: its Message-ID decides, as then."""
    assert receive_raw(account, raw("sender-comment-form.eml")) == "received"
    MailSeen.objects.all().delete()
    assert receive_raw(account, raw("sender-comment-form.eml")) == "duplicate"
    changed = raw("sender-comment-form.eml").replace(b"BMX biru", b"BMX merah")
    assert receive_raw(account, changed) == "duplicate"
    assert DeskMessage.objects.filter(direction=Direction.IN).count() == 1


# --- What the desk sees ---------------------------------------------------------------------------
@mail
def test_refused_parts_are_named_to_the_desk_and_office_files_download_safely(
    account, petugas, client: Client
) -> None:
    assert receive_raw(account, raw("mime-exe-refused.eml")) == "received"
    assert receive_raw(account, raw("mime-office-octet-and-zip.eml")) == "received"
    client.force_login(petugas)

    refused = Contact.objects.get(subject="Lihat dokumen ini")
    html = client.get(reverse("intake:detail", args=[refused.pk])).content.decode()
    for name in ("dokumen.exe", "foto.jpg.scr", "tagihan.docm"):
        assert f"Lampiran {name} ditolak" in html
    assert "berkas program/makro (.exe)" in html

    office = Contact.objects.get(subject="Berkas pengaduan")
    att = Attachment.objects.get(message__contact=office, filename="pengaduan.docx")
    assert att.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    for url in (
        reverse("intake:attachment", args=[att.pk]),
        reverse("intake:attachment", args=[att.pk]) + "?inline=1",  # never inline
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert 'filename="pengaduan.docx"' in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response.getvalue().startswith(b"PK\x03\x04")


# --- Beyond the corpus ----------------------------------------------------------------------------
def test_a_long_undeclared_chinese_text_is_read_past_the_detection_sample() -> None:
    line = "我家的店铺昨天晚上被人撬开了，丢失了现金和两部手机。\r\n".encode("gbk")
    body = line * (mailparse.DETECT_SAMPLE // len(line) + 50)
    raw = b"From: a@warga.test\r\nSubject: x\r\nContent-Type: text/plain\r\n\r\n" + body
    incoming = parse_mail(raw).incoming
    assert incoming.body.startswith("我家的店铺昨天晚上被人撬开了")
    assert "\ufffd" not in incoming.body
    assert "gb18030" in incoming.warning


@pytest.mark.parametrize(
    "raw",
    [
        b"From: " + b"a." * 50000 + b"\r\nSubject: x\r\n\r\nisi",
        b"From: x@" + b"a." * 50000 + b"\r\nSubject: x\r\n\r\nisi",
        b"\n" * 50000 + b"From: a@warga.test\r\nSubject: x\r\n\r\nisi",
        b"From: a@warga.test\r\nSubject: x\r\n\r\n" + b"begin 644 x.jpg\r\nM!!!\r\n" * 5000,
    ],
    ids=["dotted-from", "dotted-domain", "blank-lines", "begin-without-end"],
)
def test_hostile_mail_is_read_without_a_made_up_sender_or_file(raw: bytes) -> None:
    parsed = parse_mail(raw)
    assert parsed.kind == "mail"
    incoming = parsed.incoming
    assert incoming.sender_address in ("", "a@warga.test")
    assert incoming.files == []  # nothing made up from the junk
    assert len(incoming.warning) <= 255


def test_a_uuencode_block_that_is_not_uuencode_is_named_not_stored() -> None:
    raw = b"From: a@warga.test\r\nSubject: x\r\n\r\nFoto:\r\nbegin 644 x.jpg\r\nini bukan uu\r\nend\r\n"
    incoming = parse_mail(raw).incoming
    assert incoming.files == []
    assert incoming.body == "Foto:"
    assert "x.jpg ditolak: isi uuencode rusak" in incoming.warning
