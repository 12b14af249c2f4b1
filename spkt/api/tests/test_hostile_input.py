"""Bad input gets a 4xx with a clear message and changes nothing; the API says how to log in."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from spkt.api.serializers import DailyReportSerializer, MutasiSerializer
from spkt.api.tests.test_api import payload as sktlk
from spkt.conftest import issue
from spkt.core.models import AuditEvent
from spkt.documents.models import Document
from spkt.dutylog.models import Mutasi

ISSUE = reverse("api:sktlk-issue")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@pytest.fixture
def api(petugas) -> APIClient:
    client = APIClient()
    client.force_authenticate(petugas)
    return client


@pytest.fixture
def urls(petugas, selatan) -> list[str]:
    """Every endpoint that reads a JSON body."""
    entry = issue(petugas, selatan) and Mutasi.objects.filter(unit=selatan).first()
    return [ISSUE, reverse("api:mutasi"), reverse("api:mutasi-correct", args=[entry.pk])]


def stored() -> tuple[int, int]:
    return Document.objects.count(), Mutasi.objects.count()


def post_raw(api: APIClient, url: str, body: bytes):
    return api.post(url, body, content_type="application/json")


def test_the_control_a_plain_body_is_accepted(api) -> None:
    assert post_raw(api, ISSUE, json.dumps(sktlk()).encode()).status_code == 201


@pytest.mark.parametrize("levels", [32, 5000, 200_000])  # with the object: 33 levels and more
def test_deeply_nested_json_is_a_400(api, urls, levels) -> None:
    before = stored()
    for url in urls:
        body = json.dumps(sktlk(chronology="@")).encode()
        body = body.replace(b'"@"', b"[" * levels + b"]" * levels)
        answer = post_raw(api, url, body)
        assert answer.status_code == 400, url
        assert answer.json()["detail"] == "JSON bersarang terlalu dalam (paling banyak 32 tingkat)."
    assert stored() == before


def test_nesting_up_to_the_limit_is_parsed(api) -> None:
    # 32 levels in all: the object itself, then 31 arrays; the serializer then refuses the field.
    body = json.dumps(sktlk(chronology="@")).encode().replace(b'"@"', b"[" * 31 + b"]" * 31)
    answer = post_raw(api, ISSUE, body)
    assert answer.status_code == 400
    assert "chronology" in answer.json()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"text": "Patroli \\ud800", "category": "patroli"}', "surrogate tunggal"),
        (b'{"text": "Patroli \\udfff", "category": "patroli"}', "surrogate tunggal"),
        (b'{"text": "caf\xe9", "category": "patroli"}', "UTF-8"),
        (b'{"text": "\xed\xa0\x80", "category": "patroli"}', "UTF-8"),
        (b'{"text": "x", "category": "patroli", "red": NaN}', "JSON tidak sah"),
        (b'{"text": "x", "category": "patroli"', "JSON tidak sah"),
        (b'{"text": 1' + b"0" * 5000 + b"}", "JSON tidak sah"),
    ],
)
def test_text_that_no_database_stores_is_a_400(api, urls, body, message) -> None:
    before = stored()
    for url in urls:
        answer = post_raw(api, url, body)
        assert answer.status_code == 400, url
        assert message in answer.json()["detail"]
    assert stored() == before


def test_an_emoji_written_as_a_surrogate_pair_is_fine(api) -> None:
    body = json.dumps(sktlk(chronology="Dompet hilang \U0001f45b")).encode()
    assert b"\\ud83d\\udc5b" in body
    assert post_raw(api, ISSUE, body).status_code == 201


def test_a_body_over_the_limit_is_a_413(api, settings) -> None:
    body = json.dumps(sktlk(chronology="x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE)).encode()
    answer = post_raw(api, ISSUE, body)
    assert answer.status_code == 413
    assert answer.json() == {"detail": "Ukuran data terlalu besar."}
    assert stored() == (0, 0)


@pytest.mark.parametrize("header", [None, "Token salah", "Token", "Bearer abc", "Basic eDp5"])
def test_a_missing_or_bad_token_is_a_401_that_says_how_to_log_in(db, header) -> None:
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    for answer in (
        client.get(reverse("api:documents")),
        client.post(ISSUE, sktlk(), format="json"),
    ):
        assert answer.status_code == 401
        assert answer["WWW-Authenticate"] == "Token"
        assert answer.json()["detail"]
    assert not Document.objects.exists()


def test_the_schema_needs_a_login(db) -> None:
    answer = APIClient().get(reverse("api:schema"))
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == "Token"


def test_the_docs_send_an_anonymous_visitor_to_the_login_page(client) -> None:
    answer = client.get(reverse("api:docs"))
    assert answer.status_code == 302
    assert answer["Location"] == f"{reverse('login')}?next={reverse('api:docs')}"


def test_the_schema_is_served_with_a_token(petugas) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=petugas).key}")
    answer = client.get(reverse("api:schema"), {"format": "json"})
    assert answer.status_code == 200
    assert "/api/mutasi/" in answer.json()["paths"]


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (datetime(2026, 12, 1, 2, tzinfo=UTC), "2026-12-01T10:00:00+08:00"),
        (datetime(1800, 1, 1, tzinfo=UTC), "1800-01-01T00:00:00Z"),
        (datetime(1900, 1, 1, tzinfo=ZoneInfo("Asia/Makassar")), "1899-12-31T16:02:24Z"),
        (datetime(9999, 12, 31, 23, tzinfo=UTC), "9999-12-31T23:00:00Z"),
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00Z"),
    ],
)
def test_date_times_are_written_as_rfc3339_at_any_date(at, expected) -> None:
    # Before 1901 Asia/Makassar is at local mean time, +07:57:36, which RFC 3339 cannot write.
    text = MutasiSerializer(Mutasi(at=at)).data["at"]
    assert (text, bool(RFC3339.match(text))) == (expected, True)
    assert DailyReportSerializer().fields["start"].to_representation(at) == expected


def test_an_out_of_range_date_time_in_the_body_is_a_400(api, urls) -> None:
    before = stored()
    body = {"text": "Patroli.", "category": "patroli", "at": "9999-12-31T23:59:59-12:00"}
    answer = api.post(reverse("api:mutasi"), body, format="json")
    assert answer.status_code == 400
    assert "at" in answer.json()
    assert stored() == before
    assert not AuditEvent.objects.filter(action="dutylog.mutasi.written").exists()
