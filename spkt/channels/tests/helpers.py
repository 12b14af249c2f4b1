"""Test helpers: a fake provider (a real HTTP server on 127.0.0.1 playing the Graph API, Telegram and
the SMS gateway: tests queue its answers and read back the exact requests it got), and signed
webhook posts."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from django.test import Client

from spkt.channels.webhooks import sms_sign

APP_SECRET = "meta-app-secret"
VERIFY_TOKEN = "verify-me"
ACCESS_TOKEN = "EAAG-access-token"
BOT_TOKEN = "123456:bot-token"
WEBHOOK_SECRET = "tg-webhook-secret"
SMS_SECRET = "sms-shared-secret"
ANDROID_USER = "sms"  # SMS Gateway for Android: the app's API login and webhook signing key
ANDROID_PASSWORD = "android-pass-rahasia"
ANDROID_KEY = "android-signing-key"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"{}"
    content_type: str = "application/json"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Provider:
    """Answers by exact path (query included); anything unexpected gets 599 and is recorded."""

    base: str = ""
    answers: dict[tuple[str, str], list[Answer]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        status: int = 200,
        raw: bytes | None = None,
        content_type: str = "application/json",
        delay: float = 0.0,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = raw if raw is not None else json.dumps(body if body is not None else {}).encode()
        with self.lock:
            self.answers.setdefault((method, path), []).append(
                Answer(status, data, content_type, delay, headers or {})
            )

    def requests(self, method: str | None = None) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if method is None or s.method == method]

    def take(self, method: str, path: str) -> Answer:
        with self.lock:
            queue = self.answers.get((method, path)) or []
            # The last answer for a path repeats, so retries see the same provider.
            return (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else Answer(599, b"")

    def reset(self) -> None:
        with self.lock:
            self.answers.clear()
            self.seen.clear()


def handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with provider.lock:
                provider.seen.append(
                    Seen(
                        self.command,
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                    )
                )
            answer = provider.take(self.command, self.path)
            if answer.delay:
                time.sleep(answer.delay)
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        do_GET = do_POST = _serve  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def hub_signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def raw(payload: Any) -> bytes:
    return json.dumps(payload).encode()


def post_meta(client: Client, url: str, body: bytes, signature: str | None = "sign"):
    headers = {}
    if signature == "sign":
        headers["X-Hub-Signature-256"] = hub_signature(body)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return client.post(url, data=body, content_type="application/json", headers=headers)


def post_telegram(client: Client, url: str, body: bytes, secret: str | None = WEBHOOK_SECRET):
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return client.post(url, data=body, content_type="application/json", headers=headers)


def post_sms(
    client: Client,
    url: str,
    body: bytes,
    *,
    at: int | None = None,
    secret: str = SMS_SECRET,
    signed: bool = True,
):
    timestamp = str(int(time.time()) if at is None else at)
    headers = {"X-SPKT-Timestamp": timestamp}
    if signed:
        headers["X-SPKT-Signature"] = sms_sign(secret, timestamp, body)
    return client.post(url, data=body, content_type="application/json", headers=headers)


def signed_headers(kind: str, body: bytes) -> dict[str, str]:
    """Correct credentials for a webhook of each kind (whatsapp, meta, telegram, sms)."""
    if kind in ("whatsapp", "meta"):
        return {"X-Hub-Signature-256": hub_signature(body)}
    if kind == "telegram":
        return {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    timestamp = str(int(time.time()))
    return {
        "X-SPKT-Timestamp": timestamp,
        "X-SPKT-Signature": sms_sign(SMS_SECRET, timestamp, body),
    }
