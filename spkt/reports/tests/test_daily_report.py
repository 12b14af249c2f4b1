"""The daily report delivered: the draft's figures, submission, acknowledgement, PDF."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from spkt.core import clock
from spkt.core.ledger import verify
from spkt.dutylog.models import Mutasi
from spkt.intake.services import Incoming, contact_receive
from spkt.org.models import Role
from spkt.org.services import user_create
from spkt.reports.models import DailyReport, DailyReportAddendum, ReportAlert, ReportStatus
from spkt.reports.selectors import SITUATION_DEFAULT, daily_report
from spkt.reports.services import report_acknowledge, report_addendum, report_submit

DAILY = reverse("reports:daily")


def _submit(lived_day, ka_spkt, selatan, after=timedelta(minutes=4), **kw):
    with clock.travel(lived_day.sealed_at + after):
        return report_submit(
            actor=ka_spkt,
            unit=selatan,
            day=lived_day.day,
            situation=kw.get("situation", ""),
            remarks=kw.get("remarks", ""),
            matters=kw.get("matters", "Butuh tambahan HT."),
        )


# --- The draft ---------------------------------------------------------------------------------
def test_the_draft_counts_contacts_met_and_late_by_channel(lived_day, selatan) -> None:
    draft = daily_report(unit=selatan, day=lived_day.day)
    rows = {r.label: r for r in draft.contacts}
    assert (rows["SMS"].total, rows["SMS"].on_time, rows["SMS"].late) == (2, 1, 1)
    assert (rows["WhatsApp"].late, rows["WhatsApp"].pending) == (1, 0)


def test_a_contact_still_within_its_five_minutes_is_pending_not_late(selatan, petugas) -> None:
    contact = contact_receive(
        unit=selatan, incoming=Incoming(channel="sms", body="x", sender_address="0811")
    )
    from spkt.core.timeutil import duty_day_of

    day = duty_day_of(contact.received_at, selatan.shift_start_hour)
    snap = daily_report(unit=selatan, day=day).snapshot()["contacts"]
    assert (snap["pending"], snap["late"], snap["on_time"]) == (1, 0, 0)
    with clock.travel(contact.first_response_due_at + timedelta(seconds=1)):
        snap = daily_report(unit=selatan, day=day).snapshot()["contacts"]
    assert (snap["pending"], snap["late"]) == (0, 1)


def test_notable_events_are_incidents_and_orders_not_the_handover_lines(lived_day, selatan) -> None:
    draft = daily_report(unit=selatan, day=lived_day.day)
    texts = [e.text for e in draft.red_entries]
    assert "Kecelakaan lalu lintas di Jl. Sudirman." in texts
    assert "Perintah Kapolres: tingkatkan patroli malam." in texts
    assert not any("Patroli pasar" in t for t in texts)
    # The handover's own red line is in the book, but listed as a difference, not as notable.
    assert Mutasi.objects.filter(shift=lived_day.shift, category="serah_terima", red=True).exists()
    assert not any(t.startswith("Selisih serah terima") for t in texts)
    handover = draft.handover
    assert handover["detainees"] == [{"label": "RUDI H.", "count": 1}]
    assert [d["serial"] for d in handover["differences"]] == ["MT-3"]
    assert handover["differences"][0]["reason"] == "Dibawa patroli"
    assert draft.closed_at == lived_day.sealed_at


def test_field_help_per_type_with_median_and_max_minutes(lived_day, selatan) -> None:
    rows = {r["type"]: r for r in daily_report(unit=selatan, day=lived_day.day).field_help}
    assert rows["TPTKP"] == {
        "type": "TPTKP",
        "count": 3,
        "responded": 3,
        "median_minutes": 10.0,
        "max_minutes": 30.0,
    }
    turjawali = rows["Turjawali: pengaturan"]
    assert (turjawali["count"], turjawali["median_minutes"]) == (1, None)


def test_the_draft_queries_are_bounded(lived_day, selatan, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(12):
        daily_report(unit=selatan, day=lived_day.day).snapshot()


def test_ikm_shows_a_dash_without_data(lived_day, selatan, client: Client, kapolsek) -> None:
    assert daily_report(unit=selatan, day=lived_day.day).ikm is None
    client.force_login(kapolsek)
    page = client.get(DAILY, {"tanggal": lived_day.day.isoformat()}).content.decode()
    assert "<p data-ikm>—</p>" in page


# --- Submit ------------------------------------------------------------------------------------
def test_submit_freezes_the_figures_writes_the_book_and_alerts_the_kapolsek(
    lived_day, selatan, ka_spkt, kapolsek
) -> None:
    report = _submit(lived_day, ka_spkt, selatan)
    assert report.status == ReportStatus.SUBMITTED
    assert report.situation == SITUATION_DEFAULT
    assert report.shift_closed_at == lived_day.sealed_at
    assert report.submit_seconds == 240
    assert report.submit_met
    assert report.snapshot["contacts"]["total"] == 3
    assert Mutasi.objects.filter(
        text__startswith="Laporan harian hari dinas", text__contains="dikirim kepada Kapolsek"
    ).exists()
    assert ReportAlert.objects.filter(user=kapolsek, report=report).exists()
    assert verify().ok
    # Later activity does not move the frozen figures.
    contact_receive(unit=selatan, incoming=Incoming(channel="sms", body="y", sender_address="1"))
    report.refresh_from_db()
    assert report.snapshot["contacts"]["total"] == 3


def test_submit_seconds_measures_a_late_submission(lived_day, selatan, ka_spkt) -> None:
    report = _submit(lived_day, ka_spkt, selatan, after=timedelta(minutes=25))
    assert report.submit_seconds == 25 * 60
    assert not report.submit_met


def test_a_second_submission_is_refused(lived_day, selatan, ka_spkt) -> None:
    _submit(lived_day, ka_spkt, selatan)
    with pytest.raises(ValidationError, match="sudah dikirim"):
        _submit(lived_day, ka_spkt, selatan, situation="Ubah")
    assert DailyReport.objects.count() == 1
    assert DailyReport.objects.get().situation == SITUATION_DEFAULT


def test_a_future_day_or_an_open_shift_cannot_be_submitted(selatan, ka_spkt, squads) -> None:
    from spkt.core.timeutil import duty_day_of

    today = duty_day_of(clock.now(), selatan.shift_start_hour)
    with pytest.raises(ValidationError, match="belum terjadi"):
        report_submit(actor=ka_spkt, unit=selatan, day=today + timedelta(days=1), situation="")
    with pytest.raises(ValidationError, match="belum diserahterimakan"):
        report_submit(actor=ka_spkt, unit=selatan, day=today, situation="")
    assert not DailyReport.objects.exists()


@pytest.mark.parametrize("persona", ["petugas", "kapolsek", "outsider"])
def test_only_the_ka_spkt_of_the_unit_submits(lived_day, selatan, persona, request) -> None:
    with pytest.raises(PermissionDenied):
        report_submit(
            actor=request.getfixturevalue(persona), unit=selatan, day=lived_day.day, situation=""
        )
    assert not DailyReport.objects.exists()


# --- Acknowledge -------------------------------------------------------------------------------
def test_the_kapolsek_acknowledges_and_the_disposisi_is_an_order_in_the_book(
    lived_day, selatan, ka_spkt, kapolsek
) -> None:
    report = _submit(lived_day, ka_spkt, selatan)
    with clock.travel(lived_day.sealed_at + timedelta(minutes=30)):
        report = report_acknowledge(actor=kapolsek, report=report, disposisi="Cari HT yang hilang.")
    assert report.status == ReportStatus.ACKNOWLEDGED
    assert report.acknowledged_by == kapolsek
    order = Mutasi.objects.get(text__startswith="Perintah/Disposisi Kapolsek")
    assert order.category == "perintah_pimpinan"
    assert order.red
    assert "Cari HT yang hilang." in order.text
    assert order.shift_id != lived_day.shift.pk  # the book of the shift on duty now
    assert not ReportAlert.objects.filter(report=report, read_at=None).exists()
    assert verify().ok
    with pytest.raises(ValidationError, match="sudah diterima"):
        report_acknowledge(actor=kapolsek, report=report)


def test_an_acknowledgement_without_disposisi_writes_no_order(
    lived_day, selatan, ka_spkt, kapolsek
) -> None:
    report = report_acknowledge(actor=kapolsek, report=_submit(lived_day, ka_spkt, selatan))
    assert report.status == ReportStatus.ACKNOWLEDGED
    assert not Mutasi.objects.filter(text__startswith="Perintah/Disposisi").exists()


def test_an_acting_kapolsek_is_whoever_holds_the_role(lived_day, selatan, ka_spkt) -> None:
    acting = user_create(
        username="plh", password="x-rahasia-123", unit=selatan, roles=[Role.KAPOLSEK]
    )
    report = report_acknowledge(actor=acting, report=_submit(lived_day, ka_spkt, selatan))
    assert report.acknowledged_by == acting


def test_an_addendum_is_a_new_record_and_the_report_is_unchanged(
    lived_day, selatan, ka_spkt
) -> None:
    report = _submit(lived_day, ka_spkt, selatan)
    before = report.snapshot
    addendum = report_addendum(actor=ka_spkt, report=report, text="Tahanan dipindah ke Polres.")
    assert DailyReportAddendum.objects.get() == addendum
    report.refresh_from_db()
    assert report.snapshot == before
    with pytest.raises(ValidationError):
        report_addendum(actor=ka_spkt, report=report, text="  ")
    assert verify().ok


# --- Pages -------------------------------------------------------------------------------------
def test_the_ka_spkt_submits_from_the_page_and_sees_the_frozen_report(
    lived_day, selatan, ka_spkt, client: Client
) -> None:
    client.force_login(ka_spkt)
    page = client.get(DAILY, {"tanggal": lived_day.day.isoformat()}).content.decode()
    assert 'data-action="report-submit"' in page
    with clock.travel(lived_day.sealed_at + timedelta(minutes=3)):
        answer = client.post(
            DAILY,
            {"tanggal": lived_day.day.isoformat(), "situation": "Aman.", "matters": "HT kurang"},
        )
    report = DailyReport.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("reports:detail", args=[report.pk])
    page = client.get(answer["Location"]).content.decode()
    assert 'data-submit-met="1"' in page
    assert "3,0 menit" in page
    assert "standar 10 menit" in page
    # The day's page now shows the frozen report, not a draft with a form.
    page = client.get(DAILY, {"tanggal": lived_day.day.isoformat()}).content.decode()
    assert 'data-submit-met="1"' in page
    assert 'data-action="report-submit"' not in page


def test_the_kapolsek_sees_the_alert_and_acknowledges_on_the_page(
    lived_day, selatan, ka_spkt, kapolsek, client: Client
) -> None:
    report = _submit(lived_day, ka_spkt, selatan)
    client.force_login(kapolsek)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert f'data-report-alert="{report.pk}"' in dashboard
    detail = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'data-action="report-ack"' in detail
    answer = client.post(
        reverse("reports:acknowledge", args=[report.pk]), {"disposisi": "Apel pagi besok."}
    )
    assert answer.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACKNOWLEDGED
    assert report.disposisi == "Apel pagi besok."


@pytest.mark.parametrize(("persona", "status"), [("ka_spkt", 403), ("outsider", 404)])
def test_acknowledging_by_anyone_else_changes_nothing(
    lived_day, selatan, ka_spkt, client: Client, persona, status, request
) -> None:
    report = _submit(lived_day, ka_spkt, selatan)
    client.force_login(request.getfixturevalue(persona))
    answer = client.post(reverse("reports:acknowledge", args=[report.pk]), {"disposisi": "x"})
    assert answer.status_code == status
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_another_station_cannot_open_the_report_or_its_pdf(
    lived_day, selatan, ka_spkt, outsider, client: Client
) -> None:
    report = _submit(lived_day, ka_spkt, selatan)
    client.force_login(outsider)
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("reports:pdf", args=[report.pk])).status_code == 404


def test_the_pdf_holds_the_figures(lived_day, selatan, ka_spkt, kapolsek, client: Client) -> None:
    from pypdf import PdfReader

    report = _submit(lived_day, ka_spkt, selatan, matters="Butuh tambahan HT.")
    report_acknowledge(actor=kapolsek, report=report, disposisi="Cari HT.")
    client.force_login(kapolsek)
    answer = client.get(reverse("reports:pdf", args=[report.pk]))
    assert answer["Content-Type"] == "application/pdf"
    text = " ".join(
        page.extract_text() for page in PdfReader(BytesIO(answer.content)).pages
    ).replace("\n", " ")
    assert "LAPORAN HARIAN" in text
    assert "1 dari 3 kontak ditanggapi tepat waktu" in text
    assert "Kecelakaan lalu lintas di Jl. Sudirman." in text
    assert "RUDI H." in text
    assert "Butuh tambahan HT." in text
    assert "Mengetahui" in text
    assert "Cari HT." in text


def test_a_report_alert_is_marked_read_only_by_its_owner(
    lived_day, selatan, ka_spkt, kapolsek, client: Client
) -> None:
    report = _submit(lived_day, ka_spkt, selatan)
    alert = ReportAlert.objects.get(user=kapolsek, report=report)
    url = reverse("reports:report-alert-read", args=[alert.pk])
    client.force_login(ka_spkt)
    client.post(url)
    alert.refresh_from_db()
    assert alert.read_at is None
    client.force_login(kapolsek)
    assert client.post(url).status_code == 302
    alert.refresh_from_db()
    assert alert.read_at is not None


def test_the_addendum_page_adds_a_record_and_refuses_others(
    lived_day, selatan, ka_spkt, kapolsek, outsider, client: Client
) -> None:
    report = _submit(lived_day, ka_spkt, selatan)
    url = reverse("reports:addendum", args=[report.pk])
    client.force_login(outsider)
    assert client.post(url, {"text": "x"}).status_code == 404
    client.force_login(kapolsek)
    assert client.post(url, {"text": "x"}).status_code == 403
    client.force_login(ka_spkt)
    assert client.post(url, {"text": "Tahanan dipindah."}).status_code == 302
    assert client.post(url, {"text": "x" * 5000}).status_code == 302  # refused with a message
    assert list(DailyReportAddendum.objects.values_list("text", flat=True)) == ["Tahanan dipindah."]
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Tahanan dipindah." in page


def test_the_ka_spkt_is_reminded_of_yesterdays_report_until_it_is_sent(
    lived_day, selatan, ka_spkt, client: Client
) -> None:
    client.force_login(ka_spkt)
    assert 'data-flag="report-due"' in client.get(reverse("dashboard")).content.decode()
    _submit(lived_day, ka_spkt, selatan)
    assert 'data-flag="report-due"' not in client.get(reverse("dashboard")).content.decode()
