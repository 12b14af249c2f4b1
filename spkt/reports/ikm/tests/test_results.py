import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader
from rest_framework.test import APIClient

from spkt.reports.ikm.selectors import ikm_summary
from spkt.reports.ikm.services import Answer, invitation_create, response_submit

RESULTS = "/laporan/ikm/"


def answer(unit, scores, service="sktlk", **profile) -> None:
    invitation = invitation_create(unit=unit, service=service)
    response_submit(invitation_id=invitation.pk, answer=Answer(scores=list(scores), **profile))


@pytest.fixture
def answered(selatan, utara):
    # Selatan: the worked example of test_index (IKM 81.94, B); Utara: all 1 (25.00, D).
    answer(selatan, (4, 4, 3, 4, 3, 4, 4, 3, 3), gender="L", comment="Cepat dan ramah.")
    answer(selatan, (3, 3, 3, 4, 3, 3, 4, 3, 2), gender="P")
    answer(selatan, (4, 3, 2, 4, 3, 4, 4, 3, 3), service="contact")
    answer(selatan, (3, 3, 3, 4, 4, 3, 3, 2, 3), service="kiosk")
    answer(utara, (1,) * 9, comment="Lama sekali.")


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    )


def test_the_summary_for_the_daily_report(answered, selatan) -> None:
    from spkt.core import clock
    from spkt.reports.ikm.period import month_period

    period = month_period(clock.now().date().replace(day=1))
    summary = ikm_summary(unit_ids=[selatan.pk], start=period.start, end=period.end)
    assert (summary.responses, summary.ikm, summary.category) == (4, Decimal("81.94"), "B")
    only_sktlk = ikm_summary(
        unit_ids=[selatan.pk], start=period.start, end=period.end, service="sktlk"
    )
    assert only_sktlk.responses == 2


def test_the_results_page_shows_the_index_of_the_month(client, kapolsek, answered) -> None:
    client.force_login(kapolsek)
    page = client.get(RESULTS, {"bulan": "2026-12"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "data-ikm>81,94<" in text  # the Indonesian decimal comma
    assert "data-category>B<" in text
    assert "Cepat dan ramah." in text
    assert "Lama sekali." not in text  # another station's comment
    assert "Persyaratan" in text


def test_a_polres_sees_its_stations_rolled_up(client, polres_staff, polres, answered) -> None:
    client.force_login(polres_staff)
    page = client.get(RESULTS, {"bulan": "2026-12", "unit": polres.pk})
    text = page.content.decode()
    assert "data-responses>5<" in text
    assert "Lama sekali." in text


def test_an_empty_period_says_there_is_no_data(client, kapolsek, answered) -> None:
    client.force_login(kapolsek)
    page = client.get(RESULTS, {"bulan": "2026-10"})
    assert page.status_code == 200
    assert "Belum ada data" in page.content.decode()
    pdf = client.get(RESULTS, {"bulan": "2026-10", "format": "pdf"})
    assert "Belum ada data" in pdf_text(pdf.content)


def test_a_date_range_and_a_service_filter(client, kapolsek, answered) -> None:
    client.force_login(kapolsek)
    page = client.get(RESULTS, {"dari": "2026-12-01", "sampai": "2026-12-01", "layanan": "kiosk"})
    assert "data-responses>1<" in page.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"bulan": "2026-13"},
        {"bulan": "9999-12"},
        {"dari": "2026-12-01"},
        {"dari": "2026-12-05", "sampai": "2026-12-01"},
        {"dari": "x", "sampai": "2026-12-01"},
    ],
)
def test_a_bad_period_is_a_400_that_says_why(client, kapolsek, query) -> None:
    client.force_login(kapolsek)
    page = client.get(RESULTS, query)
    assert page.status_code == 400
    assert "Bulan" in page.content.decode() or "Tanggal" in page.content.decode()


def test_the_pdf_carries_the_table_and_the_index(client, kapolsek, answered) -> None:
    client.force_login(kapolsek)
    pdf = client.get(RESULTS, {"bulan": "2026-12", "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT" in text
    assert "81.94" in text
    assert "Penanganan Pengaduan, Saran dan Masukan" in text
    assert "Baik" in text
    assert "3.278" in text


def test_another_station_and_anonymous_are_refused(client, outsider, selatan) -> None:
    assert client.get(RESULTS).status_code == 302
    client.force_login(outsider)
    assert client.get(RESULTS, {"unit": selatan.pk}).status_code == 404


# --- API -----------------------------------------------------------------------------------------
def test_the_api_gives_the_summary(kapolsek, selatan, answered) -> None:
    api = APIClient()
    api.force_authenticate(kapolsek)
    body = api.get(reverse("api:ikm"), {"unit": selatan.pk, "bulan": "2026-12"}).json()
    assert body["responses"] == 4
    assert body["ikm"] == "81.94"
    assert body["category"] == "B"
    assert body["start"] == "2026-12-01"
    assert body["end"] == "2026-12-31"
    assert len(body["elements"]) == 9
    assert body["elements"][0] == {
        "number": 1,
        "name": "Persyaratan",
        "nrr": "3.50",
        "weighted": "0.389",
    }


def test_the_api_for_an_empty_month(kapolsek, selatan) -> None:
    api = APIClient()
    api.force_authenticate(kapolsek)
    body = api.get(reverse("api:ikm"), {"bulan": "2026-11"}).json()
    assert (body["responses"], body["ikm"], body["category"], body["elements"]) == (
        0,
        None,
        None,
        [],
    )


def test_the_api_hides_another_stations_unit(outsider, selatan) -> None:
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get(reverse("api:ikm"), {"unit": selatan.pk}).status_code == 404
    assert APIClient().get(reverse("api:ikm")).status_code in (401, 403)


@pytest.mark.parametrize("query", [{"bulan": "2026-13"}, {"layanan": "x"}, {"dari": "2026-12-01"}])
def test_the_api_refuses_bad_input_with_a_400(kapolsek, query) -> None:
    api = APIClient()
    api.force_authenticate(kapolsek)
    answer = api.get(reverse("api:ikm"), query)
    assert answer.status_code == 400


def test_the_minimum_sample_counts_the_services_of_the_period(petugas, selatan) -> None:
    from spkt.conftest import issue
    from spkt.core import clock
    from spkt.intake.services import Incoming, contact_close, contact_receive
    from spkt.reports.ikm.period import month_period

    issue(petugas, selatan)  # one SKTLK
    served = contact_receive(
        unit=selatan, incoming=Incoming(channel="sms", body="Info", sender_address="0812000001")
    )
    contact_close(actor=petugas, contact=served, outcome="info")  # one contact closed
    period = month_period(clock.now().date().replace(day=1))
    summary = ikm_summary(unit_ids=[selatan.pk], start=period.start, end=period.end)
    # Krejcie–Morgan for N = 2: 3.841 × 2 × 0.25 / (0.0025 × 1 + 0.96025) = 1.995 → 2.
    assert (summary.services, summary.minimum_sample, summary.responses) == (2, 2, 0)
    assert not summary.sample_reached
    assert summary.ikm is None
    assert summary.category is None


def test_the_results_page_reads_in_a_fixed_number_of_queries(
    client, kapolsek, selatan, django_assert_max_num_queries
) -> None:
    for i in range(12):
        answer(selatan, (1 + i % 4,) * 9, comment=f"Saran {i}", gender="L")
    client.force_login(kapolsek)
    with django_assert_max_num_queries(14):
        page = client.get(RESULTS, {"bulan": "2026-12"})
    assert "Saran 11" in page.content.decode()
