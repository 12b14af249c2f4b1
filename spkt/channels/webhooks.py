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
from django.utils.translation import gettext as _

from spkt.channels.models import ChannelAccount
from spkt.core import clock, http
from spkt.core.errors import messages_text
from spkt.intake.models import Channel, Delivery, Message
from spkt.intake.outbox import message_read_mark, outbox_delivery_update
from spkt.intake.revisions import message_edit, message_revoke
from spkt.intake.selectors import message_received
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
        return messages_text(exc, "; ")
    return f"{type(exc).__name__}: {exc}"[:200]


def _receive(
    account: ChannelAccount, build: Callable[[], Incoming | None], tally: Tally, ref: str
) -> None:
    """Build one message and record it. A message that cannot be read or that the desk refuses is
    logged (by its provider id, never its content) and skipped: delivering it again would fail the
    same way, so the provider is told all is well."""
    if message_received(unit=account.unit, external_id=ref):
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
        # The worker's batch (inbound.process_account) flushes the book once at its end.
        contact_receive(unit=account.unit, incoming=incoming, book_later=True)
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


# Kinds of payload SPKT does not take that were already logged, keyed (account id, kind): one line
# per kind and account for the life of the process, so a provider's new feature is noticed in the
# log without a line for every event. In-process on purpose: a restart logs each kind once again.
# Kinds are named by the payload, so the set is bounded and the names are made printable.
_NOTICED: set[tuple[int | None, str]] = set()
NOTICED_MAX = 1000


def unhandled(account: ChannelAccount, kind: str, level: int = logging.WARNING) -> None:
    """Log, once per account and kind, that a payload kind was received and not taken."""
    kind = "".join(ch if ch.isprintable() else "?" for ch in kind[:120])
    key = (account.pk, kind)
    if key in _NOTICED or len(_NOTICED) >= NOTICED_MAX:
        return
    _NOTICED.add(key)
    log.log(
        level,
        "%s/%s: %s not handled (logged once per kind)",
        account.channel,
        account.slug,
        kind,
    )


def _revise(
    account: ChannelAccount, tally: Tally, kind: str, ref: str, apply: Callable[[], Message | None]
) -> None:
    """Apply an edit or a deletion (``spkt.intake.revisions``) of the citizen's message ``ref``.
    Never a new message: one whose original is unknown (never received, another unit's) changes
    nothing and is logged once per kind."""
    try:
        message = apply()
    except (ValueError, TypeError, KeyError) as exc:
        tally.refused += 1
        log.warning("%s/%s: %s of %r unreadable: %s", account.channel, account.slug, kind, ref, exc)
        return
    except Exception as exc:
        tally.failed += 1
        tally.errors.append(_reason(exc))
        log.exception("%s/%s: %s of %r not recorded", account.channel, account.slug, kind, ref)
        return
    if message is None:
        unhandled(account, f"{kind} of an unknown message")
    else:
        tally.updated += 1


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
        unhandled(account, f"message type {kind}", logging.INFO)
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
        # A citizen's message all the same: stored with the placeholder, so the desk sees it.
        unhandled(account, f"message type {kind or '?'}")
        attachments.warnings.append(
            _("Jenis pesan WhatsApp %(kind)s belum dapat ditampilkan.") % {"kind": kind or "?"}
        )
    return _finish(incoming, attachments)


def _whatsapp_edit_body(message: dict) -> str:
    """The new text of an edited message: a text's body or a media message's caption."""
    kind = _text(message, "type")
    return _text(_dict(message, "text"), "body") or _text(_dict(message, kind), "caption")


def _whatsapp_revision(account: ChannelAccount, message: dict, tally: Tally) -> None:
    """``type: edit`` or ``type: revoke``: the citizen changed or deleted an earlier message
    (``original_message_id``), which the desk already has."""
    kind = _text(message, "type")
    change = _dict(message, kind)
    original = _text(change, "original_message_id")

    def apply() -> Message | None:
        at = _when(message.get("timestamp"))
        if kind == "edit":
            return message_edit(
                unit=account.unit,
                channel=Channel.WHATSAPP,
                original_id=original,
                body=_whatsapp_edit_body(_dict(change, "message")),
                at=at,
                event_id=_text(message, "id"),
            )
        return message_revoke(
            unit=account.unit,
            channel=Channel.WHATSAPP,
            original_id=original,
            at=at,
            event_id=_text(message, "id"),
        )

    _revise(account, tally, kind, original, apply)


def whatsapp_receive(account: ChannelAccount, payload: dict) -> Tally:
    tally = Tally()
    routes: dict[Any, Any] = {}
    for entry in _list(payload, "entry"):
        for change in _list(entry, "changes"):
            value = _dict(change, "value")
            field_name = _text(change, "field")
            if field_name and field_name != "messages":
                # Account updates, template reviews, echoes of the business app, calls...
                unhandled(account, f"field {field_name}")
                continue
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
                if _text(message, "type") in ("edit", "revoke"):
                    _whatsapp_revision(target, message, tally)
                    continue
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
                    tally.updated += outbox_delivery_update(
                        unit=target.unit,
                        external_id=_text(status, "id"),
                        delivery=delivery,
                        error=error,
                    )
    return tally


# --- Facebook Messenger and Instagram -------------------------------------------------------------
META_OBJECTS = {"page": Channel.FACEBOOK, "instagram": Channel.INSTAGRAM}
META_FILES = ("image", "video", "audio", "file")
# Links and posts a citizen shares: Messenger ``fallback`` (a link), Instagram ``share`` and
# ``ig_post`` (a post; both arrive for one share since 2025-11), ``ig_reel``/``reel`` and
# ``story_mention``. Their title (the caption) and URL are written out for the desk.
META_SHARES = ("fallback", "share", "ig_post", "ig_reel", "reel", "story_mention")
# The parts of a Messenger/Instagram event that are not its kind.
META_EVENT_FIELDS = ("sender", "recipient", "timestamp")


def _meta_share(kind: str, attachment: dict, payload: dict) -> str:
    """One line for a shared link, post, reel or story mention: what it is, its title or caption,
    its URL. Messenger puts a fallback's title and URL beside the payload, Instagram inside it."""
    title = (_text(payload, "title") or _text(attachment, "title")).strip()
    url = (_text(payload, "url") or _text(attachment, "url")).strip()
    if not (title or url):
        return ""
    if kind == "story_mention":
        label = _("Menyebut akun ini dalam story")
    elif kind in ("ig_reel", "reel"):
        label = _("Membagikan reel")
    elif kind == "fallback":
        label = _("Membagikan tautan")
    else:
        label = _("Membagikan kiriman")
    return f"{label}: " + " — ".join(part for part in (title, url) if part)


def _meta_incoming(account: ChannelAccount, event: dict) -> Incoming | None:
    message = _dict(event, "message")
    if message.get("is_echo"):
        return None  # our own reply (or the Page inbox's) coming back
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
    story = _text(_dict(_dict(message, "reply_to"), "story"), "url")
    if story:
        lines.append(_("Membalas story: %(url)s") % {"url": story})
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
        elif kind in META_SHARES and _meta_share(kind, attachment, payload):
            line = _meta_share(kind, attachment, payload)
            if line not in lines:  # an Instagram post share comes as share and ig_post
                lines.append(line)
        else:
            unhandled(account, f"attachment type {kind or '?'}")
            attachments.warnings.append(
                _("Lampiran jenis %(kind)s belum dapat ditampilkan.") % {"kind": kind or "?"}
            )
    if message.get("is_unsupported"):
        attachments.warnings.append(_("Pesan ini belum dapat ditampilkan."))
    incoming.body = "\n".join(lines)
    return _finish(incoming, attachments)


def _meta_postback_time(value: Any) -> datetime | None:
    """Postbacks carry milliseconds like every Meta event, but the reference shows seconds (a
    string): a value below 10^11 cannot be milliseconds of a plausible time, so it is seconds."""
    number = _text({"v": value}, "v")
    if number.isascii() and number.isdigit() and int(number) < 10**11:
        return _when(number)
    return _when(value, scale=1000)


def _meta_postback(account: ChannelAccount, event: dict) -> Incoming:
    """A button the citizen pressed (Get Started, a menu item, a template button): the button's
    title is what the citizen said. Standby postbacks come without the payload."""
    postback = _dict(event, "postback")
    sender = _text(_dict(event, "sender"), "id")
    if not sender:
        raise ValueError("postback without sender")
    at = _meta_postback_time(event.get("timestamp"))
    return Incoming(
        channel=account.channel,
        body=_text(postback, "title") or _text(postback, "payload"),
        sender_address=sender,
        external_id=_meta_postback_id(event),
        external_thread=sender,
        received_at=at,
    )


def _meta_postback_id(event: dict) -> str:
    # Older postbacks have no mid: the sender and the time make one.
    postback = _dict(event, "postback")
    sender = _text(_dict(event, "sender"), "id")
    return _text(postback, "mid") or f"postback:{sender}:{_text(event, 'timestamp')}"


def _meta_event(target: ChannelAccount, channel: str, event: dict, tally: Tally) -> None:
    """One event of ``messaging`` or ``standby`` (the same shapes)."""
    sender = _text(_dict(event, "sender"), "id")
    message = _dict(event, "message")
    if message and message.get("is_deleted"):
        # Instagram: the citizen unsent the message; ``mid`` is the original's.
        mid = _text(message, "mid")
        at = partial(_when, event.get("timestamp"), scale=1000)
        _revise(
            target,
            tally,
            "deletion",
            mid,
            lambda: message_revoke(unit=target.unit, channel=channel, original_id=mid, at=at()),
        )
    elif "message" in event:
        build: Callable[[], Incoming | None] = partial(_meta_incoming, target, event)
        _receive(target, build, tally, _text(message, "mid"))
    elif "message_edit" in event:
        edit = _dict(event, "message_edit")
        mid = _text(edit, "mid")
        at = partial(_when, event.get("timestamp"), scale=1000)
        _revise(
            target,
            tally,
            "edit",
            mid,
            lambda: message_edit(
                unit=target.unit,
                channel=channel,
                original_id=mid,
                body=_text(edit, "text"),
                at=at(),
                event_id=f"{mid}#{_text(edit, 'num_edit')}",
            ),
        )
    elif "postback" in event:
        build = partial(_meta_postback, target, event)
        _receive(target, build, tally, _meta_postback_id(event))
    elif "delivery" in event:
        for mid in _dict(event, "delivery").get("mids") or []:
            tally.updated += outbox_delivery_update(
                unit=target.unit, external_id=str(mid), delivery=Delivery.DELIVERED
            )
    elif "read" in event and _text(_dict(event, "read"), "mid"):
        # Instagram names the message that was seen.
        tally.updated += outbox_delivery_update(
            unit=target.unit,
            external_id=_text(_dict(event, "read"), "mid"),
            delivery=Delivery.READ,
        )
    elif "read" in event and sender:
        try:
            watermark = _when(_dict(event, "read").get("watermark"), scale=1000)
        except MalformedError:
            log.warning("meta/%s: read watermark out of range ignored", target.slug)
            watermark = None
        if watermark is not None:
            # Everything we sent this person up to the watermark has been read.
            tally.updated += message_read_mark(
                unit=target.unit, channel=channel, thread=sender, until=watermark
            )
    else:
        # Reactions, referrals, opt-ins, handovers...: logged once per kind.
        kind = next((str(k) for k in event if k not in META_EVENT_FIELDS), "?")
        unhandled(target, f"event {kind}", logging.INFO)


def meta_receive(account: ChannelAccount, payload: dict) -> Tally:
    """Events under ``messaging`` (this app is the thread's receiver) and under ``standby`` (another
    app or the Page inbox is, e.g. under the handover protocol): a citizen's message is the desk's
    either way, and is stored once (by its mid) however often and under whichever it comes."""
    tally = Tally()
    routes: dict[Any, Any] = {}
    channel = META_OBJECTS.get(_text(payload, "object"))
    if channel is None:
        log.info("meta/%s: object %r ignored", account.slug, _text(payload, "object"))
        return tally
    for entry in _list(payload, "entry"):
        target = _route(account, channel, "page_id", _text(entry, "id"), routes)
        events = _list(entry, "messaging") + _list(entry, "standby")
        if target is None:
            log.warning("meta/%s: no %s account for id %r", account.slug, channel, entry.get("id"))
            tally.refused += len(events)
            continue
        for change in _list(entry, "changes"):
            # Comments, mentions, feed: subscribed fields that are not messages.
            unhandled(target, f"field {_text(change, 'field') or '?'}", logging.INFO)
        for event in events:
            _meta_event(target, channel, event, tally)
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


# Service messages (https://core.telegram.org/bots/api#message): the chat changed, nobody said
# anything to the desk. They never open a contact.
TELEGRAM_SERVICE = (
    "new_chat_members",
    "left_chat_member",
    "new_chat_title",
    "new_chat_photo",
    "delete_chat_photo",
    "group_chat_created",
    "supergroup_chat_created",
    "channel_chat_created",
    "message_auto_delete_timer_changed",
    "migrate_to_chat_id",
    "migrate_from_chat_id",
    "pinned_message",
    "successful_payment",
    "refunded_payment",
    "users_shared",
    "chat_shared",
    "connected_website",
    "write_access_allowed",
    "proximity_alert_triggered",
    "boost_added",
    "chat_background_set",
    "forum_topic_created",
    "forum_topic_edited",
    "forum_topic_closed",
    "forum_topic_reopened",
    "general_forum_topic_hidden",
    "general_forum_topic_unhidden",
    "giveaway_created",
    "giveaway_completed",
    "video_chat_scheduled",
    "video_chat_started",
    "video_chat_ended",
    "video_chat_participants_invited",
    "web_app_data",
)
# ChannelAccount.config key: true to take messages from groups the bot is in (docs/channels.md).
TELEGRAM_GROUPS = "telegram_groups"


def _telegram_taken(account: ChannelAccount, message: dict) -> bool:
    """A message from a private chat (groups only when the account says so) that is not a service
    message. The others are logged once per kind."""
    chat_type = _text(_dict(message, "chat"), "type")
    if chat_type and chat_type != "private" and account.config.get(TELEGRAM_GROUPS) is not True:
        unhandled(account, f"message in a {chat_type} chat", logging.INFO)
        return False
    service = next((name for name in TELEGRAM_SERVICE if name in message), None)
    if service is not None:
        unhandled(account, f"service message {service}", logging.INFO)
        return False
    return True


def _telegram_edit(account: ChannelAccount, message: dict, tally: Tally) -> None:
    """``edited_message``: the new version of a whole message (its text, caption or live
    location); the original is the message of the same number in the same chat."""
    chat, message_id = _text(_dict(message, "chat"), "id"), _text(message, "message_id")
    original = f"{chat}:{message_id}"

    def apply() -> Message | None:
        if not chat or not message_id:
            raise ValueError("edited message without chat or message_id")
        body = _text(message, "text") or _text(message, "caption")
        place = _dict(message, "location")
        if place:
            body = location_text(place.get("latitude"), place.get("longitude"))
        return message_edit(
            unit=account.unit,
            channel=Channel.TELEGRAM,
            original_id=original,
            body=body,
            at=_when(message.get("edit_date")),
            event_id=f"{original}@{_text(message, 'edit_date')}",
        )

    _revise(account, tally, "edit", original, apply)


def telegram_receive(account: ChannelAccount, update: dict) -> Tally:
    """A citizen's message, or an edit of one. Channel posts, button presses, membership changes
    and the other update kinds are not contacts: logged once per kind."""
    tally = Tally()
    message, edited = _dict(update, "message"), _dict(update, "edited_message")
    if message:
        if _telegram_taken(account, message):
            ref = f"{_text(_dict(message, 'chat'), 'id')}:{_text(message, 'message_id')}"
            _receive(account, partial(_telegram_incoming, account, message), tally, ref)
    elif edited:
        if _telegram_taken(account, edited):
            _telegram_edit(account, edited, tally)
    else:
        kind = next((str(k) for k in update if k != "update_id"), "?")
        unhandled(account, f"update {kind}", logging.INFO)
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
        tally.updated += outbox_delivery_update(
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
