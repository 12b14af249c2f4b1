"""Fixtures: the fake provider server and one account per channel, pointed at it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest

from spkt.channels import senders
from spkt.channels.models import ChannelAccount
from spkt.channels.tests.helpers import (
    ACCESS_TOKEN,
    APP_SECRET,
    BOT_TOKEN,
    SMS_SECRET,
    VERIFY_TOKEN,
    WEBHOOK_SECRET,
    Provider,
    handler,
)


@pytest.fixture(scope="session")
def _provider_server() -> Iterator[Provider]:
    provider = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(provider))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    provider.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield provider
    server.shutdown()
    server.server_close()


@pytest.fixture
def provider(_provider_server: Provider) -> Iterator[Provider]:
    _provider_server.reset()
    yield _provider_server
    _provider_server.reset()


@pytest.fixture(autouse=True)
def _real_senders() -> None:
    # Other apps' tests swap senders in and out of the registry; these tests need the real ones.
    senders.register()


def _account(unit, channel: str, slug: str, config: dict, secrets: dict) -> ChannelAccount:
    account = ChannelAccount(unit=unit, channel=channel, name=slug, slug=slug, config=config)
    account.set_secrets(secrets)
    account.save()
    return account


META_SECRETS = {
    "verify_token": VERIFY_TOKEN,
    "app_secret": APP_SECRET,
    "access_token": ACCESS_TOKEN,
}


@pytest.fixture
def whatsapp_account(selatan, provider: Provider) -> ChannelAccount:
    return _account(
        selatan,
        "whatsapp",
        "wa-selatan",
        {"api_base": provider.base + "/v21.0", "phone_number_id": "1055"},
        META_SECRETS,
    )


@pytest.fixture
def facebook_account(selatan, provider: Provider) -> ChannelAccount:
    return _account(
        selatan,
        "facebook",
        "fb-selatan",
        {"api_base": provider.base + "/v21.0", "page_id": "PAGE1"},
        META_SECRETS,
    )


@pytest.fixture
def instagram_account(selatan, provider: Provider) -> ChannelAccount:
    return _account(
        selatan,
        "instagram",
        "ig-selatan",
        {"api_base": provider.base + "/v21.0", "page_id": "IG1"},
        META_SECRETS,
    )


@pytest.fixture
def telegram_account(selatan, provider: Provider) -> ChannelAccount:
    return _account(
        selatan,
        "telegram",
        "tg-selatan",
        {"api_base": provider.base},
        {"bot_token": BOT_TOKEN, "webhook_secret": WEBHOOK_SECRET},
    )


@pytest.fixture
def sms_account(selatan, provider: Provider) -> ChannelAccount:
    return _account(
        selatan,
        "sms",
        "sms-selatan",
        {"send_url": provider.base + "/gateway/send"},
        {"shared_secret": SMS_SECRET},
    )


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    # Attachments fetched from the fake provider are written to a throwaway directory.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
