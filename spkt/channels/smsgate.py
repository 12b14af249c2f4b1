"""SMS Gateway for Android (https://sms-gate.app, github.com/capcom6/android-sms-gateway): a phone
with a SIM card that sends and receives SMS for SPKT, in Local Server mode (the phone's own HTTP
server, ``http://<phone>:8080``) or Cloud mode (``https://api.sms-gate.app/3rdparty/v1``).

Inbound: the app posts one webhook per event to ``/hooks/sms/<slug>/`` (docs/channels.md, 6.1):

    {"deviceId": "...", "event": "sms:received", "id": "<event id>", "webhookId": "...",
     "payload": {"messageId": "...", "message": "<text>", "phoneNumber": "+62...",
                 "simNumber": 1, "receivedAt": "2026-12-01T09:57:00.000+08:00"}}

``sms:sent``, ``sms:delivered`` and ``sms:failed`` carry the ``messageId`` SPKT gave the reply
(and ``reason`` when it failed). The app signs every request: ``X-Timestamp`` (unix seconds) and
``X-Signature``, the hex HMAC-SHA256 of the raw body followed by the timestamp, keyed with the
app's signing key (Settings → Webhooks → Signing Key). Source: docs/features/webhooks.md of
android-sms-gateway/docs-web, "Payload Signing" (the verification examples hash
``payload + timestamp``). The app retries any answer but 2xx (10 s, 20 s, 40 s ... 14 times), so a
payload SPKT will never take is answered 200 ``refused``/``ignored``, like Meta's.

Outbound: ``POST <api_url>/message`` with basic auth (the credentials shown in the app) and
``{"id": "spkt-<message id>", "textMessage": {"text": ...}, "phoneNumbers": ["+62..."]}``; the app
splits a text over 160 characters into a multipart SMS itself (docs/features/sending-messages.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from spkt.channels import smstext
from spkt.channels.models import ChannelAccount
from spkt.channels.webhooks import (
    IgnoredError,
    MalformedError,
    SignatureInvalidError,
    SignatureMissingError,
    Tally,
    _dict,
    _receive,
    _text,
    received_at_checked,
    secrets_equal,
)
from spkt.core import clock, http
from spkt.intake.models import Channel, Delivery
from spkt.intake.outbox import outbox_delivery_update
from spkt.intake.services import Incoming

log = logging.getLogger(__name__)

MAX_SKEW = 300  # seconds between the app's signed timestamp and our clock (replay window)
RECEIVED = "sms:received"
STATUS_EVENTS = {
    "sms:sent": Delivery.SENT,
    "sms:delivered": Delivery.DELIVERED,
    "sms:failed": Delivery.FAILED,
}
EVENTS = (RECEIVED, *STATUS_EVENTS)
_ignored_logged: set[str] = set()  # unknown event types, logged once per process


def sign(key: str, timestamp: str, body: bytes) -> str:
    """The app's X-Signature: hex HMAC-SHA256 of the raw body followed by X-Timestamp."""
    return hmac.new(key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


def signature_check(*, key: str, body: bytes, timestamp: str | None, signature: str | None) -> None:
    if not timestamp or not signature:
        raise SignatureMissingError
    timestamp = timestamp.strip()
    if not key or not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) < 20):
        raise SignatureInvalidError
    if not secrets_equal(signature.strip().lower(), sign(key, timestamp, body)):
        raise SignatureInvalidError
    # After the signature, so the timestamp is the one the app signed.
    if abs(clock.now().timestamp() - int(timestamp)) > MAX_SKEW:
        raise SignatureInvalidError


def check(payload: dict) -> None:
    """Before storing (no database): IgnoredError for an event SPKT does not take (logged once
    per type), MalformedError for a body that is not a gateway event at all."""
    event = _text(payload, "event")
    if event not in EVENTS:
        if event not in _ignored_logged:
            _ignored_logged.add(event)
            log.warning("android sms gateway: event %r ignored (logged once)", event[:40])
        raise IgnoredError(f"event {event[:40]!r} ignored")
    if not _text(payload, "id"):
        raise MalformedError("id is required")
    if not isinstance(payload.get("payload"), dict):
        raise MalformedError("payload must be an object")


def _time(value: Any) -> datetime | None:
    """The phone's time of the SMS, ISO 8601 in its own zone; a missing, unreadable or zoneless
    one is no reason to refuse the citizen's message: it is then filed at the time it reached us."""
    try:
        at = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        return None
    try:
        return received_at_checked(at)
    except MalformedError:
        return None


def receive(account: ChannelAccount, payload: dict) -> Tally:
    tally = Tally()
    try:
        check(payload)
    except IgnoredError:
        return tally
    event, inner = _text(payload, "event"), _dict(payload, "payload")
    if event in STATUS_EVENTS:
        tally.updated += outbox_delivery_update(
            unit=account.unit,
            external_id=_text(inner, "messageId"),
            delivery=STATUS_EVENTS[event],
            error=_text(inner, "reason")[:300],
        )
        return tally
    sender = _text(inner, "phoneNumber").strip()
    if not sender:
        # Kept as a dead letter (Admin → Payload masuk) with this reason: nothing is lost.
        raise MalformedError(_("SMS tanpa nomor pengirim."))
    text = inner.get("message")
    if not isinstance(text, str):
        raise MalformedError(_("SMS tanpa teks."))
    body, warning = smstext.clip(text)
    # The event id: the app's messageId is made from the content and is not unique.
    external_id = f"asg:{_text(payload, 'id')}"
    incoming = Incoming(
        channel=Channel.SMS,
        body=body,
        sender_address=sender,
        external_id=external_id,
        external_thread=sender,
        received_at=_time(inner.get("receivedAt")),
        warning=warning,
    )
    _receive(account, lambda: incoming, tally, external_id)
    return tally


# --- Outbound and the admin's connection test -----------------------------------------------------
def auth_header(account: ChannelAccount) -> dict[str, str]:
    user = str(account.config.get("username") or "")
    password = account.secrets.get("gateway_password", "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def api_url(account: ChannelAccount) -> str:
    return str(account.config.get("api_url") or "").rstrip("/")


def message_body(account: ChannelAccount, message_id: int, to: str, text: str) -> dict:
    body: dict[str, Any] = {
        # The same id on every retry: the app keeps one message per id.
        "id": f"spkt-{message_id}",
        "textMessage": {"text": text},
        "phoneNumbers": [to],
        "withDeliveryReport": True,
    }
    sim = account.config.get("sim_number")
    if isinstance(sim, int) and not isinstance(sim, bool) and 1 <= sim <= 3:
        body["simNumber"] = sim
    return body


def connection_check(account: ChannelAccount, webhook_url: str) -> tuple[bool, str]:
    """Ask the gateway for its webhooks (GET <api_url>/webhooks, the same credentials as sending):
    the URL, the credentials and whether the four events reach SPKT, in one call."""
    base = api_url(account)
    if not base:
        return False, _("api_url belum diisi.")
    try:
        answer = http.call("GET", f"{base}/webhooks", headers=auth_header(account))
    except http.TransportError as exc:
        return False, _("Gateway tidak menjawab: %(error)s") % {"error": exc}
    if answer.status in (401, 403):
        return False, _("Gateway menolak username/password (HTTP %(status)s).") % {
            "status": answer.status
        }
    if not answer.ok:
        return False, _("Gateway menjawab HTTP %(status)s.") % {"status": answer.status}
    try:
        hooks = answer.json()
    except ValueError:
        hooks = None
    if not isinstance(hooks, list):
        return False, _("Jawaban gateway bukan daftar webhook.")
    ours = {
        _text(hook, "event")
        for hook in hooks
        if isinstance(hook, dict) and _text(hook, "url") == webhook_url
    }
    missing = [event for event in EVENTS if event not in ours]
    if missing:
        return False, _(
            "Gateway terhubung, tetapi webhook ke %(url)s belum didaftarkan untuk: %(events)s"
        ) % {"url": webhook_url, "events": ", ".join(missing)}
    return True, _("Gateway terhubung; keempat webhook mengarah ke SPKT.")
