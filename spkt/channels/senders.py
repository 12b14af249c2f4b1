"""Outbound adapters: the outbox worker hands each reply to the sender of its channel
(``spkt.intake.outbox``). A sender returns the provider's message id; it raises DeliveryError when
a later try may succeed (no answer, 5xx, 429, Meta's rate-limit codes) and PermanentDeliveryError
when it will not (any other 4xx, no account, nobody to send to). Error texts name the channel and
the provider's error, never a URL or a token: they are stored in ``OutboxItem.last_error``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from spkt.channels import gammu, smsgate
from spkt.channels.models import ChannelAccount, SmsGateway
from spkt.channels.webhooks import GRAPH_API, TELEGRAM_API, api_base, sms_sign
from spkt.core import clock, http
from spkt.intake.models import Channel, Contact, OutboxItem
from spkt.intake.outbox import DeliveryError, PermanentDeliveryError, register_sender
from spkt.intake.services import sender_key

# Graph API error codes that mean "not now" although Meta answers them with HTTP 400: unknown and
# service errors, app/account/pair rate limits, throughput, WhatsApp's transient server errors.
META_RETRY_CODES = frozenset(
    {"1", "2", "4", "17", "32", "341", "613", "80007", "130429", "131000", "131016", "131056"}
)


def _account(item: OutboxItem, channel: str) -> ChannelAccount:
    unit_id = item.message.contact.unit_id
    account = (
        ChannelAccount.objects.filter(unit_id=unit_id, channel=channel, active=True)
        .order_by("pk")
        .first()
    )
    if account is None:
        raise PermanentDeliveryError(f"no active {channel} account for unit {unit_id}")
    return account


def _detail(answer: http.Response) -> tuple[str, str]:
    """The provider's error code and text: Graph's {"error": {...}}, Telegram's description."""
    try:
        data = answer.json()
    except ValueError:
        return "", answer.body[:200].decode(errors="replace").strip()
    if not isinstance(data, dict):
        return "", ""
    error = data.get("error")
    if isinstance(error, dict):
        return str(error.get("code") or ""), str(error.get("message") or "")[:300]
    text = data.get("description") or error or ""
    return str(data.get("error_code") or ""), str(text)[:300]


def _post(
    what: str,
    url: str,
    *,
    body: bytes,
    headers: dict[str, str] | None = None,
    retry_codes: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    try:
        answer = http.call(
            "POST", url, data=body, headers={"Content-Type": "application/json", **(headers or {})}
        )
    except http.TransportError as exc:
        raise DeliveryError(f"{what}: {exc}") from None
    if answer.ok:
        try:
            data = answer.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            # Accepted, perhaps sent, but unreadable: shown as failed for the desk to decide,
            # rather than retried into a duplicate.
            raise PermanentDeliveryError(f"{what}: HTTP {answer.status} without a JSON object")
        return data
    code, text = _detail(answer)
    message = f"{what}: HTTP {answer.status}"
    message += f" (error {code})" if code else ""
    message += f": {text}" if text else ""
    if answer.status == 429 or answer.status >= 500 or code in retry_codes:
        raise DeliveryError(message)
    raise PermanentDeliveryError(message)


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def _id(what: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise PermanentDeliveryError(f"{what}: answer without a message id")
    return str(value)


def _phone(contact: Contact) -> str:
    """The contact's number in international form without "+", as WhatsApp wants it."""
    key = sender_key(contact.channel, contact.sender_address)
    return key.removeprefix("tel:") if key.startswith("tel:") else ""


def whatsapp_send(item: OutboxItem) -> str:
    account = _account(item, Channel.WHATSAPP)
    contact = item.message.contact
    # A WhatsApp contact is answered on its wa_id; a web-form or phone contact on the number given.
    thread = contact.external_thread if contact.channel == Channel.WHATSAPP else ""
    to = thread or _phone(contact)
    number = str(account.config.get("phone_number_id") or "")
    if not to or not number:
        raise PermanentDeliveryError("WhatsApp: no recipient or no phone_number_id")
    data = _post(
        "WhatsApp",
        f"{api_base(account, GRAPH_API)}/{quote(number, safe='')}/messages",
        body=_json(
            {
                "messaging_product": "whatsapp",
                "to": to,
                "type": "text",
                "text": {"body": item.message.body},
            }
        ),
        headers={"Authorization": f"Bearer {account.secrets.get('access_token', '')}"},
        retry_codes=META_RETRY_CODES,
    )
    messages = data.get("messages")
    first = messages[0] if isinstance(messages, list) and messages else {}
    return _id("WhatsApp", first.get("id") if isinstance(first, dict) else None)


def _meta_send(item: OutboxItem, channel: str) -> str:
    account = _account(item, channel)
    recipient = item.message.contact.external_thread
    if not recipient:
        raise PermanentDeliveryError(f"{channel}: no recipient id")
    body: dict[str, Any] = {"recipient": {"id": recipient}}
    if channel == Channel.FACEBOOK:
        body["messaging_type"] = "RESPONSE"  # required by the Messenger Send API
    body["message"] = {"text": item.message.body}
    token = urlencode({"access_token": account.secrets.get("access_token", "")})
    data = _post(
        channel.capitalize(),
        f"{api_base(account, GRAPH_API)}/me/messages?{token}",
        body=_json(body),
        retry_codes=META_RETRY_CODES,
    )
    return _id(channel, data.get("message_id"))


def facebook_send(item: OutboxItem) -> str:
    return _meta_send(item, Channel.FACEBOOK)


def instagram_send(item: OutboxItem) -> str:
    return _meta_send(item, Channel.INSTAGRAM)


def telegram_send(item: OutboxItem) -> str:
    account = _account(item, Channel.TELEGRAM)
    chat = item.message.contact.external_thread
    if not chat:
        raise PermanentDeliveryError("Telegram: no chat id")
    token = account.secrets.get("bot_token", "")
    data = _post(
        "Telegram",
        f"{api_base(account, TELEGRAM_API)}/bot{token}/sendMessage",
        body=_json(
            {
                "chat_id": int(chat) if chat.lstrip("-").isdigit() else chat,
                "text": item.message.body,
            }
        ),
    )
    result = data.get("result")
    message_id = _id("Telegram", result.get("message_id") if isinstance(result, dict) else None)
    return f"{chat}:{message_id}"  # as inbound ids: Telegram numbers messages per chat


def sms_send(item: OutboxItem) -> str:
    """Through the unit's SMS gateway: the Android app, gammu-smsd or the SPKT protocol."""
    account = _account(item, Channel.SMS)
    contact = item.message.contact
    phone = _phone(contact)
    if account.sms_gateway == SmsGateway.ANDROID:
        return _android_send(item, account, phone)
    if account.sms_gateway == SmsGateway.GAMMU:
        if not phone:
            raise PermanentDeliveryError("SMS (Gammu): no recipient number")
        try:
            return gammu.send(account, item.message_id, phone, item.message.body)
        except gammu.OutboxError as exc:
            raise DeliveryError(f"SMS (Gammu): {exc}") from None
    if account.sms_gateway != SmsGateway.SPKT:
        raise PermanentDeliveryError("SMS: unknown gateway in the account")
    url = str(account.config.get("send_url") or "")
    to = f"+{phone}" if phone else contact.sender_address.strip()
    if not url or not to:
        raise PermanentDeliveryError("SMS: no send_url or no recipient")
    # The reference stays the same on every retry: the gateway sends one SMS per reference.
    body = _json({"to": to, "text": item.message.body, "reference": f"spkt-{item.message_id}"})
    timestamp = str(int(clock.now().timestamp()))
    secret = account.secrets.get("shared_secret", "")
    data = _post(
        "SMS",
        url,
        body=body,
        headers={
            "X-SPKT-Timestamp": timestamp,
            "X-SPKT-Signature": sms_sign(secret, timestamp, body),
        },
    )
    return _id("SMS", data.get("id"))


def _android_send(item: OutboxItem, account: ChannelAccount, phone: str) -> str:
    """POST <api_url>/message (Local Server and Cloud alike), basic auth; the app answers 202 with
    the message's state and id, which its sms:* webhooks name as messageId."""
    base = smsgate.api_url(account)
    if not base or not phone:
        raise PermanentDeliveryError("SMS (Android): no api_url or no recipient number")
    data = _post(
        "SMS (Android)",
        f"{base}/message",
        body=_json(smsgate.message_body(account, item.message_id, f"+{phone}", item.message.body)),
        headers=smsgate.auth_header(account),
    )
    return _id("SMS (Android)", data.get("id"))


SENDERS = {
    Channel.WHATSAPP: whatsapp_send,
    Channel.FACEBOOK: facebook_send,
    Channel.INSTAGRAM: instagram_send,
    Channel.TELEGRAM: telegram_send,
    Channel.SMS: sms_send,
}


def register() -> None:
    for channel, sender in SENDERS.items():
        register_sender(channel, sender)
