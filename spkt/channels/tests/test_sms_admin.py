"""Setting up the two SMS gateways in the admin: what each needs, and the connection test."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from spkt.channels.models import ChannelAccount
from spkt.channels.tests.test_admin import form

ADD = "admin:channels_channelaccount_add"
ANDROID = {"gateway": "android", "api_url": "http://192.168.1.10:8080", "username": "sms"}


def sms_form(unit, config: dict, **secrets) -> dict:
    return form(
        unit,
        channel="sms",
        slug="sms-polsek",
        config=json.dumps(config),
        bot_token="",
        webhook_secret="",
        **secrets,
    )


def test_an_android_gateway_is_saved_with_its_password_and_signing_key(client, root, selatan):
    data = sms_form(selatan, ANDROID, gateway_password="pw-rahasia", signing_key="key-rahasia")
    assert client.post(reverse(ADD), data).status_code == 302
    account = ChannelAccount.objects.get()
    assert account.sms_gateway == "android"
    assert account.secrets == {"gateway_password": "pw-rahasia", "signing_key": "key-rahasia"}
    page = client.get(reverse("admin:channels_channelaccount_change", args=[account.pk]))
    html = page.content.decode()
    assert "pw-rahasia" not in html
    assert "key-rahasia" not in html
    assert "/hooks/sms/sms-polsek/" in html  # the URL to register in the app


@pytest.mark.parametrize(
    ("config", "secrets"),
    [
        (ANDROID, {"gateway_password": "pw"}),  # no signing key
        ({**ANDROID, "api_url": "ftp://telepon"}, {"gateway_password": "pw", "signing_key": "k"}),
        ({"gateway": "gammu"}, {}),  # no gammu_config
        ({"gateway": "gammu", "gammu_config": "gammu-smsdrc"}, {}),  # not an absolute path
        ({"gateway": "modem-ajaib"}, {}),
    ],
)
def test_an_sms_gateway_cannot_be_saved_without_what_it_needs(
    client, root, selatan, config, secrets
) -> None:
    answer = client.post(reverse(ADD), sms_form(selatan, config, **secrets))
    assert answer.status_code == 200
    assert not ChannelAccount.objects.exists()


def test_a_gammu_account_has_no_webhook_and_its_connection_is_tested(
    client, root, gammu_account
) -> None:
    page = client.get(reverse("admin:channels_channelaccount_change", args=[gammu_account.pk]))
    assert "/hooks/sms/sms-gammu/" not in page.content.decode()
    answer = client.post(
        reverse("admin:channels_channelaccount_changelist"),
        {"action": "test_connection", "_selected_action": [gammu_account.pk]},
        follow=True,
    )
    # Read, checked, and reported: here the daemon is not running (when its monitor is installed).
    html = answer.content.decode()
    assert "ms-gammu: " in html  # the account's name (Django capitalises the message)
    assert "Konfigurasi Gammu lengkap" in html or "gammu-smsd tidak berjalan" in html


def test_a_gammu_account_refuses_webhooks(client, gammu_account) -> None:
    answer = client.post("/hooks/sms/sms-gammu/", data=b"{}", content_type="application/json")
    assert answer.status_code == 404
