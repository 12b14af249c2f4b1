"""The five standards measured on the constructed November (see conftest.py)."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from spkt.reports.anev.standards import standards_month
from spkt.reports.anev.tests.conftest import DAY, MONTH, Month, _contact, _task, at


def _by_number(results):
    return {r.number: r for r in results}


def test_every_standard_has_its_exact_share(month: Month) -> None:
    results = _by_number(standards_month(unit=month.unit, month=MONTH))
    figures = {n: (r.met, r.total, r.share) for n, r in results.items()}
    assert figures == {
        1: (6, 9, 66.7),
        2: (1, 2, 50.0),
        3: (1, 2, 50.0),
        4: (2, 3, 66.7),
        5: (1, 30, 3.3),
    }
    assert results[4].unmeasured == 1  # the SKTLK issued without a recorded start
    assert results[3].response_median_min == 20.0


def test_each_miss_is_one_click_from_its_record(month: Month) -> None:
    results = _by_number(standards_month(unit=month.unit, month=MONTH))
    assert {i.url for i in results[1].misses} == {
        reverse("intake:detail", args=[c.pk]) for c in month.contacts[6:]
    }
    assert [i.url for i in results[2].misses] == [
        reverse("dutylog:shift", args=[month.shifts[1].pk])
    ]
    assert "apel" in results[2].misses[0].detail
    assert [i.url for i in results[3].misses] == [
        reverse("fieldhelp:detail", args=[month.tasks[0].pk])
    ]
    assert "90 menit" in results[3].misses[0].detail
    [late_document] = results[4].misses
    assert late_document.url == reverse("documents:detail", args=[month.sktlk_late.pk])
    assert "70 menit" in late_document.detail
    daily = {i.url for i in results[5].misses}
    assert len(daily) == 29
    assert reverse("reports:detail", args=[month.reports[1].pk]) in daily
    assert f"{reverse('reports:daily')}?tanggal=2026-11-11&unit={month.unit.pk}" in daily


def test_cases_are_put_to_shift_and_officer(month: Month) -> None:
    results = _by_number(standards_month(unit=month.unit, month=MONTH))
    contacts_by_shift = {row.url: (row.met, row.total) for row in results[1].by_shift}
    assert contacts_by_shift == {reverse("dutylog:shift", args=[month.shifts[0].pk]): (6, 9)}
    officers = {row.label: (row.met, row.total) for row in results[1].by_officer}
    assert officers["(belum ditanggapi)"] == (0, 1)
    assert sum(total for _met, total in officers.values()) == 9
    issued = {row.label: (row.met, row.total) for row in results[4].by_officer}
    assert list(issued.values()) == [(2, 3)]  # one officer issued all three
    assert {row.label for row in results[2].by_officer} == {str(month.shifts[0].ka_spkt)}


def test_a_pending_contact_is_not_counted_late(month: Month) -> None:
    results = _by_number(standards_month(unit=month.unit, month=date(2026, 12, 1)))
    assert (results[1].met, results[1].total, results[1].share) == (0, 0, None)


def test_an_empty_month_has_no_share_and_no_division(selatan) -> None:
    results = standards_month(unit=selatan, month=date(2026, 10, 1))
    assert [r.share for r in results[:4]] == [None, None, None, None]
    assert results[4].total == 31
    assert results[4].met == 0


def test_the_query_count_does_not_grow_with_the_cases(month: Month, petugas) -> None:
    with CaptureQueriesContext(connection) as before:
        standards_month(unit=month.unit, month=MONTH)
    for n in range(5):
        _contact(month.unit, 50 + n, at(DAY, 15, n), 9, petugas)
    _task(month.unit, petugas, at(DAY, 16), [at(DAY, 17)], at(DAY, 17, 30))
    with CaptureQueriesContext(connection) as after:
        results = standards_month(unit=month.unit, month=MONTH)
    assert results[0].total == 14
    assert len(after.captured_queries) == len(before.captured_queries)
