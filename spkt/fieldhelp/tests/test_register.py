"""The field-help register: filters, the figures of each row, CSV and XLSX exports, bad input."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from spkt.core import clock
from spkt.fieldhelp.models import Source
from spkt.fieldhelp.services import (
    task_clear,
    task_create,
    task_dispatch,
    task_report,
    task_status,
)

URL = "fieldhelp:register"


@pytest.fixture
def history(task, ka_spkt, on_duty, patroli, selatan):
    """The TPTKP: dispatched at 10:00, on scene 10:12, one report 10:30, cleared 12:45 (so the
    11:30 and 12:30 deadlines were missed). A patrol still waiting."""
    task_dispatch(actor=ka_spkt, task=task, personnel=on_duty[:1])
    start = clock.now()
    with time_machine.travel(start + timedelta(minutes=12), tick=False):
        task_status(actor=ka_spkt, task=task, status="on_scene", idempotency_key="a")
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        task_report(actor=ka_spkt, task=task, text="Aman")
    with time_machine.travel(start + timedelta(minutes=165), tick=False):
        task_clear(actor=ka_spkt, task=task, handed_to="Unit Reskrim")
    patrol = task_create(
        actor=ka_spkt, unit=selatan, task_type=patroli, source=Source.PLANNED, address="Rute B"
    )
    return task, patrol


def test_the_rows_carry_the_figures(client: Client, history, petugas, on_duty) -> None:
    task, patrol = history
    client.force_login(petugas)
    answer = client.get(reverse(URL), {"format": "csv"})
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    header, first, second = rows
    assert header[0] == "Nomor"
    assert "Laporan per jam terlewat" in header
    got = dict(zip(header, first, strict=True))
    assert got["Nomor"] == str(task.pk)
    assert got["Waktu tanggap (menit)"] == "12"
    assert got["Diserahkan kepada"] == "Unit Reskrim"
    assert got["Jumlah laporan situasi"] == "1"
    assert got["Laporan per jam terlewat"] == "2"
    assert got["Umur laporan terakhir (menit)"] == "135"
    assert on_duty[0].name in got["Petugas"]
    assert got["Diterima (WITA)"] == "2026-12-01 10:00"
    assert dict(zip(header, second, strict=True))["Nomor"] == str(patrol.pk)


def test_filters(client: Client, history, petugas, on_duty) -> None:
    task, patrol = history
    client.force_login(petugas)

    def ids(**params) -> set[int]:
        html = client.get(reverse(URL), params).content.decode()
        return {t.pk for t in (task, patrol) if f'data-task-id="{t.pk}"' in html}

    assert ids() == {task.pk, patrol.pk}
    assert ids(type="patroli") == {patrol.pk}
    assert ids(status="handed_over") == {task.pk}
    assert ids(officer=on_duty[0].pk) == {task.pk}
    assert ids(date_from="2026-12-02") == set()
    assert ids(date_from="2026-12-01", date_to="2026-12-01") == {task.pk, patrol.pk}


def test_the_xlsx_export(client: Client, history, petugas) -> None:
    client.force_login(petugas)
    answer = client.get(reverse(URL), {"format": "xlsx", "type": "tptkp"})
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "Nomor"
    assert len(rows) == 2
    assert rows[1][0] == history[0].pk
    assert rows[1][13] == 2


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "kemarin"},
        {"date_from": "1900-01-01"},
        {"date_from": "2026-12-02", "date_to": "2026-12-01"},
        {"type": "bukan-jenis"},
        {"status": "hilang"},
        {"officer": "999999"},
        {"officer": "x"},
        {"format": "pdf"},
    ],
)
def test_bad_filters_are_a_400(client: Client, history, petugas, params) -> None:
    client.force_login(petugas)
    answer = client.get(reverse(URL), params)
    assert answer.status_code == 400
    assert "Filter tidak dapat dipakai" in answer.content.decode()


def test_another_station_and_its_officer(client: Client, history, outsider, petugas, selatan):
    from spkt.org.models import Personnel

    client.force_login(outsider)
    assert client.get(reverse(URL), {"unit": selatan.pk}).status_code == 404
    html = client.get(reverse(URL)).content.decode()
    assert f'data-task-id="{history[0].pk}"' not in html
    stranger = Personnel.objects.create(
        unit=outsider.unit, name="Orang Utara", pangkat="BRIPTU", nrp="99020202"
    )
    client.force_login(petugas)
    assert client.get(reverse(URL), {"officer": stranger.pk}).status_code == 400
