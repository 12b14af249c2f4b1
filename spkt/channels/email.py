"""Email, and email-to-fax: an IMAP poller that turns mail into contacts, and an SMTP sender for
the desk's replies.

Account (ChannelAccount, channel "email") config keys: imap_host, imap_port, imap_ssl,
imap_starttls (optional), imap_user, imap_folder (INBOX), smtp_host, smtp_port, smtp_starttls,
smtp_ssl (optional; implied by port 465), smtp_user, from_address, fax_senders (addresses, or
"@domain", whose mail is a fax). Secrets: imap_password, smtp_password. The poller keeps its place
in config["imap_cursor"].

Which mail is new: the poller remembers the highest UID it handled, together with the folder's
UIDVALIDITY, and asks for ``UID last+1:*``. Unlike searching UNSEEN this does not lose mail that
someone read in a mail client before the poller came by, and a message that cannot be marked seen
is not handled again every round. With no cursor yet (a new account) or after the server
renumbered the folder (UIDVALIDITY changed), it takes the UNSEEN mail, then starts the cursor at
the folder's end. The cursor is only an optimisation: every stored mail is remembered by its content
digest (MailSeen), so handling a mail twice (a crash between storing and moving the cursor, a lost
cursor) never makes two messages, while a different mail that reuses a Message-ID is stored as its
own message. Reading the mail itself is spkt.channels.mailparse.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import smtplib
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import Any, cast

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spkt.channels.mailparse import (  # noqa: F401 - the parser's names, re-exported
    RAW_NAME,
    ParsedMail,
    clean_text,
    html_to_text,
    join_warnings,
    normalize_msgid,
    parse_mail,
)
from spkt.channels.mailparse import matches as _matches
from spkt.channels.models import ChannelAccount, MailSeen
from spkt.channels.webhooks import MalformedError, received_at_checked
from spkt.core import clock
from spkt.intake.models import Channel, Contact, Direction, OutboxItem
from spkt.intake.models import Message as DeskMessage
from spkt.intake.outbox import DeliveryError, PermanentDeliveryError, register_sender
from spkt.intake.selectors import message_received
from spkt.intake.services import contact_receive

log = logging.getLogger("spkt.channels.email")

POLL_INTERVAL = 15.0  # seconds between two polls of one account (the clock loops every 15 s)
BATCH = 50  # messages handled per account and round; the rest come next round
IMAP_TIMEOUT = 10  # seconds per IMAP socket operation: the poll runs inside the clock loop
SMTP_TIMEOUT = 30  # seconds per SMTP socket operation (sending runs in the worker)
MAX_BACKOFF_STEPS = 4  # an unreachable mailbox: next round, then every 30, 60, 120, 240 s
MAX_RAW = 25 * 1024 * 1024  # larger mail is not downloaded: a contact from its headers only
CURSOR = "imap_cursor"
LOCK_SECONDS = 300


# --- Receiving ----------------------------------------------------------------------------------
@dataclass
class PollResult:
    received: int = 0  # messages stored (new contacts or continued ones)
    duplicates: int = 0  # already stored earlier (same content digest)
    ignored: int = 0  # bounces, auto-replies, our own mail
    failed: int = 0  # unreadable by us: logged, marked seen, skipped
    error: str = ""  # the round failed (connection, login, folder): retried next round


def _own_addresses(account: ChannelAccount) -> list[str]:
    cfg = account.config or {}
    return [a for a in (cfg.get("from_address"), cfg.get("imap_user")) if a and "@" in str(a)]


def receive_raw(
    account: ChannelAccount,
    raw: bytes,
    *,
    received_at: datetime | None = None,
    too_big: int = 0,
    result: PollResult | None = None,
) -> str:
    """Store one raw mail of ``account``; returns what happened ("received", "duplicate",
    "bounce", "autoreply", "own", "rejected"). Database outages propagate (retry later)."""
    result = result if result is not None else PollResult()
    cfg = account.config or {}
    parsed = parse_mail(
        raw,
        fax_senders=cfg.get("fax_senders") or (),
        own_addresses=_own_addresses(account),
        too_big=too_big,
    )
    if parsed.kind != "mail" or parsed.incoming is None:
        log.info(
            "email %s: %s not opened as a contact (%s)", account.slug, parsed.kind, parsed.reason
        )
        result.ignored += 1
        return parsed.kind
    incoming = parsed.incoming
    now = clock.now()
    # A new contact's clock starts when the mail reached the mailbox (IMAP INTERNALDATE), not
    # when we polled it; a mail continuing a thread is dated now, so it never sorts before our
    # reply (INTERNALDATE has whole seconds, and the mail server's clock may differ from ours).
    incoming.received_at = now
    if received_at is not None:
        # The mail server's stamp, not the sender's: one outside the received window (a server
        # clock at year 1 or 9999) dates the mail when polled instead of costing it.
        with contextlib.suppress(MalformedError):
            incoming.received_at = received_at_checked(received_at)
    if parsed.refs:
        # Thread by the first referenced id that is one of ours (our reply's Message-ID, or an
        # earlier mail of the same contact).
        known = set(
            DeskMessage.objects.filter(
                contact__unit=account.unit, external_id__in=parsed.refs
            ).values_list("external_id", flat=True)
        )
        thread = next((r for r in parsed.refs if r in known), None)
        if thread:
            incoming.in_reply_to, incoming.received_at = thread, now
    unit = account.unit
    if MailSeen.objects.filter(unit=unit, digest=parsed.digest).exists():
        result.duplicates += 1
        return "duplicate"
    if message_received(unit=unit, external_id=incoming.external_id):
        if not MailSeen.objects.filter(unit=unit, msgid=incoming.external_id).exists():
            # Stored before digests were kept (or without an id, by its raw hash): the id is
            # all there is to go by, as it was then.
            result.duplicates += 1
            return "duplicate"
        # Another mail under an id already used (a broken sender, a template): its own message.
        log.warning("email %s: %s reused by a different mail", account.slug, incoming.external_id)
        incoming.warning = join_warnings(
            [
                _("Message-ID %(id)s sudah dipakai email lain; disimpan sebagai pesan sendiri.")
                % {"id": incoming.external_id[:80]},
                incoming.warning,
            ]
        )
        incoming.external_id = f"sha256:{parsed.digest}"
    try:
        with transaction.atomic():
            contact = contact_receive(unit=unit, incoming=incoming)
            message = (
                DeskMessage.objects.filter(
                    contact=contact, direction=Direction.IN, external_id=incoming.external_id
                )
                .order_by("pk")
                .first()
            )
            # Unique per unit and digest: a second poller storing the same mail at the same
            # moment rolls back here (contact_receive held the unit's lock until now).
            MailSeen.objects.create(
                unit=unit,
                digest=parsed.digest,
                msgid=parsed.message_id or incoming.external_id,
                message=cast(DeskMessage, message),  # just stored by contact_receive
            )
    except IntegrityError:
        result.duplicates += 1
        return "duplicate"
    except ValidationError as exc:
        log.warning("email %s: mail %s refused: %s", account.slug, incoming.external_id, exc)
        result.failed += 1
        return "rejected"
    log.info(
        "email %s: %s from %s -> contact %s",
        account.slug,
        incoming.external_id,
        incoming.sender_address,
        contact.tracking_code,
    )
    result.received += 1
    return "received"


def _imap_connect(account: ChannelAccount) -> imaplib.IMAP4:
    cfg = account.config or {}
    host = cfg.get("imap_host")
    if not host:
        raise imaplib.IMAP4.error("imap_host is not configured")
    use_ssl = bool(cfg.get("imap_ssl"))
    port = int(cfg.get("imap_port") or (993 if use_ssl else 143))
    imap: imaplib.IMAP4
    if use_ssl:
        imap = imaplib.IMAP4_SSL(
            host, port, ssl_context=ssl.create_default_context(), timeout=IMAP_TIMEOUT
        )
    else:
        imap = imaplib.IMAP4(host, port, timeout=IMAP_TIMEOUT)
    try:
        if not use_ssl and cfg.get("imap_starttls"):
            imap.starttls(ssl.create_default_context())
        imap.login(cfg.get("imap_user") or "", account.secrets.get("imap_password") or "")
    except BaseException:
        imap.shutdown()
        raise
    return imap


def _quote_mailbox(name: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9._/\-]+", name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(typ: str, data: Any, what: str) -> Any:
    if typ != "OK":
        raise imaplib.IMAP4.error(f"{what}: {typ} {data!r}")
    return data


def _number(imap: imaplib.IMAP4, name: str) -> int | None:
    _typ, data = imap.response(name)
    try:
        return int(data[-1])
    except (TypeError, ValueError, IndexError):
        return None


def _search(imap: imaplib.IMAP4, criteria: str) -> list[int]:
    data = _check(*imap.uid("SEARCH", criteria), f"SEARCH {criteria}")
    return sorted({int(n) for chunk in data if chunk for n in chunk.split()})


def _sizes(imap: imaplib.IMAP4, uids: list[int]) -> dict[int, int]:
    if not uids:
        return {}
    data = _check(*imap.uid("FETCH", ",".join(map(str, uids)), "(RFC822.SIZE)"), "FETCH SIZE")
    sizes = {}
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        if isinstance(line, bytes):
            uid = re.search(rb"UID (\d+)", line)
            size = re.search(rb"RFC822\.SIZE (\d+)", line)
            if uid and size:
                sizes[int(uid.group(1))] = int(size.group(1))
    return sizes


def _fetch(imap: imaplib.IMAP4, uid: int, what: str) -> tuple[bytes | None, datetime | None]:
    data = _check(*imap.uid("FETCH", str(uid), f"(INTERNALDATE {what})"), f"FETCH {uid}")
    raw, meta = None, b""
    for item in data:
        if isinstance(item, tuple):
            meta += item[0]
            raw = item[1] if raw is None else raw
        elif isinstance(item, bytes):
            meta += item
    received_at = None
    try:
        parsed = imaplib.Internaldate2tuple(meta) if b"INTERNALDATE" in meta else None
        if parsed is not None:
            received_at = datetime.fromtimestamp(time.mktime(parsed), tz=UTC)
    except (OverflowError, OSError, ValueError, KeyError):
        log.warning("FETCH %s: INTERNALDATE unreadable, the mail is dated when polled", uid)
    return raw, received_at


def _save_cursor(account: ChannelAccount, cursor: dict) -> None:
    """Write only our key, on a fresh copy of the row (an admin may have changed the rest)."""
    with transaction.atomic():
        row = ChannelAccount.objects.select_for_update().filter(pk=account.pk).first()
        if row is None:
            return
        config = dict(row.config or {})
        config[CURSOR] = cursor
        ChannelAccount.objects.filter(pk=row.pk).update(config=config)
    account.config = {**(account.config or {}), CURSOR: cursor}


def _poll_folder(account: ChannelAccount, imap: imaplib.IMAP4, result: PollResult) -> None:
    cfg = account.config or {}
    folder = cfg.get("imap_folder") or "INBOX"
    _check(*imap.select(_quote_mailbox(folder)), f"SELECT {folder}")
    uidvalidity = _number(imap, "UIDVALIDITY")
    uidnext = _number(imap, "UIDNEXT")
    mailbox = f"{cfg.get('imap_user')}@{cfg.get('imap_host')}:{cfg.get('imap_port')}/{folder}"
    cursor = cfg.get(CURSOR) or {}
    last = cursor.get("uid")
    resume = (
        isinstance(last, int)
        and uidvalidity is not None
        and cursor.get("mailbox") == mailbox
        and cursor.get("uidvalidity") == uidvalidity
    )
    if resume:
        after = cast(int, last)  # an int when resuming
        uids = [u for u in _search(imap, f"UID {after + 1}:*") if u > after]
    else:
        if uidnext is None:
            uidnext = max(_search(imap, "ALL"), default=0) + 1
        uids = _search(imap, "UNSEEN")
        log.info("email %s: no cursor for %s; taking %d unread", account.slug, folder, len(uids))
    batch = uids[:BATCH]
    sizes = _sizes(imap, batch)
    done, complete = last if resume else None, False
    try:
        for uid in batch:
            size = sizes.get(uid, 0)
            too_big = size if size > MAX_RAW else 0
            raw, received_at = _fetch(imap, uid, "BODY.PEEK[HEADER]" if too_big else "BODY.PEEK[]")
            if raw is None:  # expunged meanwhile
                done = uid
                continue
            try:
                receive_raw(account, raw, received_at=received_at, too_big=too_big, result=result)
            except (OperationalError, InterfaceError):
                # The database is away: leave this mail unseen and the cursor before it.
                log.warning("email %s: database unavailable; uid %s next round", account.slug, uid)
                break
            except Exception:
                # One poison mail never blocks the others: logged, marked seen, skipped.
                log.exception("email %s: uid %s could not be handled; skipped", account.slug, uid)
                result.failed += 1
            try:
                imap.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)")
            except imaplib.IMAP4.abort:
                raise
            except imaplib.IMAP4.error as exc:  # a read-only folder: the cursor still moves on
                log.warning("email %s: uid %s not marked seen: %s", account.slug, uid, exc)
            done = uid
        else:
            complete = len(uids) <= BATCH
    finally:
        if resume:
            if done is not None and done != last:
                _save_cursor(account, {"mailbox": mailbox, "uidvalidity": uidvalidity, "uid": done})
        elif complete and uidvalidity is not None:
            # Every unread mail is handled: from here on, everything after the folder's end.
            # (A round cut short stays without cursor; what it handled is seen by now.)
            end = max(cast(int, uidnext) - 1, done or 0)  # the folder's UIDNEXT
            _save_cursor(account, {"mailbox": mailbox, "uidvalidity": uidvalidity, "uid": end})


def email_poll(account: ChannelAccount) -> PollResult:
    """One round for one mailbox. Never raises for server trouble: it is logged and the next
    round tries again."""
    result = PollResult()
    lock = f"spkt:email-poll:{account.pk}"
    if not cache.add(lock, 1, LOCK_SECONDS):
        result.error = "already being polled"
        return result
    try:
        try:
            imap = _imap_connect(account)
        except (OSError, imaplib.IMAP4.error, EOFError) as exc:
            log.warning("email %s: cannot reach the mailbox: %s", account.slug, exc)
            result.error = str(exc) or type(exc).__name__
            return result
        try:
            _poll_folder(account, imap, result)
        except (OSError, imaplib.IMAP4.error, EOFError) as exc:
            log.warning("email %s: mailbox round broken off: %s", account.slug, exc)
            result.error = str(exc) or type(exc).__name__
        finally:
            try:
                imap.logout()
            except Exception:
                imap.shutdown()
    finally:
        cache.delete(lock)
    return result


# account pk -> (time.monotonic() of its last poll, failed rounds in a row); per process.
_last_polled: dict[int, tuple[float, int]] = {}


def email_poll_all(*, min_interval: float = POLL_INTERVAL) -> int:
    """For the intake clock: every active email account, each at most every ``min_interval``
    seconds, and less often while its server fails (so a dead server cannot hold up the clock
    every round). Returns the number of messages stored; never raises."""
    stored = 0
    try:
        accounts = list(
            ChannelAccount.objects.filter(channel=Channel.EMAIL, active=True).select_related("unit")
        )
    except Exception:
        log.exception("email: accounts could not be read")
        return 0
    for account in accounts:
        if (account.config or {}).get("send_only") is True:
            continue  # an outgoing-only mailbox (the demo's, to its SMTP sink): nothing to read
        now = time.monotonic()
        last, failures = _last_polled.get(account.pk, (float("-inf"), 0))
        # Failed once: next round as usual; then 30, 60, 120, 240 s.
        wait = min_interval * 2 ** min(max(failures - 1, 0), MAX_BACKOFF_STEPS)
        # 1 s of slack, so a 15 s clock polls every round rather than every other one.
        if now - last < wait - 1:
            continue
        try:
            result = email_poll(account)
        except Exception:
            log.exception("email %s: poll failed", account.slug)
            result = PollResult(error="exception")
        stored += result.received
        failed = bool(result.error) and result.error != "already being polled"
        _last_polled[account.pk] = (now, failures + 1 if failed else 0)
    return stored


# --- Sending ------------------------------------------------------------------------------------
def _account_for(contact: Contact) -> ChannelAccount | None:
    accounts = list(
        ChannelAccount.objects.filter(
            unit=contact.unit, channel=Channel.EMAIL, active=True
        ).order_by("pk")
    )
    if contact.channel == Channel.FAX:
        for account in accounts:
            if _matches(contact.sender_address, (account.config or {}).get("fax_senders")):
                return account
    return accounts[0] if accounts else None


def _no_newlines(value: str) -> str:
    return " ".join((value or "").split())


def build_reply(item: OutboxItem, account: ChannelAccount) -> tuple[EmailMessage, str, str]:
    """The reply as a mail, its envelope sender and recipient."""
    message = item.message
    contact = message.contact
    cfg = account.config or {}
    from_address = _no_newlines(cfg.get("from_address") or cfg.get("smtp_user") or "")
    if "@" not in from_address:
        raise PermanentDeliveryError(f"email account {account.slug}: no from_address")
    to_address = _no_newlines(parseaddr(contact.sender_address)[1])
    if "@" not in to_address:
        raise PermanentDeliveryError(f"no email address to answer: {contact.sender_address!r}")
    subject = _no_newlines(contact.subject)
    if not subject:
        subject = _("Tanggapan %(unit)s") % {"unit": contact.unit.name}
    elif not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    last_in = (
        DeskMessage.objects.filter(contact=contact, direction=Direction.IN)
        .exclude(external_id="")
        .exclude(external_id__startswith="sha256:")
        .order_by("-at", "-pk")
        .values_list("external_id", flat=True)
        .first()
    )
    mail = EmailMessage()
    try:
        mail["From"] = formataddr((_no_newlines(contact.unit.name), from_address))
        mail["To"] = formataddr((_no_newlines(contact.sender_name), to_address))
        mail["Subject"] = subject
        mail["Date"] = format_datetime(timezone.localtime(clock.now()))
        msgid = make_msgid(domain=from_address.rsplit("@", 1)[1])
        mail["Message-ID"] = msgid
        if last_in:
            mail["In-Reply-To"] = last_in
            root = contact.external_thread
            refs = [root] if root.startswith("<") and root != last_in else []
            mail["References"] = " ".join([*refs, last_in])
        mail.set_content(message.body)
    except (ValueError, TypeError) as exc:  # an address or header that cannot be written
        raise PermanentDeliveryError(f"reply cannot be written as mail: {exc}") from exc
    return mail, from_address, to_address


def email_send(item: OutboxItem) -> str:
    """The outbox sender for "email" and "fax" (email-to-fax: the reply goes back to the fax
    gateway's address). Returns our Message-ID: the citizen's answer threads back by it."""
    contact = item.message.contact
    account = _account_for(contact)
    if account is None:
        raise PermanentDeliveryError(f"unit {contact.unit_id} has no active email account")
    mail, sender, recipient = build_reply(item, account)
    cfg = account.config or {}
    host = cfg.get("smtp_host")
    if not host:
        raise PermanentDeliveryError(f"email account {account.slug}: no smtp_host")
    starttls = bool(cfg.get("smtp_starttls"))
    port = int(cfg.get("smtp_port") or (587 if starttls else 25))
    use_ssl = bool(cfg.get("smtp_ssl")) or port == 465
    smtp: smtplib.SMTP | None = None
    try:
        if use_ssl:
            smtp = smtplib.SMTP_SSL(
                host, port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
            if starttls:
                smtp.starttls(context=ssl.create_default_context())
        if cfg.get("smtp_user"):
            smtp.login(cfg["smtp_user"], account.secrets.get("smtp_password") or "")
        smtp.send_message(mail, from_addr=sender, to_addrs=[recipient])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            raise PermanentDeliveryError(f"recipient refused: {exc.recipients}") from exc
        raise DeliveryError(f"recipient deferred: {exc.recipients}") from exc
    except smtplib.SMTPDataError as exc:
        if 500 <= exc.smtp_code < 600:
            raise PermanentDeliveryError(f"message refused: {exc.smtp_code} {exc}") from exc
        raise DeliveryError(f"message deferred: {exc.smtp_code} {exc}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        # Connection, TLS, login or sender trouble: worth another try (the settings may be
        # fixed meanwhile).
        raise DeliveryError(f"SMTP {host}:{port}: {exc}") from exc
    finally:
        if smtp is not None:
            try:
                smtp.quit()  # after the server accepted the mail a failing QUIT changes nothing
            except Exception:
                smtp.close()
    return str(mail["Message-ID"])


def email_setup() -> None:
    """Register the sender and the poller (idempotent); called from ChannelsConfig.ready()."""
    from spkt.core.pollers import register_poller

    register_sender(Channel.EMAIL, email_send)
    register_sender(Channel.FAX, email_send)
    register_poller(email_poll_all)
