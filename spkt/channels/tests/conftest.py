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
    ANDROID_KEY,
    ANDROID_PASSWORD,
    ANDROID_USER,
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


@pytest.fixture
def android_account(selatan, provider: Provider) -> ChannelAccount:
    return _account(
        selatan,
        "sms",
        "sms-android",
        {"gateway": "android", "api_url": provider.base + "/android", "username": ANDROID_USER},
        {"gateway_password": ANDROID_PASSWORD, "signing_key": ANDROID_KEY},
    )


GAMMU_SMSDRC = """\
[gammu]
model = dummy
connection = none
device = {root}/phone

[smsd]
service = files
inboxpath = {root}/inbox/
outboxpath = {root}/outbox/
sentsmspath = {root}/sent/
errorsmspath = {root}/error/
inboxformat = detail
outboxformat = unicode
transmitformat = auto
deliveryreport = sms
commtimeout = 1
receivefrequency = 1
loopsleep = 1
statusfrequency = 0
multiparttimeout = 2
checksecurity = 0
checkbattery = 0
checksignal = 0
checknetwork = 0
logfile = {root}/smsd.log
debuglevel = 1
runonreceive = {hook} {slug}
runonsent = {hook} --event sent {slug}
runonfailure = {hook} --event failed {slug}
"""


@pytest.fixture
def gammu_root(tmp_path):
    """A gammu-smsd setup (FILES backend, dummy phone) in a fresh directory."""
    root = tmp_path / "gammu"
    for name in ("inbox", "outbox", "sent", "error", *(f"phone/sms/{n}" for n in range(1, 6))):
        (root / name).mkdir(parents=True)
    return root


@pytest.fixture
def gammu_account(selatan, gammu_root) -> ChannelAccount:
    config = gammu_root / "smsdrc"
    hook = gammu_root / "hook.py"
    config.write_text(GAMMU_SMSDRC.format(root=gammu_root, hook=hook, slug="sms-gammu"))
    return _account(
        selatan, "sms", "sms-gammu", {"gateway": "gammu", "gammu_config": str(config)}, {}
    )


@pytest.fixture
def root(client, db):
    """A superuser, logged in (the channel accounts are set up in the admin)."""
    from spkt.org.models import User

    user = User.objects.create_superuser("root", password="x-very-long-pass-1")
    client.force_login(user)
    return user
