"""What every webhook answers the same way: unknown accounts, malformed and oversized bodies."""

from __future__ import annotations

import pytest
from django.urls import reverse

from spkt.channels.tests.helpers import raw, signed_headers
from spkt.intake.models import Contact

HOOKS = [
    ("whatsapp", "channels:whatsapp-webhook", "wa-selatan", "whatsapp_account"),
    ("meta", "channels:meta-webhook", "fb-selatan", "facebook_account"),
    ("telegram", "channels:telegram-webhook", "tg-selatan", "telegram_account"),
    ("sms", "channels:sms-webhook", "sms-selatan", "sms_account"),
]


@pytest.fixture(params=HOOKS, ids=[h[0] for h in HOOKS])
def hook(request):
    kind, name, slug, account = request.param
    return kind, name, slug, request.getfixturevalue(account)


def post(client, kind: str, url: str, body: bytes):
    return client.post(
        url, data=body, content_type="application/json", headers=signed_headers(kind, body)
    )


def test_an_unknown_slug_is_404(client, hook) -> None:
    kind, name, _slug, _account = hook
    assert post(client, kind, reverse(name, args=["tidak-ada"]), raw({})).status_code == 404


def test_an_inactive_account_is_404(client, hook) -> None:
    kind, name, slug, account = hook
    account.active = False
    account.save()
    assert post(client, kind, reverse(name, args=[slug]), raw({})).status_code == 404


def test_an_account_of_another_channel_is_404(client, hook, sms_account, telegram_account) -> None:
    kind, name, _slug, _account = hook
    other = "tg-selatan" if kind == "sms" else "sms-selatan"
    assert post(client, kind, reverse(name, args=[other]), raw({})).status_code == 404


# A permanent refusal: 400 tells our SMS gateway not to send again; Meta and Telegram deliver
# again on anything but 2xx, so they get 200 "refused: ..." (docs/channels.md, section 2).
REFUSED = {"whatsapp": 200, "meta": 200, "telegram": 200, "sms": 400}


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[1, 2]", b'"text"', b""])
def test_a_signed_body_that_is_not_a_json_object_is_refused_for_good(client, hook, body) -> None:
    kind, name, slug, _account = hook
    answer = post(client, kind, reverse(name, args=[slug]), body)
    assert (answer.status_code, answer.content[:9]) == (REFUSED[kind], b"refused: ")
    assert not Contact.objects.exists()


def test_a_body_over_the_upload_limit_is_413_and_stores_nothing(client, hook, settings) -> None:
    kind, name, slug, _account = hook
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    body = raw({"text": "x" * 4000})
    assert post(client, kind, reverse(name, args=[slug]), body).status_code == 413
    assert not Contact.objects.exists()


def test_a_signed_payload_without_messages_is_acknowledged(client, hook) -> None:
    kind, name, slug, _account = hook
    body = raw({"id": "gw-1", "type": "status", "status": "sent"} if kind == "sms" else {})
    assert post(client, kind, reverse(name, args=[slug]), body).status_code == 200


def test_webhooks_need_no_csrf_token(hook) -> None:
    from django.test import Client

    kind, name, slug, _account = hook
    strict = Client(enforce_csrf_checks=True)
    assert post(strict, kind, reverse(name, args=[slug]), raw({})).status_code != 403


@pytest.mark.parametrize("name", ["channels:telegram-webhook", "channels:sms-webhook"])
def test_only_post_is_allowed_where_there_is_no_handshake(
    client, name, telegram_account, sms_account
) -> None:
    slug = "tg-selatan" if "telegram" in name else "sms-selatan"
    assert client.get(reverse(name, args=[slug])).status_code == 405


def test_a_payload_the_database_cannot_take_is_a_503_retry(client, hook, monkeypatch) -> None:
    """A restart or failover mid-delivery: nothing stored, and the provider delivers again."""
    from django.db import OperationalError

    from spkt.channels import inbound
    from spkt.channels.models import InboundPayload

    def gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(inbound, "store", gone)
    kind, name, slug, _account = hook
    body = raw({"id": "gw-9", "type": "status", "status": "sent"} if kind == "sms" else {})
    answer = post(client, kind, reverse(name, args=[slug]), body)
    assert (answer.status_code, answer.content) == (503, b"retry")
    assert not InboundPayload.objects.exists()
