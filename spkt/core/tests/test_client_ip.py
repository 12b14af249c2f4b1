import pytest
from django.test import RequestFactory

from spkt.core.client_ip import client_ip


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "", "10.0.0.1"),
        (0, "6.6.6.6", "10.0.0.1"),  # no proxy: the header is the client's word, ignored
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # a forged entry to the left is skipped
        (2, "203.0.113.5, 192.168.1.2", "203.0.113.5"),
        (2, "", "10.0.0.1"),  # fewer hops than configured: the leftmost we have
    ],
)
def test_it_trusts_only_our_own_proxies(settings, trusted, forwarded, expected) -> None:
    settings.SPKT_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
