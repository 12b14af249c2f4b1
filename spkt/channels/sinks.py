"""Local sinks for the demo (``make run`` starts them as ``manage.py demo_sinks``): the demo channel
accounts of Polsek Kota Selatan deliver to them, so a reply in the demo really goes out over SMTP
and HTTP and the desk sees it sent.

- an SMTP catcher (plain SMTP, no TLS, no login; the standard library only) that keeps every mail;
- a provider stub that answers like SMS Gateway for Android (``POST <api_url>/message``) and the
  WhatsApp Cloud API (``POST <api_base>/<phone_number_id>/messages``); after an SMS it can report
  ``sms:sent`` and ``sms:delivered`` to SPKT's webhook like the phone app does, signed with the
  account's key, so the desk sees "Sampai" (delivered to the phone).

Everything received is appended to ``received.jsonl`` in the sink directory (mails also as
``.eml``) and listed at ``http://127.0.0.1:<provider port>/``: what the citizen received. Demo only:
it listens on 127.0.0.1 and checks nothing but the shape of the requests.
"""

from __future__ import annotations

import html
import json
import logging
import re
import socketserver
import threading
import time
import uuid
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from spkt.channels import smsgate
from spkt.core import clock, http

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # an HTTP request body
MAX_MAIL = 10 * 1024 * 1024  # a mail, as the SIZE extension announces
MAX_LINE = 4096
SHOWN = 200  # entries on the page
WHATSAPP_PATH = re.compile(r"^/whatsapp(?:/v\d+(?:\.\d+)?)?/([A-Za-z0-9_-]{1,64})/messages$")


class SinkLog:
    """Appends what a sink received to ``received.jsonl`` (one JSON object a line)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / "received.jsonl"
        self._lock = threading.Lock()

    def add(self, kind: str, to: str, text: str, **extra: Any) -> dict[str, Any]:
        at = timezone.localtime(clock.now()).isoformat(timespec="seconds")
        entry = {"at": at, "kind": kind, "to": to, "text": text, **extra}
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line)
        log.info("demo sink: %s to %s", kind, to)
        return entry

    def entries(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        found = []
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict):
                found.append(entry)
        return found


# --- SMTP -----------------------------------------------------------------------------------------
class _SmtpSession(socketserver.StreamRequestHandler):
    """RFC 5321 as far as a client that only sends needs it: EHLO/HELO, MAIL, RCPT, DATA (with
    dot-unstuffing), RSET, NOOP, QUIT."""

    timeout = 30
    server: SmtpCatcher

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self._say("220 spkt-demo-sinks ESMTP")
        sender: str | None = None
        recipients: list[str] = []
        while True:
            raw = self.rfile.readline(MAX_LINE)
            if not raw:
                return
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb == "EHLO":
                self._say("250-spkt-demo-sinks")
                self._say("250-8BITMIME")
                self._say("250-SMTPUTF8")
                self._say(f"250 SIZE {MAX_MAIL}")
            elif verb == "HELO":
                self._say("250 spkt-demo-sinks")
            elif line.upper().startswith("MAIL FROM:"):
                sender, recipients = _address(line[10:]), []
                self._say("250 OK")
            elif line.upper().startswith("RCPT TO:"):
                if sender is None:
                    self._say("503 MAIL first")
                    continue
                recipients.append(_address(line[8:]))
                self._say("250 OK")
            elif verb == "DATA":
                if not recipients:
                    self._say("503 RCPT first")
                    continue
                self._say("354 End data with <CR><LF>.<CR><LF>")
                data = self._data()
                if data is None:
                    self._say("552 Message too large")
                else:
                    self.server.keep(sender or "", recipients, data)
                    self._say("250 OK: kept")
                sender, recipients = None, []
            elif verb == "RSET":
                sender, recipients = None, []
                self._say("250 OK")
            elif verb == "NOOP":
                self._say("250 OK")
            elif verb == "QUIT":
                self._say("221 Bye")
                return
            else:
                self._say("502 Command not implemented")

    def _data(self) -> bytes | None:
        lines, size, too_large = [], 0, False
        while True:
            raw = self.rfile.readline(MAX_LINE * 256)
            if not raw or raw in (b".\r\n", b".\n"):
                break
            if raw.startswith(b"."):
                raw = raw[1:]
            size += len(raw)
            if size > MAX_MAIL:
                too_large = True
            elif not too_large:
                lines.append(raw)
        return None if too_large else b"".join(lines)


def _address(value: str) -> str:
    value = value.strip()
    if value.startswith("<"):
        value = value[1 : value.find(">")] if ">" in value else value[1:]
    return value.split()[0] if value.split() else ""


class SmtpCatcher(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sink: SinkLog) -> None:
        self.sink = sink
        super().__init__(address, _SmtpSession)

    def keep(self, sender: str, recipients: list[str], data: bytes) -> None:
        name = f"mail-{uuid.uuid4().hex[:12]}.eml"
        (self.sink.directory / name).write_bytes(data)
        mail = BytesParser(policy=policy.default).parsebytes(data)
        try:
            body = mail.get_body(preferencelist=("plain",))
            text = body.get_content() if body is not None else ""
        except (LookupError, ValueError):
            text = ""
        self.sink.add(
            "email",
            ", ".join(recipients),
            text.replace("\r\n", "\n").strip(),
            subject=str(mail.get("Subject", "")),
            sender=sender,
            file=name,
        )


# --- HTTP provider stub ---------------------------------------------------------------------------
@dataclass
class DeliveryReports:
    """Where and how the stub reports an SMS's fate, as SMS Gateway for Android does."""

    hook_url: str
    signing_key: str
    delay: float = 1.0


class _ProviderHandler(BaseHTTPRequestHandler):
    server: ProviderStub
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt: str, *args: Any) -> None:
        log.debug("demo sink http: " + fmt, *args)

    def _answer(self, status: int, data: Any = None, *, body: bytes = b"", ctype: str = "") -> None:
        if data is not None:
            body, ctype = json.dumps(data, ensure_ascii=False).encode(), "application/json"
        self.send_response(status)
        self.send_header("Content-Type", ctype or "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/received.json":
            self._answer(200, self.server.sink.entries()[-SHOWN:])
        elif self.path == "/":
            page = self.server.page().encode()
            self._answer(200, body=page, ctype="text/html; charset=utf-8")
        elif self.path == "/android/webhooks":  # the admin's connection test
            self._answer(200, [])
        else:
            self._answer(404, {"error": {"code": 404, "message": "not found"}})

    def do_POST(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or "")
        except ValueError:
            self._answer(411, {"error": {"code": 411, "message": "length required"}})
            return
        if length < 0 or length > MAX_BODY:
            # Read what was sent (up to a bound) before answering: closing on a client still
            # sending resets the connection, and the client never sees the 413.
            left = min(max(length, 0), 8 * MAX_BODY)
            while left > 0 and (chunk := self.rfile.read(min(left, 65536))):
                left -= len(chunk)
            self.close_connection = True
            self._answer(413, {"error": {"code": 413, "message": "body too large"}})
            return
        raw = self.rfile.read(length)
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            self._answer(400, {"error": {"code": 100, "message": "body must be a JSON object"}})
            return
        if self.path == "/android/message":
            self._android(data)
            return
        match = WHATSAPP_PATH.match(self.path)
        if match:
            self._whatsapp(data, match.group(1))
            return
        self._answer(404, {"error": {"code": 404, "message": "not found"}})

    def _android(self, data: dict) -> None:
        if not self.headers.get("Authorization", "").startswith("Basic "):
            self._answer(401, {"message": "unauthorized"})
            return
        text = data.get("textMessage")
        numbers = data.get("phoneNumbers")
        text = text.get("text") if isinstance(text, dict) else None
        if not isinstance(text, str) or not isinstance(numbers, list) or not numbers:
            self._answer(400, {"message": "textMessage.text and phoneNumbers are required"})
            return
        message_id = str(data.get("id") or uuid.uuid4().hex)
        to = ", ".join(str(n) for n in numbers)
        self.server.sink.add("sms", to, text, id=message_id)
        self._answer(
            202,
            {
                "id": message_id,
                "state": "Pending",
                "recipients": [{"phoneNumber": str(n), "state": "Pending"} for n in numbers],
            },
        )
        self.server.report(message_id, [str(n) for n in numbers])

    def _whatsapp(self, data: dict, number_id: str) -> None:
        if not self.headers.get("Authorization", "").startswith("Bearer "):
            self._answer(401, {"error": {"code": 190, "message": "invalid access token"}})
            return
        to, text = data.get("to"), data.get("text")
        text = text.get("body") if isinstance(text, dict) else None
        if not isinstance(to, str) or not to or not isinstance(text, str):
            self._answer(400, {"error": {"code": 100, "message": "to and text.body are required"}})
            return
        wamid = f"wamid.DEMO{uuid.uuid4().hex.upper()}"
        self.server.sink.add("whatsapp", to, text, id=wamid, phone_number_id=number_id)
        self._answer(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": wamid}],
            },
        )


class ProviderStub(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], sink: SinkLog, reports: DeliveryReports | None = None
    ) -> None:
        self.sink = sink
        self.reports = reports
        super().__init__(address, _ProviderHandler)

    def report(self, message_id: str, numbers: list[str]) -> None:
        if self.reports is not None:
            threading.Thread(
                target=_report, args=(self.reports, message_id, numbers), daemon=True
            ).start()

    def page(self) -> str:
        rows = []
        for entry in reversed(self.sink.entries()[-SHOWN:]):
            subject = entry.get("subject") or ""
            rows.append(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>".format(
                    html.escape(str(entry.get("at", ""))),
                    html.escape(str(entry.get("kind", ""))),
                    html.escape(str(entry.get("to", ""))),
                    f"<b>{html.escape(str(subject))}</b><br>" if subject else "",
                    html.escape(str(entry.get("text", ""))).replace("\n", "<br>"),
                )
            )
        empty = html.escape(_("Belum ada pesan yang terkirim."))
        return (
            '<!doctype html><html lang="id"><meta charset="utf-8">'
            f"<title>{html.escape(_('Yang diterima warga (demo)'))}</title>"
            f"<h1>{html.escape(_('Yang diterima warga (demo)'))}</h1>"
            f"<p>{html.escape(str(self.sink.directory))}</p>"
            '<table border="1" cellpadding="4">'
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>"
        ).format(
            html.escape(_("Waktu")),
            html.escape(_("Saluran")),
            html.escape(_("Kepada")),
            html.escape(_("Isi")),
            "".join(rows) or f'<tr><td colspan="4">{empty}</td></tr>',
        )


def _report(reports: DeliveryReports, message_id: str, numbers: list[str]) -> None:
    """``sms:sent`` then ``sms:delivered`` to SPKT's webhook, signed like the app signs them."""
    for event in ("sms:sent", "sms:delivered"):
        time.sleep(reports.delay)
        payload = {
            "deviceId": "spkt-demo-phone",
            "event": event,
            "id": f"{event}-{message_id}",
            "webhookId": "spkt-demo",
            "payload": {"messageId": message_id, "phoneNumber": numbers[0] if numbers else ""},
        }
        body = json.dumps(payload).encode()
        timestamp = str(int(clock.now().timestamp()))
        try:
            answer = http.call(
                "POST",
                reports.hook_url,
                data=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Timestamp": timestamp,
                    "X-Signature": smsgate.sign(reports.signing_key, timestamp, body),
                },
            )
        except http.TransportError as exc:
            log.warning("demo sink: delivery report not posted: %s", exc)
            return
        if not answer.ok:
            log.warning("demo sink: delivery report answered HTTP %s", answer.status)
            return


def serve(
    *,
    host: str,
    smtp_port: int,
    provider_port: int,
    directory: Path,
    reports: DeliveryReports | None = None,
) -> tuple[SmtpCatcher, ProviderStub]:
    """Start both sinks in daemon threads; the caller stops them with ``shutdown()``."""
    sink = SinkLog(directory)
    smtp = SmtpCatcher((host, smtp_port), sink)
    provider = ProviderStub((host, provider_port), sink, reports)
    for server in (smtp, provider):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return smtp, provider
