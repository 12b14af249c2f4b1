"""The desk's one login check (spkt.core.decorators) and the one error helper (spkt.core.errors)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from spkt.core.decorators import desk_login_required
from spkt.core.errors import flash_errors, messages_text


@desk_login_required
def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("the page")


def _request(path: str, **headers: str) -> HttpRequest:
    request: Any = RequestFactory().get(path, headers=headers)  # given what the middleware adds
    request.user = AnonymousUser()
    request.htmx = HtmxDetails(request)
    return request


def test_a_page_load_without_a_session_redirects_to_login_with_next() -> None:
    response = page(_request("/buku/?unit=2"))
    assert response.status_code == 302
    assert response["Location"] == "/masuk/?next=/buku/%3Funit%3D2"


def test_an_htmx_request_without_a_session_sends_the_whole_page_to_login() -> None:
    response = page(
        _request("/buku/", HX_Request="true", HX_Current_URL="http://testserver/buku/?unit=2")
    )
    assert response.status_code == 200
    assert response.content == b""
    assert response["HX-Redirect"] == "/masuk/?next=%2Fbuku%2F%3Funit%3D2"


def test_an_htmx_request_from_another_origin_returns_to_the_polled_path() -> None:
    response = page(_request("/buku/", HX_Request="true", HX_Current_URL="http://evil.test/x"))
    assert response["HX-Redirect"] == "/masuk/?next=%2Fbuku%2F"


def test_a_signed_in_user_gets_the_page(django_user_model, db) -> None:
    request = _request("/buku/", HX_Request="true")
    request.user = django_user_model.objects.create_user(username="u", password="p-12345678!")
    assert page(request).content == b"the page"


def test_messages_text_joins_every_message() -> None:
    exc = ValidationError(["Satu.", "Dua."])
    assert messages_text(exc) == "Satu. Dua."
    assert messages_text(exc, "; ") == "Satu.; Dua."


def test_flash_errors_adds_one_error_per_message() -> None:
    request: Any = RequestFactory().post("/")  # given what the middleware adds
    request.session = {}
    request._messages = FallbackStorage(request)
    flash_errors(request, ValidationError({"a": ["Satu."], "b": ["Dua."]}))
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [
        ("error", "Satu."),
        ("error", "Dua."),
    ]


def test_no_view_uses_djangos_plain_login_required() -> None:
    """One desk decorator: a plain ``login_required`` would swap the login form into a polled
    card when the session expires."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    plain = re.compile(r"^\s*@login_required\b|auth\.decorators import .*\blogin_required\b", re.M)
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts and plain.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
