"""Public links: the configured base in production; the desk's own host in development."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from spkt.core.publicurl import PublicBaseMiddleware, public_url


def test_the_configured_base_wins() -> None:
    with override_settings(SPKT_PUBLIC_BASE_URL="https://spkt.example.test"):
        assert public_url("/v/x/") == "https://spkt.example.test/v/x/"


@override_settings(SPKT_PUBLIC_BASE_URL="", ALLOWED_HOSTS=["192.168.1.20"])
def test_unset_links_follow_the_request_host_and_fall_back_outside_one(monkeypatch) -> None:
    seen = []
    middleware = PublicBaseMiddleware(
        lambda request: seen.append(public_url("/lacak/")) or HttpResponse()
    )
    middleware(RequestFactory().get("/", HTTP_HOST="192.168.1.20:8080"))
    assert seen == ["http://192.168.1.20:8080/lacak/"]
    # Outside a request (the worker): the port make run serves on.
    monkeypatch.setenv("SPKT_PORT", "8080")
    assert public_url("/lacak/") == "http://127.0.0.1:8080/lacak/"
    monkeypatch.delenv("SPKT_PORT")
    assert public_url("/lacak/") == "http://127.0.0.1:8000/lacak/"
