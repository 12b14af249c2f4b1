"""The one tracking-code generator (spkt.core.codes) and the one rate limiter (spkt.core.ratelimit)."""

from __future__ import annotations

from django.core.cache import cache
from django.test import RequestFactory

from spkt.core.codes import CODE_ALPHABET, random_code, tracking_code
from spkt.core.ratelimit import rate_limited


def test_tracking_codes_are_ten_characters_that_read_aloud() -> None:
    codes = {tracking_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 10
        assert set(code) <= set(CODE_ALPHABET)
    assert not set("01IO") & set(CODE_ALPHABET)
    assert len(random_code(8)) == 8


def test_the_limit_counts_per_scope_and_address() -> None:
    here = RequestFactory().post("/", REMOTE_ADDR="192.0.2.1")
    there = RequestFactory().post("/", REMOTE_ADDR="192.0.2.2")
    keys = ["spkt:t:192.0.2.1", "spkt:t:192.0.2.2", "spkt:other:192.0.2.1"]
    cache.delete_many(keys)
    assert [rate_limited(here, scope="t", limit=2, window=60) for _ in range(3)] == [
        False,
        False,
        True,
    ]
    assert not rate_limited(there, scope="t", limit=2, window=60)
    assert not rate_limited(here, scope="other", limit=2, window=60)
    cache.delete("spkt:t:192.0.2.1")  # the window ended
    assert not rate_limited(here, scope="t", limit=2, window=60)
    cache.delete_many(keys)
