import csv
import io
import uuid
import zipfile
from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from spkt.conftest import citizen_data, issue
from spkt.core import clock
from spkt.core.models import AuditEvent
from spkt.documents import register_views
from spkt.documents.lp import LpContent, lp_draft_save, lp_issue, lp_review
from spkt.documents.models import DocType, Pasal
from spkt.documents.registers.selectors import RegisterFilters, register_rows
from spkt.documents.services import (
    desk_context,
    document_void,
    issue_document,
    sktlk_extend,
)
from spkt.org.models import Kelurahan, Role
from spkt.org.services import user_create

NIK = "7571025506850003"  # conftest's citizen; masked 757102********03
NIK_2 = "7571024101900021"


def wita(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Makassar"))


def url(kind: str = "sktlk", **params: object) -> str:
    query = urlencode(params)
    return reverse("documents:register", args=[kind]) + (f"?{query}" if query else "")


def sktlk(user, unit, *, name="Rahma Suleman", nik=NIK, kelurahan=None, at=None):
    citizen = citizen_data(name=name, nik=nik, kelurahan_id=kelurahan.pk if kelurahan else None)
    if at is None:
        return issue(user, unit, citizen=citizen)
    with clock.travel(at):
        return issue(user, unit, citizen=citizen, lost_on=timezone.localtime(at).date())


def laporan(user, unit, *, doc_type=DocType.LP_B, name="Yusuf Hasan", snapshot=None):
    """An LP (or STTLP) through the one issuing path, with the snapshot keys the register reads."""
    now = clock.now()
    shift, chain = desk_context(unit, now)
    body = snapshot or {
        "classification": "Kejahatan",
        "offence": [{"article": "362", "book": "KUHP", "title": "Pencurian"}],
    }
    return issue_document(
        actor=user,
        unit=unit,
        doc_type=doc_type,
        shift=shift,
        chain=chain,
        now=now,
        subject_name=name,
        idempotency_key=uuid.uuid4().hex,
        build=lambda _issue: body,
    )


def numbers(response) -> list[str]:
    return [e.doc.number for e in response.context["entries"]]


def csv_rows(response) -> list[list[str]]:
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_sheet(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


@pytest.fixture
def biawu(selatan):
    return Kelurahan.objects.create(unit=selatan, code="75.71.02.1001", name="Biawu")


@pytest.fixture
def limba(selatan):
    return Kelurahan.objects.create(unit=selatan, code="75.71.02.1002", name="Limba B")


@pytest.fixture
def dulalowo(utara):
    return Kelurahan.objects.create(unit=utara, code="75.71.05.1001", name="Dulalowo")


@pytest.fixture
def petugas_dua(selatan):
    return user_create(
        username="petugas_dua",
        password="rahasia-uji-123",
        unit=selatan,
        roles=[Role.ANGGOTA_JAGA],
        first_name="Sitti Abdullah",
    )


# --- Listing and filters ----------------------------------------------------------------------
def test_the_sktlk_register_lists_the_units_sktlk_newest_first_with_book_numbers(
    client: Client, petugas, selatan
) -> None:
    first = sktlk(petugas, selatan, at=wita(2026, 11, 20, 9, 0))
    second = sktlk(petugas, selatan, name="Budi Santoso", nik=NIK_2)
    lp = laporan(petugas, selatan)
    client.force_login(petugas)
    response = client.get(url())
    assert response.status_code == 200
    assert numbers(response) == [second.number, first.number]
    assert [e.no for e in response.context["entries"]] == [2, 1]
    html = response.content.decode()
    assert "757102********03" in html
    assert lp.number not in html


def test_the_lp_register_holds_both_models_and_filters_by_model(
    client: Client, petugas, selatan
) -> None:
    model_a = laporan(petugas, selatan, doc_type=DocType.LP_A)
    model_b = laporan(petugas, selatan, doc_type=DocType.LP_B)
    sttlp = laporan(petugas, selatan, doc_type=DocType.STTLP)
    client.force_login(petugas)
    assert set(numbers(client.get(url("lp")))) == {model_a.number, model_b.number}
    assert numbers(client.get(url("lp", doc_type="LP_A"))) == [model_a.number]
    assert numbers(client.get(url("sttlp"))) == [sttlp.number]
    html = client.get(url("lp")).content.decode()
    assert "Pasal 362 KUHP" in html


def test_an_lp_issued_at_the_desk_appears_in_the_lp_and_sttlp_registers(
    client: Client, petugas, reskrim, selatan
) -> None:
    pasal = Pasal.objects.get_or_create(
        book="KUHP_2023", article="476", defaults={"title": "Pencurian"}
    )[0]
    content = LpContent(
        model="B",
        classification="Kejahatan",
        event_when=clock.now() - timedelta(hours=5),
        event_where="Jl. Pertiwi 5",
        event_what="Pencurian di rumah",
        account="Rumah pelapor dibobol.",
        citizen=citizen_data(name="Hendra Pakaya", nik="7571021203790002"),
        offences=[pasal],
    )
    draft = lp_draft_save(actor=petugas, unit=selatan, content=content)
    lp_review(actor=reskrim, draft=draft, recommendation="Unsur terpenuhi.", offences=[pasal])
    lp = lp_issue(actor=petugas, draft=draft, idempotency_key=uuid.uuid4().hex)
    client.force_login(petugas)
    _header, row = csv_rows(client.get(url("lp", format="csv")))
    assert row[1] == lp.number
    assert row[5] == "757102********02"
    assert row[-2:] == ["Kejahatan", "Pasal 476 UU 1/2023 tentang KUHP"]
    assert numbers(client.get(url("sttlp"))) == [lp.children.get().number]


def test_search_finds_a_number_or_a_name_ignoring_case(client: Client, petugas, selatan) -> None:
    rahma = sktlk(petugas, selatan)
    budi = sktlk(petugas, selatan, name="Budi Santoso", nik=NIK_2)
    client.force_login(petugas)
    assert numbers(client.get(url(q="santoso"))) == [budi.number]
    prefix = "/".join(rahma.number.split("/")[:3]).lower()  # "sktlk/1/xi"
    assert numbers(client.get(url(q=prefix))) == [rahma.number]
    assert numbers(client.get(url(q="tidak-ada"))) == []


def test_the_date_filter_counts_days_in_wita(client: Client, petugas, selatan) -> None:
    late = sktlk(petugas, selatan, at=wita(2026, 6, 15, 23, 30))  # 15:30 UTC the same day
    next_day = sktlk(petugas, selatan, name="Budi Santoso", nik=NIK_2, at=wita(2026, 6, 16, 0, 30))
    client.force_login(petugas)
    assert numbers(client.get(url(date_from="2026-06-15", date_to="2026-06-15"))) == [late.number]
    assert numbers(client.get(url(date_from="2026-06-16"))) == [next_day.number]
    assert numbers(client.get(url(date_to="2026-06-14"))) == []


def test_the_officer_filter_shows_one_officers_documents(
    client: Client, petugas, petugas_dua, selatan
) -> None:
    mine = sktlk(petugas, selatan)
    theirs = sktlk(petugas_dua, selatan, name="Budi Santoso", nik=NIK_2)
    client.force_login(petugas)
    response = client.get(url(officer=petugas_dua.pk))
    assert numbers(response) == [theirs.number]
    assert "Sitti Abdullah" in response.content.decode()
    assert numbers(client.get(url(officer=petugas.pk))) == [mine.number]


def test_the_kelurahan_filter_uses_the_citizens_kelurahan(
    client: Client, petugas, selatan, biawu, limba
) -> None:
    in_biawu = sktlk(petugas, selatan, kelurahan=biawu)
    in_limba = sktlk(petugas, selatan, name="Budi Santoso", nik=NIK_2, kelurahan=limba)
    client.force_login(petugas)
    assert numbers(client.get(url(kelurahan=biawu.pk))) == [in_biawu.number]
    assert numbers(client.get(url(kelurahan=limba.pk))) == [in_limba.number]


def test_the_status_filter_tells_valid_void_expired_and_replaced_apart(
    client: Client, petugas, ka_spkt, selatan
) -> None:
    expired = sktlk(petugas, selatan, at=clock.now() - timedelta(days=60))
    voided = sktlk(petugas, selatan, name="Budi Santoso", nik=NIK_2)
    document_void(actor=ka_spkt, document=voided, reason="Salah ketik")
    extended = sktlk(petugas, selatan, name="Citra Lestari", nik="7571026107920015")
    extension = sktlk_extend(actor=petugas, old=extended, idempotency_key=uuid.uuid4().hex)
    client.force_login(petugas)
    assert numbers(client.get(url(status="void"))) == [voided.number]
    assert numbers(client.get(url(status="expired"))) == [expired.number]
    assert numbers(client.get(url(status="replaced"))) == [extended.number]
    assert numbers(client.get(url(status="valid"))) == [extension.number]
    labels = {e.doc.pk: e.status for e in client.get(url()).context["entries"]}
    assert labels == {
        expired.pk: "expired",
        voided.pk: "void",
        extended.pk: "replaced",
        extension.pk: "valid",
    }


def test_the_selector_keeps_to_the_unit_and_what_the_user_may_see(
    petugas, outsider, selatan, utara
) -> None:
    doc = sktlk(petugas, selatan)
    sktlk(outsider, utara)
    mine = register_rows(user=petugas, unit=selatan, doc_type="SKTLK", filters=RegisterFilters())
    assert list(mine) == [doc]
    theirs = register_rows(user=outsider, unit=selatan, doc_type="SKTLK", filters=RegisterFilters())
    assert list(theirs) == []


def test_the_pager_keeps_the_filters(client: Client, petugas, selatan, monkeypatch) -> None:
    monkeypatch.setattr(register_views, "PAGE_SIZE", 1)
    sktlk(petugas, selatan, at=wita(2026, 11, 20, 9, 0))
    sktlk(petugas, selatan, at=wita(2026, 11, 21, 9, 0))
    client.force_login(petugas)
    response = client.get(url(q="rahma", date_from="2026-11-01"))
    html = response.content.decode()
    assert "?q=rahma&amp;date_from=2026-11-01&amp;page=2" in html
    assert "format=csv" in html
    assert [e.no for e in client.get(url(q="rahma", page=2)).context["entries"]] == [1]


# --- Exports ----------------------------------------------------------------------------------
def test_the_csv_export_holds_the_filtered_register(
    client: Client, petugas, selatan, biawu
) -> None:
    doc = sktlk(petugas, selatan, kelurahan=biawu, at=wita(2026, 11, 20, 9, 5))
    sktlk(petugas, selatan, name="Budi Santoso", nik=NIK_2)
    client.force_login(petugas)
    response = client.get(url(q="rahma", format="csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header == [
        "No.",
        "Nomor",
        "Jenis",
        "Tanggal terbit (WITA)",
        "Atas nama",
        "NIK",
        "Kelurahan",
        "Petugas",
        "Status",
        "Berlaku sampai",
    ]
    assert rows == [
        [
            "1",
            doc.number,
            "SKTLK",
            "2026-11-20 09:05",
            "Rahma Suleman",
            "757102********03",
            "Biawu",
            "petugas",
            "Kedaluwarsa" if doc.valid_until < timezone.localdate() else "Sah",
            doc.valid_until.isoformat(),
        ]
    ]


def test_the_xlsx_export_has_a_frozen_header_sized_columns_and_real_dates(
    client: Client, petugas, selatan
) -> None:
    doc = sktlk(petugas, selatan, at=wita(2026, 11, 20, 9, 5))
    client.force_login(petugas)
    response = client.get(url(format="xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = xlsx_sheet(response)
    assert sheet.title == "Register SKTLK"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "No."
    assert sheet["A1"].font.bold
    assert sheet["D1"].value == "Tanggal terbit (WITA)"
    assert sheet.column_dimensions["B"].width > 20
    assert sheet["A2"].value == 1
    assert sheet["B2"].value == doc.number
    assert sheet["D2"].value.isoformat() == "2026-11-20T09:05:00"
    assert sheet["D2"].is_date
    assert sheet["F2"].value == "757102********03"
    assert sheet["J2"].value.date() == doc.valid_until
    assert sheet["J2"].is_date
    assert sheet.max_row == 2


def test_the_lp_export_adds_classification_and_pasal(client: Client, petugas, selatan) -> None:
    snapshot = {
        "classification": "Kejahatan",
        "offence": [
            {"article": "362", "book": "KUHP", "title": "Pencurian"},
            {"article": "372", "book": "KUHP", "title": "Penggelapan"},
        ],
    }
    laporan(petugas, selatan, doc_type=DocType.LP_A, snapshot=snapshot)
    laporan(petugas, selatan, snapshot={"classification": "Pelanggaran"})
    client.force_login(petugas)
    header, first, second = csv_rows(client.get(url("lp", format="csv")))
    assert header[-2:] == ["Klasifikasi", "Pasal"]
    assert first[2] == "Laporan Polisi model A"
    assert first[-2:] == ["Kejahatan", "Pasal 362 KUHP, Pasal 372 KUHP"]
    assert second[-2:] == ["Pelanggaran", ""]
    sheet = xlsx_sheet(client.get(url("lp", format="xlsx")))
    assert sheet["K1"].value == "Klasifikasi"
    assert sheet["L2"].value == "Pasal 362 KUHP, Pasal 372 KUHP"


def test_exports_never_contain_the_full_nik(client: Client, petugas, selatan) -> None:
    sktlk(petugas, selatan)
    client.force_login(petugas)
    assert NIK not in client.get(url(format="csv")).content.decode("utf-8-sig")
    archive = zipfile.ZipFile(io.BytesIO(client.get(url(format="xlsx")).content))
    for name in archive.namelist():
        assert NIK.encode() not in archive.read(name)
    assert "757102********03" in client.get(url(format="csv")).content.decode("utf-8-sig")


def test_a_name_typed_as_a_formula_stays_text(client: Client, petugas, selatan) -> None:
    sktlk(petugas, selatan, name='=HYPERLINK("http://x.example","klik")')
    client.force_login(petugas)
    assert csv_rows(client.get(url(format="csv")))[1][4].startswith("'=")
    cell = xlsx_sheet(client.get(url(format="xlsx")))["E2"]
    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")


def test_each_export_is_audited_with_its_filters(client: Client, petugas, selatan) -> None:
    sktlk(petugas, selatan)
    client.force_login(petugas)
    client.get(url(format="csv", q="rahma"))
    client.get(url(format="xlsx"))
    events = AuditEvent.objects.filter(action="document.register.exported").order_by("pk")
    assert [(e.actor, e.unit, e.data["format"]) for e in events] == [
        (petugas, selatan, "csv"),
        (petugas, selatan, "xlsx"),
    ]
    assert events[0].data["filters"]["q"] == "rahma"
    assert events[0].data["rows"] == 1


def test_an_export_over_the_limit_is_refused_with_a_message(
    client: Client, petugas, selatan, monkeypatch
) -> None:
    monkeypatch.setattr(register_views, "EXPORT_MAX_ROWS", 1)
    sktlk(petugas, selatan)
    sktlk(petugas, selatan, name="Budi Santoso", nik=NIK_2)
    client.force_login(petugas)
    response = client.get(url(format="xlsx", q="a"), follow=True)
    assert response.redirect_chain[0][0] == url(q="a")
    assert "terlalu banyak untuk diekspor" in response.content.decode()
    assert not AuditEvent.objects.filter(action="document.register.exported").exists()


# --- Who may see what -------------------------------------------------------------------------
def test_anonymous_users_are_sent_to_login(client: Client, selatan) -> None:
    for kind in ("lp", "sttlp", "sktlk"):
        response = client.get(url(kind, format="csv"))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_another_station_is_not_found(client: Client, petugas, outsider, selatan) -> None:
    sktlk(petugas, selatan)
    client.force_login(outsider)
    assert client.get(url(unit=selatan.pk)).status_code == 404
    assert client.get(url(unit=selatan.pk, format="csv")).status_code == 404
    assert not AuditEvent.objects.filter(action="document.register.exported").exists()


def test_the_outsiders_own_register_shows_none_of_the_other_stations_documents(
    client: Client, petugas, outsider, selatan
) -> None:
    doc = sktlk(petugas, selatan)
    client.force_login(outsider)
    response = client.get(url())
    assert response.status_code == 200
    assert doc.number not in response.content.decode()
    assert doc.number not in client.get(url(format="csv")).content.decode("utf-8-sig")
    assert len(csv_rows(client.get(url(format="csv")))) == 1


def test_the_polres_reads_a_stations_register(client: Client, petugas, polres_staff, selatan):
    doc = sktlk(petugas, selatan)
    client.force_login(polres_staff)
    assert numbers(client.get(url())) == []  # the Polres's own register
    assert numbers(client.get(url(unit=selatan.pk))) == [doc.number]


def test_an_unknown_register_is_not_found(client: Client, petugas) -> None:
    client.force_login(petugas)
    assert client.get(url("mutasi")).status_code == 404


def test_the_page_runs_the_same_queries_for_one_and_ten_documents(
    client: Client, petugas, petugas_dua, ka_spkt, selatan, biawu
) -> None:
    sktlk(petugas, selatan, kelurahan=biawu)
    client.force_login(petugas)
    client.get(url())  # warm the session and role caches
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url()).context["entries"]) == 1
    for i in range(9):
        doc = sktlk(petugas_dua if i % 2 else petugas, selatan, kelurahan=biawu if i % 3 else None)
        if i == 4:
            document_void(actor=ka_spkt, document=doc, reason="Salah ketik")
    sktlk_extend(actor=petugas, old=doc, idempotency_key=uuid.uuid4().hex)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url()).context["entries"]) == 11
    assert len(many) == len(one)


# --- Bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "kemarin"}, "Tanggal tidak valid"),
        ({"date_to": "2026-13-45"}, "Tanggal tidak valid"),
        ({"date_from": "9999-12-31"}, "Tanggal harus antara"),
        ({"date_from": "2026-11-20", "date_to": "2026-11-01"}, "tidak boleh sebelum"),
        ({"officer": "abc"}, "Petugas tidak dikenal"),
        ({"officer": "99999999999999999999999"}, "Petugas tidak dikenal"),
        ({"kelurahan": "-1"}, "Kelurahan tidak berada"),
        ({"status": "hilang"}, "Status tidak valid"),
        ({"q": "x" * 101}, "paling banyak 100 karakter"),
        ({"q": "nik\x00"}, "Filter tidak dapat dipakai"),
        ({"format": "pdf"}, "Format ekspor tidak dikenal"),
    ],
)
def test_bad_filter_values_get_a_clear_error_not_a_crash(
    client: Client, petugas, selatan, params, message
) -> None:
    sktlk(petugas, selatan)
    client.force_login(petugas)
    response = client.get(url(**params))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["entries"] == []
    export = client.get(url(**{"format": "csv", **params}))
    assert export.status_code == 400
    assert not AuditEvent.objects.filter(action="document.register.exported").exists()


def test_another_stations_officer_or_kelurahan_is_an_invalid_choice(
    client: Client, petugas, outsider, selatan, utara, dulalowo
) -> None:
    sktlk(outsider, utara, kelurahan=dulalowo)
    client.force_login(petugas)
    response = client.get(url(officer=outsider.pk))
    assert response.status_code == 400
    assert "Petugas tidak dikenal" in response.content.decode()
    response = client.get(url(kelurahan=dulalowo.pk))
    assert response.status_code == 400
    assert "Kelurahan tidak berada" in response.content.decode()


def test_a_wrong_page_number_shows_a_page(client: Client, petugas, selatan) -> None:
    sktlk(petugas, selatan)
    client.force_login(petugas)
    for page in ("abc", "999", "-1"):
        assert client.get(url(page=page)).status_code == 200


def test_the_lp_type_filter_is_not_offered_on_other_registers(client: Client, petugas) -> None:
    client.force_login(petugas)
    assert 'name="doc_type"' not in client.get(url("sktlk")).content.decode()
    assert 'name="doc_type"' in client.get(url("lp")).content.decode()
