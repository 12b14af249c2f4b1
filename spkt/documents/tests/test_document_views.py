import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from spkt.conftest import issue
from spkt.core.models import AuditEvent
from spkt.documents.models import DocumentVoid


@pytest.fixture
def doc(petugas, selatan):
    return issue(petugas, selatan)


@pytest.mark.parametrize(
    "persona", ["petugas", "ka_spkt", "kapolsek", "reskrim", "penilai", "polres_staff"]
)
def test_staff_of_the_station_and_above_see_the_document(
    client: Client, doc, persona, request
) -> None:
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("documents:detail", args=[doc.pk]))
    assert response.status_code == 200
    assert doc.number in response.content.decode()
    assert "757102********03" in response.content.decode()


def test_another_station_gets_not_found(client: Client, doc, outsider) -> None:
    client.force_login(outsider)
    assert client.get(reverse("documents:detail", args=[doc.pk])).status_code == 404
    assert client.get(reverse("documents:pdf", args=[doc.pk])).status_code == 404
    assert client.post(reverse("documents:void", args=[doc.pk]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("documents:list")).content.decode().count(doc.number) == 0


def test_the_pdf_downloads_and_is_audited(client: Client, doc, reskrim) -> None:
    client.force_login(reskrim)
    response = client.get(reverse("documents:pdf", args=[doc.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.getvalue().startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="document.pdf.downloaded", actor=reskrim).exists()


def test_anonymous_users_are_sent_to_login(client: Client, doc) -> None:
    for name in ("documents:detail", "documents:pdf"):
        assert client.get(reverse(name, args=[doc.pk])).status_code == 302


def test_the_ka_spkt_voids_with_a_reason(client: Client, doc, ka_spkt) -> None:
    client.force_login(ka_spkt)
    client.post(reverse("documents:void", args=[doc.pk]), {"reason": "Data pelapor salah ketik"})
    assert DocumentVoid.objects.get(document=doc).reason == "Data pelapor salah ketik"


@pytest.mark.parametrize("persona", ["petugas", "reskrim", "penilai", "polres_staff"])
def test_other_roles_cannot_void(client: Client, doc, persona, request) -> None:
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("documents:void", args=[doc.pk]), {"reason": "x"})
    assert response.status_code == 403
    assert not DocumentVoid.objects.exists()


def test_a_void_without_reason_changes_nothing(client: Client, doc, ka_spkt) -> None:
    client.force_login(ka_spkt)
    client.post(reverse("documents:void", args=[doc.pk]), {"reason": " "})
    assert not DocumentVoid.objects.exists()


def test_the_register_lists_documents_with_a_fixed_number_of_queries(
    client: Client, petugas, selatan
) -> None:
    client.force_login(petugas)
    issue(petugas, selatan)
    client.get(reverse("documents:list"))  # warm the session and role caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("documents:list"))
    for _ in range(5):
        issue(petugas, selatan)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("documents:list"))
    assert response.content.decode().count("SKTLK/") >= 6
    assert len(many) == len(few)


def test_a_malformed_unit_filter_is_not_found(client: Client, petugas) -> None:
    client.force_login(petugas)
    assert client.get(reverse("documents:list") + "?unit=abc").status_code == 404
