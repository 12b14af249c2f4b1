import pytest
from django.test import Client
from django.urls import reverse

from spkt.conftest import issue

URL = reverse("dutylog:today")


@pytest.mark.parametrize("persona", ["petugas", "ka_spkt", "kapolsek", "reskrim", "penilai"])
def test_the_shift_book_shows_automatic_entries(
    client: Client, petugas, selatan, persona, request
) -> None:
    doc = issue(petugas, selatan)
    client.force_login(request.getfixturevalue(persona))
    page = client.get(URL).content.decode()
    assert f"Menerbitkan {doc.number}" in page


def test_the_htmx_refresh_returns_only_the_entries(client: Client, petugas, selatan) -> None:
    issue(petugas, selatan)
    client.force_login(petugas)
    page = client.get(URL, headers={"HX-Request": "true"}).content.decode()
    assert "<table" in page
    assert "<html" not in page


def test_another_station_cannot_read_the_book(client: Client, outsider, selatan) -> None:
    client.force_login(outsider)
    assert client.get(URL, {"unit": selatan.pk}).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, db) -> None:
    assert client.get(URL).status_code == 302


def test_a_poll_after_the_session_expired_sends_the_page_to_login(client: Client, db) -> None:
    """The card polls every 15 s; the login form must not be swapped into it."""
    page = "http://testserver/mutasi/?unit=1"
    response = client.get(URL, headers={"HX-Request": "true", "HX-Current-URL": page})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("login") + "?next=%2Fmutasi%2F%3Funit%3D1"
    assert response.content == b""
