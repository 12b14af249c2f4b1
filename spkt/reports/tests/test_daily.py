import pytest
from django.test import Client
from django.urls import reverse

from spkt.conftest import issue
from spkt.core.timeutil import duty_day_of

URL = reverse("reports:daily")


@pytest.mark.parametrize("persona", ["kapolsek", "ka_spkt", "petugas", "reskrim", "penilai"])
def test_the_daily_report_lists_the_case_and_counts(
    client: Client, petugas, selatan, persona, request
) -> None:
    doc = issue(petugas, selatan)
    client.force_login(request.getfixturevalue(persona))
    day = duty_day_of(doc.issued_at, selatan.shift_start_hour)
    response = client.get(URL, {"tanggal": day.isoformat()})
    page = response.content.decode()
    assert response.status_code == 200
    assert doc.number in page
    assert response.context["report"].counts == {"SKTLK": 1}
    assert response.context["report"].mutasi_total == 1


def test_another_day_is_empty(client: Client, petugas, selatan) -> None:
    issue(petugas, selatan)
    client.force_login(petugas)
    response = client.get(URL, {"tanggal": "2020-01-01"})
    assert response.context["report"].counts == {}


def test_the_polres_sees_its_polsek_report(client: Client, polres_staff, petugas, selatan) -> None:
    issue(petugas, selatan)
    client.force_login(polres_staff)
    response = client.get(URL, {"unit": selatan.pk})
    assert response.status_code == 200
    assert response.context["unit"] == selatan


def test_another_station_cannot_open_the_report(client: Client, outsider, selatan) -> None:
    client.force_login(outsider)
    assert client.get(URL, {"unit": selatan.pk}).status_code == 404


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("27-11-2026", "gunakan format TTTT-BB-HH"),
        ("9999-12-31", "Tanggal harus antara 2000-01-01 dan 2100-12-31."),
        ("0001-01-01", "Tanggal harus antara 2000-01-01 dan 2100-12-31."),
    ],
)
def test_a_bad_or_far_date_is_refused_with_the_reason(
    client: Client, petugas, raw: str, message: str
) -> None:
    client.force_login(petugas)
    answer = client.get(URL, {"tanggal": raw})
    assert answer.status_code == 400
    assert message in answer.content.decode()


def test_anonymous_is_sent_to_login(client: Client, db) -> None:
    assert client.get(URL).status_code == 302


def test_the_report_counts_contacts_by_channel_and_the_five_minute_standard(
    client: Client, petugas, selatan
) -> None:
    from datetime import timedelta

    from spkt.core import clock
    from spkt.core.timeutil import local_datetime
    from spkt.intake.services import Incoming, contact_acknowledge, contact_receive

    # Both contacts in the middle of yesterday's duty day, whatever the hour the test runs at.
    day = duty_day_of(clock.now(), selatan.shift_start_hour) - timedelta(days=1)
    at = local_datetime(day, selatan.shift_start_hour) + timedelta(hours=2)
    with clock.travel(at):
        quick = contact_receive(
            unit=selatan, incoming=Incoming(channel="sms", body="a", sender_address="0811")
        )
        contact_acknowledge(actor=petugas, contact=quick)
    with clock.travel(at + timedelta(minutes=1)):
        contact_receive(
            unit=selatan, incoming=Incoming(channel="whatsapp", body="b", sender_address="0812")
        )
    client.force_login(petugas)
    report = client.get(URL, {"tanggal": day.isoformat()}).context["report"]
    assert (report.contacts_total, report.contacts_on_time) == (2, 1)
    assert ("SMS", 1, 1, 0, 0) in report.contacts  # label, total, met, late, pending
