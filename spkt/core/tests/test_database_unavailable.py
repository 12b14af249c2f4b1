"""A database connection lost mid-request is answered 503 with Retry-After, never 500."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from spkt.conftest import PASSWORD
from spkt.core.middleware import DatabaseUnavailableMiddleware


@pytest.mark.django_db
def test_a_page_whose_database_drops_out_says_try_again(client, petugas, monkeypatch) -> None:
    def lost(**kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr("spkt.intake.selectors.inbox", lost)
    client.post(reverse("login"), {"username": petugas.username, "password": PASSWORD})
    response = client.get(reverse("intake:inbox"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Coba lagi" in response.content.decode()


def _never_reached(request: HttpRequest) -> HttpResponse:
    raise AssertionError("the middleware answers an exception, it does not call the view")


def test_the_api_and_webhooks_get_json() -> None:
    middleware = DatabaseUnavailableMiddleware(_never_reached)
    for path in ("/api/contacts/", "/hooks/whatsapp/x/"):
        response = middleware.process_exception(
            RequestFactory().post(path), OperationalError("server closed the connection")
        )
        assert response.status_code == 503
        assert "Coba lagi" in json.loads(response.content)["detail"]


def test_other_errors_are_left_alone() -> None:
    middleware = DatabaseUnavailableMiddleware(_never_reached)
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("x")) is None
