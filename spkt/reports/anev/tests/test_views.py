"""The pages, their exports and the API: who sees what, and bad input."""

from __future__ import annotations

import io

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from spkt.conftest import PASSWORD
from spkt.org.models import Role
from spkt.org.services import user_create
from spkt.reports.anev.tests.conftest import Month


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sheet(content: bytes, title: str) -> list[tuple]:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return [tuple(row) for row in wb[title].iter_rows(values_only=True)]


def test_the_compliance_page_links_every_miss(month: Month, kapolsek) -> None:
    answer = _client(kapolsek).get(reverse("anev:standards"), {"bulan": "2026-11"})
    assert answer.status_code == 200
    body = answer.content.decode()
    assert body.count('data-miss="1"') == 3
    assert reverse("documents:detail", args=[month.sktlk_late.pk]) in body
    assert reverse("fieldhelp:detail", args=[month.tasks[0].pk]) in body
    assert "66.7%" in body or "66,7%" in body
    assert 'style="' not in body  # the CSP allows no inline style


def test_the_compliance_export_holds_the_figures(month: Month, kapolsek) -> None:
    answer = _client(kapolsek).get(
        reverse("anev:standards"), {"bulan": "2026-11", "format": "xlsx"}
    )
    assert answer.status_code == 200
    summary = _sheet(answer.content, "Ringkasan")
    assert summary[0] == ("Standar", "Sesuai", "Jumlah", "Persen sesuai")
    assert [row[1:] for row in summary[1:]] == [
        (6, 9, 66.7),
        (1, 2, 50.0),
        (1, 2, 50.0),
        (2, 3, 66.7),
        (1, 30, 3.3),
    ]
    misses = _sheet(answer.content, "Tidak sesuai")
    assert len(misses) == 1 + 3 + 1 + 1 + 1 + 29


def test_the_assessor_sees_every_polsek_side_by_side(month: Month, polres, utara) -> None:
    assessor = user_create(username="sabhara", password=PASSWORD, unit=polres, roles=[Role.PENILAI])
    client = _client(assessor)
    start = client.get(reverse("anev:standards"), {"bulan": "2026-11"})
    assert start.status_code == 302
    answer = client.get(start["Location"])
    assert answer.status_code == 200
    body = answer.content.decode()
    assert f'data-unit="{month.unit.pk}"' in body
    assert f'data-unit="{utara.pk}"' in body
    export = client.get(reverse("anev:standards-polres"), {"bulan": "2026-11", "format": "xlsx"})
    rows = _sheet(export.content, "Polsek")
    selatan_row = next(r for r in rows if r[0] == month.unit.name)
    assert selatan_row[1:4] == (66.7, 6, 9)
    # And the Anev of the whole Polresta.
    anev = client.get(reverse("anev:anev"), {"periode": "bulan", "tanggal": "2026-11-15"})
    assert anev.status_code == 200
    assert f'data-unit="{utara.pk}"' in anev.content.decode()


def test_another_polsek_gets_404_for_a_unit_it_cannot_see(month: Month, outsider) -> None:
    client = _client(outsider)
    for name in ("anev:standards", "anev:standards-polres", "anev:anev"):
        answer = client.get(reverse(name), {"unit": month.unit.pk})
        assert answer.status_code == 404, name
    assert client.get(reverse("api:anev"), {"unit": month.unit.pk}).status_code == 404
    assert client.get(reverse("api:standards"), {"unit": month.unit.pk}).status_code == 404


def test_a_desk_officer_may_read_the_anev_but_not_the_assessment(month: Month, petugas) -> None:
    client = _client(petugas)
    assert client.get(reverse("anev:standards")).status_code == 403
    assert client.get(reverse("api:standards")).status_code == 403
    assert client.get(reverse("anev:anev")).status_code == 200


def test_anonymous_is_sent_to_login(month: Month) -> None:
    answer = Client().get(reverse("anev:anev"))
    assert answer.status_code == 302
    assert Client().get(reverse("api:anev")).status_code in (401, 403)


def test_the_anev_page_and_export(month: Month, kapolsek) -> None:
    client = _client(kapolsek)
    page = client.get(reverse("anev:anev"), {"periode": "bulan", "tanggal": "2026-11-15"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body
    assert "<script>" not in body
    assert "data-empty" not in body
    empty = client.get(reverse("anev:anev"), {"periode": "minggu", "tanggal": "2026-06-03"})
    assert "Belum ada data" in empty.content.decode()
    export = client.get(
        reverse("anev:anev"), {"periode": "bulan", "tanggal": "2026-11-15", "format": "xlsx"}
    )
    services = _sheet(export.content, "Layanan")
    assert services[1][:6] == ("Kontak masyarakat (semua saluran)", 9, 0, 0, "—", "—")
    sop = _sheet(export.content, "Standar SOP")
    assert sop[1][1] == 66.7
    assert len(_sheet(export.content, "Jam sibuk")) == 8


def test_bad_input_is_refused_with_a_reason(month: Month, kapolsek) -> None:
    client = _client(kapolsek)
    cases = [
        ("anev:standards", {"bulan": "2026-13"}, "Bulan"),
        ("anev:standards", {"format": "pdf"}, "Format"),
        ("anev:standards-polres", {"bulan": "x"}, "Bulan"),
        ("anev:anev", {"periode": "tahun"}, "Periode"),
        ("anev:anev", {"tanggal": "2026-02-30"}, "Tanggal"),
        ("anev:anev", {"unit": "abc"}, ""),
    ]
    for name, query, reason in cases:
        answer = client.get(reverse(name), query)
        assert answer.status_code in (400, 404), (name, query)
        assert reason in answer.content.decode()


def test_the_api_gives_the_figures(month: Month, kapolsek) -> None:
    client = _client(kapolsek)
    data = client.get(reverse("api:standards"), {"bulan": "2026-11"}).json()
    assert [(s["met"], s["total"], s["share"]) for s in data["standards"]] == [
        (6, 9, 66.7),
        (1, 2, 50.0),
        (1, 2, 50.0),
        (2, 3, 66.7),
        (1, 30, 3.3),
    ]
    assert data["standards"][3]["misses"][0]["url"].endswith(f"/{month.sktlk_late.pk}/")
    anev = client.get(reverse("api:anev"), {"periode": "bulan", "tanggal": "2026-11-15"}).json()
    assert anev["services"][0]["values"] == [9, 0, 0]
    assert anev["services"][0]["vs_previous"] == "—"
    assert len(anev["heat"]) == 7
    assert len(anev["heat"][0]) == 24
    bad = client.get(reverse("api:anev"), {"periode": "tahun"})
    assert bad.status_code == 400
    assert "periode" in bad.json()
    assert client.get(reverse("api:standards"), {"bulan": "9999-12"}).status_code == 400
    assert client.get(reverse("api:anev"), {"tanggal": "kemarin"}).status_code == 400
