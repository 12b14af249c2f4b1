"""Authentic but hostile or broken bodies: correctly signed, so they pass the signature check, and
then refused for good (never a 500 "retry", nothing stored) or, for lone surrogates, repaired.

A permanent refusal is 400 for our SMS gateway and 200 "refused: ..." for Meta and Telegram, which
deliver again on any other answer (docs/channels.md, section 2)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from spkt.channels.email import receive_raw
from spkt.channels.models import ChannelAccount
from spkt.channels.tests.helpers import signed_headers
from spkt.core import clock
from spkt.dutylog.models import Mutasi
from spkt.intake.models import Contact, Message

HOOKS = {
    "whatsapp": ("channels:whatsapp-webhook", "wa-selatan", "whatsapp_account"),
    "meta": ("channels:meta-webhook", "fb-selatan", "facebook_account"),
    "telegram": ("channels:telegram-webhook", "tg-selatan", "telegram_account"),
    "sms": ("channels:sms-webhook", "sms-selatan", "sms_account"),
}
REFUSED = {"whatsapp": 200, "meta": 200, "telegram": 200, "sms": 400}
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 WITA


@pytest.fixture(autouse=True)
def _still_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(params=list(HOOKS))
def kind(request) -> str:
    request.getfixturevalue(HOOKS[request.param][2])
    return request.param


def post(client, kind: str, body: bytes):
    name, slug, _account = HOOKS[kind]
    return client.post(
        reverse(name, args=[slug]),
        data=body,
        content_type="application/json",
        headers=signed_headers(kind, body),
    )


def message(kind: str, text: str = "Tolong, ada kecelakaan", at: object = "now") -> dict:
    """One citizen's text as each provider posts it; ``at`` replaces the provider's time."""
    now = clock.now()
    seconds = int(now.timestamp()) - 30
    if kind == "whatsapp":
        when = str(seconds) if at == "now" else at
        return {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "metadata": {"phone_number_id": "1055"},
                                "messages": [
                                    {
                                        "from": "6281234567890",
                                        "id": "wamid.H1",
                                        "timestamp": when,
                                        "type": "text",
                                        "text": {"body": text},
                                    }
                                ],
                            },
                        }
                    ]
                }
            ],
        }
    if kind == "meta":
        when = seconds * 1000 if at == "now" else at
        event = {"sender": {"id": "2490011"}, "timestamp": when, "message": {"mid": "m_H1"}}
        event["message"]["text"] = text
        return {"object": "page", "entry": [{"id": "PAGE1", "messaging": [event]}]}
    if kind == "telegram":
        return {
            "update_id": 1,
            "message": {
                "message_id": 7,
                "chat": {"id": 5550123, "type": "private"},
                "date": seconds if at == "now" else at,
                "text": text,
            },
        }
    return {
        "id": "gw-H1",
        "from": "081234567890",
        "text": text,
        "received_at": (now - timedelta(seconds=30)).isoformat() if at == "now" else at,
    }


def counts() -> tuple[int, int, int]:
    return Contact.objects.count(), Message.objects.count(), Mutasi.objects.count()


def nested(levels: int) -> bytes:
    return b'{"entry": ' + b"[" * levels + b"]" * levels + b"}"


def test_a_plain_message_is_stored_on_every_channel(client, kind) -> None:
    # The control for the refusals below: the same builder, untouched, is accepted.
    answer = post(client, kind, json.dumps(message(kind)).encode())
    assert (answer.status_code, answer.content) == (200, b"ok")
    assert Message.objects.get().body == "Tolong, ada kecelakaan"


@pytest.mark.parametrize("levels", [40, 100_000])
def test_deeply_nested_json_is_refused_for_good(client, kind, levels) -> None:
    before = counts()
    answer = post(client, kind, nested(levels))
    assert answer.status_code == REFUSED[kind]
    assert answer.content.decode().startswith("refused: JSON bersarang terlalu dalam")
    assert counts() == before


def test_a_body_of_brackets_up_to_the_size_limit_is_refused(client, kind, settings) -> None:
    body = b"[" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 1)
    answer = post(client, kind, body)
    assert answer.status_code == REFUSED[kind]
    assert b"bersarang" in answer.content
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": "caf\xe9"}',  # Latin-1, not UTF-8
        b'{"text": "\xed\xa0\x80"}',  # a surrogate encoded as UTF-8 bytes
        b'{"text": "\xc0\xaf"}',  # an overlong encoding
    ],
)
def test_bytes_that_are_not_utf8_are_refused_for_good(client, kind, body) -> None:
    answer = post(client, kind, body)
    assert answer.status_code == REFUSED[kind]
    assert answer.content.decode() == "refused: Data bukan teks UTF-8 yang sah."
    assert not Contact.objects.exists()


def test_a_lone_surrogate_is_replaced_and_the_message_kept(client, kind) -> None:
    # An emoji cut in half where a long SMS was split into UTF-16 parts: the citizen's words are
    # kept, with U+FFFD where the half emoji was; a NUL (refused by PostgreSQL) is dropped.
    body = json.dumps(message(kind, text="Tolong \ud83d cepat\x00 \ud83d\ude91")).encode()
    assert b"\\ud83d cepat" in body  # the JSON escape a sender really sends
    answer = post(client, kind, body)
    assert (answer.status_code, answer.content) == (200, b"ok")
    assert Message.objects.get().body == "Tolong \ufffd cepat \U0001f691"


OUT_OF_RANGE = {
    "whatsapp": ["-62135596800", "253402300799", "0", "1" * 19, "1764300000.5", "kemarin", 1e9],
    "meta": [-62135596800000, 253402300799000, 0, 10**30, 1764300000000.5, "kemarin", True],
    "telegram": [-62135596800, 253402300799, -1, 10**30, 1764300000.5, "kemarin", [1]],
    "sms": [
        "0001-01-01T00:00:00+08:00",
        "9999-12-31T23:59:59-08:00",
        "1900-01-01T00:00:00+07:00",
        "2999-01-01T00:00:00+08:00",
        "+99999-01-01T00:00:00+08:00",
        1764300000,
        "kemarin",
    ],
}


@pytest.mark.parametrize("position", range(7))
def test_a_time_out_of_range_is_refused_and_nothing_stored(client, kind, position) -> None:
    before = counts()
    answer = post(client, kind, json.dumps(message(kind, at=OUT_OF_RANGE[kind][position])).encode())
    if kind == "sms":  # the whole body is the one message
        assert answer.status_code == 400
        assert answer.content.decode().startswith("refused: ")
    else:  # the payload is acknowledged (not delivered again); the worker refuses the message
        assert (answer.status_code, answer.content) == (200, b"ok")
    assert counts() == before


def test_a_time_a_little_ahead_of_our_clock_counts_as_now(client, kind) -> None:
    ahead = NOW + timedelta(hours=2)
    at = {
        "whatsapp": str(int(ahead.timestamp())),
        "meta": int(ahead.timestamp()) * 1000,
        "telegram": int(ahead.timestamp()),
        "sms": ahead.isoformat(),
    }[kind]
    assert post(client, kind, json.dumps(message(kind, at=at)).encode()).status_code == 200
    assert Message.objects.get().at == NOW


@pytest.mark.parametrize("shift", [timedelta(days=-45), timedelta(days=3)])
def test_a_plausible_time_far_from_ours_keeps_the_message_filed_when_received(
    client, kind, shift
) -> None:
    # A gateway that held messages while offline, a phone with a wrong clock: never dropped.
    far = NOW + shift
    at = {
        "whatsapp": str(int(far.timestamp())),
        "meta": int(far.timestamp()) * 1000,
        "telegram": int(far.timestamp()),
        "sms": far.isoformat(),
    }[kind]
    assert post(client, kind, json.dumps(message(kind, at=at)).encode()).status_code == 200
    assert Message.objects.get().at == NOW
    assert Contact.objects.get().received_at == NOW


def test_a_meta_read_watermark_out_of_range_is_ignored(client, facebook_account) -> None:
    read = {"sender": {"id": "2490011"}, "read": {"watermark": -62135596800000}}
    body = json.dumps({"object": "page", "entry": [{"id": "PAGE1", "messaging": [read]}]})
    answer = post(client, "meta", body.encode())
    assert (answer.status_code, answer.content) == (200, b"ok")


MAIL = (
    b"From: Rahma <rahma@example.test>\r\nTo: spkt@example.test\r\nSubject: Dompet hilang\r\n"
    b"Message-ID: <m1@example.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Dompet saya hilang di angkot.\r\n"
)


@pytest.mark.parametrize(
    "stamp", [datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, tzinfo=UTC)]
)
def test_a_mail_server_stamp_out_of_range_dates_the_mail_when_polled(selatan, stamp) -> None:
    account = ChannelAccount.objects.create(
        unit=selatan, channel="email", name="mail", slug="mail-selatan", config={}
    )
    assert receive_raw(account, MAIL, received_at=stamp) == "received"
    assert Contact.objects.get().received_at == NOW
