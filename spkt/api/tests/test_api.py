import json
import uuid
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from spkt.conftest import PASSWORD, issue
from spkt.core.models import AuditEvent
from spkt.documents.models import Document

ISSUE = reverse("api:sktlk-issue")


def payload(**overrides: object) -> dict[str, Any]:
    body: dict[str, Any] = {
        "idempotency_key": uuid.uuid4().hex,
        "citizen": {
            "name": "Hendra Pakaya",
            "nik": "7571021203790002",
            "birth_place": "Limboto",
            "birth_date": "1979-03-12",
            "gender": "L",
            "address": "Jl. Pertiwi 5",
        },
        "items": [{"kind": "STNK", "details": "DM 4521 AB", "papers_checked": True}],
        "lost_on": "2026-11-20",
        "lost_place": "Jl. Nani Wartabone",
    }
    body.update(overrides)
    return body


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_a_token_is_obtained_with_the_password_and_works(petugas) -> None:
    response = APIClient().post(reverse("api:token"), {"username": "petugas", "password": PASSWORD})
    token = response.json()["token"]
    assert Token.objects.get(user=petugas).key == token
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(reverse("api:units")).status_code == 200


def test_anonymous_requests_are_refused(db) -> None:
    assert api().get(reverse("api:documents")).status_code == 401
    assert api().post(ISSUE, payload(), format="json").status_code == 401


def test_the_desk_officer_issues_an_sktlk(petugas) -> None:
    response = api(petugas).post(ISSUE, payload(), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["number"].startswith("SKTLK/1/")
    assert body["status"] == "valid"
    # No NIK field and no NIK (not just the letters "nik", which a random token may hold).
    assert not [key for key in _keys(body) if "nik" in key.lower()]
    assert payload()["citizen"]["nik"] not in json.dumps(body)


def _keys(value: object) -> list[str]:
    """Every key of a JSON value, at any depth."""
    if isinstance(value, dict):
        return [k for key, item in value.items() for k in [key, *_keys(item)]]
    if isinstance(value, list):
        return [k for item in value for k in _keys(item)]
    return []


@pytest.mark.parametrize("persona", ["kapolsek", "reskrim", "penilai", "polres_staff"])
def test_roles_that_do_not_issue_get_403(persona, request) -> None:
    response = api(request.getfixturevalue(persona)).post(ISSUE, payload(), format="json")
    assert response.status_code == 403
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (payload(items=[]), "items"),
        (payload(citizen={**payload()["citizen"], "nik": "12"}), "citizen"),
        (payload(citizen={**payload()["citizen"], "birth_date": 5}), "citizen"),
        (payload(lost_on="besok"), "lost_on"),
        ({k: v for k, v in payload().items() if k != "lost_place"}, "lost_place"),
        (payload(items=[{"kind": "MOBIL"}]), "items"),
        (payload(items="KTP"), "items"),
    ],
)
def test_bad_input_is_a_400_and_stores_nothing(petugas, body, field) -> None:
    response = api(petugas).post(ISSUE, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Document.objects.exists()


def test_malformed_json_is_a_400(petugas) -> None:
    response = api(petugas).post(ISSUE, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert not Document.objects.exists()


def test_a_huge_body_is_refused(petugas, settings) -> None:
    body = payload(chronology="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    response = api(petugas).post(ISSUE, body, format="json")
    assert response.status_code in (400, 413)
    assert not Document.objects.exists()


def test_a_retried_request_returns_the_same_document(petugas) -> None:
    body = payload()
    first = api(petugas).post(ISSUE, body, format="json").json()
    second = api(petugas).post(ISSUE, body, format="json").json()
    assert first["id"] == second["id"]
    assert Document.objects.count() == 1


def test_documents_are_scoped_to_the_station(petugas, outsider, selatan) -> None:
    doc = issue(petugas, selatan)
    assert api(petugas).get(reverse("api:documents")).json()["count"] == 1
    assert api(outsider).get(reverse("api:documents")).json()["count"] == 0
    assert api(outsider).get(reverse("api:document", args=[doc.pk])).status_code == 404
    assert api(outsider).get(reverse("api:document-pdf", args=[doc.pk])).status_code == 404
    assert api(outsider).get(reverse("api:mutasi"), {"unit": selatan.pk}).status_code == 404
    assert api(outsider).get(reverse("api:report-daily"), {"unit": selatan.pk}).status_code == 404


def test_the_polres_reads_its_polsek(polres_staff, petugas, selatan) -> None:
    doc = issue(petugas, selatan)
    client = api(polres_staff)
    assert client.get(reverse("api:document", args=[doc.pk])).json()["number"] == doc.number
    report = client.get(reverse("api:report-daily"), {"unit": selatan.pk}).json()
    assert report["unit"] == selatan.pk


def test_the_pdf_and_the_mutasi_are_served(petugas, selatan) -> None:
    doc = issue(petugas, selatan)
    client = api(petugas)
    pdf = client.get(reverse("api:document-pdf", args=[doc.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert len(pdf["X-Content-SHA256"]) == 64
    assert AuditEvent.objects.filter(action="document.pdf.downloaded", actor=petugas).exists()
    entries = client.get(reverse("api:mutasi")).json()
    assert entries[0]["text"].startswith(f"Menerbitkan {doc.number}")


def test_the_schema_and_offline_docs_are_served(petugas) -> None:
    client = APIClient()
    client.force_login(petugas)  # the docs page is a login_required page, the schema an API view
    schema = client.get(reverse("api:schema"), {"format": "json"})
    assert schema.status_code == 200
    assert "/api/documents/sktlk/" in schema.content.decode()
    docs = client.get(reverse("api:docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/" in docs
    assert 'src="http' not in docs
    assert 'href="http' not in docs


def test_an_item_whose_papers_were_not_checked_is_refused(petugas) -> None:
    body = payload(items=[{"kind": "STNK"}])
    response = api(petugas).post(ISSUE, body, format="json")
    assert response.status_code == 400
    assert "Persyaratan" in str(response.json())
    assert not Document.objects.exists()


def test_the_openapi_schema_generates_without_warnings(tmp_path) -> None:
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    assert "/api/mutasi/{id}/" in out.read_text()
