"""The local push service, and a device of a user subscribed to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from spkt.alerts.models import PushSubscription
from spkt.alerts.services import subscription_save
from spkt.alerts.tests.pushserver import Browser, PushService, serve


@pytest.fixture(scope="session")
def _push_server() -> Iterator[PushService]:
    service, server = serve()
    yield service
    server.shutdown()
    server.server_close()


@pytest.fixture
def push_service(_push_server: PushService) -> Iterator[PushService]:
    _push_server.browsers.clear()
    _push_server.received.clear()
    _push_server.errors.clear()
    _push_server.answers.clear()
    yield _push_server
    assert not _push_server.errors, _push_server.errors  # every push decrypted and verified


@pytest.fixture
def phone(push_service: PushService) -> Callable[..., tuple[Browser, PushSubscription]]:
    """phone(user, "name"): a browser of that user, subscribed."""

    def make(user, name: str) -> tuple[Browser, PushSubscription]:
        browser = push_service.browser(name)
        return browser, subscription_save(user=user, data=browser.subscription(), label=name)

    return make
