"""The channel-account admin: secrets can be set and replaced, never read back."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from spkt.channels.models import ChannelAccount
from spkt.core.models import AuditEvent
from spkt.org.models import User


@pytest.fixture
def root(client, db):
    user = User.objects.create_superuser("root", password="x-very-long-pass-1")
    client.force_login(user)
    return user


def form(unit, **overrides) -> dict:
    data = {
        "unit": unit.pk,
        "channel": "telegram",
        "name": "Bot Polsek",
        "slug": "tg-polsek",
        "config": json.dumps({"api_base": "https://api.telegram.org"}),
        "active": "on",
        "bot_token": "999:rahasia-bot",
        "webhook_secret": "rahasia-webhook",
    }
    data.update(overrides)
    return data


def test_an_admin_sets_secrets_that_are_stored_encrypted(client, root, selatan) -> None:
    answer = client.post(reverse("admin:channels_channelaccount_add"), form(selatan))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    account = ChannelAccount.objects.get()
    assert account.secrets == {"bot_token": "999:rahasia-bot", "webhook_secret": "rahasia-webhook"}
    assert "rahasia" not in account.secrets_encrypted
    event = AuditEvent.objects.get(action="channels.account.secrets_changed")
    assert event.data == {"names": ["bot_token", "webhook_secret"]}


def test_the_change_page_never_shows_a_secret(client, root, selatan) -> None:
    client.post(reverse("admin:channels_channelaccount_add"), form(selatan))
    account = ChannelAccount.objects.get()
    page = client.get(reverse("admin:channels_channelaccount_change", args=[account.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "rahasia-bot" not in html
    assert "rahasia-webhook" not in html
    assert "bot_token, webhook_secret" in html  # which ones are set, by name
    assert "/hooks/telegram/tg-polsek/" in html


def test_a_blank_secret_keeps_the_stored_value_and_forget_removes_one(
    client, root, selatan
) -> None:
    client.post(reverse("admin:channels_channelaccount_add"), form(selatan))
    account = ChannelAccount.objects.get()
    change = reverse("admin:channels_channelaccount_change", args=[account.pk])
    answer = client.post(change, form(selatan, bot_token="", webhook_secret="baru"))
    assert answer.status_code == 302
    account.refresh_from_db()
    assert account.secrets == {"bot_token": "999:rahasia-bot", "webhook_secret": "baru"}
    answer = client.post(
        change,
        form(selatan, bot_token="", webhook_secret="", channel="email", forget=["webhook_secret"]),
    )
    assert answer.status_code == 302
    account.refresh_from_db()
    assert account.secrets == {"bot_token": "999:rahasia-bot"}


def test_a_channel_cannot_be_saved_without_what_it_needs(client, root, selatan) -> None:
    answer = client.post(
        reverse("admin:channels_channelaccount_add"),
        form(selatan, channel="sms", config="{}", bot_token="", webhook_secret=""),
    )
    assert answer.status_code == 200
    assert "Wajib" in answer.content.decode()
    assert not ChannelAccount.objects.exists()


def test_an_api_base_must_be_an_http_url(client, root, selatan) -> None:
    answer = client.post(
        reverse("admin:channels_channelaccount_add"),
        form(selatan, config=json.dumps({"api_base": "file:///etc/passwd"})),
    )
    assert answer.status_code == 200
    assert not ChannelAccount.objects.exists()


def test_an_officer_cannot_open_the_admin(client, petugas) -> None:
    client.force_login(petugas)
    answer = client.get(reverse("admin:channels_channelaccount_changelist"))
    assert answer.status_code == 302  # to the admin login
