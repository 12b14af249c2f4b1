"""The HTTP helper: limits, schemes and redirects."""

from __future__ import annotations

import pytest

from spkt.core import http


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "http://", "nope"])
def test_only_http_urls_are_fetched(url) -> None:
    with pytest.raises(http.TransportError):
        http.call("GET", url)


def test_a_body_over_the_limit_is_refused(provider) -> None:
    provider.on("GET", "/big", raw=b"x" * 100, content_type="application/octet-stream")
    with pytest.raises(http.TooLargeError):
        http.call("GET", provider.base + "/big", limit=99)
    assert http.call("GET", provider.base + "/big", limit=100).body == b"x" * 100


def test_a_redirect_to_another_host_does_not_carry_the_token(provider) -> None:
    other = provider.base.replace("127.0.0.1", "localhost")
    provider.on("GET", "/media/1", status=302, raw=b"", headers={"Location": other + "/cdn/1"})
    provider.on("GET", "/cdn/1", raw=b"data", content_type="image/png")
    answer = http.call("GET", provider.base + "/media/1", headers={"Authorization": "Bearer t"})
    assert answer.body == b"data"
    first, second = provider.requests()
    assert first.headers["authorization"] == "Bearer t"
    assert "authorization" not in second.headers


def test_a_post_is_never_redirected(provider) -> None:
    provider.on("POST", "/send", status=307, raw=b"", headers={"Location": provider.base + "/x"})
    assert http.call("POST", provider.base + "/send", json_body={}).status == 307
    assert len(provider.requests()) == 1
