import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from spkt.core import clock
from spkt.core.timeutil import duty_day_of
from spkt.dutylog.services import mutasi_write


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_the_printed_shift_book_reads_like_the_paper_book(
    client: Client, petugas, selatan, open_shift
) -> None:
    mutasi_write(
        actor=petugas, unit=selatan, text="Laka lantas di Jl. Nani Wartabone.", category="kejadian"
    )
    client.force_login(petugas)
    response = client.get(reverse("dutylog:shift-pdf", args=[open_shift.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "BUKU MUTASI PENJAGAAN SPKT" in text
    assert "Laka lantas di Jl. Nani Wartabone." in text
    assert "Apel pembukaan" in text
    assert "belum disegel" in text


def test_the_day_page_shows_and_exports_the_head_hash(
    client: Client, petugas, selatan, open_shift, tmp_path, capsys
) -> None:
    day = duty_day_of(open_shift.starts_at, selatan.shift_start_hour)
    client.force_login(petugas)
    with clock.travel(open_shift.ends_at + timedelta(minutes=1)):
        page = client.get(reverse("dutylog:day", args=[day.isoformat()])).content.decode()
        exported = client.get(reverse("dutylog:day", args=[day.isoformat()]), {"format": "hash"})
        pdf = client.get(reverse("dutylog:day", args=[day.isoformat()]), {"format": "pdf"})
    line = exported.content.decode().strip()
    _unit_id, _seq, digest = line.split(":")
    assert digest in page
    assert digest in pdf_text(pdf.content).replace(" ", "")
    anchor = tmp_path / "anchor.hash"
    anchor.write_text(line + "\n")
    call_command("verify_ledger", anchor=[anchor])
    assert "1 anchor(s) verified" in capsys.readouterr().out


def test_an_anchor_the_chain_no_longer_holds_fails(selatan, open_shift, tmp_path, capsys) -> None:
    anchor = tmp_path / "anchor.hash"
    anchor.write_text(f"{selatan.pk}:1:{'f' * 64}\n")
    with pytest.raises(SystemExit) as exc:
        call_command("verify_ledger", anchor=[anchor])
    assert exc.value.code == 1
    assert "anchored hash" in capsys.readouterr().err


def test_the_head_of_an_unfinished_day_is_not_offered(
    client: Client, petugas, selatan, open_shift
) -> None:
    day = duty_day_of(clock.now(), selatan.shift_start_hour)
    client.force_login(petugas)
    response = client.get(reverse("dutylog:day", args=[day.isoformat()]), {"format": "hash"})
    assert response.status_code == 404


def test_bad_days_are_refused_and_other_stations_are_not_found(
    client: Client, petugas, outsider, selatan
) -> None:
    client.force_login(petugas)
    for bad in ("kemarin", "9999-12-31", "0001-01-01", "2026-13-45"):
        answer = client.get(reverse("dutylog:day", args=[bad]))
        assert answer.status_code == 400
        assert "Tanggal" in answer.content.decode()
    client.force_login(outsider)
    assert (
        client.get(reverse("dutylog:day", args=["2026-11-01"]), {"unit": selatan.pk}).status_code
        == 404
    )
