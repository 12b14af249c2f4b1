"""One Web Push (RFC 8030) to one browser: the payload encrypted for that browser (RFC 8291,
aes128gcm, with http_ece) and signed with VAPID (RFC 8292, with py_vapid), POSTed to the push
service the browser chose. No SDK: the HTTP is the channels' plain urllib client (ADR 0041)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

from spkt.alerts.vapid import unb64, vapid
from spkt.core.http import TransportError, call

# An alert older than this is no longer news: the push service may drop it.
TTL = timedelta(hours=12)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    gone: bool  # the browser unsubscribed (404/410): forget the subscription
    retry: bool  # the push service may take it later (no answer, 429, 5xx)
    error: str = ""


def encrypt(payload: bytes, *, p256dh: str, auth: str) -> bytes:
    """The aes128gcm body for the browser's key, with a fresh sender key every time."""
    return http_ece.encrypt(
        payload,
        private_key=ec.generate_private_key(ec.SECP256R1()),
        dh=unb64(p256dh),
        auth_secret=unb64(auth),
        version="aes128gcm",
    )


def push_post(
    *, endpoint: str, p256dh: str, auth: str, message: dict, urgency: str = "high"
) -> Outcome:
    parts = urlsplit(endpoint)
    claims = {
        "aud": f"{parts.scheme}://{parts.netloc}",
        "sub": settings.SPKT_VAPID_SUBJECT,
        # A protocol token, checked by the push service against its real clock: the process's
        # wall time, not the business clock (services refuse more than 24 h ahead).
        "exp": int(time.time() + TTL.total_seconds()),
    }
    body = encrypt(json.dumps(message, ensure_ascii=False).encode(), p256dh=p256dh, auth=auth)
    headers = {
        **vapid().sign(claims),
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "TTL": str(int(TTL.total_seconds())),
        "Urgency": urgency,
    }
    try:
        answer = call("POST", endpoint, data=body, headers=headers, limit=64 * 1024, timeout=5.0)
    except TransportError as exc:
        return Outcome(ok=False, gone=False, retry=True, error=str(exc))
    if answer.ok:
        return Outcome(ok=True, gone=False, retry=False)
    error = f"HTTP {answer.status}: {answer.body[:200].decode(errors='replace')}"
    if answer.status in (404, 410):
        return Outcome(ok=False, gone=True, retry=False, error=error)
    retry = answer.status == 429 or answer.status >= 500
    return Outcome(ok=False, gone=False, retry=retry, error=error)
