"""Inbound adapters: from a provider's webhook payload to ``contact_receive``.

The views check authenticity on the raw body; the adapters here walk the payload and hand every
message over on its own, so one message the desk refuses (empty, malformed) is logged and skipped
while the others of the same payload are stored. Provider ids become external ids, and
``contact_receive`` stores a redelivered id once. An attachment that cannot be fetched, is too big
or of a type the desk does not keep never costs the citizen's message: it is stored with a warning.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import mimetypes
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import quote, urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from spkt.channels import http
from spkt.channels.models import ChannelAccount
from spkt.core import clock
from spkt.intake.models import Channel, Delivery, Direction, Message, OutboxItem, OutboxStatus
from spkt.intake.services import (
    ALLOWED_TYPES,
    MAX_ATTACHMENT,
    Incoming,
    IncomingFile,
    contact_receive,
)

log = logging.getLogger(__name__)

GRAPH_API = "https://graph.facebook.com/v25.0"  # set config api_base to pin a version
TELEGRAM_API = "https://api.telegram.org"
# The SMS gateway's signed timestamp may differ from ours by this much (replay window).
SMS_MAX_SKEW = 300
# A provider's time of a message outside these bounds cannot be a time of a message to SPKT (year 1
# or 9999, negative, huge): the message is refused. Inside them but older than RECEIVED_MAX_AGE or
# further ahead than RECEIVED_MAX_AHEAD (a gateway that was offline for weeks, a phone with a wrong
# clock), the message is kept and filed at the time it reached SPKT.
PLAUSIBLE_FROM = datetime(2000, 1, 1, tzinfo=UTC)
PLAUSIBLE_UNTIL = datetime(2100, 1, 1, tzinfo=UTC)
RECEIVED_MAX_AGE = timedelta(days=30)
RECEIVED_MAX_AHEAD = timedelta(days=1)


def api_base(account: ChannelAccount, default: str) -> str:
    return str(account.config.get("api_base") or default).rstrip("/")


# --- Authenticity ---------------------------------------------------------------------------------
class SignatureMissingError(Exception):
    """No credentials on the request (401)."""


class SignatureInvalidError(Exception):
    """Credentials present but wrong, stale, or nothing configured to check them against (403)."""


class MalformedError(ValueError):
    """The payload is not what the protocol defines (400)."""


class IgnoredError(MalformedError):
    """An authentic payload of a kind SPKT does not take (an SMS gateway's other events): answered
    200 ``ignored``, not stored, logged once by the adapter."""


class NotYetError(Exception):
    """The payload cannot be filed yet (a piece of a multipart SMS waiting for the others): the
    worker tries it again at ``at`` without counting an attempt."""

    def __init__(self, message: str, at: datetime) -> None:
        super().__init__(message)
        self.at = at


def secrets_equal(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def hub_signature_check(*, secret: str, body: bytes, header: str | None) -> None:
    """Meta's X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the raw body with the app
    secret."""
    if not header:
        raise SignatureMissingError
    scheme, _sep, given = header.partition("=")
    if not secret or scheme.strip().lower() != "sha256":
        raise SignatureInvalidError
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not secrets_equal(given.strip().lower(), expected):
        raise SignatureInvalidError


def telegram_secret_check(*, secret: str, header: str | None) -> None:
    if not header:
        raise SignatureMissingError
    if not secret or not secrets_equal(header, secret):
        raise SignatureInvalidError


def sms_sign(secret: str, timestamp: str, body: bytes) -> str:
    """The SMS gateway scheme, both ways: hex HMAC-SHA256 of "<timestamp>.<raw body>"."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def sms_signature_check(
    *, secret: str, body: bytes, timestamp: str | None, signature: str | None
) -> None:
    if not timestamp or not signature:
        raise SignatureMissingError
    timestamp = timestamp.strip()
    if not secret or not (timestamp.isascii() and timestamp.isdigit()):
        raise SignatureInvalidError
    if not secrets_equal(signature.strip().lower(), sms_sign(secret, timestamp, body)):
        raise SignatureInvalidError
    # Checked after the signature, so the timestamp is the one the gateway signed.
    if abs(clock.now().timestamp() - int(timestamp)) > SMS_MAX_SKEW:
        raise SignatureInvalidError


# --- Payload helpers ------------------------------------------------------------------------------
def _dict(data: Any, key: str) -> dict:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _list(data: Any, key: str) -> list[dict]:
    value = data.get(key) if isinstance(data, dict) else None
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value)


def received_at_checked(at: datetime) -> datetime:
    """The contact's ``received_at`` for a provider's time ``at``: ``at`` itself when it lies
    within RECEIVED_MAX_AGE back and RECEIVED_MAX_AHEAD ahead (never later than now), the time
    it reached us when it is plausible but outside that window, MalformedError when it cannot be
    a time of a message at all. Meta delivers again for up to 7 days, Telegram for 24 hours, an SMS
    gateway may hold messages while it is offline: a late message is kept, never dropped."""
    now = clock.now()
    try:
        plausible = PLAUSIBLE_FROM <= at < PLAUSIBLE_UNTIL
    except OverflowError:  # 9999-12-31T23:59-08:00 is past datetime.max in UTC
        plausible = False
    if not plausible:
        raise MalformedError(_("Waktu pesan di luar rentang yang dapat diterima."))
    if not now - RECEIVED_MAX_AGE <= at <= now + RECEIVED_MAX_AHEAD:
        log.info("provider time %s is far from ours; filed at the time received", at.isoformat())
        return now
    return min(at, now)


def _when(value: Any, *, scale: int = 1) -> datetime | None:
    """A provider's unix timestamp (``scale`` 1000 for milliseconds): an integer or a string of
    digits, filed as received_at_checked says; None when absent. Anything else is MalformedError,
    so the message is refused rather than filed at a made-up time."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raise MalformedError(_("Waktu pesan bukan cap waktu Unix."))
    # Compared as integers first: a huge number never reaches datetime (OverflowError).
    if not PLAUSIBLE_FROM.timestamp() * scale <= number < PLAUSIBLE_UNTIL.timestamp() * scale:
        raise MalformedError(_("Waktu pesan di luar rentang yang dapat diterima."))
    return received_at_checked(datetime.fromtimestamp(number / scale, tz=UTC))


def _coordinate(value: Any) -> str:
    number = float(value)  # ValueError/TypeError: the message is malformed
    if isinstance(value, bool) or not math.isfinite(number) or abs(number) > 180:
        raise ValueError("not a coordinate")
    return repr(number)


def location_text(latitude: Any, longitude: Any, name: str = "", address: str = "") -> str:
    where = " / ".join(part for part in (name.strip(), address.strip()) if part)
    text = f"Lokasi: {_coordinate(latitude)},{_coordinate(longitude)}"
    return f"{text} ({where})" if where else text


def _allowed(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() in ALLOWED_TYPES


def _safe_name(name: str, fallback: str) -> str:
    """The last part of a name the sender chose: intake stores it as a file name, and Django
    refuses names with path parts (that would answer 500 and be delivered again forever)."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".")
    return name[-120:] or fallback


def _filename(kind: str, ref: str, content_type: str) -> str:
    extension = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ""
    return f"{kind}-{ref[-16:]}{extension}"


def _not_downloaded(name: str) -> str:
    return _("Lampiran %(name)s tidak dapat diunduh.") % {"name": name}


def _too_large(name: str) -> str:
    return _("Lampiran %(name)s terlalu besar (maksimal 10 MB), tidak disimpan.") % {"name": name}


def _not_allowed(name: str, content_type: str) -> str:
    return _("Lampiran %(name)s (%(type)s) tidak disimpan: jenisnya tidak diizinkan.") % {
        "name": name,
        "type": content_type,
    }


@dataclass
class _Attachments:
    """The files of one message and what went wrong fetching the others."""

    files: list[IncomingFile]
    warnings: list[str]

    def add(self, result: tuple[IncomingFile | None, str]) -> None:
        file, warning = result
        if file is not None:
            self.files.append(file)
        if warning:
            self.warnings.append(warning)


def _download(
    url: str, *, filename: str, content_type: str = "", headers: dict[str, str] | None = None
) -> tuple[IncomingFile | None, str]:
    filename = _safe_name(filename, "lampiran")
    if content_type and not _allowed(content_type):
        return None, _not_allowed(filename, content_type)
    try:
        answer = http.call("GET", url, headers=headers, limit=MAX_ATTACHMENT)
    except http.TooLargeError:
        return None, _too_large(filename)
    except http.TransportError as exc:
        log.warning("attachment download failed: %s", exc)
        return None, _not_downloaded(filename)
    if not answer.ok:
        log.warning("attachment download failed: HTTP %s", answer.status)
        return None, _not_downloaded(filename)
    content_type = content_type or answer.content_type or "application/octet-stream"
    if not _allowed(content_type):
        return None, _not_allowed(filename, content_type)
    return IncomingFile(filename=filename, content_type=content_type, data=answer.body), ""


def _finish(incoming: Incoming, attachments: _Attachments) -> Incoming:
    incoming.files = attachments.files
    incoming.warning = " ".join(attachments.warnings)[:255]
    if not incoming.body.strip() and not incoming.files and attachments.warnings:
        # Nothing else arrived: the warning is the message, so the desk still sees the contact.
        incoming.body = incoming.warning
    return incoming


# --- Handing over ---------------------------------------------------------------------------------
@dataclass
class Tally:
    """What became of one payload. ``failed`` (an unexpected error, e.g. the database) makes the
    view answer 500 so the provider delivers again; stored messages are then deduplicated."""

    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    failed: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)  # why each failed one failed


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return f"{type(exc).__name__}: {exc}"[:200]


def _receive(
    account: ChannelAccount, build: Callable[[], Incoming | None], tally: Tally, ref: str
) -> None:
    """Build one message and record it. A message that cannot be read or that the desk refuses is
    logged (by its provider id, never its content) and skipped: delivering it again would fail the
    same way, so the provider is told all is well."""
    if (
        ref
        and Message.objects.filter(
            contact__unit=account.unit, direction=Direction.IN, external_id=ref
        ).exists()
    ):
        # Delivered again: contact_receive would store it once anyway, but this skips the media
        # downloads. ``ref`` is the external id the message would get.
        tally.duplicates += 1
        return
    try:
        incoming = build()
    except (ValidationError, ValueError, KeyError, TypeError, AttributeError) as exc:
        tally.refused += 1
        log.warning("%s/%s: message %r unreadable: %s", account.channel, account.slug, ref, exc)
        return
    if incoming is None:
        return
    try:
        contact_receive(unit=account.unit, incoming=incoming)
    except ValidationError as exc:
        tally.refused += 1
        log.warning(
            "%s/%s: message %r refused: %s", account.channel, account.slug, ref, _reason(exc)
        )
    except Exception as exc:
        tally.failed += 1
        tally.errors.append(_reason(exc))
        log.exception("%s/%s: message %r not stored", account.channel, account.slug, ref)
    else:
        tally.stored += 1


# Outbound delivery only moves forward: callbacks come out of order and more than once.
_PROGRESS = [Delivery.PENDING, Delivery.SENT, Delivery.DELIVERED, Delivery.READ]


def delivery_update(*, unit, external_id: str, delivery: str, error: str = "") -> int:
    """Record the provider's word on one of our messages. A status never goes back (read is not set
    back to delivered); a failure counts only before delivery, and marks the outbox item failed so
    the desk can send it again."""
    if not external_id:
        return 0
    if delivery == Delivery.FAILED:
        before = [Delivery.PENDING, Delivery.SENT]
    elif delivery in _PROGRESS:
        before = _PROGRESS[: _PROGRESS.index(delivery)]
    else:
        return 0
    with transaction.atomic():
        ids = list(
            Message.objects.filter(
                contact__unit=unit,
                direction=Direction.OUT,
                external_id=external_id,
                delivery__in=before,
            ).values_list("pk", flat=True)
        )
        if not ids:
            return 0
        Message.objects.filter(pk__in=ids, delivery__in=before).update(delivery=delivery)
        if delivery == Delivery.FAILED:
            OutboxItem.objects.filter(message_id__in=ids, status=OutboxStatus.SENT).update(
                status=OutboxStatus.FAILED,
                last_error=(error or "provider reported a failed delivery")[:2000],
            )
    return len(ids)


def _route(
    account: ChannelAccount, channel: str, key: str, value: str, cache: dict
) -> ChannelAccount | None:
    """The account an entry of a Meta payload belongs to. One Meta app may serve the numbers or
    pages of several units and post them all to one callback URL; the entry names its number or
    page (``config[key]``). Another unit's account is used only if it has the same app secret, so
    whoever holds one account's secret cannot write into another unit's inbox."""
    own = str(account.config.get(key) or "")
    if account.channel == channel and (not value or not own or own == value):
        return account
    if not value:
        return None
    if (channel, value) not in cache:
        secret = account.secrets.get("app_secret", "")
        cache[channel, value] = next(
            (
                other
                for other in ChannelAccount.objects.filter(channel=channel, active=True)
                .select_related("unit")
                .order_by("pk")
                if str(other.config.get(key) or "") == value
                and secret
                and secrets_equal(other.secrets.get("app_secret", ""), secret)
            ),
            None,
        )
    return cache[channel, value]


# --- WhatsApp Cloud API ---------------------------------------------------------------------------
WHATSAPP_MEDIA = ("image", "document", "audio", "video", "sticker")
# Not something a citizen says to the desk: reactions, number changes, welcome requests.
WHATSAPP_IGNORED = ("reaction", "system", "ephemeral", "request_welcome")
WHATSAPP_STATUS = {
    "sent": Delivery.SENT,
    "delivered": Delivery.DELIVERED,
    "read": Delivery.READ,
    "failed": Delivery.FAILED,
}


def _whatsapp_media(
    account: ChannelAccount, media: dict, kind: str
) -> tuple[IncomingFile | None, str]:
    media_id = _text(media, "id")
    content_type = _text(media, "mime_type")
    name = _text(media, "filename") or _filename(kind, media_id, content_type)
    if content_type and not _allowed(content_type):
        return None, _not_allowed(name, content_type)
    if not media_id:
        return None, _not_downloaded(name)
    auth = {"Authorization": f"Bearer {account.secrets.get('access_token', '')}"}
    try:
        answer = http.call(
            "GET", f"{api_base(account, GRAPH_API)}/{quote(media_id, safe='')}", headers=auth
        )
        info = answer.json() if answer.ok else {}
    except (http.TransportError, ValueError) as exc:
        log.warning("whatsapp/%s: media %r not found: %s", account.slug, media_id, exc)
        return None, _not_downloaded(name)
    url = _text(info, "url")
    if not url:
        log.warning("whatsapp/%s: media %r has no URL", account.slug, media_id)
        return None, _not_downloaded(name)
    size = _text(info, "file_size")
    if size.isdigit() and int(size) > MAX_ATTACHMENT:
        return None, _too_large(name)
    content_type = content_type or _text(info, "mime_type")
    return _download(url, filename=name, content_type=content_type, headers=auth)


def _whatsapp_incoming(account: ChannelAccount, message: dict, names: dict) -> Incoming | None:
    kind = _text(message, "type")
    if kind in WHATSAPP_IGNORED:
        return None
    sender, message_id = _text(message, "from"), _text(message, "id")
    if not sender or not message_id:
        raise ValueError("message without from or id")
    incoming = Incoming(
        channel=Channel.WHATSAPP,
        body="",
        sender_name=names.get(sender, ""),
        sender_address=sender,
        external_id=message_id,
        external_thread=sender,
        in_reply_to=_text(_dict(message, "context"), "id"),
        received_at=_when(message.get("timestamp")),
    )
    attachments = _Attachments([], [])
    if kind == "text":
        incoming.body = _text(_dict(message, "text"), "body")
    elif kind in WHATSAPP_MEDIA:
        media = _dict(message, kind)
        incoming.body = _text(media, "caption")
        attachments.add(_whatsapp_media(account, media, kind))
    elif kind == "location":
        place = _dict(message, "location")
        incoming.body = location_text(
            place.get("latitude"),
            place.get("longitude"),
            _text(place, "name"),
            _text(place, "address"),
        )
    elif kind == "contacts":
        cards = [
            " ".join(
                [_text(_dict(card, "name"), "formatted_name")]
                + [_text(phone, "phone") for phone in _list(card, "phones")]
            ).strip()
            for card in _list(message, "contacts")
        ]
        incoming.body = _("Kontak: %(cards)s") % {"cards": "; ".join(c for c in cards if c)}
    elif kind == "button":
        incoming.body = _text(_dict(message, "button"), "text")
    elif kind == "interactive":
        answer = _dict(message, "interactive")
        incoming.body = _text(_dict(answer, "button_reply"), "title") or _text(
            _dict(answer, "list_reply"), "title"
        )
    else:
        attachments.warnings.append(
            _("Jenis pesan WhatsApp %(kind)s belum dapat ditampilkan.") % {"kind": kind or "?"}
        )
    return _finish(incoming, attachments)


def whatsapp_receive(account: ChannelAccount, payload: dict) -> Tally:
    tally, routes = Tally(), {}
    for entry in _list(payload, "entry"):
        for change in _list(entry, "changes"):
            value = _dict(change, "value")
            number = _text(_dict(value, "metadata"), "phone_number_id")
            target = _route(account, Channel.WHATSAPP, "phone_number_id", number, routes)
            if target is None:
                log.warning("whatsapp/%s: no account for phone number id %r", account.slug, number)
                tally.refused += len(_list(value, "messages"))
                continue
            names = {
                _text(c, "wa_id"): _text(_dict(c, "profile"), "name")
                for c in _list(value, "contacts")
            }
            for message in _list(value, "messages"):
                build = partial(_whatsapp_incoming, target, message, names)
                _receive(target, build, tally, _text(message, "id"))
            for status in _list(value, "statuses"):
                delivery = WHATSAPP_STATUS.get(_text(status, "status"))
                errors = _list(status, "errors")
                error = (
                    f"{_text(errors[0], 'code')} {_text(errors[0], 'title')}".strip()
                    if errors
                    else ""
                )
                if delivery:
                    tally.updated += delivery_update(
                        unit=target.unit,
                        external_id=_text(status, "id"),
                        delivery=delivery,
                        error=error,
                    )
    return tally


# --- Facebook Messenger and Instagram -------------------------------------------------------------
META_OBJECTS = {"page": Channel.FACEBOOK, "instagram": Channel.INSTAGRAM}
META_FILES = ("image", "video", "audio", "file")


def _meta_incoming(account: ChannelAccount, event: dict) -> Incoming | None:
    message = _dict(event, "message")
    if message.get("is_echo") or message.get("is_deleted"):
        return None  # our own reply coming back, or the citizen took the message back
    sender, message_id = _text(_dict(event, "sender"), "id"), _text(message, "mid")
    if not sender or not message_id:
        raise ValueError("message without sender or mid")
    incoming = Incoming(
        channel=account.channel,
        body=_text(message, "text"),
        sender_address=sender,
        external_id=message_id,
        external_thread=sender,
        in_reply_to=_text(_dict(message, "reply_to"), "mid"),
        received_at=_when(event.get("timestamp"), scale=1000),
    )
    attachments = _Attachments([], [])
    lines = [incoming.body] if incoming.body else []
    for n, attachment in enumerate(_list(message, "attachments"), start=1):
        kind, payload = _text(attachment, "type"), _dict(attachment, "payload")
        if kind in META_FILES:
            url = _text(payload, "url")
            name = posixpath.basename(urlsplit(url).path) or _filename(
                kind, f"{message_id}-{n}", ""
            )
            attachments.add(_download(url, filename=name[-120:]))
        elif kind == "location":
            place = _dict(payload, "coordinates")
            lines.append(location_text(place.get("lat"), place.get("long")))
        else:
            attachments.warnings.append(
                _("Lampiran jenis %(kind)s belum dapat ditampilkan.") % {"kind": kind or "?"}
            )
    if message.get("is_unsupported"):
        attachments.warnings.append(_("Pesan ini belum dapat ditampilkan."))
    incoming.body = "\n".join(lines)
    return _finish(incoming, attachments)


def meta_receive(account: ChannelAccount, payload: dict) -> Tally:
    tally, routes = Tally(), {}
    channel = META_OBJECTS.get(_text(payload, "object"))
    if channel is None:
        log.info("meta/%s: object %r ignored", account.slug, _text(payload, "object"))
        return tally
    for entry in _list(payload, "entry"):
        target = _route(account, channel, "page_id", _text(entry, "id"), routes)
        events = _list(entry, "messaging")
        if target is None:
            log.warning("meta/%s: no %s account for id %r", account.slug, channel, entry.get("id"))
            tally.refused += len(events)
            continue
        for event in events:
            sender = _text(_dict(event, "sender"), "id")
            if "message" in event:
                build = partial(_meta_incoming, target, event)
                _receive(target, build, tally, _text(_dict(event, "message"), "mid"))
            elif "delivery" in event:
                for mid in _dict(event, "delivery").get("mids") or []:
                    tally.updated += delivery_update(
                        unit=target.unit, external_id=str(mid), delivery=Delivery.DELIVERED
                    )
            elif "read" in event and _text(_dict(event, "read"), "mid"):
                # Instagram names the message that was seen.
                tally.updated += delivery_update(
                    unit=target.unit,
                    external_id=_text(_dict(event, "read"), "mid"),
                    delivery=Delivery.READ,
                )
            elif "read" in event and sender:
                try:
                    watermark = _when(_dict(event, "read").get("watermark"), scale=1000)
                except MalformedError:
                    log.warning("meta/%s: read watermark out of range ignored", account.slug)
                    watermark = None
                if watermark is not None:
                    # Everything we sent this person up to the watermark has been read.
                    tally.updated += Message.objects.filter(
                        contact__unit=target.unit,
                        contact__channel=channel,
                        contact__external_thread=sender,
                        direction=Direction.OUT,
                        delivery__in=[Delivery.SENT, Delivery.DELIVERED],
                        outbox__sent_at__lte=watermark,
                    ).update(delivery=Delivery.READ)
    return tally


# --- Telegram Bot API -----------------------------------------------------------------------------
def _telegram_file(
    account: ChannelAccount, file: dict, *, name: str, content_type: str
) -> tuple[IncomingFile | None, str]:
    if content_type and not _allowed(content_type):
        return None, _not_allowed(name, content_type)
    size = _text(file, "file_size")
    if size.isdigit() and int(size) > MAX_ATTACHMENT:
        return None, _too_large(name)
    base = api_base(account, TELEGRAM_API)
    token = account.secrets.get("bot_token", "")
    try:
        answer = http.call(
            "GET", f"{base}/bot{token}/getFile?file_id={quote(_text(file, 'file_id'), safe='')}"
        )
        path = _text(_dict(answer.json(), "result"), "file_path") if answer.ok else ""
    except (http.TransportError, ValueError) as exc:
        log.warning("telegram/%s: getFile failed: %s", account.slug, exc)
        return None, _not_downloaded(name)
    if not path:
        log.warning("telegram/%s: getFile answered HTTP %s", account.slug, answer.status)
        return None, _not_downloaded(name)
    return _download(
        f"{base}/file/bot{token}/{quote(path)}", filename=name, content_type=content_type
    )


def _telegram_incoming(account: ChannelAccount, message: dict) -> Incoming:
    chat, message_id = _text(_dict(message, "chat"), "id"), _text(message, "message_id")
    if not chat or not message_id:
        raise ValueError("message without chat or message_id")
    person = _dict(message, "from")
    reply = _text(_dict(message, "reply_to_message"), "message_id")
    incoming = Incoming(
        channel=Channel.TELEGRAM,
        body=_text(message, "text") or _text(message, "caption"),
        sender_name=" ".join(
            p for p in (_text(person, "first_name"), _text(person, "last_name")) if p
        ),
        sender_address=chat,
        # Telegram numbers messages per chat: the chat makes the id unique.
        external_id=f"{chat}:{message_id}",
        external_thread=chat,
        in_reply_to=f"{chat}:{reply}" if reply else "",
        received_at=_when(message.get("date")),
    )
    attachments = _Attachments([], [])
    fetch = partial(_telegram_file, account)
    ref = f"{chat}-{message_id}"
    photos = _list(message, "photo")
    if photos:  # the same picture in several sizes, smallest first
        attachments.add(fetch(photos[-1], name=f"foto-{ref}.jpg", content_type="image/jpeg"))
    for kind, default_type in (
        ("document", ""),
        ("voice", "audio/ogg"),
        ("audio", "audio/mpeg"),
        ("video", "video/mp4"),
    ):
        file = _dict(message, kind)
        if file:
            content_type = _text(file, "mime_type") or default_type
            name = _text(file, "file_name") or _filename(kind, ref, content_type)
            attachments.add(fetch(file, name=name, content_type=content_type))
    venue = _dict(message, "venue")
    place = _dict(venue, "location") or _dict(message, "location")
    if place:
        incoming.body = location_text(
            place.get("latitude"),
            place.get("longitude"),
            _text(venue, "title"),
            _text(venue, "address"),
        )
    card = _dict(message, "contact")
    if card:
        who = " ".join(
            p
            for p in (
                _text(card, "first_name"),
                _text(card, "last_name"),
                _text(card, "phone_number"),
            )
            if p
        )
        incoming.body = _("Kontak: %(cards)s") % {"cards": who}
    sticker = _dict(message, "sticker")
    if sticker and not incoming.body:
        incoming.body = _("[Stiker %(emoji)s]") % {"emoji": _text(sticker, "emoji")}
    if not (
        incoming.body.strip() or attachments.files or attachments.warnings or "text" in message
    ):
        attachments.warnings.append(_("Jenis pesan Telegram ini belum dapat ditampilkan."))
    return _finish(incoming, attachments)


def telegram_receive(account: ChannelAccount, update: dict) -> Tally:
    tally = Tally()
    message = _dict(update, "message")  # edits, channel posts and button presses are not contacts
    if message:
        ref = f"{_text(_dict(message, 'chat'), 'id')}:{_text(message, 'message_id')}"
        _receive(account, partial(_telegram_incoming, account, message), tally, ref)
    return tally


# --- SMS gateway (our own protocol, docs/channels.md) ---------------------------------------------
SMS_STATUS = {"sent": Delivery.SENT, "delivered": Delivery.DELIVERED, "failed": Delivery.FAILED}


def _sms_time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        raise MalformedError("received_at is not ISO 8601") from None
    if at.tzinfo is None:
        raise MalformedError("received_at has no UTC offset")
    return received_at_checked(at)


def sms_check(payload: dict) -> None:
    """MalformedError when the payload breaks the gateway protocol. Cheap (no database): the view
    runs it before storing, so the gateway hears 400 at once rather than never."""
    kind = _text(payload, "type") or "message"
    if not _text(payload, "id"):
        raise MalformedError("id is required")
    if kind == "status":
        if SMS_STATUS.get(_text(payload, "status")) is None:
            raise MalformedError("status must be sent, delivered or failed")
        return
    if kind != "message":
        raise MalformedError("type must be message or status")
    if not _text(payload, "from") or not isinstance(payload.get("text"), str):
        raise MalformedError("from and text are required")
    _sms_time(payload.get("received_at"))


def sms_receive(account: ChannelAccount, payload: dict) -> Tally:
    """A message or a delivery report from the gateway; MalformedError when fields are missing."""
    sms_check(payload)
    tally = Tally()
    kind = _text(payload, "type") or "message"
    gateway_id = _text(payload, "id")
    if kind == "status":
        delivery = SMS_STATUS[_text(payload, "status")]
        tally.updated += delivery_update(
            unit=account.unit,
            external_id=gateway_id,
            delivery=delivery,
            error=_text(payload, "error"),
        )
        return tally
    sender = _text(payload, "from")
    incoming = Incoming(
        channel=Channel.SMS,
        body=payload["text"],
        sender_address=sender,
        external_id=gateway_id,
        external_thread=sender,
        received_at=_sms_time(payload.get("received_at")),
    )
    _receive(account, lambda: incoming, tally, gateway_id)
    return tally
