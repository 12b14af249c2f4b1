import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from spkt.conftest import citizen_data, issue
from spkt.core.ledger import verify
from spkt.core.models import AuditEvent, LedgerEntry
from spkt.core.nik import nik_decrypt
from spkt.core.timeutil import today
from spkt.documents.models import Citizen, Document
from spkt.documents.services import LostItem
from spkt.dutylog.models import Mutasi


def counts() -> tuple[int, ...]:
    return (
        Document.objects.count(),
        Mutasi.objects.count(),
        LedgerEntry.objects.count(),
        Citizen.objects.count(),
        AuditEvent.objects.count(),
    )


def test_it_issues_a_numbered_sktlk_and_writes_the_buku_mutasi(petugas, selatan) -> None:
    doc = issue(petugas, selatan)
    assert doc.number.startswith("SKTLK/1/")
    assert doc.number.endswith("/SPKT/POLSEK KOTA SELATAN/POLRESTA GORONTALO KOTA/POLDA GORONTALO")
    assert doc.valid_until == today() + timedelta(days=14)
    entry = Mutasi.objects.get()
    assert (
        entry.text
        == f"Menerbitkan {doc.number} a.n. RAHMA SULEMAN (kehilangan: KTP, Kartu ATM/kredit)."
    )
    assert entry.shift == doc.shift
    assert AuditEvent.objects.filter(action="document.sktlk.issued", target_id=str(doc.pk)).exists()
    assert verify().ok


def test_the_snapshot_holds_what_is_printed(petugas, selatan) -> None:
    doc = issue(petugas, selatan)
    snap = doc.snapshot
    assert snap["reporter"]["nik_masked"] == "757102********03"
    assert snap["signer"] == {
        "post": "KA SPKT",
        "name": "KEPALA REGU KOTA SELATAN",
        "pangkat": "IPTU",
        "nrp": "78040211",
    }
    assert snap["letterhead"]["lines"] == [
        "KEPOLISIAN NEGARA REPUBLIK INDONESIA",
        "DAERAH GORONTALO",
        "RESOR GORONTALO KOTA",
        "SEKTOR KOTA SELATAN",
    ]
    assert f"/v/{doc.verify_token}/?p=" in snap["verify_url"]
    assert "7571025506850003" not in str(snap)


def test_the_nik_is_stored_encrypted_with_a_lookup_hash(petugas, selatan) -> None:
    issue(petugas, selatan)
    citizen = Citizen.objects.get()
    assert "7571025506850003" not in citizen.nik_encrypted
    assert nik_decrypt(citizen.nik_encrypted) == "7571025506850003"
    assert len(citizen.nik_hash) == 64


def test_a_returning_citizen_is_the_same_record(petugas, selatan) -> None:
    issue(petugas, selatan)
    issue(petugas, selatan, citizen=citizen_data(address="Jl. Baru 1"))
    assert Citizen.objects.get().address == "Jl. Baru 1"
    assert list(Document.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2]


def test_a_repeated_submission_returns_the_first_document(petugas, selatan) -> None:
    key = uuid.uuid4().hex
    first = issue(petugas, selatan, idempotency_key=key)
    again = issue(petugas, selatan, idempotency_key=key)
    assert again.pk == first.pk
    assert Document.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"items": []}, "sedikitnya satu"),
        ({"items": [LostItem(kind="MOBIL")]}, "tidak dikenal"),
        ({"items": [LostItem(kind="KTP")]}, "Persyaratan untuk KTP belum diperiksa"),
        ({"citizen": citizen_data(nik="123")}, "16 digit"),
        ({"citizen": citizen_data(gender="X")}, "Jenis kelamin"),
        ({"lost_place": "  "}, "Tempat kehilangan"),
        ({"lost_on": date(2999, 1, 1)}, "masa depan"),
        ({"citizen": citizen_data(kelurahan_id=999999)}, "Kelurahan"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(petugas, selatan, overrides, message) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        issue(petugas, selatan, **overrides)
    assert message in " ".join(exc.value.messages)
    assert counts() == before


def test_a_shift_without_ka_spkt_cannot_sign(petugas, selatan) -> None:
    selatan.regu.all().delete()
    with pytest.raises(ValidationError, match="Ka SPKT"):
        issue(petugas, selatan)
    assert Document.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_numbers_restart_at_the_year_boundary_in_wita(petugas, selatan, utara) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from spkt.core import clock
    from spkt.org.models import Role
    from spkt.org.services import user_create

    wita = ZoneInfo("Asia/Makassar")
    other = user_create(
        username="jaga_utara", password="x-long-pass-123", unit=utara, roles=[Role.ANGGOTA_JAGA]
    )
    with clock.travel(datetime(2026, 12, 31, 23, 58, tzinfo=wita)):
        a = issue(petugas, selatan, lost_on=date(2026, 12, 30))
        b = issue(petugas, selatan, lost_on=date(2026, 12, 30))
        u = issue(other, utara, lost_on=date(2026, 12, 30))
    with clock.travel(datetime(2027, 1, 1, 0, 1, tzinfo=wita)):
        c = issue(petugas, selatan, lost_on=date(2026, 12, 30))
    assert [
        a.number.split("/SPKT/")[0],
        b.number.split("/SPKT/")[0],
        c.number.split("/SPKT/")[0],
    ] == ["SKTLK/1/XII/2026", "SKTLK/2/XII/2026", "SKTLK/1/I/2027"]
    assert (
        u.number
        == "SKTLK/1/XII/2026/SPKT/POLSEK KOTA UTARA/POLRESTA GORONTALO KOTA/POLDA GORONTALO"
    )


def test_the_official_text_stays_indonesian_in_an_english_session(petugas, selatan) -> None:
    from django.utils import translation

    with translation.override("en"):
        doc = issue(petugas, selatan, items=[LostItem(kind="KK", papers_checked=True)])
    assert doc.snapshot["items"][0]["label"] == "Kartu Keluarga"
    assert doc.snapshot["reporter"]["gender"] == "Perempuan"
