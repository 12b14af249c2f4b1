"""The Anev: 3C, periods, comparisons (an empty previous period included), roll-up and the daily
aggregates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from spkt.intake.models import Channel, Contact
from spkt.org.models import Unit
from spkt.reports.anev import offences
from spkt.reports.anev.anev import anev_report, change
from spkt.reports.anev.metrics import aggregate_days, live_stats, stats_for
from spkt.reports.anev.models import DailyStat
from spkt.reports.anev.periods import MONTH, WEEK, Period, period_of, previous, year_before
from spkt.reports.anev.tests.conftest import DAY, Month, at


@pytest.mark.parametrize(
    ("articles", "what", "expected"),
    [
        ([("KUHP_1946", "365")], "Sepeda motor dirampas dengan kekerasan", offences.CURAS),
        ([("KUHP_2023", "479")], "Tas dijambret", offences.CURAS),
        ([("KUHP_1946", "363")], "Pencurian sepeda motor di halaman", offences.CURANMOR),
        ([("KUHP_2023", "476")], "Mobil pikap hilang dari parkiran", offences.CURANMOR),
        ([("KUHP_1946", "363")], "Rumah dibobol, laptop hilang", offences.CURAT),
        ([("KUHP_2023", "477")], "Toko dibongkar malam hari", offences.CURAT),
        ([("KUHP_1946", "362")], "Dompet hilang di pasar", offences.OTHER),
        ([("KUHP_1946", "378")], "Penipuan jual beli motor", offences.OTHER),
        ([], "Tanpa pasal", offences.OTHER),
    ],
)
def test_3c_from_the_articles_and_the_account(articles, what, expected) -> None:
    assert offences.classify(articles, {"event": {"what": what}}) == expected


def test_motor_vehicle_is_found_in_the_evidence_too() -> None:
    data = {"event": {"what": "Pencurian"}, "account": "", "evidence": ["1 lembar STNK"]}
    assert offences.classify([("KUHP_1946", "362")], data) == offences.CURANMOR


def test_periods_and_their_comparisons() -> None:
    week = period_of(WEEK, date(2026, 11, 11))
    assert (week.first, week.last) == (date(2026, 11, 9), date(2026, 11, 15))
    assert previous(week) == Period(WEEK, date(2026, 11, 2), date(2026, 11, 8))
    assert year_before(week).first == date(2025, 11, 10)  # ISO week 46 of 2025
    month = period_of(MONTH, date(2026, 3, 31))
    assert (previous(month).first, previous(month).last) == (date(2026, 2, 1), date(2026, 2, 28))
    assert year_before(month) == Period(MONTH, date(2025, 3, 1), date(2025, 3, 31))
    assert previous(period_of(MONTH, date(2026, 1, 5))).first == date(2025, 12, 1)


def test_percent_change_from_nothing_is_a_dash() -> None:
    assert change(5, 0) == "—"
    assert change(0, 0) == "—"
    assert change(15, 10) == "+50,0%"
    assert change(5, 10) == "-50,0%"


def _line(lines, label):
    return next(line for line in lines if line.label == label)


def test_the_month_against_an_empty_previous_month(month: Month) -> None:
    report = anev_report(unit=month.unit, kind=MONTH, day=date(2026, 11, 15))
    assert report.has_data
    contacts = _line(report.services, "Kontak masyarakat (semua saluran)")
    assert contacts.values == [9, 0, 0]
    assert (contacts.vs_previous, contacts.vs_year) == ("—", "—")
    assert _line(report.services, "SKTLK").values == [2, 0, 0]
    assert _line(report.services, "Laporan Polisi model B").values == [1, 0, 0]
    assert _line(report.services, "STTLP").values == [1, 0, 0]
    assert _line(report.services, "Bantuan lapangan").values == [2, 0, 0]
    assert _line(report.crime, str(offences.LABELS[offences.CURANMOR])).values == [1, 0, 0]
    assert _line(report.crime, "Persentase penyelesaian").shown == ["0,0%", "—", "—"]
    assert [line.shown[0] for line in report.sop] == ["66,7%", "50,0%", "50,0%", "66,7%", "3,3%"]
    assert report.kelurahan == [("Biawu", 3)]  # two field tasks and the LP's place
    weekday = DAY.weekday()
    assert report.heat[(weekday, 9)] == 8
    assert report.heat[(weekday, 10)] == 1
    assert sum(report.heat.values()) == 9
    assert "<script" not in report.chart_services()
    assert 'class="h4"' in report.chart_heat()


def test_a_period_without_data_says_so(selatan: Unit) -> None:
    report = anev_report(unit=selatan, kind=WEEK, day=date(2026, 6, 3))
    assert not report.has_data
    assert all(line.vs_previous == "—" for line in report.services)
    assert all(line.shown == ["—", "—", "—"] for line in report.sop[:4])
    assert report.sop[4].shown == ["0,0%", "0,0%", "0,0%"]  # no daily report sent on any day


def test_the_polres_rolls_up_its_polsek(month: Month, polres: Unit, utara: Unit) -> None:
    Contact.objects.create(
        unit=utara,
        channel=Channel.PHONE,
        tracking_code="UTARA0001",
        received_at=at(date(2026, 11, 12), 14),
        first_response_due_at=at(date(2026, 11, 12), 14, 5),
        first_response_at=at(date(2026, 11, 12), 14, 1),
    )
    report = anev_report(unit=polres, kind=MONTH, day=date(2026, 11, 1))
    assert _line(report.services, "Kontak masyarakat (semua saluran)").values == [10, 0, 0]
    by_unit = {row.unit.pk: (row.contacts, row.lp, row.crime3c) for row in report.rollup}
    assert by_unit == {month.unit.pk: (9, 1, 1), utara.pk: (1, 0, 0)}
    assert report.sop[0].shown[0] == "70,0%"  # 7 of 10 first responses on time


def test_the_aggregate_is_idempotent_and_equals_the_live_figures(month: Month, utara) -> None:
    units = list(Unit.objects.filter(pk__in=[month.unit.pk, utara.pk]))
    first, last = date(2026, 11, 1), date(2026, 11, 30)
    live = stats_for(units, first, last)
    assert not DailyStat.objects.exists()
    stored = aggregate_days(units=units, first=first, last=date(2026, 12, 5))
    rows = sorted(DailyStat.objects.values_list("unit_id", "day", "metric", "key", "value"))
    assert aggregate_days(units=units, first=first, last=date(2026, 12, 5)) == stored
    assert sorted(DailyStat.objects.values_list("unit_id", "day", "metric", "key", "value")) == rows
    # Only closed duty days are stored: today's (Dec 1) is still running.
    assert not DailyStat.objects.filter(day__gte=date(2026, 12, 1)).exists()
    assert DailyStat.objects.filter(metric="day").count() == 2 * 30
    assert stats_for(units, first, last) == live
    assert live[month.unit.pk][("std", "1-total")] == 9


def test_aggregated_days_are_read_from_the_table_and_today_live(month: Month) -> None:
    units = [month.unit]
    aggregate_days(units=units, first=date(2026, 11, 1), last=date(2026, 11, 30))
    # A row changed behind the aggregate's back shows that stored days are read from the table.
    DailyStat.objects.filter(unit=month.unit, metric="contacts", key="whatsapp").update(value=100)
    figures = stats_for(units, date(2026, 11, 1), date(2026, 12, 1))[month.unit.pk]
    assert figures[("contacts", "whatsapp")] == 100 + 1  # plus today's pending WhatsApp, live
    today = live_stats(units, date(2026, 12, 1), date(2026, 12, 1))
    assert today[(month.unit.pk, date(2026, 12, 1), "contacts", "whatsapp")] == 1
    assert (month.unit.pk, date(2026, 12, 1), "std", "1-total") not in today  # pending


def test_the_weekly_anev_compares_with_the_week_before(month: Month) -> None:
    report = anev_report(unit=month.unit, kind=WEEK, day=DAY + timedelta(days=7))
    assert _line(report.services, "Kontak masyarakat (semua saluran)").values == [0, 9, 0]
    assert _line(report.services, "Kontak masyarakat (semua saluran)").vs_previous == "-100,0%"
