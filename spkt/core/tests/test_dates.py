"""Dates typed by people (spkt.core.dates): one strict parser and range for every page, form and
API field that takes a date, so a far date is a 400 with the reason, never a 500."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from config.test_settings import UndefinedTemplateVariableError
from spkt.conftest import sktlk_post_data
from spkt.core.dates import (
    DATE_MAX,
    DATE_MIN,
    DateInputError,
    birth_date_valid,
    date_in_range,
    day_param,
    month_param,
    parse_date,
    parse_month,
)
from spkt.documents.models import Document, PreRegistration
from spkt.intake.models import IncomingLetter

WITA = timezone(timedelta(hours=8))
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=WITA)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2026-11-30", date(2026, 11, 30)), ("2000-01-01", DATE_MIN), ("2100-12-31", DATE_MAX)],
)
def test_a_date_in_range_is_read(raw: str, expected: date) -> None:
    assert parse_date(raw) == expected
    assert day_param(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("9999-12-31", "Tanggal harus antara 2000-01-01 dan 2100-12-31."),
        ("0001-01-01", "Tanggal harus antara 2000-01-01 dan 2100-12-31."),
        ("1999-12-31", "Tanggal harus antara 2000-01-01 dan 2100-12-31."),
        ("2026-13-45", "gunakan format TTTT-BB-HH"),
        ("1900-02-29", "gunakan format TTTT-BB-HH"),
        ("20261130", "gunakan format TTTT-BB-HH"),  # fromisoformat would take it; a URL must not
        ("2026-W48-1", "gunakan format TTTT-BB-HH"),
        ("0001-01", "gunakan format TTTT-BB-HH"),
        ("", "gunakan format TTTT-BB-HH"),
    ],
)
def test_a_bad_or_far_date_is_refused_with_the_reason(raw: str, reason: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_date(raw)
    assert reason in refused.value.messages[0]
    with pytest.raises(DateInputError, match=reason):
        day_param(raw)


def test_a_month_is_read_as_its_first_day() -> None:
    assert parse_month("2026-11") == date(2026, 11, 1)
    assert month_param("2100-12") == date(2100, 12, 1)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("9999-12", "Bulan harus antara 2000-01 dan 2100-12."),
        ("0001-01", "Bulan harus antara 2000-01 dan 2100-12."),
        ("2026-13", "Bulan tidak valid"),
        ("2026-00", "Bulan tidak valid"),
        ("2026-11-30", "Bulan tidak valid"),
        ("garbage", "Bulan tidak valid"),
    ],
)
def test_a_bad_or_far_month_is_refused_with_the_reason(raw: str, reason: str) -> None:
    with pytest.raises(DateInputError, match=reason):
        month_param(raw)


def test_date_times_are_checked_on_their_wita_day() -> None:
    # 31 Dec 2100 16:30 UTC is already 1 Jan 2101 in WITA: out of range.
    date_in_range(datetime(2100, 12, 31, 15, 59, tzinfo=UTC))  # accepted: no error
    with pytest.raises(ValidationError):
        date_in_range(datetime(2100, 12, 31, 16, 30, tzinfo=UTC))


@time_machine.travel(NOW, tick=False)
def test_a_birth_date_runs_from_1900_to_today() -> None:
    birth_date_valid(date(1900, 1, 1))  # accepted: no error
    birth_date_valid(date(2026, 12, 1))
    for bad in (date(1899, 12, 31), date(2026, 12, 2), date(9999, 12, 31), date(1, 1, 1)):
        with pytest.raises(ValidationError, match="Tanggal lahir harus antara 1900-01-01"):
            birth_date_valid(bad)


# --- Forms and the API refuse far dates and store nothing ----------------------------------------
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("birth_date", "0001-01-01", "Tanggal lahir harus antara"),
        ("birth_date", "9999-12-31", "Tanggal lahir harus antara"),
        ("lost_on", "0001-01-01", "Tanggal tidak boleh sebelum 2000-01-01."),
        ("lost_on", "1999-12-31", "Tanggal tidak boleh sebelum 2000-01-01."),
    ],
)
def test_the_sktlk_form_refuses_far_dates(
    client: Client, petugas, field: str, value: str, reason: str
) -> None:
    client.force_login(petugas)
    answer = client.post(reverse("documents:sktlk-new"), sktlk_post_data(**{field: value}))
    assert answer.status_code == 400
    assert reason in answer.content.decode()
    assert not Document.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_public_preregistration_refuses_a_far_event_date(client: Client, selatan) -> None:
    answer = client.post(
        reverse("portal:prereg", args=[selatan.code, "lp"]),
        {
            "name": "Hendra Pakaya",
            "nik": "7571021203790002",
            "birth_place": "Limboto",
            "birth_date": "1979-03-12",
            "gender": "L",
            "address": "Jl. Pertiwi 5",
            "event_when": "0001-01-01T10:00",
            "event_where": "Jl. Pertiwi 5",
            "event_what": "Pencurian",
            "account": "Rumah dibobol.",
        },
    )
    assert answer.status_code == 400
    assert "Tanggal tidak boleh sebelum 2000-01-01." in answer.content.decode()
    assert not PreRegistration.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_letter_agenda_refuses_a_far_letter_date(client: Client, petugas) -> None:
    client.force_login(petugas)
    answer = client.post(
        reverse("intake:letter-new"),
        {"sender": "Kelurahan Biawu", "subject": "Undangan", "letter_date": "0001-01-01"},
    )
    assert answer.status_code == 400
    assert "Tanggal tidak boleh sebelum 2000-01-01." in answer.content.decode()
    assert not IncomingLetter.objects.exists()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("birth_date", "0001-01-01", "Tanggal lahir harus antara 1900-01-01 dan hari ini."),
        ("lost_on", "1900-01-01", "Tanggal tidak boleh sebelum 2000-01-01."),
    ],
)
def test_the_api_refuses_far_dates_with_a_400(
    client: Client, petugas, field: str, value: str, reason: str
) -> None:
    client.force_login(petugas)
    body = {
        "idempotency_key": uuid.uuid4().hex,
        "citizen": {
            "name": "Rahma Suleman",
            "nik": "7571025506850003",
            "birth_place": "Gorontalo",
            "birth_date": "1985-06-15",
            "gender": "P",
            "address": "Jl. Sultan Botutihe 12",
        },
        "items": [{"kind": "KTP", "papers_checked": True}],
        "lost_on": "2026-11-26",
        "lost_place": "Pasar Sentral",
    }
    if field == "birth_date":
        body["citizen"]["birth_date"] = value
    else:
        body[field] = value
    answer = client.post(reverse("api:sktlk-issue"), body, content_type="application/json")
    assert answer.status_code == 400
    assert reason in answer.content.decode()
    assert not Document.objects.exists()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "2026-13-45"])
def test_the_daily_report_api_answers_400_naming_the_parameter(
    client: Client, kapolsek, raw: str
) -> None:
    client.force_login(kapolsek)
    answer = client.get(reverse("api:report-daily"), {"date": raw})
    assert answer.status_code == 400
    assert list(answer.json()) == ["date"]
    assert "Tanggal" in answer.json()["date"][0]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("name", ["dutylog:roster", "dutylog:compliance"])
def test_the_month_pages_answer_400_with_the_reason(client: Client, kapolsek, name: str) -> None:
    client.force_login(kapolsek)
    assert client.get(reverse(name), {"bulan": "2026-11"}).status_code == 200
    for bad in ("9999-12", "0001-01", "2026-13", "x"):
        answer = client.get(reverse(name), {"bulan": bad})
        assert answer.status_code == 400
        assert "Bulan" in answer.content.decode()


# --- Templates fail loudly in tests --------------------------------------------------------------
def test_a_missing_variable_in_our_templates_fails_the_test(db) -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    page = render_to_string("error.html", {"title": "Judul", "message": "Pesan"}, request=request)
    assert "Pesan" in page
    with pytest.raises(UndefinedTemplateVariableError, match="'message'"):
        render_to_string("error.html", {"title": "Judul"}, request=request)
