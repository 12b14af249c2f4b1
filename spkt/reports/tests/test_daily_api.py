"""The daily report in the REST API: submit and acknowledge with the pages' permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from spkt.core import clock
from spkt.dutylog.models import Mutasi
from spkt.reports.models import DailyReport, ReportStatus

SUBMIT = reverse("api:report-daily-submit")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _ack(pk: int) -> str:
    return reverse("api:report-daily-acknowledge", args=[pk])


def test_the_ka_spkt_submits_and_the_kapolsek_acknowledges(
    lived_day, selatan, ka_spkt, kapolsek
) -> None:
    with clock.travel(lived_day.sealed_at + timedelta(minutes=6)):
        answer = api(ka_spkt).post(
            SUBMIT,
            {"unit": selatan.pk, "date": lived_day.day.isoformat(), "matters": "HT kurang"},
            format="json",
        )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["submit_seconds"] == 360
    assert body["submit_met"] is True
    assert body["snapshot"]["contacts"]["total"] == 3
    answer = api(kapolsek).post(_ack(body["id"]), {"disposisi": "Cari HT."}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == ReportStatus.ACKNOWLEDGED
    assert Mutasi.objects.filter(text__contains="Cari HT.", category="perintah_pimpinan").exists()
    # The draft endpoint keeps working.
    answer = api(kapolsek).get(reverse("api:report-daily"), {"date": lived_day.day.isoformat()})
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "date"),
        ({"date": "30-11-2026"}, "date"),
        ({"date": "9999-12-31"}, "date"),
        ({"date": ["x"]}, "date"),
        ({"date": "2026-11-30", "situation": "x" * 5000}, "situation"),
        ({"date": "2026-11-30", "unit": "abc"}, "unit"),
        ({"date": "2026-11-30", "remarks": {"a": 1}}, "remarks"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_changes(
    lived_day, ka_spkt, body, field
) -> None:
    answer = api(ka_spkt).post(SUBMIT, body, format="json")
    assert answer.status_code == 400
    assert field in answer.json()
    assert not DailyReport.objects.exists()


def test_a_second_submit_is_a_400_in_indonesian(lived_day, selatan, ka_spkt) -> None:
    body = {"date": lived_day.day.isoformat()}
    assert api(ka_spkt).post(SUBMIT, body, format="json").status_code == 201
    answer = api(ka_spkt).post(SUBMIT, body, format="json")
    assert answer.status_code == 400
    assert "sudah dikirim" in answer.json()["detail"][0]


def test_a_day_not_yet_handed_over_is_a_400(selatan, ka_spkt, squads) -> None:
    from spkt.core.timeutil import duty_day_of

    today = duty_day_of(clock.now(), selatan.shift_start_hour)
    answer = api(ka_spkt).post(SUBMIT, {"date": today.isoformat()}, format="json")
    assert answer.status_code == 400
    assert "belum diserahterimakan" in answer.json()["detail"][0]


@pytest.mark.parametrize(("persona", "status"), [("petugas", 403), ("kapolsek", 403)])
def test_only_the_ka_spkt_submits(lived_day, persona, status, request) -> None:
    user = request.getfixturevalue(persona)
    answer = api(user).post(SUBMIT, {"date": lived_day.day.isoformat()}, format="json")
    assert answer.status_code == status
    assert not DailyReport.objects.exists()


def test_another_stations_unit_or_report_is_a_404(lived_day, selatan, ka_spkt, outsider) -> None:
    answer = api(outsider).post(
        SUBMIT, {"unit": selatan.pk, "date": lived_day.day.isoformat()}, format="json"
    )
    assert answer.status_code == 404
    report = api(ka_spkt).post(SUBMIT, {"date": lived_day.day.isoformat()}, format="json").json()
    assert api(outsider).post(_ack(report["id"]), {}, format="json").status_code == 404
    assert api(outsider).post(_ack(99999999), {}, format="json").status_code == 404


def test_acknowledge_by_the_ka_spkt_is_403_and_a_huge_disposisi_is_400(
    lived_day, ka_spkt, kapolsek
) -> None:
    report = api(ka_spkt).post(SUBMIT, {"date": lived_day.day.isoformat()}, format="json").json()
    assert api(ka_spkt).post(_ack(report["id"]), {}, format="json").status_code == 403
    answer = api(kapolsek).post(_ack(report["id"]), {"disposisi": "x" * 5000}, format="json")
    assert answer.status_code == 400
    assert "disposisi" in answer.json()
    assert DailyReport.objects.get().status == ReportStatus.SUBMITTED
