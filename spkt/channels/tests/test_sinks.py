"""The demo sinks speak their protocols well enough for real clients (smtplib, urllib) and refuse
what a provider would refuse; what they got is listed for the demo user, escaped."""

from __future__ import annotations

import json
import smtplib
import socket
import time
from email.message import EmailMessage

import pytest

from spkt.channels import smsgate
from spkt.channels.sinks import MAX_BODY, DeliveryReports, serve
from spkt.channels.tests.mailserver import free_port
from spkt.core import http


@pytest.fixture
def sinks(tmp_path, request):
    reports = getattr(request, "param", None)
    smtp_port, provider_port = free_port(), free_port()
    smtp, provider = serve(
        host="127.0.0.1",
        smtp_port=smtp_port,
        provider_port=provider_port,
        directory=tmp_path / "sinks",
        reports=reports,
    )
    yield smtp, provider, smtp_port, f"http://127.0.0.1:{provider_port}"
    for server in (smtp, provider):
        server.shutdown()
        server.server_close()


def post(url: str, data: bytes, **headers: str) -> http.Response:
    return http.call(
        "POST", url, data=data, headers={"Content-Type": "application/json", **headers}
    )


def test_the_smtp_catcher_keeps_a_mail_with_dot_stuffed_lines(sinks, tmp_path) -> None:
    smtp, _provider, port, _base = sinks
    mail = EmailMessage()
    mail["From"] = "spkt@polsek.demo"
    mail["To"] = "warga@example.id"
    mail["Subject"] = "Tanggapan"
    mail.set_content("Baris satu\n.baris dengan titik\nSelesai")
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        refused = client.send_message(mail)
    assert refused == {}
    [entry] = smtp.sink.entries()
    assert entry["to"] == "warga@example.id"
    assert entry["text"] == "Baris satu\n.baris dengan titik\nSelesai"
    assert (tmp_path / "sinks" / entry["file"]).exists()


def test_the_smtp_catcher_answers_commands_out_of_order_with_errors(sinks) -> None:
    smtp, _provider, port, _base = sinks
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        reader = sock.makefile("rb")
        assert reader.readline().startswith(b"220")
        for command, code in (
            (b"RCPT TO:<a@b.c>", b"503"),
            (b"DATA", b"503"),
            (b"VRFY root", b"502"),
            (b"HELO x", b"250"),
            (b"QUIT", b"221"),
        ):
            sock.sendall(command + b"\r\n")
            assert reader.readline().startswith(code), command
    assert smtp.sink.entries() == []


def test_the_smtp_catcher_refuses_a_mail_over_its_size(sinks, monkeypatch) -> None:
    from spkt.channels import sinks as module

    monkeypatch.setattr(module, "MAX_MAIL", 1000)
    smtp, _provider, port, _base = sinks
    with (
        smtplib.SMTP("127.0.0.1", port, timeout=5) as client,
        pytest.raises(smtplib.SMTPDataError) as refused,
    ):
        client.sendmail("a@b.c", ["warga@example.id"], "Subject: x\r\n\r\n" + "x" * 5000)
    assert refused.value.smtp_code == 552
    assert smtp.sink.entries() == []


def test_the_provider_stub_answers_like_the_android_gateway(sinks) -> None:
    _smtp, provider, _port, base = sinks
    body = {"id": "spkt-7", "textMessage": {"text": "Halo"}, "phoneNumbers": ["+6281234567890"]}
    answer = post(f"{base}/android/message", json.dumps(body).encode(), Authorization="Basic eDp5")
    assert answer.status == 202
    assert answer.json()["id"] == "spkt-7"
    assert post(f"{base}/android/message", json.dumps(body).encode()).status == 401
    [entry] = provider.sink.entries()
    assert (entry["kind"], entry["to"], entry["text"]) == ("sms", "+6281234567890", "Halo")


@pytest.mark.parametrize(
    ("path", "data", "headers", "status"),
    [
        ("/android/message", b"not json", {"Authorization": "Basic eDp5"}, 400),
        ("/android/message", b"[1, 2]", {"Authorization": "Basic eDp5"}, 400),
        ("/android/message", b'{"phoneNumbers": []}', {"Authorization": "Basic eDp5"}, 400),
        ("/whatsapp/v21.0/1055/messages", b'{"to": "62812"}', {"Authorization": "Bearer t"}, 400),
        ("/whatsapp/v21.0/1055/messages", b'{"to": "1", "text": {"body": "x"}}', {}, 401),
        ("/whatsapp/v21.0/../messages", b"{}", {"Authorization": "Bearer t"}, 404),
        ("/elsewhere", b"{}", {}, 404),
        ("/android/message", b"x" * (MAX_BODY + 1), {"Authorization": "Basic eDp5"}, 413),
    ],
)
def test_the_provider_stub_refuses_bad_requests(sinks, path, data, headers, status) -> None:
    _smtp, provider, _port, base = sinks
    assert post(base + path, data, **headers).status == status
    assert provider.sink.entries() == []


def test_the_page_lists_what_citizens_received_escaped(sinks) -> None:
    _smtp, _provider, _port, base = sinks
    body = {"to": "6281234567890", "type": "text", "text": {"body": "<script>x()</script>"}}
    answer = post(
        f"{base}/whatsapp/v21.0/1055/messages", json.dumps(body).encode(), Authorization="Bearer t"
    )
    assert answer.status == 200
    assert answer.json()["messages"][0]["id"].startswith("wamid.DEMO")
    page = http.call("GET", base + "/").body.decode()
    assert "&lt;script&gt;x()&lt;/script&gt;" in page
    assert "<script>" not in page
    assert "6281234567890" in page
    listed = json.loads(http.call("GET", base + "/received.json").body)
    assert [e["kind"] for e in listed] == ["whatsapp"]


def test_an_sms_is_reported_sent_then_delivered_signed_like_the_app(provider, tmp_path) -> None:
    provider.on("POST", "/hooks/sms/demo/", {"status": "ok"})
    provider.on("POST", "/hooks/sms/demo/", {"status": "ok"})
    reports = DeliveryReports(provider.base + "/hooks/sms/demo/", "kunci-demo", delay=0)
    port, provider_port = free_port(), free_port()
    smtp, stub = serve(
        host="127.0.0.1",
        smtp_port=port,
        provider_port=provider_port,
        directory=tmp_path / "s",
        reports=reports,
    )
    try:
        body = {"id": "spkt-9", "textMessage": {"text": "Halo"}, "phoneNumbers": ["+62812"]}
        answer = post(
            f"http://127.0.0.1:{provider_port}/android/message",
            json.dumps(body).encode(),
            Authorization="Basic eDp5",
        )
        assert answer.status == 202
        for _ in range(100):  # the reports come from a thread: wait for both, up to 10 s
            if len(provider.requests("POST")) >= 2:
                break
            time.sleep(0.1)
    finally:
        for server in (smtp, stub):
            server.shutdown()
            server.server_close()
    seen = provider.requests("POST")
    assert [s.json()["event"] for s in seen] == ["sms:sent", "sms:delivered"]
    for request in seen:
        assert request.json()["payload"]["messageId"] == "spkt-9"
        smsgate.signature_check(  # raises when the signature or its time is wrong
            key="kunci-demo",
            body=request.body,
            timestamp=request.headers["x-timestamp"],
            signature=request.headers["x-signature"],
        )
