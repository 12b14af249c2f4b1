import hashlib
import io

import pypdfium2
import zxingcpp
from pypdf import PdfReader

from spkt.conftest import issue
from spkt.documents.models import DocumentFile
from spkt.documents.services import document_pdf_ensure


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def qr_codes(data: bytes) -> list[str]:
    pdf = pypdfium2.PdfDocument(data)
    image = pdf[0].render(scale=3).to_pil()
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_the_pdf_is_rendered_after_commit(
    petugas, selatan, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        doc = issue(petugas, selatan)
    assert DocumentFile.objects.filter(document=doc).exists()


def test_the_pdf_carries_the_number_the_signer_and_a_verifying_qr(petugas, selatan) -> None:
    doc = issue(petugas, selatan)
    data = document_pdf_ensure(document_id=doc.pk).pdf.read()
    text = " ".join(pdf_text(data).split())
    assert data.startswith(b"%PDF")
    assert doc.number in text
    assert "SURAT KETERANGAN TANDA LAPOR KEHILANGAN" in text
    assert "KEPALA REGU KOTA SELATAN" in text
    assert "IPTU NRP 78040211" in text
    assert "757102********03" in text
    assert "7571025506850003" not in text
    # The verification QR, and beside it the satisfaction survey's (spkt.reports.ikm).
    assert sorted(qr_codes(data)) == sorted(
        [doc.snapshot["verify_url"], doc.snapshot["survey_url"]]
    )


def test_the_pdf_is_rendered_once_and_served_as_stored(petugas, selatan) -> None:
    doc = issue(petugas, selatan)
    first = document_pdf_ensure(document_id=doc.pk)
    second = document_pdf_ensure(document_id=doc.pk)
    assert first.pk == second.pk
    assert hashlib.sha256(second.pdf.read()).hexdigest() == first.sha256
